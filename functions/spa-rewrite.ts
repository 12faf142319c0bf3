/**
 * CloudFront Function (cloudfront-js-2.0, viewer request) on the S3 default behavior only. It
 * decides from the site build's own file list, compiled in at deploy time (see
 * infra/site-distribution.ts): a known file is served as it is; a miss under the build's asset
 * folder is a 404 (an HTML page served as JavaScript would hide the broken link); anything else is
 * a route of the app (`/orders/42`, `/users/john.doe`) and gets `/index.html`. A dot in the last
 * segment means nothing. Distribution-wide custom error responses would also serve deep links,
 * but would turn the API's 403/404 into 200 HTML.
 *
 * Kept free of Node imports and of syntax the CloudFront runtime lacks: the deployed code is this module
 * bundled with an entry that passes the manifest (`bundleCloudFrontFunction`).
 */

import { APP_SHELL } from "../core/site";
import { type EdgeResponse, plainTextResponse } from "./edge-response";

interface CloudFrontFunctionRequest {
    uri: string;
    [key: string]: unknown;
}

/** What the function knows of the site: every object key (with a leading `/`) and the asset folder. */
export interface SiteManifest {
    /** `{ "/index.html": 1, "/assets/main-3FJ2K4QZ.js": 1, ... }`: an object, cheap to look up in the runtime. */
    readonly files: Readonly<Record<string, 1>>;
    /** `/assets/`: content-hashed files live there and nowhere else. */
    readonly assetPrefix: string;
}

/** The request to pass on (possibly with `/index.html` as its uri), or a 404 for a missing asset. */
export function routeSiteRequest(
    request: CloudFrontFunctionRequest,
    manifest: SiteManifest,
): CloudFrontFunctionRequest | EdgeResponse {
    var uri = request.uri;
    if (manifest.files[uri] === 1) {
        return request;
    }
    if (uri.indexOf(manifest.assetPrefix) === 0) {
        return plainTextResponse(404, "Not Found", "Not Found: " + uri + " is not a file of this site's build.\n");
    }
    request.uri = "/" + APP_SHELL;
    return request;
}
