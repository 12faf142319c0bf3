/**
 * Runs the pack's policies in-process over a stack's resources, with the arguments built as
 * @pulumi/policy's analyzer server builds them: a resource policy gets each resource's inputs, a
 * stack policy gets every resource's outputs. For a preview, a value that is not known yet becomes
 * the analyzer's unknown sentinel behind its unknown-checking proxy, so a policy that reads one is
 * reported as not run during preview, as `pulumi preview` reports it (advisory), rather than as
 * passed or failed. A policy's `getConfig()` returns the pack config given for the run over its
 * schema's defaults, as the engine hands it over. The tests use this to judge the offline graph
 * (capture/capture.ts) with no CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CapturedResource, UNKNOWN } from "../../capture/capture";
import { PROJECT_DIR } from "../../capture/stack-config";
import type {
    Policies,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

/** The parts of a captured resource the analyzer sees. */
export type StackResource = Pick<CapturedResource, "type" | "name" | "urn" | "inputs" | "state">;

/** One policy's verdict on one resource (or the stack). */
export interface PolicyFinding {
    readonly policy: string;
    readonly message: string;
    readonly urn?: string;
}

export interface PackResult {
    /** What the pack would block a deployment on. */
    readonly violations: readonly PolicyFinding[];
    /** Policies that read a value not known until the update (preview only). */
    readonly notRunDuringPreview: readonly PolicyFinding[];
}

interface AnalyzerInternals {
    unknownCheckingProxy<T extends object>(target: T): T;
    UnknownValueError: abstract new (...args: never[]) => Error;
    unknownStringValue: string;
}

// The analyzer server's own proxy, error and sentinel (@pulumi/policy/proxy.js). Its published
// declarations omit them (they are marked internal), hence the typed require.
const analyzer = require("@pulumi/policy/proxy") as AnalyzerInternals;

/** Thrown by `notApplicable()`, as the server's own NotApplicableError is. */
class NotApplicable extends Error {}

const DEFAULT_OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** Replaces the capture's unknowns with the analyzer's sentinel, recursively. */
function withAnalyzerUnknowns(value: unknown): unknown {
    if (value === UNKNOWN) {
        return analyzer.unknownStringValue;
    }
    if (Array.isArray(value)) {
        return value.map(withAnalyzerUnknowns);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withAnalyzerUnknowns(v)]));
    }
    return value;
}

/** Props as the analyzer hands them to a policy. */
function analyzerProps(props: Record<string, unknown>): Record<string, any> {
    return analyzer.unknownCheckingProxy(withAnalyzerUnknowns(props) as Record<string, any>);
}

/** `isType`: the class's Pulumi type token (every @pulumi/aws class carries one) against the resource's. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

/**
 * A pack config as `pulumi preview --policy-pack-config <file>` reads it: per policy name, the
 * values of the properties its configSchema declares
 * (https://www.pulumi.com/docs/iac/using-pulumi/crossguard/configuration/#running-policy-packs-locally).
 * Enforcement levels (`"all": "advisory"`, `{ enforcementLevel }`) are part of that format, but this
 * harness does not model them.
 */
export type PackConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The pack config a stack's previews and updates pass (the workflows name the same file). */
export function packConfigPath(stack: string): string {
    return path.join("policy", "config", `${stack}.json`);
}

export function readPackConfig(stack: string): PackConfig {
    return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, packConfigPath(stack)), "utf8"));
}

/**
 * What a policy's `getConfig()` returns: its schema's defaults, then the values the pack config
 * gives it, as the engine reconciles them before configuring the pack (ReconcilePolicyPackConfig,
 * pulumi/pulumi pkg/resource/analyzer/config.go).
 */
export function policyConfig(policy: Policy, config: PackConfig): Record<string, unknown> {
    const given = config[policy.name] ?? {};
    if (typeof given !== "object" || "enforcementLevel" in given) {
        throw new Error(
            `pack config for ${policy.name}: ${JSON.stringify(given)}; this harness runs every policy as declared and ` +
                `models configSchema properties only. Fix: give { "<property>": <value> } or leave enforcement levels out.`,
        );
    }
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) =>
        typeof schema === "object" && schema.default !== undefined ? [[key, schema.default]] : [],
    );
    return { ...Object.fromEntries(defaults), ...given };
}

/**
 * What is wrong with a pack config for a pack, one line each: a policy the pack does not have, a
 * property its schema does not declare, or a value not of the declared type. The engine checks the
 * types (JSON Schema) but lets unknown names through, where a typo would silently leave a default on.
 */
export function packConfigProblems(policies: Policies, config: PackConfig): string[] {
    const jsonType = (value: unknown) =>
        value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
    return Object.entries(config).flatMap(([name, values]) => {
        const policy = policies.find((p) => p.name === name);
        if (policy === undefined) {
            return [`${name}: the pack has no such policy`];
        }
        return Object.entries(values).flatMap(([key, value]) => {
            const schema = policy.configSchema?.properties[key];
            if (typeof schema !== "object") {
                return [`${name}.${key}: the policy's configSchema declares no such property`];
            }
            const types: string[] = schema.type === undefined ? [] : [schema.type].flat();
            const type = jsonType(value);
            const fits = types.length === 0 || types.includes(type) || (type === "integer" && types.includes("number"));
            return fits ? [] : [`${name}.${key} is ${JSON.stringify(value)}, not of type ${types.join(" or ")}`];
        });
    });
}

/** The arguments every validation gets, with the policy's config. */
function commonArgs(config: Record<string, unknown>) {
    return {
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

function resourceArgs(resource: StackResource, config: Record<string, unknown>): ResourceValidationArgs {
    const props = analyzerProps(resource.inputs);
    return {
        ...commonArgs(config),
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: DEFAULT_OPTIONS,
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: (resourceClass) => (isTypeOf(resource.type, resourceClass) ? (props as any) : undefined),
    };
}

function stackArgs(resources: readonly StackResource[], config: Record<string, unknown>): StackValidationArgs {
    const policyResources = resources.map((resource): PolicyResource => {
        const props = analyzerProps(resource.state);
        return {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: DEFAULT_OPTIONS,
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            asType: (resourceClass) => (isTypeOf(resource.type, resourceClass) ? (props as any) : undefined),
        };
    });
    return { ...commonArgs(config), resources: policyResources };
}

type Findings = { violations: PolicyFinding[]; notRunDuringPreview: PolicyFinding[] };

/**
 * Runs one validation and sorts its outcome into the findings: reported violations, nothing (passed
 * or not applicable), or not run because it read an unknown value.
 */
async function run(
    policy: string,
    defaultUrn: string | undefined,
    validate: (report: ReportViolation) => unknown,
    findings: Findings,
): Promise<void> {
    try {
        await validate((message, urn) => findings.violations.push({ policy, message, urn: urn ?? defaultUrn }));
    } catch (error) {
        if (error instanceof analyzer.UnknownValueError) {
            findings.notRunDuringPreview.push({ policy, message: error.message, urn: defaultUrn });
        } else if (!(error instanceof NotApplicable)) {
            throw error;
        }
    }
}

/** Runs a resource policy's validations on one resource's inputs. */
async function validateResource(
    policy: ResourceValidationPolicy,
    resource: StackResource,
    config: Record<string, unknown>,
): Promise<PackResult> {
    const findings: Findings = { violations: [], notRunDuringPreview: [] };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validation of validations.filter((v) => v !== undefined)) {
        await run(policy.name, resource.urn, (report) => validation(resourceArgs(resource, config), report), findings);
    }
    return findings;
}

/** Runs a stack policy on every resource's outputs. */
async function validateStack(
    policy: StackValidationPolicy,
    resources: readonly StackResource[],
    config: Record<string, unknown>,
): Promise<PackResult> {
    const findings: Findings = { violations: [], notRunDuringPreview: [] };
    await run(policy.name, undefined, (report) => policy.validateStack(stackArgs(resources, config), report), findings);
    return findings;
}

/**
 * Runs every policy as the engine would: resource policies on each resource, stack policies once,
 * each with its config from `config` (a stack's pack config file; none gives every default).
 */
export async function evaluatePolicies(
    policies: Policies,
    resources: readonly StackResource[],
    config: PackConfig = {},
): Promise<PackResult> {
    const results: PackResult[] = [];
    for (const policy of policies) {
        const values = policyConfig(policy, config);
        if ("validateStack" in policy) {
            results.push(await validateStack(policy, resources, values));
        } else {
            for (const resource of resources) {
                results.push(await validateResource(policy, resource, values));
            }
        }
    }
    return {
        violations: results.flatMap((r) => r.violations),
        notRunDuringPreview: results.flatMap((r) => r.notRunDuringPreview),
    };
}
