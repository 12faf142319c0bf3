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

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The path CloudFront matches path patterns against. The Developer Guide ("Cache behavior
 * settings" > "Path pattern", DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern)
 * says CloudFront normalizes URI paths consistent with RFC 3986 before it matches a behavior, that
 * characters such as multiple slashes (`//`) and periods (`..`) are normalized and removed, and
 * that it then sends the RAW path to the origin. (That wording was verified only through quotes of
 * the live page; the archived awsdocs copy predates it. AWS Support on re:Post says the same of
 * Lambda@Edge, which gets the original URI: https://repost.aws/questions/QUYxerjgCwQlSRsrxUx-hoAg.)
 * The steps, in RFC 3986 section 6.2.2's order: percent-encoded unreserved characters are decoded
 * (so `%2e%2e` is a `..` segment), repeated slashes are merged, then dot segments are removed as in
 * section 5.2.4. Which of these CloudFront applies beyond `//` and `..`, and in which order, is not
 * documented: this is the RFC's reading.
 */
export function normalizedPath(path: string): string {
    const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
        const c = String.fromCharCode(parseInt(hex, 16));
        return UNRESERVED.test(c) ? c : escape.toUpperCase();
    });
    return removeDotSegments(decoded.replace(/\/{2,}/g, "/"));
}

/** RFC 3986 section 5.2.4, "Remove Dot Segments", for an absolute path. */
function removeDotSegments(path: string): string {
    let input = path;
    let output = "";
    while (input !== "") {
        if (input.startsWith("../")) {
            input = input.slice(3);
        } else if (input.startsWith("./")) {
            input = input.slice(2);
        } else if (input.startsWith("/./")) {
            input = input.slice(2);
        } else if (input === "/.") {
            input = "/";
        } else if (input.startsWith("/../") || input === "/..") {
            input = input === "/.." ? "/" : input.slice(3);
            output = output.slice(0, Math.max(output.lastIndexOf("/"), 0));
        } else if (input === "." || input === "..") {
            input = "";
        } else {
            const next = input.indexOf("/", 1);
            const segment = next === -1 ? input : input.slice(0, next);
            output += segment;
            input = input.slice(segment.length);
        }
    }
    return output;
}

/**
 * The behavior serving a path: the first ordered behavior whose pattern matches the normalized
 * path ({@link normalizedPath}), else the default (`*`). The method plays no part: a behavior that
 * does not allow it rejects the request rather than passing it on to a later behavior.
 */
export function selectBehavior(table: BehaviorTable, path: string): CacheBehavior {
    const normalized = normalizedPath(path);
    return (
        (table.orderedCacheBehaviors ?? []).find((b) => pathPatternMatches(b.pathPattern ?? "", normalized)) ??
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
