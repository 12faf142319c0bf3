/** API Gateway (REST) facts the program, the local stack and the tests share. Pure. */

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
