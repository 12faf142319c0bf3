/**
 * The component harness (tests/support/component-harness.ts) resets Pulumi's one runtime per run:
 * these show that runs in a row, with other regions and modes, failures and whole-program captures
 * in between, each see only their own resources and settings.
 */
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { captureStack, UNKNOWN } from "../capture/capture";
import { componentFailure, named, runComponent } from "./support/component-harness";

/** A component with one log group, reporting the group's ARN. */
class Logs extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    constructor(name: string) {
        super("test:index:Logs", name);
        this.arn = new aws.cloudwatch.LogGroup(`${name}-group`, { name: `/test/${name}` }, { parent: this }).arn;
        this.registerOutputs({ arn: this.arn });
    }
}

describe("component harness", () => {
    it("gives each run only its own resources, with the region and mode it asks for", async () => {
        const first = await runComponent(() => new Logs("first"), { region: "eu-west-1" });
        const second = await runComponent(() => new Logs("second"), { region: "ap-southeast-2" });
        const third = await runComponent(() => new Logs("third"), { preview: true });
        assert.deepEqual(
            first.resources.map((r) => r.name),
            ["first", "first-group"],
        );
        assert.deepEqual(
            second.resources.map((r) => r.name),
            ["second", "second-group"],
        );
        assert.equal(first.outputs.arn, "arn:aws:logs:eu-west-1:123456789012:log-group:/test/first");
        assert.equal(second.outputs.arn, "arn:aws:logs:ap-southeast-2:123456789012:log-group:/test/second");
        assert.equal(third.outputs.arn, UNKNOWN);
        assert.equal(pulumi.runtime.isDryRun(), true, "the last run's mode is the runtime's");
    });

    it("records each resource's parent and URN", async () => {
        const run = await runComponent(() => new Logs("logs"));
        assert.equal(named(run, "logs").parent, undefined);
        assert.equal(named(run, "logs-group").parent, named(run, "logs").urn);
        assert.equal(
            named(run, "logs-group").urn,
            "urn:pulumi:test::same-origin::test:index:Logs$aws:cloudwatch/logGroup:LogGroup::logs-group",
        );
    });

    it("stays usable after a component fails, and alongside whole-program captures", async () => {
        const failed = await componentFailure(() => {
            new Logs("before-failure");
            throw new Error("boom");
        });
        assert.equal(failed.message, "boom");
        assert.deepEqual(
            failed.resources.map((r) => r.name),
            ["before-failure", "before-failure-group"],
        );
        const program = await captureStack({ stack: "dev" });
        assert.ok(!program.resources.some((r) => r.name.startsWith("before-failure")));
        const after = await runComponent(() => new Logs("after"));
        assert.deepEqual(
            after.resources.map((r) => r.name),
            ["after", "after-group"],
        );
    });

    it("refuses two resources with one URN, which the engine would refuse", async () => {
        await assert.rejects(
            runComponent(() => [new Logs("twice"), new Logs("twice")]),
            /test:index:Logs::twice was registered 2 times/,
        );
    });
});
