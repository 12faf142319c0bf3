/**
 * Reading a CloudFront distribution the way the rules need it: its behaviors, the origins each
 * one sends requests to, and which viewer headers reach the cache key or the origin. Works on the
 * props the analyzer hands over, resource inputs or a stack's outputs, which use the same names.
 */
import {
    type CachePolicyProps as CoreCachePolicyProps,
    CacheSettings,
    cacheSettingsOf,
    legacyCacheSettingsOf,
    managedCachePolicy,
    managedOriginRequestPolicy,
    type OriginRequestPolicyProps as CoreOriginRequestPolicyProps,
    originRequestSettingsOf,
    selects,
} from "../core/cloudfront-policies";
import { isSet } from "./props";

/** The fields of a Lambda@Edge association the rules read. */
export interface LambdaAssociationProps {
    readonly eventType: string;
    readonly lambdaArn: string;
}

/** The fields of a cache behavior (default or ordered) the rules read. */
export interface CacheBehaviorProps {
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
    /** Headers CloudFront adds to every request it sends to the origin. */
    readonly customHeaders?: readonly { readonly name: string; readonly value: string }[];
}

/** The fields of a distribution the rules read. */
export interface DistributionProps {
    readonly origins: readonly OriginProps[];
    readonly originGroups?: readonly {
        readonly originId: string;
        readonly members: readonly { readonly originId: string }[];
    }[];
    readonly defaultCacheBehavior: CacheBehaviorProps;
    readonly orderedCacheBehaviors?: readonly CacheBehaviorProps[];
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
    /** Standard logging (legacy) to an S3 bucket. */
    readonly loggingConfig?: { readonly bucket?: string };
    /** The AWS WAF web ACL: a WAFv2 ACL's ARN, or a WAF Classic ACL's id. */
    readonly webAclId?: string;
}

/** A behavior with a label for messages and the origins it sends requests to. */
export interface Behavior {
    /** `the default behavior` or `behavior "/api/*"`. */
    readonly label: string;
    readonly props: CacheBehaviorProps;
    /** One origin, or the members of the origin group the behavior targets. */
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

/** Every behavior of the distribution: the default one, then the ordered ones in their order. */
export function behaviorsOf(distribution: DistributionProps): Behavior[] {
    const describe = (props: CacheBehaviorProps, label: string): Behavior => ({
        label,
        props,
        origins: targetOrigins(distribution, props.targetOriginId),
    });
    return [
        describe(distribution.defaultCacheBehavior, "the default behavior"),
        ...(distribution.orderedCacheBehaviors ?? []).map((b) => describe(b, `behavior "${b.pathPattern}"`)),
    ];
}

/** An API behavior sends requests to a custom origin (API Gateway here). */
export function isApiBehavior(behavior: Behavior): boolean {
    return behavior.origins.some(isCustomOrigin);
}

export function apiBehaviorsOf(distribution: DistributionProps): Behavior[] {
    return behaviorsOf(distribution).filter(isApiBehavior);
}

/** An `aws.cloudfront.CachePolicy` of the stack, as the rules read it. */
export interface CachePolicyProps extends CoreCachePolicyProps {
    readonly id: string;
    readonly name: string;
}

/** An `aws.cloudfront.OriginRequestPolicy` of the stack, as the rules read it. */
export interface OriginRequestPolicyProps extends CoreOriginRequestPolicyProps {
    readonly id: string;
    readonly name: string;
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

/** How a behavior caches: whether at all, and which viewer headers are in its cache key. */
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

const cacheKey = (source: string, settings: CacheSettings): CacheKey => ({
    source,
    caches: !settings.cachingDisabled,
    includes: (header) => selects(settings.headers, header),
});

/** The cache key of a behavior: its cache policy (managed or in the stack), or its legacy settings. */
export function cacheKeyOf(behavior: CacheBehaviorProps, catalog: PolicyCatalog): CacheKey | Unverifiable {
    const id = behavior.cachePolicyId;
    if (id === undefined || id === "") {
        return cacheKey("legacy forwardedValues headers", legacyCacheSettingsOf(behavior));
    }
    const managed = managedCachePolicy(id);
    if (managed) {
        return cacheKey(`managed cache policy ${managed.name}`, managed.settings);
    }
    const custom = catalog.cachePolicies.get(id);
    if (custom) {
        return cacheKey(`cache policy "${custom.name}"`, cacheSettingsOf(custom));
    }
    return {
        unverifiable: `cache policy ${id} is neither a managed policy this pack knows nor an aws.cloudfront.CachePolicy in this stack`,
    };
}

/**
 * The viewer headers a behavior's origin request policy adds to what reaches the origin (the cache
 * key's headers reach it too). No policy adds none.
 */
export function originRequestHeadersOf(
    behavior: CacheBehaviorProps,
    catalog: PolicyCatalog,
): HeaderSelection | Unverifiable {
    const id = behavior.originRequestPolicyId;
    if (id === undefined || id === "") {
        return { source: "no origin request policy", includes: () => false };
    }
    const managed = managedOriginRequestPolicy(id);
    const custom = catalog.originRequestPolicies.get(id);
    const settings = managed?.settings ?? (custom && originRequestSettingsOf(custom));
    if (settings === undefined) {
        return {
            unverifiable:
                `origin request policy ${id} is neither a managed policy this pack knows nor an ` +
                `aws.cloudfront.OriginRequestPolicy in this stack`,
        };
    }
    return {
        source: managed ? `managed origin request policy ${managed.name}` : `origin request policy "${custom!.name}"`,
        includes: (header) => selects(settings.headers, header),
    };
}
