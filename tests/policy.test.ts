import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES } from "../core/cloudfront-policies";
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import type { Policies } from "@pulumi/policy";
import { captureStack, CapturedStack } from "../capture/capture";
import { PROJECT_DIR } from "../capture/stack-config";
import { TYPES } from "../capture/types";
import {
    evaluatePolicies,
    PackConfig,
    packConfigProblems,
    policyConfig,
    readPackConfig,
    StackResource,
} from "./support/policy-harness";
import { apiKeyRequirements } from "../policy/openapi";
import * as rules from "../policy/rules";

const DISTRIBUTION = TYPES.distribution;
const BUCKET_POLICY = TYPES.bucketPolicy;
const PUBLIC_ACCESS_BLOCK = TYPES.bucketPublicAccessBlock;
const LAMBDA_FUNCTION = TYPES.lambdaFunction;
const REST_API = TYPES.restApi;
const DOMAIN_NAME = TYPES.domainName;
const STAGE = TYPES.stage;
const METHOD_SETTINGS = TYPES.methodSettings;
/** A provider class's type token (the program declares no Method or Resource, so capture/types.ts has none). */
const typeTokenOf = (resourceClass: unknown) => (resourceClass as { __pulumiType: string }).__pulumiType;
const METHOD = typeTokenOf(aws.apigateway.Method);
const API_RESOURCE = typeTokenOf(aws.apigateway.Resource);

/** The program's variants the pack must pass: the dev stack, the optional modes, a team's app, and prod. */
const VARIANTS = {
    dev: {},
    "custom-domain": {
        config: {
            proxyMode: "custom-domain",
            customDomain: JSON.stringify({
                domainName: "api.example.com",
                hostedZoneName: "example.com",
                basePath: "v1",
            }),
        },
    },
    "lambda-edge": { config: { pathRewriter: "lambda-edge" } },
    // A team's own app: its domain, a backend (another team's API stage), partner CORS, the CloudFront Function rewriter.
    app: {
        config: {
            siteDomain: JSON.stringify({ domainName: "www.example.com", hostedZoneName: "example.com" }),
            backends: JSON.stringify([
                { path: "/billing", url: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod", stripPath: true },
            ]),
            cors: JSON.stringify({ allowOrigins: ["https://partner.example.com"] }),
            pathRewriter: "cloudfront-function",
        },
    },
    prod: { stack: "prod" },
} as const;
type Variant = keyof typeof VARIANTS;

/** The pack config a variant's stack passes: dev's for the dev stack and its modes, prod's for prod. */
const packConfigOf = (variant: Variant): PackConfig =>
    readPackConfig((VARIANTS[variant] as { stack?: string }).stack ?? "dev");

const stacks = {} as Record<Variant, CapturedStack>;
/** The dev stack as a first `pulumi preview` sees it: computed values unknown. */
let devPreview: CapturedStack;

/** A deep copy that keeps the capture's UNKNOWN markers (symbols, which structuredClone rejects). */
function deepCopy<T>(value: T): T {
    if (Array.isArray(value)) {
        return value.map(deepCopy) as T;
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)])) as T;
    }
    return value;
}

type PackPolicy = Policies[number];

/** The violation messages of one policy (resource or stack) over a stack's resources, with a pack config. */
async function violationsOf(
    policy: PackPolicy,
    resources: readonly StackResource[],
    config: PackConfig = {},
): Promise<string[]> {
    const result = await evaluatePolicies([policy], resources, config);
    assert.deepEqual(result.notRunDuringPreview, [], "every value is known outside a preview");
    return result.violations.map((v) => v.message);
}

/** Asserts one message matches (what is wrong, and the fix) and returns it. */
async function expectViolation(
    policy: PackPolicy,
    resources: readonly StackResource[],
    pattern: RegExp,
    config: PackConfig = {},
): Promise<string> {
    const messages = await violationsOf(policy, resources, config);
    const match = messages.find((m) => pattern.test(m));
    assert.ok(match, `${policy.name}: no violation matches ${pattern}; got:\n${messages.join("\n") || "(none)"}`);
    assert.match(match, /Fix: /, "a message says how to fix it");
    return match;
}

async function expectNoViolation(
    policy: PackPolicy,
    resources: readonly StackResource[],
    config: PackConfig = {},
): Promise<void> {
    assert.deepEqual(await violationsOf(policy, resources, config), []);
}

/**
 * A deep copy of a variant's resources with `edit` applied to both the inputs (what resource
 * policies read) and the state (what stack policies read) of every resource of `type` (and `name`).
 */
function broken(
    variant: Variant | CapturedStack,
    type: string,
    edit: (props: any) => void,
    name?: string,
): StackResource[] {
    const stack = typeof variant === "string" ? stacks[variant] : variant;
    const copy: StackResource[] = deepCopy([...stack.resources]);
    const matching = copy.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.ok(matching.length > 0, `the ${stack.stack} stack has no ${type} ${name ?? ""}`);
    for (const resource of matching) {
        edit(resource.inputs);
        edit(resource.state);
    }
    return copy;
}

/** The behavior for everything under the API prefix. */
const apiBehavior = (distribution: any) =>
    distribution.orderedCacheBehaviors.find((b: any) => b.pathPattern === "/api/*");

/** A copy of a variant's resources with one more resource, whose inputs are its state. */
function withResource(
    resources: readonly StackResource[],
    type: string,
    name: string,
    state: Record<string, unknown>,
): StackResource[] {
    const urn = `urn:pulumi:test::same-origin::${type}::${name}`;
    return [...deepCopy([...resources]), { type, name, urn, inputs: state, state }];
}

describe("policy pack", function () {
    this.timeout(120_000);

    before(async () => {
        for (const [variant, options] of Object.entries(VARIANTS) as [Variant, object][]) {
            stacks[variant] = await captureStack(options);
        }
        devPreview = await captureStack({ preview: true });
    });

    describe("passes the real program", () => {
        for (const variant of Object.keys(VARIANTS) as Variant[]) {
            it(`${variant}: every rule passes, with its stack's pack config`, async () => {
                const result = await evaluatePolicies(rules.policies, stacks[variant].resources, packConfigOf(variant));
                assert.deepEqual(result.violations, []);
                assert.deepEqual(result.notRunDuringPreview, []);
            });
        }
    });

    describe("during the first preview of a stack", () => {
        it("leaves the rules that need values not known yet to the update", async () => {
            const result = await evaluatePolicies(rules.policies, devPreview.resources, packConfigOf("dev"));
            assert.deepEqual(result.violations, []);
            assert.deepEqual(
                result.notRunDuringPreview.map((f) => f.policy),
                [
                    rules.s3OriginBucketPrivate.name,
                    rules.restApiRegional.name,
                    rules.apiOnlyThroughDistribution.name,
                    rules.bucketTlsOnly.name,
                    rules.stageLoggingEnabled.name,
                ],
            );
        });

        it("reports a distribution without logging before leaving the stages' logging to the update", async () => {
            const resources = broken(devPreview, DISTRIBUTION, (d) => delete d.loggingConfig);
            const result = await evaluatePolicies(
                [rules.distributionLoggingEnabled, rules.stageLoggingEnabled],
                resources,
            );
            assert.deepEqual(
                result.violations.map((v) => v.policy),
                [rules.distributionLoggingEnabled.name],
            );
            assert.match(result.violations[0].message, /the distribution has no standard logging/);
            assert.deepEqual(
                result.notRunDuringPreview.map((f) => f.policy),
                [rules.stageLoggingEnabled.name],
            );
        });

        it("refuses the demo authorizer already in the preview, whose environment is known", async () => {
            const result = await evaluatePolicies([rules.noDemoAuthorizer], devPreview.resources);
            assert.match(result.violations.map((v) => v.message).join("\n"), /AUTH_PROVIDER=demo/);
        });

        it("still judges what is known, such as a missing Origin Access Control", async () => {
            const resources = broken(devPreview, DISTRIBUTION, (d) => delete d.origins[0].originAccessControlId);
            const result = await evaluatePolicies([rules.s3OriginAccessControl], resources);
            assert.match(
                result.violations.map((v) => v.message).join("\n"),
                /S3 origin "site" has no originAccessControlId/,
            );
        });
    });

    it("registers each rule once, mandatory, with a description", () => {
        const names = rules.policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const policy of rules.policies) {
            assert.equal(policy.enforcementLevel, "mandatory", policy.name);
            assert.ok(policy.description.length > 20, policy.name);
        }
    });

    describe("s3-origin-access-control", () => {
        const policy = rules.s3OriginAccessControl;

        it("reports an S3 origin without Origin Access Control", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => delete d.origins[0].originAccessControlId);
            await expectViolation(
                policy,
                resources,
                /S3 origin "site" has no originAccessControlId.*OriginAccessControl/,
            );
        });

        it("reports a legacy origin access identity", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => {
                d.origins[0].s3OriginConfig = { originAccessIdentity: "origin-access-identity/cloudfront/E2EXAMPLE" };
            });
            await expectViolation(
                policy,
                resources,
                /S3 origin "site" uses a legacy origin access identity.*remove s3OriginConfig/,
            );
        });
    });

    describe("s3-origin-bucket-private", () => {
        const policy = rules.s3OriginBucketPrivate;

        it("reports a public access block with a flag off", async () => {
            const resources = broken("dev", PUBLIC_ACCESS_BLOCK, (b) => (b.restrictPublicBuckets = false));
            await expectViolation(
                policy,
                resources,
                /bucket "site-bucket-\w+" \(S3 origin "site"\) has no aws\.s3\.BucketPublicAccessBlock with .* all true/,
            );
        });

        it("reports a bucket with no public access block", async () => {
            const resources = stacks.dev.resources.filter((r) => r.type !== PUBLIC_ACCESS_BLOCK);
            await expectViolation(policy, resources, /has no aws\.s3\.BucketPublicAccessBlock/);
        });

        it("reports a bucket policy that lets anyone read", async () => {
            const resources = broken(
                "dev",
                BUCKET_POLICY,
                (p) => {
                    const document = JSON.parse(p.policy);
                    document.Statement.find((s: { Effect: string }) => s.Effect === "Allow").Principal = "*";
                    p.policy = JSON.stringify(document);
                },
                "site-bucket-policy",
            );
            await expectViolation(
                policy,
                resources,
                /allows "\*", not only the service principal cloudfront\.amazonaws\.com/,
            );
        });

        it("reports a CloudFront grant without AWS:SourceArn", async () => {
            const resources = broken(
                "dev",
                BUCKET_POLICY,
                (p) => {
                    const document = JSON.parse(p.policy);
                    delete document.Statement.find((s: { Effect: string }) => s.Effect === "Allow").Condition;
                    p.policy = JSON.stringify(document);
                },
                "site-bucket-policy",
            );
            await expectViolation(
                policy,
                resources,
                /without an AWS:SourceArn condition, so every\s+CloudFront distribution/,
            );
        });

        it("reports a wildcard AWS:SourceArn", async () => {
            const resources = broken("dev", BUCKET_POLICY, (p) => {
                p.policy = p.policy.replace(/distribution\/\w+/, "distribution/*");
            });
            await expectViolation(
                policy,
                resources,
                /AWS:SourceArn \[".*distribution\/\*"\], which is not one distribution's ARN/,
            );
        });

        it("reports an origin bucket without a bucket policy", async () => {
            const resources = stacks.dev.resources.filter((r) => r.type !== BUCKET_POLICY);
            await expectViolation(
                policy,
                resources,
                /has no aws\.s3\.BucketPolicy, so Origin Access Control cannot read it/,
            );
        });

        it("reports an S3 origin whose bucket is not in the stack", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (d.origins[0].domainName = "other.s3.eu-west-1.amazonaws.com"),
            );
            await expectViolation(
                policy,
                resources,
                /S3 origin "site" \(other\.s3\.eu-west-1\.amazonaws\.com\) is not a bucket declared in this stack/,
            );
        });
    });

    describe("viewer-https-only", () => {
        const policy = rules.viewerHttpsOnly;

        it("reports allow-all on the default behavior", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (d.defaultCacheBehavior.viewerProtocolPolicy = "allow-all"),
            );
            await expectViolation(policy, resources, /the default behavior has viewerProtocolPolicy "allow-all"/);
        });

        it("reports allow-all on the API behavior", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => (apiBehavior(d).viewerProtocolPolicy = "allow-all"));
            await expectViolation(policy, resources, /behavior "\/api\/\*" has viewerProtocolPolicy "allow-all"/);
        });
    });

    describe("viewer-tls-minimum", () => {
        const policy = rules.viewerTlsMinimum;
        const withCertificate = (minimumProtocolVersion?: string) =>
            broken("dev", DISTRIBUTION, (d) => {
                d.viewerCertificate = {
                    acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-example",
                    sslSupportMethod: "sni-only",
                    ...(minimumProtocolVersion === undefined ? {} : { minimumProtocolVersion }),
                };
            });

        it("reports a custom certificate allowing TLS older than TLSv1.2_2021", async () => {
            await expectViolation(
                policy,
                withCertificate("TLSv1.2_2019"),
                /minimumProtocolVersion "TLSv1\.2_2019".*TLSv1\.2_2021/,
            );
        });

        it("reports a custom certificate left at the provider's default", async () => {
            await expectViolation(policy, withCertificate(), /TLSv1 \(the provider's default\)/);
        });

        it("reports an IAM certificate with TLSv1", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => {
                d.viewerCertificate = {
                    iamCertificateId: "ASCAEXAMPLE",
                    sslSupportMethod: "sni-only",
                    minimumProtocolVersion: "TLSv1",
                };
            });
            await expectViolation(policy, resources, /minimumProtocolVersion "TLSv1"/);
        });

        it("reads the provider's empty strings as unset, as in a default certificate's state", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => {
                d.viewerCertificate = {
                    cloudfrontDefaultCertificate: true,
                    acmCertificateArn: "",
                    iamCertificateId: "",
                    minimumProtocolVersion: "TLSv1",
                };
            });
            await expectNoViolation(policy, resources);
        });

        it("accepts TLSv1.2_2021 and newer policies", async () => {
            await expectNoViolation(policy, withCertificate("TLSv1.2_2021"));
            await expectNoViolation(policy, withCertificate("TLSv1.2_2025"));
            await expectNoViolation(policy, withCertificate("TLSv1.3_2025"));
        });

        it("ranks security policies by TLS version, then revision", () => {
            assert.deepEqual(
                ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019"].filter(
                    rules.meetsMinimumViewerTls,
                ),
                [],
            );
        });
    });

    describe("api-origin-https-only", () => {
        it("reports an API origin that may use plain HTTP", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (d.origins[1].customOriginConfig.originProtocolPolicy = "match-viewer"),
            );
            await expectViolation(
                rules.apiOriginHttpsOnly,
                resources,
                /custom origin "api" \(\w+\.execute-api\.eu-west-1\.amazonaws\.com\) has originProtocolPolicy "match-viewer".*"https-only"/,
            );
        });
    });

    describe("api-behavior-no-host-header", () => {
        const policy = rules.apiBehaviorNoHostHeader;

        it("reports the AllViewer origin request policy", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (apiBehavior(d).originRequestPolicyId = ORIGIN_REQUEST_POLICIES.AllViewer.id),
            );
            await expectViolation(
                policy,
                resources,
                /API behavior "\/api\/\*" forwards the viewer's Host header \(managed origin request policy AllViewer\).*AllViewerExceptHostHeader/,
            );
        });

        for (const header of ["Host", "*"]) {
            it(`reports legacy forwardedValues headers ["${header}"]`, async () => {
                const resources = broken("dev", DISTRIBUTION, (d) => {
                    const behavior = apiBehavior(d);
                    delete behavior.cachePolicyId;
                    delete behavior.originRequestPolicyId;
                    behavior.forwardedValues = { headers: [header], queryString: true, cookies: { forward: "none" } };
                    Object.assign(behavior, { minTtl: 0, defaultTtl: 0, maxTtl: 0 });
                });
                await expectViolation(
                    policy,
                    resources,
                    /forwards the viewer's Host header \(legacy forwardedValues headers\)/,
                );
            });
        }

        it("reports a custom origin request policy forwarding every viewer header", async () => {
            const resources = withResource(
                broken("dev", DISTRIBUTION, (d) => (apiBehavior(d).originRequestPolicyId = "orp-all-viewer")),
                TYPES.originRequestPolicy,
                "all-viewer",
                {
                    id: "orp-all-viewer",
                    name: "all-viewer",
                    headersConfig: { headerBehavior: "allViewer" },
                    cookiesConfig: { cookieBehavior: "all" },
                    queryStringsConfig: { queryStringBehavior: "all" },
                },
            );
            await expectViolation(
                policy,
                resources,
                /forwards the viewer's Host header \(origin request policy "all-viewer"\)/,
            );
        });

        it("reports an origin request policy it cannot read", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (apiBehavior(d).originRequestPolicyId = "00000000-unknown"),
            );
            await expectViolation(
                policy,
                resources,
                /origin request policy 00000000-unknown is neither a managed policy.*cannot be checked/,
            );
        });
    });

    describe("api-behavior-authorization-in-cache-key", () => {
        const policy = rules.apiBehaviorAuthorizationInCacheKey;
        const withCachePolicy = (headerBehavior: string, items: string[]) =>
            withResource(
                broken("dev", DISTRIBUTION, (d) => (apiBehavior(d).cachePolicyId = "cp-api")),
                TYPES.cachePolicy,
                "api-cache",
                {
                    id: "cp-api",
                    name: "api-cache",
                    minTtl: 0,
                    defaultTtl: 60,
                    maxTtl: 300,
                    parametersInCacheKeyAndForwardedToOrigin: {
                        headersConfig: { headerBehavior, headers: { items } },
                        cookiesConfig: { cookieBehavior: "none" },
                        queryStringsConfig: { queryStringBehavior: "all" },
                    },
                },
            );
        const legacy = (headers: string[], ttls: object) =>
            broken("dev", DISTRIBUTION, (d) => {
                const behavior = apiBehavior(d);
                delete behavior.cachePolicyId;
                delete behavior.originRequestPolicyId;
                behavior.forwardedValues = { headers, queryString: true, cookies: { forward: "none" } };
                Object.assign(behavior, ttls);
            });

        it("reports CachingOptimized on the API behavior", async () => {
            const resources = broken(
                "dev",
                DISTRIBUTION,
                (d) => (apiBehavior(d).cachePolicyId = CACHE_POLICIES.CachingOptimized.id),
            );
            await expectViolation(
                policy,
                resources,
                /API behavior "\/api\/\*" caches responses \(managed cache policy CachingOptimized\) but its cache key lacks the Authorization/,
            );
        });

        it("reports a custom cache policy that caches without Authorization in its key", async () => {
            await expectViolation(
                policy,
                withCachePolicy("whitelist", ["Accept"]),
                /caches responses \(cache policy "api-cache"\)/,
            );
        });

        it("accepts a custom cache policy keyed on Authorization", async () => {
            await expectNoViolation(policy, withCachePolicy("whitelist", ["authorization"]));
        });

        it("reports legacy TTLs that cache without forwarding Authorization", async () => {
            await expectViolation(
                policy,
                legacy([], { minTtl: 0, defaultTtl: 300, maxTtl: 3600 }),
                /caches responses \(legacy forwardedValues headers\)/,
            );
        });

        it("counts legacy TTLs left out as CloudFront's defaults, which cache", async () => {
            await expectViolation(policy, legacy([], {}), /caches responses \(legacy forwardedValues headers\)/);
        });

        it("accepts legacy settings that cache nothing, or key on Authorization", async () => {
            await expectNoViolation(policy, legacy([], { minTtl: 0, defaultTtl: 0, maxTtl: 0 }));
            await expectNoViolation(policy, legacy(["Authorization"], { minTtl: 0, defaultTtl: 300, maxTtl: 3600 }));
        });

        it("reports a cache policy it cannot read", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => (apiBehavior(d).cachePolicyId = "00000000-unknown"));
            await expectViolation(
                policy,
                resources,
                /cache policy 00000000-unknown is neither a managed policy.*cannot be checked/,
            );
        });
    });

    describe("no-spa-error-fallback-with-api", () => {
        const policy = rules.noSpaErrorFallbackWithApi;
        const withErrorResponse = (errorCode: number, responseCode: number) =>
            broken("dev", DISTRIBUTION, (d) => {
                d.customErrorResponses = [{ errorCode, responseCode, responsePagePath: "/index.html" }];
            });

        for (const code of [403, 404]) {
            it(`reports ${code} mapped to a 200 page while an API behavior exists`, async () => {
                await expectViolation(
                    policy,
                    withErrorResponse(code, 200),
                    new RegExp(`maps ${code} to 200 /index\\.html.*API behavior "/api" would answer`),
                );
            });
        }

        it("accepts an error page that keeps the status, or a distribution without an API", async () => {
            await expectNoViolation(policy, withErrorResponse(404, 404));
            const siteOnly = broken("dev", DISTRIBUTION, (d) => {
                d.orderedCacheBehaviors = [];
                d.customErrorResponses = [{ errorCode: 404, responseCode: 200, responsePagePath: "/index.html" }];
            });
            await expectNoViolation(policy, siteOnly);
        });
    });

    describe("lambda-edge-versioned-arn", () => {
        const policy = rules.lambdaEdgeVersionedArn;
        const withArn = (rewrite: (arn: string) => string) =>
            broken("lambda-edge", DISTRIBUTION, (d) => {
                const association = apiBehavior(d).lambdaFunctionAssociations[0];
                association.lambdaArn = rewrite(association.lambdaArn);
            });

        it("reports $LATEST", async () => {
            await expectViolation(
                policy,
                withArn((arn) => arn.replace(/:\d+$/, ":$LATEST")),
                /qualifier "\$LATEST".*numbered, published/,
            );
        });

        it("reports an unqualified ARN", async () => {
            await expectViolation(
                policy,
                withArn((arn) => arn.replace(/:\d+$/, "")),
                /an unqualified ARN/,
            );
        });

        it("reports an alias", async () => {
            await expectViolation(
                policy,
                withArn((arn) => arn.replace(/:\d+$/, ":live")),
                /qualifier "live"/,
            );
        });

        it("reports a function outside us-east-1", async () => {
            await expectViolation(
                policy,
                withArn((arn) => arn.replace(":us-east-1:", ":eu-west-1:")),
                /associates a function in eu-west-1; Lambda@Edge functions must be in us-east-1/,
            );
        });
    });

    describe("lambda-edge-function-published", () => {
        const policy = rules.lambdaEdgeFunctionPublished;
        const editEdgeFunction = (edit: (fn: any) => void) =>
            broken("lambda-edge", LAMBDA_FUNCTION, edit, "edge-rewriter-function");

        it("reports an edge function without publish: true", async () => {
            await expectViolation(
                policy,
                editEdgeFunction((fn) => (fn.publish = false)),
                /function "edge-rewriter-function" \(Lambda@Edge on behavior "\/api\/\*"\) does not set publish: true/,
            );
        });

        it("reports an edge function outside us-east-1", async () => {
            await expectViolation(
                policy,
                editEdgeFunction((fn) => (fn.region = "eu-west-1")),
                /function "edge-rewriter-function" .* is in eu-west-1; .*Fix: create it with region: "us-east-1"/,
            );
        });
    });

    describe("rest-api-regional", () => {
        const policy = rules.restApiRegional;

        it("reports an EDGE REST API behind the distribution", async () => {
            const resources = broken("dev", REST_API, (api) => (api.endpointConfiguration = { types: "EDGE" }));
            await expectViolation(policy, resources, /REST API "api-rest" behind origin "api" has endpoint type EDGE;/);
        });

        it("reports a REST API without an endpoint configuration (EDGE by default)", async () => {
            const resources = broken("dev", REST_API, (api) => delete api.endpointConfiguration);
            await expectViolation(
                policy,
                resources,
                /endpoint type EDGE \(the default when endpointConfiguration is absent\)/,
            );
        });

        it("follows a custom domain's base path mapping to the REST API", async () => {
            const resources = broken(
                "custom-domain",
                REST_API,
                (api) => (api.endpointConfiguration = { types: "EDGE" }),
            );
            await expectViolation(policy, resources, /REST API "api-rest" behind origin "api" has endpoint type EDGE;/);
        });

        it("reports an EDGE custom domain behind the distribution", async () => {
            const resources = broken(
                "custom-domain",
                DOMAIN_NAME,
                (domain) => (domain.endpointConfiguration = { types: "EDGE" }),
            );
            await expectViolation(
                policy,
                resources,
                /custom domain "api\.example\.com" behind origin "api" has endpoint type EDGE/,
            );
        });
    });

    describe("api-only-through-distribution", () => {
        const policy = rules.apiOnlyThroughDistribution;
        /** The dev stack as the bench and the direct-endpoint tests run it: originLockdown off. */
        let lockdownOff: CapturedStack;
        /** The dev stack with a backend that is another team's API Gateway stage, not in this stack. */
        let withForeignBackend: CapturedStack;
        const FOREIGN_API_HOST = "xyz789.execute-api.eu-west-1.amazonaws.com";

        before(async () => {
            lockdownOff = await captureStack({ config: { originLockdown: "false" } });
            withForeignBackend = await captureStack({
                config: { backends: JSON.stringify([{ path: "/billing", url: `https://${FOREIGN_API_HOST}/prod` }]) },
            });
        });

        /**
         * dev's REST API with `/items` built from aws.apigateway.Resource and Method resources: GET with
         * apiKeyRequired as given, and (optionally) without the OpenAPI body.
         */
        const withMethods = (apiKeyRequired: boolean, { body }: { body: boolean }) => {
            const api = stacks.dev.resources.find((r) => r.type === REST_API)!;
            const base = body ? stacks.dev.resources : broken("dev", REST_API, (a) => delete a.body);
            const items = withResource(base, API_RESOURCE, "items", {
                id: "res-items",
                restApi: api.state.id,
                parentId: api.state.rootResourceId,
                pathPart: "items",
                path: "/items",
            });
            return withResource(items, METHOD, "items-get", {
                restApi: api.state.id,
                resourceId: "res-items",
                httpMethod: "GET",
                authorization: "NONE",
                apiKeyRequired,
            });
        };

        /** A copy with the REST API's OpenAPI body edited; returns the first path's name with it. */
        const withBody = (variant: Variant, edit: (document: any, firstPath: string) => void) =>
            broken(variant, REST_API, (api) => {
                const document = JSON.parse(api.body);
                edit(document, Object.keys(document.paths)[0]);
                api.body = JSON.stringify(document);
            });
        const firstPathOf = (variant: Variant) =>
            Object.keys(JSON.parse(stacks[variant].resources.find((r) => r.type === REST_API)!.state.body).paths)[0];
        const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

        it("makes originLockdown=false visible: that graph fails this rule, and only this one", async () => {
            const result = await evaluatePolicies(rules.policies, lockdownOff.resources, packConfigOf("dev"));
            assert.deepEqual([...new Set(result.violations.map((v) => v.policy))], [policy.name]);
            const messages = await violationsOf(policy, lockdownOff.resources);
            assert.equal(messages.length, 2, messages.join("\n"));
            assert.match(messages[0], /origin "api" sends no x-api-key custom header.*Fix: /);
            assert.match(
                messages[1],
                /REST API "api-rest" behind origin "api" answers ANY \/api\/\S+.* without an API key, so anyone can call them at the API's own endpoint/,
            );
        });

        it("reports one operation that does not require the key", async () => {
            const path = firstPathOf("dev");
            const resources = withBody("dev", (document, first) => {
                document.paths[first]["x-amazon-apigateway-any-method"].security = [{}];
            });
            const message = await expectViolation(policy, resources, /without an API key/);
            assert.match(message, new RegExp(`answers ANY ${escape(path)} without an API key`));
            assert.doesNotMatch(message, /, ANY /, "only the operation that lost its key");
        });

        it("reports an alternative security requirement without the key", async () => {
            const resources = withBody("dev", (document, first) => {
                const operation = document.paths[first]["x-amazon-apigateway-any-method"];
                operation.security = [...operation.security, {}];
            });
            await expectViolation(policy, resources, /without an API key/);
        });

        it("does not count a key scheme on another header, or a Lambda authorizer's apiKey scheme", async () => {
            const schemeOf = (document: any) =>
                Object.values<any>(document.securityDefinitions).find((d) => d.name === "x-api-key");
            const otherHeader = withBody("dev", (document) => (schemeOf(document).name = "x-other-key"));
            await expectViolation(policy, otherHeader, /without an API key/);
            const authorizer = withBody("dev", (document) => {
                schemeOf(document)["x-amazon-apigateway-authtype"] = "custom";
            });
            await expectViolation(policy, authorizer, /without an API key/);
        });

        it("does not take the document's security for an operation without its own (API Gateway ignores it)", async () => {
            const path = firstPathOf("dev");
            const resources = withBody("dev", (document, first) => {
                const operation = document.paths[first]["x-amazon-apigateway-any-method"];
                document.security = operation.security;
                delete operation.security;
            });
            await expectViolation(policy, resources, new RegExp(`answers ANY ${escape(path)} without an API key`));
        });

        it("reports an API origin that does not send the key", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => delete d.origins[1].customHeaders);
            await expectViolation(policy, resources, /origin "api" sends no x-api-key custom header/);
        });

        it("reports a key read from an authorizer, not the header CloudFront sends", async () => {
            const fromProperty = broken("dev", REST_API, (api) => (api.apiKeySource = "AUTHORIZER"));
            await expectViolation(
                policy,
                fromProperty,
                /reads API keys from AUTHORIZER, not from the x-api-key header/,
            );
            const fromBody = withBody("dev", (document) => {
                document["x-amazon-apigateway-api-key-source"] = "AUTHORIZER";
            });
            await expectViolation(policy, fromBody, /reads API keys from AUTHORIZER/);
        });

        it("behind a custom domain, reports the execute-api endpoint left on", async () => {
            const resources = broken("custom-domain", REST_API, (api) => (api.disableExecuteApiEndpoint = false));
            await expectViolation(
                policy,
                resources,
                /REST API "api-rest" behind origin "api" is reached through the custom domain "api\.example\.com" but keeps its default execute-api endpoint.*disableExecuteApiEndpoint: true/,
            );
        });

        it("accepts the endpoint disabled by the body's x-amazon-apigateway-endpoint-configuration", async () => {
            const resources = broken("custom-domain", REST_API, (api) => {
                api.disableExecuteApiEndpoint = false;
                const document = JSON.parse(api.body);
                document["x-amazon-apigateway-endpoint-configuration"] = { disableExecuteApiEndpoint: true };
                api.body = JSON.stringify(document);
            });
            await expectNoViolation(policy, resources);
        });

        it("reports a body it cannot read, or neither a body nor methods", async () => {
            const yaml = broken("dev", REST_API, (api) => (api.body = "swagger: '2.0'\npaths: {}\n"));
            await expectViolation(policy, yaml, /its body is not JSON .*cannot be checked/);
            const none = broken("dev", REST_API, (api) => delete api.body);
            await expectViolation(
                policy,
                none,
                /has neither an OpenAPI body nor aws\.apigateway\.Method resources in this stack/,
            );
        });

        it("judges an API built from Method resources: reports a method without apiKeyRequired", async () => {
            const message = await expectViolation(policy, withMethods(false, { body: false }), /without an API key/);
            assert.match(
                message,
                /REST API "api-rest" behind origin "api" answers GET \/items \(aws\.apigateway\.Method "items-get"\) without an API key/,
            );
            await expectNoViolation(policy, withMethods(true, { body: false }));
        });

        it("reads the stack's Method resources besides the body", async () => {
            await expectViolation(
                policy,
                withMethods(false, { body: true }),
                /answers GET \/items .* without an API key/,
            );
            await expectNoViolation(policy, withMethods(true, { body: true }));
        });

        it("reports an origin sending the key to an execute-api host that is not a REST API of the stack", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => (d.origins[1].domainName = FOREIGN_API_HOST));
            await expectViolation(
                policy,
                resources,
                /origin "api" sends the x-api-key custom header to xyz789\.execute-api\.eu-west-1\.amazonaws\.com, which is not a REST API of this stack/,
            );
        });

        it("leaves a backend that is another team's API stage, sending no key, to its owners", async () => {
            const distribution = withForeignBackend.resources.find((r) => r.type === DISTRIBUTION)!;
            assert.ok(
                distribution.state.origins.some((o: any) => o.domainName === FOREIGN_API_HOST && !o.customHeaders),
                "the backend is an origin of the distribution, without the key",
            );
            await expectNoViolation(policy, withForeignBackend.resources);
            const result = await evaluatePolicies(rules.policies, withForeignBackend.resources, packConfigOf("dev"));
            assert.deepEqual(result.violations, []);
        });

        it("reads OpenAPI 3 security schemes too", () => {
            const body = (security: object[]) =>
                JSON.stringify({
                    openapi: "3.0.1",
                    paths: { "/items": { get: { security }, post: { security: [] } } },
                    components: { securitySchemes: { key: { type: "apiKey", name: "X-API-Key", in: "header" } } },
                });
            assert.deepEqual(apiKeyRequirements(body([{ key: [] }])).operationsWithoutKey, ["POST /items"]);
            assert.deepEqual(apiKeyRequirements(body([])).operationsWithoutKey, ["GET /items", "POST /items"]);
        });
    });

    describe("bucket-tls-only", () => {
        const policy = rules.bucketTlsOnly;
        const editPolicy = (name: string, edit: (statement: any) => void) =>
            broken(
                "dev",
                BUCKET_POLICY,
                (p) => {
                    const document = JSON.parse(p.policy);
                    edit(document.Statement.find((s: { Effect: string }) => s.Effect === "Deny"));
                    p.policy = JSON.stringify(document);
                },
                name,
            );

        it("reports a Deny conditioned on TLS being used instead of missing", async () => {
            const resources = editPolicy(
                "site-bucket-policy",
                (s) => (s.Condition.Bool["aws:SecureTransport"] = "true"),
            );
            const messages = await violationsOf(policy, resources);
            assert.equal(messages.length, 1, "the log bucket keeps its Deny");
            assert.match(
                messages[0],
                /bucket "site-bucket-\w+" has a bucket policy without a statement denying requests made without TLS.*Fix: /,
            );
        });

        it("reports a Deny for one principal, or on the bucket but not its objects", async () => {
            await expectViolation(
                policy,
                editPolicy("logs-policy", (s) => (s.Principal = { Service: "cloudfront.amazonaws.com" })),
                /bucket "logs-bucket-\w+" has a bucket policy without a statement denying/,
            );
            await expectViolation(
                policy,
                editPolicy("logs-policy", (s) => (s.Resource = s.Resource[0])),
                /bucket "logs-bucket-\w+"/,
            );
        });

        it("reports a bucket with no bucket policy", async () => {
            const resources = stacks.dev.resources.filter((r) => r.name !== "logs-policy");
            await expectViolation(policy, resources, /bucket "logs-bucket-\w+" has no bucket policy denying/);
        });

        it('accepts the Deny with Principal { AWS: "*" } and Action "*"', async () => {
            const resources = editPolicy("site-bucket-policy", (s) => {
                s.Principal = { AWS: "*" };
                s.Action = ["*"];
            });
            await expectNoViolation(policy, resources);
        });

        it("accepts BoolIfExists, which also denies a request without the key", async () => {
            const resources = editPolicy("site-bucket-policy", (s) => {
                s.Condition = { BoolIfExists: s.Condition.Bool };
            });
            await expectNoViolation(policy, resources);
        });

        const NARROWED: Record<string, (statement: any) => void> = {
            "a second condition (IpAddress aws:SourceIp)": (s) => {
                s.Condition.IpAddress = { "aws:SourceIp": "203.0.113.0/24" };
            },
            "a second key under Bool": (s) => {
                s.Condition.Bool["aws:ViaAWSService"] = "false";
            },
            "another operator on aws:SecureTransport": (s) => {
                s.Condition = { StringEquals: s.Condition.Bool };
            },
            NotPrincipal: (s) => {
                s.NotPrincipal = { AWS: "arn:aws:iam::123456789012:root" };
            },
            NotAction: (s) => {
                s.NotAction = "s3:GetObject";
            },
            NotResource: (s) => {
                s.NotResource = "arn:aws:s3:::other/*";
            },
            "some S3 actions only": (s) => {
                s.Action = ["s3:GetObject"];
            },
        };
        for (const [narrowing, edit] of Object.entries(NARROWED)) {
            it(`reports a Deny narrowed by ${narrowing}, which lets some plain-HTTP requests through`, async () => {
                const messages = await violationsOf(policy, editPolicy("site-bucket-policy", edit));
                assert.equal(messages.length, 1, messages.join("\n"));
                assert.match(messages[0], /bucket "site-bucket-\w+" has a bucket policy without a statement denying/);
            });
        }
    });

    describe("distribution-logging-enabled", () => {
        it("reports a distribution without standard logging to S3", async () => {
            const resources = broken("dev", DISTRIBUTION, (d) => delete d.loggingConfig);
            await expectViolation(
                rules.distributionLoggingEnabled,
                resources,
                /the distribution has no standard logging \(loggingConfig\)/,
            );
        });
    });

    describe("stage-logging-enabled", () => {
        const policy = rules.stageLoggingEnabled;
        /** dev with one more MethodSettings on its stage: methodPath "api/GET" at `loggingLevel`. */
        const withOverride = (loggingLevel: string) => {
            const settings = stacks.dev.resources.find((r) => r.type === METHOD_SETTINGS)!;
            return withResource(stacks.dev.resources, METHOD_SETTINGS, "api-get-settings", {
                ...deepCopy(settings.state),
                methodPath: "api/GET",
                settings: { loggingLevel },
            });
        };

        it("reports a stage without access logs", async () => {
            const resources = broken("dev", STAGE, (stage) => delete stage.accessLogSettings);
            await expectViolation(policy, resources, /stage "dev" \(api-stage\) has no access logs/);
        });

        it("reports execution logging off, or set for some methods only", async () => {
            const off = broken("dev", METHOD_SETTINGS, (m) => (m.settings.loggingLevel = "OFF"));
            await expectViolation(policy, off, /stage "dev" \(api-stage\) has no execution logging at ERROR or INFO/);
            const someMethods = broken("dev", METHOD_SETTINGS, (m) => (m.methodPath = "api/GET"));
            await expectViolation(policy, someMethods, /has no execution logging at ERROR or INFO for every method/);
            const otherStage = broken("dev", METHOD_SETTINGS, (m) => (m.stageName = "other"));
            await expectViolation(policy, otherStage, /has no execution logging/);
        });

        it("accepts INFO", async () => {
            await expectNoViolation(
                policy,
                broken("dev", METHOD_SETTINGS, (m) => (m.settings.loggingLevel = "INFO")),
            );
        });

        it("reports a method's own settings turning its logging off under the stage's */*", async () => {
            const message = await expectViolation(
                policy,
                withOverride("OFF"),
                /stage "dev" \(api-stage\): method settings "api-get-settings" set loggingLevel "OFF" for methodPath "api\/GET"/,
            );
            assert.doesNotMatch(message, /has no execution logging/);
        });

        it("accepts a method's own settings at ERROR or INFO", async () => {
            await expectNoViolation(policy, withOverride("INFO"));
            await expectNoViolation(policy, withOverride("ERROR"));
        });
    });

    describe("no-demo-authorizer", () => {
        const policy = rules.noDemoAuthorizer;
        const ALLOWED: PackConfig = { [policy.name]: { allowDemoAuthorizer: true } };

        it("refuses the demo authorizer by default, naming the function and the fix", async () => {
            await expectViolation(
                policy,
                stacks.dev.resources,
                /function "authorizer-function" has AUTH_PROVIDER=demo.*Fix: .*"allowDemoAuthorizer": true/,
            );
        });

        it("accepts it when the pack's config allows it, and only then", async () => {
            await expectNoViolation(policy, stacks.dev.resources, ALLOWED);
            await expectViolation(policy, stacks.dev.resources, /AUTH_PROVIDER=demo/, {
                [policy.name]: { allowDemoAuthorizer: false },
            });
        });

        it("accepts the Cognito authorizer without any config", async () => {
            await expectNoViolation(policy, stacks.prod.resources);
        });
    });

    describe("distribution-waf-required, stage-waf-required", () => {
        const WAF_RULES = [rules.distributionWafRequired, rules.stageWafRequired];
        const REQUIRED: PackConfig = Object.fromEntries(WAF_RULES.map((rule) => [rule.name, { requireWaf: true }]));

        it("require nothing by default: dev has no WAF and passes", async () => {
            for (const policy of WAF_RULES) {
                await expectNoViolation(policy, stacks.dev.resources);
            }
        });

        it("when required, report dev's distribution and stage, which have none", async () => {
            const distribution = await violationsOf(rules.distributionWafRequired, stacks.dev.resources, REQUIRED);
            assert.equal(distribution.length, 1, distribution.join("\n"));
            assert.match(
                distribution[0],
                /the distribution has no web ACL \(webAclId\) and the pack's config requires WAF \(distribution-waf-required: requireWaf\).*in us-east-1/,
            );
            const stage = await violationsOf(rules.stageWafRequired, stacks.dev.resources, REQUIRED);
            assert.equal(stage.length, 1, stage.join("\n"));
            assert.match(stage[0], /stage "dev" \(api-stage\) has no web ACL associated.*Fix: /);
        });

        it("when required, report prod's distribution without its web ACL, or a stage left out", async () => {
            const noAcl = broken("prod", DISTRIBUTION, (d) => delete d.webAclId);
            await expectViolation(rules.distributionWafRequired, noAcl, /the distribution has no web ACL/, REQUIRED);
            await expectNoViolation(rules.distributionWafRequired, noAcl);
            await expectNoViolation(rules.stageWafRequired, noAcl, REQUIRED);
            const otherStage = broken("prod", TYPES.webAclAssociation, (a) => {
                a.resourceArn = "arn:aws:apigateway:eu-west-1::/restapis/other/stages/prod";
            });
            await expectViolation(
                rules.stageWafRequired,
                otherStage,
                /stage "prod" \(api-stage\) has no web ACL associated/,
                REQUIRED,
            );
            await expectNoViolation(rules.distributionWafRequired, otherStage, REQUIRED);
        });

        it("each reads its own entry of the pack's config", async () => {
            const distributionOnly: PackConfig = { [rules.distributionWafRequired.name]: { requireWaf: true } };
            assert.equal(
                (await violationsOf(rules.distributionWafRequired, stacks.dev.resources, distributionOnly)).length,
                1,
            );
            await expectNoViolation(rules.stageWafRequired, stacks.dev.resources, distributionOnly);
        });
    });

    describe("the pack's config", () => {
        it("declares allowDemoAuthorizer and requireWaf, both off unless a stack's config turns them on", () => {
            assert.deepEqual(policyConfig(rules.noDemoAuthorizer, {}), { allowDemoAuthorizer: false });
            for (const rule of [rules.distributionWafRequired, rules.stageWafRequired]) {
                assert.deepEqual(policyConfig(rule, {}), { requireWaf: false });
                assert.deepEqual(policyConfig(rule, { [rule.name]: { requireWaf: true } }), { requireWaf: true });
            }
        });

        for (const stack of ["dev", "prod"]) {
            it(`policy/config/${stack}.json names only the pack's policies and properties, with their types`, () => {
                assert.deepEqual(packConfigProblems(rules.policies, readPackConfig(stack)), []);
            });
        }

        it("would notice a misspelt policy or property, or a value of the wrong type", () => {
            assert.deepEqual(
                packConfigProblems(rules.policies, {
                    "no-demo-authoriser": { allowDemoAuthorizer: true },
                    "stage-waf-required": { requiredWaf: true },
                    "no-demo-authorizer": { allowDemoAuthorizer: "yes" },
                }),
                [
                    "no-demo-authoriser: the pack has no such policy",
                    "stage-waf-required.requiredWaf: the policy's configSchema declares no such property",
                    'no-demo-authorizer.allowDemoAuthorizer is "yes", not of type boolean',
                ],
            );
        });
    });

    describe("the pack as the Pulumi CLI runs it", () => {
        it("names the repository's @pulumi versions in policy/package.json", () => {
            const read = (file: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"));
            const root = read("package.json").dependencies;
            const pack = read("policy/package.json");
            for (const name of ["@pulumi/aws", "@pulumi/policy", "@pulumi/pulumi"]) {
                assert.equal(pack.dependencies[name], root[name], name);
            }
            assert.equal(pack.main, "index.ts");
        });

        it("boots from the repository's node_modules and serves every rule over gRPC", async function () {
            // Type-checking the pack with ts-node takes a while on a cold machine.
            this.timeout(180_000);
            const pack = await startPackServer();
            try {
                const info = await pack.call<AnalyzerInfo>("getAnalyzerInfo", emptyRequest());
                assert.deepEqual(
                    info.getPoliciesList().map((p) => p.getName()),
                    rules.policies.map((p) => p.name),
                );

                const clean = await pack.call<DiagnosticsResponse>(
                    "analyzeStack",
                    analyzeStackRequest(stacks.dev.resources),
                );
                assert.deepEqual(
                    clean.getDiagnosticsList().map((d) => d.getMessage()),
                    [],
                );

                const hostForwarded = broken(
                    "dev",
                    DISTRIBUTION,
                    (d) => (apiBehavior(d).originRequestPolicyId = ORIGIN_REQUEST_POLICIES.AllViewer.id),
                );
                const stackFindings = await pack.call<DiagnosticsResponse>(
                    "analyzeStack",
                    analyzeStackRequest(hostForwarded),
                );
                assert.deepEqual(policyNames(stackFindings), ["api-behavior-no-host-header"]);
                assert.match(
                    stackFindings.getDiagnosticsList()[0].getMessage(),
                    /API behavior "\/api\/\*" forwards the viewer's Host header/,
                );

                const plainHttp = broken(
                    "dev",
                    DISTRIBUTION,
                    (d) => (d.defaultCacheBehavior.viewerProtocolPolicy = "allow-all"),
                );
                const distribution = plainHttp.find((r) => r.type === DISTRIBUTION)!;
                const resourceFindings = await pack.call<DiagnosticsResponse>("analyze", analyzeRequest(distribution));
                assert.deepEqual(policyNames(resourceFindings), ["viewer-https-only"]);

                // The config schemas are served to the engine (GetAnalyzerInfo), and a Configure request
                // (built here as the engine would build it from --policy-pack-config, defaults filled in from
                // those schemas) reaches the rules' getConfig.
                const schemas = new Map(
                    info
                        .getPoliciesList()
                        .filter((p) => p.getConfigschema() !== undefined)
                        .map((p) => [p.getName(), p.getConfigschema()!.getProperties().toJavaScript()]),
                );
                assert.deepEqual(
                    [...schemas.keys()],
                    [rules.noDemoAuthorizer.name, rules.distributionWafRequired.name, rules.stageWafRequired.name],
                );
                assert.equal(schemas.get(rules.noDemoAuthorizer.name)!.allowDemoAuthorizer.default, false);
                assert.equal(schemas.get(rules.distributionWafRequired.name)!.requireWaf.default, false);
                assert.equal(schemas.get(rules.stageWafRequired.name)!.requireWaf.default, false);
                const authorizer = stacks.dev.resources.find((r) => r.name === "authorizer-function")!;
                const refused = await pack.call<DiagnosticsResponse>("analyze", analyzeRequest(authorizer));
                assert.deepEqual(policyNames(refused), [rules.noDemoAuthorizer.name]);
                await pack.call("configure", configureRequest(packConfigOf("dev")));
                const allowed = await pack.call<DiagnosticsResponse>("analyze", analyzeRequest(authorizer));
                assert.deepEqual(policyNames(allowed), []);
            } finally {
                pack.stop();
            }
        });
    });
});

// ---------------------------------------------------------------------------------------------
// Starting the pack the way the CLI does, and talking to it over gRPC.
// ---------------------------------------------------------------------------------------------

interface AnalyzerInfo {
    getPoliciesList(): {
        getName(): string;
        getConfigschema(): { getProperties(): { toJavaScript(): Record<string, any> } } | undefined;
    }[];
}

interface DiagnosticsResponse {
    getDiagnosticsList(): { getPolicyname(): string; getMessage(): string }[];
}

const policyNames = (response: DiagnosticsResponse) => response.getDiagnosticsList().map((d) => d.getPolicyname());

/** The gRPC and protobuf modules of the @pulumi/pulumi the pack itself runs on. */
function pulumiModule<T>(request: string): T {
    return require(require.resolve(request, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));
}

function emptyRequest(): unknown {
    const { Empty } = pulumiModule<{ Empty: new () => unknown }>("google-protobuf/google/protobuf/empty_pb");
    return new Empty();
}

/** Fills an Analyze request or an AnalyzerResource: identity, the given props, default options. */
function describeResource<T>(message: T, resource: StackResource, props: Record<string, unknown>): T {
    const proto = pulumiModule<any>("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = pulumiModule<any>("google-protobuf/google/protobuf/struct_pb");
    const target = message as any;
    target.setUrn(resource.urn);
    target.setType(resource.type);
    target.setName(resource.name);
    target.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(props))));
    target.setOptions(new proto.AnalyzerResourceOptions());
    return message;
}

/** An Analyze request: one resource's inputs, as the engine sends them before creating it. */
function analyzeRequest(resource: StackResource): unknown {
    const proto = pulumiModule<any>("@pulumi/pulumi/proto/analyzer_pb");
    return describeResource(new proto.AnalyzeRequest(), resource, resource.inputs);
}

/** An AnalyzeStack request: every resource's state, as the engine sends outputs. */
function analyzeStackRequest(resources: readonly StackResource[]): unknown {
    const proto = pulumiModule<any>("@pulumi/pulumi/proto/analyzer_pb");
    const request = new proto.AnalyzeStackRequest();
    request.setResourcesList(resources.map((r) => describeResource(new proto.AnalyzerResource(), r, r.state)));
    return request;
}

/**
 * A Configure request as the engine sends it once it has reconciled a pack config with the
 * policies' schemas: every policy, its enforcement level and its properties.
 */
function configureRequest(config: PackConfig): unknown {
    const proto = pulumiModule<any>("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = pulumiModule<any>("google-protobuf/google/protobuf/struct_pb");
    const request = new proto.ConfigureAnalyzerRequest();
    for (const policy of rules.policies) {
        const message = new proto.PolicyConfig();
        message.setEnforcementlevel(proto.EnforcementLevel.MANDATORY);
        message.setProperties(Struct.fromJavaScript(policyConfig(policy, config)));
        request.getPolicyconfigMap().set(policy.name, message);
    }
    return request;
}

/**
 * Starts the pack as the CLI's `pulumi-analyzer-policy` shim does: in the pack's folder, node runs
 * the `@pulumi/pulumi/cmd/run-policy-pack` that `require.resolve` finds from there, with the
 * engine's address and "."; the pack prints the port it listens on.
 */
async function startPackServer() {
    const packDir = path.join(PROJECT_DIR, "policy");
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
        cwd: packDir,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
            const match = /^(\d+)\s*$/m.exec(chunk.toString());
            if (match) {
                resolve(Number(match[1]));
            }
        });
        child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stderr}`)));
    });
    const grpc = pulumiModule<any>("@grpc/grpc-js");
    const { AnalyzerClient } = pulumiModule<any>("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        call: <T>(method: string, request: unknown) =>
            new Promise<T>((resolve, reject) =>
                client[method](request, (error: Error | null, response: T) =>
                    error ? reject(error) : resolve(response),
                ),
            ),
        stop: () => {
            client.close();
            child.kill();
        },
    };
}
