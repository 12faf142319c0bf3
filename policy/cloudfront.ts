/**
 * Reading a CloudFront distribution the way the rules need it: its behaviours, the origins each
 * one sends requests to, and which viewer headers reach the cache key or the origin. Works on the
 * props the analyzer hands over, resource inputs or a stack's outputs, which use the same names.
 */
import { MANAGED_CACHE_POLICY_KEYS, MANAGED_ORIGIN_REQUEST_FORWARDING } from "./managed-policies";
import { includesHeader, isSet } from "./props";

/** The fields of a Lambda@Edge association the rules read. */
export interface LambdaAssociationProps {
    readonly eventType: string;
    readonly lambdaArn: string;
}

/** The fields of a cache behaviour (default or ordered) the rules read. */
export interface CacheBehaviourProps {
    readonly pathPattern?: string;
    readonly targetOriginId: string;
    readonly viewerProtocolPolicy: string;
    readonly cachePolicyId?: string;
    readonly originRequestPolicyId?: string;
    readonly forwardedValues?: { readonly headers?: readonly string[] };
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
    readonly lambdaFunctionAssociations?: readonly LambdaAssociationProps[];
}

/** The fields of an origin the rules read. */
export interface OriginProps {
    readonly originId: string;
    readonly domainName: string;
    readonly originAccessControlId?: string;
    readonly s3OriginConfig?: { readonly originAccessIdentity: string };
    readonly customOriginConfig?: { readonly originProtocolPolicy: string };
}

/** The fields of a distribution the rules read. */
export interface DistributionProps {
    readonly origins: readonly OriginProps[];
    readonly originGroups?: readonly {
        readonly originId: string;
        readonly members: readonly { readonly originId: string }[];
    }[];
    readonly defaultCacheBehavior: CacheBehaviourProps;
    readonly orderedCacheBehaviors?: readonly CacheBehaviourProps[];
    readonly customErrorResponses?: readonly {
        readonly errorCode: number;
        readonly responseCode?: number;
        readonly responsePagePath?: string;
    }[];
    readonly viewerCertificate: {
        readonly acmCertificateArn?: string;
        readonly iamCertificateId?: string;
        readonly minimumProtocolVersion?: string;
    };
}

/** A behaviour with a label for messages and the origins it sends requests to. */
export interface Behaviour {
    /** `the default behaviour` or `behaviour "/api/*"`. */
    readonly label: string;
    readonly props: CacheBehaviourProps;
    /** One origin, or the members of the origin group the behaviour targets. */
    readonly origins: readonly OriginProps[];
}

/** An API Gateway, ALB or any other HTTP server: everything configured with `customOriginConfig`. */
export function isCustomOrigin(origin: OriginProps): boolean {
    return isSet(origin, "customOriginConfig");
}

/** An S3 bucket origin: neither a custom origin nor a VPC origin. */
export function isS3Origin(origin: OriginProps): boolean {
    return !isCustomOrigin(origin) && !isSet(origin, "vpcOriginConfig");
}

function targetOrigins(distribution: DistributionProps, targetOriginId: string): OriginProps[] {
    const byId = (id: string) => distribution.origins.filter((o) => o.originId === id);
    const group = (distribution.originGroups ?? []).find((g) => g.originId === targetOriginId);
    return group ? group.members.flatMap((m) => byId(m.originId)) : byId(targetOriginId);
}

/** Every behaviour of the distribution: the default one, then the ordered ones in their order. */
export function behavioursOf(distribution: DistributionProps): Behaviour[] {
    const describe = (props: CacheBehaviourProps, label: string): Behaviour => ({
        label,
        props,
        origins: targetOrigins(distribution, props.targetOriginId),
    });
    return [
        describe(distribution.defaultCacheBehavior, "the default behaviour"),
        ...(distribution.orderedCacheBehaviors ?? []).map((b) => describe(b, `behaviour "${b.pathPattern}"`)),
    ];
}

/** An API behaviour sends requests to a custom origin (API Gateway here). */
export function isApiBehaviour(behaviour: Behaviour): boolean {
    return behaviour.origins.some(isCustomOrigin);
}

export function apiBehavioursOf(distribution: DistributionProps): Behaviour[] {
    return behavioursOf(distribution).filter(isApiBehaviour);
}

/** The fields of an `aws.cloudfront.CachePolicy` the rules read. */
export interface CachePolicyProps {
    readonly id: string;
    readonly name: string;
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
    readonly parametersInCacheKeyAndForwardedToOrigin: {
        readonly headersConfig: {
            readonly headerBehavior?: string;
            readonly headers?: { readonly items?: readonly string[] };
        };
    };
}

/** The fields of an `aws.cloudfront.OriginRequestPolicy` the rules read. */
export interface OriginRequestPolicyProps {
    readonly id: string;
    readonly name: string;
    readonly headersConfig: {
        readonly headerBehavior?: string;
        readonly headers?: { readonly items?: readonly string[] };
    };
}

/** The cache and origin request policies declared in the stack, by id. */
export interface PolicyCatalog {
    readonly cachePolicies: ReadonlyMap<string, CachePolicyProps>;
    readonly originRequestPolicies: ReadonlyMap<string, OriginRequestPolicyProps>;
}

/** A set of viewer headers, and where it was read from (for messages). */
export interface HeaderSelection {
    /** e.g. `managed cache policy CachingOptimized`. */
    readonly source: string;
    /** Whether the lower-case header is in the set. */
    readonly includes: (header: string) => boolean;
}

/** How a behaviour caches: whether at all, and which viewer headers are in its cache key. */
export interface CacheKey extends HeaderSelection {
    readonly caches: boolean;
}

/** A policy id the pack can neither find among the managed policies it knows nor in the stack. */
export interface Unverifiable {
    readonly unverifiable: string;
}

export function isUnverifiable<T extends object>(value: T | Unverifiable): value is Unverifiable {
    return "unverifiable" in value;
}

/**
 * CloudFront's TTL defaults, used for a cache policy or a legacy behaviour that leaves a TTL out
 * (CloudFront API reference: DefaultTTL 86400 s, MaxTTL 31536000 s, MinTTL 0).
 */
const DEFAULT_TTLS = { minTtl: 0, defaultTtl: 86_400, maxTtl: 31_536_000 } as const;

/** Caching happens unless every TTL is 0: a positive max TTL alone lets origin headers cache. */
function cachesWith(ttls: {
    readonly minTtl?: number;
    readonly defaultTtl?: number;
    readonly maxTtl?: number;
}): boolean {
    return (
        (ttls.minTtl ?? DEFAULT_TTLS.minTtl) > 0 ||
        (ttls.defaultTtl ?? DEFAULT_TTLS.defaultTtl) > 0 ||
        (ttls.maxTtl ?? DEFAULT_TTLS.maxTtl) > 0
    );
}

/** The headers of a whitelist-style `headersConfig`, or of legacy `forwardedValues` ("*" is all). */
function listedHeaders(source: string, headers: readonly string[] | undefined): HeaderSelection {
    return { source, includes: (header) => includesHeader(headers, "*") || includesHeader(headers, header) };
}

/** The cache key of a behaviour: its cache policy (managed or in the stack), or its legacy settings. */
export function cacheKeyOf(behaviour: CacheBehaviourProps, catalog: PolicyCatalog): CacheKey | Unverifiable {
    const id = behaviour.cachePolicyId;
    if (id === undefined || id === "") {
        return {
            ...listedHeaders("legacy forwardedValues headers", behaviour.forwardedValues?.headers),
            caches: cachesWith(behaviour),
        };
    }
    const managed = MANAGED_CACHE_POLICY_KEYS.get(id);
    if (managed) {
        return { ...listedHeaders(`managed cache policy ${managed.name}`, managed.keyHeaders), caches: managed.caches };
    }
    const custom = catalog.cachePolicies.get(id);
    if (custom) {
        const { headersConfig } = custom.parametersInCacheKeyAndForwardedToOrigin;
        const headers = headersConfig.headerBehavior === "whitelist" ? headersConfig.headers?.items : [];
        return { ...listedHeaders(`cache policy "${custom.name}"`, headers), caches: cachesWith(custom) };
    }
    return {
        unverifiable: `cache policy ${id} is neither a managed policy this pack knows nor an aws.cloudfront.CachePolicy in this stack`,
    };
}

/** Which viewer headers an origin request policy (custom) forwards, by its `headerBehavior`. */
function originRequestHeaders(policy: OriginRequestPolicyProps): HeaderSelection {
    const source = `origin request policy "${policy.name}"`;
    const items = policy.headersConfig.headers?.items;
    switch (policy.headersConfig.headerBehavior) {
        case "whitelist":
            return listedHeaders(source, items);
        case "allViewer":
        case "allViewerAndWhitelistCloudFront":
            return { source, includes: () => true };
        case "allExcept":
            return { source, includes: (header) => !includesHeader(items, header) };
        default:
            return { source, includes: () => false };
    }
}

/**
 * The viewer headers a behaviour's origin request policy adds to what reaches the origin (the cache
 * key's headers reach it too). No policy adds none.
 */
export function originRequestHeadersOf(
    behaviour: CacheBehaviourProps,
    catalog: PolicyCatalog,
): HeaderSelection | Unverifiable {
    const id = behaviour.originRequestPolicyId;
    if (id === undefined || id === "") {
        return { source: "no origin request policy", includes: () => false };
    }
    const managed = MANAGED_ORIGIN_REQUEST_FORWARDING.get(id);
    if (managed) {
        return { source: `managed origin request policy ${managed.name}`, includes: managed.forwards };
    }
    const custom = catalog.originRequestPolicies.get(id);
    if (custom) {
        return originRequestHeaders(custom);
    }
    return {
        unverifiable:
            `origin request policy ${id} is neither a managed policy this pack knows nor an ` +
            `aws.cloudfront.OriginRequestPolicy in this stack`,
    };
}
