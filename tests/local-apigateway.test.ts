/**
 * Unit tests of the API Gateway emulation's pure parts: resource matching, the OpenAPI reading,
 * IAM policy evaluation, gateway responses, SigV4 verification, the TOKEN authorizer flow, host
 * routing and the Lambda proxy event and response.
 */
import * as assert from "node:assert/strict";
import { TYPES } from "../capture/types";
import * as aws4 from "aws4";
import { gatewayResponse, renderTemplate } from "../local/apigateway/gateway-responses";
import { parseApiDefinition, TokenAuthorizerDefinition } from "../local/apigateway/openapi";
import {
    buildProxyEvent,
    isBinaryMediaType,
    ProxyEventInput,
    proxyResponse,
} from "../local/apigateway/proxy-integration";
import { matchResource } from "../local/apigateway/resources";
import { ApiRoute, routeRequest } from "../local/apigateway/routing";
import { SignedRequest, verifySigV4 } from "../local/apigateway/sigv4";
import { TokenAuthorizers } from "../local/apigateway/token-authorizer";
import { TokenBucket, UsagePlans } from "../local/apigateway/usage-plans";
import type { CapturedResource, CapturedStack } from "../capture/capture";
import { HeaderList, headerValue, HttpResponse } from "../local/http";
import { evaluatePolicy } from "../local/iam-policy";
import type { InvocationResult } from "../local/lambda-runtime";

// AWS: a greedy {proxy+} catches all child resources and must end the path ("Set up a proxy
// integration with a proxy resource", api-gateway-set-up-simple-proxy.html). That a literal segment
// beats {param}, which beats {proxy+}, is stated for HTTP APIs ("Routing API requests",
// http-api-develop-routes.html: the most specific match wins); for REST APIs it is the emulator's model
// (matchResource in core/routes.ts, which the authorizer shares), not verified against a REST API document.
describe("local API Gateway: resource matching", () => {
    const templates = [
        "/api/{proxy+}",
        "/api/authorized",
        "/api/authorized/{proxy+}",
        "/api/items/{id}",
        "/api/items/{id}/raw",
        "/api/items/new",
    ];
    const table: [path: string, resource: string | undefined, params: Record<string, string>][] = [
        ["/api/hello", "/api/{proxy+}", { proxy: "hello" }],
        ["/api/a/b/c", "/api/{proxy+}", { proxy: "a/b/c" }],
        ["/api/authorized", "/api/authorized", {}],
        ["/api/authorized/x/y", "/api/authorized/{proxy+}", { proxy: "x/y" }],
        ["/api/items/new", "/api/items/new", {}],
        ["/api/items/42", "/api/items/{id}", { id: "42" }],
        ["/api/items/42/raw", "/api/items/{id}/raw", { id: "42" }],
        ["/api/items/42/other", "/api/{proxy+}", { proxy: "items/42/other" }],
        ["/api/hello%20world", "/api/{proxy+}", { proxy: "hello world" }],
        // The parent of a greedy resource exists (without methods) but is not covered by it.
        ["/api", "/api", {}],
        ["/api/", "/api", {}],
        ["/", "/", {}],
        ["/other", undefined, {}],
    ];
    for (const [path, resource, params] of table) {
        it(`${path} -> ${resource ?? "no resource"}`, () => {
            const match = matchResource(["/", "/api", "/api/items", ...templates], path);
            assert.equal(match?.resourcePath, resource);
            if (resource !== undefined) {
                assert.deepEqual(match?.pathParameters, params);
            }
        });
    }
});

const BODY = JSON.stringify({
    swagger: "2.0",
    paths: {
        "/api/{proxy+}": {
            "x-amazon-apigateway-any-method": {
                "x-amazon-apigateway-integration": { type: "aws_proxy", uri: "arn:echo" },
            },
        },
        "/api/token": {
            get: { security: [{ tok: [] }], "x-amazon-apigateway-integration": { type: "AWS_PROXY", uri: "arn:echo" } },
        },
        "/api/iam": { post: { "x-amazon-apigateway-auth": { type: "AWS_IAM" } }, parameters: [] },
        "/api/key": { get: { security: [{ api_key: [] }] } },
        "/api/token-and-key": { get: { security: [{ tok: [], api_key: [] }] } },
        "/api/other-key-header": { get: { security: [{ custom_key: [] }] } },
        "/api/either": { get: { security: [{ tok: [] }, { api_key: [] }] } },
    },
    securityDefinitions: {
        tok: {
            type: "apiKey",
            name: "Authorization",
            in: "header",
            "x-amazon-apigateway-authtype": "oauth2",
            "x-amazon-apigateway-authorizer": {
                type: "token",
                authorizerUri: "arn:auth",
                identitySource: "",
                authorizerResultTtlInSeconds: 0,
            },
        },
        api_key: { type: "apiKey", name: "x-api-key", in: "header" },
        custom_key: { type: "apiKey", name: "X-Custom-Key", in: "header" },
    },
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-gateway-responses": { MISSING_AUTHENTICATION_TOKEN: { statusCode: 404 } },
});

// AWS: the x-amazon-apigateway-* extensions ("API Gateway extensions to OpenAPI",
// api-gateway-swagger-extensions.html); a TOKEN authorizer reads the header its security definition
// names ("x-amazon-apigateway-authorizer object", api-gateway-swagger-extensions-authorizer.html).
describe("local API Gateway: OpenAPI body", () => {
    const definition = parseApiDefinition(BODY, ["*/*"]);

    it("reads resources (implicit parents included), methods, auth and integrations", () => {
        assert.deepEqual([...definition.resources.keys()].sort(), [
            "/",
            "/api",
            "/api/either",
            "/api/iam",
            "/api/key",
            "/api/other-key-header",
            "/api/token",
            "/api/token-and-key",
            "/api/{proxy+}",
        ]);
        assert.equal(definition.resources.get("/api")!.size, 0);
        const any = definition.resources.get("/api/{proxy+}")!.get("ANY")!;
        assert.deepEqual(any.auth, { kind: "none" });
        assert.deepEqual(any.integration, { type: "aws_proxy", uri: "arn:echo" });
        assert.deepEqual(definition.resources.get("/api/iam")!.get("POST")!.auth, { kind: "iam" });
        assert.deepEqual([...definition.resources.get("/api/iam")!.keys()], ["POST"]);
        const token = definition.resources.get("/api/token")!.get("GET")!.auth;
        // An empty identitySource: the TOKEN authorizer reads the security definition's header.
        assert.deepEqual(token, {
            kind: "token",
            authorizer: {
                name: "tok",
                header: "Authorization",
                uri: "arn:auth",
                ttlSeconds: 0,
                validationExpression: undefined,
            },
        });
        assert.equal(any.apiKeyRequired, false);
    });

    // "Configure a method to use API keys with an OpenAPI definition" (api-key-usage-plan-oas.html):
    // a security requirement on an `apiKey` definition named x-api-key, in the header.
    it("reads an API key requirement, alone or next to an authorizer, and refuses what it cannot emulate", () => {
        const method = (path: string) => definition.resources.get(path)!.get("GET")!;
        assert.deepEqual(
            { auth: method("/api/key").auth, apiKeyRequired: method("/api/key").apiKeyRequired },
            { auth: { kind: "none" }, apiKeyRequired: true },
        );
        assert.equal(method("/api/token-and-key").auth.kind, "token");
        assert.equal(method("/api/token-and-key").apiKeyRequired, true);
        assert.equal(method("/api/token").apiKeyRequired, false);
        assert.deepEqual(method("/api/other-key-header").auth, {
            kind: "unsupported",
            what: 'the API key definition "custom_key" not on the x-api-key header',
        });
        assert.deepEqual(method("/api/either").auth, {
            kind: "unsupported",
            what: "2 alternative security requirements",
        });
    });

    it("reads the API key source, HEADER unless the body says AUTHORIZER", () => {
        assert.equal(definition.apiKeySource, "HEADER");
        const authorizerSource = JSON.stringify({
            ...JSON.parse(BODY),
            "x-amazon-apigateway-api-key-source": "AUTHORIZER",
        });
        assert.equal(parseApiDefinition(authorizerSource).apiKeySource, "AUTHORIZER");
    });

    it("merges the binary media types and keeps the gateway responses", () => {
        assert.deepEqual(definition.binaryMediaTypes, ["*/*", "image/png"]);
        assert.deepEqual(definition.gatewayResponses.MISSING_AUTHENTICATION_TOKEN, { statusCode: 404 });
    });
});

// AWS: IAM User Guide, "Policy evaluation logic" (reference_policies_evaluation-logic.html: an
// explicit Deny overrides any Allow; no Allow is an implicit deny), "IAM JSON policy elements:
// Resource" (reference_policies_elements_resource.html: `*` and `?` wildcards) and "NotResource"
// (reference_policies_elements_notresource.html); the bucket-policy case follows the CloudFront
// Developer Guide, "Restrict access to an Amazon S3 origin" (private-content-restricting-access-to-s3.html).
describe("local API Gateway: IAM policy evaluation", () => {
    const arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/GET/api/authorized/x";
    const allow = (resource: unknown, action: unknown = "execute-api:Invoke") => ({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: action, Resource: resource }],
    });
    const table: [string, unknown, string][] = [
        ["stage-wide wildcard", allow("arn:aws:execute-api:eu-west-1:123456789012:abc/dev/*/*"), "allow"],
        ["exact ARN", allow(arn), "allow"],
        ["other method", allow("arn:aws:execute-api:eu-west-1:123456789012:abc/dev/POST/*"), "implicit-deny"],
        ["other stage", allow("arn:aws:execute-api:eu-west-1:123456789012:abc/prod/*"), "implicit-deny"],
        ["? wildcard", allow("arn:aws:execute-api:eu-west-1:123456789012:ab?/dev/*"), "allow"],
        ["resource list", allow(["arn:x", arn]), "allow"],
        ["action wildcard, any case", allow(arn, "EXECUTE-API:*"), "allow"],
        ["other action", allow(arn, "execute-api:ManageConnections"), "implicit-deny"],
        [
            "explicit deny wins",
            {
                Statement: [
                    { Effect: "Allow", Action: "*", Resource: "*" },
                    { Effect: "Deny", Action: "execute-api:Invoke", Resource: arn },
                ],
            },
            "explicit-deny",
        ],
        [
            "NotResource",
            { Statement: [{ Effect: "Allow", Action: "*", NotResource: "arn:aws:execute-api:*:*:*/prod/*" }] },
            "allow",
        ],
        ["single statement object", { Statement: { Effect: "Allow", Action: "*", Resource: "*" } }, "allow"],
        ["no statements", { Statement: [] }, "implicit-deny"],
    ];
    for (const [title, document, decision] of table) {
        it(`${title}: ${decision}`, () => {
            assert.equal(evaluatePolicy(document, { action: "execute-api:Invoke", resource: arn }), decision);
        });
    }

    it("bucket policies: service principal and aws:SourceArn condition", () => {
        const policy = {
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "cloudfront.amazonaws.com" },
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::b/*",
                    Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1" } },
                },
            ],
        };
        const read = (sourceArn: string, service = "cloudfront.amazonaws.com") =>
            evaluatePolicy(policy, {
                action: "s3:GetObject",
                resource: "arn:aws:s3:::b/index.html",
                principal: { service },
                context: { "aws:SourceArn": sourceArn },
            });
        assert.equal(read("arn:aws:cloudfront::1:distribution/E1"), "allow");
        assert.equal(read("arn:aws:cloudfront::1:distribution/E2"), "implicit-deny");
        assert.equal(read("arn:aws:cloudfront::1:distribution/E1", "lambda.amazonaws.com"), "implicit-deny");
        assert.equal(
            evaluatePolicy(policy, {
                action: "s3:ListBucket",
                resource: "arn:aws:s3:::b",
                principal: { service: "cloudfront.amazonaws.com" },
            }),
            "implicit-deny",
        );
    });

    // Bool compares "true"/"false" (Condition operators, reference_policies_elements_condition_operators.html#Conditions_Boolean);
    // a key absent from the request matches no non-negated operator.
    it("bucket policies: a Deny on aws:SecureTransport false (Bool) applies to insecure requests only", () => {
        const policy = {
            Statement: [
                { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
                {
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        };
        const read = (context?: Record<string, string>) =>
            evaluatePolicy(policy, {
                action: "s3:GetObject",
                resource: "arn:aws:s3:::b/index.html",
                principal: { aws: "*" },
                context,
            });
        assert.equal(read({ "aws:SecureTransport": "false" }), "explicit-deny");
        assert.equal(read({ "aws:securetransport": "FALSE" }), "explicit-deny", "key and value are case-insensitive");
        assert.equal(read({ "aws:SecureTransport": "true" }), "allow");
        assert.equal(read(), "allow", "without the key, the Deny does not apply");
    });
});

// AWS: "Gateway response types for API Gateway" (supported-gateway-response-types.html): default
// statuses (MISSING_AUTHENTICATION_TOKEN 403, ACCESS_DENIED 403, AUTHORIZER_CONFIGURATION_ERROR 500)
// and an unspecified type falling back to DEFAULT_4XX / DEFAULT_5XX; the $context variables of
// templates ("API Gateway mapping template and access logging variable reference",
// api-gateway-mapping-template-reference.html).
describe("local API Gateway: gateway responses", () => {
    const context = { requestId: "req-1", stage: "dev" };

    it("renders $context references, quoted and raw", () => {
        assert.equal(
            renderTemplate('{"message":$context.error.messageString}', { "error.messageString": '"Hi \\"you\\""' }),
            '{"message":"Hi \\"you\\""}',
        );
        assert.equal(
            renderTemplate("${context.requestId}|$context.requestId|$!context.nope|$context.nope", context),
            "req-1|req-1||$context.nope",
        );
    });

    it("uses the definition's status and template, else DEFAULT_4XX/5XX, else API Gateway's default", () => {
        const definitions = {
            MISSING_AUTHENTICATION_TOKEN: {
                statusCode: 404,
                responseTemplates: {
                    "application/json": '{"message":$context.error.messageString,"id":"$context.requestId"}',
                },
            },
            DEFAULT_5XX: {
                statusCode: "503",
                responseParameters: {
                    "gatewayresponse.header.Retry-After": "'5'",
                    "gatewayresponse.header.X-Echo": "method.request.header.X-In",
                },
            },
        };
        const requestHeaders: HeaderList = [["X-In", "echoed"]];
        const missing = gatewayResponse(
            { type: "MISSING_AUTHENTICATION_TOKEN", message: "Missing Authentication Token" },
            definitions,
            context,
            requestHeaders,
        );
        assert.equal(missing.status, 404);
        assert.deepEqual(JSON.parse(missing.body.toString()), { message: "Missing Authentication Token", id: "req-1" });
        assert.equal(headerValue(missing.headers, "x-amzn-errortype"), "MissingAuthenticationTokenException");

        const denied = gatewayResponse(
            { type: "ACCESS_DENIED", message: "User is not authorized to access this resource" },
            definitions,
            context,
            requestHeaders,
        );
        assert.equal(denied.status, 403);
        assert.deepEqual(JSON.parse(denied.body.toString()), {
            message: "User is not authorized to access this resource",
        });

        const failure = gatewayResponse(
            { type: "AUTHORIZER_CONFIGURATION_ERROR", message: null },
            definitions,
            context,
            requestHeaders,
        );
        assert.equal(failure.status, 503);
        assert.equal(failure.body.toString(), '{"message":null}');
        assert.equal(headerValue(failure.headers, "retry-after"), "5");
        assert.equal(headerValue(failure.headers, "x-echo"), "echoed");

        const plain = gatewayResponse(
            { type: "MISSING_AUTHENTICATION_TOKEN", message: "Missing Authentication Token" },
            {},
            context,
            [],
        );
        assert.equal(plain.status, 403);
    });

    it("answers an invalid API key 403 Forbidden and throttling 429 Too Many Requests by default", () => {
        const invalid = gatewayResponse({ type: "INVALID_API_KEY", message: "Forbidden" }, {}, context, []);
        assert.equal(invalid.status, 403);
        assert.deepEqual(JSON.parse(invalid.body.toString()), { message: "Forbidden" });
        assert.equal(headerValue(invalid.headers, "x-amzn-errortype"), "ForbiddenException");
        const throttled = gatewayResponse({ type: "THROTTLED", message: "Too Many Requests" }, {}, context, []);
        assert.equal(throttled.status, 429);
        assert.deepEqual(JSON.parse(throttled.body.toString()), { message: "Too Many Requests" });
        assert.equal(headerValue(throttled.headers, "x-amzn-errortype"), "TooManyRequestsException");
        // An API's DEFAULT_4XX applies to both, as to any 4xx it does not define.
        const custom = {
            DEFAULT_4XX: {
                statusCode: 400,
                responseTemplates: { "application/json": '{"e":"$context.error.responseType"}' },
            },
        };
        assert.equal(
            gatewayResponse({ type: "THROTTLED", message: "Too Many Requests" }, custom, context, []).body.toString(),
            '{"e":"THROTTLED"}',
        );
    });
});

// AWS: IAM User Guide, "AWS Signature Version 4 for API requests" (reference_sigv.html) and
// "Troubleshoot signing errors" (reference_sigv-troubleshooting.html): a request must be signed within
// five minutes of AWS's clock; the messages are those API Gateway answers with. The exact wording of
// "Signature not yet current" and of the region-scope message was not found in the documentation:
// they come from responses observed and quoted by others, unverified here.
describe("local API Gateway: SigV4", () => {
    const now = new Date("2025-01-02T03:04:05Z");
    const secretFor = (key: string) => (key === "AKIDLOCAL" ? "secret" : undefined);
    const options = { region: "eu-west-1", secretFor, now };

    /** Signs like a client would, and returns the request as API Gateway receives it. */
    function signed(
        opts: {
            host?: string;
            path?: string;
            method?: string;
            body?: string;
            secret?: string;
            key?: string;
            region?: string;
            date?: Date;
            query?: boolean;
        } = {},
    ): SignedRequest {
        const host = opts.host ?? "abc.execute-api.eu-west-1.amazonaws.com";
        const amzDate = (opts.date ?? now).toISOString().replace(/[:-]|\.\d{3}/g, "");
        // A presigned URL carries its date in the query; a signed header request in X-Amz-Date.
        const path = `${opts.path ?? "/dev/api/iam/x?b=2&a=1"}${opts.query ? `&X-Amz-Date=${amzDate}` : ""}`;
        const request = aws4.sign(
            {
                host,
                path,
                method: opts.method ?? "GET",
                body: opts.body,
                service: "execute-api",
                region: opts.region ?? "eu-west-1",
                signQuery: opts.query,
                headers: {
                    ...(opts.query ? {} : { "X-Amz-Date": amzDate }),
                    ...(opts.body ? { "Content-Type": "application/json" } : {}),
                },
            },
            { accessKeyId: opts.key ?? "AKIDLOCAL", secretAccessKey: opts.secret ?? "secret" },
        );
        const [p, q = ""] = String(request.path).split("?");
        return {
            method: opts.method ?? "GET",
            path: p,
            query: q,
            body: Buffer.from(opts.body ?? ""),
            headers: Object.entries(request.headers as Record<string, string | number>).map(
                ([n, v]) => [n, String(v)] as [string, string],
            ),
        };
    }

    it("accepts a correct signature, header or query", () => {
        assert.deepEqual(verifySigV4(signed(), options), { ok: true, accessKeyId: "AKIDLOCAL" });
        assert.deepEqual(verifySigV4(signed({ method: "POST", body: '{"a":1}' }), options), {
            ok: true,
            accessKeyId: "AKIDLOCAL",
        });
        const presigned = signed({ query: true });
        assert.deepEqual(
            verifySigV4({ ...presigned, headers: [["Host", "abc.execute-api.eu-west-1.amazonaws.com"]] }, options),
            { ok: true, accessKeyId: "AKIDLOCAL" },
        );
    });

    // SigV4 signs the headers listed in SignedHeaders only (reference_sigv.html, "Elements of an AWS
    // API request signature"): a header added after signing, as CloudFront adds the origin's x-api-key,
    // is outside the signature.
    it("accepts a header added after signing, such as CloudFront's x-api-key", () => {
        const request = signed();
        const authorization = headerValue(request.headers, "authorization")!;
        assert.doesNotMatch(/SignedHeaders=([^,]+)/.exec(authorization)![1], /x-api-key/);
        assert.deepEqual(
            verifySigV4({ ...request, headers: [...request.headers, ["x-api-key", "origin-secret"]] }, options),
            { ok: true, accessKeyId: "AKIDLOCAL" },
        );
    });

    it("refuses what API Gateway refuses, with its messages", () => {
        const failure = (request: SignedRequest) => {
            const result = verifySigV4(request, options);
            return result.ok ? "ok" : `${result.failure}: ${result.message}`;
        };
        assert.match(failure({ ...signed(), headers: [["Host", "h"]] }), /^missing: Missing Authentication Token$/);
        assert.match(
            failure(signed({ secret: "wrong" })),
            /^invalid: The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\./,
        );
        assert.match(
            failure({ ...signed(), path: "/api/iam/x" }),
            /^invalid: The request signature we calculated does not match/,
        );
        assert.match(
            failure({
                ...signed(),
                headers: signed().headers.map(([n, v]) => [n, n === "Host" ? "other.example.com" : v]),
            }),
            /^invalid: The request signature we calculated/,
        );
        assert.match(
            failure(signed({ key: "AKIDUNKNOWN" })),
            /^unknown-key: The security token included in the request is invalid\.$/,
        );
        assert.match(
            failure(signed({ date: new Date(now.getTime() - 6 * 60 * 1000) })),
            /^invalid: Signature expired: 20250102T025805Z is now earlier than 20250102T025905Z \(20250102T030405Z - 5 min\.\)$/,
        );
        assert.match(
            failure(signed({ date: new Date(now.getTime() + 6 * 60 * 1000) })),
            /^invalid: Signature not yet current/,
        );
        assert.match(
            failure(signed({ region: "us-east-1" })),
            /^invalid: Credential should be scoped to a valid region, not 'us-east-1'/,
        );
        assert.match(
            failure({ ...signed(), headers: [["Authorization", "Bearer allow"]] }),
            /^incomplete: Authorization header requires 'Credential' parameter\./,
        );
    });
});

// AWS: "Input to an API Gateway Lambda authorizer" and "Output from an API Gateway Lambda authorizer"
// (api-gateway-lambda-authorizer-input.html, api-gateway-lambda-authorizer-output.html: context values
// are strings, numbers or booleans, no objects or arrays); "Configure an API Gateway Lambda authorizer"
// (configure-api-gateway-lambda-authorization.html: results cached per token for the TTL, 0 disables
// caching); a cached policy is applied to later requests on other methods and paths (AWS Knowledge
// Center, "api-gateway-lambda-authorization-errors").
describe("local API Gateway: TOKEN authorizer", () => {
    const definition: TokenAuthorizerDefinition = {
        name: "tok",
        header: "Authorization",
        uri: "arn:auth",
        ttlSeconds: 0,
    };
    const arn = "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/GET/api/authorized";
    const policy = (effect: string, resource = "arn:aws:execute-api:eu-west-1:123456789012:abc/dev/*/*") => ({
        principalId: "user-1",
        policyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: effect, Action: "execute-api:Invoke", Resource: resource }],
        },
        context: { n: 1, b: true, s: "x" },
    });

    function authorizers(result: (token: string) => InvocationResult) {
        const calls: unknown[] = [];
        let clock = 0;
        const subject = new TokenAuthorizers(
            async (_, event) => {
                calls.push(event);
                return result((event as { authorizationToken: string }).authorizationToken);
            },
            () => clock,
        );
        return {
            subject,
            calls,
            advance: (ms: number) => {
                clock += ms;
            },
        };
    }

    it("allows with the context as strings next to principalId, and calls with the TOKEN event", async () => {
        const { subject, calls } = authorizers(() => ({ ok: true, value: policy("Allow") }));
        const outcome = await subject.authorize(definition, [["Authorization", "allow"]], arn);
        assert.deepEqual(outcome, {
            ok: true,
            authorizer: { n: "1", b: "true", s: "x", principalId: "user-1", integrationLatency: 0 },
        });
        assert.deepEqual(calls, [{ type: "TOKEN", authorizationToken: "allow", methodArn: arn }]);
    });

    it("refuses without calling when the header is missing or fails the validation expression", async () => {
        const { subject, calls } = authorizers(() => ({ ok: true, value: policy("Allow") }));
        assert.deepEqual(await subject.authorize(definition, [], arn), {
            ok: false,
            error: { type: "UNAUTHORIZED", message: "Unauthorized" },
        });
        const validated = { ...definition, validationExpression: "Bearer [a-z]+" };
        assert.equal((await subject.authorize(validated, [["Authorization", "allow"]], arn)).ok, false);
        assert.equal((await subject.authorize(validated, [["Authorization", "Bearer allow"]], arn)).ok, true);
        assert.equal(calls.length, 1);
    });

    it("maps Unauthorized, other errors, bad output, Deny and an uncovered ARN", async () => {
        const outcomes: Record<string, InvocationResult> = {
            unauthorized: { ok: false, errorType: "Error", errorMessage: "Unauthorized" },
            crash: { ok: false, errorType: "TypeError", errorMessage: "x is undefined" },
            garbage: { ok: true, value: { principalId: "u" } },
            nested: { ok: true, value: { ...policy("Allow"), context: { deep: { a: 1 } } } },
            deny: { ok: true, value: policy("Deny") },
            elsewhere: { ok: true, value: policy("Allow", "arn:aws:execute-api:eu-west-1:123456789012:abc/prod/*") },
        };
        const { subject } = authorizers((token) => outcomes[token]);
        const error = async (token: string) => {
            const outcome = await subject.authorize(definition, [["Authorization", token]], arn);
            return outcome.ok ? undefined : outcome.error;
        };
        assert.deepEqual(await error("unauthorized"), { type: "UNAUTHORIZED", message: "Unauthorized" });
        assert.deepEqual(await error("crash"), { type: "AUTHORIZER_CONFIGURATION_ERROR", message: null });
        assert.deepEqual(await error("garbage"), { type: "AUTHORIZER_CONFIGURATION_ERROR", message: null });
        assert.deepEqual(await error("nested"), { type: "AUTHORIZER_CONFIGURATION_ERROR", message: null });
        assert.deepEqual(await error("deny"), {
            type: "ACCESS_DENIED",
            message: "User is not authorized to access this resource with an explicit deny",
        });
        assert.deepEqual(await error("elsewhere"), {
            type: "ACCESS_DENIED",
            message: "User is not authorized to access this resource",
        });
    });

    it("caches a result per token for the TTL and evaluates it against each request's ARN", async () => {
        const { subject, calls, advance } = authorizers(() => ({ ok: true, value: policy("Allow", arn) }));
        const cached = { ...definition, ttlSeconds: 60 };
        assert.equal((await subject.authorize(cached, [["Authorization", "t"]], arn)).ok, true);
        // The cached policy names one ARN: another route is denied without a new call.
        assert.deepEqual(await subject.authorize(cached, [["Authorization", "t"]], `${arn}/other`), {
            ok: false,
            error: { type: "ACCESS_DENIED", message: "User is not authorized to access this resource" },
        });
        assert.equal(calls.length, 1);
        advance(61_000);
        await subject.authorize(cached, [["Authorization", "t"]], arn);
        assert.equal(calls.length, 2);
        await subject.authorize(definition, [["Authorization", "t"]], arn);
        await subject.authorize(definition, [["Authorization", "t"]], arn);
        assert.equal(calls.length, 4, "TTL 0 calls every time");
    });
});

// AWS: "Invoke a REST API in API Gateway" (how-to-call-api.html: https://{api-id}.execute-api.{region}
// .amazonaws.com/{stage}/...) and "Use API mappings to connect API stages to a custom domain name for
// REST APIs" (rest-api-mappings.html). That a custom domain keeps the base path in the event's `path`
// is not documented by AWS; it is observed behavior reported in CodeGenieApp/serverless-express#216,
// awslabs/aws-lambda-go-api-proxy#82 and localstack/localstack#12296.
describe("local API Gateway: host routing", () => {
    const resource = (type: string, name: string, id: string, state: Record<string, unknown>): CapturedResource => ({
        type,
        name,
        urn: "",
        custom: true,
        id,
        inputs: state,
        state: { ...state, id },
    });
    const stack: CapturedStack = {
        stack: "test",
        preview: false,
        config: { "aws:region": "eu-west-1" },
        outputs: {},
        resources: [
            resource(TYPES.restApi, "api", "abc123", {}),
            resource(TYPES.stage, "dev", "s1", { restApi: "abc123", stageName: "dev" }),
            resource(TYPES.stage, "v2", "s2", { restApi: "abc123", stageName: "v2stage" }),
            resource(TYPES.domainName, "d", "api.example.com", { domainName: "api.example.com" }),
            resource(TYPES.basePathMapping, "m1", "m1", {
                domainName: "api.example.com",
                restApi: "abc123",
                stageName: "dev",
                basePath: "v1",
            }),
            resource(TYPES.basePathMapping, "m2", "m2", {
                domainName: "api.example.com",
                restApi: "abc123",
                stageName: "v2stage",
                basePath: "v1/beta",
            }),
            resource(TYPES.basePathMapping, "m3", "m3", {
                domainName: "api.example.com",
                restApi: "abc123",
                stageName: "dev",
            }),
        ],
    };
    const route = (host: string, path: string) => {
        const r = routeRequest(stack, host, path, "eu-west-1");
        return "status" in r
            ? (r as HttpResponse).status
            : {
                  stage: (r as ApiRoute).stage.state.stageName,
                  lookup: (r as ApiRoute).resourceLookupPath,
                  path: (r as ApiRoute).eventPath,
                  contextPath: (r as ApiRoute).contextPath,
              };
    };

    it("execute-api host: the first segment is the stage, stripped from path", () => {
        assert.deepEqual(route("abc123.execute-api.eu-west-1.amazonaws.com", "/dev/api/x"), {
            stage: "dev",
            lookup: "/api/x",
            path: "/api/x",
            contextPath: "/dev/api/x",
        });
        assert.deepEqual(route("ABC123.execute-api.eu-west-1.amazonaws.com:443", "/dev"), {
            stage: "dev",
            lookup: "/",
            path: "/",
            contextPath: "/dev",
        });
        assert.equal(route("abc123.execute-api.eu-west-1.amazonaws.com", "/prod/api/x"), 403);
        assert.equal(route("abc123.execute-api.eu-west-1.amazonaws.com", "/"), 403);
        assert.equal(route("zzz999.execute-api.eu-west-1.amazonaws.com", "/dev/x"), 403);
        assert.equal(route("abc123.execute-api.us-east-1.amazonaws.com", "/dev/x"), 403);
    });

    it("custom domain: the longest base path wins, else the mapping without one; path keeps the base path", () => {
        assert.deepEqual(route("api.example.com", "/v1/api/x"), {
            stage: "dev",
            lookup: "/api/x",
            path: "/v1/api/x",
            contextPath: "/v1/api/x",
        });
        assert.deepEqual(route("api.example.com", "/v1/beta/x"), {
            stage: "v2stage",
            lookup: "/x",
            path: "/v1/beta/x",
            contextPath: "/v1/beta/x",
        });
        assert.deepEqual(route("api.example.com", "/v1x/y"), {
            stage: "dev",
            lookup: "/v1x/y",
            path: "/v1x/y",
            contextPath: "/v1x/y",
        });
        assert.equal(route("d111.cloudfront.net", "/v1/api/x"), 403);
    });

    it("an API whose default endpoint is disabled: its execute-api host answers 403, its custom domain still routes", () => {
        const disabled: CapturedStack = {
            ...stack,
            resources: stack.resources.map((r) =>
                r.type === TYPES.restApi ? { ...r, state: { ...r.state, disableExecuteApiEndpoint: true } } : r,
            ),
        };
        const routeIn = (host: string, path: string) => routeRequest(disabled, host, path, "eu-west-1");
        const refused = routeIn("abc123.execute-api.eu-west-1.amazonaws.com", "/dev/api/x") as HttpResponse;
        assert.equal(refused.status, 403);
        assert.deepEqual(JSON.parse(refused.body.toString()), { message: "Forbidden" });
        assert.equal((routeIn("api.example.com", "/v1/api/x") as ApiRoute).stage.state.stageName, "dev");
    });
});

// AWS: "Usage plans and API keys for REST APIs in API Gateway" (api-gateway-api-usage-plans.html: a
// key is accepted on the stages of the usage plans holding it); "Throttle requests to your REST APIs
// for better throughput in API Gateway" (api-gateway-request-throttling.html: token buckets whose size
// is the burst, usage plan limits before the stage's default per-method limits).
describe("local API Gateway: API keys and throttling", () => {
    const resource = (type: string, name: string, state: Record<string, unknown>): CapturedResource => ({
        type,
        name,
        urn: "",
        custom: true,
        id: name,
        inputs: state,
        state: { ...state, id: name },
    });
    const graph: CapturedStack = {
        stack: "test",
        preview: false,
        config: { "aws:region": "eu-west-1" },
        outputs: {},
        resources: [
            resource(TYPES.apiKey, "k-good", { value: "good-key-value-0000000001", enabled: true }),
            resource(TYPES.apiKey, "k-off", { value: "disabled-key-value-000001", enabled: false }),
            resource(TYPES.apiKey, "k-prod", { value: "prod-only-key-value-00001" }),
            resource(TYPES.apiKey, "k-loose", { value: "key-in-no-plan-value-0001" }),
            resource(TYPES.usagePlan, "p-dev", {
                apiStages: [
                    {
                        apiId: "abc123",
                        stage: "dev",
                        throttles: [{ path: "/api/slow/GET", rateLimit: 0, burstLimit: 1 }],
                    },
                ],
                throttleSettings: { rateLimit: 1, burstLimit: 2 },
            }),
            resource(TYPES.usagePlan, "p-prod", { apiStages: [{ apiId: "abc123", stage: "prod" }] }),
            resource(TYPES.usagePlanKey, "pk1", { keyId: "k-good", keyType: "API_KEY", usagePlanId: "p-dev" }),
            resource(TYPES.usagePlanKey, "pk2", { keyId: "k-off", keyType: "API_KEY", usagePlanId: "p-dev" }),
            resource(TYPES.usagePlanKey, "pk3", { keyId: "k-prod", keyType: "API_KEY", usagePlanId: "p-prod" }),
            resource(TYPES.methodSettings, "ms-all", {
                restApi: "abc123",
                stageName: "dev",
                methodPath: "*/*",
                settings: { throttlingRateLimit: 10, throttlingBurstLimit: 3 },
            }),
            resource(TYPES.methodSettings, "ms-one", {
                restApi: "abc123",
                stageName: "dev",
                methodPath: "api/one/POST",
                settings: { throttlingRateLimit: 0, throttlingBurstLimit: 1 },
            }),
        ],
    };
    const method = (resourcePath: string, httpMethod = "GET") => ({ resourcePath, httpMethod });

    it("accepts an enabled key of a usage plan bound to the stage, nothing else", () => {
        const plans = new UsagePlans(graph, () => 0);
        assert.equal(plans.keyFor("abc123", "dev", "good-key-value-0000000001")?.key.name, "k-good");
        assert.deepEqual(
            plans.keyFor("abc123", "dev", "good-key-value-0000000001")?.plans.map((p) => p.name),
            ["p-dev"],
        );
        for (const value of [
            "disabled-key-value-000001",
            "prod-only-key-value-00001",
            "key-in-no-plan-value-0001",
            "GOOD-KEY-VALUE-0000000001",
            "",
            undefined,
        ]) {
            assert.equal(plans.keyFor("abc123", "dev", value), undefined, String(value));
        }
        assert.equal(plans.keyFor("abc123", "prod", "prod-only-key-value-00001")?.key.name, "k-prod");
        assert.equal(plans.keyFor("other", "dev", "good-key-value-0000000001"), undefined, "another API");
    });

    it("throttles each method of the stage with its own bucket of the default size, or the method's own settings", () => {
        let clock = 0;
        const plans = new UsagePlans(graph, () => clock);
        const burst = (m: ReturnType<typeof method>, n: number) =>
            Array.from({ length: n }, () => plans.admit("abc123", "dev", m)).filter(Boolean).length;
        assert.equal(burst(method("/api/{proxy+}", "ANY"), 10), 3, "the default burst");
        assert.equal(burst(method("/api/authorized", "ANY"), 10), 3, "another method, another bucket");
        assert.equal(burst(method("/api/one", "POST"), 10), 1, "the method's own settings");
        clock += 200;
        assert.equal(burst(method("/api/{proxy+}", "ANY"), 10), 2, "10 per second refill 2 tokens in 200 ms");
        clock += 60_000;
        assert.equal(burst(method("/api/{proxy+}", "ANY"), 10), 3, "never more than the burst");
        assert.equal(burst(method("/api/one", "POST"), 1), 0, "a rate of 0 never refills");
        assert.equal(
            new UsagePlans(graph, () => 0).admit("abc123", "prod", method("/x")),
            true,
            "a stage without settings",
        );
    });

    it("throttles a key by its usage plan's limits before the stage's", () => {
        let clock = 0;
        const plans = new UsagePlans(graph, () => clock);
        const key = plans.keyFor("abc123", "dev", "good-key-value-0000000001")!;
        const admitted = (m: ReturnType<typeof method>, n: number) =>
            Array.from({ length: n }, () => plans.admit("abc123", "dev", m, key)).filter(Boolean).length;
        assert.equal(admitted(method("/api/{proxy+}", "ANY"), 10), 2, "the plan's burst, below the stage's 3");
        assert.equal(
            admitted(method("/api/authorized", "ANY"), 10),
            0,
            "the plan's bucket is the key's, across methods",
        );
        clock += 1000;
        assert.equal(admitted(method("/api/{proxy+}", "ANY"), 10), 1, "1 per second");
        assert.equal(admitted(method("/api/slow", "GET"), 5), 1, "the plan's limit for one method");
    });

    it("keeps a token bucket between empty and its burst", () => {
        const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 2 }, 0);
        assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, false]);
        assert.equal(bucket.take(499), false, "0.998 tokens");
        assert.equal(bucket.take(500), true);
        assert.deepEqual([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)], [true, true, false]);
    });
});

// AWS: "Lambda proxy integrations in API Gateway" (set-up-lambda-proxy-integrations.html): the input
// format (multiValueHeaders, multiValueQueryStringParameters, requestContext.path and stage) and the
// output format (statusCode, headers, multiValueHeaders, body, isBase64Encoded; anything else is a 502
// "Malformed Lambda proxy response"); binary bodies are base64-encoded for the API's binary media types
// ("Binary media types for REST APIs in API Gateway", api-gateway-payload-encodings.html).
describe("local API Gateway: Lambda proxy event and response", () => {
    const input: ProxyEventInput = {
        method: "POST",
        query: "a=1&a=2&b=x%20y",
        headers: [
            ["Host", "h"],
            ["X-Multi", "1"],
            ["X-Multi", "2"],
            ["Content-Type", "application/json"],
        ],
        body: Buffer.from('{"k":1}'),
        resourcePath: "/api/{proxy+}",
        pathParameters: { proxy: "x" },
        path: "/api/x",
        contextPath: "/dev/api/x",
        stage: "dev",
        stageVariables: undefined,
        apiId: "abc",
        accountId: "123456789012",
        domainName: "h",
        requestId: "req",
        resourceId: "r1",
        identity: { sourceIp: "127.0.0.1" },
        binaryMediaTypes: [],
        now: new Date("2025-01-02T03:04:05Z"),
    };

    it("builds the REST v1 event", () => {
        const event = buildProxyEvent(input) as any;
        assert.equal(event.resource, "/api/{proxy+}");
        assert.equal(event.path, "/api/x");
        assert.deepEqual(event.headers["X-Multi"], "2");
        assert.deepEqual(event.multiValueHeaders["X-Multi"], ["1", "2"]);
        assert.deepEqual(event.queryStringParameters, { a: "2", b: "x y" });
        assert.deepEqual(event.multiValueQueryStringParameters, { a: ["1", "2"], b: ["x y"] });
        assert.deepEqual(event.pathParameters, { proxy: "x" });
        assert.equal(event.stageVariables, null);
        assert.equal(event.requestContext.path, "/dev/api/x");
        assert.equal(event.requestContext.stage, "dev");
        assert.equal(event.requestContext.requestTime, "02/Jan/2025:03:04:05 +0000");
        assert.equal(event.requestContext.authorizer, undefined);
        assert.equal(event.body, '{"k":1}');
        assert.equal(event.isBase64Encoded, false);
    });

    it("base64-encodes a body of a binary media type (*/* matches all)", () => {
        const event = buildProxyEvent({ ...input, binaryMediaTypes: ["*/*"] }) as any;
        assert.equal(event.body, Buffer.from('{"k":1}').toString("base64"));
        assert.equal(event.isBase64Encoded, true);
        assert.equal(
            (buildProxyEvent({ ...input, body: Buffer.alloc(0), binaryMediaTypes: ["*/*"] }) as any).body,
            null,
        );
        assert.equal(isBinaryMediaType("image/png; q=1", ["image/*"]), true);
        assert.equal(isBinaryMediaType("text/plain", ["image/*"]), false);
    });

    it("relays a valid result and refuses a malformed one", () => {
        const ok = proxyResponse(
            { statusCode: 201, headers: { a: "1" }, multiValueHeaders: { b: ["1", "2"] }, body: "hi" },
            [],
            undefined,
        )!;
        assert.equal(ok.status, 201);
        assert.deepEqual(ok.headers, [
            ["a", "1"],
            ["b", "1"],
            ["b", "2"],
            ["Content-Type", "application/json"],
        ]);
        assert.equal(ok.body.toString(), "hi");
        const binary = proxyResponse(
            { statusCode: 200, body: Buffer.from("bin").toString("base64"), isBase64Encoded: true },
            ["*/*"],
            undefined,
        )!;
        assert.equal(binary.body.toString(), "bin");
        for (const malformed of [
            null,
            "text",
            { body: "no status" },
            { statusCode: 200, body: { json: true } },
            { statusCode: 200, extra: 1 },
            { statusCode: 200, headers: { a: { b: 1 } } },
            { statusCode: 99 },
        ]) {
            assert.equal(proxyResponse(malformed, [], undefined), undefined, JSON.stringify(malformed));
        }
    });
});
