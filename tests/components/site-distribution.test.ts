import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { resolveOutput, UNKNOWN } from "../../capture/capture";
import { cloudFrontFunctionByArn, onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { ALL_METHODS, READ_METHODS } from "../../core/cloudfront";
import {
    authorizationForwarded,
    CACHE_POLICIES,
    forwardsViewerHeader,
    managedCachePolicy,
    managedOriginRequestPolicy,
    ORIGIN_REQUEST_POLICIES,
    RESPONSE_HEADERS_POLICIES,
} from "../../core/cloudfront-policies";
import { SiteDistribution, SiteDistributionArgs } from "../../infra/site-distribution";
import type { SiteFile } from "../../site/build";
import { ComponentFailure, ComponentRun, componentFailure, named, runComponent } from "../support/component-harness";
import { runViewerRequestFunction } from "../support/deployed-code";

const API_HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com";
const EDGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:edge-rewriter-function-1a2b3c4:3";
const LOG_BUCKET = "logs-bucket-0a1b2c3";
const WEB_ACL_ARN =
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/same-origin-test-waf-cloudfront/0a1b2c3d-1111-2222-3333-444455556666";

/** A small build, written out: a page, a hashed asset and an unhashed file at the root. */
const SITE_FILES: SiteFile[] = [
    {
        key: "assets/main-3FJ2K4QZ.js",
        absolutePath: "/build/assets/main-3FJ2K4QZ.js",
        contentType: "text/javascript; charset=utf-8",
        cacheControl: "public, max-age=31536000, immutable",
    },
    {
        key: "favicon.svg",
        absolutePath: "/build/favicon.svg",
        contentType: "image/svg+xml",
        cacheControl: "no-cache",
    },
    {
        key: "index.html",
        absolutePath: "/build/index.html",
        contentType: "text/html; charset=utf-8",
        cacheControl: "no-cache",
    },
];

const ARGS: SiteDistributionArgs = {
    apiPath: "/api",
    apiOrigin: { domainName: API_HOST, originPath: "/prod" },
    priceClass: "PriceClass_200",
    siteFiles: SITE_FILES,
    assetFolder: "assets",
    logs: {
        bucketName: LOG_BUCKET,
        bucketDomainName: `${LOG_BUCKET}.s3.amazonaws.com`,
        cloudFrontPrefix: "cdn-logs/",
        accessLogPrefix: "access/site/",
    },
};

const runSite = (args: Partial<SiteDistributionArgs> = {}, preview = false) =>
    runComponent(() => new SiteDistribution("site", { ...ARGS, ...args }), { preview });

const distributionOf = (run: ComponentRun<unknown>) => onlyResourceOfType(run, TYPES.distribution);
const objectsOf = (run: ComponentRun<unknown>) => resourcesOfType(run, TYPES.bucketObject);

/** Expects the component to fail with a ResourceError reported on the SiteDistribution itself. */
async function siteError(args: Partial<SiteDistributionArgs>): Promise<{ error: Error; failure: ComponentFailure }> {
    const failure = await componentFailure(() => new SiteDistribution("site", { ...ARGS, ...args }));
    const error = failure.cause;
    assert.ok(error instanceof pulumi.ResourceError, String(error));
    assert.ok(error.resource instanceof SiteDistribution, "the error names the component");
    assert.equal(await resolveOutput(error.resource.urn), named(failure, "site").urn);
    return { error, failure };
}

describe("SiteDistribution", () => {
    describe("up", () => {
        let run: ComponentRun<SiteDistribution>;
        before(async () => {
            run = await runSite();
        });

        it("is a same-origin:site-distribution:SiteDistribution holding every resource it creates", () => {
            const component = named(run, "site");
            assert.equal(component.type, "same-origin:site-distribution:SiteDistribution");
            for (const r of run.resources.filter((r) => r !== component)) {
                assert.equal(r.parent, component.urn, r.name);
                assert.match(r.name, /^site-/);
            }
        });

        it("keeps the bucket private: public access blocked, ACLs disabled", () => {
            const bucket = onlyResourceOfType(run, TYPES.bucket);
            const block = onlyResourceOfType(run, TYPES.bucketPublicAccessBlock).inputs;
            assert.deepEqual(block, {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            assert.deepEqual(onlyResourceOfType(run, TYPES.ownership).inputs, {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            });
        });

        // S3 origins take Origin Access Control, which signs with SigV4, and a bucket policy for the
        // CloudFront service principal conditioned on the distribution's ARN (CloudFront Developer
        // Guide, "Restrict access to an Amazon S3 origin", private-content-restricting-access-to-s3.html).
        it("reads the bucket through Origin Access Control, signing every request", () => {
            const oac = onlyResourceOfType(run, TYPES.originAccessControl);
            assert.deepEqual(
                [oac.inputs.originAccessControlOriginType, oac.inputs.signingBehavior, oac.inputs.signingProtocol],
                ["s3", "always", "sigv4"],
            );
            const site = distributionOf(run).inputs.origins.find((o: any) => o.originId === "site");
            assert.deepEqual(site, {
                originId: "site",
                domainName: onlyResourceOfType(run, TYPES.bucket).state.bucketRegionalDomainName,
                originAccessControlId: oac.id,
            });
        });

        // S3.5 (s3-bucket-ssl-requests-only) asks for an explicit Deny on aws:SecureTransport false for
        // every principal and action (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule).
        it("lets only this distribution read the bucket's objects, and refuses any request without TLS", () => {
            const bucket = onlyResourceOfType(run, TYPES.bucket);
            const policy = onlyResourceOfType(run, TYPES.bucketPolicy).inputs;
            assert.equal(policy.bucket, bucket.id);
            assert.deepEqual(JSON.parse(policy.policy).Statement, [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                {
                    Sid: "AllowCloudFrontServicePrincipalReadOnly",
                    Effect: "Allow",
                    Principal: { Service: "cloudfront.amazonaws.com" },
                    Action: "s3:GetObject",
                    Resource: `${bucket.state.arn}/*`,
                    Condition: { StringEquals: { "AWS:SourceArn": distributionOf(run).state.arn } },
                },
            ]);
        });

        it("reaches the API at the given host and origin path, over HTTPS with TLS 1.2", () => {
            const api = distributionOf(run).inputs.origins.find((o: any) => o.originId === "api");
            assert.deepEqual(api, {
                originId: "api",
                domainName: API_HOST,
                originPath: "/prod",
                customOriginConfig: {
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: "https-only",
                    originSslProtocols: ["TLSv1.2"],
                },
            });
        });

        // `/api/*` does not match `/api` itself (CloudFront Developer Guide, "Path pattern",
        // DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern), so both are listed.
        it("sends <apiPath> and <apiPath>/* to the API, in that order, ahead of the default", () => {
            const behaviors = distributionOf(run).inputs.orderedCacheBehaviors;
            assert.deepEqual(
                behaviors.map((b: any) => [b.pathPattern, b.targetOriginId]),
                [
                    ["/api", "api"],
                    ["/api/*", "api"],
                ],
            );
        });

        it("passes every method to the API over HTTPS only, never cached nor compressed, without functions", () => {
            for (const behavior of distributionOf(run).inputs.orderedCacheBehaviors) {
                assert.deepEqual(behavior.allowedMethods, ALL_METHODS);
                assert.deepEqual(behavior.cachedMethods, READ_METHODS);
                assert.equal(behavior.viewerProtocolPolicy, "https-only", "a redirect would drop a POST's body");
                assert.equal(behavior.compress, false);
                assert.equal(behavior.functionAssociations, undefined, "the SPA function must not see API paths");
                assert.deepEqual(behavior.lambdaFunctionAssociations, []);
                assert.equal(behavior.forwardedValues, undefined, "managed policies, not legacy forwarded values");
            }
        });

        it("uses CachingDisabled and AllViewerExceptHostHeader: Authorization reaches the API, Host does not", () => {
            for (const behavior of distributionOf(run).inputs.orderedCacheBehaviors) {
                assert.equal(behavior.cachePolicyId, CACHE_POLICIES.CachingDisabled.id);
                assert.equal(behavior.originRequestPolicyId, ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id);
                const cache = managedCachePolicy(behavior.cachePolicyId)!.settings;
                const originRequest = managedOriginRequestPolicy(behavior.originRequestPolicyId)!.settings;
                for (const method of ALL_METHODS) {
                    assert.ok(authorizationForwarded(cache, originRequest, method, behavior.cachedMethods), method);
                }
                assert.equal(forwardsViewerHeader(cache, originRequest, "host"), false);
                assert.equal(forwardsViewerHeader(cache, originRequest, "x-amz-date"), true);
            }
        });

        it("serves the site by default: cached, compressed, with security headers, redirecting HTTP to HTTPS", () => {
            const behavior = distributionOf(run).inputs.defaultCacheBehavior;
            assert.equal(behavior.targetOriginId, "site");
            assert.equal(behavior.viewerProtocolPolicy, "redirect-to-https");
            assert.deepEqual(behavior.allowedMethods, READ_METHODS);
            assert.equal(behavior.compress, true);
            assert.equal(behavior.cachePolicyId, CACHE_POLICIES.CachingOptimized.id);
            assert.equal(behavior.responseHeadersPolicyId, RESPONSE_HEADERS_POLICIES.SecurityHeadersPolicy.id);
            assert.equal(behavior.lambdaFunctionAssociations, undefined);
        });

        // Custom error responses are a setting of the whole distribution, not of a behavior
        // (DistributionConfig.CustomErrorResponses, CloudFront API reference; Developer Guide, "Custom
        // error pages and error caching", DownloadDistValuesErrorPages.html): mapping 404 to /index.html
        // would turn the API's own 404s into the app. The SPA function serves deep links instead.
        it("runs the SPA function on viewer requests of the site only, with no custom error responses", () => {
            const distribution = distributionOf(run).inputs;
            const [association, ...others] = distribution.defaultCacheBehavior.functionAssociations;
            assert.deepEqual(others, []);
            assert.equal(association.eventType, "viewer-request");
            assert.equal(cloudFrontFunctionByArn(run, association.functionArn)?.name, "site-spa-rewrite");
            assert.equal(distribution.customErrorResponses, undefined);
            assert.equal(distribution.defaultRootObject, "index.html");
        });

        it("publishes the SPA function for cloudfront-js-2.0, under CloudFront's 10 KB code limit", () => {
            const spa = named(run, "site-spa-rewrite").inputs;
            assert.equal(spa.runtime, "cloudfront-js-2.0");
            assert.equal(spa.publish, true);
            assert.ok(Buffer.byteLength(spa.code) <= 10 * 1024, `${Buffer.byteLength(spa.code)} bytes`);
        });

        for (const [uri, expected, why] of [
            ["/index.html", "/index.html", "a file of the build"],
            ["/assets/main-3FJ2K4QZ.js", "/assets/main-3FJ2K4QZ.js", "an asset of the build"],
            ["/favicon.svg", "/favicon.svg", "a file at the root"],
            ["/config.json", "/config.json", "the runtime config the stack uploads next to the site"],
            ["/", "/index.html", "the root"],
            ["/orders/42", "/index.html", "a route of the app"],
            ["/users/john.doe", "/index.html", "a route whose last segment has a dot"],
            ["/favicon.png", "/index.html", "a name the build does not have, outside the asset folder"],
        ] as const) {
            it(`deploys an SPA function that maps ${uri} to ${expected} (${why})`, () => {
                assert.equal(runViewerRequestFunction(named(run, "site-spa-rewrite").inputs.code, uri).uri, expected);
            });
        }

        it("deploys an SPA function that answers a missing asset with a 404, never the app", () => {
            const response = runViewerRequestFunction(
                named(run, "site-spa-rewrite").inputs.code,
                "/assets/main-OLDHASH1.js",
            );
            assert.equal(response.statusCode, 404);
            assert.equal(response.uri, undefined);
        });

        it("uploads each built file with its content type and cache headers", () => {
            const bucket = onlyResourceOfType(run, TYPES.bucket);
            for (const file of SITE_FILES) {
                const object = objectsOf(run).find((o) => o.inputs.key === file.key);
                assert.deepEqual(object?.inputs, {
                    bucket: bucket.id,
                    key: file.key,
                    source: { kind: "file", path: file.absolutePath },
                    contentType: file.contentType,
                    cacheControl: file.cacheControl,
                });
            }
        });

        it("uploads the site's files and nothing else (config.json is the RuntimeConfig's)", () => {
            assert.deepEqual(
                objectsOf(run)
                    .map((o) => o.inputs.key)
                    .sort(),
                ["assets/main-3FJ2K4QZ.js", "favicon.svg", "index.html"],
            );
        });

        it("enables the distribution with IPv6, HTTP/2 and 3, the given price class and CloudFront's certificate", () => {
            const distribution = distributionOf(run).inputs;
            assert.equal(distribution.enabled, true);
            assert.equal(distribution.isIpv6Enabled, true);
            assert.equal(distribution.httpVersion, "http2and3");
            assert.equal(distribution.priceClass, "PriceClass_200");
            assert.deepEqual(distribution.viewerCertificate, { cloudfrontDefaultCertificate: true });
        });

        // Only standard logging (legacy), to an S3 bucket, passes Security Hub's CloudFront.5
        // (Config rule cloudfront-accesslogs-enabled, cloudfront-accesslogs-enabled.html).
        it("writes CloudFront's standard logs (legacy) to the log bucket under its prefix, without cookies", () => {
            assert.deepEqual(distributionOf(run).inputs.loggingConfig, {
                bucket: `${LOG_BUCKET}.s3.amazonaws.com`,
                prefix: "cdn-logs/",
                includeCookies: false,
            });
        });

        it("sends the site bucket's S3 server access logs to the log bucket under their prefix", () => {
            const logging = onlyResourceOfType(run, TYPES.bucketLogging);
            assert.deepEqual(logging.inputs, {
                bucket: onlyResourceOfType(run, TYPES.bucket).id,
                targetBucket: LOG_BUCKET,
                targetPrefix: "access/site/",
            });
            assert.equal(logging.name, "site-access-logs");
        });

        it("has no web ACL unless given one", () => {
            assert.equal(distributionOf(run).inputs.webAclId, undefined);
        });

        it("reports the site's URL, the distribution id and the bucket's name and ARN", () => {
            const distribution = distributionOf(run);
            const bucket = onlyResourceOfType(run, TYPES.bucket);
            assert.deepEqual(run.outputs, {
                url: `https://${distribution.state.domainName}`,
                distributionId: distribution.id,
                distributionDomainName: distribution.state.domainName,
                bucketName: bucket.state.bucket,
                bucketArn: bucket.state.arn,
            });
            assert.match(String(run.outputs.url), /^https:\/\/d[0-9a-f]+\.cloudfront\.net$/);
        });
    });

    describe("preview", () => {
        let run: ComponentRun<SiteDistribution>;
        before(async () => {
            run = await runSite({}, true);
        });

        it("cannot know the distribution's URL and id, nor the ARNs the bucket policy and the association name", () => {
            assert.equal(run.outputs.url, UNKNOWN);
            assert.equal(run.outputs.distributionId, UNKNOWN);
            assert.equal(onlyResourceOfType(run, TYPES.bucketPolicy).inputs.policy, UNKNOWN);
            const [association] = distributionOf(run).inputs.defaultCacheBehavior.functionAssociations;
            assert.equal(association.functionArn, UNKNOWN);
        });

        it("knows what comes from its arguments: the behaviors, the API origin and the logging config", () => {
            const distribution = distributionOf(run).inputs;
            assert.deepEqual(distribution.loggingConfig, {
                bucket: `${LOG_BUCKET}.s3.amazonaws.com`,
                prefix: "cdn-logs/",
                includeCookies: false,
            });
            assert.deepEqual(
                distribution.orderedCacheBehaviors.map((b: any) => b.pathPattern),
                ["/api", "/api/*"],
            );
            assert.equal(distribution.origins.find((o: any) => o.originId === "api").domainName, API_HOST);
        });
    });

    describe("with an edge rewriter", () => {
        it("runs it on origin requests of both API behaviors, without the body, and nowhere else", async () => {
            const run = await runSite({ edgeRewriterArn: EDGE_ARN });
            const distribution = distributionOf(run).inputs;
            for (const behavior of distribution.orderedCacheBehaviors) {
                assert.deepEqual(behavior.lambdaFunctionAssociations, [
                    { eventType: "origin-request", lambdaArn: EDGE_ARN, includeBody: false },
                ]);
            }
            assert.equal(distribution.defaultCacheBehavior.lambdaFunctionAssociations, undefined);
        });
    });

    describe("with a web ACL", () => {
        it("names the web ACL by its ARN in the distribution's webAclId", async () => {
            const run = await runSite({ webAclId: WEB_ACL_ARN });
            assert.equal(distributionOf(run).inputs.webAclId, WEB_ACL_ARN);
        });
    });

    describe("with another API path and an API at its custom domain's root", () => {
        it("sends that path and below to the API with an empty origin path", async () => {
            const run = await runSite({
                apiPath: "/backend/v2",
                apiOrigin: { domainName: "api.example.org", originPath: "" },
            });
            const distribution = distributionOf(run).inputs;
            assert.deepEqual(
                distribution.orderedCacheBehaviors.map((b: any) => b.pathPattern),
                ["/backend/v2", "/backend/v2/*"],
            );
            const api = distribution.origins.find((o: any) => o.originId === "api");
            assert.deepEqual([api.domainName, api.originPath], ["api.example.org", ""]);
        });
    });

    describe("with custom headers for the API origin", () => {
        it("adds them to the API origin only, a secret value keeping the distribution's origins secret", async () => {
            const run = await runSite({
                apiOrigin: {
                    domainName: API_HOST,
                    originPath: "/prod",
                    customHeaders: [{ name: "x-api-key", value: pulumi.secret("origin-secret-value") }],
                },
            });
            const distribution = distributionOf(run);
            const [site, api] = ["site", "api"].map((id) =>
                distribution.inputs.origins.find((o: any) => o.originId === id),
            );
            assert.deepEqual(api.customHeaders, [{ name: "x-api-key", value: "origin-secret-value" }]);
            assert.equal(site.customHeaders, undefined);
            assert.deepEqual(distribution.secretInputs, ["origins"]);
            const plain = await runSite();
            assert.deepEqual(distributionOf(plain).secretInputs, [], "nothing secret without them");
        });
    });

    describe("refusals", () => {
        it("refuses a site build that contains config.json, which the stack writes itself", async () => {
            const { error } = await siteError({
                siteFiles: [
                    ...SITE_FILES,
                    {
                        key: "config.json",
                        absolutePath: "/build/config.json",
                        contentType: "application/json",
                        cacheControl: "no-cache",
                    },
                ],
            });
            assert.equal(
                error.message,
                "The site build contains config.json, which the stack writes from its outputs; remove it from site/",
            );
        });

        it("refuses a site whose file list makes the SPA function exceed 10 KB, before creating the function", async () => {
            const many: SiteFile[] = Array.from({ length: 1000 }, (_, i) => ({
                key: `assets/chunk-${String(i).padStart(8, "0")}.js`,
                absolutePath: `/build/assets/chunk-${i}.js`,
                contentType: "text/javascript; charset=utf-8",
                cacheControl: "public, max-age=31536000, immutable",
            }));
            const { error, failure } = await siteError({ siteFiles: many });
            assert.match(
                error.message,
                /^The CloudFront Function "same-origin: serve the app for its routes, 404 for missing assets" is \d+ bytes; CloudFront Functions take at most 10240\. Fix: the site's 1000 file names are compiled in/,
            );
            assert.deepEqual(
                failure.resources.filter((r) => r.type === TYPES.cloudFrontFunction || r.type === TYPES.distribution),
                [],
            );
        });
    });

    describe("with backends, the CloudFront Function rewriter and partner CORS", () => {
        const PARTNER = "https://partner.example.com";
        let run: ComponentRun<SiteDistribution>;
        before(async () => {
            run = await runSite({
                stripApiPath: true,
                backends: [
                    { path: "/billing", url: "https://billing.example.net/prod", stripPath: true },
                    { path: "/v2/orders", url: "https://orders.example.org", stripPath: false },
                ],
                cors: {
                    allowOrigins: [PARTNER],
                    allowCredentials: true,
                    allowHeaders: ["authorization", "content-type"],
                    exposeHeaders: ["x-request-id"],
                    maxAgeSeconds: 600,
                },
            });
        });
        const behavior = (pattern: string) =>
            distributionOf(run).inputs.orderedCacheBehaviors.find((b: any) => b.pathPattern === pattern);
        const functionCode = (pattern: string) =>
            cloudFrontFunctionByArn(run, behavior(pattern).functionAssociations[0].functionArn)!.inputs.code;

        it("adds each backend as an HTTPS-only origin: its URL's host, its path as the origin path", () => {
            const origins = distributionOf(run).inputs.origins.filter((o: any) => o.originId.startsWith("backend-"));
            const https = {
                httpPort: 80,
                httpsPort: 443,
                originProtocolPolicy: "https-only",
                originSslProtocols: ["TLSv1.2"],
            };
            assert.deepEqual(origins, [
                {
                    originId: "backend-billing",
                    domainName: "billing.example.net",
                    originPath: "/prod",
                    customOriginConfig: https,
                },
                {
                    originId: "backend-v2-orders",
                    domainName: "orders.example.org",
                    originPath: "",
                    customOriginConfig: https,
                },
            ]);
        });

        it("gives each backend the behaviors <path> and <path>/* with the API's policies, after the API's", () => {
            assert.deepEqual(
                distributionOf(run).inputs.orderedCacheBehaviors.map((b: any) => [b.pathPattern, b.targetOriginId]),
                [
                    ["/api", "api"],
                    ["/api/*", "api"],
                    ["/billing", "backend-billing"],
                    ["/billing/*", "backend-billing"],
                    ["/v2/orders", "backend-v2-orders"],
                    ["/v2/orders/*", "backend-v2-orders"],
                ],
            );
            const api = behavior("/api/*");
            for (const pattern of ["/billing", "/billing/*", "/v2/orders", "/v2/orders/*"]) {
                const b = behavior(pattern);
                for (const key of [
                    "allowedMethods",
                    "cachedMethods",
                    "viewerProtocolPolicy",
                    "cachePolicyId",
                    "originRequestPolicyId",
                    "compress",
                    "responseHeadersPolicyId",
                ]) {
                    assert.deepEqual(b[key], api[key], `${pattern} ${key}`);
                }
                assert.deepEqual(b.lambdaFunctionAssociations, [], pattern);
            }
            assert.equal(api.cachePolicyId, CACHE_POLICIES.CachingDisabled.id);
            assert.equal(api.originRequestPolicyId, ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id);
        });

        it("runs one viewer-request function per proxied path, on both of its behaviors", () => {
            const functions = resourcesOfType(run, TYPES.cloudFrontFunction)
                .map((f) => f.name)
                .sort();
            assert.deepEqual(functions, [
                "site-api-request",
                "site-backend-billing-request",
                "site-backend-v2-orders-request",
                "site-spa-rewrite",
            ]);
            for (const prefix of ["/api", "/billing", "/v2/orders"]) {
                assert.deepEqual(behavior(prefix).functionAssociations, behavior(`${prefix}/*`).functionAssociations);
                assert.equal(behavior(prefix).functionAssociations[0].eventType, "viewer-request");
            }
        });

        it("strips the API's prefix and a stripPath backend's, and leaves the other backend's path alone", () => {
            assert.equal(runViewerRequestFunction(functionCode("/api/*"), "/api/orders/42").uri, "/orders/42");
            assert.equal(runViewerRequestFunction(functionCode("/billing/*"), "/billing/invoices").uri, "/invoices");
            assert.equal(runViewerRequestFunction(functionCode("/v2/orders/*"), "/v2/orders/7").uri, "/v2/orders/7");
        });

        it("answers an allowed origin's preflight at the edge on every proxied path, and refuses a foreign one", () => {
            const preflight = (uri: string, origin: string) => ({
                method: "OPTIONS",
                uri,
                headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
            });
            for (const pattern of ["/api/*", "/billing/*", "/v2/orders/*"]) {
                const uri = `${pattern.slice(0, -2)}/x`;
                const allowed = runViewerRequestFunction(functionCode(pattern), preflight(uri, PARTNER));
                assert.equal(allowed.statusCode, 204, pattern);
                assert.equal(allowed.headers["access-control-allow-origin"].value, PARTNER);
                assert.equal(allowed.headers["access-control-allow-credentials"].value, "true");
                assert.equal(
                    runViewerRequestFunction(functionCode(pattern), preflight(uri, "https://evil.example")).statusCode,
                    403,
                );
            }
        });

        it("puts one CORS response headers policy on every proxied behavior, not on the site's", () => {
            const policy = onlyResourceOfType(run, TYPES.responseHeadersPolicy);
            assert.deepEqual(policy.inputs.corsConfig, {
                accessControlAllowOrigins: { items: [PARTNER] },
                accessControlAllowCredentials: true,
                accessControlAllowMethods: { items: ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"] },
                accessControlAllowHeaders: { items: ["authorization", "content-type"] },
                accessControlExposeHeaders: { items: ["x-request-id"] },
                accessControlMaxAgeSec: 600,
                originOverride: true,
            });
            for (const b of distributionOf(run).inputs.orderedCacheBehaviors) {
                assert.equal(b.responseHeadersPolicyId, policy.id, b.pathPattern);
            }
            assert.equal(
                distributionOf(run).inputs.defaultCacheBehavior.responseHeadersPolicyId,
                RESPONSE_HEADERS_POLICIES.SecurityHeadersPolicy.id,
            );
        });

        it("leaves a backend without stripPath or CORS with no function at all", async () => {
            const plain = await runSite({
                backends: [{ path: "/billing", url: "https://b.example.net", stripPath: false }],
            });
            const billing = distributionOf(plain).inputs.orderedCacheBehaviors.filter(
                (b: any) => b.targetOriginId === "backend-billing",
            );
            assert.equal(billing.length, 2);
            for (const b of billing) {
                assert.equal(b.functionAssociations, undefined);
                assert.equal(b.responseHeadersPolicyId, undefined);
            }
            assert.deepEqual(resourcesOfType(plain, TYPES.responseHeadersPolicy), []);
        });
    });

    describe("on its own domain", () => {
        const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
        const ZONE = "Z0123456789ABCDEFGHIJ";
        let run: ComponentRun<SiteDistribution>;
        before(async () => {
            run = await runSite({
                domain: { domainName: "www.example.com", certificateArn: CERTIFICATE, zoneId: ZONE },
            });
        });

        it("serves the domain as an alias with its certificate, SNI only, TLS 1.2 (2021) at least", () => {
            const inputs = distributionOf(run).inputs;
            assert.deepEqual(inputs.aliases, ["www.example.com"]);
            assert.deepEqual(inputs.viewerCertificate, {
                acmCertificateArn: CERTIFICATE,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            });
        });

        it("points A and AAAA alias records in the zone at the distribution", () => {
            const distribution = distributionOf(run);
            const records = resourcesOfType(run, TYPES.record).map((r) => r.inputs);
            assert.deepEqual(
                records.map((r) => [r.type, r.zoneId, r.name, r.aliases]),
                ["A", "AAAA"].map((type) => [
                    type,
                    ZONE,
                    "www.example.com",
                    [{ name: distribution.state.domainName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
                ]),
            );
        });

        it("hands out the domain's URL, and the distribution's own host for DNS managed elsewhere", () => {
            assert.equal(run.outputs.url, "https://www.example.com");
            assert.equal(run.outputs.distributionDomainName, distributionOf(run).state.domainName);
        });

        it("creates no record without a zone", async () => {
            const elsewhere = await runSite({ domain: { domainName: "www.example.com", certificateArn: CERTIFICATE } });
            assert.deepEqual(resourcesOfType(elsewhere, TYPES.record), []);
            assert.equal(elsewhere.outputs.url, "https://www.example.com");
        });
    });
});
