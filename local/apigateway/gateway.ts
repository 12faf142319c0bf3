/**
 * API Gateway (REST) for every REST API of the graph: route by Host and path to a stage, match the
 * resource and method, authorize (IAM or TOKEN authorizer), check the API key, throttle, then call
 * the Lambda proxy integration. Every refusal goes through the API's gateway responses. Sources are
 * cited in the modules this one composes.
 */
import { randomBytes } from "node:crypto";
import { type CapturedResource, type CapturedStack } from "../../capture/capture";
import { resourcesOfType, lambdaByInvocationUri, stackAccount, stackRegion } from "../../capture/lookups";
import {
    headerBlockBytes,
    HeaderList,
    headerValue,
    HttpRequest,
    HttpResponse,
    jsonResponse,
    requestId,
    withoutHeaders,
} from "../http";
import type { LambdaRuntime } from "../lambda-runtime";
import type { RequestTrace } from "../trace";
import { TYPES } from "../../capture/types";
import { API_KEY_HEADER } from "../../core/api-gateway";
import { GatewayError, gatewayResponse, GatewayResponseDefinition } from "./gateway-responses";
import { ApiDefinition, ApiKeySource, MethodDefinition, parseApiDefinition } from "./openapi";
import { buildProxyEvent, proxyResponse } from "./proxy-integration";
import { matchResource } from "./resources";
import { ApiRoute, routeRequest, servesHost } from "./routing";
import { SigV4Failure, verifySigV4 } from "./sigv4";
import { TokenAuthorizers } from "./token-authorizer";
import { PresentedKey, UsagePlans } from "./usage-plans";

/**
 * The one IAM identity the local API Gateway knows. Its signature is checked; its permissions are
 * not (every signed request by it may invoke every IAM method).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIALOCALSTACK000000", secretAccessKey: "local-secret-key" } as const;

/** How a request reached API Gateway: the Host it routes by and the connection it came in on. */
export interface GatewayConnection {
    /** The host whose API Gateway this is: the Host header, or the emulated host of the direct listener. */
    readonly routingHost: string;
    readonly protocol: "http" | "https";
    readonly port: number;
}

interface ApiEntry {
    readonly definition: ApiDefinition;
    readonly gatewayResponses: Readonly<Record<string, GatewayResponseDefinition>>;
    /** The RestApi's own `apiKeySource`, which overrides the body's. */
    readonly apiKeySource: ApiKeySource;
}

/**
 * Which gateway response an IAM failure uses. Unsigned requests are MISSING_AUTHENTICATION_TOKEN
 * (documented); the other SigV4 failures are INVALID_SIGNATURE, each with the exception name AWS
 * returns in `x-amzn-ErrorType` (an unknown key's exception, UnrecognizedClientException, has no
 * response type of its own: INVALID_SIGNATURE is this emulator's assumption).
 */
const SIGV4_ERRORS: Readonly<Record<SigV4Failure, Pick<GatewayError, "type" | "errorType">>> = {
    missing: { type: "MISSING_AUTHENTICATION_TOKEN" },
    incomplete: { type: "INVALID_SIGNATURE", errorType: "IncompleteSignatureException" },
    "unknown-key": { type: "INVALID_SIGNATURE", errorType: "UnrecognizedClientException" },
    invalid: { type: "INVALID_SIGNATURE", errorType: "InvalidSignatureException" },
};

/**
 * REST API quota "Total combined size of all header values, including header names, values, any
 * line terminators, and whitespaces": 10240 bytes ("Quotas for configuring and running a REST API in
 * API Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 */
export const MAX_HEADER_BYTES = 10_240;

/**
 * API Gateway's answer to a request over {@link MAX_HEADER_BYTES}, given before any API is involved.
 * Not documented: the text is what API Gateway users report seeing
 * (https://ntsblog.homedev.com.au/index.php/2021/03/09/aws-api-gateway-http-header-is-larger-than-10240-bytes/);
 * the 413 status is an assumption, from a service with the same 10240-byte limit that answers 413
 * with this text (https://github.com/SalesforceCommerceCloud/pwa-kit/issues/2160).
 */
export function headersTooLarge(): HttpResponse {
    return {
        status: 413,
        headers: [["Content-Type", "text/plain"]],
        body: Buffer.from(`HTTP header is larger than ${MAX_HEADER_BYTES} bytes.`),
    };
}

const NULL_IDENTITY = {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    user: null,
};

export class ApiGateway {
    private readonly region: string;
    private readonly account: string;
    private readonly apis = new Map<string, ApiEntry>();
    private readonly authorizers: TokenAuthorizers;
    private readonly usagePlans: UsagePlans;

    constructor(
        private readonly stack: CapturedStack,
        private readonly lambdas: LambdaRuntime,
        private readonly log: (line: string) => void,
        warn: (message: string) => void,
        private readonly now: () => Date = () => new Date(),
    ) {
        this.region = stackRegion(stack);
        this.account = stackAccount(stack);
        for (const api of resourcesOfType(stack, TYPES.restApi)) {
            if (typeof api.state.body !== "string") {
                warn(`REST API ${api.name} has no OpenAPI body: the local stack only emulates APIs defined by one`);
                continue;
            }
            const definition = parseApiDefinition(api.state.body, api.state.binaryMediaTypes ?? []);
            const apiKeySource: ApiKeySource =
                api.state.apiKeySource === "AUTHORIZER" || api.state.apiKeySource === "HEADER"
                    ? api.state.apiKeySource
                    : definition.apiKeySource;
            this.apis.set(api.id, { definition, gatewayResponses: this.responsesOf(api, definition), apiKeySource });
            this.checkMethods(api, definition, apiKeySource, warn);
        }
        this.usagePlans = new UsagePlans(stack, () => this.now().getTime());
        this.authorizers = new TokenAuthorizers(
            async (definition, event) => {
                const fn = lambdaByInvocationUri(stack, definition.uri);
                return fn
                    ? this.lambdas.invoke(fn, event)
                    : {
                          ok: false,
                          errorType: "ResourceNotFoundException",
                          errorMessage: `No function for ${definition.uri}`,
                      };
            },
            () => this.now().getTime(),
        );
    }

    /** Whether a host is one this API Gateway answers for. */
    serves(host: string): boolean {
        return servesHost(this.stack, host, this.region);
    }

    /** Whether a request for this host and path reaches a stage (rather than a 403 Forbidden). */
    routes(host: string, path: string): boolean {
        return !("status" in routeRequest(this.stack, host, path, this.region));
    }

    /** Answers a request that reached API Gateway, noting in `trace` who answered. */
    async handle(request: HttpRequest, connection: GatewayConnection, trace: RequestTrace = {}): Promise<HttpResponse> {
        trace.answeredBy = "API Gateway";
        if (headerBlockBytes(request.headers) > MAX_HEADER_BYTES) {
            return headersTooLarge();
        }
        const id = requestId();
        return withRequestIds(await this.process(request, connection, id, trace), id);
    }

    private async process(
        request: HttpRequest,
        connection: GatewayConnection,
        id: string,
        trace: RequestTrace,
    ): Promise<HttpResponse> {
        const route = routeRequest(this.stack, connection.routingHost, request.path, this.region);
        if ("status" in route) {
            return route;
        }
        const api = this.apis.get(route.restApi.id);
        if (!api) {
            return jsonResponse(500, { message: "Internal server error" });
        }
        const context: Record<string, string> = {
            requestId: id,
            apiId: route.restApi.id,
            stage: String(route.stage.state.stageName),
            httpMethod: request.method,
            path: route.contextPath,
            "identity.sourceIp": request.clientIp,
        };
        const refuse = (error: GatewayError) => gatewayResponse(error, api.gatewayResponses, context, request.headers);

        const match = matchResource(api.definition.resources.keys(), route.resourceLookupPath);
        const methods = match && api.definition.resources.get(match.resourcePath);
        const method = methods && (methods.get(request.method) ?? methods.get("ANY"));
        if (!match || !method) {
            return refuse({ type: "MISSING_AUTHENTICATION_TOKEN", message: "Missing Authentication Token" });
        }
        context.resourcePath = match.resourcePath;

        let identity: Record<string, string | null> = {
            ...NULL_IDENTITY,
            sourceIp: request.clientIp,
            userAgent: headerValue(request.headers, "user-agent") ?? null,
        };
        let authorizer: Readonly<Record<string, string | number>> | undefined;
        let integrationHeaders: HeaderList = request.headers;
        switch (method.auth.kind) {
            case "iam": {
                const verified = verifySigV4(request, {
                    region: this.region,
                    now: this.now(),
                    secretFor: (key) =>
                        key === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : undefined,
                });
                if (!verified.ok) {
                    return refuse({ ...SIGV4_ERRORS[verified.failure], message: verified.message });
                }
                identity = { ...identity, ...this.iamIdentity(verified.accessKeyId) };
                // The SigV4 Authorization header does not reach the integration.
                integrationHeaders = withoutHeaders(request.headers, ["authorization"]);
                break;
            }
            case "token": {
                const methodArn = `arn:aws:execute-api:${this.region}:${this.account}:${route.restApi.id}/${context.stage}/${request.method}${route.resourceLookupPath}`;
                const outcome = await this.authorizers.authorize(method.auth.authorizer, request.headers, methodArn);
                if (!outcome.ok) {
                    trace.answeredBy = `TOKEN authorizer ${method.auth.authorizer.name}`;
                    return refuse(outcome.error);
                }
                authorizer = outcome.authorizer;
                break;
            }
            case "unsupported":
                this.log(
                    `API Gateway: ${method.httpMethod} ${method.resourcePath} uses ${method.auth.what}, which the local stack does not emulate`,
                );
                return refuse({ type: "DEFAULT_5XX", message: "Internal server error" });
            default:
                break;
        }
        // The API key after the authorizer: with the AUTHORIZER key source the key comes from the
        // authorizer's answer, so it must run first. For the HEADER source no AWS page gives the
        // order; LocalStack's handler chain (next_gen/execute_api/gateway.py) also validates the key
        // after `preprocess_request`, where its authorizers run. Not verified against AWS.
        let presented: PresentedKey | undefined;
        if (method.apiKeyRequired) {
            if (api.apiKeySource !== "HEADER") {
                this.log(`API Gateway: the ${api.apiKeySource} API key source is not emulated`);
                return refuse({ type: "DEFAULT_5XX", message: "Internal server error" });
            }
            presented = this.usagePlans.keyFor(
                route.restApi.id,
                context.stage,
                headerValue(request.headers, API_KEY_HEADER),
            );
            if (!presented) {
                return refuse({ type: "INVALID_API_KEY", message: "Forbidden" });
            }
            // $context.identity.apiKey and apiKeyId ("API Gateway mapping template and access logging
            // variable reference", api-gateway-mapping-template-reference.html).
            identity = { ...identity, apiKey: String(presented.key.state.value), apiKeyId: presented.key.id };
        }
        if (!this.usagePlans.admit(route.restApi.id, context.stage, method, presented)) {
            return refuse({ type: "THROTTLED", message: "Too Many Requests" });
        }
        return this.integrate(
            request,
            connection,
            route,
            match,
            method,
            integrationHeaders,
            identity,
            authorizer,
            id,
            refuse,
            trace,
        );
    }

    /** Calls the method's Lambda proxy integration and relays its answer. */
    private async integrate(
        request: HttpRequest,
        connection: GatewayConnection,
        route: ApiRoute,
        match: { resourcePath: string; pathParameters: Readonly<Record<string, string>> },
        method: MethodDefinition,
        headers: HeaderList,
        identity: Record<string, string | null>,
        authorizer: Readonly<Record<string, string | number>> | undefined,
        id: string,
        refuse: (error: GatewayError) => HttpResponse,
        trace: RequestTrace,
    ): Promise<HttpResponse> {
        const fn =
            method.integration?.type === "aws_proxy" && method.integration.uri
                ? lambdaByInvocationUri(this.stack, method.integration.uri)
                : undefined;
        if (!fn) {
            this.log(
                `API Gateway: ${method.httpMethod} ${method.resourcePath} has no Lambda proxy integration the local stack can run`,
            );
            return refuse({ type: "DEFAULT_5XX", message: "Internal server error" });
        }
        const forwardedFor = headerValue(headers, "x-forwarded-for");
        const event = buildProxyEvent({
            method: request.method,
            query: request.query,
            // API Gateway adds these on the way to the integration.
            headers: [
                ...withoutHeaders(headers, [
                    "x-forwarded-for",
                    "x-forwarded-port",
                    "x-forwarded-proto",
                    "x-amzn-trace-id",
                    "connection",
                    "content-length",
                ]),
                [
                    "X-Amzn-Trace-Id",
                    `Root=1-${Math.floor(this.now().getTime() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`,
                ],
                ["X-Forwarded-For", forwardedFor ? `${forwardedFor}, ${request.clientIp}` : request.clientIp],
                ["X-Forwarded-Port", String(connection.port)],
                ["X-Forwarded-Proto", connection.protocol],
            ],
            body: request.body,
            resourcePath: match.resourcePath,
            pathParameters: match.pathParameters,
            path: route.eventPath,
            contextPath: route.contextPath,
            stage: String(route.stage.state.stageName),
            stageVariables: route.stage.state.variables,
            apiId: route.restApi.id,
            accountId: this.account,
            domainName: connection.routingHost.replace(/:\d+$/, ""),
            requestId: id,
            resourceId: resourceIdOf(route.restApi.id, match.resourcePath),
            identity,
            authorizer,
            binaryMediaTypes: this.apis.get(route.restApi.id)!.definition.binaryMediaTypes,
            now: this.now(),
        });
        const result = await this.lambdas.invoke(fn, event);
        if (!result.ok) {
            this.log(`Lambda ${fn.name} failed: ${result.errorType}: ${result.errorMessage}`);
            trace.answeredBy = `API Gateway, after Lambda ${fn.name} failed`;
            return refuse({ type: "DEFAULT_5XX", message: "Internal server error", status: 502 });
        }
        const response = proxyResponse(
            result.value,
            this.apis.get(route.restApi.id)!.definition.binaryMediaTypes,
            headerValue(request.headers, "accept"),
        );
        if (!response) {
            this.log(
                `Lambda ${fn.name} returned a malformed proxy response: ${JSON.stringify(result.value)?.slice(0, 500)}`,
            );
            trace.answeredBy = `API Gateway, after a malformed answer from Lambda ${fn.name}`;
            return refuse({ type: "DEFAULT_5XX", message: "Internal server error", status: 502 });
        }
        trace.answeredBy = `Lambda ${fn.name}`;
        return response;
    }

    /** The identity fields of a request signed with the local credentials. */
    private iamIdentity(accessKeyId: string): Record<string, string> {
        const user = "AIDALOCALSTACKUSER000";
        return {
            accessKey: accessKeyId,
            accountId: this.account,
            caller: user,
            user,
            userArn: `arn:aws:iam::${this.account}:user/local`,
        };
    }

    /** Gateway responses: the body's extension, overridden by `aws.apigateway.Response` resources of the API. */
    private responsesOf(api: CapturedResource, definition: ApiDefinition): Record<string, GatewayResponseDefinition> {
        const responses: Record<string, GatewayResponseDefinition> = { ...definition.gatewayResponses };
        for (const r of resourcesOfType(this.stack, TYPES.gatewayResponse).filter(
            (g) => g.state.restApiId === api.id,
        )) {
            responses[String(r.state.responseType)] = r.state as GatewayResponseDefinition;
        }
        return responses;
    }

    /** Warns about methods whose authorization or integration the emulator cannot run. */
    private checkMethods(
        api: CapturedResource,
        definition: ApiDefinition,
        apiKeySource: ApiKeySource,
        warn: (message: string) => void,
    ): void {
        for (const methods of definition.resources.values()) {
            for (const method of methods.values()) {
                if (method.apiKeyRequired && apiKeySource !== "HEADER") {
                    warn(
                        `${api.name} ${method.httpMethod} ${method.resourcePath}: the ${apiKeySource} API key source is not emulated (requests answer 500)`,
                    );
                }
                if (method.auth.kind === "unsupported") {
                    warn(
                        `${api.name} ${method.httpMethod} ${method.resourcePath}: ${method.auth.what} is not emulated (requests answer 500)`,
                    );
                }
                if (
                    method.integration?.type !== "aws_proxy" ||
                    !lambdaByInvocationUri(this.stack, method.integration.uri ?? "")
                ) {
                    warn(
                        `${api.name} ${method.httpMethod} ${method.resourcePath}: only Lambda proxy integrations to a function of the program are emulated (requests answer 500)`,
                    );
                }
                if (method.auth.kind === "token" && !lambdaByInvocationUri(this.stack, method.auth.authorizer.uri)) {
                    warn(
                        `${api.name} authorizer ${method.auth.authorizer.name}: ${method.auth.authorizer.uri} is not a function of the program (requests answer 500)`,
                    );
                }
            }
        }
    }
}

/** A stable 6-character resource id, like API Gateway's. */
function resourceIdOf(apiId: string, resourcePath: string): string {
    let hash = 0;
    for (const c of `${apiId}${resourcePath}`) {
        hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
    }
    return hash.toString(36).padStart(6, "0").slice(-6);
}

/** The request id headers API Gateway puts on every response. */
function withRequestIds(response: HttpResponse, id: string): HttpResponse {
    return {
        ...response,
        headers: [
            ...response.headers,
            ["x-amzn-RequestId", id],
            ["x-amz-apigw-id", randomBytes(6).toString("base64url")],
        ],
    };
}
