/**
 * Runs the shared checks against a target and reports them as a table: one row per check with
 * PASS, FAIL or NOT RUN. A check not run is never a pass: the summary counts it apart.
 */
import { checkNoPreflight } from "./browser-check";
import type { AuthProvider } from "../../core/auth";
import { CheckFailure, type HttpCheck, httpChecks, send } from "./http-checks";
import { type CheckTarget, describeFetchError, type NotRun } from "./target";

export type Outcome = "PASS" | "FAIL" | "NOT RUN";

export interface CheckResult {
    readonly name: string;
    readonly outcome: Outcome;
    readonly detail: string;
}

/** The browser check's row name. */
export const BROWSER_CHECK_NAME = "no preflight in Chromium";

/** Every row of a full run against a stack signing users in with `provider`, in order. */
export function checkNames(provider: AuthProvider): readonly string[] {
    return [...httpChecks(provider).map((check) => check.name), BROWSER_CHECK_NAME];
}

export interface RunOptions {
    /** Run the browser check, or why not. */
    readonly browser: "run" | NotRun;
}

/** What went wrong, as a detail: a check's own message, or the error of whatever broke. */
function failureDetail(error: unknown): string {
    return error instanceof CheckFailure ? error.message : describeFetchError(error);
}

/** Runs one HTTP check: its requests in order, then its expectation. */
export async function runHttpCheck(check: HttpCheck, target: CheckTarget): Promise<CheckResult> {
    try {
        const requests = check.requests(target);
        if ("notRun" in requests) {
            return { name: check.name, outcome: "NOT RUN", detail: `not run: ${requests.notRun}` };
        }
        const replies = [];
        for (const request of requests) {
            replies.push(await send(target.siteUrl, request));
        }
        return { name: check.name, outcome: "PASS", detail: check.expect(replies, target) };
    } catch (error) {
        return { name: check.name, outcome: "FAIL", detail: failureDetail(error) };
    }
}

async function runBrowserCheck(target: CheckTarget, options: RunOptions): Promise<CheckResult> {
    if (options.browser !== "run") {
        return { name: BROWSER_CHECK_NAME, outcome: "NOT RUN", detail: `not run: ${options.browser.notRun}` };
    }
    try {
        const detail = await checkNoPreflight(target);
        return { name: BROWSER_CHECK_NAME, outcome: "PASS", detail };
    } catch (error) {
        return { name: BROWSER_CHECK_NAME, outcome: "FAIL", detail: failureDetail(error) };
    }
}

/** Every check, one after the other (a deployed API should not see a burst from its own smoke test). */
export async function runChecks(target: CheckTarget, options: RunOptions): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const check of httpChecks(target.config.auth.provider)) {
        results.push(await runHttpCheck(check, target));
    }
    results.push(await runBrowserCheck(target, options));
    return results;
}

const HEADER = { name: "CHECK", outcome: "RESULT", detail: "DETAIL" };

/** The results as an aligned text table with a header row, one line per check. */
export function formatTable(results: readonly CheckResult[]): string {
    const rows = [HEADER, ...results];
    const nameWidth = Math.max(...rows.map((r) => r.name.length));
    const outcomeWidth = Math.max(...rows.map((r) => r.outcome.length));
    return rows
        .map((r) => {
            const detail = r.detail.replace(/\s*\n\s*/g, " ");
            return `${r.name.padEnd(nameWidth)}  ${r.outcome.padEnd(outcomeWidth)}  ${detail}`.trimEnd();
        })
        .join("\n");
}

/** `16 checks: 13 passed, 1 failed, 2 not run`. */
export function summaryLine(results: readonly CheckResult[]): string {
    const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
    return `${results.length} checks: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("NOT RUN")} not run`;
}
