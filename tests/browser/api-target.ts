/**
 * Where a same-origin API call goes, derived from the captured program (config and outputs) and the
 * site's `/config.json`, so the tests follow whatever the stack declares instead of hard-coding the
 * stage or the routes' base path. The derivation is written out from the CloudFront and API
 * Gateway rules (see shared NOTES.md) rather than reusing core/paths.ts, so a mistake there shows
 * up as a failing browser test instead of being repeated here.
 */
import type { LocalStack } from "../../local/server";
import type { ConsoleConfig, LocalCredentials } from "../../site/src/config";

/** The SPA's `/config.json`, as the local stack serves it (with its IAM credentials). */
export type SiteConfig = ConsoleConfig & { readonly local: LocalCredentials };

/** The facts about one running stack that decide every path below. */
export interface ApiTarget {
    readonly siteUrl: string;
    readonly config: SiteConfig;
    /** `direct-stage` or `custom-domain`. */
    readonly proxyMode: string;
    /** The API Gateway stage, e.g. `dev`. */
    readonly stage: string;
    /** Where the REST API's routes live: `apiPath`, or `""` when the edge rewriter strips it. */
    readonly routeBase: string;
    /** The custom domain's base path mapping (`v1`), or `""`. */
    readonly basePath: string;
    /** Scheme and host of the emulated API Gateway endpoint, cross-origin from the site. */
    readonly directOrigin: string;
    /**
     * What precedes the routes when a frontend calls that endpoint: the path of the
     * `customDomainUrl` output (`/<basePath>`) in custom-domain mode, else `/<stage>` (the
     * `directApiUrl` output's execute-api form).
     */
    readonly directPrefix: string;
}

const PROJECT = "same-origin";

function configValue(stack: LocalStack, key: string): string {
    const value = stack.graph.config[`${PROJECT}:${key}`];
    if (value === undefined) {
        throw new Error(`the captured stack has no ${PROJECT}:${key} config`);
    }
    return value;
}

/** The stage from the `directApiUrl` output, `https://{id}.execute-api.{region}.amazonaws.com/{stage}`. */
function stageOf(stack: LocalStack): string {
    const url = stack.graph.outputs.directApiUrl;
    if (typeof url !== "string") {
        throw new Error(`the captured stack's directApiUrl output is ${String(url)}, not a URL`);
    }
    return new URL(url).pathname.replace(/^\/|\/$/g, "");
}

/** The path of the `customDomainUrl` output, `https://{domain}/{basePath}`: `/v1`, or `""` without a base path. */
function customDomainPrefixOf(stack: LocalStack): string {
    const url = stack.graph.outputs.customDomainUrl;
    if (typeof url !== "string") {
        throw new Error(`the captured stack's customDomainUrl output is ${String(url)}, not a URL`);
    }
    return new URL(url).pathname.replace(/\/$/, "");
}

function basePathOf(stack: LocalStack): string {
    const raw = stack.graph.config[`${PROJECT}:customDomain`];
    return raw === undefined ? "" : String((JSON.parse(raw) as { basePath?: string }).basePath ?? "");
}

/** Fetches `/config.json` from the site and fails with the body when it is not what the SPA needs. */
export async function fetchSiteConfig(siteUrl: string): Promise<SiteConfig> {
    const response = await fetch(new URL("/config.json", siteUrl));
    const text = await response.text();
    if (response.status !== 200) {
        throw new Error(`GET ${siteUrl}/config.json answered ${response.status}: ${text}`);
    }
    const config = JSON.parse(text) as SiteConfig;
    if (!config.local?.accessKeyId || !config.signing?.host) {
        throw new Error(`/config.json lacks signing.host or local credentials: ${text}`);
    }
    return config;
}

/** Reads everything path-related about a running local stack. */
export async function apiTargetOf(stack: LocalStack): Promise<ApiTarget> {
    const config = await fetchSiteConfig(stack.url);
    const rewriter = configValue(stack, "pathRewriter");
    const proxyMode = configValue(stack, "proxyMode");
    const stage = stageOf(stack);
    return {
        siteUrl: stack.url,
        config,
        proxyMode,
        stage,
        // Either edge rewriter (a CloudFront Function or Lambda@Edge) strips the prefix before the origin.
        routeBase: rewriter === "none" ? config.apiPath : "",
        basePath: basePathOf(stack),
        directOrigin: new URL(stack.directUrl).origin,
        directPrefix: proxyMode === "custom-domain" ? customDomainPrefixOf(stack) : `/${stage}`,
    };
}

/** A same-origin path without its `apiPath` prefix: `/api/x?q=1` -> `/x?q=1`. */
function routeOf(target: ApiTarget, viewerPath: string): string {
    const { apiPath } = target.config;
    if (!viewerPath.startsWith(`${apiPath}/`)) {
        throw new Error(`"${viewerPath}" is not under ${apiPath}/`);
    }
    return viewerPath.slice(apiPath.length);
}

function withoutQuery(path: string): string {
    return path.split("?")[0];
}

/**
 * The URL of the same route on API Gateway's own endpoint, as a frontend calls it:
 * `/<basePath><routeBase><route>` on the custom domain, `/<stage><routeBase><route>` otherwise.
 */
export function directUrlFor(target: ApiTarget, viewerPath: string): string {
    return `${target.directOrigin}${directPathFor(target, viewerPath)}`;
}

/** The path (and query) API Gateway's own endpoint receives for the route: base path (custom domain) or stage first. */
export function directPathFor(target: ApiTarget, viewerPath: string): string {
    return `${target.directPrefix}${target.routeBase}${routeOf(target, viewerPath)}`;
}

/**
 * The `path` the echo Lambda reports for a call through the site: the execute-api host strips the
 * stage, while a custom domain leaves its base path in `path`.
 */
export function echoedPathViaSite(target: ApiTarget, viewerPath: string): string {
    const mapping = target.proxyMode === "custom-domain" && target.basePath !== "" ? `/${target.basePath}` : "";
    return withoutQuery(`${mapping}${target.routeBase}${routeOf(target, viewerPath)}`);
}

/**
 * The `path` the echo Lambda reports for a call to API Gateway's own endpoint: the execute-api host
 * strips the stage, a custom domain leaves its base path in `path` (as through the site).
 */
export function echoedPathDirect(target: ApiTarget, viewerPath: string): string {
    const mapping = target.proxyMode === "custom-domain" ? target.directPrefix : "";
    return withoutQuery(`${mapping}${target.routeBase}${routeOf(target, viewerPath)}`);
}
