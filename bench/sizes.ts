/**
 * What the product ships, measured: the built site (gzip, as CloudFront serves it compressed) and
 * every function's code exactly as the program deploys it (read from the captured graph).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { CapturedAsset, CapturedStack } from "../capture/capture";
import { resourcesOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { CLOUDFRONT_FUNCTION_MAX_BYTES } from "../core/cloudfront";
import { buildSite } from "../site/build";

/** One shipped file. */
export interface SizedFile {
    readonly name: string;
    readonly bytes: number;
    readonly gzipBytes: number;
}

/** A function bundle, with the platform's code size limit when one is tight enough to matter. */
export interface SizedBundle extends SizedFile {
    readonly limitBytes?: number;
    readonly withinLimit?: boolean;
}

export interface SiteSize {
    readonly files: readonly SizedFile[];
    readonly totalBytes: number;
    readonly totalGzipBytes: number;
}

function sized(name: string, content: Buffer | string): SizedFile {
    const buffer = Buffer.from(content);
    return { name, bytes: buffer.length, gzipBytes: zlib.gzipSync(buffer, { level: 9 }).length };
}

/** Builds the site into a temporary directory (site/dist belongs to whoever runs the program). */
export function measureSite(): SiteSize {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "same-origin-bench-site-"));
    try {
        const files = buildSite({ outDir }).map((file) => sized(file.key, fs.readFileSync(file.absolutePath)));
        return {
            files,
            totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
            totalGzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
        };
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
    }
}

/** The bytes of a Lambda deployment package's one file, `index.js`. */
function packagedCode(code: CapturedAsset, where: string): string {
    const file = code.kind === "archive" ? code.assets["index.js"] : undefined;
    if (file?.kind !== "string") {
        throw new Error(`${where}: expected a package holding index.js`);
    }
    return file.text;
}

/** Sizes every function of a captured graph: Lambda packages, and CloudFront Functions against their limit. */
function functionsOf(graph: CapturedStack): SizedBundle[] {
    const lambdas = resourcesOfType(graph, TYPES.lambdaFunction).map((fn) =>
        sized(`${fn.name} (${fn.state.publish ? "Lambda@Edge" : "Lambda"})`, packagedCode(fn.state.code, fn.name)),
    );
    const cloudFrontFunctions = resourcesOfType(graph, TYPES.cloudFrontFunction).map((fn) => {
        const size = sized(`${fn.name} (CloudFront Function)`, String(fn.state.code));
        return {
            ...size,
            limitBytes: CLOUDFRONT_FUNCTION_MAX_BYTES,
            withinLimit: size.bytes <= CLOUDFRONT_FUNCTION_MAX_BYTES,
        };
    });
    return [...lambdas, ...cloudFrontFunctions];
}

/**
 * Sizes every function of the captured graphs, each once (the first graph's, by name): graphs
 * captured with different config deploy different functions besides the ones they share.
 */
export function measureFunctions(graphs: readonly CapturedStack[]): SizedBundle[] {
    const bundles = graphs.flatMap(functionsOf);
    return bundles.filter((bundle, i) => bundles.findIndex((other) => other.name === bundle.name) === i);
}
