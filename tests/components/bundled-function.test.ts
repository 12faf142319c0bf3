import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType } from "../../capture/lookups";
import { MOCK_ACCOUNT_ID } from "../../capture/mock-aws";
import { TYPES } from "../../capture/types";
import { bundledFunction, BundledFunctionArgs } from "../../infra/bundled-function";
import { ComponentRun, componentFailure, named, runComponent, TEST_STACK } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

/** A handler written for this test: what it answers shows the deployed package is this source. */
const GREETER = {
    contents: "export const handler = async (event: { name: string }) => ({ greeting: `hello ${event.name}` });\n",
};

const PARENT_TYPE = "test:index:Parent";

/** Runs bundledFunction("fn", ...) under a parent component of its own. */
function runFunction(args: Partial<BundledFunctionArgs>, preview = false) {
    return runComponent(
        () => {
            const parent = new pulumi.ComponentResource(PARENT_TYPE, "parent");
            return bundledFunction(
                "fn",
                { description: "test: greets", source: GREETER, timeoutSeconds: 7, ...args },
                parent,
            );
        },
        { preview },
    );
}

const statements = (run: ComponentRun<unknown>) => JSON.parse(named(run, "fn-log-writing").inputs.policy).Statement;
const principals = (run: ComponentRun<unknown>) =>
    JSON.parse(named(run, "fn-role").inputs.assumeRolePolicy).Statement.map((s: any) => [
        s.Effect,
        s.Action,
        s.Principal,
    ]);

describe("bundledFunction", () => {
    describe("a regional function (up)", () => {
        let run: ComponentRun<unknown>;
        before(async () => {
            run = await runFunction({});
        });

        it("deploys the bundled source as index.js, which Lambda's Node.js runtime loads and runs", async () => {
            const handler = loadLambdaHandler(archiveFile(named(run, "fn").inputs.code));
            assert.equal((await handler({ name: "Ada" })).greeting, "hello Ada");
        });

        it("runs on nodejs22.x from index.handler with the given timeout and description, 128 MB by default", () => {
            const fn = named(run, "fn").inputs;
            assert.deepEqual(
                [fn.runtime, fn.handler, fn.timeout, fn.memorySize, fn.description],
                ["nodejs22.x", "index.handler", 7, 128, "test: greets"],
            );
        });

        it("logs in JSON to its own log group, /same-origin/<stack>/<name>, kept 30 days", () => {
            const group = onlyResourceOfType(run, TYPES.logGroup);
            assert.equal(group.name, "fn-logs");
            assert.equal(group.inputs.name, `/same-origin/${TEST_STACK}/fn`);
            assert.equal(group.inputs.retentionInDays, 30);
            assert.deepEqual(named(run, "fn").inputs.loggingConfig, {
                logFormat: "JSON",
                logGroup: `/same-origin/${TEST_STACK}/fn`,
            });
        });

        it("lives in the stack's region, as does its log group", () => {
            assert.equal(named(run, "fn").inputs.region, undefined);
            assert.equal(named(run, "fn-logs").inputs.region, undefined);
            assert.match(named(run, "fn").state.arn, /^arn:aws:lambda:eu-west-1:/);
        });

        it("runs as a role only Lambda may assume", () => {
            assert.deepEqual(principals(run), [["Allow", "sts:AssumeRole", { Service: ["lambda.amazonaws.com"] }]]);
            assert.equal(named(run, "fn").inputs.role, named(run, "fn-role").state.arn);
        });

        it("lets its role write streams and events to its own log group, and nothing else", () => {
            assert.equal(named(run, "fn-log-writing").inputs.role, named(run, "fn-role").state.name);
            assert.deepEqual(statements(run), [
                {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:eu-west-1:${MOCK_ACCOUNT_ID}:log-group:/same-origin/${TEST_STACK}/fn:*`,
                },
            ]);
        });

        it("is created only once its role may write logs, so no first invocation loses its output", () => {
            assert.ok(named(run, "fn").dependencies.includes(named(run, "fn-log-writing").urn));
        });

        it("names its children after the function and parents them to the given resource", () => {
            const parent = named(run, "parent");
            const children = run.resources.filter((r) => r !== parent);
            assert.deepEqual(children.map((r) => r.name).sort(), ["fn", "fn-log-writing", "fn-logs", "fn-role"]);
            for (const child of children) {
                assert.equal(child.parent, parent.urn, child.name);
            }
        });

        it("is neither published nor kept on delete: only a Lambda@Edge function needs that", () => {
            assert.equal(named(run, "fn").inputs.publish, undefined);
            assert.equal(named(run, "fn").inputs.skipDestroy, undefined);
        });
    });

    describe("options of a regional function", () => {
        it("keeps logs as many days as logRetentionDays says, with the memory asked for", async () => {
            const run = await runFunction({ logRetentionDays: 7, memoryMb: 256 });
            assert.equal(named(run, "fn-logs").inputs.retentionInDays, 7);
            assert.equal(named(run, "fn").inputs.memorySize, 256);
        });

        it("passes environment variables", async () => {
            const run = await runFunction({ environment: { GREETING: "hi" } });
            assert.deepEqual(named(run, "fn").inputs.environment, { variables: { GREETING: "hi" } });
        });

        it("in a preview, knows its log group's name but not the grant, which needs the group's ARN", async () => {
            const run = await runFunction({}, true);
            assert.equal(named(run, "fn").inputs.loggingConfig.logGroup, `/same-origin/${TEST_STACK}/fn`);
            assert.equal(named(run, "fn-log-writing").inputs.policy, UNKNOWN);
            assert.equal(named(run, "fn").inputs.role, UNKNOWN);
        });
    });

    describe("a Lambda@Edge function", () => {
        const runs: Record<"up" | "preview", ComponentRun<unknown>> = {} as never;
        before(async () => {
            runs.up = await runFunction({ edge: true });
            runs.preview = await runFunction({ edge: true }, true);
        });

        // "The Lambda function must be in the US East (N. Virginia) Region" (CloudFront Developer Guide,
        // "Restrictions on Lambda@Edge", lambda-at-edge-function-restrictions.html, "Lambda Region").
        it("lives in us-east-1 with its log group, in a preview too", () => {
            for (const run of [runs.up, runs.preview]) {
                assert.equal(named(run, "fn").inputs.region, "us-east-1");
                assert.equal(named(run, "fn-logs").inputs.region, "us-east-1");
            }
        });

        // "You must use a numbered version of the Lambda function, not $LATEST or aliases" (same page,
        // "Lambda function version"): publishing makes one; its qualified ARN exists once the function does.
        it("is published, so CloudFront can run a numbered version, known once the function exists", () => {
            assert.equal(named(runs.preview, "fn").inputs.publish, true);
            assert.equal(named(runs.preview, "fn").state.qualifiedArn, undefined, "a preview cannot know the version");
            assert.equal(named(runs.up, "fn").inputs.publish, true);
            assert.match(
                named(runs.up, "fn").state.qualifiedArn,
                /^arn:aws:lambda:us-east-1:\d{12}:function:fn-[0-9a-f]+:1$/,
            );
        });

        it("is left in AWS when removed from the stack, since CloudFront's replicas block deleting it", () => {
            assert.equal(named(runs.up, "fn").inputs.skipDestroy, true);
        });

        // The role must let lambda.amazonaws.com and edgelambda.amazonaws.com assume it (same page,
        // "Lambda role permissions"; "Set up IAM permissions and roles for Lambda@Edge").
        it("runs as a role Lambda and Lambda@Edge may assume", () => {
            assert.deepEqual(principals(runs.up), [
                ["Allow", "sts:AssumeRole", { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }],
            ]);
        });

        // Lambda@Edge logs in the regions where it runs, and a custom log group name stays the same in
        // every region (CloudFront Developer Guide, "Edge function logs", edge-functions-logs.html).
        it("may create and write its log group, by its name, in every region and nothing else", () => {
            const group = `/same-origin/${TEST_STACK}/fn`;
            assert.deepEqual(statements(runs.up), [
                {
                    Effect: "Allow",
                    Action: "logs:CreateLogGroup",
                    Resource: `arn:aws:logs:*:*:log-group:${group}`,
                },
                {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:*:*:log-group:${group}:*`,
                },
            ]);
        });
    });

    describe("failures", () => {
        /** Runs bundledFunction expecting a throw; returns the error and the parent it was given. */
        async function failure(args: Partial<BundledFunctionArgs>) {
            let parent: pulumi.Resource | undefined;
            const failed = await componentFailure(() => {
                parent = new pulumi.ComponentResource(PARENT_TYPE, "parent");
                return bundledFunction(
                    "fn",
                    { description: "test", source: GREETER, timeoutSeconds: 3, ...args },
                    parent,
                );
            });
            assert.ok(failed.cause instanceof pulumi.ResourceError, String(failed.cause));
            assert.equal(failed.cause.resource, parent, "the error is reported on the parent");
            assert.deepEqual(
                failed.resources.map((r) => r.type),
                [PARENT_TYPE],
                "nothing is created before the failure",
            );
            return failed.cause;
        }

        it("reports a handler that does not compile as the parent's error, naming the function", async () => {
            const error = await failure({ source: { contents: "export const handler = async (event => event;\n" } });
            assert.match(error.message, /^fn: bundling the handler failed: /);
            assert.match(error.message, /Expected "\)" but found ";"/);
        });

        it("reports a missing handler module the same way", async () => {
            const error = await failure({ source: { entry: "no-such-handler.ts" } });
            assert.match(
                error.message,
                /^fn: bundling the handler failed: [^]*Could not resolve .*functions\/no-such-handler\.ts/,
            );
        });

        it("refuses environment variables for Lambda@Edge, which has none", async () => {
            const error = await failure({ edge: true, environment: { A: "1" } });
            assert.equal(error.message, "fn: Lambda@Edge functions take no environment variables");
        });
    });
});
