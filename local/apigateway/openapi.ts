/**
 * Reads a REST API's definition from its OpenAPI `body`, as API Gateway imports it: resources and
 * methods, each method's authorization and integration, the gateway responses and the binary
 * media types. Source: "OpenAPI extensions to API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html).
 */
import {
    API_KEY_HEADER,
    apiKeySourceOf,
    isApiKeyScheme,
    isOnApiKeyHeader,
    operationMethod,
} from "../../core/api-gateway";
import type { GatewayResponseDefinition } from "./gateway-responses";

/** A TOKEN Lambda authorizer (`x-amazon-apigateway-authorizer` of type `token`). */
export interface TokenAuthorizerDefinition {
    readonly name: string;
    /** The request header carrying the token. */
    readonly header: string;
    /** The authorizer's Lambda invocation URI. */
    readonly uri: string;
    /** Result cache TTL; API Gateway's default is 300 when the definition sets none. */
    readonly ttlSeconds: number;
    /** The token must match this (whole) before the authorizer is called. */
    readonly validationExpression?: string;
}

export type MethodAuth =
    | { readonly kind: "none" }
    | { readonly kind: "iam" }
    | { readonly kind: "token"; readonly authorizer: TokenAuthorizerDefinition }
    | { readonly kind: "unsupported"; readonly what: string };

export interface MethodDefinition {
    /** The resource template, e.g. `/api/{proxy+}`. */
    readonly resourcePath: string;
    /** `GET`, ... or `ANY`. */
    readonly httpMethod: string;
    readonly auth: MethodAuth;
    /** The method requires an API key (a security requirement on an `x-api-key` header definition). */
    readonly apiKeyRequired: boolean;
    readonly integration?: { readonly type: string; readonly uri?: string };
}

/** Where API Gateway reads a method's API key: the `x-api-key` header, or a Lambda authorizer's `usageIdentifierKey`. */
export type ApiKeySource = "HEADER" | "AUTHORIZER";

export interface ApiDefinition {
    /** Every resource, implicit parents included, to its methods by HTTP method (`ANY` for any). */
    readonly resources: ReadonlyMap<string, ReadonlyMap<string, MethodDefinition>>;
    readonly gatewayResponses: Readonly<Record<string, GatewayResponseDefinition>>;
    readonly binaryMediaTypes: readonly string[];
    /** `x-amazon-apigateway-api-key-source`; HEADER when the body says nothing. */
    readonly apiKeySource: ApiKeySource;
}

/** `method.request.header.Authorization` -> `Authorization`. */
function headerOfIdentitySource(source: string | undefined): string | undefined {
    return /^method\.request\.header\.([^,\s]+)$/.exec((source ?? "").trim())?.[1];
}

/** The authorization a security scheme other than an API key asks for. */
function schemeAuth(name: string, definition: any): MethodAuth {
    if (definition["x-amazon-apigateway-authtype"] === "awsSigv4") {
        return { kind: "iam" };
    }
    const authorizer = definition["x-amazon-apigateway-authorizer"];
    if (!authorizer) {
        return { kind: "unsupported", what: `the security definition "${name}"` };
    }
    if (String(authorizer.type).toLowerCase() !== "token") {
        return { kind: "unsupported", what: `the ${authorizer.type} authorizer "${name}"` };
    }
    // For TOKEN authorizers the header is the security definition's `name` (`in: header`);
    // identitySource, when set, says the same in mapping-expression form.
    const header =
        headerOfIdentitySource(authorizer.identitySource) ?? (definition.in === "header" ? definition.name : undefined);
    if (!header) {
        return { kind: "unsupported", what: `the token authorizer "${name}" without a header identity source` };
    }
    return {
        kind: "token",
        authorizer: {
            name,
            header,
            uri: String(authorizer.authorizerUri),
            ttlSeconds: authorizer.authorizerResultTtlInSeconds ?? 300,
            validationExpression: authorizer.identityValidationExpression || undefined,
        },
    };
}

/**
 * A method's authorization and whether it needs an API key. The schemes of one security requirement
 * all apply (a TOKEN authorizer and an API key, say); API Gateway takes one requirement per method.
 */
function securityOf(operation: any, document: any): { auth: MethodAuth; apiKeyRequired: boolean } {
    const iam = operation["x-amazon-apigateway-auth"];
    let auth: MethodAuth = iam && String(iam.type).toUpperCase() === "AWS_IAM" ? { kind: "iam" } : { kind: "none" };
    let apiKeyRequired = false;
    const [requirement, ...others]: Record<string, unknown>[] = operation.security ?? document.security ?? [];
    if (others.length > 0) {
        return {
            auth: { kind: "unsupported", what: `${others.length + 1} alternative security requirements` },
            apiKeyRequired,
        };
    }
    for (const name of Object.keys(requirement ?? {})) {
        const definition = document.securityDefinitions?.[name] ?? document.components?.securitySchemes?.[name];
        if (!definition) {
            auth = { kind: "unsupported", what: `a security requirement "${name}" with no security definition` };
        } else if (isApiKeyScheme(definition)) {
            if (!isOnApiKeyHeader(definition)) {
                auth = {
                    kind: "unsupported",
                    what: `the API key definition "${name}" not on the ${API_KEY_HEADER} header`,
                };
            }
            apiKeyRequired = true;
        } else if (auth.kind !== "unsupported") {
            auth = schemeAuth(name, definition);
        }
    }
    return { auth, apiKeyRequired };
}

/** `/a/b/c` -> `/`, `/a`, `/a/b`, `/a/b/c`. */
function withAncestors(template: string): string[] {
    const segments = template.split("/").filter((s) => s !== "");
    return ["/", ...segments.map((_, i) => `/${segments.slice(0, i + 1).join("/")}`)];
}

/** Parses an API's OpenAPI body; `restApiBinaryMediaTypes` are the RestApi resource's own. */
export function parseApiDefinition(body: string, restApiBinaryMediaTypes: readonly string[] = []): ApiDefinition {
    const document = JSON.parse(body);
    const resources = new Map<string, Map<string, MethodDefinition>>([["/", new Map()]]);
    for (const [template, item] of Object.entries<any>(document.paths ?? {})) {
        for (const path of withAncestors(template)) {
            if (!resources.has(path)) {
                resources.set(path, new Map());
            }
        }
        const methods = resources.get(template === "" ? "/" : template)!;
        for (const [key, operation] of Object.entries<any>(item ?? {})) {
            const httpMethod = operationMethod(key);
            if (httpMethod === undefined) {
                continue;
            }
            const integration = operation["x-amazon-apigateway-integration"];
            methods.set(httpMethod, {
                resourcePath: template,
                httpMethod,
                ...securityOf(operation, document),
                integration: integration
                    ? { type: String(integration.type).toLowerCase(), uri: integration.uri }
                    : undefined,
            });
        }
    }
    return {
        resources,
        gatewayResponses: document["x-amazon-apigateway-gateway-responses"] ?? {},
        binaryMediaTypes: [
            ...new Set([...restApiBinaryMediaTypes, ...(document["x-amazon-apigateway-binary-media-types"] ?? [])]),
        ],
        apiKeySource: apiKeySourceOf(document).toUpperCase() === "AUTHORIZER" ? "AUTHORIZER" : "HEADER",
    };
}
