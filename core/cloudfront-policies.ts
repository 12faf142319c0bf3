/**
 * One model of what CloudFront's cache, origin request and response headers policies do, and the
 * catalogue of the managed ones this project knows. The program attaches the managed ids, the
 * local stack forwards and adds headers by the model, and the policy pack judges a behavior by it:
 * they cannot disagree. Custom policies (`aws.cloudfront.CachePolicy`, ...) and a behavior's legacy
 * `forwardedValues` are read into the same model from their @pulumi/aws properties, which are
 * spelled the same in resource inputs and outputs.
 *
 * Sources: CloudFront Developer Guide, "Use managed cache policies"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html),
 * "Use managed origin request policies" (using-managed-origin-request-policies.html), "Use managed
 * response headers policies" (using-managed-response-headers-policies.html), and the CloudFront API
 * reference, OriginRequestPolicyHeadersConfig: `allViewer` and `allExcept` cover viewer headers
 * only; only `allViewerAndWhitelistCloudFront` adds CloudFront's own `CloudFront-*` headers.
 */

/** Which names of a kind (headers, cookies, query strings) a policy selects. */
export interface Selection {
    readonly behavior: "none" | "all" | "whitelist" | "allExcept";
    /** Lower-case for headers; as written for cookies and query strings. */
    readonly items: readonly string[];
}

export const SELECT_NONE: Selection = { behavior: "none", items: [] };
export const SELECT_ALL: Selection = { behavior: "all", items: [] };

/** Whether a selection covers a name (header names lower-case). */
export function selects(selection: Selection, name: string): boolean {
    switch (selection.behavior) {
        case "all":
            return true;
        case "whitelist":
            return selection.items.includes(name);
        case "allExcept":
            return !selection.items.includes(name);
        default:
            return false;
    }
}

/** TTLs in seconds. */
export interface Ttls {
    readonly minTtl: number;
    readonly defaultTtl: number;
    readonly maxTtl: number;
}

/** What a cache policy (or legacy `forwardedValues`) puts in the cache key, and so forwards. */
export interface CacheSettings {
    readonly ttls: Ttls;
    /** Every TTL 0: CloudFront caches nothing, and lets Authorization through with all-viewer policies. */
    readonly cachingDisabled: boolean;
    readonly headers: Selection;
    readonly cookies: Selection;
    readonly queryStrings: Selection;
    readonly acceptEncoding: { readonly gzip: boolean; readonly brotli: boolean };
}

/** What an origin request policy adds to the origin request (beyond the cache key). */
export interface OriginRequestSettings {
    /** Viewer headers. */
    readonly headers: Selection;
    /** CloudFront-generated headers (`cloudfront-viewer-address`, ...) it adds: all, or these (lower-case). */
    readonly cloudFrontHeaders: "all" | readonly string[];
    readonly cookies: Selection;
    readonly queryStrings: Selection;
}

/** A header a response headers policy sets; with `override` false the origin's own value wins. */
export interface ResponseHeaderSetting {
    readonly name: string;
    readonly value: string;
    readonly override: boolean;
}

/** CORS headers a response headers policy adds to responses to CORS requests. */
export interface CorsSettings {
    /** Exact origins, or `["*"]`. */
    readonly allowOrigins: readonly string[];
    readonly allowCredentials: boolean;
    readonly allowHeaders: readonly string[];
    readonly allowMethods: readonly string[];
    readonly exposeHeaders: readonly string[];
    readonly maxAgeSeconds?: number;
    /** Whether the policy's values replace the origin's own CORS headers. */
    readonly originOverride: boolean;
}

/** Everything a response headers policy adds to the viewer's response. */
export interface ResponseHeadersSettings {
    readonly headers: readonly ResponseHeaderSetting[];
    readonly cors?: CorsSettings;
}

/** A managed policy: its id (the same in every account), name and settings. */
export interface ManagedPolicy<TSettings> {
    readonly id: string;
    readonly name: string;
    readonly settings: TSettings;
}

/** CloudFront's TTL defaults for a cache policy or legacy behavior that leaves one out (API reference). */
export const DEFAULT_TTLS: Ttls = { minTtl: 0, defaultTtl: 86_400, maxTtl: 31_536_000 };

const allZero = (ttls: Ttls) => ttls.minTtl === 0 && ttls.defaultTtl === 0 && ttls.maxTtl === 0;

/** The managed cache policies this project knows. */
export const CACHE_POLICIES = {
    /** TTL 0, empty cache key: every request reaches the origin. */
    CachingDisabled: {
        id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        name: "CachingDisabled",
        settings: {
            ttls: { minTtl: 0, defaultTtl: 0, maxTtl: 0 },
            cachingDisabled: true,
            headers: SELECT_NONE,
            cookies: SELECT_NONE,
            queryStrings: SELECT_NONE,
            acceptEncoding: { gzip: false, brotli: false },
        },
    },
    /** TTLs 1 / 86400 / 31536000 s, nothing but the normalized Accept-Encoding in the key: the static site. */
    CachingOptimized: {
        id: "658327ea-f89d-4fab-a63d-7e88639e58f6",
        name: "CachingOptimized",
        settings: {
            ttls: { minTtl: 1, defaultTtl: 86_400, maxTtl: 31_536_000 },
            cachingDisabled: false,
            headers: SELECT_NONE,
            cookies: SELECT_NONE,
            queryStrings: SELECT_NONE,
            acceptEncoding: { gzip: true, brotli: true },
        },
    },
} as const satisfies Record<string, ManagedPolicy<CacheSettings>>;

/** The managed origin request policies this project knows. */
export const ORIGIN_REQUEST_POLICIES = {
    /** Every viewer header (Host too), cookie and query string. */
    AllViewer: {
        id: "216adef6-5c7f-47e4-b989-5492eafa07d3",
        name: "AllViewer",
        settings: { headers: SELECT_ALL, cloudFrontHeaders: [], cookies: SELECT_ALL, queryStrings: SELECT_ALL },
    },
    /** Every viewer header (Host too), cookie and query string, plus every CloudFront header. */
    AllViewerAndCloudFrontHeaders: {
        id: "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        name: "AllViewerAndCloudFrontHeaders-2022-06",
        settings: { headers: SELECT_ALL, cloudFrontHeaders: "all", cookies: SELECT_ALL, queryStrings: SELECT_ALL },
    },
    /** Every viewer header but Host, every cookie and query string; no CloudFront header. */
    AllViewerExceptHostHeader: {
        id: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        name: "AllViewerExceptHostHeader",
        settings: {
            headers: { behavior: "allExcept", items: ["host"] },
            cloudFrontHeaders: [],
            cookies: SELECT_ALL,
            queryStrings: SELECT_ALL,
        },
    },
} as const satisfies Record<string, ManagedPolicy<OriginRequestSettings>>;

/** The managed response headers policies this project knows. */
export const RESPONSE_HEADERS_POLICIES = {
    /** Five security headers, none overriding the origin's own. */
    SecurityHeadersPolicy: {
        id: "67f7725c-6f97-4210-82d7-5512b31e9d03",
        name: "SecurityHeadersPolicy",
        settings: {
            headers: [
                { name: "Referrer-Policy", value: "strict-origin-when-cross-origin", override: false },
                { name: "Strict-Transport-Security", value: "max-age=31536000", override: false },
                { name: "X-Content-Type-Options", value: "nosniff", override: false },
                { name: "X-Frame-Options", value: "SAMEORIGIN", override: false },
                { name: "X-XSS-Protection", value: "1; mode=block", override: false },
            ],
        },
    },
} as const satisfies Record<string, ManagedPolicy<ResponseHeadersSettings>>;

const byId = <T>(catalogue: Record<string, ManagedPolicy<T>>) =>
    new Map(Object.values(catalogue).map((policy) => [policy.id, policy]));
const MANAGED_CACHE = byId<CacheSettings>(CACHE_POLICIES);
const MANAGED_ORIGIN_REQUEST = byId<OriginRequestSettings>(ORIGIN_REQUEST_POLICIES);
const MANAGED_RESPONSE_HEADERS = byId<ResponseHeadersSettings>(RESPONSE_HEADERS_POLICIES);

/** The managed cache policy with an id, if this project knows it. */
export function managedCachePolicy(id: string): ManagedPolicy<CacheSettings> | undefined {
    return MANAGED_CACHE.get(id);
}

/** The managed origin request policy with an id, if this project knows it. */
export function managedOriginRequestPolicy(id: string): ManagedPolicy<OriginRequestSettings> | undefined {
    return MANAGED_ORIGIN_REQUEST.get(id);
}

/** The managed response headers policy with an id, if this project knows it. */
export function managedResponseHeadersPolicy(id: string): ManagedPolicy<ResponseHeadersSettings> | undefined {
    return MANAGED_RESPONSE_HEADERS.get(id);
}

function selection(behavior: string | undefined, items: readonly string[] | undefined, lowerCase: boolean): Selection {
    const names = (items ?? []).map((i) => (lowerCase ? i.toLowerCase() : i));
    switch (behavior) {
        case "all":
        case "allViewer":
            return SELECT_ALL;
        case "whitelist":
            return { behavior: "whitelist", items: names };
        case "allExcept":
            return { behavior: "allExcept", items: names };
        default:
            return SELECT_NONE;
    }
}

const ttlsOf = (props: { minTtl?: number; defaultTtl?: number; maxTtl?: number }): Ttls => ({
    minTtl: props.minTtl ?? DEFAULT_TTLS.minTtl,
    defaultTtl: props.defaultTtl ?? DEFAULT_TTLS.defaultTtl,
    maxTtl: props.maxTtl ?? DEFAULT_TTLS.maxTtl,
});

/** The names a cache or origin request policy selects, as @pulumi/aws spells them. */
interface NameSelectionProps {
    readonly headersConfig?: {
        readonly headerBehavior?: string;
        readonly headers?: { readonly items?: readonly string[] };
    };
    readonly cookiesConfig?: {
        readonly cookieBehavior?: string;
        readonly cookies?: { readonly items?: readonly string[] };
    };
    readonly queryStringsConfig?: {
        readonly queryStringBehavior?: string;
        readonly queryStrings?: { readonly items?: readonly string[] };
    };
}

/** The @pulumi/aws properties of an `aws.cloudfront.CachePolicy` the model reads. */
export interface CachePolicyProps {
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
    readonly parametersInCacheKeyAndForwardedToOrigin?: NameSelectionProps & {
        readonly enableAcceptEncodingGzip?: boolean;
        readonly enableAcceptEncodingBrotli?: boolean;
    };
}

/** A custom cache policy's settings. */
export function cacheSettingsOf(props: CachePolicyProps): CacheSettings {
    const p = props.parametersInCacheKeyAndForwardedToOrigin ?? {};
    const ttls = ttlsOf(props);
    return {
        ttls,
        cachingDisabled: allZero(ttls),
        headers: selection(p.headersConfig?.headerBehavior, p.headersConfig?.headers?.items, true),
        cookies: selection(p.cookiesConfig?.cookieBehavior, p.cookiesConfig?.cookies?.items, false),
        queryStrings: selection(
            p.queryStringsConfig?.queryStringBehavior,
            p.queryStringsConfig?.queryStrings?.items,
            false,
        ),
        acceptEncoding: { gzip: p.enableAcceptEncodingGzip === true, brotli: p.enableAcceptEncodingBrotli === true },
    };
}

/** The @pulumi/aws properties of an `aws.cloudfront.OriginRequestPolicy` the model reads. */
export type OriginRequestPolicyProps = NameSelectionProps;

/** A custom origin request policy's settings: `CloudFront-*` names in a whitelist are CloudFront's own headers. */
export function originRequestSettingsOf(props: OriginRequestPolicyProps): OriginRequestSettings {
    const headerBehavior = props.headersConfig?.headerBehavior;
    const items = (props.headersConfig?.headers?.items ?? []).map((h) => h.toLowerCase());
    const isCloudFront = (h: string) => h.startsWith("cloudfront-");
    const addsCloudFront = headerBehavior === "allViewerAndWhitelistCloudFront" || headerBehavior === "whitelist";
    return {
        headers:
            headerBehavior === "allViewerAndWhitelistCloudFront"
                ? SELECT_ALL
                : selection(
                      headerBehavior,
                      headerBehavior === "whitelist" ? items.filter((h) => !isCloudFront(h)) : items,
                      true,
                  ),
        cloudFrontHeaders: addsCloudFront ? items.filter(isCloudFront) : [],
        cookies: selection(props.cookiesConfig?.cookieBehavior, props.cookiesConfig?.cookies?.items, false),
        queryStrings: selection(
            props.queryStringsConfig?.queryStringBehavior,
            props.queryStringsConfig?.queryStrings?.items,
            false,
        ),
    };
}

/** The @pulumi/aws properties of an `aws.cloudfront.ResponseHeadersPolicy` the model reads. */
export interface ResponseHeadersPolicyProps {
    readonly customHeadersConfig?: {
        readonly items?: readonly { readonly header: string; readonly value: string; readonly override?: boolean }[];
    };
    readonly corsConfig?: {
        readonly accessControlAllowCredentials?: boolean;
        readonly accessControlAllowHeaders?: { readonly items?: readonly string[] };
        readonly accessControlAllowMethods?: { readonly items?: readonly string[] };
        readonly accessControlAllowOrigins?: { readonly items?: readonly string[] };
        readonly accessControlExposeHeaders?: { readonly items?: readonly string[] };
        readonly accessControlMaxAgeSec?: number;
        readonly originOverride?: boolean;
    };
}

/** A custom response headers policy's settings (custom headers and CORS). */
export function responseHeadersSettingsOf(props: ResponseHeadersPolicyProps): ResponseHeadersSettings {
    const cors = props.corsConfig;
    return {
        headers: (props.customHeadersConfig?.items ?? []).map((i) => ({
            name: i.header,
            value: i.value,
            override: i.override === true,
        })),
        ...(cors === undefined
            ? {}
            : {
                  cors: {
                      allowOrigins: cors.accessControlAllowOrigins?.items ?? [],
                      allowCredentials: cors.accessControlAllowCredentials === true,
                      allowHeaders: cors.accessControlAllowHeaders?.items ?? [],
                      allowMethods: cors.accessControlAllowMethods?.items ?? [],
                      exposeHeaders: cors.accessControlExposeHeaders?.items ?? [],
                      maxAgeSeconds: cors.accessControlMaxAgeSec,
                      originOverride: cors.originOverride === true,
                  },
              }),
    };
}

/** The legacy cache settings of a behavior without a cache policy. */
export interface LegacyBehaviorProps {
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
    readonly forwardedValues?: {
        readonly headers?: readonly string[];
        readonly queryString?: boolean;
        readonly cookies?: { readonly forward?: string; readonly whitelistedNames?: readonly string[] };
    };
}

/**
 * A behavior without a cache policy: its legacy `forwardedValues` are both the cache key and what
 * reaches the origin; `"*"` forwards every header, Host included.
 */
export function legacyCacheSettingsOf(behavior: LegacyBehaviorProps): CacheSettings {
    const fv = behavior.forwardedValues ?? {};
    const headers = (fv.headers ?? []).map((h) => h.toLowerCase());
    const ttls = ttlsOf(behavior);
    const cookies: Selection =
        fv.cookies?.forward === "all"
            ? SELECT_ALL
            : fv.cookies?.forward === "whitelist"
              ? { behavior: "whitelist", items: fv.cookies.whitelistedNames ?? [] }
              : SELECT_NONE;
    return {
        ttls,
        cachingDisabled: allZero(ttls),
        headers: headers.includes("*") ? SELECT_ALL : selection("whitelist", headers, true),
        cookies,
        queryStrings: fv.queryString ? SELECT_ALL : SELECT_NONE,
        acceptEncoding: { gzip: false, brotli: false },
    };
}

/** No origin request policy: nothing beyond the cache key. */
export const NO_ORIGIN_REQUEST_POLICY: OriginRequestSettings = {
    headers: SELECT_NONE,
    cloudFrontHeaders: [],
    cookies: SELECT_NONE,
    queryStrings: SELECT_NONE,
};

/** Whether a viewer header (lower-case) reaches the origin: in the cache key or the origin request policy. */
export function forwardsViewerHeader(
    cache: CacheSettings,
    originRequest: OriginRequestSettings,
    header: string,
): boolean {
    return selects(cache.headers, header) || selects(originRequest.headers, header);
}

/**
 * Whether the viewer's Authorization header reaches the origin. It cannot be named in an origin
 * request policy; it is forwarded when it is in the cache key, or when caching is disabled and the
 * origin request policy includes all viewer headers. Otherwise CloudFront removes it from GET and
 * HEAD requests (and OPTIONS when OPTIONS responses are cached) and keeps it on the others.
 * Source: AWS Knowledge Center "How do I configure CloudFront to forward the Authorization header
 * to the origin?" (https://repost.aws/knowledge-center/cloudfront-authorization-header) and the
 * Developer Guide's "HTTP request headers and CloudFront behavior (custom and Amazon S3 origins)"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#request-custom-headers-behavior).
 */
export function authorizationForwarded(
    cache: CacheSettings,
    originRequest: OriginRequestSettings,
    method: string,
    cachedMethods: readonly string[],
): boolean {
    if (selects(cache.headers, "authorization")) {
        return true;
    }
    const allViewer = ["all", "allExcept"].includes(originRequest.headers.behavior);
    if (cache.cachingDisabled && allViewer && selects(originRequest.headers, "authorization")) {
        return true;
    }
    const strippedOn = [
        "GET",
        "HEAD",
        ...(cachedMethods.map((c) => c.toUpperCase()).includes("OPTIONS") ? ["OPTIONS"] : []),
    ];
    return !strippedOn.includes(method.toUpperCase());
}
