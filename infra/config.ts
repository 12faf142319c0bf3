/**
 * The stack config, declared once: each key's type, default, description and validator live in
 * {@link CONFIG}. The typed config, the defaults, the key list, Pulumi.yaml's `config:` schema
 * (checked by a test) and the README's table (checked by a test) all derive from it. Validation
 * reports every problem at once, each with the key, the value seen and the fix. Pure: no Pulumi
 * runtime (infra/stack-config.ts reads the values through Pulumi).
 */
import { AUTH_PROVIDERS, type AuthProvider } from "../core/auth";
import { CACHE_BEHAVIORS_QUOTA, EDGE_REGION } from "../core/cloudfront";
import {
    allowOriginsProblem,
    CHROMIUM_MAX_AGE_CAP_SECONDS,
    type CorsConfig,
    DEFAULT_CORS_ALLOW_HEADERS,
    DEFAULT_CORS_MAX_AGE_SECONDS,
    originProblem,
} from "../core/cors";
import { CONFIG_KEY } from "../core/frontend-config";
import { HTTP_TOKEN } from "../core/http";
import { APP_SHELL, ASSET_FOLDER } from "../core/site";
import { apiPathPatterns, type PathRewriter, type ProxyMode } from "../core/paths";
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
export const PATH_REWRITERS: readonly PathRewriter[] = ["none", "cloudfront-function", "lambda-edge"];
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** An API Gateway custom domain in front of the stage (custom-domain mode only). */
export interface CustomDomainConfig extends DomainConfig {
    /** Base path mapped to the stage, one path segment without slashes (`v1`); none by default. */
    readonly basePath?: string;
}

/** Another backend behind the same origin: its path prefix on the site, and where it answers. */
export interface BackendConfig {
    /** `/billing`: CloudFront sends `/billing` and `/billing/*` to it. */
    readonly path: string;
    /** `https://host[/path]`: the origin, and the path CloudFront prepends. */
    readonly url: string;
    /** Whether a CloudFront Function removes `path` before the URL's path is prepended. */
    readonly stripPath: boolean;
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
    const record = value.object(Object.keys(readers), JSON.stringify(defaults));
    return record === undefined ? undefined : readDefaultedFields(record, defaults, readers);
}

/** The fields of an object already read that each have a default: those given are read, the others keep theirs. */
function readDefaultedFields<T extends object>(
    record: ConfigValue,
    defaults: T,
    readers: { readonly [K in keyof T]: (field: ConfigValue) => T[K] | undefined },
): T | undefined {
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

/** A domain with its DNS zone and certificate: the fields the API's custom domain and the site's domain share. */
export interface DomainConfig {
    /** The domain, e.g. `api.example.com`. */
    readonly domainName: string;
    /** Route 53 zone (by name) for the alias records and, without a certificate, ACM validation. */
    readonly hostedZoneName?: string;
    /** Route 53 zone (by id); an alternative to `hostedZoneName`. */
    readonly hostedZoneId?: string;
    /** An ACM certificate covering `domainName`; created (DNS-validated in the zone) when absent. */
    readonly certificateArn?: string;
}

const DOMAIN_FIELDS = ["domainName", "hostedZoneName", "hostedZoneId", "certificateArn"];

/**
 * Reads a domain object's shared fields (`extraFields` are read by the caller): each field's
 * shape, one zone at most, the domain inside its zone, a zone or a certificate. `target` names
 * the output DNS must point at when no zone is given; `example` is a domain for messages. The
 * object is returned for the caller's fields even when the shared ones are wrong.
 */
function readDomain(
    value: ConfigValue,
    options: {
        readonly extraFields: readonly string[];
        readonly example: string;
        readonly target: string;
        readonly what: string;
    },
): { domain: ConfigValue; config: DomainConfig | undefined } | undefined {
    const domain = value.object(
        [...DOMAIN_FIELDS, ...options.extraFields],
        `{ "domainName": "${options.example}", "hostedZoneName": "example.com" }`,
    );
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
              must: `it must be a lower-case DNS name such as "${options.example}"`,
              example: options.example,
          })
        : domainNameField.report(`${domainNameField.key} is missing; ${options.what}`, options.example);
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
                "DNS-validated certificate and the alias records are created there) or certificateArn (an existing " +
                `certificate; you then point ${show(domainName ?? "the domain")} at the output ${options.target} yourself)`,
            { set: `${value.key}.hostedZoneName`, value: "example.com" },
        );
    }
    return {
        domain,
        config: domainName === undefined ? undefined : { domainName, hostedZoneName, hostedZoneId, certificateArn },
    };
}

/** Reads a custom domain object: the domain's fields and the base path (the cross-key checks run in {@link crossChecks}). */
function readCustomDomain(value: ConfigValue): CustomDomainConfig | undefined {
    const read = readDomain(value, {
        extraFields: ["basePath"],
        example: "api.example.com",
        target: "customDomainTarget",
        what: "custom-domain mode needs the API's domain name",
    });
    const basePathField = read?.domain.field("basePath");
    const basePath = basePathField?.isSet
        ? basePathField.string({
              valid: BASE_PATH,
              must:
                  'it must be one path segment without slashes, made of letters, digits and . _ - (e.g. "v1"); ' +
                  "leave it out to map the stage at the domain's root",
              example: "v1",
          })
        : undefined;
    return read?.config === undefined ? undefined : { ...read.config, basePath };
}

/** Reads the site's domain: its certificate must be in us-east-1, where CloudFront takes certificates from. */
function readSiteDomain(value: ConfigValue): DomainConfig | undefined {
    const read = readDomain(value, {
        extraFields: [],
        example: "www.example.com",
        target: "siteDomainTarget",
        what: "the site's domain name is required",
    });
    const region = read?.config?.certificateArn && CERTIFICATE_ARN.exec(read.config.certificateArn)?.[1];
    if (region && region !== EDGE_REGION) {
        read!.domain
            .field("certificateArn")
            .report(
                `${value.key}.certificateArn is ${show(read!.config!.certificateArn)}, in ${region}; CloudFront takes ` +
                    `certificates from ${EDGE_REGION} only`,
                {
                    text: `request or import the certificate in ${EDGE_REGION} and set its ARN, or remove certificateArn to have one created in the zone`,
                },
            );
    }
    return read?.config;
}

/** Top-level names the site build and the stack use: an API or backend path must not take them. */
const SITE_NAMES: readonly string[] = [ASSET_FOLDER, APP_SHELL, CONFIG_KEY];

/**
 * Reads a path prefix CloudFront serves from behaviors (`apiPath`, a backend's `path`): segments of
 * letters, digits and . _ -, no `.` or `..`, and none of the site's own names.
 */
function readPathPrefix(value: ConfigValue, example: string): string | undefined {
    const path = value.string({
        valid: (p) => API_PATH.test(p) && !p.split("/").some((s) => s === "." || s === ".."),
        must:
            "it must be a path with a leading slash, no trailing slash and no wildcard, made of letters, " +
            `digits and . _ - (e.g. "${example}"); CloudFront serves it as the behaviors "<path>" and "<path>/*", ` +
            'and "/" would capture the whole site',
        example,
    });
    if (path !== undefined && SITE_NAMES.includes(path.split("/")[1])) {
        return value.invalid(`its first segment is a name the site uses (${SITE_NAMES.join(", ")})`, example);
    }
    return path;
}

/**
 * A backend's name in resource names and origin ids: its path's segments joined by `-`
 * (`/v2/orders` -> `v2-orders`). Config validation keeps two backends from sharing one.
 */
export function backendName(path: string): string {
    return path.slice(1).replace(/[^A-Za-z0-9]+/g, "-");
}

/** The distribution's cache behaviors besides the default: `<path>` and `<path>/*` for the API and each backend. */
function behaviorCount(backendCount: number): number {
    return apiPathPatterns("/").length * (1 + backendCount);
}

/** How many backends fit within CloudFront's cache behaviors quota, beside the API's behaviors. */
function maxBackends(): number {
    return Math.floor((CACHE_BEHAVIORS_QUOTA - behaviorCount(0)) / (behaviorCount(1) - behaviorCount(0)));
}

/** Whether one path prefix is the other or lies under it (`/api` and `/api/v2`), so their behaviors overlap. */
function prefixesOverlap(a: string, b: string): boolean {
    return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

const BACKEND_EXAMPLE_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";

/** An origin URL CloudFront can use: https, a host, an optional path; no query, fragment, credentials or trailing slash. */
function isOriginUrl(text: string): boolean {
    if (!HTTPS_URL(text) || text.endsWith("/")) {
        return false;
    }
    const url = new URL(text);
    // A custom origin's DomainName is a DNS name, not an IP address (CloudFront API reference, Origin).
    return url.username === "" && url.password === "" && url.port === "" && DOMAIN_NAME.test(url.hostname);
}

/** Reads one backend: its path, its URL, whether its prefix is stripped. */
function readBackend(value: ConfigValue): BackendConfig | undefined {
    const backend = value.object(
        ["path", "url", "stripPath"],
        `{ "path": "/billing", "url": "${BACKEND_EXAMPLE_URL}" }`,
    );
    if (backend === undefined) {
        return undefined;
    }
    const required = <T>(name: string, why: string, example: string, read: (field: ConfigValue) => T | undefined) => {
        const field = backend.field(name);
        return field.isSet ? read(field) : field.report(`${field.key} is missing; ${why}`, example);
    };
    const path = required("path", "say which path prefix of the site the backend serves", "/billing", (f) =>
        readPathPrefix(f, "/billing"),
    );
    const url = required("url", "say where the backend answers", BACKEND_EXAMPLE_URL, (f) =>
        f.string({
            valid: isOriginUrl,
            must:
                "it must be an https URL of the backend's DNS name and an optional path, without port, query, fragment, " +
                "credentials or trailing slash (CloudFront reaches custom origins on 443 over TLS 1.2 here)",
            example: BACKEND_EXAMPLE_URL,
        }),
    );
    const stripField = backend.field("stripPath");
    const stripPath = stripField.isSet ? stripField.boolean(true) : false;
    return path === undefined || url === undefined || stripPath === undefined ? undefined : { path, url, stripPath };
}

/** Reads `backends`: each backend, and no two paths overlapping (the cross-key checks run in {@link crossChecks}). */
function readBackends(value: ConfigValue): BackendConfig[] | undefined {
    const items = value.list(`[{ "path": "/billing", "url": "${BACKEND_EXAMPLE_URL}" }]`);
    const backends = items?.map(readBackend);
    backends?.forEach((backend, i) => {
        const earlier = backends.findIndex(
            (other, j) => j < i && other && backend && prefixesOverlap(other.path, backend.path),
        );
        const sameName = backends.findIndex(
            (other, j) => j < i && other && backend && backendName(other.path) === backendName(backend.path),
        );
        if (earlier === -1 && sameName !== -1) {
            items![i]
                .field("path")
                .invalid(
                    `it names its resources "${backendName(backend!.path)}", as ${value.key}[${sameName}].path (${show(backends[sameName]!.path)}) does`,
                    { text: "give the two backends paths that differ in their letters or digits" },
                );
        }
        if (earlier !== -1) {
            items![i]
                .field("path")
                .invalid(
                    `it overlaps ${value.key}[${earlier}].path (${show(backends[earlier]!.path)}): one path's behaviors would take the other's requests`,
                    { text: "give each backend its own prefix, neither under the other" },
                );
        }
    });
    return allOrNothing(backends);
}

/** Reads `cors`: exact origins (no `*` with credentials), header lists, the preflight's max age. */
function readCors(value: ConfigValue): CorsConfig | undefined {
    const defaults: Omit<CorsConfig, "allowOrigins"> = {
        allowCredentials: false,
        allowHeaders: DEFAULT_CORS_ALLOW_HEADERS,
        exposeHeaders: [],
        maxAgeSeconds: DEFAULT_CORS_MAX_AGE_SECONDS,
    };
    const cors = value.object(
        ["allowOrigins", ...Object.keys(defaults)],
        '{ "allowOrigins": ["https://partner.example.com"] }',
    );
    if (cors === undefined) {
        return undefined;
    }
    const originsField = cors.field("allowOrigins");
    const allowOrigins = originsField.isSet
        ? allOrNothing(
              originsField.list('["https://partner.example.com"]')?.map((origin) => {
                  const problem =
                      typeof origin.value === "string" && origin.value !== "*"
                          ? originProblem(origin.value)
                          : undefined;
                  return problem === undefined
                      ? origin.string({
                            must: 'it must be an origin such as "https://partner.example.com", or "*"',
                            example: "https://partner.example.com",
                        })
                      : origin.invalid(problem, "https://partner.example.com");
              }),
          )
        : originsField.report(`${originsField.key} is missing; list the partner sites' origins`, {
              text: 'set it to a list like ["https://partner.example.com"]',
          });
    const headerNames = (field: ConfigValue) =>
        allOrNothing(
            field
                .list('["content-type"]')
                ?.map((header) =>
                    header
                        .string({ valid: HTTP_TOKEN, must: "it must be an HTTP header name", example: "content-type" })
                        ?.toLowerCase(),
                ),
        );
    const rest = readDefaultedFields(cors, defaults, {
        allowCredentials: (f) => f.boolean(false),
        allowHeaders: headerNames,
        exposeHeaders: headerNames,
        maxAgeSeconds: (f) =>
            f.integer(
                0,
                86_400,
                `it must be a whole number of seconds from 0 to 86400 (Chromium caps it at ${CHROMIUM_MAX_AGE_CAP_SECONDS})`,
                DEFAULT_CORS_MAX_AGE_SECONDS,
            ),
    });
    const listProblem = allowOrigins && allowOriginsProblem(allowOrigins);
    if (listProblem) {
        return originsField.invalid(listProblem.must, { text: listProblem.fix });
    }
    if (rest?.allowCredentials && allowOrigins?.includes("*")) {
        cors.field("allowCredentials").report(
            `${cors.key} allows credentials with the origin "*": browsers refuse that answer, and it would let any site act for your users`,
            { text: "list the partner origins exactly, or set allowCredentials to false" },
        );
        return undefined;
    }
    // With credentials, "*" in these lists is a header named "*", not a wildcard (Fetch standard,
    // "HTTP responses", https://fetch.spec.whatwg.org/#http-responses).
    const literalStars = rest?.allowCredentials
        ? (["allowHeaders", "exposeHeaders"] as const).filter((name) => rest[name].includes("*"))
        : [];
    for (const name of literalStars) {
        cors.field(name).report(
            `${cors.key}.${name} lists "*" with allowCredentials true: browsers then read it as a header named "*", not as every header`,
            { text: `list the header names in ${name}` },
        );
    }
    return allowOrigins === undefined || rest === undefined || literalStars.length > 0
        ? undefined
        : { allowOrigins, ...rest };
}

/** The list when every element was read, else undefined (each problem is already reported). */
function allOrNothing<T>(items: readonly (T | undefined)[] | undefined): T[] | undefined {
    return items?.every((item) => item !== undefined) ? (items as T[]) : undefined;
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
        read: (v) => readPathPrefix(v, "/api"),
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
            '"none" (the API routes live under apiPath), "cloudfront-function" (a viewer-request CloudFront Function strips apiPath; routes at the API root) or "lambda-edge" (a Lambda@Edge origin-request function does).',
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
    siteDomain: key<DomainConfig>({
        type: "object",
        description:
            "The site on your domain: { domainName, hostedZoneName? | hostedZoneId?, certificateArn? (in us-east-1) }; aliases, certificate and DNS records.",
        read: readSiteDomain,
    }),
    backends: key<BackendConfig[]>({
        type: "object",
        default: [],
        description:
            'More backends behind the same origin: [{ path: "/billing", url: "https://...", stripPath? }], each an origin and the behaviors <path> and <path>/*.',
        read: readBackends,
    }),
    cors: key<CorsConfig>({
        type: "object",
        description:
            "CORS for partner sites on other origins, answered at the edge: { allowOrigins, allowCredentials?, allowHeaders?, exposeHeaders?, maxAgeSeconds? }.",
        read: readCors,
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
    const backends = (config.backends as BackendConfig[] | undefined) ?? [];
    const apiPath = config.apiPath as string | undefined;
    backends.forEach((backend, i) => {
        if (apiPath !== undefined && prefixesOverlap(apiPath, backend.path)) {
            new ConfigValue(problems, `${qualified("backends")}[${i}].path`, backend.path).report(
                `${qualified("backends")}[${i}].path is ${show(backend.path)}, which overlaps ${qualified("apiPath")} ` +
                    `(${show(apiPath)}): one path's behaviors would take the other's requests`,
                { text: "give the backend a prefix of its own, neither under apiPath nor above it" },
            );
        }
    });
    const behaviors = behaviorCount(backends.length);
    if (behaviors > CACHE_BEHAVIORS_QUOTA) {
        value("backends").report(
            `${qualified("backends")} lists ${backends.length} backends: with the API that makes ${behaviors} cache behaviors, ` +
                `over CloudFront's default quota of ${CACHE_BEHAVIORS_QUOTA} per distribution`,
            { text: `list at most ${maxBackends()} backends; put more services behind one backend of their own` },
        );
    }
    const siteDomain = config.siteDomain as DomainConfig | undefined;
    if (siteDomain !== undefined && customDomain !== undefined && siteDomain.domainName === customDomain.domainName) {
        value("siteDomain")
            .field("domainName")
            .report(
                `${qualified("siteDomain")}.domainName and ${qualified("customDomain")}.domainName are both ${show(siteDomain.domainName)}; ` +
                    "one name cannot point at both the distribution and the API",
                {
                    text: `give the site its own name (e.g. "www.example.com") and the API another (e.g. "api.example.com")`,
                },
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
