/**
 * CloudFront's size limits on a viewer request. Sources: "Quotas" > "General quotas"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-general):
 * "Maximum length of a request or an origin response, including headers and query strings, but not
 * including the body content: 20,480 bytes" and "Maximum length of a URL: 8,192 bytes"; and "Request
 * and response behavior for custom origins" > "Maximum length of a request and maximum length of a
 * URL" (RequestAndResponseBehaviorCustomOrigin.html#RequestCustomMaxRequestStringLength): "CloudFront
 * constructs a URL from the request" and, when the request or the URL exceeds its maximum, "returns
 * HTTP status code 413, Request Entity Too Large, to the viewer, and then terminates the TCP connection".
 */
import { headerBlockBytes, headerValue, HttpRequest, pathWithQuery } from "../http";
import type { ViewerConnection } from "./policies";

export const MAX_REQUEST_BYTES = 20_480;
export const MAX_URL_BYTES = 8_192;

/**
 * Why a viewer request is over CloudFront's limits, or undefined when it is within them. The
 * request is measured as it came: its request line and header lines (`name: value` and CRLF each).
 * The URL "constructed from the request" is taken as `<protocol>://<Host><path>?<query>`: how
 * CloudFront builds it exactly is not documented.
 */
export function requestOverLimits(viewer: HttpRequest, connection: ViewerConnection): string | undefined {
    const target = pathWithQuery(viewer.path, viewer.query);
    const url = `${connection.protocol}://${headerValue(viewer.headers, "host") ?? ""}${target}`;
    const urlBytes = Buffer.byteLength(url);
    if (urlBytes > MAX_URL_BYTES) {
        return `its URL has ${urlBytes} bytes, over CloudFront's ${MAX_URL_BYTES}`;
    }
    const requestBytes =
        Buffer.byteLength(`${viewer.method} ${target} HTTP/${connection.httpVersion}\r\n`) +
        headerBlockBytes(viewer.headers);
    if (requestBytes > MAX_REQUEST_BYTES) {
        return `its request line and headers have ${requestBytes} bytes, over CloudFront's ${MAX_REQUEST_BYTES}`;
    }
    return undefined;
}
