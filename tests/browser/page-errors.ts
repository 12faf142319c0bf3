import type { Page } from "playwright-core";

/** Chromium logs every 4xx/5xx fetch response as a console error, in this form. */
const HTTP_ERROR_LINE = /^Failed to load resource: the server responded with a status of (\d{3})\b/;

/** The statuses the tests provoke from the local stack on purpose: 401, 403 and 404. */
const ALWAYS_EXPECTED_STATUSES: readonly number[] = [401, 403, 404];

/** A page's uncaught errors and unexpected console errors, collected per test. */
export interface PageErrorWatch {
    /** Lets the running test provoke `status` on purpose, until the next {@link PageErrorWatch.take}. */
    expectStatus(status: number): void;
    /** The errors since the last call; forgets them and the statuses expected by the test that ends. */
    take(): string[];
}

/**
 * Collects a page's uncaught errors and unexpected console errors from now on. Chromium's line for
 * an expected HTTP error status is not an error; anything else (an uncaught exception, a CORS
 * refusal, a failed module load) is.
 */
export function watchPageErrors(page: Page): PageErrorWatch {
    let errors: string[] = [];
    let expected = new Set(ALWAYS_EXPECTED_STATUSES);
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
    page.on("console", (message) => {
        const status = HTTP_ERROR_LINE.exec(message.text())?.[1];
        if (message.type() === "error" && !(status !== undefined && expected.has(Number(status)))) {
            errors.push(`console.error at ${message.location().url}: ${message.text()}`);
        }
    });
    return {
        expectStatus: (status) => {
            expected.add(status);
        },
        take: () => {
            const taken = errors;
            errors = [];
            expected = new Set(ALWAYS_EXPECTED_STATUSES);
            return taken;
        },
    };
}
