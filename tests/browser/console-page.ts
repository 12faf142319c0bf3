/**
 * Drives the API console (site/) through its DOM contract: `#run-<id>` submit buttons, one form
 * per call, `#result-<id>` elements with `data-state`, `data-status` and `data-stale`, holding a
 * `.summary` line, a `.message`, a `.facts` list, a `.sent` list and the raw body in a `<pre>`
 * inside `details.raw`; `body[data-ready="true"]`.
 */
import type { Page, Response } from "playwright-core";

/** The console's calls, as named in its element ids. */
export type CallId = "public-get" | "public-post" | "authorized" | "iam";

export const CALL_IDS: readonly CallId[] = ["public-get", "public-post", "authorized", "iam"];

/** One result box as the page shows it. */
export interface ShownResult {
    readonly state: string | undefined;
    readonly status: number | undefined;
    /** Whether `data-stale="true"` is set. */
    readonly stale: boolean;
    /** The first line: status and latency, "Running…", "Not sent" or "No response". */
    readonly headline: string;
    /** The error message shown prominently, or "". */
    readonly message: string;
    /** The summary's facts (authorizer context, IAM identity, echoed body), by label. */
    readonly facts: Readonly<Record<string, string>>;
    /** What was sent, by label (`Request`, header names, `Body`); empty when the section is hidden. */
    readonly sent: Readonly<Record<string, string>>;
    /** The raw response body (`<pre>` text), pretty-printed when it is JSON. */
    readonly text: string;
    /** Whether the raw body's `<details>` is open. */
    readonly rawOpen: boolean;
}

/**
 * Loads `path` from the site and waits until the console has read its config. A fresh page leaves
 * no result in a previous run's state.
 */
export async function openConsole(page: Page, siteUrl: string, path = "/"): Promise<Response | null> {
    const response = await page.goto(new URL(path, siteUrl).href);
    if (response?.status() !== 200) {
        // Without the page there is nothing to wait for: fail now, with what the site answered.
        throw new Error(`GET ${path} answered ${response?.status()}: ${await response?.text()}`);
    }
    await page.waitForSelector('body[data-ready="true"], #config-error:not([hidden])', { state: "attached" });
    const configError = await page
        .locator("#config-error")
        .evaluate((e) => ((e as HTMLElement).hidden ? "" : (e.textContent ?? "")));
    if (configError !== "") {
        throw new Error(`the console did not start: ${configError}`);
    }
    return response;
}

/** Reads a result box. */
export async function shownResult(page: Page, id: CallId): Promise<ShownResult> {
    // Arrows passed inline only: tsx's name helpers would not exist inside the page.
    return page.locator(`#result-${id}`).evaluate((element) => {
        const root = element as HTMLElement;
        const status = root.dataset.status;
        const sent = root.querySelector<HTMLElement>(".sent");
        const raw = root.querySelector("details.raw") as HTMLDetailsElement | null;
        return {
            state: root.dataset.state,
            status: status === undefined ? undefined : Number(status),
            stale: root.dataset.stale === "true",
            headline: root.querySelector(".summary")?.textContent ?? "",
            message: root.querySelector(".message")?.textContent ?? "",
            facts: Object.fromEntries(
                Array.from(root.querySelectorAll(".facts dt"), (term) => [
                    term.textContent ?? "",
                    term.nextElementSibling?.textContent ?? "",
                ]),
            ),
            sent:
                sent === null || sent.hidden
                    ? {}
                    : Object.fromEntries(
                          Array.from(sent.querySelectorAll("dt"), (term) => [
                              term.textContent ?? "",
                              term.nextElementSibling?.textContent ?? "",
                          ]),
                      ),
            text: raw?.querySelector("pre")?.textContent ?? "",
            rawOpen: raw?.open ?? false,
        };
    });
}

/**
 * Starts watching a result; the returned function waits for the page to next put it in a settled
 * state (`done` or `error`) and reads it. Watching from before the action means a result left
 * from an earlier run is never mistaken for the new one.
 */
export async function nextResult(page: Page, id: CallId): Promise<() => Promise<ShownResult>> {
    const watch = await page.locator(`#result-${id}`).evaluateHandle((element) => ({
        settled: new Promise<void>((resolve) => {
            const observer = new MutationObserver(() => {
                const state = (element as HTMLElement).dataset.state;
                if (state === "done" || state === "error") {
                    observer.disconnect();
                    resolve();
                }
            });
            observer.observe(element, { attributes: true, attributeFilter: ["data-state"] });
        }),
    }));
    return async () => {
        await watch.evaluate((handle) => handle.settled);
        await watch.dispose();
        return shownResult(page, id);
    };
}

/** Clicks a call's button and returns the result once the page shows it. */
export async function runCall(page: Page, id: CallId): Promise<ShownResult> {
    const result = await nextResult(page, id);
    await page.click(`#run-${id}`);
    return result();
}

/** Presses Enter in a field of a call's form and returns the call's result once the page shows it. */
export async function pressEnter(page: Page, id: CallId, selector: string): Promise<ShownResult> {
    const result = await nextResult(page, id);
    await page.press(selector, "Enter");
    return result();
}

/** Clicks "Run all" and returns every result once the button is enabled again (it runs them in order). */
export async function runAll(page: Page): Promise<Record<CallId, ShownResult>> {
    const waits = await Promise.all(CALL_IDS.map((id) => nextResult(page, id)));
    await page.click("#run-all");
    await page.waitForSelector("#run-all:not([disabled])", { state: "attached" });
    const results = {} as Record<CallId, ShownResult>;
    for (const [index, id] of CALL_IDS.entries()) {
        results[id] = await waits[index]();
    }
    return results;
}

/** The raw body as JSON; fails with the text when it is not JSON. */
export function jsonOf(result: ShownResult): any {
    try {
        return JSON.parse(result.text);
    } catch {
        throw new Error(
            `expected a JSON body, the page shows (state ${result.state}, status ${result.status}):\n${result.text}`,
        );
    }
}
