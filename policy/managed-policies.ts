/**
 * What the CloudFront managed policies an API behaviour may reference do with viewer headers.
 * A behaviour naming a policy id that is neither listed here nor declared in the stack cannot be
 * checked, and the rules say so rather than guess. Sources: the CloudFront Developer Guide pages
 * "Use managed cache policies" and "Use managed origin request policies".
 */
import { MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES } from "../infra/managed-policies";

/** A managed cache policy: whether it caches at all, and the viewer headers in its cache key. */
export interface ManagedCachePolicy {
    readonly name: string;
    readonly caches: boolean;
    /** Lower-case header names. Accept-Encoding normalisation is not a header in this sense. */
    readonly keyHeaders: readonly string[];
}

/** A managed origin request policy: which viewer headers it forwards to the origin. */
export interface ManagedOriginRequestPolicy {
    readonly name: string;
    /** Whether the lower-case viewer header reaches the origin. */
    readonly forwards: (header: string) => boolean;
}

/** "AllViewerAndCloudFrontHeaders-2022-06": every viewer header, Host included, plus CloudFront's own. */
const ALL_VIEWER_AND_CLOUDFRONT_HEADERS_2022_06 = "33f36d7e-f396-46d9-90e0-52428a34d9dc";

export const MANAGED_CACHE_POLICY_KEYS: ReadonlyMap<string, ManagedCachePolicy> = new Map([
    [MANAGED_CACHE_POLICIES.CachingDisabled, { name: "CachingDisabled", caches: false, keyHeaders: [] }],
    [MANAGED_CACHE_POLICIES.CachingOptimized, { name: "CachingOptimized", caches: true, keyHeaders: [] }],
]);

const forwardsEveryViewerHeader = () => true;

export const MANAGED_ORIGIN_REQUEST_FORWARDING: ReadonlyMap<string, ManagedOriginRequestPolicy> = new Map([
    [MANAGED_ORIGIN_REQUEST_POLICIES.AllViewer, { name: "AllViewer", forwards: forwardsEveryViewerHeader }],
    [
        ALL_VIEWER_AND_CLOUDFRONT_HEADERS_2022_06,
        { name: "AllViewerAndCloudFrontHeaders-2022-06", forwards: forwardsEveryViewerHeader },
    ],
    [
        MANAGED_ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader,
        { name: "AllViewerExceptHostHeader", forwards: (header: string) => header !== "host" },
    ],
]);

/** The managed ids an API behaviour should use, for the fix in a message. */
export const RECOMMENDED_API_POLICIES = {
    cachePolicy: `CachingDisabled (${MANAGED_CACHE_POLICIES.CachingDisabled})`,
    originRequestPolicy: `AllViewerExceptHostHeader (${MANAGED_ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader})`,
} as const;
