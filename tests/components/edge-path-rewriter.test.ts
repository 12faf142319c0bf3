import { strict as assert } from "node:assert";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { EdgePathRewriter } from "../../infra/edge-path-rewriter";
import { ComponentRun, named, runComponent } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

/**
 * An origin-request event in the shape of the CloudFront Developer Guide's "Lambda@Edge event
 * structure" (lambda-event-structure.html): the viewer path in `uri`, the origin path apart.
 */
const originRequest = (uri: string) => ({
    Records: [
        {
            cf: {
                config: { eventType: "origin-request" },
                request: {
                    method: "GET",
                    uri,
                    querystring: "a=1",
                    headers: { host: [{ key: "Host", value: "abc123defg.execute-api.eu-west-1.amazonaws.com" }] },
                    origin: { custom: { domainName: "abc123defg.execute-api.eu-west-1.amazonaws.com", path: "/prod" } },
                },
            },
        },
    ],
});

describe("EdgePathRewriter", () => {
    describe("up", () => {
        let run: ComponentRun<EdgePathRewriter>;
        before(async () => {
            run = await runComponent(() => new EdgePathRewriter("edge-rewriter", { prefix: "/backend" }));
        });

        it("is a same-origin:edge-path-rewriter:EdgePathRewriter holding its function, role and log group", () => {
            const component = named(run, "edge-rewriter");
            assert.equal(component.type, "same-origin:edge-path-rewriter:EdgePathRewriter");
            assert.deepEqual(
                run.resources
                    .filter((r) => r.parent === component.urn)
                    .map((r) => r.name)
                    .sort(),
                [
                    "edge-rewriter-function",
                    "edge-rewriter-function-log-writing",
                    "edge-rewriter-function-logs",
                    "edge-rewriter-function-role",
                ],
            );
        });

        it("deploys a handler that strips the prefix it was given from the viewer path, and nothing else", async () => {
            const handler = loadLambdaHandler(archiveFile(named(run, "edge-rewriter-function").inputs.code));
            const rewritten = await handler(originRequest("/backend/iam/x"));
            assert.equal(rewritten.uri, "/iam/x");
            assert.equal(rewritten.querystring, "a=1");
            assert.equal(rewritten.origin.custom.path, "/prod", "CloudFront prepends the origin path afterwards");
            assert.equal((await handler(originRequest("/backend"))).uri, "/");
            assert.equal((await handler(originRequest("/backendx/y"))).uri, "/backendx/y");
            assert.equal((await handler(originRequest("/api/y"))).uri, "/api/y");
        });

        // Lambda@Edge: us-east-1, a numbered version, no environment variables, a role edgelambda may
        // assume (CloudFront Developer Guide, "Restrictions on Lambda@Edge",
        // lambda-at-edge-function-restrictions.html). bundledFunction's tests cover how `edge` does it.
        it("runs as Lambda@Edge: in us-east-1, published, kept on delete, with the prefix compiled in", () => {
            const fn = named(run, "edge-rewriter-function").inputs;
            assert.equal(fn.region, "us-east-1");
            assert.equal(fn.publish, true);
            assert.equal(fn.skipDestroy, true);
            assert.equal(fn.environment, undefined);
            const trust = JSON.parse(named(run, "edge-rewriter-function-role").inputs.assumeRolePolicy);
            assert.ok(trust.Statement[0].Principal.Service.includes("edgelambda.amazonaws.com"));
        });

        it("reports the published version's ARN, as CloudFront associates it, and the function's name", () => {
            const fn = onlyResourceOfType(run, TYPES.lambdaFunction).state;
            assert.deepEqual(run.outputs, { qualifiedArn: fn.qualifiedArn, functionName: fn.name });
            assert.match(String(run.outputs.qualifiedArn), /^arn:aws:lambda:us-east-1:\d{12}:function:[\w-]+:1$/);
        });
    });

    it("in a preview, cannot know the version's ARN: Lambda numbers a version when it publishes it", async () => {
        const run = await runComponent(() => new EdgePathRewriter("edge-rewriter", { prefix: "/api" }), {
            preview: true,
        });
        assert.equal(run.outputs.qualifiedArn, UNKNOWN);
    });

    it("keeps its logs (the us-east-1 log group) 30 days by default, logRetentionDays when given", async () => {
        const logsOf = async (logRetentionDays?: number) => {
            const run = await runComponent(
                () => new EdgePathRewriter("edge-rewriter", { prefix: "/api", logRetentionDays }),
            );
            return named(run, "edge-rewriter-function-logs").inputs;
        };
        assert.deepEqual(await logsOf(), {
            region: "us-east-1",
            name: "/same-origin/test/edge-rewriter-function",
            retentionInDays: 30,
        });
        assert.equal((await logsOf(14)).retentionInDays, 14);
    });

    it("compiles a prefix in as data, so no prefix can become code", async () => {
        const hostile = '/a");throw new Error("injected");("';
        const run = await runComponent(() => new EdgePathRewriter("edge-rewriter", { prefix: hostile }));
        const handler = loadLambdaHandler(archiveFile(named(run, "edge-rewriter-function").inputs.code));
        assert.equal((await handler(originRequest(`${hostile}/x`))).uri, "/x");
    });
});
