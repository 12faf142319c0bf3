/**
 * Runs the Pulumi program (index.ts) in-process under Pulumi's mock runtime and captures every
 * resource it declares, with its inputs and the attributes AWS would compute for it. The infra
 * tests, the policy tests, the local stack and `npm run frontend-config` all read the program
 * through this one function, so none of them holds a second description of the infrastructure.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const PROJECT_NAME = "same-origin";
/** The account id every mocked ARN carries. */
export const MOCK_ACCOUNT_ID = "123456789012";
/** CloudFront's hosted zone id for alias records (the same in every account). */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

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

const hex = (seed: string, length: number) => crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
const qualify = (key: string) => (key.includes(":") ? key : `${PROJECT_NAME}:${key}`);

/** Reads the config block of a stack file as strings, the way the Pulumi CLI hands it to programs. */
export function readStackFile(stack: string, dir = PROJECT_DIR): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`No stack file ${file}: create it, or pass a stack that has one (Pulumi.<stack>.yaml)`);
    }
    const document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    return document.config ?? {};
}

/** The defaults declared in Pulumi.yaml's `config:` schema, which the CLI applies before the program runs. */
export function projectConfigDefaults(dir = PROJECT_DIR): Record<string, unknown> {
    const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    const defaults: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries<any>(project.config ?? {})) {
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            defaults[qualify(key)] = declaration.default;
        }
    }
    return defaults;
}

/** Merges defaults, stack file and overrides into the string map Pulumi programs read. */
export function resolveConfig(
    stackValues: Record<string, unknown>,
    overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
    const merged: Record<string, unknown> = { ...projectConfigDefaults() };
    for (const [key, value] of Object.entries(stackValues)) {
        merged[qualify(key)] = value;
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete merged[qualify(key)];
        } else {
            merged[qualify(key)] = value;
        }
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(merged)) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

/**
 * The attributes AWS computes for a resource, derived deterministically from its name and inputs,
 * in the formats AWS uses, so every URL, host and ARN the program builds from them is realistic.
 */
export function computedAttributes(
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
): Record<string, unknown> {
    const account = MOCK_ACCOUNT_ID;
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-${hex(name, 7)}`;
            return {
                id: bucket,
                bucket,
                arn: `arn:aws:s3:::${bucket}`,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
                region,
            };
        }
        case "aws:lambda/function:Function": {
            const fnRegion = inputs.region ?? region;
            const functionName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const arn = `arn:aws:lambda:${fnRegion}:${account}:function:${functionName}`;
            const version = inputs.publish ? "1" : "$LATEST";
            return {
                id: functionName,
                name: functionName,
                arn,
                region: fnRegion,
                version,
                qualifiedArn: `${arn}:${version}`,
                invokeArn: `arn:aws:apigateway:${fnRegion}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                qualifiedInvokeArn: `arn:aws:apigateway:${fnRegion}:lambda:path/2015-03-31/functions/${arn}:${version}/invocations`,
            };
        }
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: roleName, name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}` };
        }
        case "aws:apigateway/restApi:RestApi": {
            const id = hex(`restapi:${name}`, 10);
            return {
                id,
                rootResourceId: hex(`root:${name}`, 10),
                arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
                executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
            };
        }
        case "aws:apigateway/stage:Stage":
            return {
                id: `ags-${inputs.restApi}-${inputs.stageName}`,
                invokeUrl: `https://${inputs.restApi}.execute-api.${region}.amazonaws.com/${inputs.stageName}`,
                executionArn: `arn:aws:execute-api:${region}:${account}:${inputs.restApi}/${inputs.stageName}`,
                arn: `arn:aws:apigateway:${region}::/restapis/${inputs.restApi}/stages/${inputs.stageName}`,
            };
        case "aws:apigateway/domainName:DomainName":
            return {
                id: inputs.domainName,
                arn: `arn:aws:apigateway:${region}::/domainnames/${inputs.domainName}`,
                regionalDomainName: `d-${hex(inputs.domainName, 10)}.execute-api.${region}.amazonaws.com`,
                regionalZoneId: `Z${hex(`zone:${region}`, 12).toUpperCase()}`,
            };
        case "aws:acm/certificate:Certificate": {
            const token = hex(`acm:${inputs.domainName}`, 32);
            return {
                id: `arn:aws:acm:${region}:${account}:certificate/${hex(name, 8)}-${hex(name, 12)}`,
                arn: `arn:aws:acm:${region}:${account}:certificate/${hex(name, 8)}-${hex(name, 12)}`,
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_${token}.${inputs.domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hex(token, 32)}.acm-validations.aws.`,
                    },
                ],
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { id: `${inputs.certificateArn}-validation`, certificateArn: inputs.certificateArn };
        case "aws:route53/record:Record":
            return {
                id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`,
                fqdn: String(inputs.name).replace(/\.$/, ""),
            };
        case "aws:cloudfront/distribution:Distribution": {
            const id = `E${hex(name, 13).toUpperCase()}`;
            return {
                id,
                arn: `arn:aws:cloudfront::${account}:distribution/${id}`,
                domainName: `d${hex(`cdn:${name}`, 13)}.cloudfront.net`,
                hostedZoneId: CLOUDFRONT_ZONE_ID,
                status: "Deployed",
                etag: hex(`etag:${name}`, 14).toUpperCase(),
            };
        }
        case "aws:cloudfront/function:Function": {
            const functionName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return {
                id: functionName,
                name: functionName,
                arn: `arn:aws:cloudfront::${account}:function/${functionName}`,
                etag: hex(`etag:${name}`, 14).toUpperCase(),
                liveStageEtag: hex(`etag:${name}`, 14).toUpperCase(),
                status: "UNASSOCIATED",
            };
        }
        case "aws:cloudfront/originAccessControl:OriginAccessControl":
            return { id: `E${hex(`oac:${name}`, 13).toUpperCase()}`, etag: hex(`etag:${name}`, 14).toUpperCase() };
        case "aws:s3/bucketObjectv2:BucketObjectv2":
            return { id: inputs.key, etag: hex(`object:${name}`, 32), versionId: "" };
        default:
            return { id: `${name}-${hex(`${type}:${name}`, 8)}` };
    }
}

/** Invokes the program makes (data sources), answered as AWS would for the mocked account. */
function mockInvoke(token: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "aws:route53/getZone:getZone": {
            const zoneName = String(inputs.name ?? "").replace(/\.$/, "");
            const zoneId = inputs.zoneId ?? `Z${hex(`zone:${zoneName}`, 20).toUpperCase()}`;
            return { id: zoneId, zoneId, name: zoneName, privateZone: false, nameServers: [] };
        }
        default:
            // An invoke nobody mocked must fail loudly: a silent undefined would hang an apply.
            throw new Error(
                `local/graph.ts: the program invoked ${token}, which the mock does not answer; add it to mockInvoke`,
            );
    }
}

/** Turns assets into {@link CapturedAsset}s and a preview's unknown values into {@link UNKNOWN}. */
async function resolveInputs(value: unknown): Promise<unknown> {
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
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
        throw new Error("local/graph.ts: only file and string assets are captured");
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

async function resolveOutput(value: unknown): Promise<unknown> {
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
        PROJECT_NAME,
        stack,
        preview,
    );
    // Providers receive a referenced resource as its id; so must the mock, to see plain inputs.
    (
        require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsResourceReferences: boolean } }
    ).getStore().supportsResourceReferences = false;
    pulumi.runtime.setAllConfig(config);

    const entry = require.resolve(path.join(PROJECT_DIR, "index.ts"));
    delete require.cache[entry];
    let exports: Record<string, unknown>;
    let failure: unknown;
    try {
        exports = require(entry);
    } catch (error) {
        failure = error;
        exports = {};
    }
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exports)) {
        outputs[key] = await resolveOutput(value);
    }
    // Internal runtime API: drain pending registrations, then read the mock monitor's URNs.
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void>; getMonitor(): any };
    await settings.waitForRPCs();
    const monitor = settings.getMonitor();
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

/** Every resource of a type. */
export function resourcesOfType(stack: CapturedStack, type: string): CapturedResource[] {
    return stack.resources.filter((r) => r.type === type);
}

/** The one resource of a type; throws when there are none or several, naming what was found. */
export function onlyResourceOfType(stack: CapturedStack, type: string): CapturedResource {
    const found = resourcesOfType(stack, type);
    if (found.length !== 1) {
        throw new Error(`Expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}
