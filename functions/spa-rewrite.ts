/**
 * CloudFront Function (cloudfront-js-2.0, viewer request) on the S3 default behavior only: a
 * deep link such as `/orders/42` has no object in the bucket, so it is served `/index.html`.
 * Distribution-wide custom error responses would do the same but also turn the API's 403/404
 * into 200 HTML. A path whose last segment has a dot names a file and is left alone, so a
 * missing asset stays an error (403 from S3 through Origin Access Control, which cannot list the
 * bucket) instead of an HTML page served as JavaScript.
 *
 * Kept free of imports and of syntax the CloudFront runtime lacks: infra/site-distribution.ts
 * deploys this file's `handler` (bundled by `bundleCloudFrontFunction`) as the function's code.
 */

interface CloudFrontFunctionRequest {
    uri: string;
    [key: string]: unknown;
}

interface CloudFrontFunctionEvent {
    request: CloudFrontFunctionRequest;
}

export function handler(event: CloudFrontFunctionEvent): CloudFrontFunctionRequest {
    var request = event.request;
    var lastSegment = request.uri.substring(request.uri.lastIndexOf("/") + 1);
    if (lastSegment.indexOf(".") === -1) {
        request.uri = "/index.html";
    }
    return request;
}
