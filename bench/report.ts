/** Turns the benchmark's measurements into the rows, JSON document and Markdown it publishes. */
import type { CallOrigin, Measurement } from "./latency";
import type { SiteSize, SizedBundle } from "./sizes";

/** One line of the latency table: a measurement, rounded, with its same/cross ratio. */
export interface LatencyRow extends Measurement {
    /** Same-origin median over cross-origin median for this latency and kind (the same on both rows). */
    readonly ratioSameToCross: number;
}

/** Everything `bench/results/latest.json` holds. */
export interface BenchResult {
    readonly generatedAt: string;
    readonly chromium: string;
    readonly callsPerCell: number;
    readonly latency: readonly LatencyRow[];
    readonly site: SiteSize;
    readonly functions: readonly SizedBundle[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Pairs each measurement with its same/cross counterpart to compute the ratio. */
export function latencyRows(measurements: readonly Measurement[]): LatencyRow[] {
    return measurements.map((m) => {
        const pair = (origin: CallOrigin) =>
            measurements.find((o) => o.latencyMs === m.latencyMs && o.kind === m.kind && o.origin === origin);
        const same = pair("same");
        const cross = pair("cross");
        if (!same || !cross) {
            throw new Error(`no same/cross pair for ${m.kind} at ${m.latencyMs} ms`);
        }
        return {
            ...m,
            medianMs: round1(m.medianMs),
            p95Ms: round1(m.p95Ms),
            samplesMs: m.samplesMs.map(round1),
            ratioSameToCross: Math.round((same.medianMs / cross.medianMs) * 100) / 100,
        };
    });
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const lines = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
    return lines.join("\n");
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The Markdown report: latency table, site size, function sizes. */
export function markdownReport(result: BenchResult): string {
    const latency = table(
        ["latency (ms)", "kind", "origin", "median (ms)", "p95 (ms)", "OPTIONS", "ratio same/cross (median)"],
        result.latency.map((r) => [
            r.latencyMs,
            r.kind,
            r.origin,
            r.medianMs,
            r.p95Ms,
            r.optionsCount,
            r.ratioSameToCross.toFixed(2),
        ]),
    );
    const site = table(
        ["file", "bytes", "gzip bytes"],
        [
            ...result.site.files.map((f) => [f.name, f.bytes, f.gzipBytes]),
            ["**total**", result.site.totalBytes, `${result.site.totalGzipBytes} (${kib(result.site.totalGzipBytes)})`],
        ],
    );
    const functions = table(
        ["function", "bytes", "gzip bytes", "limit"],
        result.functions.map((f) => [
            f.name,
            f.bytes,
            f.gzipBytes,
            f.limitBytes === undefined ? "" : `${f.limitBytes} (${f.withinLimit ? "within" : "EXCEEDED"})`,
        ]),
    );
    return [
        "# same-origin benchmark",
        "",
        `${result.generatedAt}, ${result.chromium}, ${result.callsPerCell} calls per row, each to a distinct URL.`,
        "Same-origin: relative fetch through the emulated CloudFront; cross: fetch to the emulated API Gateway endpoint.",
        "",
        "## API call latency",
        "",
        latency,
        "",
        "## Site bundle",
        "",
        site,
        "",
        "## Function bundles",
        "",
        functions,
        "",
    ].join("\n");
}
