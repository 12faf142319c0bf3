import * as pulumi from "@pulumi/pulumi";
import { PathRewriter, ProxyMode } from "../core/paths";

/** The project's config namespace: keys are `same-origin:<key>`. */
export const CONFIG_NAMESPACE = "same-origin";

export const PROXY_MODES: readonly ProxyMode[] = ["direct-stage", "custom-domain"];
export const PATH_REWRITERS: readonly PathRewriter[] = ["none", "lambda-edge"];
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** An API Gateway custom domain in front of the stage (custom-domain mode only). */
export interface CustomDomainConfig {
    /** The domain CloudFront uses as the API origin, e.g. `api.example.com`. */
    readonly domainName: string;
    /** Route 53 zone (by name) for the alias record and, without a certificate, ACM validation. */
    readonly hostedZoneName?: string;
    /** Route 53 zone (by id); an alternative to `hostedZoneName`. */
    readonly hostedZoneId?: string;
    /** An ACM certificate in the API's region covering `domainName`; created when absent. */
    readonly certificateArn?: string;
    /** Base path mapped to the stage, one path segment without slashes (`v1`); none by default. */
    readonly basePath?: string;
}

/** The validated, typed stack config. Every field is set: defaults are applied here. */
export interface StackConfig {
    readonly region: string;
    readonly proxyMode: ProxyMode;
    readonly apiPath: string;
    readonly stageName: string;
    readonly pathRewriter: PathRewriter;
    readonly customDomain?: CustomDomainConfig;
    readonly authorizerCacheTtl: number;
    readonly priceClass: PriceClass;
}

/** The config as it arrives: strings for scalars, a parsed object for `customDomain`. */
export interface RawStackConfig {
    readonly region?: string;
    readonly proxyMode?: string;
    readonly apiPath?: string;
    readonly stageName?: string;
    readonly pathRewriter?: string;
    readonly customDomain?: unknown;
    readonly authorizerCacheTtl?: string;
    readonly priceClass?: string;
}

export const CONFIG_KEYS: readonly (keyof RawStackConfig)[] = [
    "proxyMode",
    "apiPath",
    "stageName",
    "pathRewriter",
    "customDomain",
    "authorizerCacheTtl",
    "priceClass",
];

export const DEFAULTS = {
    proxyMode: "direct-stage",
    apiPath: "/api",
    stageName: "prod",
    pathRewriter: "none",
    authorizerCacheTtl: 0,
    priceClass: "PriceClass_100",
} as const;

const CUSTOM_DOMAIN_KEYS = ["domainName", "hostedZoneName", "hostedZoneId", "certificateArn", "basePath"] as const;
// API Gateway resource path parts and base paths allow only these characters.
const PATH_SEGMENT = "[A-Za-z0-9._-]+";
const API_PATH = new RegExp(`^(/${PATH_SEGMENT})+$`);
// REST API (v1) base path mappings take a single segment: API Gateway refuses "/" inside one.
const BASE_PATH = new RegExp(`^${PATH_SEGMENT}$`);
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const MAX_AUTHORIZER_TTL = 3600;

/** Thrown when the stack config is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(
            `Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

const key = (name: string) => `${CONFIG_NAMESPACE}:${name}`;
const show = (value: unknown) => JSON.stringify(value);

function oneOf<T extends string>(
    name: string,
    value: string | undefined,
    allowed: readonly T[],
    fallback: T,
    problems: string[],
): T {
    if (value === undefined) {
        return fallback;
    }
    if ((allowed as readonly string[]).includes(value)) {
        return value as T;
    }
    problems.push(
        `${key(name)} is ${show(value)}; accepted values: ${allowed.map(show).join(", ")}. ` +
            `Fix: pulumi config set ${key(name)} ${fallback}`,
    );
    return fallback;
}

function validateApiPath(value: string | undefined, problems: string[]): string {
    if (value === undefined) {
        return DEFAULTS.apiPath;
    }
    if (!API_PATH.test(value) || value.split("/").some((s) => s === "." || s === "..")) {
        problems.push(
            `${key("apiPath")} is ${show(value)}; it must be a path with a leading slash, no trailing ` +
                `slash and no wildcard, made of letters, digits and . _ - (e.g. "/api" or "/v1/api"); ` +
                `CloudFront serves it as the behavior "<apiPath>/*" and "/" would capture the whole site. ` +
                `Fix: pulumi config set ${key("apiPath")} /api`,
        );
    }
    return value;
}

function validateStageName(value: string | undefined, problems: string[]): string {
    if (value === undefined) {
        return DEFAULTS.stageName;
    }
    if (!STAGE_NAME.test(value)) {
        problems.push(
            `${key("stageName")} is ${show(value)}; API Gateway stage names are 1-128 letters, digits, ` +
                `"_" or "-". Fix: pulumi config set ${key("stageName")} prod`,
        );
    }
    return value;
}

function validateAuthorizerCacheTtl(value: string | undefined, problems: string[]): number {
    if (value === undefined) {
        return DEFAULTS.authorizerCacheTtl;
    }
    const ttl = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isInteger(ttl) || ttl > MAX_AUTHORIZER_TTL) {
        problems.push(
            `${key("authorizerCacheTtl")} is ${show(value)}; it must be a whole number of seconds from 0 ` +
                `(no caching) to ${MAX_AUTHORIZER_TTL} (API Gateway's maximum). ` +
                `Fix: pulumi config set ${key("authorizerCacheTtl")} 300`,
        );
        return DEFAULTS.authorizerCacheTtl;
    }
    return ttl;
}

function validateCustomDomain(
    value: unknown,
    region: string | undefined,
    problems: string[],
): CustomDomainConfig | undefined {
    const name = key("customDomain");
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(
            `${name} is ${show(value)}; it must be an object like ` +
                `{ "domainName": "api.example.com", "hostedZoneName": "example.com" }. ` +
                `Fix: pulumi config set --path '${name}.domainName' api.example.com`,
        );
        return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const field of Object.keys(record)) {
        if (!(CUSTOM_DOMAIN_KEYS as readonly string[]).includes(field)) {
            problems.push(
                `${name}.${field} is not a known field; known fields: ${CUSTOM_DOMAIN_KEYS.join(", ")}. ` +
                    `Fix: pulumi config rm --path '${name}.${field}'`,
            );
        }
    }
    const text = (field: (typeof CUSTOM_DOMAIN_KEYS)[number]): string | undefined => {
        const v = record[field];
        if (v === undefined) {
            return undefined;
        }
        if (typeof v !== "string" || v === "") {
            problems.push(
                `${name}.${field} is ${show(v)}; it must be a non-empty string. ` +
                    `Fix: pulumi config set --path '${name}.${field}' <value>`,
            );
            return undefined;
        }
        return v;
    };
    const domainName = text("domainName");
    const hostedZoneName = text("hostedZoneName");
    const hostedZoneId = text("hostedZoneId");
    const certificateArn = text("certificateArn");
    const basePath = text("basePath");

    if (domainName === undefined) {
        problems.push(
            `${name}.domainName is missing; custom-domain mode needs the API's domain name. ` +
                `Fix: pulumi config set --path '${name}.domainName' api.example.com`,
        );
    } else if (!DOMAIN_NAME.test(domainName)) {
        problems.push(
            `${name}.domainName is ${show(domainName)}; it must be a lower-case DNS name such as "api.example.com". ` +
                `Fix: pulumi config set --path '${name}.domainName' api.example.com`,
        );
    }
    if (hostedZoneName !== undefined && hostedZoneId !== undefined) {
        problems.push(
            `${name} sets both hostedZoneName (${show(hostedZoneName)}) and hostedZoneId (${show(hostedZoneId)}); ` +
                `give one of them. Fix: pulumi config rm --path '${name}.hostedZoneName'`,
        );
    }
    if (hostedZoneName !== undefined && !DOMAIN_NAME.test(hostedZoneName.replace(/\.$/, ""))) {
        problems.push(
            `${name}.hostedZoneName is ${show(hostedZoneName)}; it must be a DNS zone name such as "example.com". ` +
                `Fix: pulumi config set --path '${name}.hostedZoneName' example.com`,
        );
    }
    if (hostedZoneId !== undefined && !HOSTED_ZONE_ID.test(hostedZoneId)) {
        problems.push(
            `${name}.hostedZoneId is ${show(hostedZoneId)}; it must be a Route 53 zone id such as "Z0123456789ABCDEFGHIJ" ` +
                `(aws route53 list-hosted-zones). Fix: pulumi config set --path '${name}.hostedZoneId' <zone id>`,
        );
    }
    const zoneName = hostedZoneName?.replace(/\.$/, "");
    if (
        domainName !== undefined &&
        zoneName !== undefined &&
        domainName !== zoneName &&
        !domainName.endsWith(`.${zoneName}`)
    ) {
        problems.push(
            `${name}.domainName ${show(domainName)} is not inside ${name}.hostedZoneName ${show(hostedZoneName)}, ` +
                `so the zone cannot hold its records. Fix: set hostedZoneName to the zone that contains the domain`,
        );
    }
    if (hostedZoneName === undefined && hostedZoneId === undefined && certificateArn === undefined) {
        problems.push(
            `${name} has neither a hosted zone nor a certificate; give hostedZoneName or hostedZoneId (a ` +
                `DNS-validated certificate and the alias record are created there) or certificateArn (an existing ` +
                `certificate; you then point ${show(domainName ?? "the domain")} at the output customDomainTarget yourself). ` +
                `Fix: pulumi config set --path '${name}.hostedZoneName' example.com`,
        );
    }
    if (certificateArn !== undefined) {
        const match = CERTIFICATE_ARN.exec(certificateArn);
        if (!match) {
            problems.push(
                `${name}.certificateArn is ${show(certificateArn)}; it must be an ACM certificate ARN ` +
                    `"arn:aws:acm:<region>:<account>:certificate/<id>" (aws acm list-certificates). ` +
                    `Fix: pulumi config set --path '${name}.certificateArn' <arn>`,
            );
        } else if (region !== undefined && match[1] !== region) {
            problems.push(
                `${name}.certificateArn is ${show(certificateArn)}, in ${match[1]}, but the API is in ${region}; a ` +
                    `REGIONAL custom domain needs a certificate in the API's own region. Fix: request or import the ` +
                    `certificate in ${region} and set its ARN, or remove certificateArn to have one created in the zone`,
            );
        }
    }
    if (basePath !== undefined && !BASE_PATH.test(basePath)) {
        problems.push(
            `${name}.basePath is ${show(basePath)}; it must be one path segment without slashes, made of ` +
                `letters, digits and . _ - (e.g. "v1"); leave it out to map the stage at the domain's root. ` +
                `Fix: pulumi config set --path '${name}.basePath' v1`,
        );
    }
    if (domainName === undefined) {
        return undefined;
    }
    return { domainName, hostedZoneName, hostedZoneId, certificateArn, basePath };
}

/**
 * Checks a raw stack config and returns the typed config with defaults applied, or throws a
 * {@link ConfigError} listing every problem with the key, the value seen and the fix. Nothing is
 * defaulted over a value that is present but wrong.
 */
export function validateStackConfig(raw: RawStackConfig, unknownKeys: readonly string[] = []): StackConfig {
    const problems: string[] = [];
    for (const unknown of unknownKeys) {
        problems.push(
            `${unknown} is not a config key of this program; known keys: ${CONFIG_KEYS.map(key).join(", ")}. ` +
                `Fix: pulumi config rm ${unknown}`,
        );
    }
    const region = raw.region;
    if (region === undefined || region === "") {
        problems.push(
            `aws:region is not set; the API, its functions and the bucket are created there. ` +
                `Fix: pulumi config set aws:region eu-west-1`,
        );
    } else if (!REGION.test(region)) {
        problems.push(
            `aws:region is ${show(region)}; it must be an AWS region name such as "eu-west-1". ` +
                `Fix: pulumi config set aws:region eu-west-1`,
        );
    }
    const proxyMode = oneOf("proxyMode", raw.proxyMode, PROXY_MODES, DEFAULTS.proxyMode, problems);
    const apiPath = validateApiPath(raw.apiPath, problems);
    const stageName = validateStageName(raw.stageName, problems);
    const pathRewriter = oneOf("pathRewriter", raw.pathRewriter, PATH_REWRITERS, DEFAULTS.pathRewriter, problems);
    const authorizerCacheTtl = validateAuthorizerCacheTtl(raw.authorizerCacheTtl, problems);
    const priceClass = oneOf("priceClass", raw.priceClass, PRICE_CLASSES, DEFAULTS.priceClass, problems);

    let customDomain: CustomDomainConfig | undefined;
    if (proxyMode === "custom-domain") {
        if (raw.customDomain === undefined) {
            problems.push(
                `${key("customDomain")} is missing; ${key("proxyMode")} "custom-domain" needs it. Fix: ` +
                    `pulumi config set --path '${key("customDomain")}.domainName' api.example.com and ` +
                    `pulumi config set --path '${key("customDomain")}.hostedZoneName' example.com`,
            );
        } else {
            customDomain = validateCustomDomain(raw.customDomain, region, problems);
        }
    } else if (raw.customDomain !== undefined) {
        problems.push(
            `${key("customDomain")} is set but ${key("proxyMode")} is ${show(proxyMode)}, which ignores it. ` +
                `Fix: pulumi config set ${key("proxyMode")} custom-domain, or pulumi config rm ${key("customDomain")}`,
        );
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        region: region!,
        proxyMode,
        apiPath,
        stageName,
        pathRewriter,
        customDomain,
        authorizerCacheTtl,
        priceClass,
    };
}

/**
 * Reads the stack config through Pulumi and validates it. Runs before any resource is declared,
 * so a bad value fails `pulumi preview` with the full list of problems and creates nothing.
 */
export function readStackConfig(): StackConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const aws = new pulumi.Config("aws");
    const prefix = `${CONFIG_NAMESPACE}:`;
    const unknownKeys = Object.keys(pulumi.runtime.allConfig()).filter(
        (k) => k.startsWith(prefix) && !(CONFIG_KEYS as readonly string[]).includes(k.slice(prefix.length)),
    );
    let customDomain: unknown;
    const customDomainText = config.get("customDomain");
    if (customDomainText !== undefined) {
        try {
            customDomain = JSON.parse(customDomainText);
        } catch {
            throw new ConfigError([
                `${key("customDomain")} is ${show(customDomainText)}, which is not a JSON object. ` +
                    `Fix: set its fields with pulumi config set --path '${key("customDomain")}.domainName' api.example.com`,
            ]);
        }
    }
    try {
        return validateStackConfig(
            {
                region: aws.get("region"),
                proxyMode: config.get("proxyMode"),
                apiPath: config.get("apiPath"),
                stageName: config.get("stageName"),
                pathRewriter: config.get("pathRewriter"),
                customDomain,
                authorizerCacheTtl: config.get("authorizerCacheTtl"),
                priceClass: config.get("priceClass"),
            },
            unknownKeys,
        );
    } catch (error) {
        // A RunError prints as the message alone, without a stack trace of the program.
        throw error instanceof ConfigError ? new pulumi.RunError(error.message) : error;
    }
}
