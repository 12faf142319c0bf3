import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES } from "../core/cloudfront-policies";
import { strict as assert } from "node:assert";
import * as vm from "node:vm";
import { bundleLambda } from "../infra/bundle";
import { tokenAuthorizerEntry } from "../infra/token-authorizer";
import { EDGE_REGION } from "../core/cloudfront";
import { edgeRewriterEntry } from "../infra/edge-path-rewriter";
import { FrontendConfig } from "../core/frontend-config";
import { ALL_METHODS, READ_METHODS } from "../core/cloudfront";
import { buildSite } from "../site/build";
import {
    CapturedAsset,
    CapturedResource,
    CapturedStack,
    captureStack,
    ProgramError,
    UNKNOWN,
} from "../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../capture/lookups";
import { TYPES as T } from "../capture/types";

const CUSTOM_DOMAIN = JSON.stringify({ domainName: "api.example.com", hostedZoneName: "example.com", basePath: "v1" });
const GIVEN_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";

interface Scenario {
    readonly title: string;
    readonly config: Record<string, string>;
    readonly apiPath: string;
    readonly stageName: string;
    readonly basePath: string;
    readonly originPath: string;
    readonly customDomain?: { readonly domainName: string; readonly zone: boolean };
    readonly rewriter: boolean;
    readonly authorizerCacheTtl: number;
    readonly pathPrefix: string;
}

/** The program's configurations: Pulumi.dev.yaml (stage "dev") plus overrides. */
const SCENARIOS: Scenario[] = [
    {
        title: "default config (direct-stage, no rewriter)",
        config: {},
        apiPath: "/api",
        stageName: "dev",
        basePath: "/api",
        originPath: "/dev",
        rewriter: false,
        authorizerCacheTtl: 0,
        pathPrefix: "/dev/api",
    },
    {
        title: "custom-domain mode (zone, base path v1)",
        config: { proxyMode: "custom-domain", customDomain: CUSTOM_DOMAIN, authorizerCacheTtl: "300" },
        apiPath: "/api",
        stageName: "dev",
        basePath: "/api",
        originPath: "/v1",
        customDomain: { domainName: "api.example.com", zone: true },
        rewriter: false,
        authorizerCacheTtl: 300,
        pathPrefix: "/v1/api",
    },
    {
        title: "custom-domain mode (given certificate, no zone, no base path)",
        config: {
            proxyMode: "custom-domain",
            customDomain: JSON.stringify({ domainName: "api.example.org", certificateArn: GIVEN_CERTIFICATE }),
        },
        apiPath: "/api",
        stageName: "dev",
        basePath: "/api",
        originPath: "",
        customDomain: { domainName: "api.example.org", zone: false },
        rewriter: false,
        authorizerCacheTtl: 0,
        pathPrefix: "/api",
    },
    {
        title: "lambda-edge rewriter",
        config: { pathRewriter: "lambda-edge", apiPath: "/backend", stageName: "live" },
        apiPath: "/backend",
        stageName: "live",
        basePath: "",
        originPath: "/live",
        rewriter: true,
        authorizerCacheTtl: 0,
        pathPrefix: "/live",
    },
    {
        title: "custom-domain mode with the lambda-edge rewriter",
        config: { proxyMode: "custom-domain", customDomain: CUSTOM_DOMAIN, pathRewriter: "lambda-edge" },
        apiPath: "/api",
        stageName: "dev",
        basePath: "",
        originPath: "/v1",
        customDomain: { domainName: "api.example.com", zone: true },
        rewriter: true,
        authorizerCacheTtl: 0,
        pathPrefix: "/v1",
    },
];

/** The routes the issue asks for, written out rather than computed by the code under test. */
function expectedRoutes(basePath: string): { path: string; auth: "none" | "token" | "iam" }[] {
    assert.ok(basePath === "/api" || basePath === "", `no expected routes written for base path "${basePath}"`);
    return basePath === "/api"
        ? [
              { path: "/api/{proxy+}", auth: "none" },
              { path: "/api/authorized", auth: "token" },
              { path: "/api/authorized/{proxy+}", auth: "token" },
              { path: "/api/iam", auth: "iam" },
              { path: "/api/iam/{proxy+}", auth: "iam" },
          ]
        : [
              { path: "/{proxy+}", auth: "none" },
              { path: "/authorized", auth: "token" },
              { path: "/authorized/{proxy+}", auth: "token" },
              { path: "/iam", auth: "iam" },
              { path: "/iam/{proxy+}", auth: "iam" },
          ];
}

/** Every string inside a value, with its path, for scanning inputs. */
function* strings(value: unknown, at = ""): Generator<[string, string]> {
    if (typeof value === "string") {
        yield [at, value];
    } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) yield* strings(v, `${at}[${i}]`);
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) yield* strings(v, `${at}.${k}`);
    }
}

function archiveText(code: CapturedAsset, file = "index.js"): string {
    assert.equal(code.kind, "archive");
    const asset = (code as Extract<CapturedAsset, { kind: "archive" }>).assets[file];
    assert.ok(asset && asset.kind === "string", `archive lacks ${file}`);
    return (asset as Extract<CapturedAsset, { kind: "string" }>).text;
}

const byName = (stack: CapturedStack, name: string): CapturedResource => {
    const found = stack.resources.find((r) => r.name === name && r.custom);
    assert.ok(found, `no resource named ${name}; have ${stack.resources.map((r) => r.name).join(", ")}`);
    return found;
};

const lambdaByName = (stack: CapturedStack, name: string) =>
    resourcesOfType(stack, T.lambdaFunction).find((r) => r.name === name) ?? assert.fail(`no function ${name}`);

for (const scenario of SCENARIOS) {
    for (const preview of [false, true]) {
        describe(`infrastructure: ${scenario.title}, ${preview ? "preview" : "up"}`, function () {
            let stack: CapturedStack;
            let distribution: CapturedResource;
            before(async () => {
                stack = await captureStack({ stack: "dev", config: scenario.config, preview });
                distribution = onlyResourceOfType(stack, T.distribution);
            });

            /** A value derived from an attribute AWS computes: known in `up`, unknown in preview. */
            const computed = (value: unknown, expected: unknown) => {
                if (preview) {
                    assert.equal(value, UNKNOWN);
                } else {
                    assert.deepEqual(value, expected);
                }
            };

            it("declares one component per concern with the project's type tokens", () => {
                const components = stack.resources
                    .filter((r) => !r.custom && r.type.startsWith("same-origin:"))
                    .map((r) => `${r.type} ${r.name}`)
                    .sort();
                const expected = [
                    "same-origin:api:Api api",
                    "same-origin:token-authorizer:TokenAuthorizer authorizer",
                    "same-origin:site-distribution:SiteDistribution site",
                    ...(scenario.customDomain ? ["same-origin:api-custom-domain:ApiCustomDomain api-domain"] : []),
                    ...(scenario.rewriter ? ["same-origin:edge-path-rewriter:EdgePathRewriter edge-rewriter"] : []),
                ].sort();
                assert.deepEqual(components, expected);
            });

            it("names every resource after its component and parents it there", () => {
                const roots = ["api", "authorizer", "site", "api-domain", "edge-rewriter"];
                for (const r of stack.resources) {
                    assert.ok(
                        roots.some((root) => r.name === root || r.name.startsWith(`${root}-`)),
                        `${r.type} ${r.name}`,
                    );
                    if (r.custom) {
                        // The mock's URNs name the parent's type; awsx's API is itself a child of the Api component.
                        assert.match(
                            r.urn,
                            /::(same-origin:[a-z-]+:[A-Za-z]+|aws:apigateway:x:API)\$/,
                            `${r.name} is not inside a component: ${r.urn}`,
                        );
                    }
                }
            });

            it("leaves no undefined or unresolved value in any input", () => {
                for (const r of stack.resources) {
                    for (const [at, text] of strings(r.inputs)) {
                        assert.doesNotMatch(
                            text,
                            /undefined|\[object Object\]|Calling \[toString\]/,
                            `${r.type} ${r.name}${at}: ${text}`,
                        );
                    }
                }
            });

            it("keeps the site bucket private and readable only by this distribution", () => {
                const bucket = onlyResourceOfType(stack, T.bucket);
                const block = onlyResourceOfType(stack, T.bucketPublicAccessBlock).inputs;
                computed(block.bucket, bucket.id);
                assert.deepEqual(
                    [
                        block.blockPublicAcls,
                        block.blockPublicPolicy,
                        block.ignorePublicAcls,
                        block.restrictPublicBuckets,
                    ],
                    [true, true, true, true],
                );
                assert.equal(onlyResourceOfType(stack, T.ownership).inputs.rule.objectOwnership, "BucketOwnerEnforced");
                const oac = onlyResourceOfType(stack, T.originAccessControl).inputs;
                assert.deepEqual(
                    [oac.originAccessControlOriginType, oac.signingBehavior, oac.signingProtocol],
                    ["s3", "always", "sigv4"],
                );
                const policy = onlyResourceOfType(stack, T.bucketPolicy).inputs.policy;
                if (preview) {
                    assert.equal(policy, UNKNOWN);
                    return;
                }
                assert.deepEqual(JSON.parse(policy).Statement, [
                    {
                        Sid: "AllowCloudFrontServicePrincipalReadOnly",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: `${bucket.state.arn}/*`,
                        Condition: { StringEquals: { "AWS:SourceArn": distribution.state.arn } },
                    },
                ]);
            });

            it("serves the site from S3 through Origin Access Control", () => {
                const site = distribution.inputs.origins.find((o: any) => o.originId === "site");
                computed(site.domainName, onlyResourceOfType(stack, T.bucket).state.bucketRegionalDomainName);
                computed(site.originAccessControlId, onlyResourceOfType(stack, T.originAccessControl).id);
                assert.equal(site.s3OriginConfig, undefined, "no legacy origin access identity");
                assert.equal(site.customOriginConfig, undefined);
            });

            it("sends the API behavior to the right origin and origin path", () => {
                const api = distribution.inputs.origins.find((o: any) => o.originId === "api");
                assert.equal(api.originPath, scenario.originPath);
                assert.deepEqual(api.customOriginConfig, {
                    httpPort: 80,
                    httpsPort: 443,
                    originProtocolPolicy: "https-only",
                    originSslProtocols: ["TLSv1.2"],
                });
                if (scenario.customDomain) {
                    assert.equal(
                        api.domainName,
                        scenario.customDomain.domainName,
                        "known from config, even in preview",
                    );
                } else {
                    const restApiId = onlyResourceOfType(stack, T.restApi).id;
                    computed(api.domainName, `${restApiId}.execute-api.eu-west-1.amazonaws.com`);
                }
                assert.equal(distribution.inputs.origins.length, 2);
            });

            it("declares the API behaviors (the prefix and below): all methods, no caching, no Host, HTTPS only", () => {
                const behaviors = distribution.inputs.orderedCacheBehaviors;
                assert.deepEqual(
                    behaviors.map((b: any) => b.pathPattern),
                    [scenario.apiPath, `${scenario.apiPath}/*`],
                );
                assert.deepEqual(behaviors[0], { ...behaviors[1], pathPattern: scenario.apiPath });
                const behavior = behaviors[1];
                assert.equal(behavior.targetOriginId, "api");
                assert.deepEqual(behavior.allowedMethods, ALL_METHODS);
                assert.deepEqual(behavior.cachedMethods, READ_METHODS);
                assert.equal(behavior.cachePolicyId, CACHE_POLICIES.CachingDisabled.id);
                assert.equal(behavior.originRequestPolicyId, ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id);
                assert.equal(behavior.viewerProtocolPolicy, "https-only");
                assert.equal(behavior.forwardedValues, undefined, "no legacy forwarded values");
                assert.equal(behavior.functionAssociations, undefined, "the SPA rewrite must not touch API paths");
            });

            it("runs the edge rewriter on the API behaviors only, by qualified ARN", () => {
                const associations = distribution.inputs.orderedCacheBehaviors[1].lambdaFunctionAssociations ?? [];
                assert.equal(distribution.inputs.defaultCacheBehavior.lambdaFunctionAssociations, undefined);
                if (!scenario.rewriter) {
                    assert.deepEqual(associations, []);
                    return;
                }
                const edge = lambdaByName(stack, "edge-rewriter-function");
                assert.equal(associations.length, 1);
                assert.equal(associations[0].eventType, "origin-request");
                assert.equal(associations[0].includeBody, false);
                computed(associations[0].lambdaArn, edge.state.qualifiedArn);
                if (!preview) {
                    assert.match(associations[0].lambdaArn, /^arn:aws:lambda:us-east-1:\d{12}:function:[\w-]+:\d+$/);
                }
            });

            it("serves the SPA with deep links through a viewer-request function, not custom error responses", () => {
                const behavior = distribution.inputs.defaultCacheBehavior;
                assert.equal(behavior.targetOriginId, "site");
                assert.equal(behavior.viewerProtocolPolicy, "redirect-to-https");
                assert.equal(behavior.compress, true);
                assert.equal(behavior.cachePolicyId, CACHE_POLICIES.CachingOptimized.id);
                assert.deepEqual(behavior.allowedMethods, READ_METHODS);
                const spa = onlyResourceOfType(stack, T.cloudFrontFunction);
                assert.equal(spa.inputs.runtime, "cloudfront-js-2.0");
                assert.equal(spa.inputs.publish, true);
                // The deployed code knows the uploaded files: each is served as it is, a route gets the app.
                const route = (uri: string) => {
                    const context = vm.createContext({});
                    vm.runInContext(spa.inputs.code, context);
                    return context.handler({ request: { uri } });
                };
                const uploaded = resourcesOfType(stack, T.bucketObject).map((o) => `/${o.inputs.key}`);
                assert.ok(uploaded.some((key) => key.startsWith("/assets/")));
                for (const key of uploaded) {
                    assert.equal(route(key).uri, key);
                }
                assert.equal(route("/users/john.doe").uri, "/index.html");
                assert.equal(route("/assets/missing.js").statusCode, 404);
                assert.equal(behavior.functionAssociations.length, 1);
                assert.equal(behavior.functionAssociations[0].eventType, "viewer-request");
                computed(behavior.functionAssociations[0].functionArn, spa.state.arn);
                assert.equal(distribution.inputs.customErrorResponses, undefined);
                assert.equal(distribution.inputs.defaultRootObject, "index.html");
                assert.equal(distribution.inputs.priceClass, "PriceClass_100");
                assert.equal(distribution.inputs.enabled, true);
                assert.deepEqual(distribution.inputs.viewerCertificate, { cloudfrontDefaultCertificate: true });
            });

            it("creates a REGIONAL REST API whose routes match apiPath and the rewriter", () => {
                const restApi = onlyResourceOfType(stack, T.restApi);
                assert.deepEqual(restApi.inputs.endpointConfiguration, { types: "REGIONAL" });
                assert.equal(onlyResourceOfType(stack, T.stage).inputs.stageName, scenario.stageName);
                if (preview) {
                    return; // The body embeds function ARNs, unknown until the functions exist.
                }
                const body = JSON.parse(restApi.inputs.body);
                const expected = expectedRoutes(scenario.basePath);
                assert.deepEqual(Object.keys(body.paths).sort(), expected.map((r) => r.path).sort());
                for (const path of Object.keys(body.paths)) {
                    assert.ok(path === scenario.basePath || path.startsWith(`${scenario.basePath}/`), path);
                }
                const echoArn = lambdaByName(stack, "api-echo").state.arn;
                for (const route of expected) {
                    const operation = body.paths[route.path]["x-amazon-apigateway-any-method"];
                    assert.equal(operation["x-amazon-apigateway-integration"].type, "aws_proxy");
                    assert.equal(
                        operation["x-amazon-apigateway-integration"].uri,
                        `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${echoArn}/invocations`,
                    );
                    assert.deepEqual(
                        operation["x-amazon-apigateway-auth"],
                        route.auth === "iam" ? { type: "AWS_IAM" } : undefined,
                        route.path,
                    );
                    assert.deepEqual(
                        operation.security,
                        route.auth === "token" ? [{ "api-token": [] }] : undefined,
                        route.path,
                    );
                }
                const authorizer = body.securityDefinitions["api-token"];
                // A TOKEN authorizer's identity source is the security definition's header name.
                assert.equal(authorizer.name, "Authorization");
                assert.equal(authorizer.in, "header");
                assert.equal(authorizer["x-amazon-apigateway-authorizer"].type, "token");
                assert.equal(
                    authorizer["x-amazon-apigateway-authorizer"].authorizerResultTtlInSeconds,
                    scenario.authorizerCacheTtl,
                );
                assert.equal(
                    authorizer["x-amazon-apigateway-authorizer"].authorizerUri,
                    lambdaByName(stack, "authorizer-function").state.invokeArn,
                );
                assert.equal(
                    body["x-amazon-apigateway-gateway-responses"].ACCESS_DENIED.statusCode,
                    403,
                    "an explicit Deny must stay a 403",
                );
            });

            it("lets API Gateway invoke the echo function for every route, from any stage", () => {
                const permissions = resourcesOfType(stack, T.permission);
                assert.equal(permissions.length, expectedRoutes(scenario.basePath).length);
                for (const p of permissions) {
                    assert.equal(p.inputs.principal, "apigateway.amazonaws.com");
                    assert.equal(p.inputs.action, "lambda:invokeFunction");
                }
                if (!preview) {
                    const executionArn = onlyResourceOfType(stack, T.restApi).state.executionArn;
                    assert.deepEqual(
                        permissions.map((p) => p.inputs.sourceArn).sort(),
                        expectedRoutes(scenario.basePath)
                            .map((r) => `${executionArn}/*/*${r.path}`)
                            .sort(),
                    );
                }
            });

            it("deploys the bundled handlers", () => {
                assert.equal(
                    archiveText(lambdaByName(stack, "api-echo").inputs.code),
                    bundleLambda({ entry: "echo.ts" }),
                );
                assert.equal(
                    archiveText(lambdaByName(stack, "authorizer-function").inputs.code),
                    bundleLambda({ contents: tokenAuthorizerEntry(scenario.authorizerCacheTtl) }),
                );
                for (const fn of resourcesOfType(stack, T.lambdaFunction)) {
                    assert.equal(fn.inputs.runtime, "nodejs22.x");
                    assert.equal(fn.inputs.handler, "index.handler");
                }
            });

            it("places the edge rewriter in us-east-1, published, kept on destroy, trusted by Lambda@Edge", () => {
                const edge = resourcesOfType(stack, T.lambdaFunction).filter((f) => f.name.startsWith("edge-rewriter"));
                if (!scenario.rewriter) {
                    assert.deepEqual(edge, []);
                    return;
                }
                const fn = edge[0].inputs;
                assert.equal(fn.region, EDGE_REGION);
                assert.equal(fn.publish, true);
                assert.equal(fn.skipDestroy, true);
                assert.equal(fn.environment, undefined, "Lambda@Edge has no environment variables");
                assert.equal(archiveText(fn.code), bundleLambda({ contents: edgeRewriterEntry(scenario.apiPath) }));
                assert.ok(archiveText(fn.code).includes(JSON.stringify(scenario.apiPath)));
                const role = byName(stack, "edge-rewriter-function-role");
                assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal.Service, [
                    "lambda.amazonaws.com",
                    "edgelambda.amazonaws.com",
                ]);
                for (const other of resourcesOfType(stack, T.lambdaFunction).filter(
                    (f) => !f.name.startsWith("edge-rewriter"),
                )) {
                    assert.equal(other.inputs.region, undefined, `${other.name} belongs in the stack's region`);
                }
            });

            it("creates the custom domain only in custom-domain mode", () => {
                const domains = resourcesOfType(stack, T.domainName);
                if (!scenario.customDomain) {
                    assert.deepEqual(
                        [...domains, ...resourcesOfType(stack, T.basePathMapping), ...resourcesOfType(stack, T.record)],
                        [],
                    );
                    return;
                }
                assert.equal(domains.length, 1);
                const domain = domains[0];
                assert.equal(domain.inputs.domainName, scenario.customDomain.domainName);
                assert.deepEqual(domain.inputs.endpointConfiguration, { types: "REGIONAL" });
                assert.equal(domain.inputs.securityPolicy, "TLS_1_2");
                const mapping = onlyResourceOfType(stack, T.basePathMapping).inputs;
                assert.equal(mapping.basePath, scenario.originPath ? scenario.originPath.slice(1) : undefined);
                assert.equal(mapping.stageName, scenario.stageName);
                computed(mapping.restApi, onlyResourceOfType(stack, T.restApi).id);
                const certificates = resourcesOfType(stack, T.certificate);
                const records = resourcesOfType(stack, T.record);
                if (!scenario.customDomain.zone) {
                    assert.equal(domain.inputs.regionalCertificateArn, GIVEN_CERTIFICATE);
                    assert.deepEqual([...certificates, ...records], [], "no zone: no certificate, no DNS record");
                    return;
                }
                assert.equal(certificates.length, 1);
                assert.equal(certificates[0].inputs.validationMethod, "DNS");
                assert.equal(certificates[0].inputs.domainName, scenario.customDomain.domainName);
                const alias = records.find((r) => r.name === "api-domain-alias") ?? assert.fail("no alias record");
                assert.equal(alias.inputs.type, "A");
                assert.equal(alias.inputs.name, scenario.customDomain.domainName);
                assert.equal(alias.inputs.aliases.length, 1);
                computed(alias.inputs.aliases[0].name, domain.state.regionalDomainName);
                computed(alias.inputs.aliases[0].zoneId, domain.state.regionalZoneId);
                assert.equal(alias.inputs.aliases[0].evaluateTargetHealth, false);
                computed(domain.inputs.regionalCertificateArn, certificates[0].state.arn);
            });

            it("uploads the built site with its content types and cache headers", () => {
                const objects = resourcesOfType(stack, T.bucketObject);
                const files = buildSite();
                assert.ok(files.some((f) => f.key === "index.html"));
                for (const file of files) {
                    const object =
                        objects.find((o) => o.inputs.key === file.key) ?? assert.fail(`${file.key} not uploaded`);
                    assert.equal(object.inputs.contentType, file.contentType);
                    assert.equal(object.inputs.cacheControl, file.cacheControl);
                    assert.deepEqual(object.inputs.source, { kind: "file", path: file.absolutePath });
                }
                assert.equal(objects.length, files.length + 1, "the site files and config.json");
            });

            it("writes config.json and the stack outputs the frontend reads", () => {
                const configObject =
                    resourcesOfType(stack, T.bucketObject).find((o) => o.inputs.key === "config.json") ??
                    assert.fail("config.json not uploaded");
                assert.equal(configObject.inputs.contentType, "application/json");
                assert.equal(configObject.inputs.cacheControl, "no-cache");
                const outputs = stack.outputs;
                const restApi = onlyResourceOfType(stack, T.restApi);
                const executeApiHost = `${restApi.id}.execute-api.eu-west-1.amazonaws.com`;
                const expected: FrontendConfig = {
                    apiPath: scenario.apiPath,
                    region: "eu-west-1",
                    signing: {
                        host: scenario.customDomain?.domainName ?? executeApiHost,
                        pathPrefix: scenario.pathPrefix,
                        region: "eu-west-1",
                        service: "execute-api",
                    },
                };
                if (preview) {
                    // The custom domain comes from config, so its frontend config is known before anything exists.
                    if (scenario.customDomain) {
                        assert.deepEqual(JSON.parse(configObject.inputs.content), expected);
                        assert.deepEqual(outputs.frontendConfig, expected);
                    } else {
                        assert.equal(configObject.inputs.content, UNKNOWN);
                        assert.equal(outputs.frontendConfig, UNKNOWN);
                    }
                    for (const key of ["siteUrl", "apiUrl", "directApiUrl", "distributionId", "bucketName"]) {
                        assert.equal(outputs[key], UNKNOWN, key);
                    }
                    return;
                }
                assert.deepEqual(outputs.frontendConfig, expected);
                assert.deepEqual(JSON.parse(configObject.inputs.content), expected);
                assert.equal(outputs.siteUrl, `https://${distribution.state.domainName}`);
                assert.equal(outputs.apiUrl, `https://${distribution.state.domainName}${scenario.apiPath}`);
                assert.equal(outputs.directApiUrl, `https://${executeApiHost}/${scenario.stageName}`);
                assert.equal(outputs.distributionId, distribution.id);
                assert.equal(outputs.bucketName, onlyResourceOfType(stack, T.bucket).state.bucket);
                assert.equal(
                    outputs.customDomainUrl,
                    scenario.customDomain
                        ? `https://${scenario.customDomain.domainName}${scenario.originPath}`
                        : undefined,
                );
                assert.equal(
                    outputs.customDomainTarget,
                    scenario.customDomain
                        ? onlyResourceOfType(stack, T.domainName).state.regionalDomainName
                        : undefined,
                );
                assert.equal(
                    outputs.edgeFunctionName,
                    scenario.rewriter ? lambdaByName(stack, "edge-rewriter-function").state.name : undefined,
                );
            });
        });
    }
}

describe("infrastructure: bad config fails before any resource is created", () => {
    const cases: { title: string; config: Record<string, string | undefined>; message: RegExp }[] = [
        {
            title: "unknown proxyMode",
            config: { proxyMode: "edge" },
            message: /same-origin:proxyMode is "edge"; accepted values/,
        },
        {
            title: "apiPath without a leading slash",
            config: { apiPath: "api" },
            message: /same-origin:apiPath is "api"/,
        },
        {
            title: "apiPath with a wildcard",
            config: { apiPath: "/api/*" },
            message: /same-origin:apiPath is "\/api\/\*"/,
        },
        { title: "apiPath /", config: { apiPath: "/" }, message: /same-origin:apiPath is "\/"/ },
        {
            title: "custom-domain without customDomain",
            config: { proxyMode: "custom-domain" },
            message: /same-origin:customDomain is missing/,
        },
        {
            title: "custom-domain without customDomain.domainName",
            config: { proxyMode: "custom-domain", customDomain: '{"hostedZoneName":"example.com"}' },
            message: /same-origin:customDomain.domainName is missing/,
        },
        {
            title: "customDomain without a zone and without a certificate",
            config: { proxyMode: "custom-domain", customDomain: '{"domainName":"api.example.com"}' },
            message: /neither a hosted zone nor a certificate/,
        },
        {
            title: "customDomain that is not JSON",
            config: { proxyMode: "custom-domain", customDomain: "api.example.com" },
            message: /must be a JSON object like/,
        },
        {
            title: "TTL out of range",
            config: { authorizerCacheTtl: "7200" },
            message: /same-origin:authorizerCacheTtl is "7200"/,
        },
        {
            title: "unknown pathRewriter",
            config: { pathRewriter: "yes" },
            message: /same-origin:pathRewriter is "yes"/,
        },
        { title: "unknown priceClass", config: { priceClass: "all" }, message: /same-origin:priceClass is "all"/ },
        { title: "a misspelt key", config: { apipath: "/api" }, message: /same-origin:apipath is not a config key/ },
        { title: "no aws:region", config: { "aws:region": undefined }, message: /aws:region is not set/ },
        {
            title: "a stage name with a space",
            config: { stageName: "my stage" },
            message: /same-origin:stageName is "my stage"/,
        },
        {
            title: "a negative TTL",
            config: { authorizerCacheTtl: "-5" },
            message: /same-origin:authorizerCacheTtl is "-5"/,
        },
        {
            title: "a fractional TTL",
            config: { authorizerCacheTtl: "1.5" },
            message: /same-origin:authorizerCacheTtl is "1.5"/,
        },
        {
            title: "customDomain in direct-stage mode",
            config: { customDomain: '{"domainName":"api.example.com","hostedZoneName":"example.com"}' },
            message: /same-origin:customDomain is set but same-origin:proxyMode is "direct-stage"/,
        },
        {
            title: "a certificate from another region",
            config: {
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({
                    domainName: "api.example.com",
                    certificateArn: GIVEN_CERTIFICATE.replace("eu-west-1", "us-east-1"),
                }),
            },
            message: /certificateArn is "arn:aws:acm:us-east-1:.*", in us-east-1, but the API is in eu-west-1/,
        },
        {
            title: "a base path with a slash",
            config: {
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({
                    domainName: "api.example.com",
                    hostedZoneName: "example.com",
                    basePath: "v1/x",
                }),
            },
            message: /customDomain.basePath is "v1\/x"/,
        },
        {
            title: "a malformed hosted zone id",
            config: {
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({ domainName: "api.example.com", hostedZoneId: "zone-1" }),
            },
            message: /customDomain.hostedZoneId is "zone-1"/,
        },
        {
            title: "both zone fields",
            config: {
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({
                    domainName: "api.example.com",
                    hostedZoneName: "example.com",
                    hostedZoneId: "Z123ABC",
                }),
            },
            message: /sets both hostedZoneName .* and hostedZoneId/,
        },
        {
            title: "an unknown customDomain field",
            config: {
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({
                    domainName: "api.example.com",
                    hostedZoneName: "example.com",
                    zone: "x",
                }),
            },
            message: /customDomain.zone is not a known field/,
        },
    ];
    for (const preview of [false, true]) {
        for (const c of cases) {
            it(`${c.title} (${preview ? "preview" : "up"})`, async () => {
                const error = await captureStack({ stack: "dev", config: c.config, preview }).then(
                    () => assert.fail("the program accepted a bad config"),
                    (e: unknown) => e,
                );
                assert.ok(error instanceof ProgramError, String(error));
                assert.match(error.message, c.message);
                assert.match(error.message, /^Invalid stack config/);
                assert.deepEqual(error.resources, [], "no resource may be declared before validation");
            });
        }
    }
});
