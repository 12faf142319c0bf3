/**
 * Drives the API console (site/) through its DOM contract: `#run-<id>` buttons, `#result-<id>`
 * elements with `data-state`, `data-status` and a `<pre>` body, `body[data-ready="true"]`.
 */
import type { Page, Response } from "playwright-core";

/** The console's calls, as named in its element ids. */
export type CallId = "public-get" | "public-post" | "authorized" | "iam";

export const CALL_IDS: readonly CallId[] = ["public-get", "public-post", "authorized", "iam"];

/** One result box as the page shows it. */
export interface ShownResult {
    readonly state: string | undefined;
    readonly status: number | undefined;
    /** The `<pre>` text: the response body, pretty-printed when it is JSON. */
    readonly text: string;
}

/**
 * Loads `path` from the site and waits until the console has read its config. Opening the page
 * afresh for every test leaves no result element in a previous run's state, so waiting for
 * `data-state` cannot see a stale answer.
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
    return page.locator(`#result-${id}`).evaluate((element) => {
        const status = (element as HTMLElement).dataset.status;
        return {
            state: (element as HTMLElement).dataset.state,
            status: status === undefined ? undefined : Number(status),
            text: element.querySelector("pre")?.textContent ?? "",
        };
    });
}

async function settled(page: Page, id: CallId): Promise<ShownResult> {
    await page.waitForSelector(`#result-${id}[data-state="done"], #result-${id}[data-state="error"]`, {
        state: "attached",
    });
    return shownResult(page, id);
}

/** Clicks a call's button and returns the result once the page shows it. */
export async function runCall(page: Page, id: CallId): Promise<ShownResult> {
    await page.click(`#run-${id}`);
    return settled(page, id);
}

/** Clicks "Run all" and returns every result once the button is enabled again (it runs them in order). */
export async function runAll(page: Page): Promise<Record<CallId, ShownResult>> {
    await page.click("#run-all");
    await page.waitForSelector("#run-all:not([disabled])", { state: "attached" });
    const results = {} as Record<CallId, ShownResult>;
    for (const id of CALL_IDS) {
        results[id] = await settled(page, id);
    }
    return results;
}

/** The `<pre>` body as JSON; fails with the text when it is not JSON. */
export function jsonOf(result: ShownResult): any {
    try {
        return JSON.parse(result.text);
    } catch {
        throw new Error(
            `expected a JSON body, the page shows (state ${result.state}, status ${result.status}):\n${result.text}`,
        );
    }
}
