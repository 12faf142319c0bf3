/**
 * Times API calls in Chromium against a local stack with the latency a real deployment has: a
 * viewer-to-edge trip on every request and an edge-to-region trip on every request that goes on to
 * the region. The same calls are made by three callers, so the only differences are where the
 * preflight (if any) is answered and how far the call travels:
 *
 * - `same-origin`: the console, on the stack's own origin, with relative URLs through CloudFront:
 *   no preflight, one trip to the region;
 * - `partner-edge`: a page on another origin calling the CloudFront listener: the preflight is
 *   answered at the edge by the viewer-request CloudFront Function (docs/cors.md), then the call;
 * - `partner-direct`: the same page calling API Gateway's own endpoint: the preflight and the call
 *   both travel to the region.
 */
import type { Browser, Page } from "playwright-core";
import { signingPathFor } from "../core/paths";
import type { ConfigKey } from "../infra/config";
import { startLocalStack, type LocalStack, type LocalStackOptions, type RecordedRequest } from "../local/server";
import { type ApiTarget, apiTargetOf, directPathFor, directUrlFor } from "../tests/browser/api-target";
import { openConsole } from "../tests/browser/console-page";
import { fetchFromPage, type PageFetchRequest } from "../tests/browser/page-fetch";
import { sigV4Headers } from "../tests/browser/sigv4";
import { markRequests, preflights, requestsSince } from "../tests/browser/stack-requests";
import { startRecordingServer } from "../tests/support/recording-server";
import { median, percentile } from "./stats";

/** How a call authenticates: a token in `Authorization`, or a SigV4 signature. */
export type CallKind = "token" | "iam";
/** Who calls, and where to (see the module's comment). */
export type Caller = "same-origin" | "partner-edge" | "partner-direct";

export const CALL_KINDS: readonly CallKind[] = ["token", "iam"];
export const CALLERS: readonly Caller[] = ["same-origin", "partner-edge", "partner-direct"];

/** The delays a stack injects, as `startLocalStack` takes them (`--viewer-latency`, `--origin-latency`). */
export type LatencyShape = Required<Pick<LocalStackOptions, "viewerLatencyMs" | "originLatencyMs">>;

/**
 * The injected delay one call waits for: each request pays the viewer's trip V, and O more when it
 * goes on to the region. Same-origin: the call (V+O). Partner through the edge: the preflight,
 * answered at the edge (V), then the call (V+O). Partner to API Gateway directly: the preflight and
 * the call, both to the region (2(V+O)).
 */
export function injectedDelayMs(caller: Caller, shape: LatencyShape): number {
    const call = shape.viewerLatencyMs + shape.originLatencyMs;
    switch (caller) {
        case "same-origin":
            return call;
        case "partner-edge":
            return shape.viewerLatencyMs + call;
        case "partner-direct":
            return 2 * call;
    }
}

/** The preflights among requests: those the edge answered itself, and those that reached API Gateway. */
export interface PreflightCount {
    readonly atEdge: number;
    readonly atApiGateway: number;
}

/**
 * Counts preflights by where they were answered: on the CloudFront listener without reaching an
 * origin (the viewer-request function answered), or at API Gateway (forwarded by CloudFront to the
 * API origin, or sent to API Gateway's own endpoint).
 */
export function countPreflights(requests: readonly RecordedRequest[]): PreflightCount {
    const all = preflights(requests);
    const atEdge = all.filter((r) => r.listener === "cloudfront" && r.reached === undefined).length;
    return { atEdge, atApiGateway: all.length - atEdge };
}

/** N calls of one kind by one caller at one latency shape. */
export interface Measurement extends LatencyShape {
    readonly kind: CallKind;
    readonly caller: Caller;
    readonly calls: number;
    readonly medianMs: number;
    readonly p95Ms: number;
    /** Preflights the stack received during these calls, by where they were answered. */
    readonly preflights: PreflightCount;
    readonly samplesMs: readonly number[];
}

const ROUTE_OF_KIND: Readonly<Record<CallKind, string>> = { token: "authorized", iam: "iam" };

/** A distinct URL per call: Chromium caches preflights per URL, and a REST client rarely repeats one. */
function viewerPathFor(target: ApiTarget, kind: CallKind, index: number): string {
    return `${target.config.apiPath}/${ROUTE_OF_KIND[kind]}/item/${index}`;
}

/**
 * The request for call `index`. IAM calls are signed in Node right before they are sent, for the
 * Host and path API Gateway will see: through CloudFront, the origin's host and the signing
 * prefix; at API Gateway's own endpoint, the emulated endpoint's host and path (stage, or a custom
 * domain's base path).
 */
function requestFor(target: ApiTarget, kind: CallKind, caller: Caller, index: number): PageFetchRequest {
    const viewerPath = viewerPathFor(target, kind, index);
    const direct = caller === "partner-direct";
    const url = direct
        ? directUrlFor(target, viewerPath)
        : caller === "partner-edge"
          ? new URL(viewerPath, target.siteUrl).href
          : viewerPath;
    if (kind === "token") {
        return { url, headers: { Authorization: "allow" } };
    }
    const { signing } = target.config;
    const signed = direct
        ? { host: new URL(target.directOrigin).host, path: directPathFor(target, viewerPath) }
        : { host: signing.host, path: signingPathFor(target.config, viewerPath) };
    return {
        url,
        headers: sigV4Headers(
            { ...signed, method: "GET", region: signing.region, service: signing.service },
            target.config.local,
        ),
    };
}

/** The pages the calls are made from: the console on the stack's origin, the partner's page. */
interface CallerPages {
    readonly console: Page;
    readonly partner: Page;
}

async function measure(
    pages: CallerPages,
    stack: LocalStack,
    target: ApiTarget,
    shape: LatencyShape,
    kind: CallKind,
    caller: Caller,
    calls: number,
): Promise<Measurement> {
    const page = caller === "same-origin" ? pages.console : pages.partner;
    const mark = markRequests(stack);
    const samplesMs: number[] = [];
    for (let index = 0; index < calls; index++) {
        const request = requestFor(target, kind, caller, index);
        const result = await fetchFromPage(page, request);
        if (result.status !== 200) {
            // A failing call would time an error path, not the API: the numbers would mean nothing.
            throw new Error(`${kind} call by ${caller}: GET ${request.url} answered ${result.status}: ${result.body}`);
        }
        samplesMs.push(result.ms);
    }
    return {
        ...shape,
        kind,
        caller,
        calls,
        samplesMs,
        medianMs: median(samplesMs),
        p95Ms: percentile(samplesMs, 95),
        preflights: countPreflights(requestsSince(stack, mark)),
    };
}

/**
 * Opens each page's connections to the listeners it calls with simple (never preflighted) GETs,
 * outside any timing.
 */
async function warmUp(pages: CallerPages, target: ApiTarget): Promise<void> {
    const path = `${target.config.apiPath}/hello`;
    const calls: [Page, string][] = [
        [pages.console, path],
        [pages.partner, new URL(path, target.siteUrl).href],
        [pages.partner, directUrlFor(target, path)],
    ];
    for (const [page, url] of calls) {
        const result = await fetchFromPage(page, { url });
        if (result.status !== 200) {
            throw new Error(`warm-up GET ${url} answered ${result.status}: ${result.body}`);
        }
    }
}

/**
 * The stack a measurement runs against: the dev stack with the latency shape injected, free ports,
 * the partner's origin allowed by the config key `cors` (so the edge answers its preflights), and
 * the origin lockdown off, so that API Gateway's own endpoint answers the direct calls (locked
 * down, it refuses every call without the API key only CloudFront holds).
 */
export function benchStackOptions(shape: LatencyShape, partnerOrigin: string): LocalStackOptions {
    const config: Partial<Record<ConfigKey, string>> = {
        originLockdown: "false",
        cors: JSON.stringify({ allowOrigins: [partnerOrigin] }),
    };
    return { ...shape, port: 0, directPort: 0, config };
}

/** The partner's page: empty, its calls are made by the benchmark. */
const PARTNER_PAGE = {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    body: '<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>partner</title></html>\n',
};

/** Starts a partner site and a stack with the latency shape, and measures every kind from every caller. */
export async function measureAtShape(browser: Browser, shape: LatencyShape, calls: number): Promise<Measurement[]> {
    // Another port of the loopback address is another origin (scheme, host and port: RFC 6454,
    // section 4), so the page's calls carry Origin and are preflighted like any partner's.
    const partner = await startRecordingServer(() => PARTNER_PAGE);
    try {
        const stack = await startLocalStack(benchStackOptions(shape, partner.url));
        // A fresh context: no preflight cache or connection carried over from another shape.
        const context = await browser.newContext();
        try {
            const target = await apiTargetOf(stack);
            const pages: CallerPages = { console: await context.newPage(), partner: await context.newPage() };
            await openConsole(pages.console, stack.url);
            const partnerPage = await pages.partner.goto(`${partner.url}/`);
            if (partnerPage?.status() !== 200) {
                throw new Error(`the partner page ${partner.url}/ answered ${partnerPage?.status()}`);
            }
            await warmUp(pages, target);
            const measurements: Measurement[] = [];
            for (const kind of CALL_KINDS) {
                for (const caller of CALLERS) {
                    measurements.push(await measure(pages, stack, target, shape, kind, caller, calls));
                }
            }
            return measurements;
        } finally {
            await context.close();
            await stack.close();
        }
    } finally {
        await partner.close();
    }
}
