/**
 * Reading a REST API's OpenAPI body (2.0 or 3.0, as JSON) the way API Gateway imports it: which
 * operations require an API key, and where API Gateway reads the key from. Sources: "OpenAPI
 * extensions to API Gateway", x-amazon-apigateway-api-key-source
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-api-key-source.html),
 * x-amazon-apigateway-endpoint-configuration
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-endpoint-configuration.html),
 * and "Configure a method to use API keys with an OpenAPI definition": an `apiKey` security scheme
 * named `x-api-key` in the header, listed in an operation's `security`, makes the method require an
 * API key (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html).
 */
import {
    apiKeySourceOf,
    isApiKeyScheme,
    isOnApiKeyHeader,
    operationMethod,
    type SecurityScheme,
} from "../core/api-gateway";

type SecurityRequirement = Readonly<Record<string, unknown>>;

interface OpenApiDocument {
    readonly paths?: Record<string, Record<string, { readonly security?: readonly SecurityRequirement[] }>>;
    /** OpenAPI 2.0. */
    readonly securityDefinitions?: Record<string, SecurityScheme>;
    /** OpenAPI 3.0. */
    readonly components?: { readonly securitySchemes?: Record<string, SecurityScheme> };
    readonly "x-amazon-apigateway-api-key-source"?: string;
    readonly "x-amazon-apigateway-endpoint-configuration"?: { readonly disableExecuteApiEndpoint?: boolean };
}

/** An API's body read for its API keys: the operations that do not require one, and the key source. */
export interface ApiKeyRequirements {
    /** `ANY /api/{proxy+}`, `GET /items`: every operation that can be called without an API key. */
    readonly operationsWithoutKey: readonly string[];
    /** `HEADER` (the default) or `AUTHORIZER`. */
    readonly keySource: string;
    /** The body's own `x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint`. */
    readonly disablesExecuteApiEndpoint: boolean;
}

/** The names of the schemes that are API Gateway API keys on the `x-api-key` header. */
function apiKeySchemes(document: OpenApiDocument): Set<string> {
    const schemes = document.securityDefinitions ?? document.components?.securitySchemes ?? {};
    return new Set(
        Object.entries(schemes)
            .filter(([, scheme]) => isApiKeyScheme(scheme) && isOnApiKeyHeader(scheme))
            .map(([name]) => name),
    );
}

/**
 * Reads an OpenAPI body given as JSON text. An operation's `security` lists alternatives, each a set
 * of schemes that must all be satisfied; it requires a key when every alternative names a key scheme.
 * Only the operation's own `security` counts. OpenAPI would apply a document-level `security` to an
 * operation without one, but API Gateway's import does not: "For each method, create a security
 * requirement object to require an API key to invoke that method" (api-key-usage-plan-oas.html), and
 * "API Gateway doesn't support the API level security field" (amazon-archives/aws-apigateway-importer#204).
 * Not verified against a live import: a document-level requirement is read as no requirement, the
 * safe reading either way. Throws when the text is not JSON.
 */
export function apiKeyRequirements(body: string): ApiKeyRequirements {
    const document = JSON.parse(body) as OpenApiDocument;
    const keySchemes = apiKeySchemes(document);
    const requiresKey = (security: readonly SecurityRequirement[] | undefined) =>
        security !== undefined &&
        security.length > 0 &&
        security.every((requirement) => Object.keys(requirement).some((scheme) => keySchemes.has(scheme)));
    const operationsWithoutKey = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
        Object.entries(item)
            .filter(([key, operation]) => operationMethod(key) !== undefined && !requiresKey(operation.security))
            .map(([key]) => `${operationMethod(key)} ${path}`),
    );
    return {
        operationsWithoutKey,
        keySource: apiKeySourceOf(document),
        disablesExecuteApiEndpoint:
            document["x-amazon-apigateway-endpoint-configuration"]?.disableExecuteApiEndpoint === true,
    };
}
