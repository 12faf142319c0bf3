/**
 * The benchmark's parts that decide what its numbers mean, none of them timed: the statistics, the
 * delay model and the ratios, where preflights are counted, the report's tables, the partner's
 * site, the rewriter timing harness and the functions it times, the stack it measures, and a
 * short run in Chromium that counts each caller's preflights.
 */
import * as assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import type { CapturedStack } from "../capture/capture";
import { captureStack } from "../capture/capture";
import { resourcesOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import {
    benchStackOptions,
    type Caller,
    countPreflights,
    injectedDelayMs,
    type LatencyShape,
    measureAtShape,
    type Measurement,
} from "../bench/latency";
import { type BenchResult, latencyRows, latencyTable, markdownReport } from "../bench/report";
import {
    functionTiming,
    timeEdgeFunction,
    timeEmptyFunctions,
    timePerCall,
    timeViewerFunction,
} from "../bench/rewriter-timing";
import { measureFunctions } from "../bench/sizes";
import { median, percentile } from "../bench/stats";
import type { RecordedRequest } from "../local/server";
import { startLocalStack } from "../local/server";
import { launchChromium } from "./browser/chromium";
import { CAPTURE_TIMEOUT_MS } from "./support/graphs";

describe("bench: stats", () => {
    it("median of an odd count is the middle sample", () => {
        assert.equal(median([9, 1, 5, 3, 7]), 5);
        assert.equal(median([42]), 42);
    });

    it("median of an even count is the lower middle sample (nearest rank, never interpolated)", () => {
        assert.equal(median([40, 10, 30, 20]), 20);
        assert.equal(median([2, 1]), 1);
    });

    it("p95 of 20 samples is the 19th smallest", () => {
        const samples = [14, 3, 20, 7, 1, 18, 11, 5, 16, 9, 2, 19, 13, 6, 17, 10, 4, 15, 12, 8];
        assert.equal(percentile(samples, 95), 19);
        assert.equal(percentile(samples, 100), 20);
        assert.equal(percentile(samples, 50), 10);
        assert.equal(percentile(samples, 0), 1, "rank is at least 1");
    });

    it("does not reorder the caller's samples, and refuses no samples", () => {
        const samples = [3, 1, 2];
        percentile(samples, 95);
        assert.deepEqual(samples, [3, 1, 2]);
        assert.throws(() => median([]), /percentile of no samples/);
    });
});

const ISSUE_SHAPE: LatencyShape = { viewerLatencyMs: 20, originLatencyMs: 150 };

describe("bench: the delay model and where preflights are answered", () => {
    it("a call waits V+O same-origin, V then V+O through edge CORS, 2(V+O) to API Gateway directly", () => {
        assert.equal(injectedDelayMs("same-origin", ISSUE_SHAPE), 170);
        assert.equal(injectedDelayMs("partner-edge", ISSUE_SHAPE), 190);
        assert.equal(injectedDelayMs("partner-direct", ISSUE_SHAPE), 340);
        assert.equal(injectedDelayMs("partner-edge", { viewerLatencyMs: 10, originLatencyMs: 20 }), 40);
    });

    const recorded = (
        listener: RecordedRequest["listener"],
        method: string,
        reached?: RecordedRequest["reached"],
    ): RecordedRequest => ({
        listener,
        method,
        url: "/api/authorized/item/0",
        headers: {},
        status: method === "OPTIONS" ? 204 : 200,
        ...(reached ? { reached } : {}),
    });
    const apiOrigin = { originId: "api", host: "abc.execute-api.eu-west-1.amazonaws.com", path: "/dev/api/x" };

    it("counts a preflight the CloudFront listener answered itself at the edge, any other at API Gateway", () => {
        const requests = [
            recorded("cloudfront", "OPTIONS"),
            recorded("cloudfront", "OPTIONS"),
            recorded("cloudfront", "GET", apiOrigin),
            recorded("cloudfront", "OPTIONS", apiOrigin),
            recorded("direct", "OPTIONS"),
            recorded("direct", "GET", { host: apiOrigin.host, path: "/dev/api/x" }),
        ];
        assert.deepEqual(countPreflights(requests), { atEdge: 2, atApiGateway: 2 });
        assert.deepEqual(countPreflights([]), { atEdge: 0, atApiGateway: 0 });
    });
});

function measurement(fields: Partial<Measurement> & Pick<Measurement, "kind" | "caller" | "medianMs">): Measurement {
    return {
        ...ISSUE_SHAPE,
        calls: 2,
        p95Ms: fields.medianMs,
        preflights: { atEdge: 0, atApiGateway: 0 },
        samplesMs: [fields.medianMs],
        ...fields,
    };
}

/** Both kinds by every caller at the issue's shape. */
function issueMeasurements(): Measurement[] {
    const medians: Record<Caller, number> = { "same-origin": 180.04, "partner-edge": 200.26, "partner-direct": 360.08 };
    const preflights: Record<Caller, Measurement["preflights"]> = {
        "same-origin": { atEdge: 0, atApiGateway: 0 },
        "partner-edge": { atEdge: 2, atApiGateway: 0 },
        "partner-direct": { atEdge: 0, atApiGateway: 2 },
    };
    return (["token", "iam"] as const).flatMap((kind) =>
        (Object.keys(medians) as Caller[]).map((caller) =>
            measurement({
                kind,
                caller,
                medianMs: kind === "token" ? medians[caller] : medians[caller] + 10,
                p95Ms: medians[caller] + 5.55,
                preflights: preflights[caller],
                samplesMs: [medians[caller], 1.04],
            }),
        ),
    );
}

describe("bench: report", () => {
    it("rounds times to 0.1 ms, keeps every other field, and adds the ratios to the direct call", () => {
        const [row] = latencyRows(issueMeasurements());
        assert.deepEqual(row, {
            viewerLatencyMs: 20,
            originLatencyMs: 150,
            kind: "token",
            caller: "same-origin",
            calls: 2,
            medianMs: 180,
            p95Ms: 185.6,
            preflights: { atEdge: 0, atApiGateway: 0 },
            samplesMs: [180, 1],
            ratioToDirect: 0.5,
            delayRatioToDirect: 0.5,
        });
    });

    it("pairs by shape and kind: each row's ratio is to the direct call of its kind", () => {
        const rows = latencyRows(issueMeasurements());
        const ratio = (kind: string, caller: Caller) =>
            rows.find((r) => r.kind === kind && r.caller === caller)!.ratioToDirect;
        assert.equal(ratio("token", "partner-edge"), 0.56, "200.26 / 360.08");
        assert.equal(ratio("iam", "partner-edge"), 0.57, "210.26 / 370.08");
        assert.equal(ratio("iam", "partner-direct"), 1);
        assert.equal(rows.find((r) => r.caller === "partner-edge")!.delayRatioToDirect, 0.56, "190 / 340");
    });

    it("throws when a measurement has no direct counterpart of its shape and kind", () => {
        const withoutIamDirect = issueMeasurements().filter(
            (m) => !(m.kind === "iam" && m.caller === "partner-direct"),
        );
        assert.throws(
            () => latencyRows(withoutIamDirect),
            /no partner-direct measurement for iam at 20 \/ 150 ms \(viewer \/ region\)/,
        );
        const otherShape = issueMeasurements().map((m) =>
            m.caller === "partner-direct" ? { ...m, originLatencyMs: 300 } : m,
        );
        assert.throws(() => latencyRows(otherShape), /no partner-direct measurement for token at 20 \/ 150 ms/);
    });

    it("the latency table has one line per shape and caller, both kinds side by side", () => {
        const lines = latencyTable(latencyRows(issueMeasurements())).split("\n");
        assert.deepEqual(lines, [
            "| viewer / region (ms) | caller | token: median, p95 (ms) | iam: median, p95 (ms) | preflights per call: edge / API Gateway | median / direct: token, iam (delays alone) |",
            "| --- | --- | --- | --- | --- | --- |",
            "| 20 / 150 | same-origin | 180, 185.6 | 190, 185.6 | 0 / 0 | 0.50, 0.51 (0.50) |",
            "| 20 / 150 | partner, edge CORS | 200.3, 205.8 | 210.3, 205.8 | 1 / 0 | 0.56, 0.57 (0.56) |",
            "| 20 / 150 | partner, direct | 360.1, 365.6 | 370.1, 365.6 | 0 / 1 | 1.00, 1.00 (1.00) |",
        ]);
    });

    it("the latency table shows a preflight share that is not whole, and refuses a caller with one kind only", () => {
        const partial = issueMeasurements().map((m) =>
            m.caller === "partner-edge" && m.kind === "iam" ? { ...m, preflights: { atEdge: 1, atApiGateway: 0 } } : m,
        );
        assert.ok(latencyTable(latencyRows(partial)).includes("| 0.75 / 0 |"));
        const oneKind = latencyRows(issueMeasurements()).filter(
            (r) => !(r.caller === "same-origin" && r.kind === "iam"),
        );
        assert.throws(() => latencyTable(oneKind), /no iam measurement by same-origin at 20 \/ 150 ms/);
    });

    it("markdownReport holds the latency, rewriter, site and function tables", () => {
        const result: BenchResult = {
            generatedAt: "2024-01-01T00:00:00.000Z",
            chromium: "Chromium 1.0",
            node: "v20.0.0",
            callsPerCell: 2,
            latency: latencyRows(issueMeasurements()),
            rewriterWarmUpCalls: 5,
            rewriters: [functionTiming("site-api-request", "CloudFront Function, viewer request", [0.2567, 0.3, 1.5])],
            site: {
                files: [{ name: "index.html", bytes: 2048, gzipBytes: 1024 }],
                totalBytes: 2048,
                totalGzipBytes: 1024,
            },
            functions: [
                {
                    name: "spa-rewrite (CloudFront Function)",
                    bytes: 900,
                    gzipBytes: 500,
                    limitBytes: 10240,
                    withinLimit: true,
                },
            ],
        };
        const markdown = markdownReport(result);
        const lines = markdown.split("\n");
        assert.ok(markdown.includes(latencyTable(result.latency)), markdown);
        assert.ok(lines.includes("| function | runs as | calls | p50 (µs) | p99 (µs) |"), markdown);
        assert.ok(
            lines.includes("| site-api-request | CloudFront Function, viewer request | 3 | 0.3 | 1.5 |"),
            markdown,
        );
        assert.ok(lines.includes("| **total** | 2048 | 1024 (1.0 KiB) |"), markdown);
        assert.ok(lines.includes("| spa-rewrite (CloudFront Function) | 900 | 500 | 10240 (within) |"), markdown);
        assert.match(lines[2], /^2024-01-01T00:00:00.000Z, Chromium 1.0, Node.js v20.0.0, 2 calls per kind/);
    });
});

describe("bench: the rewriter timing harness", () => {
    it("makes the warm-up calls untimed, then one sample per timed call, each on a fresh input", async () => {
        const inputs: number[] = [];
        const seen: number[] = [];
        let next = 0;
        const samples = await timePerCall(
            (input: number) => seen.push(input),
            () => {
                inputs.push(next);
                return next++;
            },
            { warmUp: 3, calls: 5 },
        );
        assert.equal(samples.length, 5);
        assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
        assert.deepEqual(inputs, seen);
        assert.ok(
            samples.every((s) => Number.isFinite(s) && s >= 0),
            String(samples),
        );
    });

    it("waits for a returned promise before the next call", async () => {
        const events: string[] = [];
        let call = 0;
        await timePerCall(
            async () => {
                const id = call++;
                events.push(`start ${id}`);
                await new Promise((resolve) => setImmediate(resolve));
                events.push(`end ${id}`);
            },
            () => undefined,
            { warmUp: 1, calls: 2 },
        );
        assert.deepEqual(events, ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
    });

    it("functionTiming takes the nearest-rank p50 and p99 of the samples", () => {
        const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
        assert.deepEqual(functionTiming("f", "runs", samples), {
            name: "f",
            runs: "runs",
            calls: 200,
            p50Us: 100,
            p99Us: 198,
        });
    });
});

describe("bench: the rewriters it times, as the program deploys them", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    const counts = { warmUp: 2, calls: 3 };
    let functionGraph: CapturedStack;
    let edgeGraph: CapturedStack;

    before(async () => {
        functionGraph = await captureStack({ config: { pathRewriter: "cloudfront-function" } });
        edgeGraph = await captureStack({ config: { pathRewriter: "lambda-edge" } });
    });

    it("times the API behavior's CloudFront Function and Lambda@Edge handler, and the harness's floor", async () => {
        const viewer = await timeViewerFunction(functionGraph, counts);
        assert.equal(viewer.name, "site-api-request");
        assert.equal(viewer.calls, 3);
        const edge = await timeEdgeFunction(edgeGraph, counts);
        assert.equal(edge.name, "edge-rewriter-function");
        assert.equal(edge.calls, 3);
        assert.deepEqual(
            (await timeEmptyFunctions(counts)).map((t) => [t.name, t.calls]),
            [
                ["(empty function)", 3],
                ["(empty async function)", 3],
            ],
        );
    });

    it("refuses a graph whose API behavior has no such rewriter", async () => {
        await assert.rejects(
            timeViewerFunction(edgeGraph, counts),
            /the behavior serving \/api\/authorized\/item\/42 has no viewer-request CloudFront Function/,
        );
        await assert.rejects(
            timeEdgeFunction(functionGraph, counts),
            /the behavior serving \/api\/authorized\/item\/42 has no Lambda@Edge origin-request function/,
        );
    });

    it("refuses to time a rewriter that does not strip the prefix", async () => {
        const broken: CapturedStack = {
            ...functionGraph,
            resources: functionGraph.resources.map((r) =>
                r.name === "site-api-request"
                    ? { ...r, state: { ...r.state, code: "function handler(event) { return event.request; }" } }
                    : r,
            ),
        };
        await assert.rejects(
            timeViewerFunction(broken, counts),
            /site-api-request returned uri "\/api\/authorized\/item\/42" for the API call, not \/authorized\/item\/42/,
        );
    });

    it("sizes every function of both graphs once", () => {
        const names = measureFunctions([edgeGraph, functionGraph]).map((f) => f.name);
        assert.equal(new Set(names).size, names.length, names.join(", "));
        assert.ok(names.includes("edge-rewriter-function (Lambda@Edge)"), names.join(", "));
        assert.ok(names.includes("site-api-request (CloudFront Function)"), names.join(", "));
        const all = [edgeGraph, functionGraph].flatMap((g) => [
            ...resourcesOfType(g, TYPES.lambdaFunction),
            ...resourcesOfType(g, TYPES.cloudFrontFunction),
        ]);
        assert.equal(names.length, new Set(all.map((r) => r.name)).size);
    });
});

describe("bench: the stack it measures", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);

    it("answers the direct calls (originLockdown off), the partner's preflights at the edge, and injects the shape", async () => {
        const partner = "http://127.0.0.1:9";
        const stack = await startLocalStack(benchStackOptions(ISSUE_SHAPE, partner));
        try {
            assert.equal(stack.viewerLatencyMs, 20);
            assert.equal(stack.originLatencyMs, 150);
            const direct = await fetch(`${stack.directUrl}/dev/api/authorized/item/1`, {
                headers: { Authorization: "allow" },
            });
            assert.equal(direct.status, 200, await direct.text());
            const preflight = (origin: string) =>
                fetch(`${stack.url}/api/authorized/item/1`, {
                    method: "OPTIONS",
                    headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
                });
            const allowed = await preflight(partner);
            assert.equal(allowed.status, 204);
            assert.equal(allowed.headers.get("access-control-allow-origin"), partner);
            const foreign = await preflight("http://127.0.0.1:10");
            assert.equal(foreign.status, 403, "another origin than the partner's is refused");
            assert.deepEqual(countPreflights(stack.requests), { atEdge: 2, atApiGateway: 0 });
        } finally {
            await stack.close();
        }
    });

    it("with the lockdown on, API Gateway's own endpoint refuses the direct calls", async () => {
        const options = benchStackOptions(ISSUE_SHAPE, "http://127.0.0.1:9");
        const stack = await startLocalStack({ ...options, config: { ...options.config, originLockdown: "true" } });
        try {
            const reply = await fetch(`${stack.directUrl}/dev/api/authorized/item/1`, {
                headers: { Authorization: "allow" },
            });
            assert.equal(reply.status, 403, await reply.text());
        } finally {
            await stack.close();
        }
    });
});

describe("bench: a short run in Chromium", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let browser: Browser;

    before(async () => {
        browser = await launchChromium();
    });
    after(() => browser?.close());

    it("measures both kinds by every caller: no preflight same-origin, one per call at the edge or at API Gateway", async () => {
        const measurements = await measureAtShape(browser, { viewerLatencyMs: 1, originLatencyMs: 2 }, 2);
        assert.deepEqual(
            measurements.map((m) => [m.kind, m.caller, m.calls, m.samplesMs.length, m.preflights]),
            [
                ["token", "same-origin", 2, 2, { atEdge: 0, atApiGateway: 0 }],
                ["token", "partner-edge", 2, 2, { atEdge: 2, atApiGateway: 0 }],
                ["token", "partner-direct", 2, 2, { atEdge: 0, atApiGateway: 2 }],
                ["iam", "same-origin", 2, 2, { atEdge: 0, atApiGateway: 0 }],
                ["iam", "partner-edge", 2, 2, { atEdge: 2, atApiGateway: 0 }],
                ["iam", "partner-direct", 2, 2, { atEdge: 0, atApiGateway: 2 }],
            ],
        );
        assert.ok(
            measurements.every((m) => m.viewerLatencyMs === 1 && m.originLatencyMs === 2),
            "every measurement carries its shape",
        );
    });
});
