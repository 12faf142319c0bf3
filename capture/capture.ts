/**
 * Runs the Pulumi program (index.ts) in-process under Pulumi's mock runtime and captures every
 * resource it declares, with its inputs and the attributes AWS would compute for it. The infra
 * tests, the policy tests, the local stack and `npm run frontend-config` all read the program
 * through this one function, so none of them holds a second description of the infrastructure.
 */
import { Module } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../infra/config";
import { computedAttributes, mockInvoke } from "./mock-aws";
import { PROJECT_DIR, readStackFile, resolveConfig } from "./stack-config";

/** A file, text or archive asset in a resource's inputs, resolved to plain data. */
export type CapturedAsset =
    | { readonly kind: "file"; readonly path: string }
    | { readonly kind: "string"; readonly text: string }
    | { readonly kind: "archive"; readonly assets: Readonly<Record<string, CapturedAsset>> };

/** One resource as the program declared it. */
export interface CapturedResource {
    /** Pulumi type token, e.g. `aws:cloudfront/distribution:Distribution`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    readonly urn: string;
    /** False for component resources. */
    readonly custom: boolean;
    readonly id: string;
    /** The inputs, plain JSON except assets ({@link CapturedAsset}) and, in preview, {@link UNKNOWN}. */
    readonly inputs: Record<string, any>;
    /**
     * The inputs the engine receives as secrets, stored encrypted in the state. Pulumi marks a whole
     * top-level input secret when any value inside it is (`inputs` holds them unwrapped). Absent in
     * hand-built resources: none.
     */
    readonly secretInputs?: readonly string[];
    /**
     * URNs of the resources it waits for: its `dependsOn` and those its inputs come from. Absent in
     * hand-built resources.
     */
    readonly dependencies?: readonly string[];
    /** Inputs plus computed attributes. In preview, computed attributes are absent (unknown). */
    readonly state: Record<string, any>;
}

/** A value not known yet: a computed attribute of a resource a preview has not created. */
export const UNKNOWN = Symbol("unknown");

export interface CapturedStack {
    readonly stack: string;
    readonly preview: boolean;
    /** The config the program saw: `project:key` to string. */
    readonly config: Readonly<Record<string, string>>;
    readonly resources: readonly CapturedResource[];
    /** The program's exports, resolved; {@link UNKNOWN} where a preview cannot know them. */
    readonly outputs: Readonly<Record<string, unknown>>;
}

export interface CaptureOptions {
    /** Reads `Pulumi.<stack>.yaml`. @default "dev" */
    readonly stack?: string;
    /**
     * Config overrides, `key` (project namespace) or `namespace:key` to a string; objects as JSON.
     * A value of `undefined` removes the key.
     */
    readonly config?: Readonly<Record<string, string | undefined>>;
    /**
     * Run as `pulumi preview` does: computed attributes of new resources are unknown.
     * @default false
     */
    readonly preview?: boolean;
    /** Instead of reading `Pulumi.<stack>.yaml`, start from this config (still with Pulumi.yaml defaults). */
    readonly stackConfig?: Readonly<Record<string, unknown>>;
    /**
     * A module the program loads in place of the route table, {@link ROUTES_MODULE}: it exports
     * `ROUTES` and `HANDLERS_DIR` (the folder its handler modules are in) as functions/routes.ts
     * does. For tests that add routes and handlers without editing the shipped table. Absolute, or
     * relative to the project.
     * @example "tests/fixtures/own-route/routes.ts"
     */
    readonly routesModule?: string;
}

/** The route table index.ts deploys. */
export const ROUTES_MODULE = path.join(PROJECT_DIR, "functions", "routes.ts");

/**
 * Loads a substitute route table and puts it in Node's module cache under the route table's own
 * file, so index.ts's `import ... from "./functions/routes"` gets it; returns what undoes that.
 */
function substituteRouteTable(routesModule: string): () => void {
    const file = path.resolve(PROJECT_DIR, routesModule);
    const exported = require(file) as Record<string, unknown>;
    if (!Array.isArray(exported.ROUTES) || typeof exported.HANDLERS_DIR !== "string") {
        throw new Error(
            `routesModule ${routesModule}: it must export ROUTES (a route table) and HANDLERS_DIR (the folder ` +
                "of its handler modules), as functions/routes.ts does",
        );
    }
    const key = require.resolve(ROUTES_MODULE);
    const previous = require.cache[key];
    const substitute = new Module(key);
    substitute.filename = key;
    substitute.exports = exported;
    substitute.loaded = true;
    require.cache[key] = substitute;
    return () => {
        if (previous === undefined) {
            delete require.cache[key];
        } else {
            require.cache[key] = previous;
        }
    };
}

/** The program failed; `resources` are those it had registered before it did. */
export class ProgramError extends Error {
    constructor(
        readonly cause: unknown,
        readonly resources: readonly CapturedResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
    }
}

/** The names of a resource's top-level inputs that reached the engine as secrets. */
export function secretInputNames(inputs: unknown): string[] {
    return Object.entries((inputs ?? {}) as Record<string, unknown>)
        .filter(([, value]) => pulumi.runtime.isRpcSecret(value))
        .map(([name]) => name);
}

/**
 * Turns assets into {@link CapturedAsset}s and a preview's unknown values into {@link UNKNOWN}; a
 * secret is its value (see {@link secretInputNames}).
 */
export async function resolveInputs(value: unknown): Promise<unknown> {
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
    }
    if (pulumi.runtime.isRpcSecret(value)) {
        return resolveInputs(pulumi.runtime.unwrapRpcSecret(value));
    }
    if (pulumi.asset.Archive.isInstance(value)) {
        const assets = await (value as pulumi.asset.AssetArchive).assets;
        const resolved: Record<string, CapturedAsset> = {};
        for (const [key, asset] of Object.entries(assets ?? {})) {
            resolved[key] = (await resolveInputs(asset)) as CapturedAsset;
        }
        return { kind: "archive", assets: resolved } satisfies CapturedAsset;
    }
    if (pulumi.asset.Asset.isInstance(value)) {
        const asset = value as pulumi.asset.FileAsset & pulumi.asset.StringAsset;
        const text = await asset.text;
        if (text !== undefined) {
            return { kind: "string", text } satisfies CapturedAsset;
        }
        const file = await asset.path;
        if (file !== undefined) {
            return { kind: "file", path: file } satisfies CapturedAsset;
        }
        throw new Error("capture/capture.ts: only file and string assets are captured");
    }
    if (Array.isArray(value)) {
        return Promise.all((value as unknown[]).map(resolveInputs));
    }
    if (value !== null && typeof value === "object") {
        const entries = await Promise.all(
            Object.entries(value).map(async ([k, v]) => [k, await resolveInputs(v)] as const),
        );
        return Object.fromEntries(entries);
    }
    return value;
}

/** An Output's value, or {@link UNKNOWN} where a preview cannot know it; any other value as it is. */
export async function resolveOutput(value: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(value)) {
        return value;
    }
    // Internal fields: `apply` never calls back on an unknown value, which would hang a preview.
    const output = value as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
    if (!(await output.isKnown)) {
        return UNKNOWN;
    }
    return output.promise();
}

let running = false;

/**
 * Runs index.ts under mocks with a stack's config and returns what it declared. Runs are
 * serialized: Pulumi's runtime state is process-wide.
 */
export async function captureStack(options: CaptureOptions = {}): Promise<CapturedStack> {
    if (running) {
        throw new Error("captureStack: a capture is already running in this process; await it first");
    }
    running = true;
    try {
        return await runProgram(options);
    } finally {
        running = false;
    }
}

async function runProgram(options: CaptureOptions): Promise<CapturedStack> {
    const stack = options.stack ?? "dev";
    const preview = options.preview ?? false;
    const config = resolveConfig(options.stackConfig ?? readStackFile(stack), options.config);
    const region = config["aws:region"] ?? "";

    const registered: {
        type: string;
        name: string;
        custom: boolean;
        id: string;
        inputs: unknown;
        state: Record<string, unknown>;
    }[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const computed = computedAttributes(args.type, args.name, args.inputs, region);
                const id = String(computed.id);
                // A real preview knows inputs only; computed attributes of a new resource are unknown.
                const state = preview ? { ...args.inputs } : { ...args.inputs, ...computed };
                registered.push({
                    type: args.type,
                    name: args.name,
                    custom: args.custom ?? true,
                    id,
                    inputs: args.inputs,
                    state,
                });
                return { id: preview ? undefined : id, state };
            },
            call(args) {
                return mockInvoke(args.token, args.inputs);
            },
        },
        CONFIG_NAMESPACE,
        stack,
        preview,
    );
    // Providers receive a referenced resource as its id; so must the mock, to see plain inputs.
    (
        require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsResourceReferences: boolean } }
    ).getStore().supportsResourceReferences = false;
    pulumi.runtime.setAllConfig(config);
    // The mock hands newResource no dependencies: read them off the registration requests.
    const dependencies = new Map<string, string[]>();
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void>; getMonitor(): any };
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request: any, callback: (error: unknown, response?: unknown) => void) => {
        dependencies.set(`${request.getType()}::${request.getName()}`, request.getDependenciesList());
        return register(request, callback);
    };

    const entry = require.resolve(path.join(PROJECT_DIR, "index.ts"));
    delete require.cache[entry];
    let exports: Record<string, unknown>;
    let failure: unknown;
    const restoreRouteTable =
        options.routesModule === undefined ? undefined : substituteRouteTable(options.routesModule);
    try {
        exports = require(entry);
    } catch (error) {
        failure = error;
        exports = {};
    } finally {
        restoreRouteTable?.();
    }
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exports)) {
        outputs[key] = await resolveOutput(value);
    }
    // Internal runtime API: drain pending registrations, then read the mock monitor's URNs.
    await settings.waitForRPCs();
    const urns = [...(monitor.getRegisteredResources() as Map<string, unknown>).keys()];
    const resources: CapturedResource[] = [];
    for (const r of registered) {
        const urn = urns.find((u) => u.endsWith(`::${r.name}`) && u.split("::")[2].split("$").pop() === r.type) ?? "";
        resources.push({
            type: r.type,
            name: r.name,
            urn,
            custom: r.custom,
            id: r.id,
            inputs: (await resolveInputs(r.inputs)) as Record<string, any>,
            secretInputs: secretInputNames(r.inputs),
            dependencies: dependencies.get(`${r.type}::${r.name}`) ?? [],
            state: (await resolveInputs(r.state)) as Record<string, any>,
        });
    }
    if (failure !== undefined) {
        throw new ProgramError(failure, resources);
    }
    // The mock monitor keeps the last of two resources with one URN; the real engine refuses both.
    if (urns.length !== registered.length) {
        const seen = new Map<string, number>();
        for (const r of registered) {
            seen.set(`${r.type}::${r.name}`, (seen.get(`${r.type}::${r.name}`) ?? 0) + 1);
        }
        const duplicates = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
        throw new Error(`The program declares duplicate resource URNs: ${duplicates.join(", ")}`);
    }
    return { stack, preview, config, resources, outputs };
}
