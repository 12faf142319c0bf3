/**
 * Cache, origin request and response headers policies: what a behaviour forwards to its origin and
 * adds to the viewer's response. Managed policies are mapped from their ids (the ids the program
 * attaches, infra/managed-policies.ts) to the settings AWS documents for them; custom policies are
 * read from the graph; a behaviour without a cache policy uses its legacy `forwardedValues`.
 */
import {
    MANAGED_CACHE_POLICIES,
    MANAGED_ORIGIN_REQUEST_POLICIES,
    MANAGED_RESPONSE_HEADERS_POLICIES,
} from "../../infra/managed-policies";
import { type CapturedStack, resourcesOfType } from "../graph";
import { HeaderList, headerValue, headerValues } from "../http";
import { TYPES } from "../topology";
import type { CacheBehavior } from "./behaviors";

/** Which names of a kind (headers, cookies, query strings) a policy selects. */
export interface Selection {
    readonly behavior: "none" | "all" | "whitelist" | "allExcept";
    /** Lower-case for headers; as written for cookies and query strings. */
    readonly items: readonly string[];
}

export interface CacheSettings {
    /** All TTLs 0: CloudFront caches nothing and lets more through (see {@link authorizationForwarded}). */
    readonly cachingDisabled: boolean;
    readonly headers: Selection;
    readonly cookies: Selection;
    readonly queryStrings: Selection;
    readonly acceptEncoding: { readonly gzip: boolean; readonly brotli: boolean };
}

export interface OriginRequestSettings {
    readonly headers: Selection;
    /** CloudFront-generated headers (`CloudFront-Viewer-Address`, ...) the policy adds: all, or these (lower-case). */
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

/** Everything a behaviour's policies decide. */
export interface BehaviorPolicies {
    readonly cache: CacheSettings;
    readonly originRequest: OriginRequestSettings;
    readonly responseHeaders: readonly ResponseHeaderSetting[];
}

const NONE: Selection = { behavior: "none", items: [] };
const ALL: Selection = { behavior: "all", items: [] };
const NO_ORIGIN_REQUEST_POLICY: OriginRequestSettings = {
    headers: NONE,
    cloudFrontHeaders: [],
    cookies: NONE,
    queryStrings: NONE,
};

/**
 * Managed cache policies. Source: "Use managed cache policies"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html):
 * CachingDisabled has every TTL 0 and an empty cache key; CachingOptimized has TTLs 1/86400/31536000,
 * no headers, cookies or query strings in the key, and normalizes Accept-Encoding to gzip and br.
 */
const MANAGED_CACHE: Readonly<Record<string, CacheSettings>> = {
    [MANAGED_CACHE_POLICIES.CachingDisabled]: {
        cachingDisabled: true,
        headers: NONE,
        cookies: NONE,
        queryStrings: NONE,
        acceptEncoding: { gzip: false, brotli: false },
    },
    [MANAGED_CACHE_POLICIES.CachingOptimized]: {
        cachingDisabled: false,
        headers: NONE,
        cookies: NONE,
        queryStrings: NONE,
        acceptEncoding: { gzip: true, brotli: true },
    },
};

/**
 * Managed origin request policies. Source: "Use managed origin request policies"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html):
 * AllViewer includes every viewer header (Host too), cookie and query string; AllViewerExceptHostHeader
 * every viewer header but Host, every cookie and query string, and all the CloudFront headers.
 */
const MANAGED_ORIGIN_REQUEST: Readonly<Record<string, OriginRequestSettings>> = {
    [MANAGED_ORIGIN_REQUEST_POLICIES.AllViewer]: {
        headers: ALL,
        cloudFrontHeaders: [],
        cookies: ALL,
        queryStrings: ALL,
    },
    [MANAGED_ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader]: {
        headers: { behavior: "allExcept", items: ["host"] },
        cloudFrontHeaders: "all",
        cookies: ALL,
        queryStrings: ALL,
    },
};

/**
 * Managed response headers policies. Source: "Use managed response headers policies"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-response-headers-policies.html):
 * SecurityHeadersPolicy adds these five headers and does not override the origin's own.
 */
const MANAGED_RESPONSE_HEADERS: Readonly<Record<string, readonly ResponseHeaderSetting[]>> = {
    [MANAGED_RESPONSE_HEADERS_POLICIES.SecurityHeadersPolicy]: [
        { name: "Referrer-Policy", value: "strict-origin-when-cross-origin", override: false },
        { name: "Strict-Transport-Security", value: "max-age=31536000", override: false },
        { name: "X-Content-Type-Options", value: "nosniff", override: false },
        { name: "X-Frame-Options", value: "SAMEORIGIN", override: false },
        { name: "X-XSS-Protection", value: "1; mode=block", override: false },
    ],
};

function selection(behavior: string | undefined, items: readonly string[] | undefined, lowerCase: boolean): Selection {
    const names = (items ?? []).map((i) => (lowerCase ? i.toLowerCase() : i));
    switch (behavior) {
        case "all":
        case "allViewer":
            return ALL;
        case "whitelist":
            return { behavior: "whitelist", items: names };
        case "allExcept":
            return { behavior: "allExcept", items: names };
        default:
            return NONE;
    }
}

/** A custom cache policy from the graph (`aws.cloudfront.CachePolicy` inputs). */
function customCacheSettings(inputs: Record<string, any>): CacheSettings {
    const p = inputs.parametersInCacheKeyAndForwardedToOrigin ?? {};
    return {
        cachingDisabled:
            (inputs.minTtl ?? 0) === 0 && (inputs.defaultTtl ?? 86400) === 0 && (inputs.maxTtl ?? 31536000) === 0,
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

/** A custom origin request policy from the graph (`aws.cloudfront.OriginRequestPolicy` inputs). */
function customOriginRequestSettings(inputs: Record<string, any>): OriginRequestSettings {
    const headerBehavior: string | undefined = inputs.headersConfig?.headerBehavior;
    const items: string[] = (inputs.headersConfig?.headers?.items ?? []).map((h: string) => h.toLowerCase());
    const isCloudFront = (h: string) => h.startsWith("cloudfront-");
    return {
        headers:
            headerBehavior === "allViewerAndWhitelistCloudFront"
                ? ALL
                : selection(
                      headerBehavior,
                      headerBehavior === "whitelist" ? items.filter((h) => !isCloudFront(h)) : items,
                      true,
                  ),
        cloudFrontHeaders:
            headerBehavior === "allViewerAndWhitelistCloudFront" || headerBehavior === "whitelist"
                ? items.filter(isCloudFront)
                : [],
        cookies: selection(inputs.cookiesConfig?.cookieBehavior, inputs.cookiesConfig?.cookies?.items, false),
        queryStrings: selection(
            inputs.queryStringsConfig?.queryStringBehavior,
            inputs.queryStringsConfig?.queryStrings?.items,
            false,
        ),
    };
}

/**
 * A behaviour without a cache policy: its legacy `forwardedValues` are both the cache key and what
 * reaches the origin; `"*"` forwards every header, Host included. TTL defaults: 0 / 86400 / 31536000.
 */
function legacySettings(behavior: CacheBehavior): BehaviorPolicies {
    const fv = behavior.forwardedValues ?? {};
    const headers = (fv.headers ?? []).map((h) => h.toLowerCase());
    const cookies =
        fv.cookies?.forward === "all"
            ? ALL
            : fv.cookies?.forward === "whitelist"
              ? { behavior: "whitelist" as const, items: fv.cookies.whitelistedNames ?? [] }
              : NONE;
    return {
        cache: {
            cachingDisabled:
                (behavior.minTtl ?? 0) === 0 &&
                (behavior.defaultTtl ?? 86400) === 0 &&
                (behavior.maxTtl ?? 31536000) === 0,
            headers: headers.includes("*") ? ALL : selection("whitelist", headers, true),
            cookies,
            queryStrings: fv.queryString ? ALL : NONE,
            acceptEncoding: { gzip: false, brotli: false },
        },
        originRequest: NO_ORIGIN_REQUEST_POLICY,
        responseHeaders: [],
    };
}

/**
 * Resolves a behaviour's policy ids: managed ids to their documented settings, other ids to the
 * graph's policy resources. An id that is neither fails, as CloudFront refuses the distribution.
 */
export function resolvePolicies(
    stack: CapturedStack,
    behavior: CacheBehavior,
    warn: (message: string) => void,
): BehaviorPolicies {
    const byId = (type: string, id: string) => resourcesOfType(stack, type).find((r) => r.id === id);
    const responseHeaders = responseHeadersSettings(stack, behavior.responseHeadersPolicyId, warn);
    if (behavior.cachePolicyId === undefined) {
        return { ...legacySettings(behavior), responseHeaders };
    }
    const customCache = byId(TYPES.cachePolicy, behavior.cachePolicyId);
    const cache = MANAGED_CACHE[behavior.cachePolicyId] ?? (customCache && customCacheSettings(customCache.state));
    if (cache === undefined) {
        throw new Error(
            `Behaviour "${behavior.pathPattern ?? "*"}": cache policy ${behavior.cachePolicyId} is neither a managed policy ` +
                "the local stack knows nor a CachePolicy in the program",
        );
    }
    let originRequest = NO_ORIGIN_REQUEST_POLICY;
    if (behavior.originRequestPolicyId !== undefined) {
        const custom = byId(TYPES.originRequestPolicy, behavior.originRequestPolicyId);
        const found =
            MANAGED_ORIGIN_REQUEST[behavior.originRequestPolicyId] ??
            (custom && customOriginRequestSettings(custom.state));
        if (found === undefined) {
            throw new Error(
                `Behaviour "${behavior.pathPattern ?? "*"}": origin request policy ${behavior.originRequestPolicyId} is neither ` +
                    "a managed policy the local stack knows nor an OriginRequestPolicy in the program",
            );
        }
        originRequest = found;
    }
    return { cache, originRequest, responseHeaders };
}

function responseHeadersSettings(
    stack: CapturedStack,
    id: string | undefined,
    warn: (message: string) => void,
): readonly ResponseHeaderSetting[] {
    if (id === undefined) {
        return [];
    }
    const managed = MANAGED_RESPONSE_HEADERS[id];
    if (managed) {
        return managed;
    }
    const custom = resourcesOfType(stack, TYPES.responseHeadersPolicy).find((r) => r.id === id);
    if (!custom) {
        throw new Error(
            `Response headers policy ${id} is neither a managed policy the local stack knows nor a ResponseHeadersPolicy in the program`,
        );
    }
    // Custom headers are the common case; CORS and security settings of a custom policy are not emulated.
    warn(`Response headers policy ${custom.name}: only its customHeadersConfig is emulated`);
    return (custom.state.customHeadersConfig?.items ?? []).map((i: any) => ({
        name: i.header,
        value: i.value,
        override: i.override === true,
    }));
}

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
    policies: BehaviorPolicies,
    method: string,
    cachedMethods: readonly string[],
): boolean {
    if (selects(policies.cache.headers, "authorization")) {
        return true;
    }
    const allViewer = ["all", "allExcept"].includes(policies.originRequest.headers.behavior);
    if (policies.cache.cachingDisabled && allViewer && selects(policies.originRequest.headers, "authorization")) {
        return true;
    }
    const m = method.toUpperCase();
    const strippedOn = [
        "GET",
        "HEAD",
        ...(cachedMethods.map((c) => c.toUpperCase()).includes("OPTIONS") ? ["OPTIONS"] : []),
    ];
    return !strippedOn.includes(m);
}

/** Headers a viewer cannot pass through CloudFront, or that CloudFront sets itself. */
const NEVER_FORWARDED = new Set([
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
    "via",
    "x-amz-cf-id",
    "x-amz-cf-pop",
    "x-cache",
    "x-real-ip",
    "x-forwarded-for",
    "content-length",
]);

/** Headers with their own rule in {@link originRequestHeaders}. */
const SPECIAL = new Set(["host", "authorization", "cookie", "user-agent", "accept-encoding"]);

/** What CloudFront knows about the viewer connection, for the headers it generates. */
export interface ViewerConnection {
    readonly ip: string;
    readonly port: number;
    readonly protocol: "http" | "https";
    readonly httpVersion: string;
}

/**
 * CloudFront headers the emulator can compute. Device-detection and geolocation headers
 * (CloudFront-Is-*-Viewer, CloudFront-Viewer-Country, ...) are left out: locally there is nothing
 * true to put in them. Source: "Add CloudFront request headers"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html).
 */
const CLOUDFRONT_HEADERS: Readonly<Record<string, [string, (v: ViewerConnection) => string]>> = {
    "cloudfront-forwarded-proto": ["CloudFront-Forwarded-Proto", (v) => v.protocol],
    "cloudfront-viewer-address": ["CloudFront-Viewer-Address", (v) => `${v.ip}:${v.port}`],
    "cloudfront-viewer-http-version": ["CloudFront-Viewer-Http-Version", (v) => v.httpVersion],
};

/** What {@link originRequestHeaders} needs besides the viewer's headers. */
export interface OriginHeaderContext {
    readonly method: string;
    readonly cachedMethods: readonly string[];
    readonly originDomainName: string;
    readonly viewer: ViewerConnection;
    readonly via: string;
    readonly cfId: string;
}

/**
 * The headers CloudFront sends to the origin. Source: "HTTP request headers and CloudFront behavior
 * (custom and Amazon S3 origins)"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#request-custom-headers-behavior):
 * a viewer header goes through when the cache key or the origin request policy includes it; Host
 * becomes the origin's domain name unless it is forwarded; User-Agent becomes `Amazon CloudFront`
 * unless forwarded; CloudFront adds Via, X-Forwarded-For (the viewer's IP appended) and X-Amz-Cf-Id.
 */
export function originRequestHeaders(
    viewerHeaders: HeaderList,
    policies: BehaviorPolicies,
    ctx: OriginHeaderContext,
): HeaderList {
    const { cache, originRequest } = policies;
    const included = (name: string) => selects(cache.headers, name) || selects(originRequest.headers, name);
    const out: [string, string][] = [];

    const host = headerValue(viewerHeaders, "host");
    out.push(["Host", included("host") && host !== undefined ? host : ctx.originDomainName]);
    for (const [name, value] of viewerHeaders) {
        const lower = name.toLowerCase();
        if (
            NEVER_FORWARDED.has(lower) ||
            SPECIAL.has(lower) ||
            lower.startsWith("cloudfront-") ||
            lower.startsWith("x-edge-")
        ) {
            continue;
        }
        if (included(lower)) {
            out.push([name, value]);
        }
    }
    const authorization = headerValues(viewerHeaders, "authorization");
    if (authorization.length > 0 && authorizationForwarded(policies, ctx.method, ctx.cachedMethods)) {
        authorization.forEach((v) => out.push(["Authorization", v]));
    }
    const cookie = cookieHeader(viewerHeaders, [cache.cookies, originRequest.cookies]);
    if (cookie !== undefined) {
        out.push(["Cookie", cookie]);
    }
    out.push([
        "User-Agent",
        included("user-agent")
            ? (headerValue(viewerHeaders, "user-agent") ?? "Amazon CloudFront")
            : "Amazon CloudFront",
    ]);
    const acceptEncoding = originAcceptEncoding(
        headerValue(viewerHeaders, "accept-encoding"),
        included("accept-encoding"),
        cache,
    );
    if (acceptEncoding !== undefined) {
        out.push(["Accept-Encoding", acceptEncoding]);
    }
    for (const [key, [name, compute]] of Object.entries(CLOUDFRONT_HEADERS)) {
        if (originRequest.cloudFrontHeaders === "all" || originRequest.cloudFrontHeaders.includes(key)) {
            out.push([name, compute(ctx.viewer)]);
        }
    }
    const forwardedFor = headerValue(viewerHeaders, "x-forwarded-for");
    out.push(["X-Forwarded-For", forwardedFor ? `${forwardedFor}, ${ctx.viewer.ip}` : ctx.viewer.ip]);
    out.push(["Via", ctx.via]);
    out.push(["X-Amz-Cf-Id", ctx.cfId]);
    return out;
}

/** The Cookie header the origin gets: the cookies any of the selections include. */
function cookieHeader(viewerHeaders: HeaderList, selections: readonly Selection[]): string | undefined {
    const pairs = headerValues(viewerHeaders, "cookie")
        .flatMap((v) => v.split(";"))
        .map((c) => c.trim())
        .filter((c) => c !== "");
    const kept = pairs.filter((pair) => selections.some((s) => selects(s, pair.split("=")[0])));
    return kept.length > 0 ? kept.join("; ") : undefined;
}

/**
 * Accept-Encoding at the origin: the viewer's own when a policy forwards it, else CloudFront's
 * normalized `gzip` / `br,gzip` when the cache policy enables compression support, else none.
 */
function originAcceptEncoding(
    viewerValue: string | undefined,
    forwarded: boolean,
    cache: CacheSettings,
): string | undefined {
    if (viewerValue === undefined) {
        return undefined;
    }
    if (forwarded) {
        return viewerValue;
    }
    const accepts = (coding: string) =>
        viewerValue.split(",").some((c) => c.trim().split(";")[0].toLowerCase() === coding);
    const codings = [
        ...(cache.acceptEncoding.brotli && accepts("br") ? ["br"] : []),
        ...(cache.acceptEncoding.gzip && accepts("gzip") ? ["gzip"] : []),
    ];
    return codings.length > 0 ? codings.join(",") : undefined;
}

/** The query string the origin gets: the parameters any policy includes, in the viewer's order. */
export function originQueryString(query: string, policies: BehaviorPolicies): string {
    if (query === "") {
        return "";
    }
    const selections = [policies.cache.queryStrings, policies.originRequest.queryStrings];
    return query
        .split("&")
        .filter((pair) => {
            const name = decodeQueryComponent(pair.split("=")[0]);
            return selections.some((s) => selects(s, name));
        })
        .join("&");
}

function decodeQueryComponent(text: string): string {
    try {
        return decodeURIComponent(text.replace(/\+/g, " "));
    } catch {
        return text;
    }
}

/** Applies a response headers policy to the origin's response headers. */
export function applyResponseHeaders(headers: HeaderList, settings: readonly ResponseHeaderSetting[]): HeaderList {
    let out = [...headers];
    for (const setting of settings) {
        const present = out.some(([n]) => n.toLowerCase() === setting.name.toLowerCase());
        if (present && !setting.override) {
            continue;
        }
        out = [...out.filter(([n]) => n.toLowerCase() !== setting.name.toLowerCase()), [setting.name, setting.value]];
    }
    return out;
}
