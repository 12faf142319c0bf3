import Mocha from "mocha";

/**
 * Mocha's spec reporter, closed by one plain summary line, `N passed, N failed[, N skipped]`,
 * which CI reads to tell a run that tested something from one that did not.
 */
class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
            console.log(`${passes} passed, ${failures} failed${pending > 0 ? `, ${pending} skipped` : ""}`);
        });
    }
}

export = SummaryReporter;
