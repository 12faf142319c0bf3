/**
 * CORS for partner sites on other origins, answered at the edge: which origins may call the API,
 * and what a preflight is told. Same-origin stays the default and the fast path; this is for the
 * sites that cannot be same-origin. The viewer-request CloudFront Function answers preflights
 * (functions/viewer-request.ts) and a response headers policy adds the headers to actual responses
 * (infra/site-distribution.ts); the local stack runs both. Sources: the Fetch standard's CORS
 * protocol (https://fetch.spec.whatwg.org/#http-cors-protocol) and the CloudFront Developer Guide,
 * "Understand response headers policies" (understanding-response-headers-policies.html#understanding-response-headers-policies-cors).
 */
import { ALL_METHODS } from "./cloudfront";

/** The config key `cors`, read and defaulted. */
export interface CorsConfig {
    /** Exact origins: `https://partner.example.com`, `http://localhost:5173`. */
    readonly allowOrigins: readonly string[];
    /** Whether the partner page may send cookies and read credentialed responses. */
    readonly allowCredentials: boolean;
    /** Request headers a preflight allows (lower-case). */
    readonly allowHeaders: readonly string[];
    /** Response headers the partner page may read besides the CORS-safelisted ones. */
    readonly exposeHeaders: readonly string[];
    /** How long a browser may reuse a preflight's answer. */
    readonly maxAgeSeconds: number;
}

/**
 * What the console and SigV4 send: a bearer token, a JSON body, and SigV4's own headers
 * (X-Amz-Date, X-Amz-Security-Token with temporary credentials, X-Amz-Content-Sha256 from SDKs).
 */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = [
    "authorization",
    "content-type",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/**
 * The longest a browser reuses a preflight's answer: Chromium caps Access-Control-Max-Age at two
 * hours, Firefox at a day (MDN, "Access-Control-Max-Age",
 * https://developer.mozilla.org/docs/Web/HTTP/Headers/Access-Control-Max-Age).
 */
export const CHROMIUM_MAX_AGE_CAP_SECONDS = 7200;

/**
 * Ten minutes: a change to the allowed origins reaches browsers within that time, and a partner
 * page preflights each URL at most every ten minutes (well under {@link CHROMIUM_MAX_AGE_CAP_SECONDS}).
 */
export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;

/** The methods a preflight allows: every method the API behaviors let through but the preflight's own. */
export const CORS_ALLOW_METHODS: readonly string[] = ALL_METHODS.filter((method) => method !== "OPTIONS");

/**
 * What is wrong with an allowed origin, or undefined: a serialized origin (scheme, host, optional
 * port; no path, query or credentials), https unless it is localhost (a local dev server).
 */
export function originProblem(origin: string): string | undefined {
    let url: URL;
    try {
        url = new URL(origin);
    } catch {
        return "it is not a URL such as https://partner.example.com";
    }
    // CloudFront's response headers policy reads `*` in an origin as a wildcard, but a preflight
    // is answered by comparing origins exactly (functions/viewer-request.ts): both must agree.
    if (url.hostname.includes("*")) {
        return "list each origin exactly; a wildcard such as https://*.example.com is not allowed";
    }
    if (url.origin !== origin) {
        return `it must be an origin exactly, scheme and host (and port) with nothing after: ${url.origin}`;
    }
    const localhost = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(url.protocol === "http:" && localhost)) {
        return "it must be https (plain http only for localhost, a local dev server)";
    }
    return undefined;
}

/** What is wrong with the list of allowed origins as a whole (each origin already checked), or undefined. */
export function allowOriginsProblem(origins: readonly string[]): { must: string; fix: string } | undefined {
    if (origins.length === 0) {
        return {
            must: "it lists no origin, so every partner's preflight would be refused",
            fix: "list the partner origins, or remove the key cors to stay same-origin only",
        };
    }
    if (origins.includes("*") && origins.length > 1) {
        return { must: '"*" already allows every origin', fix: 'list "*" alone, or only the exact origins' };
    }
    const repeated = origins.find((origin, i) => origins.indexOf(origin) !== i);
    if (repeated !== undefined) {
        return { must: `${JSON.stringify(repeated)} is listed twice`, fix: "list each origin once" };
    }
    return undefined;
}
