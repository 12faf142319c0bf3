import type { Page } from "playwright-core";

/**
 * Chromium logs every 4xx/5xx fetch response as a console error. The tests provoke 401, 403 and
 * 404 on purpose, so those lines are expected; anything else (an uncaught exception, a CORS
 * refusal, a failed module load) is not.
 */
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of (401|403|404)\b/;

/** Collects a page's uncaught errors and unexpected console errors from now on. */
export function watchPageErrors(page: Page): () => readonly string[] {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
    page.on("console", (message) => {
        if (message.type() === "error" && !EXPECTED_HTTP_ERROR.test(message.text())) {
            errors.push(`console.error at ${message.location().url}: ${message.text()}`);
        }
    });
    return () => [...errors];
}
