/**
 * The benchmark's arithmetic (bench/stats.ts, bench/report.ts) on fixed samples: nearest-rank
 * median and percentile, the same/cross pairing and its ratio, rounding, and the Markdown table.
 */
import * as assert from "node:assert/strict";
import { benchStackOptions, type Measurement } from "../bench/latency";
import { startLocalStack } from "../local/server";
import { type BenchResult, latencyRows, markdownReport } from "../bench/report";
import { median, percentile } from "../bench/stats";

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

function measurement(
    fields: Partial<Measurement> & Pick<Measurement, "latencyMs" | "kind" | "origin" | "medianMs">,
): Measurement {
    return { calls: 3, p95Ms: fields.medianMs, optionsCount: 0, samplesMs: [fields.medianMs], ...fields };
}

describe("bench: report", () => {
    const measurements: Measurement[] = [
        measurement({
            latencyMs: 50,
            kind: "token",
            origin: "same",
            medianMs: 12.345,
            p95Ms: 15.66,
            samplesMs: [12.345, 11.04, 15.66],
        }),
        measurement({ latencyMs: 50, kind: "token", origin: "cross", medianMs: 24.69, p95Ms: 30.01, optionsCount: 3 }),
        measurement({ latencyMs: 100, kind: "token", origin: "same", medianMs: 33.33 }),
        measurement({ latencyMs: 100, kind: "token", origin: "cross", medianMs: 100.04, optionsCount: 3 }),
    ];

    it("rounds times to 0.1 ms and keeps every other field of the measurement", () => {
        const [row] = latencyRows(measurements);
        assert.deepEqual(row, {
            latencyMs: 50,
            kind: "token",
            origin: "same",
            calls: 3,
            optionsCount: 0,
            medianMs: 12.3,
            p95Ms: 15.7,
            samplesMs: [12.3, 11, 15.7],
            ratioSameToCross: 0.5,
        });
    });

    it("pairs by latency and kind: both rows of a pair carry the same same/cross ratio", () => {
        const rows = latencyRows(measurements);
        assert.equal(rows.length, 4);
        assert.equal(rows[0].ratioSameToCross, 0.5);
        assert.equal(rows[1].ratioSameToCross, rows[0].ratioSameToCross);
        assert.equal(rows[2].ratioSameToCross, 0.33, "33.33 / 100.04, to two decimals");
        assert.equal(rows[3].ratioSameToCross, rows[2].ratioSameToCross);
    });

    it("throws when a measurement has no same/cross counterpart", () => {
        const unpaired = [...measurements, measurement({ latencyMs: 100, kind: "iam", origin: "same", medianMs: 40 })];
        assert.throws(() => latencyRows(unpaired), /no same\/cross pair for iam at 100 ms/);
        assert.throws(
            () => latencyRows([measurements[0], measurements[3]]),
            /no same\/cross pair for token at 50 ms/,
            "a cross row at another latency is not a counterpart",
        );
    });

    it("markdownReport has the latency table's header and one row per measurement", () => {
        const result: BenchResult = {
            generatedAt: "2024-01-01T00:00:00.000Z",
            chromium: "Chromium 1.0",
            callsPerCell: 3,
            latency: latencyRows(measurements),
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
        assert.ok(
            lines.includes(
                "| latency (ms) | kind | origin | median (ms) | p95 (ms) | OPTIONS | ratio same/cross (median) |",
            ),
            markdown,
        );
        assert.ok(lines.includes("| 50 | token | same | 12.3 | 15.7 | 0 | 0.50 |"), markdown);
        assert.ok(lines.includes("| 50 | token | cross | 24.7 | 30 | 3 | 0.50 |"), markdown);
        assert.ok(lines.includes("| 100 | token | cross | 100 | 100 | 3 | 0.33 |"), markdown);
        assert.ok(lines.includes("| **total** | 2048 | 1024 (1.0 KiB) |"), markdown);
        assert.ok(lines.includes("| spa-rewrite (CloudFront Function) | 900 | 500 | 10240 (within) |"), markdown);
    });
});

describe("bench: the stack it measures", function () {
    this.timeout(120_000);

    it("answers the cross-origin calls: API Gateway's own endpoint is open (originLockdown off), with the latency injected", async () => {
        for (const [options, status] of [
            [benchStackOptions(20), 200],
            [{ ...benchStackOptions(20), config: {} }, 403],
        ] as const) {
            const stack = await startLocalStack(options);
            try {
                const started = Date.now();
                const reply = await fetch(`${stack.directUrl}/dev/api/authorized/item/1`, {
                    headers: { Authorization: "allow" },
                });
                assert.equal(reply.status, status, await reply.text());
                assert.ok(Date.now() - started >= 20, "the latency is injected");
            } finally {
                await stack.close();
            }
        }
    });
});
