/**
 * The whole program (index.ts) under mocks, for what only it can show: how the components are wired
 * to each other and to the config (the API origin, origin path, routes' base path, edge prefix,
 * authorizer TTL, the site's file list, config.json and the stack outputs), their type tokens, names
 * and parents, and that bad config fails before any resource. What each component does on its own
 * is tested in tests/components.
 */
import { strict as assert } from "node:assert";
import { FrontendConfig } from "../core/frontend-config";
import { buildSite } from "../site/build";
import { CapturedResource, CapturedStack, captureStack, ProgramError, UNKNOWN } from "../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../capture/lookups";
import { TYPES as T } from "../capture/types";
import { archiveFile, loadLambdaHandler, runViewerRequestFunction } from "./support/deployed-code";

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
    /** The WAF rate limit when `waf.enabled`, else undefined. */
    readonly wafRateLimit?: number;
    /** `logs.retentionDays`. */
    readonly retentionDays: number;
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
        retentionDays: 30,
    },
    {
        title: "custom-domain mode (zone, base path v1)",
        config: {
            proxyMode: "custom-domain",
            customDomain: CUSTOM_DOMAIN,
            authorizerCacheTtl: "300",
            waf: '{"enabled":true}',
            logs: '{"retentionDays":90}',
        },
        apiPath: "/api",
        stageName: "dev",
        basePath: "/api",
        originPath: "/v1",
        customDomain: { domainName: "api.example.com", zone: true },
        rewriter: false,
        authorizerCacheTtl: 300,
        pathPrefix: "/v1/api",
        wafRateLimit: 1000,
        retentionDays: 90,
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
        retentionDays: 30,
    },
    {
        title: "lambda-edge rewriter",
        config: {
            pathRewriter: "lambda-edge",
            apiPath: "/backend",
            stageName: "live",
            waf: '{"enabled":true,"rateLimit":2000}',
            logs: '{"retentionDays":7}',
        },
        apiPath: "/backend",
        stageName: "live",
        basePath: "",
        originPath: "/live",
        rewriter: true,
        authorizerCacheTtl: 0,
        pathPrefix: "/live",
        wafRateLimit: 2000,
        retentionDays: 7,
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
        retentionDays: 30,
    },
];

/** The routes' paths each base path must get, written out rather than computed by the code under test. */
function expectedRoutePaths(basePath: string): string[] {
    assert.ok(basePath === "/api" || basePath === "", `no expected routes written for base path "${basePath}"`);
    return ["/{proxy+}", "/authorized", "/authorized/{proxy+}", "/iam", "/iam/{proxy+}"].map((p) => `${basePath}${p}`);
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

const lambdaByName = (stack: CapturedStack, name: string): CapturedResource =>
    resourcesOfType(stack, T.lambdaFunction).find((r) => r.name === name) ?? assert.fail(`no function ${name}`);

const bucketNamed = (stack: CapturedStack, name: string): CapturedResource =>
    resourcesOfType(stack, T.bucket).find((r) => r.name === name) ?? assert.fail(`no bucket ${name}`);

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/GET/api/authorized/profile";

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
                    "same-origin:runtime-config:RuntimeConfig config",
                    "same-origin:log-bucket:LogBucket logs",
                    ...(scenario.wafRateLimit !== undefined ? ["same-origin:waf:WebAcls waf"] : []),
                    // Pulumi.dev.yaml keeps logs.apiGatewayCloudWatchRole at its default, "create".
                    "same-origin:api-gateway-account:ApiGatewayAccount api-gateway-account",
                    ...(scenario.customDomain ? ["same-origin:api-custom-domain:ApiCustomDomain api-domain"] : []),
                    ...(scenario.rewriter ? ["same-origin:edge-path-rewriter:EdgePathRewriter edge-rewriter"] : []),
                ].sort();
                assert.deepEqual(components, expected);
            });

            it("names every resource after its component and parents it there", () => {
                const roots = [
                    "api",
                    "authorizer",
                    "site",
                    "config",
                    "api-domain",
                    "edge-rewriter",
                    "api-gateway-account",
                    "logs",
                    "waf",
                ];
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

            it("points the API behaviors at the API's host (or custom domain) and origin path", () => {
                assert.deepEqual(
                    distribution.inputs.orderedCacheBehaviors.map((b: any) => b.pathPattern),
                    [scenario.apiPath, `${scenario.apiPath}/*`],
                );
                const api = distribution.inputs.origins.find((o: any) => o.originId === "api");
                assert.equal(api.originPath, scenario.originPath);
                if (scenario.customDomain) {
                    // Known from config, even in preview.
                    assert.equal(api.domainName, scenario.customDomain.domainName);
                } else {
                    const restApiId = onlyResourceOfType(stack, T.restApi).id;
                    computed(api.domainName, `${restApiId}.execute-api.eu-west-1.amazonaws.com`);
                }
                assert.equal(distribution.inputs.priceClass, "PriceClass_100", "Pulumi.yaml's default");
            });

            it("locks the API to the distribution: CloudFront sends the usage plan's API key, kept secret", () => {
                const api = distribution.inputs.origins.find((o: any) => o.originId === "api");
                const key = onlyResourceOfType(stack, T.apiKey);
                assert.equal(api.customHeaders.length, 1);
                assert.equal(api.customHeaders[0].name, "x-api-key");
                computed(api.customHeaders[0].value, key.inputs.value);
                if (!preview) {
                    assert.match(key.inputs.value, /^[A-Za-z0-9]{64}$/);
                    assert.deepEqual(
                        distribution.secretInputs,
                        ["origins"],
                        "the distribution stores its origins encrypted",
                    );
                    assert.deepEqual(key.secretInputs, ["value"]);
                    const body = JSON.parse(onlyResourceOfType(stack, T.restApi).inputs.body);
                    assert.deepEqual(body.securityDefinitions["api-key"], {
                        type: "apiKey",
                        name: "x-api-key",
                        in: "header",
                    });
                }
                const plan = onlyResourceOfType(stack, T.usagePlan).inputs;
                assert.equal(plan.apiStages[0].stage, scenario.stageName);
                assert.deepEqual(plan.throttleSettings, { rateLimit: 100, burstLimit: 200 }, "the defaults");
                assert.equal(
                    onlyResourceOfType(stack, T.restApi).inputs.disableExecuteApiEndpoint,
                    scenario.customDomain !== undefined,
                    "the execute-api endpoint is off when CloudFront goes through the custom domain",
                );
                for (const [name, value] of Object.entries(stack.outputs)) {
                    if (!preview) {
                        assert.ok(
                            !JSON.stringify(value ?? null).includes(key.inputs.value),
                            `output ${name} holds the key`,
                        );
                    }
                }
            });

            it("throttles and logs the stage, once this stack has set the region's CloudWatch role", () => {
                const settings = onlyResourceOfType(stack, T.methodSettings).inputs;
                assert.equal(settings.methodPath, "*/*");
                assert.deepEqual(
                    {
                        rate: settings.settings.throttlingRateLimit,
                        burst: settings.settings.throttlingBurstLimit,
                        level: settings.settings.loggingLevel,
                    },
                    { rate: 100, burst: 200, level: "ERROR" },
                );
                const stage = onlyResourceOfType(stack, T.stage);
                assert.equal(stage.inputs.xrayTracingEnabled, true);
                const account = onlyResourceOfType(stack, T.apiGatewayAccount);
                assert.ok(stage.dependencies!.includes(account.urn), "the stage waits for the account's role");
                const accessLogs = resourcesOfType(stack, T.logGroup).find((g) => g.name === "api-access-logs")!;
                assert.deepEqual(accessLogs.inputs, {
                    name: "/same-origin/dev/api-access-logs",
                    retentionInDays: scenario.retentionDays,
                });
                computed(stage.inputs.accessLogSettings.destinationArn, accessLogs.state.arn);
            });

            it("runs the edge rewriter, stripping apiPath, on the API behaviors only in lambda-edge mode", async () => {
                const edge = resourcesOfType(stack, T.lambdaFunction).filter((f) => f.name.startsWith("edge-rewriter"));
                const associations = distribution.inputs.orderedCacheBehaviors.map(
                    (b: any) => b.lambdaFunctionAssociations,
                );
                if (!scenario.rewriter) {
                    assert.deepEqual(edge, []);
                    assert.deepEqual(associations, [[], []]);
                    return;
                }
                const [fn] = edge;
                for (const [association] of associations) {
                    computed(association.lambdaArn, fn.state.qualifiedArn);
                }
                const handler = loadLambdaHandler(archiveFile(fn.inputs.code));
                const event = { Records: [{ cf: { request: { uri: `${scenario.apiPath}/iam/x`, querystring: "" } } }] };
                assert.equal((await handler(event)).uri, "/iam/x");
            });

            it("deploys the stage named in config, with the routes under the base path the rewriter leaves", () => {
                assert.equal(onlyResourceOfType(stack, T.stage).inputs.stageName, scenario.stageName);
                const body = onlyResourceOfType(stack, T.restApi).inputs.body;
                if (preview) {
                    assert.equal(body, UNKNOWN, "the body embeds function ARNs, unknown until they exist");
                    return;
                }
                assert.deepEqual(
                    Object.keys(JSON.parse(body).paths).sort(),
                    expectedRoutePaths(scenario.basePath).sort(),
                );
            });

            it("guards the token routes with the authorizer, its cache TTL from config compiled into its handler", async () => {
                const authorizer = lambdaByName(stack, "authorizer-function");
                if (!preview) {
                    const definition = JSON.parse(onlyResourceOfType(stack, T.restApi).inputs.body).securityDefinitions[
                        "token-authorizer"
                    ]["x-amazon-apigateway-authorizer"];
                    assert.equal(definition.authorizerUri, authorizer.state.invokeArn);
                    assert.equal(definition.authorizerResultTtlInSeconds, scenario.authorizerCacheTtl);
                }
                // With caching, an Allow must cover the whole stage, since API Gateway reuses it on every route.
                const handler = loadLambdaHandler(
                    archiveFile(authorizer.inputs.code),
                    authorizer.inputs.environment.variables,
                );
                const allowed = await handler({ type: "TOKEN", authorizationToken: "allow", methodArn: METHOD_ARN });
                assert.equal(
                    allowed.policyDocument.Statement[0].Resource,
                    scenario.authorizerCacheTtl > 0
                        ? "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/*/*"
                        : METHOD_ARN,
                );
            });

            it("uploads the site build, and compiles its file list into the SPA function", () => {
                const uploaded = resourcesOfType(stack, T.bucketObject).map((o) => o.inputs.key);
                const built = buildSite().map((f) => f.key);
                assert.ok(built.includes("index.html"));
                assert.deepEqual([...uploaded].sort(), [...built, "config.json"].sort());
                const code = onlyResourceOfType(stack, T.cloudFrontFunction).inputs.code;
                for (const key of uploaded) {
                    assert.equal(runViewerRequestFunction(code, `/${key}`).uri, `/${key}`, key);
                }
                assert.equal(runViewerRequestFunction(code, "/assets/missing.js").statusCode, 404);
                assert.equal(runViewerRequestFunction(code, "/orders/42").uri, "/index.html");
            });

            it("maps the custom domain from config to the Api's stage, only in custom-domain mode", () => {
                const domains = resourcesOfType(stack, T.domainName);
                const mappings = resourcesOfType(stack, T.basePathMapping);
                if (!scenario.customDomain) {
                    assert.deepEqual([...domains, ...mappings, ...resourcesOfType(stack, T.record)], []);
                    return;
                }
                assert.deepEqual(
                    domains.map((d) => d.inputs.domainName),
                    [scenario.customDomain.domainName],
                );
                assert.equal(mappings.length, 1);
                const mapping = mappings[0].inputs;
                assert.equal(mapping.domainName, scenario.customDomain.domainName);
                assert.equal(mapping.basePath, scenario.originPath ? scenario.originPath.slice(1) : undefined);
                assert.equal(mapping.stageName, scenario.stageName);
                computed(mapping.restApi, onlyResourceOfType(stack, T.restApi).id);
                if (scenario.customDomain.zone) {
                    assert.equal(
                        resourcesOfType(stack, T.certificate).length,
                        1,
                        "a certificate validated in the zone",
                    );
                    assert.ok(resourcesOfType(stack, T.record).some((r) => r.name === "api-domain-alias"));
                } else {
                    assert.equal(domains[0].inputs.regionalCertificateArn, GIVEN_CERTIFICATE);
                    assert.deepEqual(resourcesOfType(stack, T.record), [], "no zone: no DNS record");
                }
            });

            it("logs CloudFront (legacy, no cookies) and the site bucket's access to the log bucket, which lets only that bucket in", () => {
                const site = bucketNamed(stack, "site-bucket");
                const logs = bucketNamed(stack, "logs-bucket");
                const { loggingConfig } = distribution.inputs;
                assert.deepEqual([loggingConfig.prefix, loggingConfig.includeCookies], ["cloudfront/", false]);
                computed(loggingConfig.bucket, `${logs.state.bucket}.s3.amazonaws.com`);
                const accessLogs = onlyResourceOfType(stack, T.bucketLogging).inputs;
                assert.equal(accessLogs.targetPrefix, "s3/site/");
                computed(accessLogs.bucket, site.id);
                computed(accessLogs.targetBucket, logs.id);
                const policy = resourcesOfType(stack, T.bucketPolicy).find((p) => p.name === "logs-policy")!.inputs;
                if (preview) {
                    assert.equal(policy.policy, UNKNOWN, "it names both buckets' ARNs");
                    return;
                }
                const logWriting = JSON.parse(policy.policy).Statement.filter((st: any) => st.Effect === "Allow");
                assert.deepEqual(
                    logWriting.map((st: any) => [st.Resource, st.Condition.ArnLike["aws:SourceArn"]]),
                    [[`${logs.state.arn}/s3/site/*`, site.state.arn]],
                );
            });

            it("keeps logs for logs.retentionDays: every function's log group and the log bucket's objects", () => {
                const groups = resourcesOfType(stack, T.logGroup);
                assert.ok(groups.length >= (scenario.rewriter ? 3 : 2), groups.map((g) => g.name).join(", "));
                for (const group of groups) {
                    assert.equal(group.inputs.retentionInDays, scenario.retentionDays, group.name);
                }
                const lifecycle = onlyResourceOfType(stack, T.bucketLifecycle).inputs;
                assert.deepEqual(lifecycle.rules[0].expiration, { days: scenario.retentionDays });
            });

            it("puts AWS WAF on the distribution and the stage only when waf.enabled, with its rate limit", () => {
                const acls = resourcesOfType(stack, T.webAcl);
                const associations = resourcesOfType(stack, T.webAclAssociation);
                if (scenario.wafRateLimit === undefined) {
                    assert.deepEqual([...acls, ...associations], []);
                    assert.equal(distribution.inputs.webAclId, undefined);
                    return;
                }
                const cloudFront = acls.find((a) => a.inputs.scope === "CLOUDFRONT")!;
                const regional = acls.find((a) => a.inputs.scope === "REGIONAL")!;
                assert.equal(acls.length, 2);
                assert.equal(cloudFront.inputs.region, "us-east-1");
                for (const acl of acls) {
                    assert.equal(acl.inputs.rules[0].statement.rateBasedStatement.limit, scenario.wafRateLimit);
                }
                // The distribution names its web ACL by ARN (CloudFront API reference, DistributionConfig WebACLId).
                computed(distribution.inputs.webAclId, cloudFront.state.arn);
                const [association] = associations;
                assert.equal(associations.length, 1);
                computed(association.inputs.resourceArn, onlyResourceOfType(stack, T.stage).state.arn);
                computed(association.inputs.webAclArn, regional.state.arn);
            });

            it("writes config.json and the stack outputs the frontend reads", () => {
                const configObject =
                    resourcesOfType(stack, T.bucketObject).find((o) => o.inputs.key === "config.json") ??
                    assert.fail("config.json not uploaded");
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
                    // Pulumi.dev.yaml signs in with the demo tokens.
                    auth: { provider: "demo" },
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
                    for (const key of [
                        "siteUrl",
                        "apiUrl",
                        "directApiUrl",
                        "distributionId",
                        "logBucketName",
                        "apiExecutionLogGroup",
                    ]) {
                        assert.equal(outputs[key], UNKNOWN, key);
                    }
                    assert.equal(outputs.apiAccessLogGroup, "/same-origin/dev/api-access-logs");
                    return;
                }
                assert.equal(outputs.apiAccessLogGroup, "/same-origin/dev/api-access-logs");
                assert.equal(
                    outputs.apiExecutionLogGroup,
                    `API-Gateway-Execution-Logs_${restApi.id}/${scenario.stageName}`,
                );
                assert.deepEqual(outputs.frontendConfig, expected);
                assert.deepEqual(JSON.parse(configObject.inputs.content), expected);
                assert.equal(outputs.siteUrl, `https://${distribution.state.domainName}`);
                assert.equal(outputs.apiUrl, `https://${distribution.state.domainName}${scenario.apiPath}`);
                assert.equal(outputs.directApiUrl, `https://${executeApiHost}/${scenario.stageName}`);
                assert.equal(outputs.distributionId, distribution.id);
                assert.equal(outputs.bucketName, bucketNamed(stack, "site-bucket").state.bucket);
                assert.equal(outputs.logBucketName, bucketNamed(stack, "logs-bucket").state.bucket);
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

describe("infrastructure: the API's hardening keys", () => {
    it("originLockdown=false: no password, key or usage plan, no origin header, the execute-api endpoint on", async () => {
        for (const config of [
            { originLockdown: "false" },
            { originLockdown: "false", proxyMode: "custom-domain", customDomain: CUSTOM_DOMAIN },
        ]) {
            const stack = await captureStack({ stack: "dev", config });
            for (const type of [T.randomPassword, T.apiKey, T.usagePlan, T.usagePlanKey]) {
                assert.deepEqual(resourcesOfType(stack, type), [], type);
            }
            const api = onlyResourceOfType(stack, T.distribution).inputs.origins.find((o: any) => o.originId === "api");
            assert.equal(api.customHeaders, undefined);
            assert.deepEqual(onlyResourceOfType(stack, T.distribution).secretInputs, []);
            assert.equal(onlyResourceOfType(stack, T.restApi).inputs.disableExecuteApiEndpoint, false);
            assert.equal(
                JSON.parse(onlyResourceOfType(stack, T.restApi).inputs.body).securityDefinitions["api-key"],
                undefined,
            );
        }
    });

    it("throttle and logs.retentionDays reach the stage, the usage plan and both API log groups", async () => {
        const stack = await captureStack({
            stack: "dev",
            config: { throttle: '{"rateLimit":5,"burstLimit":9}', logs: '{"retentionDays":365}' },
        });
        const settings = onlyResourceOfType(stack, T.methodSettings).inputs.settings;
        assert.deepEqual([settings.throttlingRateLimit, settings.throttlingBurstLimit], [5, 9]);
        assert.deepEqual(onlyResourceOfType(stack, T.usagePlan).inputs.throttleSettings, {
            rateLimit: 5,
            burstLimit: 9,
        });
        const retention = Object.fromEntries(
            resourcesOfType(stack, T.logGroup)
                .filter((g) => g.name.startsWith("api-") && g.name.endsWith("-logs") && g.name !== "api-echo-logs")
                .map((g) => [g.name, g.inputs.retentionInDays]),
        );
        assert.deepEqual(retention, { "api-access-logs": 365, "api-execution-logs": 365 });
    });

    it('logs.apiGatewayCloudWatchRole "existing": no role or account settings, the stage assumes them', async () => {
        const stack = await captureStack({ stack: "dev", config: { logs: '{"apiGatewayCloudWatchRole":"existing"}' } });
        assert.deepEqual(resourcesOfType(stack, T.apiGatewayAccount), []);
        assert.deepEqual(
            stack.resources.filter((r) => r.name.startsWith("api-gateway-account")).map((r) => r.name),
            [],
        );
        const stage = onlyResourceOfType(stack, T.stage);
        assert.ok(stage.inputs.accessLogSettings.destinationArn, "it still logs");
    });

    it('logs.apiGatewayCloudWatchRole "create": the role API Gateway assumes, all of it kept on destroy', async () => {
        const stack = await captureStack({ stack: "dev" });
        const role = resourcesOfType(stack, T.role).find((r) => r.name === "api-gateway-account-role")!;
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
            Service: ["apigateway.amazonaws.com"],
        });
        const attachment = onlyResourceOfType(stack, T.rolePolicyAttachment).inputs;
        assert.deepEqual(attachment, {
            role: role.state.name,
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        });
        assert.equal(onlyResourceOfType(stack, T.apiGatewayAccount).inputs.cloudwatchRoleArn, role.state.arn);
    });
});

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
        {
            title: "originLockdown that is not a boolean",
            config: { originLockdown: "yes" },
            message: /same-origin:originLockdown is "yes"/,
        },
        {
            title: "a throttle rate of 0",
            config: { throttle: '{"rateLimit":0}' },
            message: /same-origin:throttle\.rateLimit is 0/,
        },
        {
            title: "an unknown apiGatewayCloudWatchRole",
            config: { logs: '{"apiGatewayCloudWatchRole":"shared"}' },
            message: /same-origin:logs\.apiGatewayCloudWatchRole is "shared"/,
        },
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

/** A team's own app: its domain, another backend, the CloudFront Function rewriter, partner CORS, Cognito sign-in. */
const APP_CONFIG = {
    pathRewriter: "cloudfront-function",
    siteDomain: JSON.stringify({ domainName: "www.example.com", hostedZoneName: "example.com" }),
    backends: JSON.stringify([{ path: "/billing", url: "https://billing.example.net/prod", stripPath: true }]),
    cors: JSON.stringify({ allowOrigins: ["https://partner.example.com"] }),
    auth: JSON.stringify({ provider: "cognito" }),
};

for (const preview of [false, true]) {
    describe(`infrastructure: your app on your domain, ${preview ? "preview" : "up"}`, function () {
        let stack: CapturedStack;
        let distribution: CapturedResource;
        before(async () => {
            stack = await captureStack({ stack: "dev", config: APP_CONFIG, preview });
            distribution = onlyResourceOfType(stack, T.distribution);
        });
        const computed = (value: unknown, expected: unknown) =>
            preview ? assert.equal(value, UNKNOWN) : assert.deepEqual(value, expected);
        const behavior = (pattern: string) =>
            distribution.inputs.orderedCacheBehaviors.find((b: any) => b.pathPattern === pattern);
        const functionOf = (pattern: string) =>
            resourcesOfType(stack, T.cloudFrontFunction).find(
                (f) =>
                    f.name === { "/api/*": "site-api-request", "/billing/*": "site-backend-billing-request" }[pattern],
            )!;

        it("adds the site's domain as a component of its own, holding its certificate", () => {
            const domain = stack.resources.find((r) => r.type === "same-origin:site-domain:SiteDomain");
            assert.equal(domain?.name, "site-domain");
            const children = stack.resources.filter((r) => r.urn.includes("same-origin:site-domain:SiteDomain$"));
            assert.deepEqual(children.map((r) => r.name).sort(), [
                "site-domain-certificate",
                "site-domain-certificate-validation",
                "site-domain-certificate-validation-record",
            ]);
        });

        it("serves www.example.com with a certificate from us-east-1, validated in the zone", () => {
            const certificate = onlyResourceOfType(stack, T.certificate);
            assert.deepEqual(
                [certificate.inputs.region, certificate.inputs.domainName],
                ["us-east-1", "www.example.com"],
            );
            assert.deepEqual(distribution.inputs.aliases, ["www.example.com"]);
            const { viewerCertificate } = distribution.inputs;
            assert.deepEqual(
                [viewerCertificate.sslSupportMethod, viewerCertificate.minimumProtocolVersion],
                ["sni-only", "TLSv1.2_2021"],
            );
            computed(
                viewerCertificate.acmCertificateArn,
                onlyResourceOfType(stack, T.certificateValidation).state.certificateArn,
            );
        });

        it("points A and AAAA records for the domain at the distribution", () => {
            const aliases = resourcesOfType(stack, T.record).filter((r) => r.inputs.name === "www.example.com");
            assert.deepEqual(
                aliases.map((r) => [r.name, r.inputs.type]),
                [
                    ["site-alias", "A"],
                    ["site-alias-aaaa", "AAAA"],
                ],
            );
            for (const record of aliases) {
                computed(record.inputs.aliases[0].name, distribution.state.domainName);
            }
        });

        it("strips /api with a CloudFront Function, not Lambda@Edge, and puts the routes at the API root", () => {
            assert.deepEqual(
                resourcesOfType(stack, T.lambdaFunction).filter((f) => f.name.startsWith("edge-rewriter")),
                [],
            );
            assert.deepEqual(behavior("/api/*").lambdaFunctionAssociations, []);
            assert.equal(runViewerRequestFunction(functionOf("/api/*").inputs.code, "/api/iam/x").uri, "/iam/x");
            if (!preview) {
                assert.deepEqual(
                    Object.keys(JSON.parse(onlyResourceOfType(stack, T.restApi).inputs.body).paths).sort(),
                    expectedRoutePaths("").sort(),
                );
            }
        });

        it("sends /billing to the backend's host and path, stripped by its own function", () => {
            const origin = distribution.inputs.origins.find((o: any) => o.originId === "backend-billing");
            assert.deepEqual([origin.domainName, origin.originPath], ["billing.example.net", "/prod"]);
            assert.equal(behavior("/billing/*").targetOriginId, "backend-billing");
            assert.equal(runViewerRequestFunction(functionOf("/billing/*").inputs.code, "/billing/x").uri, "/x");
        });

        it("answers partner preflights at the edge and gives every proxied response its CORS headers", () => {
            const policy = onlyResourceOfType(stack, T.responseHeadersPolicy);
            assert.deepEqual(policy.inputs.corsConfig.accessControlAllowOrigins, {
                items: ["https://partner.example.com"],
            });
            for (const pattern of ["/api", "/api/*", "/billing", "/billing/*"]) {
                computed(behavior(pattern).responseHeadersPolicyId, policy.id);
            }
            const answer = runViewerRequestFunction(functionOf("/api/*").inputs.code, {
                method: "OPTIONS",
                uri: "/api/authorized",
                headers: { Origin: "https://partner.example.com", "Access-Control-Request-Method": "GET" },
            });
            assert.equal(answer.statusCode, 204);
        });

        it("signs for the stage alone, and sends sign-in back to the site's domain, known already in preview", () => {
            const client = onlyResourceOfType(stack, T.userPoolClient);
            assert.deepEqual(client.inputs.callbackUrls, ["https://www.example.com/", "http://localhost:8080/"]);
            assert.equal(stack.outputs.siteUrl, "https://www.example.com");
            assert.equal(stack.outputs.apiUrl, "https://www.example.com/api");
            if (preview) {
                return;
            }
            assert.equal(stack.outputs.siteDomainTarget, distribution.state.domainName);
            const frontend = stack.outputs.frontendConfig as FrontendConfig;
            assert.equal(frontend.signing.pathPrefix, "/dev");
        });
    });
}
