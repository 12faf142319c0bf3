/**
 * Ids of the CloudFront managed policies this program attaches. They are the same in every
 * account. Sources: the CloudFront Developer Guide pages "Use managed cache policies", "Use
 * managed origin request policies" and "Use managed response headers policies".
 */
export const MANAGED_CACHE_POLICIES = {
    /** TTL 0, nothing cached: every API request reaches API Gateway. */
    CachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    /** Long TTLs, gzip and brotli keys: for the static site. */
    CachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
} as const;

export const MANAGED_ORIGIN_REQUEST_POLICIES = {
    /** Every viewer header, cookie and query string except Host. */
    AllViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    /** Every viewer header including Host: API Gateway refuses requests carrying the viewer's Host. */
    AllViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3",
} as const;

export const MANAGED_RESPONSE_HEADERS_POLICIES = {
    /** HSTS, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, X-XSS-Protection. */
    SecurityHeadersPolicy: "67f7725c-6f97-4210-82d7-5512b31e9d03",
} as const;

/** CloudFront accepts exactly these three allowed-methods sets. */
export const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
export const READ_METHODS = ["GET", "HEAD"];
