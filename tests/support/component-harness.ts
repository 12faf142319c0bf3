/**
 * Runs one Pulumi component (or helper) alone under Pulumi's mock runtime, the way pulumi-awsx
 * tests its components: mocks answered with the attributes AWS would compute (capture/mock-aws.ts),
 * `aws:region` set, as `pulumi up` or as `pulumi preview`. It returns every resource the component
 * registered (type, name, URN, parent, dependencies, inputs, state), the invokes it made and its
 * Output properties resolved. The shape extends the whole-program capture's, so the look-ups in
 * capture/lookups.ts work on it.
 *
 * A process has one Pulumi runtime: each run sets the mocks and the config afresh and drains every
 * pending registration before it returns, so runs (and `captureStack`) follow each other cleanly.
 */
import * as pulumi from "@pulumi/pulumi";
import { CapturedResource, CapturedStack, resolveInputs, resolveOutput, secretInputNames } from "../../capture/capture";
import { computedAttributes, mockInvoke } from "../../capture/mock-aws";
import { CONFIG_NAMESPACE } from "../../infra/config";

/** The region components run in unless a test says otherwise. */
export const TEST_REGION = "eu-west-1";
/** The stack name components see (`pulumi.getStack()`). */
export const TEST_STACK = "test";

export interface RunOptions {
    /** Run as `pulumi preview` does: computed attributes of new resources are unknown. @default false */
    readonly preview?: boolean;
    /** `aws:region`. @default TEST_REGION */
    readonly region?: string;
    /** @default TEST_STACK */
    readonly stack?: string;
}

/** A resource as the component registered it. */
export interface RegisteredResource extends CapturedResource {
    /** The parent's URN; undefined for a resource registered without a parent. */
    readonly parent: string | undefined;
    /** URNs of the resources it depends on: its `dependsOn` and those its input values come from. */
    readonly dependencies: readonly string[];
    /** Outputs the engine is asked to keep secret (`additionalSecretOutputs`, a provider's or the caller's). */
    readonly additionalSecretOutputs: readonly string[];
    /** `retainOnDelete`: a destroy drops it from the stack and leaves it in the cloud. */
    readonly retainOnDelete: boolean;
}

/** A data source call. */
export interface Invoke {
    readonly token: string;
    readonly inputs: Record<string, any>;
    readonly result: Record<string, any>;
}

/** One run: the whole-program capture's shape, plus what the component's factory returned. */
export interface ComponentRun<T> extends CapturedStack {
    readonly resources: readonly RegisteredResource[];
    /** What the factory returned (the component). */
    readonly value: T;
    /** The data sources invoked, in order: token, arguments and the mock's answer. */
    readonly invokes: readonly Invoke[];
    /** The value's Output properties, resolved; UNKNOWN where a preview cannot know them. */
    readonly outputs: Readonly<Record<string, unknown>>;
}

/** The factory threw; `resources` are those registered before it did. */
export class ComponentFailure extends Error {
    constructor(
        readonly cause: unknown,
        readonly resources: readonly RegisteredResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ComponentFailure";
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getRetainondelete(): boolean | undefined;
}
interface MockMonitorInternals {
    registerResource(
        request: RegisterRequest,
        callback: (error: unknown, response?: { getUrn(): string }) => void,
    ): Promise<void>;
}
// Internal runtime API, as capture/capture.ts uses it: the mock monitor, and draining its RPCs.
const settings = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs(): Promise<void>;
    getMonitor(): MockMonitorInternals;
};
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
    getStore(): { supportsResourceReferences: boolean };
};

let running = false;

/**
 * Calls `create` under fresh mocks and returns what it registered. Rejects with a
 * {@link ComponentFailure} when `create` throws.
 */
export async function runComponent<T>(create: () => T, options: RunOptions = {}): Promise<ComponentRun<T>> {
    if (running) {
        throw new Error("runComponent: a run is already under way in this process; await it first");
    }
    running = true;
    try {
        return await run(create, options);
    } finally {
        running = false;
    }
}

/** Calls `create` under fresh mocks, expecting it to throw; fails the test when it does not. */
export async function componentFailure(create: () => unknown, options: RunOptions = {}): Promise<ComponentFailure> {
    try {
        await runComponent(create, options);
    } catch (error) {
        if (error instanceof ComponentFailure) {
            return error;
        }
        throw error;
    }
    throw new Error("expected the component to fail, but it was created");
}

async function run<T>(create: () => T, options: RunOptions): Promise<ComponentRun<T>> {
    const preview = options.preview ?? false;
    const region = options.region ?? TEST_REGION;
    const stack = options.stack ?? TEST_STACK;
    const config = { "aws:region": region };

    const created: Omit<
        RegisteredResource,
        | "urn"
        | "parent"
        | "dependencies"
        | "additionalSecretOutputs"
        | "retainOnDelete"
        | "inputs"
        | "secretInputs"
        | "state"
    >[] = [];
    const rawInputs: unknown[] = [];
    const rawStates: unknown[] = [];
    const placed: {
        key: string;
        urn: string;
        parent: string | undefined;
        dependencies: string[];
        additionalSecretOutputs: string[];
        retainOnDelete: boolean;
    }[] = [];
    const invokes: Invoke[] = [];

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const computed = computedAttributes(args.type, args.name, args.inputs, region);
                // A real preview knows inputs only; computed attributes of a new resource are unknown.
                const state = preview ? { ...args.inputs } : { ...args.inputs, ...computed };
                created.push({
                    type: args.type,
                    name: args.name,
                    custom: args.custom ?? true,
                    id: String(computed.id),
                });
                rawInputs.push(args.inputs);
                rawStates.push(state);
                return { id: preview ? undefined : String(computed.id), state };
            },
            call(args) {
                const result = mockInvoke(args.token, args.inputs);
                invokes.push({ token: args.token, inputs: args.inputs, result });
                return result;
            },
        },
        CONFIG_NAMESPACE,
        stack,
        preview,
    );
    // Providers receive a referenced resource as its id; so must the mock, to see plain inputs.
    runtimeState.getStore().supportsResourceReferences = false;
    pulumi.runtime.setAllConfig(config);

    // The mock hands newResource neither the parent nor the dependencies: read them off the request.
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) =>
        register(request, (error, response) => {
            if (response) {
                placed.push({
                    key: `${request.getType()}::${request.getName()}`,
                    urn: response.getUrn(),
                    parent: request.getParent() || undefined,
                    dependencies: request.getDependenciesList(),
                    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
                    retainOnDelete: request.getRetainondelete() === true,
                });
            }
            callback(error, response);
        });

    let value: T | undefined;
    let failure: unknown;
    try {
        value = create();
    } catch (error) {
        failure = error;
    }
    const outputs: Record<string, unknown> = {};
    if (value !== null && typeof value === "object") {
        for (const [key, property] of Object.entries(value)) {
            if (pulumi.Output.isInstance(property) && key !== "urn" && !key.startsWith("__")) {
                outputs[key] = await resolveOutput(property);
            }
        }
    }
    await settings.waitForRPCs();

    const resources: RegisteredResource[] = [];
    for (const [i, r] of created.entries()) {
        const key = `${r.type}::${r.name}`;
        const places = placed.filter((p) => p.key === key);
        // The mock monitor keeps the last of two resources with one URN; the real engine refuses both.
        if (places.length !== 1) {
            throw new Error(`${key} was registered ${places.length} times; the engine refuses duplicate URNs`);
        }
        resources.push({
            ...r,
            urn: places[0].urn,
            parent: places[0].parent,
            dependencies: places[0].dependencies,
            additionalSecretOutputs: places[0].additionalSecretOutputs,
            retainOnDelete: places[0].retainOnDelete,
            inputs: (await resolveInputs(rawInputs[i])) as Record<string, any>,
            secretInputs: secretInputNames(rawInputs[i]),
            state: (await resolveInputs(rawStates[i])) as Record<string, any>,
        });
    }
    if (failure !== undefined) {
        throw new ComponentFailure(failure, resources);
    }
    return {
        stack,
        preview,
        config,
        resources,
        value: value as T,
        invokes,
        outputs,
    };
}

/** The registered resource with a name (custom or component); fails naming what there is. */
export function named(run: { resources: readonly RegisteredResource[] }, name: string): RegisteredResource {
    const found = run.resources.filter((r) => r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected one resource named ${name}, found ${found.length} among ${run.resources.map((r) => r.name).join(", ")}`,
        );
    }
    return found[0];
}
