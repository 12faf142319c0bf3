/**
 * Where the local stack adds its delays (`--viewer-latency`, `--origin-latency`): the viewer's
 * trip on every request to either listener, the trip to the region on every origin request and
 * every call to API Gateway's own endpoint, and nothing more for what the edge answers itself.
 * Each time is checked against a lower bound the delays alone decide; whether the trip to the
 * region was paid at all is read from the stack's request log, not from a clock.
 */
import * as assert from "node:assert/strict";
import { ASSET_FOLDER } from "../core/site";
import { type LocalStack, startLocalStack } from "../local/server";
import { CAPTURE_TIMEOUT_MS } from "./support/graphs";

/** Node's timers may fire up to a millisecond early (they round): https://github.com/nodejs/node/issues/26578 */
const TIMER_SLACK_MS = 2;

/** Milliseconds a GET takes, and its status. */
async function timed(url: string): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
}

describe("local stack: viewer and origin latency", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    const ORIGIN_MS = 600;
    const VIEWER_MS = 250;
    let stack: LocalStack;

    before(async () => {
        stack = await startLocalStack({
            port: 0,
            viewerLatencyMs: VIEWER_MS,
            originLatencyMs: ORIGIN_MS,
            // API Gateway's own endpoint answers only with CloudFront's key otherwise.
            config: { originLockdown: "false" },
        });
    });
    after(() => stack?.close());

    it("an API call through CloudFront pays the viewer's trip and the trip to the region", async () => {
        const call = await timed(`${stack.url}/api/hello`);
        assert.equal(call.status, 200);
        assert.ok(call.ms >= VIEWER_MS + ORIGIN_MS - TIMER_SLACK_MS, `${call.ms} ms`);
    });

    it("a call to API Gateway's own endpoint pays both as well", async () => {
        const call = await timed(`${stack.directUrl}/dev/api/hello`);
        assert.equal(call.status, 200);
        assert.ok(call.ms >= VIEWER_MS + ORIGIN_MS - TIMER_SLACK_MS, `${call.ms} ms`);
    });

    it("what the edge answers itself (a CloudFront Function's 404) pays the viewer's trip only", async () => {
        const path = `/${ASSET_FOLDER}/missing.js`;
        const answer = await timed(`${stack.url}${path}`);
        assert.equal(answer.status, 404);
        assert.ok(answer.ms >= VIEWER_MS - TIMER_SLACK_MS, `${answer.ms} ms`);
        const logged = stack.requests.filter((r) => r.url === path);
        assert.equal(logged.length, 1);
        assert.equal(logged[0].reached, undefined, "no origin was asked, so no trip to the region was paid");
    });

    it("refuses a delay that is not a whole number of milliseconds", async () => {
        await assert.rejects(startLocalStack({ port: 0, originLatencyMs: -1 }), /originLatencyMs option is -1/);
    });
});
