/**
 * The CORS part of a response headers policy, as CloudFront applies it to a response it serves
 * from the origin or its cache: for a CORS request (one with an `Origin` header) whose origin the
 * policy allows, the policy's Access-Control-* headers; for any other request, none.
 *
 * Sources: ResponseHeadersPolicyCorsConfig (cloudfront/latest/APIReference): "CloudFront adds
 * these headers to HTTP responses that it sends for CORS requests that match a cache behavior";
 * AccessControlAllowOrigins is the list of origins "CloudFront can use as the value for the
 * Access-Control-Allow-Origin HTTP response header", `*` alone or a leftmost `*.` label;
 * "Understand response headers policies" (understanding-response-headers-policies.html#understanding-response-headers-policies-cors):
 * Allow-Methods, Allow-Headers and Max-Age go in responses to preflight requests, Allow-Origin,
 * Allow-Credentials and Expose-Headers in responses to CORS requests; originOverride decides
 * whether the policy's value replaces the origin's. Not stated by AWS, and emulated as the most
 * literal reading: the allowed origin is echoed (or `*` for a `*` list), no status is excepted,
 * and no `Vary` header is added.
 */
import type { CorsSettings, ResponseHeaderSetting } from "../../core/cloudfront-policies";
import { headerValue, type HeaderList } from "../http";

/** Whether an allowed-origins entry matches an origin: exactly, `*`, or a leftmost `*.` label. */
export function originMatches(allowed: string, origin: string): boolean {
    if (allowed === "*" || allowed === origin) {
        return true;
    }
    const wildcard = /^(https?:\/\/)?\*\.(.+)$/.exec(allowed);
    if (wildcard === null) {
        return false;
    }
    const [, scheme, parent] = wildcard;
    const host = origin.replace(/^https?:\/\//, "");
    return (scheme === undefined || origin.startsWith(scheme)) && host.endsWith(`.${parent}`);
}

/** The headers a policy's CORS settings set on the response to a request (none for a non-CORS or foreign request). */
export function corsHeaderSettings(
    cors: CorsSettings,
    request: { readonly method: string; readonly headers: HeaderList },
): ResponseHeaderSetting[] {
    const origin = headerValue(request.headers, "origin");
    if (origin === undefined || !cors.allowOrigins.some((allowed) => originMatches(allowed, origin))) {
        return [];
    }
    const set = (name: string, value: string): ResponseHeaderSetting => ({
        name,
        value,
        override: cors.originOverride,
    });
    const settings = [set("Access-Control-Allow-Origin", cors.allowOrigins.includes("*") ? "*" : origin)];
    if (cors.allowCredentials) {
        settings.push(set("Access-Control-Allow-Credentials", "true"));
    }
    if (cors.exposeHeaders.length > 0) {
        settings.push(set("Access-Control-Expose-Headers", cors.exposeHeaders.join(", ")));
    }
    const preflight =
        request.method === "OPTIONS" && headerValue(request.headers, "access-control-request-method") !== undefined;
    if (preflight) {
        settings.push(set("Access-Control-Allow-Methods", cors.allowMethods.join(", ")));
        settings.push(set("Access-Control-Allow-Headers", cors.allowHeaders.join(", ")));
        if (cors.maxAgeSeconds !== undefined) {
            settings.push(set("Access-Control-Max-Age", String(cors.maxAgeSeconds)));
        }
    }
    return settings;
}
