/**
 * What the product ships, measured: the built site (gzip, as CloudFront serves it compressed) and
 * every function bundle, built exactly as the program builds them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { bundleCloudFrontFunction, bundleLambda } from "../infra/bundle";
import { edgeRewriterEntry } from "../infra/edge-path-rewriter";
import { tokenAuthorizerEntry } from "../infra/token-authorizer";
import { DEFAULTS } from "../infra/config";
import { buildSite } from "../site/build";

/** CloudFront Functions' maximum code size: 10 KB. */
export const CLOUDFRONT_FUNCTION_LIMIT_BYTES = 10 * 1024;

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

/** Bundles every function the program deploys and sizes it. */
export function measureFunctions(apiPath: string): SizedBundle[] {
    const spaRewrite = sized("spa-rewrite (CloudFront Function)", bundleCloudFrontFunction("spa-rewrite.ts"));
    return [
        sized("echo (Lambda)", bundleLambda({ entry: "echo.ts" })),
        sized("authorizer (Lambda)", bundleLambda({ contents: tokenAuthorizerEntry(DEFAULTS.authorizerCacheTtl) })),
        sized(`edge rewriter ${apiPath} (Lambda@Edge)`, bundleLambda({ contents: edgeRewriterEntry(apiPath) })),
        {
            ...spaRewrite,
            limitBytes: CLOUDFRONT_FUNCTION_LIMIT_BYTES,
            withinLimit: spaRewrite.bytes <= CLOUDFRONT_FUNCTION_LIMIT_BYTES,
        },
    ];
}
