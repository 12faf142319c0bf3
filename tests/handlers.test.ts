import { strict as assert } from "node:assert";
import type { APIGatewayProxyEvent, CloudFrontRequestEvent } from "aws-lambda";
import { createTokenAuthorizer, policyResource, tokenOf } from "../functions/authorizer";
import { echoBody, handler as echo } from "../functions/echo";
import { createPathRewriter } from "../functions/edge-path-rewriter";
import { stripPathPrefix } from "../core/paths";
import { siteManifest, spaRewriteEntry } from "../infra/site-distribution";
import { bundleCloudFrontFunction, bundleLambda } from "../infra/bundle";
import { preflightAnswer, viewerRequestEntry } from "../infra/cloudfront-function";
import type { ViewerRequestOptions } from "../functions/viewer-request";
import { edgeRewriterEntry } from "../infra/edge-path-rewriter";
import { tokenAuthorizerEntry } from "../infra/token-authorizer";
import { loadLambdaHandler, runViewerRequestFunction } from "./support/deployed-code";

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/GET/api/authorized/profile";

/** A REST (v1) Lambda proxy event as API Gateway sends it through an execute-api host. */
function proxyEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
    return {
        resource: "/api/{proxy+}",
        path: "/api/hello",
        httpMethod: "POST",
        headers: { "content-type": "application/json", host: "abc123defg.execute-api.eu-west-1.amazonaws.com" },
        multiValueHeaders: {},
        queryStringParameters: { from: "test" },
        multiValueQueryStringParameters: { from: ["test"] },
        pathParameters: { proxy: "hello" },
        stageVariables: null,
        body: Buffer.from('{"hello":"world"}').toString("base64"),
        isBase64Encoded: true,
        requestContext: {
            accountId: "123456789012",
            apiId: "abc123defg",
            stage: "prod",
            path: "/prod/api/hello",
            resourcePath: "/api/{proxy+}",
            httpMethod: "POST",
            requestId: "r-1",
            requestTimeEpoch: 0,
            resourceId: "res",
            protocol: "HTTP/1.1",
            authorizer: { principalId: "demo-user", user: "demo-user" },
            identity: {
                sourceIp: "203.0.113.9",
                userAgent: "mocha",
            } as APIGatewayProxyEvent["requestContext"]["identity"],
        },
        ...overrides,
    };
}

/**
 * An origin-request event in the shape of the CloudFront Developer Guide's "Lambda@Edge event
 * structure" example: headers as lower-case keys of [{ key, value }], querystring a raw string.
 */
function originRequestEvent(uri: string, querystring = ""): CloudFrontRequestEvent {
    return {
        Records: [
            {
                cf: {
                    config: {
                        distributionDomainName: "d111111abcdef8.cloudfront.net",
                        distributionId: "EDFDVBD6EXAMPLE",
                        eventType: "origin-request",
                        requestId: "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
                    },
                    request: {
                        clientIp: "203.0.113.178",
                        method: "GET",
                        uri,
                        querystring,
                        headers: {
                            "x-forwarded-for": [{ key: "X-Forwarded-For", value: "203.0.113.178" }],
                            "user-agent": [{ key: "User-Agent", value: "Amazon CloudFront" }],
                            authorization: [{ key: "Authorization", value: "allow" }],
                            host: [{ key: "Host", value: "abc123defg.execute-api.eu-west-1.amazonaws.com" }],
                        },
                        origin: {
                            custom: {
                                customHeaders: {},
                                domainName: "abc123defg.execute-api.eu-west-1.amazonaws.com",
                                keepaliveTimeout: 5,
                                path: "/prod",
                                port: 443,
                                protocol: "https",
                                readTimeout: 30,
                                sslProtocols: ["TLSv1.2"],
                            },
                        },
                    },
                },
            },
        ],
    };
}

describe("echo handler", () => {
    it("returns 200 JSON with the event's routing facts and the decoded body", async () => {
        const result = await echo(proxyEvent());
        assert.equal(result.statusCode, 200);
        assert.equal(result.headers?.["content-type"], "application/json; charset=utf-8");
        const body = JSON.parse(result.body);
        assert.equal(body.path, "/api/hello");
        assert.equal(body.resource, "/api/{proxy+}");
        assert.equal(body.httpMethod, "POST");
        assert.deepEqual(body.pathParameters, { proxy: "hello" });
        assert.equal(body.body, '{"hello":"world"}');
        assert.equal(body.requestContext.stage, "prod");
        assert.equal(body.requestContext.path, "/prod/api/hello");
        assert.deepEqual(body.requestContext.authorizer, { principalId: "demo-user", user: "demo-user" });
        assert.equal(body.requestContext.identity.sourceIp, "203.0.113.9");
    });

    it("keeps a plain-text body and reports absent parts as null", () => {
        const body = echoBody(
            proxyEvent({ body: "plain", isBase64Encoded: false, pathParameters: null, queryStringParameters: null }),
        );
        assert.equal(body.body, "plain");
        assert.equal(body.pathParameters, null);
        assert.equal(body.queryStringParameters, null);
        assert.equal(echoBody(proxyEvent({ body: null })).body, null);
    });

    it("answers 200 even for a bare event, reporting what is missing as null", async () => {
        const result = await echo({ httpMethod: "GET", path: "/x" } as APIGatewayProxyEvent);
        assert.equal(result.statusCode, 200);
        const body = JSON.parse(result.body);
        assert.deepEqual(body.headers, {});
        assert.equal(body.body, null);
        assert.equal(body.requestContext.authorizer, null);
        assert.equal(body.requestContext.identity, null);
    });

    it("works as the deployed bundle, redacting credentials there too", async () => {
        const bundled = loadLambdaHandler(bundleLambda({ entry: "echo.ts" }));
        const result = await bundled(proxyEvent({ headers: { "X-Api-Key": "origin-secret" } }));
        assert.equal(JSON.parse(result.body).path, "/api/hello");
        assert.deepEqual(JSON.parse(result.body).headers, { "X-Api-Key": "[redacted]" });
    });

    it("shows that credentials were sent, never their values: tokens, cookies, session tokens, the API key", () => {
        const body = echoBody(
            proxyEvent({
                headers: {
                    Authorization: "Bearer eyJ.secret.sig",
                    cookie: "session=s3cr3t",
                    "X-Amz-Security-Token": "FwoGZXIvYXdzEJr",
                    "x-API-key": "origin-secret",
                    "X-Amz-Date": "20250102T030405Z",
                    Host: "abc123defg.execute-api.eu-west-1.amazonaws.com",
                },
                requestContext: {
                    ...proxyEvent().requestContext,
                    identity: {
                        sourceIp: "203.0.113.9",
                        apiKey: "origin-secret",
                        apiKeyId: "k1a2b3",
                    } as APIGatewayProxyEvent["requestContext"]["identity"],
                },
            }),
        );
        assert.deepEqual(body.headers, {
            Authorization: "[redacted]",
            cookie: "[redacted]",
            "X-Amz-Security-Token": "[redacted]",
            "x-API-key": "[redacted]",
            "X-Amz-Date": "20250102T030405Z",
            Host: "abc123defg.execute-api.eu-west-1.amazonaws.com",
        });
        assert.deepEqual(body.requestContext.identity, {
            sourceIp: "203.0.113.9",
            apiKey: "[redacted]",
            apiKeyId: "k1a2b3",
        });
        assert.doesNotMatch(JSON.stringify(body), /secret|s3cr3t|FwoGZXIv/);
    });
});

describe("token authorizer", () => {
    const event = (authorizationToken: unknown, methodArn: unknown = METHOD_ARN) =>
        ({ type: "TOKEN", authorizationToken, methodArn }) as never;
    const authorize = createTokenAuthorizer({ cachesResults: false }, { provider: "demo" });
    const STAGE_WIDE = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/*/*";

    it("allows `allow` for the method ARN, with a context", async () => {
        const result = await authorize(event("allow"));
        assert.equal(result.principalId, "demo-user");
        assert.deepEqual(result.policyDocument.Statement, [
            {
                Action: "execute-api:Invoke",
                Effect: "Allow",
                Resource: METHOD_ARN,
            },
        ]);
        assert.deepEqual(result.context, { sub: "demo-user", username: "demo-user", scope: "console" });
        for (const value of Object.values(result.context ?? {})) {
            assert.ok(["string", "number", "boolean"].includes(typeof value), "context values must be scalars");
        }
    });

    it("accepts the Bearer scheme", async () => {
        assert.equal(tokenOf({ authorizationToken: "Bearer allow" }), "allow");
        assert.equal((await authorize(event("Bearer allow"))).policyDocument.Statement[0].Effect, "Allow");
    });

    it("denies `deny` explicitly (API Gateway answers 403)", async () => {
        const result = await authorize(event("deny"));
        assert.equal((result.policyDocument.Statement[0] as { Effect: string }).Effect, "Deny");
        assert.equal(result.context, undefined);
    });

    for (const token of ["unauthorized", "", "   ", "ALLOW", "allowed", "deny me"]) {
        it(`answers Unauthorized (401) for ${JSON.stringify(token)}`, async () => {
            await assert.rejects(authorize(event(token)), { message: "Unauthorized" });
        });
    }

    it("answers Unauthorized, never another error (a 500), for malformed events", async () => {
        for (const bad of [
            null,
            undefined,
            {},
            { authorizationToken: 42 },
            { authorizationToken: "allow" },
            { authorizationToken: "allow", methodArn: "not-an-arn" },
            { authorizationToken: "deny", methodArn: 7 },
        ]) {
            await assert.rejects(authorize(bad as never), { message: "Unauthorized" }, JSON.stringify(bad));
        }
    });

    it("covers the whole stage when API Gateway caches results (a cached Allow is reused on every route)", async () => {
        const cached = createTokenAuthorizer({ cachesResults: true }, { provider: "demo" });
        const resourceOf = (result: { policyDocument: { Statement: unknown[] } }) =>
            (result.policyDocument.Statement[0] as { Resource: string }).Resource;
        assert.equal(resourceOf(await cached(event("allow"))), STAGE_WIDE);
        assert.equal(resourceOf(await cached(event("deny"))), STAGE_WIDE);
        assert.equal(
            policyResource("arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/POST/iam", true),
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/*/*",
        );
        assert.equal(
            policyResource("arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/POST/iam", false),
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/POST/iam",
        );
    });

    for (const [ttl, resource] of [
        [0, METHOD_ARN],
        [300, STAGE_WIDE],
    ] as const) {
        it(`works as the deployed bundle with cache TTL ${ttl}`, async () => {
            const bundled = loadLambdaHandler(bundleLambda({ contents: tokenAuthorizerEntry(ttl) }), {
                AUTH_PROVIDER: "demo",
            });
            const allowed = await bundled(event("allow"));
            assert.equal(allowed.principalId, "demo-user");
            assert.equal(allowed.policyDocument.Statement[0].Resource, resource);
            await assert.rejects(bundled(event("nope")), { message: "Unauthorized" });
        });
    }
});

describe("edge path rewriter", () => {
    const cases: [string, string][] = [
        ["/api/hello", "/hello"],
        ["/api/iam/x/y", "/iam/x/y"],
        ["/api", "/"],
        ["/api/", "/"],
        ["/api//double", "//double"],
        ["/api/a%20b/%E2%9C%93", "/a%20b/%E2%9C%93"],
        ["/apix/hello", "/apix/hello"],
        ["/API/hello", "/API/hello"],
        ["/other", "/other"],
    ];
    for (const [uri, expected] of cases) {
        it(`strips /api from ${uri} -> ${expected}`, () => {
            assert.equal(stripPathPrefix(uri, "/api"), expected);
        });
    }

    it("strips a multi-segment prefix", () => {
        assert.equal(stripPathPrefix("/v1/api/x", "/v1/api"), "/x");
        assert.equal(stripPathPrefix("/v1/apix", "/v1/api"), "/v1/apix");
    });

    it("rewrites the CloudFront event's uri and leaves query string, headers and origin untouched", async () => {
        const event = originRequestEvent("/api/authorized/profile", "a=1&b=%2F&c");
        const before = structuredClone(event.Records[0].cf.request);
        const request = (await createPathRewriter("/api")(event)) as typeof before;
        assert.equal(request.uri, "/authorized/profile");
        assert.equal(request.querystring, "a=1&b=%2F&c");
        assert.deepEqual(request.headers, before.headers);
        assert.deepEqual(request.origin, before.origin);
        assert.equal(request.method, "GET");
    });

    it("works as the deployed bundle, with the prefix compiled in", async () => {
        const bundled = loadLambdaHandler(bundleLambda({ contents: edgeRewriterEntry("/api") }));
        const request = await bundled(originRequestEvent("/api", "x=1"));
        assert.equal(request.uri, "/");
        assert.equal(request.querystring, "x=1");
    });

    it("embeds the prefix as data, so no config value becomes code", async () => {
        const hostile = '/a");throw new Error("injected");("';
        const bundled = loadLambdaHandler(bundleLambda({ contents: edgeRewriterEntry(hostile) }));
        assert.equal((await bundled(originRequestEvent(`${hostile}/x`))).uri, "/x");
        assert.equal((await bundled(originRequestEvent("/a/x"))).uri, "/a/x");
    });
});

describe("SPA rewrite CloudFront Function", () => {
    // A build's files, written out: the function is compiled with them as the program compiles it.
    const manifest = siteManifest(
        [
            { key: "index.html", absolutePath: "/dev/null", contentType: "text/html", cacheControl: "no-cache" },
            {
                key: "assets/main-3FJ2K4QZ.js",
                absolutePath: "/dev/null",
                contentType: "text/javascript",
                cacheControl: "",
            },
        ],
        "assets",
    );
    const code = bundleCloudFrontFunction({ contents: spaRewriteEntry(manifest) });
    const run = (uri: string) => runViewerRequestFunction(code, uri);

    it("is a plain script with a top-level handler, no module syntax, under CloudFront's 10 KB limit", () => {
        assert.doesNotMatch(code, /\bexport\b|\bimport\b|\brequire\(/);
        assert.match(code, /^function handler\(event\)/m);
        assert.ok(Buffer.byteLength(code) < 10 * 1024, `${Buffer.byteLength(code)} bytes`);
    });

    for (const [uri, expected, why] of [
        ["/", "/index.html", "the root"],
        ["/orders/42", "/index.html", "a deep link"],
        ["/settings/", "/index.html", "a deep link with a trailing slash"],
        ["/users/john.doe", "/index.html", "a route whose last segment has a dot"],
        ["/assets.v2/app", "/index.html", "a route that only starts like the asset folder"],
        ["/index.html", "/index.html", "a file of the build"],
        ["/config.json", "/config.json", "the runtime config the stack uploads"],
        ["/assets/main-3FJ2K4QZ.js", "/assets/main-3FJ2K4QZ.js", "an asset of the build"],
    ] as const) {
        it(`maps ${uri} -> ${expected} (${why})`, () => {
            assert.equal(run(uri).uri, expected);
        });
    }

    it("answers a missing asset with a 404 itself, never the app", () => {
        const response = run("/assets/main-OLDHASH1.js");
        assert.equal(response.statusCode, 404);
        assert.equal(response.headers["content-type"].value, "text/plain; charset=utf-8");
        assert.match(response.body.data, /not a file of this site's build/);
        assert.equal(response.uri, undefined);
    });
});

describe("API viewer-request CloudFront Function", () => {
    const PARTNER = "https://partner.example.com";
    const cors = preflightAnswer({
        allowOrigins: [PARTNER, "http://localhost:5173"],
        allowCredentials: true,
        allowHeaders: ["authorization", "content-type"],
        exposeHeaders: [],
        maxAgeSeconds: 600,
    });
    const bundle = (options: ViewerRequestOptions) =>
        bundleCloudFrontFunction({ contents: viewerRequestEntry(options) });
    const both = bundle({ stripPrefix: "/api", cors });
    const preflight = (origin: string, uri = "/api/authorized/x") => ({
        method: "OPTIONS",
        uri,
        headers: {
            Origin: origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    });

    it("is a plain script with a top-level handler, no module syntax, under CloudFront's 10 KB limit", () => {
        assert.doesNotMatch(both, /\bexport\b|\bimport\b|\brequire\(/);
        assert.match(both, /^function handler\(event\)/m);
        assert.ok(Buffer.byteLength(both) < 10 * 1024, `${Buffer.byteLength(both)} bytes`);
    });

    it("answers an allowed origin's preflight at the edge: 204, the origin echoed, credentials, methods, headers, max-age, Vary", () => {
        const response = runViewerRequestFunction(both, preflight(PARTNER));
        assert.equal(response.statusCode, 204);
        const headers = Object.fromEntries(Object.entries<any>(response.headers).map(([n, v]) => [n, v.value]));
        assert.deepEqual(headers, {
            "access-control-allow-origin": PARTNER,
            "access-control-allow-credentials": "true",
            "access-control-allow-methods": "GET, HEAD, PUT, POST, PATCH, DELETE",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "600",
            vary: "Origin",
        });
        assert.equal(response.uri, undefined, "a preflight never goes on to the origin");
    });

    it("refuses a foreign origin's preflight with a 403 and no CORS header", () => {
        const response = runViewerRequestFunction(both, preflight("https://evil.example.net"));
        assert.equal(response.statusCode, 403);
        assert.deepEqual(
            Object.keys(response.headers).filter((name) => name.startsWith("access-control-")),
            [],
        );
    });

    it("compares origins exactly: scheme, host and port", () => {
        for (const near of [
            "http://partner.example.com",
            "https://partner.example.com:8443",
            "https://partner.example.co",
        ]) {
            assert.equal(runViewerRequestFunction(both, preflight(near)).statusCode, 403, near);
        }
        assert.equal(runViewerRequestFunction(both, preflight("http://localhost:5173")).statusCode, 204);
    });

    it("answers * to any origin when the list is *, without credentials", () => {
        const any = bundle({
            cors: preflightAnswer({
                allowOrigins: ["*"],
                allowCredentials: false,
                allowHeaders: [],
                exposeHeaders: [],
                maxAgeSeconds: 5,
            }),
        });
        const response = runViewerRequestFunction(any, preflight("https://anyone.example.org"));
        assert.equal(response.statusCode, 204);
        assert.equal(response.headers["access-control-allow-origin"].value, "*");
        assert.equal(response.headers["access-control-allow-credentials"], undefined);
    });

    it("passes an OPTIONS request that is not a preflight on, stripped", () => {
        const request = runViewerRequestFunction(both, {
            method: "OPTIONS",
            uri: "/api/x",
            headers: { Origin: PARTNER },
        });
        assert.equal(request.statusCode, undefined);
        assert.equal(request.uri, "/x");
    });

    for (const [uri, expected] of [
        ["/api/x/y", "/x/y"],
        ["/api", "/"],
        ["/api/", "/"],
        ["/apix", "/apix"],
        ["/api/a%2Fb", "/a%2Fb"],
    ] as const) {
        it(`strips the prefix: ${uri} -> ${expected}`, () => {
            assert.equal(runViewerRequestFunction(both, { method: "POST", uri }).uri, expected);
        });
    }

    it("leaves the path alone without stripPrefix, and preflights alone without cors", () => {
        assert.equal(runViewerRequestFunction(bundle({ cors }), "/api/x").uri, "/api/x");
        const stripOnly = bundle({ stripPrefix: "/api" });
        const passed = runViewerRequestFunction(stripOnly, preflight(PARTNER));
        assert.equal(passed.statusCode, undefined, "without cors a preflight goes to the origin");
        assert.equal(passed.uri, "/authorized/x");
    });
});
