/**
 * Runs the Lambda functions of the graph from their captured deployment packages: the very bundle
 * `pulumi up` would upload. Each package is written to a temporary directory and loaded with
 * Node's own module loader (so the bundle resolves built-in modules as on Lambda), once per
 * function, like a warm execution environment. Events and results cross the boundary as JSON, as
 * they do through the Lambda Invoke API.
 * Source for the handler contract: "Define Lambda function handler in Node.js"
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type { CapturedAsset, CapturedResource } from "../capture/capture";
import { requestId } from "./http";

/** What an invocation produced: the JSON result, or the error Lambda reports. */
export type InvocationResult =
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown;

/** Lambda's default timeout when the function sets none (seconds). */
const DEFAULT_TIMEOUT_S = 3;

function assetBytes(asset: CapturedAsset, where: string): Buffer {
    switch (asset.kind) {
        case "string":
            return Buffer.from(asset.text);
        case "file":
            return fs.readFileSync(asset.path);
        default:
            throw new Error(`${where}: nested archives are not supported`);
    }
}

/**
 * Runs `load` with a function's environment variables in `process.env`, then restores it. Handlers
 * read their configuration when their module loads (the authorizer builds its verifier then), so
 * that is when the variables are there; all functions share this one process (fidelity notes).
 */
export function withEnvironment<T>(variables: Readonly<Record<string, string>>, load: () => T): T {
    const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
    try {
        return load();
    } finally {
        for (const [name, value] of Object.entries(previous)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    }
}

/** Loads and invokes the functions of one local stack; {@link dispose} removes their files. */
export class LambdaRuntime {
    private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "same-origin-lambda-"));
    private readonly handlers = new Map<string, Handler>();

    /**
     * @param environmentOverrides Variables the local stack sets on top of a function's own (the
     * authorizer's JWKS location, pointed at the local issuer).
     */
    constructor(
        private readonly environmentOverrides: (fn: CapturedResource) => Readonly<Record<string, string>> = () => ({}),
    ) {}

    /** The function's handler, loaded on first use. */
    private handlerOf(fn: CapturedResource): Handler {
        const cached = this.handlers.get(fn.urn || fn.name);
        if (cached) {
            return cached;
        }
        const code = fn.state.code as CapturedAsset | undefined;
        if (code?.kind !== "archive") {
            throw new Error(`Lambda function ${fn.name}: its code is not an archive the graph captured`);
        }
        const root = path.join(this.dir, fn.name);
        for (const [file, asset] of Object.entries(code.assets)) {
            const target = path.join(root, file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, assetBytes(asset, `${fn.name}/${file}`));
        }
        const spec = String(fn.state.handler ?? "index.handler");
        const dot = spec.lastIndexOf(".");
        const moduleFile = path.join(root, spec.slice(0, dot));
        const variables = { ...(fn.state.environment?.variables ?? {}), ...this.environmentOverrides(fn) };
        const exported = withEnvironment(variables, () => createRequire(path.join(root, "package.json"))(moduleFile))[
            spec.slice(dot + 1)
        ];
        if (typeof exported !== "function") {
            throw new Error(`Lambda function ${fn.name}: handler "${spec}" is not a function exported by its package`);
        }
        this.handlers.set(fn.urn || fn.name, exported as Handler);
        return exported as Handler;
    }

    /**
     * Invokes a function with an event and waits for its result, for at most its configured
     * timeout. A handler that throws, rejects, calls back with an error or times out gives
     * `ok: false` with the error type and message Lambda would report.
     */
    async invoke(fn: CapturedResource, event: unknown): Promise<InvocationResult> {
        const timeoutMs = Number(fn.state.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
        const deadline = Date.now() + timeoutMs;
        const context = {
            functionName: fn.state.name,
            functionVersion: fn.state.version ?? "$LATEST",
            invokedFunctionArn: fn.state.arn,
            memoryLimitInMB: String(fn.state.memorySize ?? 128),
            awsRequestId: requestId(),
            logGroupName: fn.state.loggingConfig?.logGroup ?? `/aws/lambda/${fn.state.name}`,
            logStreamName: "local",
            callbackWaitsForEmptyEventLoop: true,
            getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        };
        let timer: NodeJS.Timeout | undefined;
        try {
            const handler = this.handlerOf(fn);
            const input = JSON.parse(JSON.stringify(event));
            const outcome = new Promise<unknown>((resolve, reject) => {
                const returned = handler(input, context, (error, result) => (error ? reject(error) : resolve(result)));
                if (
                    returned !== null &&
                    typeof returned === "object" &&
                    typeof (returned as Promise<unknown>).then === "function"
                ) {
                    (returned as Promise<unknown>).then(resolve, reject);
                }
            });
            const timeout = new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new TimeoutError(timeoutMs / 1000)), timeoutMs);
            });
            const value = await Promise.race([outcome, timeout]);
            return { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
        } catch (error) {
            if (error instanceof TimeoutError) {
                return { ok: false, errorType: "Sandbox.Timedout", errorMessage: error.message };
            }
            const e = error instanceof Error ? error : undefined;
            return { ok: false, errorType: e?.name ?? "string", errorMessage: e ? e.message : String(error) };
        } finally {
            clearTimeout(timer);
        }
    }

    /** Removes the unpacked packages. */
    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

class TimeoutError extends Error {
    constructor(seconds: number) {
        super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    }
}
