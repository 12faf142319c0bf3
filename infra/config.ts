/**
 * The stack config, declared once: each key's type, default, description and validator live in
 * {@link CONFIG}. The typed config, the defaults, the key list, Pulumi.yaml's `config:` schema
 * (checked by a test) and the README's table (checked by a test) all derive from it. Validation
 * reports every problem at once, each with the key, the value seen and the fix. Pure: no Pulumi
 * runtime (infra/stack-config.ts reads the values through Pulumi).
 */
import { AUTH_PROVIDERS, type AuthProvider } from "../core/auth";
import type { PathRewriter, ProxyMode } from "../core/paths";
import { COGNITO_SCOPE, OAUTH_SCOPE } from "../core/scopes";
import {
    closestName,
    type ConfigFix,
    type ConfigProblem,
    ConfigValue,
    fixCommand,
    type ConfigSource,
    show,
} from "./config-reader";

/** The project's config namespace (Pulumi.yaml's `name`): keys are `same-origin:<key>`. */
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

/** Sign-in and token verification. */
export type AuthConfig =
    | { readonly provider: "demo" }
    | {
          readonly provider: "cognito";
          /** Scopes every token-protected route requires, `<resource server>/<scope>`; none by default. */
          readonly scopes: readonly string[];
          /** The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
          readonly domainPrefix?: string;
      }
    | {
          readonly provider: "oidc";
          /** The issuer URL, exactly as the tokens' `iss`. */
          readonly issuer: string;
          /** The SPA's public client id at the provider. */
          readonly clientId: string;
          /** The access tokens' `aud`. */
          readonly audience: string;
          /** Scopes every token-protected route requires; none by default. */
          readonly scopes: readonly string[];
          /** The provider's sign-out URL, when its discovery document lists none. */
          readonly logoutEndpoint?: string;
      };

/** API Gateway's stage throttling: a token bucket of `burstLimit` requests, refilled at `rateLimit` per second. */
export interface ThrottleConfig {
    readonly rateLimit: number;
    readonly burstLimit: number;
}

/** AWS WAF web ACLs on the distribution and the stage. */
export interface WafConfig {
    readonly enabled: boolean;
    /** Requests one IP may make in 5 minutes before the rate rule blocks it. */
    readonly rateLimit: number;
}

/** Who manages API Gateway's account-wide CloudWatch role: this stack, or someone else already. */
export const API_GATEWAY_CLOUDWATCH_ROLES = ["create", "existing"] as const;

/** Logs: how long they are kept, and whether this stack sets API Gateway's account-wide logging role. */
export interface LogsConfig {
    readonly retentionDays: number;
    readonly apiGatewayCloudWatchRole: (typeof API_GATEWAY_CLOUDWATCH_ROLES)[number];
}

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** How a key is declared in Pulumi.yaml: its type there, or `object` (project schemas cannot declare objects). */
export type DeclaredType = "string" | "integer" | "boolean" | "object";

/** One config key. */
export interface KeySpec<T> {
    readonly type: DeclaredType;
    /** Applied when the key is not set; written into Pulumi.yaml's schema for scalar keys. */
    readonly default?: T;
    /** One line for Pulumi.yaml and the README. */
    readonly description: string;
    /** Reads the value (set: it is present) into its typed form, reporting problems on `value`. */
    readonly read: (value: ConfigValue) => T | undefined;
}

// API Gateway resource path parts and base paths allow only these characters.
const PATH_SEGMENT = "[A-Za-z0-9._-]+";
const API_PATH = new RegExp(`^(/${PATH_SEGMENT})+$`);
// REST API (v1) base path mappings take a single segment: API Gateway refuses "/" inside one.
const BASE_PATH = new RegExp(`^${PATH_SEGMENT}$`);
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
export const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** API Gateway's maximum TOKEN authorizer result TTL. */
const MAX_AUTHORIZER_TTL = 3600;

const CUSTOM_DOMAIN_FIELDS = ["domainName", "hostedZoneName", "hostedZoneId", "certificateArn", "basePath"];
const CUSTOM_DOMAIN_EXAMPLE = '{ "domainName": "api.example.com", "hostedZoneName": "example.com" }';

const AUTH_FIELDS: Readonly<Record<AuthProvider, readonly string[]>> = {
    demo: ["provider"],
    cognito: ["provider", "scopes", "domainPrefix"],
    oidc: ["provider", "issuer", "clientId", "audience", "scopes", "logoutEndpoint"],
};
const AUTH_EXAMPLE = '{ "provider": "cognito" }';
const HTTPS_URL = (text: string) => {
    try {
        const url = new URL(text);
        return url.protocol === "https:" && url.hash === "" && url.search === "";
    } catch {
        return false;
    }
};
/**
 * A Cognito domain prefix: lower-case letters, digits and hyphens, not starting or ending with a
 * hyphen, without the reserved words aws, amazon or cognito (Cognito Developer Guide, "Using the
 * Amazon Cognito domain for the hosted UI").
 */
const DOMAIN_PREFIX = (text: string) =>
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(text) && !/aws|amazon|cognito/.test(text);

/** Reads `auth`: which provider, and each provider's own fields. */
function readAuth(value: ConfigValue): AuthConfig | undefined {
    const auth = value.object([...new Set(Object.values(AUTH_FIELDS).flat())], AUTH_EXAMPLE);
    if (auth === undefined) {
        return undefined;
    }
    const provider = auth.field("provider").isSet
        ? auth.field("provider").oneOf(AUTH_PROVIDERS, "cognito")
        : auth
              .field("provider")
              .report(`${auth.key}.provider is missing; say which provider signs users in`, "cognito");
    if (provider === undefined) {
        return undefined;
    }
    for (const name of Object.keys(auth.value as object)) {
        if (!AUTH_FIELDS[provider].includes(name) && Object.values(AUTH_FIELDS).some((f) => f.includes(name))) {
            auth.field(name).report(
                `${auth.key}.${name} is set but ${auth.key}.provider is ${show(provider)}, which does not use it ` +
                    `(its fields: ${AUTH_FIELDS[provider].join(", ")})`,
                { rm: `${auth.key}.${name}` },
            );
        }
    }
    const scopes = (valid: RegExp, must: string, example: string): string[] | undefined => {
        const field = auth.field("scopes");
        if (!field.isSet) {
            return [];
        }
        const items = field.list(`["${example}"]`);
        const read = items?.map((item) => item.string({ valid, must, example }));
        return read?.every((s) => s !== undefined) ? (read as string[]) : undefined;
    };
    const optional = <T>(name: string, read: (field: ConfigValue) => T | undefined): T | undefined =>
        auth.field(name).isSet ? read(auth.field(name)) : undefined;
    switch (provider) {
        case "demo":
            return { provider };
        case "cognito": {
            const cognitoScopes = scopes(
                COGNITO_SCOPE,
                'a Cognito scope is "<resource server>/<scope>", e.g. "orders/read" (no spaces, quotes or backslashes)',
                "orders/read",
            );
            const domainPrefix = optional("domainPrefix", (f) =>
                f.string({
                    valid: DOMAIN_PREFIX,
                    must: "it must be 1-63 lower-case letters, digits and hyphens, not at either end, without aws, amazon or cognito",
                    example: "my-app-login",
                }),
            );
            return cognitoScopes === undefined ? undefined : { provider, scopes: cognitoScopes, domainPrefix };
        }
        case "oidc": {
            const url = (name: string, example: string, required: boolean) => {
                const field = auth.field(name);
                if (!field.isSet) {
                    return required
                        ? field.report(`${field.key} is missing; the "oidc" provider needs it`, example)
                        : undefined;
                }
                return field.string({
                    valid: HTTPS_URL,
                    must: "it must be an https URL without query or fragment",
                    example,
                });
            };
            const issuer = url("issuer", "https://login.example.com/", true);
            const clientIdField = auth.field("clientId");
            const clientId = clientIdField.isSet
                ? clientIdField.string({ example: "spa-client-id" })
                : clientIdField.report(
                      `${clientIdField.key} is missing; the console signs in with it`,
                      "spa-client-id",
                  );
            const audience = optional("audience", (f) => f.string({ example: "https://api.example.com" })) ?? clientId;
            const oidcScopes = scopes(
                OAUTH_SCOPE,
                "a scope is printable ASCII without spaces, quotes or backslashes",
                "orders:read",
            );
            const logoutEndpoint = url("logoutEndpoint", "https://login.example.com/logout", false);
            if (issuer === undefined || clientId === undefined || audience === undefined || oidcScopes === undefined) {
                return undefined;
            }
            return { provider, issuer, clientId, audience, scopes: oidcScopes, logoutEndpoint };
        }
    }
}

/**
 * An object key whose fields each have a default: the fields given are read, the others keep
 * theirs. Unknown fields are reported (with the field most likely meant).
 */
function readFields<T extends object>(
    value: ConfigValue,
    defaults: T,
    readers: { readonly [K in keyof T]: (field: ConfigValue) => T[K] | undefined },
): T | undefined {
    const example = JSON.stringify(defaults);
    const record = value.object(Object.keys(readers), example);
    if (record === undefined) {
        return undefined;
    }
    const read: Partial<T> = {};
    for (const name of Object.keys(readers) as (keyof T & string)[]) {
        const field = record.field(name);
        read[name] = field.isSet ? readers[name](field) : defaults[name];
    }
    return Object.values(read).every((v) => v !== undefined) ? (read as T) : undefined;
}

/** API Gateway's default account quota per region: 10,000 requests per second, a 5,000-request burst ("Amazon API Gateway quotas"). */
const ACCOUNT_RATE_LIMIT = 10_000;
const ACCOUNT_BURST_LIMIT = 5_000;
/** AWS WAF's lowest rate-based rule limit ("Rate-based rule statement", waf-rule-statement-type-rate-based-high-level-settings.html). */
export const WAF_MIN_RATE_LIMIT = 10;
export const WAF_MAX_RATE_LIMIT = 2_000_000_000;

// A stage cap far below the account's 10,000 rps shared by every API of the region: one abused or
// looping client cannot starve the others, nor run up Lambda's 1,000 concurrent executions (100 rps
// at 100 ms each keep about 10 busy). Raise it per stack.
const THROTTLE_DEFAULTS: ThrottleConfig = { rateLimit: 100, burstLimit: 200 };
// Off by default: a web ACL costs money every month (docs/security.md); prod turns it on.
const WAF_DEFAULTS: WafConfig = { enabled: false, rateLimit: 1000 };
const LOGS_DEFAULTS: LogsConfig = { retentionDays: 30, apiGatewayCloudWatchRole: "create" };

/** The typed key spec: `default` present makes the value always set. */
function key<T>(spec: KeySpec<T> & { readonly default: T }): KeySpec<T> & { readonly default: T };
function key<T>(spec: KeySpec<T>): KeySpec<T>;
function key<T>(spec: KeySpec<T>): KeySpec<T> {
    return spec;
}

/** Reads a custom domain object: each field's shape (the cross-key checks run in {@link crossChecks}). */
function readCustomDomain(value: ConfigValue): CustomDomainConfig | undefined {
    const domain = value.object(CUSTOM_DOMAIN_FIELDS, CUSTOM_DOMAIN_EXAMPLE);
    if (domain === undefined) {
        return undefined;
    }
    const optional = (name: string, read: (field: ConfigValue) => string | undefined) => {
        const field = domain.field(name);
        return field.isSet ? read(field) : undefined;
    };
    const domainNameField = domain.field("domainName");
    const domainName = domainNameField.isSet
        ? domainNameField.string({
              valid: DOMAIN_NAME,
              must: 'it must be a lower-case DNS name such as "api.example.com"',
              example: "api.example.com",
          })
        : domainNameField.report(
              `${domainNameField.key} is missing; custom-domain mode needs the API's domain name`,
              "api.example.com",
          );
    const hostedZoneName = optional("hostedZoneName", (f) =>
        f.string({
            valid: (v) => DOMAIN_NAME.test(v.replace(/\.$/, "")),
            must: 'it must be a DNS zone name such as "example.com"',
            example: "example.com",
        }),
    );
    const hostedZoneId = optional("hostedZoneId", (f) =>
        f.string({
            valid: HOSTED_ZONE_ID,
            must: 'it must be a Route 53 zone id such as "Z0123456789ABCDEFGHIJ" (aws route53 list-hosted-zones)',
            example: "Z0123456789ABCDEFGHIJ",
        }),
    );
    const certificateArn = optional("certificateArn", (f) =>
        f.string({
            valid: CERTIFICATE_ARN,
            must: 'it must be an ACM certificate ARN "arn:aws:acm:<region>:<account>:certificate/<id>" (aws acm list-certificates)',
            example: "arn:aws:acm:eu-west-1:123456789012:certificate/<id>",
        }),
    );
    const basePath = optional("basePath", (f) =>
        f.string({
            valid: BASE_PATH,
            must:
                'it must be one path segment without slashes, made of letters, digits and . _ - (e.g. "v1"); ' +
                "leave it out to map the stage at the domain's root",
            example: "v1",
        }),
    );
    if (hostedZoneName !== undefined && hostedZoneId !== undefined) {
        value.report(
            `${value.key} sets both hostedZoneName (${show(hostedZoneName)}) and hostedZoneId (${show(hostedZoneId)}); ` +
                "give one of them",
            { rm: `${value.key}.hostedZoneName` },
        );
    }
    const zoneName = hostedZoneName?.replace(/\.$/, "");
    if (
        domainName !== undefined &&
        zoneName !== undefined &&
        domainName !== zoneName &&
        !domainName.endsWith(`.${zoneName}`)
    ) {
        value
            .field("domainName")
            .report(
                `${value.key}.domainName ${show(domainName)} is not inside ${value.key}.hostedZoneName ${show(hostedZoneName)}, ` +
                    "so the zone cannot hold its records",
                { text: "set hostedZoneName to the zone that contains the domain" },
            );
    }
    const hasZone = domain.field("hostedZoneName").isSet || domain.field("hostedZoneId").isSet;
    if (!hasZone && !domain.field("certificateArn").isSet) {
        value.report(
            `${value.key} has neither a hosted zone nor a certificate; give hostedZoneName or hostedZoneId (a ` +
                "DNS-validated certificate and the alias record are created there) or certificateArn (an existing " +
                `certificate; you then point ${show(domainName ?? "the domain")} at the output customDomainTarget yourself)`,
            { set: `${value.key}.hostedZoneName`, value: "example.com" },
        );
    }
    return domainName === undefined
        ? undefined
        : { domainName, hostedZoneName, hostedZoneId, certificateArn, basePath };
}

/** Every config key of the program, in the order they are documented. */
export const CONFIG = {
    proxyMode: key<ProxyMode>({
        type: "string",
        default: "direct-stage",
        description:
            'How CloudFront reaches API Gateway, "direct-stage" (the execute-api host, origin path /<stage>) or ' +
            '"custom-domain" (an API Gateway custom domain with a base path mapping; needs customDomain).',
        read: (v) => v.oneOf(PROXY_MODES, "direct-stage"),
    }),
    apiPath: key<string>({
        type: "string",
        default: "/api",
        description:
            'The same-origin API prefix; the CloudFront behavior is "<apiPath>/*". Leading slash, no trailing slash, no wildcard.',
        read: (v) =>
            v.string({
                valid: (p) => API_PATH.test(p) && !p.split("/").some((s) => s === "." || s === ".."),
                must:
                    "it must be a path with a leading slash, no trailing slash and no wildcard, made of letters, " +
                    'digits and . _ - (e.g. "/api" or "/v1/api"); CloudFront serves it as the behavior "<apiPath>/*" ' +
                    'and "/" would capture the whole site',
                example: "/api",
            }),
    }),
    stageName: key<string>({
        type: "string",
        default: "prod",
        description: "The API Gateway stage name.",
        read: (v) =>
            v.string({
                valid: STAGE_NAME,
                must: 'API Gateway stage names are 1-128 letters, digits, "_" or "-"',
                example: "prod",
            }),
    }),
    pathRewriter: key<PathRewriter>({
        type: "string",
        default: "none",
        description:
            '"none" (the API routes live under apiPath) or "lambda-edge" (a Lambda@Edge origin-request function strips apiPath; routes at the API root).',
        read: (v) => v.oneOf(PATH_REWRITERS, "none"),
    }),
    customDomain: key<CustomDomainConfig>({
        type: "object",
        description:
            "custom-domain mode: { domainName, hostedZoneName? | hostedZoneId?, certificateArn?, basePath? } (an object, so not declared in Pulumi.yaml).",
        read: readCustomDomain,
    }),
    authorizerCacheTtl: key<number>({
        type: "integer",
        default: 0,
        description: `Seconds API Gateway caches a TOKEN authorizer decision, 0 (off) to ${MAX_AUTHORIZER_TTL}.`,
        read: (v) =>
            v.integer(
                0,
                MAX_AUTHORIZER_TTL,
                `it must be a whole number of seconds from 0 (no caching) to ${MAX_AUTHORIZER_TTL} (API Gateway's maximum)`,
                300,
            ),
    }),
    priceClass: key<PriceClass>({
        type: "string",
        default: "PriceClass_100",
        description: "CloudFront price class, PriceClass_100, PriceClass_200 or PriceClass_All.",
        read: (v) => v.oneOf(PRICE_CLASSES, "PriceClass_100"),
    }),
    auth: key<AuthConfig>({
        type: "object",
        default: { provider: "cognito", scopes: [] },
        description:
            'Sign-in and token verification: { provider: "cognito" (a user pool created here) | "oidc" (issuer, clientId, audience?) | "demo" (tokens allow/deny, never for production), scopes? }.',
        read: readAuth,
    }),
    originLockdown: key<boolean>({
        type: "boolean",
        default: true,
        description:
            "API Gateway answers only requests that come through the distribution: an API key on every method, which CloudFront sends as an origin header (custom-domain mode also turns the execute-api endpoint off).",
        read: (v) => v.boolean(true),
    }),
    throttle: key<ThrottleConfig>({
        type: "object",
        default: THROTTLE_DEFAULTS,
        description:
            "The stage's throttling, { rateLimit (requests per second), burstLimit (requests at once) }; past it API Gateway answers 429.",
        read: (v) =>
            readFields<ThrottleConfig>(v, THROTTLE_DEFAULTS, {
                rateLimit: (f) =>
                    f.integer(
                        1,
                        ACCOUNT_RATE_LIMIT,
                        `it must be a whole number of requests per second from 1 to ${ACCOUNT_RATE_LIMIT} (the account's default quota)`,
                        100,
                    ),
                burstLimit: (f) =>
                    f.integer(
                        1,
                        ACCOUNT_BURST_LIMIT,
                        `it must be a whole number of requests from 1 to ${ACCOUNT_BURST_LIMIT} (the account's default burst)`,
                        200,
                    ),
            }),
    }),
    waf: key<WafConfig>({
        type: "object",
        default: WAF_DEFAULTS,
        description:
            "AWS WAF, { enabled, rateLimit (requests per IP per 5 minutes) }: a CLOUDFRONT web ACL on the distribution and a REGIONAL one on the stage, with AWS managed rules and a per-IP rate rule.",
        read: (v) =>
            readFields<WafConfig>(v, WAF_DEFAULTS, {
                enabled: (f) => f.boolean(true),
                rateLimit: (f) =>
                    f.integer(
                        WAF_MIN_RATE_LIMIT,
                        WAF_MAX_RATE_LIMIT,
                        `it must be a whole number of requests per IP in 5 minutes, at least ${WAF_MIN_RATE_LIMIT} (AWS WAF's lowest)`,
                        1000,
                    ),
            }),
    }),
    logs: key<LogsConfig>({
        type: "object",
        default: LOGS_DEFAULTS,
        description:
            'Logs: { retentionDays (CloudWatch log groups, the log bucket\'s expiry), apiGatewayCloudWatchRole: "create" (this stack sets API Gateway\'s account-wide logging role) | "existing" }.',
        read: (v) =>
            readFields<LogsConfig>(v, LOGS_DEFAULTS, {
                retentionDays: (f) => {
                    const days = f.integer(
                        1,
                        3653,
                        `it must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
                        30,
                    );
                    return days !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(days)
                        ? f.invalid(
                              `it must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
                              "30",
                          )
                        : days;
                },
                apiGatewayCloudWatchRole: (f) => f.oneOf(API_GATEWAY_CLOUDWATCH_ROLES, "create"),
            }),
    }),
};

export type ConfigKey = keyof typeof CONFIG;

/** Every key of the project namespace, in the table's order. */
export const CONFIG_KEYS = Object.keys(CONFIG) as ConfigKey[];

type ValueOf<S> = S extends { readonly default: infer T } ? T : S extends KeySpec<infer T> ? T | undefined : never;

/** The validated, typed stack config: defaults applied, every value checked. */
export type StackConfig = { readonly region: string } & { readonly [K in ConfigKey]: ValueOf<(typeof CONFIG)[K]> };

type KeysWithDefaults = {
    [K in ConfigKey]: (typeof CONFIG)[K] extends { readonly default: unknown } ? K : never;
}[ConfigKey];

/** The default of every key that has one. */
export const DEFAULTS = Object.fromEntries(
    CONFIG_KEYS.filter((k) => CONFIG[k].default !== undefined).map((k) => [k, CONFIG[k].default]),
) as { readonly [K in KeysWithDefaults]: ValueOf<(typeof CONFIG)[K]> };

/** The config as it arrives: `aws:region` and the project's keys, strings (objects as JSON) or parsed values. */
export type RawStackConfig = { readonly region?: string } & { readonly [K in ConfigKey]?: unknown };

/** Thrown when the stack config is invalid; its message lists every problem, one per line, with the fix. */
export class ConfigError extends Error {
    constructor(
        readonly problems: readonly ConfigProblem[],
        /** The top-level values as the program saw them, for phrasing a fix to one field. */
        readonly values: Readonly<Record<string, unknown>> = {},
    ) {
        super(renderConfigProblems(problems, values));
        this.name = "ConfigError";
    }
}

const qualified = (name: string) => `${CONFIG_NAMESPACE}:${name}`;

/** One problem as a line: its message and its fix, phrased for where its key's value came from. */
export function renderProblem(
    problem: ConfigProblem,
    values: Readonly<Record<string, unknown>>,
    source: (topKey: string) => ConfigSource = () => "stack",
): string {
    const fix = fixCommand(problem.fix, source, (top) => values[top], CONFIG_NAMESPACE);
    return `${problem.message}. Fix: ${fix}`;
}

/** The whole report: a count, then one problem per line. */
export function renderConfigProblems(
    problems: readonly ConfigProblem[],
    values: Readonly<Record<string, unknown>>,
    source?: (topKey: string) => ConfigSource,
): string {
    return (
        `Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${renderProblem(p, values, source)}`).join("\n")
    );
}

/** Checks across keys, once each key's own value is read. */
function crossChecks(
    config: Partial<Record<ConfigKey, unknown>> & { region?: string },
    raw: RawStackConfig,
    problems: ConfigProblem[],
): void {
    const value = (name: ConfigKey) => new ConfigValue(problems, qualified(name), raw[name]);
    const customDomain = config.customDomain as CustomDomainConfig | undefined;
    if (config.proxyMode === undefined) {
        // proxyMode itself is wrong (already reported): what it asks of customDomain is unknown.
    } else if (config.proxyMode === "custom-domain" && raw.customDomain === undefined) {
        value("customDomain").report(
            `${qualified("customDomain")} is missing; ${qualified("proxyMode")} "custom-domain" needs it`,
            {
                set: `${qualified("customDomain")}.domainName`,
                value: "api.example.com",
            },
        );
    } else if (config.proxyMode !== "custom-domain" && raw.customDomain !== undefined) {
        value("customDomain").report(
            `${qualified("customDomain")} is set but ${qualified("proxyMode")} is ${show(config.proxyMode)}, which ignores it ` +
                `(set ${qualified("proxyMode")} to "custom-domain" to use it)`,
            { rm: qualified("customDomain") },
        );
    }
    const certificateRegion = customDomain?.certificateArn && CERTIFICATE_ARN.exec(customDomain.certificateArn)?.[1];
    if (certificateRegion && config.region !== undefined && certificateRegion !== config.region) {
        value("customDomain")
            .field("certificateArn")
            .report(
                `${qualified("customDomain")}.certificateArn is ${show(customDomain!.certificateArn)}, in ${certificateRegion}, ` +
                    `but the API is in ${config.region}; a REGIONAL custom domain needs a certificate in the API's own region`,
                {
                    text:
                        `request or import the certificate in ${config.region} and set its ARN, or remove certificateArn ` +
                        "to have one created in the zone",
                },
            );
    }
}

/**
 * Checks a raw stack config and returns the typed config with defaults applied, or throws a
 * {@link ConfigError} listing every problem with the key, the value seen and the fix. Nothing is
 * defaulted over a value that is present but wrong. `unknownKeys` are keys of the project
 * namespace the program does not know (qualified).
 */
export function validateStackConfig(raw: RawStackConfig, unknownKeys: readonly string[] = []): StackConfig {
    const problems: ConfigProblem[] = [];
    for (const unknown of unknownKeys) {
        const name = unknown.slice(CONFIG_NAMESPACE.length + 1);
        const meant = closestName(name, CONFIG_KEYS);
        const fix: ConfigFix = { rm: unknown };
        problems.push({
            key: unknown,
            message:
                `${unknown} is not a config key of this program${meant ? `; did you mean ${qualified(meant)}?` : ""} ` +
                `Known keys: ${CONFIG_KEYS.map(qualified).join(", ")}`,
            fix,
        });
    }
    const region = new ConfigValue(problems, "aws:region", raw.region);
    if (raw.region === undefined || raw.region === "") {
        region.report("aws:region is not set; the API, its functions and the bucket are created there", "eu-west-1");
    } else {
        region.string({
            valid: REGION,
            must: 'it must be an AWS region name such as "eu-west-1"',
            example: "eu-west-1",
        });
    }
    const config: Record<string, unknown> = { region: raw.region };
    for (const name of CONFIG_KEYS) {
        const spec: KeySpec<unknown> = CONFIG[name];
        const value = new ConfigValue(problems, qualified(name), raw[name]);
        config[name] = value.isSet ? spec.read(value) : spec.default;
    }
    crossChecks(config, raw, problems);
    if (problems.length > 0) {
        const values = Object.fromEntries(CONFIG_KEYS.map((k) => [qualified(k), parsedForFixes(raw[k])]));
        throw new ConfigError(problems, { ...values, "aws:region": raw.region });
    }
    return config as StackConfig;
}

/** A raw value as a fix sees it: JSON objects parsed. */
function parsedForFixes(value: unknown): unknown {
    if (typeof value === "string" && /^[[{]/.test(value.trim())) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}
