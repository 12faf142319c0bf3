/**
 * Runs the pack's policies in-process over a stack's resources, with the arguments built as
 * @pulumi/policy's analyzer server builds them: a resource policy gets each resource's inputs, a
 * stack policy gets every resource's outputs. For a preview, a value that is not known yet becomes
 * the analyzer's unknown sentinel behind its unknown-checking proxy, so a policy that reads one is
 * reported as not run during preview, as `pulumi preview` reports it (advisory), rather than as
 * passed or failed. The tests use this to judge the offline graph (capture/capture.ts) with no CLI.
 */
import { CapturedResource, UNKNOWN } from "../../capture/capture";
import type {
    Policies,
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

const common = {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
    },
};

function resourceArgs(resource: StackResource): ResourceValidationArgs {
    const props = analyzerProps(resource.inputs);
    return {
        ...common,
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: DEFAULT_OPTIONS,
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: (resourceClass) => (isTypeOf(resource.type, resourceClass) ? (props as any) : undefined),
    };
}

function stackArgs(resources: readonly StackResource[]): StackValidationArgs {
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
    return { ...common, resources: policyResources };
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
async function validateResource(policy: ResourceValidationPolicy, resource: StackResource): Promise<PackResult> {
    const findings: Findings = { violations: [], notRunDuringPreview: [] };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validation of validations.filter((v) => v !== undefined)) {
        await run(policy.name, resource.urn, (report) => validation(resourceArgs(resource), report), findings);
    }
    return findings;
}

/** Runs a stack policy on every resource's outputs. */
async function validateStack(policy: StackValidationPolicy, resources: readonly StackResource[]): Promise<PackResult> {
    const findings: Findings = { violations: [], notRunDuringPreview: [] };
    await run(policy.name, undefined, (report) => policy.validateStack(stackArgs(resources), report), findings);
    return findings;
}

/** Runs every policy as the engine would: resource policies on each resource, stack policies once. */
export async function evaluatePolicies(policies: Policies, resources: readonly StackResource[]): Promise<PackResult> {
    const results: PackResult[] = [];
    for (const policy of policies) {
        if ("validateStack" in policy) {
            results.push(await validateStack(policy, resources));
        } else {
            for (const resource of resources) {
                results.push(await validateResource(policy, resource));
            }
        }
    }
    return {
        violations: results.flatMap((r) => r.violations),
        notRunDuringPreview: results.flatMap((r) => r.notRunDuringPreview),
    };
}
