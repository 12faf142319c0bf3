/** API Gateway (REST) facts the program, the local stack, the policy pack and the tests share. Pure. */
import { HTTP_METHODS, type HttpMethod } from "./routes";

/**
 * The request header a method's API key is read from when the API's key source is HEADER: "HEADER
 * to read the API key from the X-API-Key header of a request" ("Choose an API key source in API
 * Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
 * CloudFront sends it to the API origin as an origin custom header when the origin is locked down.
 */
export const API_KEY_HEADER = "x-api-key";

/**
 * The method path of a stage's default method settings: every resource, every method ("Throttle
 * requests to your REST APIs", api-gateway-request-throttling.html, calls these the "default
 * per-method limits"; the `aws.apigateway.MethodSettings` docs name the path `*\/*`).
 */
export const ALL_METHODS_PATH = "*/*";

/**
 * The path item key of API Gateway's catch-all method, ANY ("x-amazon-apigateway-any-method",
 * api-gateway-swagger-extensions-any-method.html); the other methods are OpenAPI's own keys.
 */
const ANY_METHOD_KEY = "x-amazon-apigateway-any-method";

/** The path item key of a method: `GET` -> `get`, `ANY` -> API Gateway's extension. */
export function operationKey(method: HttpMethod | "ANY"): string {
    return method === "ANY" ? ANY_METHOD_KEY : method.toLowerCase();
}

/** The method a path item key stands for (`get` -> `GET`); undefined for a key that is no operation (`parameters`). */
export function operationMethod(key: string): HttpMethod | "ANY" | undefined {
    if (key === ANY_METHOD_KEY) {
        return "ANY";
    }
    return HTTP_METHODS.find((method) => method.toLowerCase() === key);
}

/** The fields of an OpenAPI security scheme that say what API Gateway makes of it. */
export interface SecurityScheme {
    readonly type?: string;
    readonly name?: string;
    readonly in?: string;
    /** `awsSigv4` (AWS_IAM), `custom` (a Lambda authorizer), ... */
    readonly "x-amazon-apigateway-authtype"?: string;
    readonly "x-amazon-apigateway-authorizer"?: unknown;
}

/**
 * Whether a security scheme is an API key requirement: `apiKey`, neither a Lambda authorizer nor
 * SigV4, which API Gateway also declares as `apiKey` schemes ("Configure a method to use API keys
 * with an OpenAPI definition", api-key-usage-plan-oas.html).
 */
export function isApiKeyScheme(scheme: SecurityScheme): boolean {
    return (
        scheme.type === "apiKey" &&
        scheme["x-amazon-apigateway-authorizer"] === undefined &&
        scheme["x-amazon-apigateway-authtype"] === undefined
    );
}

/** Whether an API key scheme names the header a HEADER key source reads ({@link API_KEY_HEADER}). */
export function isOnApiKeyHeader(scheme: SecurityScheme): boolean {
    return scheme.in === "header" && String(scheme.name).toLowerCase() === API_KEY_HEADER;
}

/** An API's key source as its body states it (`x-amazon-apigateway-api-key-source`); HEADER, API Gateway's default, when it says nothing. */
export function apiKeySourceOf(document: { readonly "x-amazon-apigateway-api-key-source"?: string }): string {
    return document["x-amazon-apigateway-api-key-source"] ?? "HEADER";
}
