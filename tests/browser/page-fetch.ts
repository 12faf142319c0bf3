import type { Page } from "playwright-core";

/** A request the page itself sends with `fetch`. */
export interface PageFetchRequest {
    /** Relative (same-origin) or absolute (cross-origin). */
    readonly url: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
}

/** What the page saw; `ms` is the browser's own time from `fetch` to the end of the body. */
export interface PageFetchResult {
    readonly status: number;
    readonly contentType: string | null;
    readonly body: string;
    readonly ms: number;
}

/**
 * Runs `fetch` inside the page, so the browser's CORS rules (and preflights) apply and the timing
 * is the browser's. `no-store`: every call must reach the stack.
 */
export function fetchFromPage(page: Page, request: PageFetchRequest): Promise<PageFetchResult> {
    // An arrow with no named inner functions: tsx's name helpers would not exist inside the page.
    return page.evaluate(
        async ({ url, method, headers, body }) => {
            const started = performance.now();
            const response = await fetch(url, { method, headers, body, cache: "no-store" });
            const text = await response.text();
            return {
                status: response.status,
                contentType: response.headers.get("content-type"),
                body: text,
                ms: performance.now() - started,
            };
        },
        { url: request.url, method: request.method ?? "GET", headers: { ...request.headers }, body: request.body },
    );
}
