import Mocha from "mocha";

/**
 * Mocha's spec reporter, closed by one plain summary line, `N passed, N failed[, N skipped]`,
 * which CI reads to tell a run that tested something from one that did not. A test whose
 * `afterEach` hook fails (the browser tests check for page errors there) has already been reported
 * passed by mocha: it is counted as failed, once, and not as passed.
 */
class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        const passed = new Set<Mocha.Runnable>();
        const failed = new Set<Mocha.Runnable>();
        const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_RUN_END } = Mocha.Runner.constants;
        runner.on(EVENT_TEST_PASS, (test) => passed.add(test));
        runner.on(EVENT_TEST_FAIL, (runnable: Mocha.Runnable) => {
            // A failing hook names the test it ran for, if any; otherwise the hook itself failed.
            const test =
                (runnable as { type?: string }).type === "hook"
                    ? ((runnable as Mocha.Hook).ctx?.currentTest ?? runnable)
                    : runnable;
            passed.delete(test);
            failed.add(test);
        });
        runner.once(EVENT_RUN_END, () => {
            const pending = runner.stats?.pending ?? 0;
            console.log(`${passed.size} passed, ${failed.size} failed${pending > 0 ? `, ${pending} skipped` : ""}`);
        });
    }
}

export = SummaryReporter;
