/**
 * The benchmark: what serving the API from the page's own origin saves in a real browser, and
 * what the product ships. Writes bench/results/latest.json and latest.md. `npx tsx bench/run.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { captureStack } from "../capture/capture";
import { launchChromium } from "../tests/browser/chromium";
import { measureAtLatency, type Measurement } from "./latency";
import { type BenchResult, latencyRows, markdownReport } from "./report";
import { measureFunctions, measureSite } from "./sizes";

/** Injected per request, standing in for a user far from the API's region. */
const LATENCIES_MS = [50, 100, 200];
/** Calls per kind and origin: enough for a stable median and a p95, keeping the run near a minute. */
const CALLS = 20;
const RESULTS_DIR = path.join(__dirname, "results");

async function measureLatencies(): Promise<{ chromium: string; measurements: Measurement[] }> {
    const browser = await launchChromium();
    try {
        const measurements: Measurement[] = [];
        for (const latencyMs of LATENCIES_MS) {
            console.error(`measuring at ${latencyMs} ms injected latency...`);
            measurements.push(...(await measureAtLatency(browser, latencyMs, CALLS)));
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

async function main(): Promise<void> {
    const site = measureSite();
    // With the Lambda@Edge rewriter, the graph holds every kind of function the program deploys.
    const functions = measureFunctions(await captureStack({ config: { pathRewriter: "lambda-edge" } }));
    const { chromium, measurements } = await measureLatencies();
    const result: BenchResult = {
        generatedAt: new Date().toISOString(),
        chromium,
        callsPerCell: CALLS,
        latency: latencyRows(measurements),
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
