/**
 * The benchmark: what serving the API from the page's own origin saves in a real browser, what
 * edge CORS saves a partner's page, what the path rewriters' code costs per call, and what the
 * product ships. Writes bench/results/latest.json and latest.md. `npx tsx bench/run.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { captureStack } from "../capture/capture";
import type { PathRewriter } from "../core/paths";
import { launchChromium } from "../tests/browser/chromium";
import { type LatencyShape, measureAtShape, type Measurement } from "./latency";
import { type BenchResult, latencyRows, markdownReport } from "./report";
import { type CallCounts, timeEdgeFunction, timeEmptyFunctions, timeViewerFunction } from "./rewriter-timing";
import { measureFunctions, measureSite } from "./sizes";

/**
 * Viewer-to-edge and edge-to-region delays (round trips, ms), as docs/benchmark.md justifies them:
 * a region on the viewer's own continent, the issue's far region (20 / 150), and a region on the
 * other side of the world.
 */
const LATENCY_SHAPES: readonly LatencyShape[] = [
    { viewerLatencyMs: 10, originLatencyMs: 20 },
    { viewerLatencyMs: 20, originLatencyMs: 150 },
    { viewerLatencyMs: 20, originLatencyMs: 300 },
];
/** Calls per kind, caller and shape: enough for a stable median and a p95, keeping the run near two minutes. */
const CALLS = 20;
/** Calls per rewriter: enough for a p99 of 100 samples above it; the warm-up lets V8 optimize first. */
const REWRITER_CALLS: CallCounts = { warmUp: 10_000, calls: 10_000 };
const RESULTS_DIR = path.join(__dirname, "results");

async function measureLatencies(): Promise<{ chromium: string; measurements: Measurement[] }> {
    const browser = await launchChromium();
    try {
        const measurements: Measurement[] = [];
        for (const shape of LATENCY_SHAPES) {
            console.error(
                `measuring with ${shape.viewerLatencyMs} ms to the edge and ${shape.originLatencyMs} ms to the region...`,
            );
            measurements.push(...(await measureAtShape(browser, shape, CALLS)));
        }
        return { chromium: `Chromium ${browser.version()}`, measurements };
    } finally {
        await browser.close();
    }
}

function writeResults(result: BenchResult): string {
    const markdown = markdownReport(result);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
    fs.writeFileSync(path.join(RESULTS_DIR, "latest.md"), markdown);
    return markdown;
}

const captureWith = (pathRewriter: PathRewriter) => captureStack({ config: { pathRewriter } });

async function main(): Promise<void> {
    const site = measureSite();
    // Between them, the two rewriters' graphs hold every kind of function the program deploys.
    const edgeGraph = await captureWith("lambda-edge");
    const functionGraph = await captureWith("cloudfront-function");
    const functions = measureFunctions([edgeGraph, functionGraph]);
    const rewriters = [
        await timeViewerFunction(functionGraph, REWRITER_CALLS),
        await timeEdgeFunction(edgeGraph, REWRITER_CALLS),
        ...(await timeEmptyFunctions(REWRITER_CALLS)),
    ];
    const { chromium, measurements } = await measureLatencies();
    const result: BenchResult = {
        generatedAt: new Date().toISOString(),
        chromium,
        node: process.version,
        callsPerCell: CALLS,
        latency: latencyRows(measurements),
        rewriterWarmUpCalls: REWRITER_CALLS.warmUp,
        rewriters,
        site,
        functions,
    };
    console.log(writeResults(result));
    const oversized = functions.filter((f) => f.withinLimit === false);
    if (oversized.length > 0) {
        console.error(
            `over the platform's size limit: ${oversized.map((f) => `${f.name} ${f.bytes} B > ${f.limitBytes} B`).join(", ")}`,
        );
        process.exitCode = 1;
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
