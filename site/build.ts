/**
 * Builds the SPA into content-hashed files for S3 + CloudFront, with each file's Content-Type and
 * Cache-Control. Runnable as a script: `npx tsx site/build.ts`.
 */
import { buildSync, type Metafile, type OutputFile } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { APP_SHELL, ASSET_FOLDER } from "../core/site";

/** A built file, ready to upload with its headers. */
export interface SiteFile {
    /** Posix path relative to the output directory, e.g. "index.html", "assets/main-3FJ2K4QZ.js". */
    readonly key: string;
    readonly absolutePath: string;
    readonly contentType: string;
    readonly cacheControl: string;
}

/** Options of {@link buildSite}. */
export interface BuildOptions {
    /** Written, then cleared of files this build did not produce. Default `<repo>/site/dist`. */
    readonly outDir?: string;
    /** Default true. */
    readonly minify?: boolean;
}

const SITE_DIR = __dirname;
const REPO_ROOT = path.dirname(SITE_DIR);
const TEMPLATE = path.join(SITE_DIR, "index.html");

/** Content-hashed names never change content, so browsers and CloudFront may keep them for a year. */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";
/** Unhashed names (index.html) must be revalidated, or a deployment would not reach returning visitors. */
export const REVALIDATE_CACHE_CONTROL = "no-cache";

/**
 * Node built-ins aws4 requires, mapped to the browser implementations in site/shims. Exported so a
 * test can bundle the signer exactly as the site does. Paths are relative to the repository root,
 * esbuild's working directory here.
 */
export const NODE_SHIM_ALIASES: Readonly<Record<string, string>> = {
    crypto: "./site/shims/crypto.ts",
    querystring: "./site/shims/querystring.ts",
    url: "./site/shims/url.ts",
};

/** The repository root, esbuild's working directory for {@link NODE_SHIM_ALIASES}. */
export const BUILD_WORKING_DIR = REPO_ROOT;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
};

/** The Content-Type for a file; throws for an unknown extension rather than guess octet-stream. */
export function contentTypeFor(key: string): string {
    const type = CONTENT_TYPES[path.posix.extname(key).toLowerCase()];
    if (type === undefined) {
        throw new Error(`No content type known for "${key}": add its extension to CONTENT_TYPES in site/build.ts`);
    }
    return type;
}

/** The template's `src="src/..."` and `href="src/..."` references: each one is a bundle entry point. */
const SOURCE_REFERENCE = /\b(src|href)="(src\/[^"]+)"/g;

function templateEntryPoints(template: string): string[] {
    return [...new Set(Array.from(template.matchAll(SOURCE_REFERENCE), (match) => match[2]))];
}

/** Refuses an outDir whose clearing would delete the site's own sources (or more). */
function assertSafeOutDir(outDir: string): void {
    const relative = path.relative(outDir, SITE_DIR);
    if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
        throw new Error(`Refusing to clear "${outDir}": it contains the site sources`);
    }
}

function bundle(
    entryPoints: readonly string[],
    outDir: string,
    minify: boolean,
): { metafile: Metafile; outputFiles: OutputFile[] } {
    const result = buildSync({
        absWorkingDir: REPO_ROOT,
        entryPoints: entryPoints.map((entry) => path.join(SITE_DIR, entry)),
        outdir: outDir,
        entryNames: `${ASSET_FOLDER}/[name]-[hash]`,
        assetNames: `${ASSET_FOLDER}/[name]-[hash]`,
        chunkNames: `${ASSET_FOLDER}/[name]-[hash]`,
        bundle: true,
        format: "esm",
        platform: "browser",
        target: ["es2020"],
        minify,
        sourcemap: false,
        legalComments: "none",
        loader: { ".svg": "copy" },
        alias: { ...NODE_SHIM_ALIASES },
        metafile: true,
        write: false,
        logLevel: "silent",
    });
    return { metafile: result.metafile, outputFiles: result.outputFiles };
}

/**
 * Writes each file through a temporary name and a rename, so another process reading outDir (a
 * running local stack, a second capture of the program) never sees a half-written file, then
 * removes what this build did not write. The names are content hashes, so concurrent builds of the
 * same sources write the same files.
 */
function writeAtomically(outDir: string, files: ReadonlyMap<string, Uint8Array | string>): void {
    for (const [absolutePath, contents] of files) {
        fs.mkdirSync(path.dirname(absolutePath), { recursive: true });
        const temporary = `${absolutePath}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, contents);
        fs.renameSync(temporary, absolutePath);
    }
    for (const stale of listFiles(outDir).filter((file) => !files.has(file) && !file.endsWith(".tmp"))) {
        fs.rmSync(stale, { force: true });
    }
}

/** Maps each entry point (absolute path) to the URL of the hashed file it became. */
function outputUrls(metafile: Metafile, outDir: string): Map<string, string> {
    const urls = new Map<string, string>();
    for (const [output, info] of Object.entries(metafile.outputs)) {
        if (info.entryPoint !== undefined) {
            urls.set(path.resolve(REPO_ROOT, info.entryPoint), `/${toKey(outDir, path.resolve(REPO_ROOT, output))}`);
        }
    }
    return urls;
}

/** Absolute URLs, so deep links that CloudFront answers with index.html still find the assets. */
function renderTemplate(template: string, urls: ReadonlyMap<string, string>): string {
    return template.replace(SOURCE_REFERENCE, (_match, attribute: string, reference: string) => {
        const url = urls.get(path.join(SITE_DIR, reference));
        if (url === undefined) {
            throw new Error(`index.html references ${reference}, which the bundle did not produce`);
        }
        return `${attribute}="${url}"`;
    });
}

function toKey(outDir: string, file: string): string {
    const relative = path.relative(outDir, file);
    if (relative.startsWith("..") || path.isAbsolute(relative)) {
        throw new Error(`"${file}" is outside the output directory "${outDir}"`);
    }
    return relative.split(path.sep).join("/");
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Builds the site: bundles what index.html references into content-hashed files under `assets/`,
 * writes them and index.html (pointing at them) into `outDir`, removes any other file there, and
 * returns every file written sorted by key. Synchronous, so the Pulumi program can call it while
 * it declares resources.
 */
export function buildSite(options: BuildOptions = {}): SiteFile[] {
    const outDir = path.resolve(options.outDir ?? path.join(SITE_DIR, "dist"));
    assertSafeOutDir(outDir);
    fs.mkdirSync(outDir, { recursive: true });

    const template = fs.readFileSync(TEMPLATE, "utf8");
    const { metafile, outputFiles } = bundle(templateEntryPoints(template), outDir, options.minify ?? true);
    const hashedKeys = new Set(
        Object.keys(metafile.outputs).map((output) => toKey(outDir, path.resolve(REPO_ROOT, output))),
    );
    const files = new Map<string, Uint8Array | string>(outputFiles.map((file) => [file.path, file.contents]));
    files.set(path.join(outDir, APP_SHELL), renderTemplate(template, outputUrls(metafile, outDir)));
    writeAtomically(outDir, files);

    return [...files.keys()]
        .map((absolutePath): SiteFile => {
            const key = toKey(outDir, absolutePath);
            return {
                key,
                absolutePath,
                contentType: contentTypeFor(key),
                cacheControl: hashedKeys.has(key) ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL,
            };
        })
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The gzip-compressed size of a file, as CloudFront would serve it compressed. */
export function gzipBytes(file: SiteFile): number {
    return zlib.gzipSync(fs.readFileSync(file.absolutePath), { level: 9 }).length;
}

function printReport(files: readonly SiteFile[]): void {
    let total = 0;
    for (const file of files) {
        const gzipped = gzipBytes(file);
        total += gzipped;
        const size = fs.statSync(file.absolutePath).size;
        console.log(
            `${file.key.padEnd(40)} ${String(size).padStart(8)} B  ${String(gzipped).padStart(7)} B gzip  ${file.cacheControl}`,
        );
    }
    console.log(`total gzip: ${total} B (${(total / 1024).toFixed(1)} KiB)`);
}

if (require.main === module) {
    printReport(buildSite());
}
