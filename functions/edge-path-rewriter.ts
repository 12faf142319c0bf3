import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";

/**
 * Removes the behavior prefix from a viewer path: `/api/x` -> `/x`, `/api` and `/api/` -> `/`.
 * A path that is not under the prefix (`/apix`) is returned unchanged. The path stays encoded as
 * CloudFront delivered it: decoding here would change what API Gateway sees and signs.
 */
export function stripPathPrefix(uri: string, prefix: string): string {
    if (uri === prefix) {
        return "/";
    }
    if (!uri.startsWith(`${prefix}/`)) {
        return uri;
    }
    return uri.slice(prefix.length) || "/";
}

/**
 * Builds the origin-request handler for one prefix. Lambda@Edge has no environment variables, so
 * the prefix is baked into the bundle (see infra/edge-path-rewriter.ts). The query string is a
 * separate field of the event and is left untouched; CloudFront prepends the origin path after
 * this function runs.
 */
export function createPathRewriter(prefix: string) {
    return async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
        const request = event.Records[0].cf.request;
        request.uri = stripPathPrefix(request.uri, prefix);
        return request;
    };
}
