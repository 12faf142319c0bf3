import * as esbuild from "esbuild";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_NODE_TARGET } from "../core/lambda";

/** Where the handlers' sources live. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "functions");

/**
 * A handler to bundle: a module in functions/ (or in `dir`, a route table's handlers folder), or
 * entry code (TypeScript) importing one from functions/.
 */
export type BundleSource = { readonly entry: string; readonly dir?: string } | { readonly contents: string };

/** esbuild's input for a source: the entry file, or the entry code resolved from functions/. */
function esbuildInput(source: BundleSource): esbuild.BuildOptions {
    return "entry" in source
        ? { entryPoints: [path.join(source.dir ?? FUNCTIONS_DIR, source.entry)] }
        : { stdin: { contents: source.contents, resolveDir: FUNCTIONS_DIR, loader: "ts", sourcefile: "entry.ts" } };
}

/**
 * Bundles a handler module (or inline module source) into one CommonJS file for Lambda.
 * Synchronous so the program can declare resources without awaiting: esbuild takes milliseconds.
 */
export function bundleLambda(source: BundleSource): string {
    const result = esbuild.buildSync({
        ...esbuildInput(source),
        bundle: true,
        write: false,
        platform: "node",
        format: "cjs",
        target: LAMBDA_NODE_TARGET,
        // The runtime ships the AWS SDK; nothing here needs it, and bundling it would bloat the zip.
        external: ["@aws-sdk/*"],
        legalComments: "none",
        logLevel: "silent",
    });
    return result.outputFiles[0].text;
}

/**
 * An entry module that exports `handler = factory(argument)` from a module in functions/. Lambda@Edge
 * has no environment variables, and a setting that shapes a handler's decisions belongs in its code
 * anyway: the argument is compiled in, JSON-encoded so no config value can inject code.
 */
export function factoryEntry(module: string, factory: string, argument: unknown): string {
    return (
        `import { ${factory} } from "./${module}";\n` +
        `export const handler = ${factory}(${JSON.stringify(argument)});\n`
    );
}

/**
 * Bundles a CloudFront Function. The cloudfront-js-2.0 runtime has no module system: it calls a
 * top-level `function handler(event)`, so the module's `export` statement is removed.
 */
export function bundleCloudFrontFunction(source: BundleSource): string {
    const result = esbuild.buildSync({
        ...esbuildInput(source),
        bundle: true,
        write: false,
        format: "esm",
        target: "es2020",
        legalComments: "none",
        logLevel: "silent",
    });
    const code = result.outputFiles[0].text;
    const exportStatement = /^export\s*\{\s*handler\s*\};?\s*$/m;
    if (!exportStatement.test(code)) {
        throw new Error(`expected the bundle to end with "export { handler };"; got:\n${code}`);
    }
    return code.replace(exportStatement, "").trimEnd() + "\n";
}

/** A Lambda deployment package holding one bundled `index.js`. */
export function lambdaArchive(code: string): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) });
}
