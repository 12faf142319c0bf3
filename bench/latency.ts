/**
 * Times API calls in Chromium against a local stack with injected latency: the same calls from
 * the page's own origin (through the emulated CloudFront) and cross-origin (straight to the
 * emulated API Gateway), so the only difference is whether the browser must preflight.
 */
import type { Browser, Page } from "playwright-core";
import { signingPathFor } from "../core/paths";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../local/server";
import { type ApiTarget, apiTargetOf, directPathFor, directUrlFor } from "../tests/browser/api-target";
import { openConsole } from "../tests/browser/console-page";
import { fetchFromPage, type PageFetchRequest } from "../tests/browser/page-fetch";
import { sigV4Headers } from "../tests/browser/sigv4";
import { markRequests, preflights, requestsSince } from "../tests/browser/stack-requests";
import { median, percentile } from "./stats";

/** How a call authenticates: a token in `Authorization`, or a SigV4 signature. */
export type CallKind = "token" | "iam";
/** Where the page sends the call. */
export type CallOrigin = "same" | "cross";

export const CALL_KINDS: readonly CallKind[] = ["token", "iam"];
export const CALL_ORIGINS: readonly CallOrigin[] = ["same", "cross"];

/** N calls of one kind from one origin at one injected latency. */
export interface Measurement {
    readonly latencyMs: number;
    readonly kind: CallKind;
    readonly origin: CallOrigin;
    readonly calls: number;
    readonly medianMs: number;
    readonly p95Ms: number;
    /** Preflights the stack received during these calls (both listeners). */
    readonly optionsCount: number;
    readonly samplesMs: readonly number[];
}

const ROUTE_OF_KIND: Readonly<Record<CallKind, string>> = { token: "authorized", iam: "iam" };

/** A distinct URL per call: Chromium caches preflights per URL, and a REST client rarely repeats one. */
function viewerPathFor(target: ApiTarget, kind: CallKind, index: number): string {
    return `${target.config.apiPath}/${ROUTE_OF_KIND[kind]}/item/${index}`;
}

/**
 * The request for call `index`. IAM calls are signed in Node right before they are sent, for the
 * Host and path API Gateway will see: the origin's host and the signing prefix through the site,
 * the emulated endpoint's own host and path (stage, or a custom domain's base path) cross-origin.
 */
function requestFor(target: ApiTarget, kind: CallKind, origin: CallOrigin, index: number): PageFetchRequest {
    const viewerPath = viewerPathFor(target, kind, index);
    const url = origin === "same" ? viewerPath : directUrlFor(target, viewerPath);
    if (kind === "token") {
        return { url, headers: { Authorization: "allow" } };
    }
    const { signing } = target.config;
    const signed =
        origin === "same"
            ? { host: signing.host, path: signingPathFor(target.config, viewerPath) }
            : { host: new URL(target.directOrigin).host, path: directPathFor(target, viewerPath) };
    return {
        url,
        headers: sigV4Headers(
            { ...signed, method: "GET", region: signing.region, service: signing.service },
            target.config.local,
        ),
    };
}

async function measure(
    page: Page,
    stack: LocalStack,
    target: ApiTarget,
    latencyMs: number,
    kind: CallKind,
    origin: CallOrigin,
    calls: number,
): Promise<Measurement> {
    const mark = markRequests(stack);
    const samplesMs: number[] = [];
    for (let index = 0; index < calls; index++) {
        const request = requestFor(target, kind, origin, index);
        const result = await fetchFromPage(page, request);
        if (result.status !== 200) {
            // A failing call would time an error path, not the API: the numbers would mean nothing.
            throw new Error(`${kind} ${origin}-origin GET ${request.url} answered ${result.status}: ${result.body}`);
        }
        samplesMs.push(result.ms);
    }
    return {
        latencyMs,
        kind,
        origin,
        calls,
        samplesMs,
        medianMs: median(samplesMs),
        p95Ms: percentile(samplesMs, 95),
        optionsCount: preflights(requestsSince(stack, mark)).length,
    };
}

/** Opens the connections to both listeners with simple (never preflighted) GETs, outside any timing. */
async function warmUp(page: Page, target: ApiTarget): Promise<void> {
    const path = `${target.config.apiPath}/hello`;
    for (const url of [path, directUrlFor(target, path)]) {
        const result = await fetchFromPage(page, { url });
        if (result.status !== 200) {
            throw new Error(`warm-up GET ${url} answered ${result.status}: ${result.body}`);
        }
    }
}

/**
 * The stack a measurement runs against: the dev stack with `latencyMs` injected, free ports, and the
 * origin lockdown off, so that API Gateway's own endpoint answers the cross-origin calls (locked down,
 * it refuses every call without the API key only CloudFront holds).
 */
export function benchStackOptions(latencyMs: number): LocalStackOptions {
    return { latencyMs, port: 0, directPort: 0, config: { originLockdown: "false" } };
}

/** Starts a stack with `latencyMs` injected and measures every kind from both origins. */
export async function measureAtLatency(browser: Browser, latencyMs: number, calls: number): Promise<Measurement[]> {
    const stack = await startLocalStack(benchStackOptions(latencyMs));
    // A fresh context: no preflight cache or connection carried over from another latency.
    const context = await browser.newContext();
    try {
        const target = await apiTargetOf(stack);
        const page = await context.newPage();
        await openConsole(page, stack.url);
        await warmUp(page, target);
        const measurements: Measurement[] = [];
        for (const kind of CALL_KINDS) {
            for (const origin of CALL_ORIGINS) {
                measurements.push(await measure(page, stack, target, latencyMs, kind, origin, calls));
            }
        }
        return measurements;
    } finally {
        await context.close();
        await stack.close();
    }
}
