/**
 * SigV4 signing of same-origin API calls with aws4. The browser sends `/api/...` to CloudFront,
 * which forwards it to API Gateway with API Gateway's own Host and the origin path in front; API
 * Gateway verifies the signature against what IT receives. So the signature covers
 * `signing.host` and `signingPathFor(config, viewerPath)`, while the request goes to the viewer path.
 */
import aws4 from "aws4";
import { signingPathFor } from "../../core/paths";
import type { ConsoleConfig } from "./config";

/** IAM credentials to sign with. */
export interface Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

/** The headers to send with the same-origin request; `Host` is not among them (see {@link signRequest}). */
export interface SignedHeaders {
    readonly [name: string]: string;
}

/** SigV4's basic ISO 8601 timestamp, `YYYYMMDD'T'HHMMSS'Z'`. */
export function amzDate(date: Date): string {
    return date.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/**
 * The request aws4 signs: API Gateway's host and path, and no header but `X-Amz-Date`. aws4 signs
 * every header it is given, so it must get none the browser would add or change; an explicit
 * `X-Amz-Date` rather than `Date` because a page may not set `Date`.
 */
export function apiGatewayRequest(config: ConsoleConfig, method: string, viewerPath: string, date: Date): aws4.Request {
    return {
        method,
        host: config.signing.host,
        path: signingPathFor(config, viewerPath),
        region: config.signing.region,
        service: config.signing.service,
        headers: { "X-Amz-Date": amzDate(date) },
    };
}

/**
 * Header names a page cannot set with fetch (the Fetch standard's forbidden request headers); the
 * browser silently drops them or sends its own value, so a signature over them would not verify.
 */
const FORBIDDEN_HEADERS = new Set([
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
]);

function isForbiddenHeader(name: string): boolean {
    const lower = name.toLowerCase();
    return FORBIDDEN_HEADERS.has(lower) || lower.startsWith("proxy-") || lower.startsWith("sec-");
}

/**
 * Signs a body-less request for the same-origin `viewerPath` and returns the headers to send with
 * it. `Host` is signed but not sent: CloudFront replaces the page's host with the API origin's,
 * which is `signing.host`. Any other signed header a browser cannot send is an error, since the
 * request would then arrive with a header set that differs from the signed one.
 */
export function signRequest(
    config: ConsoleConfig,
    method: string,
    viewerPath: string,
    credentials: Credentials,
    date: Date = new Date(),
): SignedHeaders {
    const signed = aws4.sign(apiGatewayRequest(config, method, viewerPath, date), credentials);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers ?? {})) {
        if (name.toLowerCase() === "host" || value === undefined) {
            continue;
        }
        if (isForbiddenHeader(name)) {
            throw new Error(`aws4 signed the header "${name}", which a browser cannot send`);
        }
        headers[name] = String(value);
    }
    return headers;
}
