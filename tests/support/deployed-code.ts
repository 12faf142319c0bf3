/**
 * Runs code the way AWS runs it, so a test can check what deployed code does instead of comparing
 * it with a fresh build: a Lambda package's `index.js` loaded as a CommonJS module, and a
 * CloudFront Function's code run as a cloudfront-js-2.0 script.
 */
import { strict as assert } from "node:assert";
import { Module } from "node:module";
import * as vm from "node:vm";
import type { CapturedAsset } from "../../capture/capture";
import { withEnvironment } from "../../local/lambda-runtime";

/** The text of one file of a captured Lambda package (an archive of string assets). */
export function archiveFile(code: CapturedAsset | undefined, file = "index.js"): string {
    assert.ok(code?.kind === "archive", `expected a deployment package, got ${JSON.stringify(code)}`);
    const asset = code.assets[file];
    assert.ok(asset?.kind === "string", `the package lacks ${file}`);
    return asset.text;
}

/**
 * Loads a CommonJS bundle as Lambda's Node.js runtime does (`handler: "index.handler"`), with
 * Node's globals and the function's environment variables set while it loads (when handlers read
 * their configuration), and returns its `handler` export.
 */
export function loadLambdaHandler(
    code: string,
    environment: Readonly<Record<string, string>> = {},
): (event: unknown) => Promise<any> {
    const module = new Module("/var/task/index.js") as Module & { _compile(code: string, filename: string): void };
    withEnvironment(environment, () => module._compile(code, "/var/task/index.js"));
    assert.equal(typeof module.exports.handler, "function", "the bundle exports no handler");
    return module.exports.handler;
}

/** What a test sends a viewer-request function: a GET of a path, or a request with a method and headers. */
export type ViewerRequestInput =
    string | { readonly method: string; readonly uri: string; readonly headers?: Record<string, string> };

/**
 * Loads a CloudFront Function's code as the runtime does, a script evaluated on its own, and
 * returns its top-level `handler(event)`.
 */
export function loadViewerRequestFunction(code: string): (event: unknown) => any {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    const handler = (context as { handler?: unknown }).handler;
    assert.equal(typeof handler, "function", "the code defines no top-level function handler(event)");
    return handler as (event: unknown) => any;
}

/**
 * Runs a viewer-request CloudFront Function on a request (a path alone is a GET), loaded afresh:
 * the runtime calls its top-level `handler(event)` with the event structure of the CloudFront
 * Developer Guide, "CloudFront Functions event structure" (functions-event-structure.html):
 * lower-case header names, each `{ value }`.
 */
export function runViewerRequestFunction(code: string, input: ViewerRequestInput): any {
    const { method, uri, headers = {} } = typeof input === "string" ? { method: "GET", uri: input } : input;
    const event = {
        version: "1.0",
        context: { eventType: "viewer-request" },
        viewer: { ip: "203.0.113.1" },
        request: {
            method,
            uri,
            querystring: {},
            headers: Object.fromEntries(
                Object.entries(headers).map(([name, value]) => [name.toLowerCase(), { value }]),
            ),
            cookies: {},
        },
    };
    return loadViewerRequestFunction(code)(event);
}
