/**
 * What the shared checks run against: a site's address, its frontend config and, for the IAM
 * route, credentials (or why there are none). One shape for both targets: the local stack the
 * tests start in-process, and a deployed distribution named by URL or by stack.
 */
import { CONFIG_KEY, type FrontendConfig } from "../../core/frontend-config";
import { type ConsoleConfig, errorMessage, parseConfig } from "../../site/src/config";
import type { Credentials } from "../../site/src/sign";

/** Credentials for the IAM check, and where they came from (for the table, never the secret). */
export interface IamCredentials {
    readonly credentials: Credentials;
    readonly source: string;
}

/** Why a check is not run against this target; shown in the table, never counted as a pass. */
export interface NotRun {
    readonly notRun: string;
}

/** A signed-in user's access token for the token route, and where it came from (never the token). */
export interface BearerToken {
    readonly token: string;
    readonly source: string;
}

export interface CheckTarget {
    /** Scheme, host and port of the site, no trailing slash: `https://d111.cloudfront.net`. */
    readonly siteUrl: string;
    readonly config: FrontendConfig;
    readonly iam: IamCredentials | NotRun;
    /** With a sign-in provider (not the demo tokens): a user's access token, or why there is none. */
    readonly bearer: BearerToken | NotRun;
}

/** The frontend config's own fields, without what a reader adds (the local stack's `local`). */
export function frontendConfigOf(config: FrontendConfig): FrontendConfig {
    const { apiPath, region, signing, auth } = config;
    return { apiPath, region, signing, auth };
}

/** How long one request may take before the check fails (a cold Lambda answers within seconds). */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The site's origin from a user-given address; `what` names where it came from (a flag, a stack
 * output) so the error says which value to fix.
 */
export function siteOrigin(value: string, what: string): string {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new Error(
            `${what} is "${value}", not a URL; give the site's address, e.g. https://d111111abcdef8.cloudfront.net`,
        );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new Error(`${what} is "${value}"; it must be an http(s) URL, e.g. https://d111111abcdef8.cloudfront.net`);
    }
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
        throw new Error(`${what} is "${value}"; give the site's root without a path or query, e.g. ${url.origin}`);
    }
    return url.origin;
}

/** The site's own `/config.json`, validated as the SPA validates it (with `local` on the local stack). */
export async function fetchSiteConfig(siteUrl: string): Promise<ConsoleConfig> {
    const url = `${siteUrl}/${CONFIG_KEY}`;
    let response: Response;
    try {
        response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
        throw new Error(`GET ${url} failed: ${describeFetchError(error)}`);
    }
    const text = await response.text();
    if (response.status !== 200) {
        throw new Error(`GET ${url} answered ${response.status}: ${excerpt(text)}`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        throw new Error(`GET ${url} is not JSON (${response.headers.get("content-type")}): ${excerpt(text)}`);
    }
    return parseConfig(json);
}

/** A fetch error with its cause (`ECONNREFUSED`, `ENOTFOUND`, a timeout), which `fetch failed` hides. */
export function describeFetchError(error: unknown): string {
    const cause = (error as { cause?: unknown })?.cause;
    return cause === undefined ? errorMessage(error) : `${errorMessage(error)} (${errorMessage(cause)})`;
}

/** A body on one line, cut to a readable length, for a table cell. */
export function excerpt(text: string, length = 160): string {
    const line = text.replace(/\s+/g, " ").trim();
    return line.length > length ? `${line.slice(0, length)}…` : line;
}
