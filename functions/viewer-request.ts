/**
 * CloudFront Function (cloudfront-js-2.0, viewer request) on an API or backend behavior, one per
 * behavior, with its options compiled in (infra/cloudfront-function.ts). It does what that
 * behavior asks, in this order:
 *
 * - answers a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) at the
 *   edge when `cors` is set: 204 with the origin echoed for an allowed origin, 403 without any
 *   CORS header for any other. No preflight reaches the origin, so no authorizer ever sees one.
 * - strips the behavior's prefix (`stripPrefix`) before CloudFront prepends the origin path, so
 *   the origin's routes live at its root.
 *
 * The actual (non-preflight) responses get their CORS headers from the behavior's response
 * headers policy, which CloudFront applies to what the origin returns; errors included, as its
 * docs imply without saying so outright (docs/cors.md).
 * Sources: the Fetch standard's CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol);
 * "CloudFront Functions event structure" (functions-event-structure.html) for the request and
 * response objects; "JavaScript runtime 2.0 features" (functions-javascript-runtime-20.html): the
 * code sticks to `var` and plain functions, which every runtime version has.
 */
import { stripPathPrefix } from "../core/paths";
import { type EdgeResponse, plainTextResponse } from "./edge-response";

interface FunctionValue {
    value: string;
}

interface ViewerRequest {
    method: string;
    uri: string;
    headers: Record<string, FunctionValue | undefined>;
    [key: string]: unknown;
}

/** A preflight's answer, prepared at deploy time from the config key `cors`. */
export interface PreflightAnswer {
    /** `{ "https://partner.example.com": 1 }`, or `{ "*": 1 }`: cheap to look up in the runtime. */
    readonly allowOrigins: Readonly<Record<string, 1>>;
    readonly allowCredentials: boolean;
    /** `GET, HEAD, PUT, POST, PATCH, DELETE`. */
    readonly allowMethods: string;
    /** `authorization, content-type, ...`. */
    readonly allowHeaders: string;
    /** Seconds, as the header's text. */
    readonly maxAge: string;
}

/** What the function does on its behavior; compiled into the deployed code. */
export interface ViewerRequestOptions {
    /** The behavior's prefix to remove from the path, e.g. `/api`; none when absent. */
    readonly stripPrefix?: string;
    /** How to answer preflights; absent: preflights go to the origin like any request. */
    readonly cors?: PreflightAnswer;
}

/** A CORS preflight: an OPTIONS request naming the method it asks for, from an origin. */
function isPreflight(request: ViewerRequest): boolean {
    return (
        request.method === "OPTIONS" &&
        request.headers["origin"] !== undefined &&
        request.headers["access-control-request-method"] !== undefined
    );
}

/**
 * The preflight's answer for an origin: 204 with the CORS headers when it is allowed; 403 with
 * none otherwise (the browser then refuses the call, and the origin never sees it).
 */
function answerPreflight(origin: string, cors: PreflightAnswer): EdgeResponse {
    var wildcard = cors.allowOrigins["*"] === 1;
    if (!wildcard && cors.allowOrigins[origin] !== 1) {
        return plainTextResponse(403, "Forbidden", "CORS preflight refused: origin " + origin + " is not allowed.\n");
    }
    var headers: Record<string, FunctionValue> = {
        // A wildcard list answers `*` (never with credentials: refused at validation).
        "access-control-allow-origin": { value: wildcard ? "*" : origin },
        "access-control-allow-methods": { value: cors.allowMethods },
        "access-control-allow-headers": { value: cors.allowHeaders },
        "access-control-max-age": { value: cors.maxAge },
        // The answer depends on the Origin: a shared cache must not give one origin's answer to another.
        vary: { value: "Origin" },
    };
    if (cors.allowCredentials) {
        headers["access-control-allow-credentials"] = { value: "true" };
    }
    return { statusCode: 204, statusDescription: "No Content", headers: headers };
}

/** The request to pass on (its path without the prefix, when asked), or the preflight's answer. */
export function handleViewerRequest(
    request: ViewerRequest,
    options: ViewerRequestOptions,
): ViewerRequest | EdgeResponse {
    if (options.cors !== undefined && isPreflight(request)) {
        return answerPreflight(request.headers["origin"]!.value, options.cors);
    }
    if (options.stripPrefix !== undefined) {
        request.uri = stripPathPrefix(request.uri, options.stripPrefix);
    }
    return request;
}
