/**
 * Cache behavior selection. Source: CloudFront Developer Guide, "Values that you specify when you
 * create or update a distribution" > "Path pattern"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern).
 */

/** The fields of a cache behavior the emulator reads (the @pulumi/aws inputs, camelCase). */
export interface CacheBehavior {
    readonly pathPattern?: string;
    readonly targetOriginId: string;
    readonly viewerProtocolPolicy?: string;
    readonly allowedMethods: readonly string[];
    readonly cachedMethods?: readonly string[];
    readonly cachePolicyId?: string;
    readonly originRequestPolicyId?: string;
    readonly responseHeadersPolicyId?: string;
    readonly forwardedValues?: {
        readonly headers?: readonly string[];
        readonly queryString?: boolean;
        readonly cookies?: { readonly forward?: string; readonly whitelistedNames?: readonly string[] };
    };
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
    readonly functionAssociations?: readonly { readonly eventType: string; readonly functionArn: string }[];
    readonly lambdaFunctionAssociations?: readonly {
        readonly eventType: string;
        readonly lambdaArn: string;
        readonly includeBody?: boolean;
    }[];
}

/** The distribution fields behavior selection needs. */
export interface BehaviorTable {
    readonly orderedCacheBehaviors?: readonly CacheBehavior[];
    readonly defaultCacheBehavior: CacheBehavior;
}

/**
 * Whether a path pattern matches a URI path. `*` matches zero or more characters, `/` included;
 * `?` exactly one; matching is case-sensitive; a leading `/` in the pattern is optional; the query
 * string takes no part (the caller passes the path only). So `/api/*` does not match `/api`.
 */
export function pathPatternMatches(pattern: string, path: string): boolean {
    const anchored = pattern.startsWith("/") ? pattern : `/${pattern}`;
    const source = anchored
        .split("")
        .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`).test(path);
}

/**
 * The behavior serving a path: the first ordered behavior whose pattern matches, else the default
 * (`*`). The method plays no part: a behavior that does not allow it rejects the request rather
 * than passing it on to a later behavior.
 */
export function selectBehavior(table: BehaviorTable, path: string): CacheBehavior {
    return (
        (table.orderedCacheBehaviors ?? []).find((b) => pathPatternMatches(b.pathPattern ?? "", path)) ??
        table.defaultCacheBehavior
    );
}

/**
 * Whether the behavior lets a method through. CloudFront answers any other method itself with 403
 * (Developer Guide, "Allowed HTTP methods" in the same page).
 */
export function methodAllowed(behavior: CacheBehavior, method: string): boolean {
    return behavior.allowedMethods.map((m) => m.toUpperCase()).includes(method.toUpperCase());
}
