import type { CloudFrontRequestEvent, CloudFrontRequestResult } from "aws-lambda";
import { stripPathPrefix } from "../core/paths";

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
