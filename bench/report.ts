/** Turns the benchmark's measurements into the rows, JSON document and Markdown it publishes. */
import { CALL_KINDS, CALLERS, type Caller, injectedDelayMs, type LatencyShape, type Measurement } from "./latency";
import type { FunctionTiming } from "./rewriter-timing";
import type { SiteSize, SizedBundle } from "./sizes";

/** One measurement, rounded, with its ratio to the partner page calling API Gateway directly. */
export interface LatencyRow extends Measurement {
    /** This median over the `partner-direct` median for the same latency shape and kind. */
    readonly ratioToDirect: number;
    /** The same ratio for the injected delays alone: what the measured one approaches. */
    readonly delayRatioToDirect: number;
}

/** Everything `bench/results/latest.json` holds. */
export interface BenchResult {
    readonly generatedAt: string;
    readonly chromium: string;
    /** The Node.js that ran the stack and timed the rewriters. */
    readonly node: string;
    readonly callsPerCell: number;
    readonly latency: readonly LatencyRow[];
    /** Untimed calls before each rewriter's timed ones. */
    readonly rewriterWarmUpCalls: number;
    readonly rewriters: readonly FunctionTiming[];
    readonly site: SiteSize;
    readonly functions: readonly SizedBundle[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

const sameShape = (a: LatencyShape, b: LatencyShape) =>
    a.viewerLatencyMs === b.viewerLatencyMs && a.originLatencyMs === b.originLatencyMs;

const shapeLabel = (shape: LatencyShape) => `${shape.viewerLatencyMs} / ${shape.originLatencyMs}`;

/** Pairs each measurement with the partner page's direct call at its shape and kind to compute the ratios. */
export function latencyRows(measurements: readonly Measurement[]): LatencyRow[] {
    return measurements.map((m) => {
        const direct = measurements.find((o) => sameShape(o, m) && o.kind === m.kind && o.caller === "partner-direct");
        if (!direct) {
            throw new Error(`no partner-direct measurement for ${m.kind} at ${shapeLabel(m)} ms (viewer / region)`);
        }
        return {
            ...m,
            medianMs: round1(m.medianMs),
            p95Ms: round1(m.p95Ms),
            samplesMs: m.samplesMs.map(round1),
            ratioToDirect: round2(m.medianMs / direct.medianMs),
            delayRatioToDirect: round2(injectedDelayMs(m.caller, m) / injectedDelayMs("partner-direct", m)),
        };
    });
}

/** How the report names each caller. */
export const CALLER_LABELS: Readonly<Record<Caller, string>> = {
    "same-origin": "same-origin",
    "partner-edge": "partner, edge CORS",
    "partner-direct": "partner, direct",
};

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const lines = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
    return lines.join("\n");
}

/** A share per call, to two decimals: `1`, `0`, `0.95`. */
const perCall = (count: number, calls: number) => String(round2(count / calls));

/**
 * The latency table: one line per latency shape and caller, both kinds side by side, the
 * preflights per call by where they were answered, and the ratios to the direct call.
 */
export function latencyTable(rows: readonly LatencyRow[]): string {
    const shapes = rows.filter((row, i) => rows.findIndex((other) => sameShape(other, row)) === i);
    const lines = shapes.flatMap((shape) =>
        CALLERS.filter((caller) => rows.some((r) => sameShape(r, shape) && r.caller === caller)).map((caller) => {
            const byKind = CALL_KINDS.map((kind) => {
                const row = rows.find((r) => sameShape(r, shape) && r.caller === caller && r.kind === kind);
                if (!row) {
                    throw new Error(`no ${kind} measurement by ${caller} at ${shapeLabel(shape)} ms (viewer / region)`);
                }
                return row;
            });
            const calls = byKind.reduce((sum, r) => sum + r.calls, 0);
            const count = (where: "atEdge" | "atApiGateway") =>
                perCall(
                    byKind.reduce((sum, r) => sum + r.preflights[where], 0),
                    calls,
                );
            return [
                shapeLabel(shape),
                CALLER_LABELS[caller],
                ...byKind.map((r) => `${r.medianMs}, ${r.p95Ms}`),
                `${count("atEdge")} / ${count("atApiGateway")}`,
                `${byKind.map((r) => r.ratioToDirect.toFixed(2)).join(", ")} (${byKind[0].delayRatioToDirect.toFixed(2)})`,
            ];
        }),
    );
    return table(
        [
            "viewer / region (ms)",
            "caller",
            ...CALL_KINDS.map((kind) => `${kind}: median, p95 (ms)`),
            "preflights per call: edge / API Gateway",
            `median / direct: ${CALL_KINDS.join(", ")} (delays alone)`,
        ],
        lines,
    );
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The Markdown report: latency table, rewriter timing, site size, function sizes. */
export function markdownReport(result: BenchResult): string {
    const rewriters = table(
        ["function", "runs as", "calls", "p50 (µs)", "p99 (µs)"],
        result.rewriters.map((t) => [t.name, t.runs, t.calls, round2(t.p50Us), round2(t.p99Us)]),
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
        `${result.generatedAt}, ${result.chromium}, Node.js ${result.node}, ${result.callsPerCell} calls per kind, ` +
            "caller and latency shape, each to a distinct URL.",
        "Same-origin: the console, relative fetch through the emulated CloudFront. Partner: a page on another origin, " +
            "calling the emulated CloudFront (edge CORS) or the emulated API Gateway endpoint (direct).",
        "",
        "## API call latency",
        "",
        latencyTable(result.latency),
        "",
        "## Path rewriters, per call",
        "",
        `The code as deployed, run in Node.js ${result.node} on this machine after ${result.rewriterWarmUpCalls} ` +
            "untimed calls: not CloudFront's runtime, nor Lambda's invocation.",
        "",
        rewriters,
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
