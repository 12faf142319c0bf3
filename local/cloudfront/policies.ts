/**
 * What a behavior's policies do to the origin request and the viewer's response, by the one model
 * in core/cloudfront-policies.ts: managed ids resolve to the settings AWS documents for them,
 * custom ids to the graph's policy resources, and a behavior without a cache policy uses its
 * legacy `forwardedValues`.
 */
import {
    authorizationForwarded,
    CacheSettings,
    cacheSettingsOf,
    forwardsViewerHeader,
    legacyCacheSettingsOf,
    managedCachePolicy,
    managedOriginRequestPolicy,
    managedResponseHeadersPolicy,
    NO_ORIGIN_REQUEST_POLICY,
    OriginRequestSettings,
    originRequestSettingsOf,
    ResponseHeaderSetting,
    ResponseHeadersSettings,
    responseHeadersSettingsOf,
    selects,
    Selection,
} from "../../core/cloudfront-policies";
import type { CapturedStack } from "../../capture/capture";
import { resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { HeaderList, headerValue, headerValues } from "../http";
import type { CacheBehavior } from "./behaviors";

/** Everything a behavior's policies decide. */
export interface BehaviorPolicies {
    readonly cache: CacheSettings;
    readonly originRequest: OriginRequestSettings;
    readonly responseHeaders: ResponseHeadersSettings;
}

const NO_RESPONSE_HEADERS: ResponseHeadersSettings = { headers: [] };

/**
 * Resolves a behavior's policy ids: managed ids to their documented settings, other ids to the
 * graph's policy resources. An id that is neither fails, as CloudFront refuses the distribution.
 */
export function resolvePolicies(stack: CapturedStack, behavior: CacheBehavior): BehaviorPolicies {
    const custom = (type: string, id: string) => resourcesOfType(stack, type).find((r) => r.id === id)?.state;
    const pattern = behavior.pathPattern ?? "*";
    const responseHeaders = responseHeadersSettings(stack, behavior.responseHeadersPolicyId);
    if (behavior.cachePolicyId === undefined) {
        return { cache: legacyCacheSettingsOf(behavior), originRequest: NO_ORIGIN_REQUEST_POLICY, responseHeaders };
    }
    const customCache = custom(TYPES.cachePolicy, behavior.cachePolicyId);
    const cache = managedCachePolicy(behavior.cachePolicyId)?.settings ?? (customCache && cacheSettingsOf(customCache));
    if (cache === undefined) {
        throw new Error(
            `Behavior "${pattern}": cache policy ${behavior.cachePolicyId} is neither a managed policy ` +
                "the local stack knows nor a CachePolicy in the program",
        );
    }
    let originRequest = NO_ORIGIN_REQUEST_POLICY;
    if (behavior.originRequestPolicyId !== undefined) {
        const customOriginRequest = custom(TYPES.originRequestPolicy, behavior.originRequestPolicyId);
        const found =
            managedOriginRequestPolicy(behavior.originRequestPolicyId)?.settings ??
            (customOriginRequest && originRequestSettingsOf(customOriginRequest));
        if (found === undefined) {
            throw new Error(
                `Behavior "${pattern}": origin request policy ${behavior.originRequestPolicyId} is neither ` +
                    "a managed policy the local stack knows nor an OriginRequestPolicy in the program",
            );
        }
        originRequest = found;
    }
    return { cache, originRequest, responseHeaders };
}

function responseHeadersSettings(stack: CapturedStack, id: string | undefined): ResponseHeadersSettings {
    if (id === undefined) {
        return NO_RESPONSE_HEADERS;
    }
    const managed = managedResponseHeadersPolicy(id);
    if (managed) {
        return managed.settings;
    }
    const custom = resourcesOfType(stack, TYPES.responseHeadersPolicy).find((r) => r.id === id);
    if (!custom) {
        throw new Error(
            `Response headers policy ${id} is neither a managed policy the local stack knows nor a ResponseHeadersPolicy in the program`,
        );
    }
    return responseHeadersSettingsOf(custom.state);
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
    const included = (name: string) => forwardsViewerHeader(cache, originRequest, name);
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
    if (authorization.length > 0 && authorizationForwarded(cache, originRequest, ctx.method, ctx.cachedMethods)) {
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
