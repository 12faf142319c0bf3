/**
 * The product's promise seen from the browser: Chromium opens the site, calls the API on the
 * page's own origin as the console does, and sends no CORS preflight. Against a deployed target
 * only the browser side can be observed, so the requests are recorded from Chromium itself (the
 * DevTools protocol), never from server logs.
 */
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../browser/chromium";
import { fetchFromPage } from "../browser/page-fetch";
import type { CallId } from "../../site/src/calls";
import { consoleCall, fail, TOKENS } from "./http-checks";
import { excerpt, type CheckTarget } from "./target";

/** A request as Chromium reported it. */
export interface SeenRequest {
    readonly method: string;
    readonly url: string;
    /** The DevTools initiator type: `script`, `parser`, `preflight`, ... */
    readonly initiator: string;
}

/** A request the page made: method and absolute URL. */
export interface SentCall {
    readonly method: string;
    readonly url: string;
}

/**
 * Records every request Chromium sends for the page from now on, CORS preflights included: the
 * DevTools protocol's `Network.requestWillBeSent` reports a preflight with the initiator type
 * `preflight` (the protocol's `Network.Initiator` type enum), while Playwright's own request events
 * leave preflights out (seen on this machine with Chromium and playwright-core 1.65). The returned
 * function reads what was recorded, after a round trip through the same session so that the events
 * of calls that already answered have arrived.
 */
export async function recordRequests(context: BrowserContext, page: Page): Promise<() => Promise<SeenRequest[]>> {
    const session = await context.newCDPSession(page);
    const seen: SeenRequest[] = [];
    session.on("Network.requestWillBeSent", (event) => {
        seen.push({ method: event.request.method, url: event.request.url, initiator: event.initiator.type });
    });
    await session.send("Network.enable");
    return async () => {
        await session.send("Runtime.evaluate", { expression: "0" });
        return [...seen];
    };
}

/**
 * Every sent call must be among the requests Chromium reported (else the recording proves nothing),
 * and Chromium must have sent no preflight at all. Returns what was seen, throws when it is wrong.
 */
export function preflightVerdict(seen: readonly SeenRequest[], sent: readonly SentCall[]): string {
    const unreported = sent.filter((call) => !seen.some((r) => r.method === call.method && r.url === call.url));
    if (unreported.length > 0) {
        fail(
            `Chromium reported no request for ${unreported.map((c) => `${c.method} ${c.url}`).join(", ")}, ` +
                "so whether it preflighted is unknown",
        );
    }
    const preflights = seen.filter((r) => r.method === "OPTIONS" || r.initiator === "preflight");
    if (preflights.length > 0) {
        fail(
            `Chromium sent ${preflights.length} preflight(s): ${preflights.map((r) => `${r.method} ${r.url}`).join(", ")}`,
        );
    }
    return `${sent.length} calls, no OPTIONS sent`;
}

/** A console call made from the page; each must answer 200. */
interface PageCall {
    readonly id: CallId;
    readonly token?: string;
}

/** The console's calls; all but the first would be preflighted cross-origin. */
const PAGE_CALLS: readonly PageCall[] = [
    { id: "public-get" },
    // A JSON Content-Type: not a CORS-safelisted value.
    { id: "public-post" },
    // An Authorization header: not CORS-safelisted.
    { id: "authorized", token: TOKENS.allow },
];

/** The console's calls from the site's page in a fresh Chromium context; throws when one is preflighted or fails. */
export async function checkNoPreflight(target: CheckTarget): Promise<string> {
    const browser = await launchChromium();
    try {
        // A fresh context: no preflight cache left by anything else.
        const context = await browser.newContext();
        const page = await context.newPage();
        const recorded = await recordRequests(context, page);
        const response = await page.goto(`${target.siteUrl}/`);
        if (response?.status() !== 200) {
            fail(`Chromium opened ${target.siteUrl}/: ${response?.status()}`);
        }
        const pageOrigin = new URL(page.url()).origin;
        if (pageOrigin !== target.siteUrl) {
            fail(`Chromium ended on ${page.url()}, not on ${target.siteUrl}: the calls would not be same-origin`);
        }
        // The IAM call too when there are credentials: SigV4's X-Amz-Date and Authorization headers.
        const credentials = "notRun" in target.iam ? undefined : target.iam.credentials;
        const calls: readonly PageCall[] = credentials === undefined ? PAGE_CALLS : [...PAGE_CALLS, { id: "iam" }];
        const sent: SentCall[] = [];
        for (const call of calls) {
            // Built right before it is sent: the IAM call's signature is dated.
            const request = consoleCall(target, call.id, { token: call.token, credentials });
            const result = await fetchFromPage(page, { ...request, url: request.path });
            sent.push({ method: request.method, url: new URL(request.path, page.url()).href });
            if (result.status !== 200 || !/\bjson\b/.test(result.contentType ?? "")) {
                fail(
                    `${request.method} ${request.path} from the page -> ${result.status} ${result.contentType}, ` +
                        `expected 200 JSON: ${excerpt(result.body)}`,
                );
            }
        }
        const made = sent.map((c) => `${c.method} ${new URL(c.url).pathname}`).join(", ");
        const iamNote = credentials === undefined ? "; no IAM call (no credentials)" : "";
        return `${preflightVerdict(await recorded(), sent)}: ${made} from ${pageOrigin}, each 200${iamNote}`;
    } finally {
        await browser.close();
    }
}
