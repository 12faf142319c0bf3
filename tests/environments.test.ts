import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE } from "../infra/config";
import { captureStack, CapturedStack, ProgramError, UNKNOWN } from "../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../capture/lookups";
import { PROJECT_DIR, readStackFile } from "../capture/stack-config";
import { TYPES } from "../capture/types";
import { fsbpFindings } from "./support/fsbp";
import { broken } from "./support/graphs";
import { evaluatePolicies, PackConfig, packConfigPath, readPackConfig } from "./support/policy-harness";
import { distributionWafRequired, noDemoAuthorizer, policies, stageWafRequired } from "../policy/rules";

/** The deployed environments: a stack file each, previewed and deployed by the workflows. */
const ENVIRONMENTS = ["dev", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Runs the program on a stack file, as `pulumi preview` (or `up`) would. The program validates its
 * config (infra/config.ts, readStackConfig) before declaring anything, so a stack file it rejects
 * fails here, with every problem, its key and its fix.
 */
async function capture(environment: Environment, preview: boolean): Promise<CapturedStack> {
    try {
        return await captureStack({ stack: environment, preview });
    } catch (error) {
        if (error instanceof ProgramError) {
            throw new Error(
                `the program fails on Pulumi.${environment}.yaml${preview ? " in a preview" : ""}: ${error.message}`,
            );
        }
        throw error;
    }
}

/**
 * Runs the program on a copy of a stack file with some values replaced, and returns its failure's
 * message; fails the test when the program accepts the copy.
 */
async function rejection(environment: Environment, changes: Readonly<Record<string, unknown>>): Promise<string> {
    const stackConfig = { ...readStackFile(environment), ...changes };
    try {
        await captureStack({ stack: environment, stackConfig });
    } catch (error) {
        assert.ok(error instanceof ProgramError, `expected the program to fail, got ${error}`);
        assert.equal(error.resources.length, 0, "the config is rejected before any resource is declared");
        return error.message;
    }
    assert.fail(`the program accepted a broken copy of Pulumi.${environment}.yaml: ${JSON.stringify(changes)}`);
}

const readYaml = (file: string) => parseYaml(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"));

/**
 * A key's value as written in Pulumi.<environment>.yaml, else the default Pulumi.yaml declares:
 * read with a plain YAML parse, not through the capture's config reader.
 */
function writtenValue(environment: Environment, key: string): any {
    const qualified = key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
    const stackFile = readYaml(`Pulumi.${environment}.yaml`).config ?? {};
    return qualified in stackFile ? stackFile[qualified] : readYaml("Pulumi.yaml").config?.[key]?.default;
}

/** The types Pulumi.yaml declares for the project's keys; the CLI rejects a stack value of another type. */
function declaredTypes(): Record<string, string> {
    const project = readYaml("Pulumi.yaml");
    return Object.fromEntries(Object.entries<{ type: string }>(project.config).map(([key, d]) => [key, d.type]));
}

const captures = new Map<string, CapturedStack>();
const key = (environment: Environment, preview: boolean) => `${environment}${preview ? " (preview)" : ""}`;

describe("environments", function () {
    this.timeout(120_000);

    before(async () => {
        for (const environment of ENVIRONMENTS) {
            for (const preview of [false, true]) {
                captures.set(key(environment, preview), await capture(environment, preview));
            }
        }
    });

    for (const environment of ENVIRONMENTS) {
        describe(environment, () => {
            it("gives each declared key a value of its declared type", () => {
                const types = declaredTypes();
                for (const [name, value] of Object.entries(readStackFile(environment))) {
                    const [namespace, keyName] = name.split(":");
                    if (namespace !== CONFIG_NAMESPACE || types[keyName] === undefined) {
                        continue;
                    }
                    const expected =
                        types[keyName] === "integer" ? Number.isInteger(value) : typeof value === types[keyName];
                    assert.ok(expected, `${name}: ${JSON.stringify(value)} is not a Pulumi.yaml ${types[keyName]}`);
                }
            });

            // The program validated the file when before() captured it (capture() fails otherwise).
            // These check that it ran on this file's values, and that a bad value would have failed it.
            for (const preview of [false, true]) {
                it(`ran on the values the stack file sets${preview ? " (preview)" : ""}`, () => {
                    const stack = captures.get(key(environment, preview))!;
                    const distribution = onlyResourceOfType(stack, TYPES.distribution).inputs;
                    const apiPath = writtenValue(environment, "apiPath");
                    assert.deepEqual(
                        distribution.orderedCacheBehaviors.map((b: any) => b.pathPattern),
                        [apiPath, `${apiPath}/*`],
                    );
                    assert.equal(distribution.priceClass, writtenValue(environment, "priceClass"));
                    assert.equal(
                        onlyResourceOfType(stack, TYPES.stage).inputs.stageName,
                        writtenValue(environment, "stageName"),
                    );
                    const edgeFunctions = resourcesOfType(stack, TYPES.lambdaFunction).filter(
                        (f) => f.inputs.publish === true,
                    );
                    assert.equal(
                        edgeFunctions.length,
                        writtenValue(environment, "pathRewriter") === "lambda-edge" ? 1 : 0,
                    );
                    const apiOrigin = distribution.origins.find((o: any) => o.originId === "api");
                    if (writtenValue(environment, "proxyMode") === "custom-domain") {
                        const customDomain = writtenValue(environment, "customDomain");
                        assert.equal(
                            onlyResourceOfType(stack, TYPES.domainName).inputs.domainName,
                            customDomain.domainName,
                        );
                        assert.equal(apiOrigin.domainName, customDomain.domainName);
                        assert.equal(
                            onlyResourceOfType(stack, TYPES.basePathMapping).inputs.basePath,
                            customDomain.basePath,
                        );
                    } else {
                        assert.deepEqual(resourcesOfType(stack, TYPES.domainName), []);
                        assert.equal(apiOrigin.originPath, `/${writtenValue(environment, "stageName")}`);
                    }
                    // The API's hardening: the lockdown's origin header, and the log groups' retention
                    // (30 days unless the stack file says otherwise, written out here).
                    const lockdown = writtenValue(environment, "originLockdown");
                    assert.equal(typeof lockdown, "boolean");
                    assert.equal(apiOrigin.customHeaders?.[0]?.name, lockdown ? "x-api-key" : undefined);
                    assert.equal(resourcesOfType(stack, TYPES.usagePlan).length, lockdown ? 1 : 0);
                    const retentionDays = writtenValue(environment, "logs")?.retentionDays ?? 30;
                    for (const name of ["api-access-logs", "api-execution-logs"]) {
                        const group = resourcesOfType(stack, TYPES.logGroup).find((g) => g.name === name);
                        assert.equal(group?.inputs.retentionInDays, retentionDays, name);
                    }
                    const body = onlyResourceOfType(stack, TYPES.restApi).inputs.body;
                    if (preview) {
                        assert.equal(body, UNKNOWN, "the OpenAPI body embeds ARNs a preview cannot know");
                        return;
                    }
                    const authorizer =
                        JSON.parse(body).securityDefinitions["token-authorizer"]["x-amazon-apigateway-authorizer"];
                    assert.equal(
                        authorizer.authorizerResultTtlInSeconds,
                        writtenValue(environment, "authorizerCacheTtl"),
                    );
                    assert.match(
                        onlyResourceOfType(stack, TYPES.restApi).state.executionArn,
                        new RegExp(`^arn:aws:execute-api:${writtenValue(environment, "aws:region")}:`),
                    );
                });
            }

            it("would fail config validation on a broken copy, naming each bad key", async () => {
                const message = await rejection(environment, {
                    [`${CONFIG_NAMESPACE}:priceClass`]: "PriceClass_Cheap",
                    [`${CONFIG_NAMESPACE}:apiPath`]: "/api/",
                });
                // Every problem at once, each with its key and the value seen (infra/config.ts words the fix).
                assert.match(message, /same-origin:priceClass is "PriceClass_Cheap"/);
                assert.match(message, /same-origin:apiPath is "\/api\/"/);
            });

            for (const preview of [false, true]) {
                it(`passes the policy pack with ${packConfigPath(environment)}${preview ? " in a preview" : ""}`, async () => {
                    const result = await evaluatePolicies(
                        policies,
                        captures.get(key(environment, preview))!.resources,
                        readPackConfig(environment),
                    );
                    assert.deepEqual(result.violations, []);
                    if (!preview) {
                        assert.deepEqual(result.notRunDuringPreview, []);
                    }
                });
            }
        });
    }

    describe("the policy pack's config per stack", () => {
        /** The policies a graph fails under a pack config. */
        const failing = async (stack: CapturedStack, config: PackConfig) =>
            (await evaluatePolicies(policies, stack.resources, config)).violations.map((v) => v.policy);

        it("dev, with the demo authorizer, fails no-demo-authorizer without its own config, and only that", async () => {
            assert.equal(writtenValue("dev", "auth").provider, "demo");
            for (const preview of [false, true]) {
                assert.deepEqual(await failing(captures.get(key("dev", preview))!, {}), [noDemoAuthorizer.name]);
            }
        });

        it("dev fails under prod's config: no demo authorizer, and WAF required", async () => {
            assert.deepEqual(await failing(captures.get(key("dev", false))!, readPackConfig("prod")), [
                noDemoAuthorizer.name,
                distributionWafRequired.name,
                stageWafRequired.name,
            ]);
        });

        it("prod with the demo authorizer fails under prod's config", async () => {
            const stack = await captureStack({
                stack: "prod",
                stackConfig: { ...readStackFile("prod"), [`${CONFIG_NAMESPACE}:auth`]: { provider: "demo" } },
            });
            assert.deepEqual(await failing(stack, readPackConfig("prod")), [noDemoAuthorizer.name]);
        });

        it("prod without WAF fails under prod's config", async () => {
            const stack = await captureStack({
                stack: "prod",
                stackConfig: { ...readStackFile("prod"), [`${CONFIG_NAMESPACE}:waf`]: { enabled: false } },
            });
            assert.deepEqual(await failing(stack, readPackConfig("prod")), [
                distributionWafRequired.name,
                stageWafRequired.name,
            ]);
        });
    });

    describe("Security Hub FSBP controls (tests/support/fsbp.ts)", () => {
        const prod = () => captures.get(key("prod", false))!;
        const failing = (stack: CapturedStack) => fsbpFindings(stack).findings.map((f) => `${f.control} ${f.resource}`);

        it("prod passes every control that applies, S3.9 suppressed on the log bucket alone", () => {
            assert.equal(writtenValue("prod", "waf").enabled, true);
            const { findings, suppressed } = fsbpFindings(prod());
            assert.deepEqual(findings, []);
            assert.deepEqual(
                suppressed.map((f) => `${f.control} ${f.resource}`),
                ["S3.9 logs-bucket"],
            );
        });

        it("dev, with WAF off and no domain of its own, fails CloudFront.6, .7 and APIGateway.4 only", () => {
            assert.equal(writtenValue("dev", "waf"), undefined, "Pulumi.dev.yaml leaves waf at its default, off");
            assert.equal(writtenValue("dev", "siteDomain"), undefined, "dev is served at its cloudfront.net name");
            assert.deepEqual(failing(captures.get(key("dev", false))!), [
                "CloudFront.6 site-cdn",
                "CloudFront.7 site-cdn",
                "APIGateway.4 api-stage",
            ]);
        });

        it("would notice each control failing on a broken copy of prod", () => {
            const withoutLogging = broken(prod(), TYPES.distribution, (state) => delete state.loggingConfig);
            assert.deepEqual(failing(withoutLogging), ["CloudFront.5 site-cdn"]);
            const withoutWaf = broken(prod(), TYPES.distribution, (state) => delete state.webAclId);
            assert.deepEqual(failing(withoutWaf), ["CloudFront.6 site-cdn"]);
            const stageUnprotected = broken(prod(), TYPES.webAclAssociation, (state) => {
                state.resourceArn = "arn:aws:apigateway:eu-west-1::/restapis/other/stages/prod";
            });
            assert.deepEqual(failing(stageUnprotected), ["APIGateway.4 api-stage"]);
            const tlsAllowedOnly = broken(prod(), TYPES.bucketPolicy, (state) => {
                state.policy = state.policy.replace('"aws:SecureTransport":"false"', '"aws:SecureTransport":"true"');
            });
            assert.deepEqual(failing(tlsAllowedOnly), ["S3.5 logs-bucket", "S3.5 site-bucket"]);
            const notEveryone = broken(prod(), TYPES.bucketPolicy, (state) => {
                state.policy = state.policy.replace(
                    '"Principal":"*"',
                    '"Principal":{"Service":"cloudfront.amazonaws.com"}',
                );
            });
            assert.deepEqual(failing(notEveryone), ["S3.5 logs-bucket", "S3.5 site-bucket"]);
            const publicPolicies = broken(prod(), TYPES.bucketPublicAccessBlock, (state) => {
                state.restrictPublicBuckets = false;
            });
            assert.deepEqual(failing(publicPolicies), ["S3.8 logs-bucket", "S3.8 site-bucket"]);
            const siteUnlogged = broken(prod(), TYPES.bucketLogging, (state) => {
                state.bucket = "another-bucket";
            });
            assert.deepEqual(failing(siteUnlogged), ["S3.9 site-bucket"]);
            const noRootObject = broken(prod(), TYPES.distribution, (state) => delete state.defaultRootObject);
            assert.deepEqual(failing(noRootObject), ["CloudFront.1 site-cdn"]);
            const plainHttp = broken(prod(), TYPES.distribution, (state) => {
                state.orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all";
            });
            assert.deepEqual(failing(plainHttp), ["CloudFront.3 site-cdn"]);
            const defaultCertificate = broken(prod(), TYPES.distribution, (state) => {
                state.viewerCertificate = { cloudfrontDefaultCertificate: true };
            });
            assert.deepEqual(failing(defaultCertificate), ["CloudFront.7 site-cdn"]);
            const dedicatedIp = broken(prod(), TYPES.distribution, (state) => {
                state.viewerCertificate.sslSupportMethod = "vip";
            });
            assert.deepEqual(failing(dedicatedIp), ["CloudFront.8 site-cdn"]);
            const httpToApi = broken(prod(), TYPES.distribution, (state) => {
                state.origins[1].customOriginConfig.originProtocolPolicy = "http-only";
            });
            assert.deepEqual(failing(httpToApi), ["CloudFront.9 site-cdn"]);
            const sslv3 = broken(prod(), TYPES.distribution, (state) => {
                state.origins[1].customOriginConfig.originSslProtocols = ["SSLv3", "TLSv1.2"];
            });
            assert.deepEqual(failing(sslv3), ["CloudFront.10 site-cdn"]);
            const missingBucket = broken(prod(), TYPES.distribution, (state) => {
                state.origins[0].domainName = "gone.s3.eu-west-1.amazonaws.com";
            });
            assert.deepEqual(failing(missingBucket), ["CloudFront.12 site-cdn"]);
            const noOac = broken(prod(), TYPES.distribution, (state) => delete state.origins[0].originAccessControlId);
            assert.deepEqual(failing(noOac), ["CloudFront.13 site-cdn"]);
            const unlogged = broken(prod(), TYPES.methodSettings, (state) => {
                state.settings.loggingLevel = "OFF";
            });
            assert.deepEqual(failing(unlogged), ["APIGateway.1 api-stage"]);
            // A method's own settings below ERROR override the stage's */* for that method.
            const withOverride = (loggingLevel: string): CapturedStack => {
                const settings = onlyResourceOfType(prod(), TYPES.methodSettings);
                const state = { ...structuredClone(settings.state), methodPath: "api/GET", settings: { loggingLevel } };
                const override = { ...settings, name: "api-get-settings", inputs: state, state };
                return { ...prod(), resources: [...prod().resources, override] };
            };
            assert.deepEqual(failing(withOverride("OFF")), ["APIGateway.1 api-stage"]);
            assert.deepEqual(failing(withOverride("INFO")), []);
            const denyFromSomeAddresses = broken(prod(), TYPES.bucketPolicy, (state) => {
                const document = JSON.parse(state.policy);
                const deny = document.Statement.find((s: { Effect: string }) => s.Effect === "Deny");
                deny.Condition.IpAddress = { "aws:SourceIp": "203.0.113.0/24" };
                state.policy = JSON.stringify(document);
            });
            assert.deepEqual(failing(denyFromSomeAddresses), ["S3.5 logs-bucket", "S3.5 site-bucket"]);
            const untraced = broken(prod(), TYPES.stage, (state) => {
                state.xrayTracingEnabled = false;
            });
            assert.deepEqual(failing(untraced), ["APIGateway.3 api-stage"]);
            const anyone = broken(prod(), TYPES.permission, (state) => {
                delete state.sourceArn;
            });
            assert.ok(
                failing(anyone).length > 0 && failing(anyone).every((f) => f.startsWith("Lambda.1 ")),
                failing(anyone).join(),
            );
            const oldRuntime = broken(prod(), TYPES.lambdaFunction, (state) => {
                state.runtime = "nodejs16.x";
            });
            assert.ok(
                failing(oldRuntime).length > 0 && failing(oldRuntime).every((f) => f.startsWith("Lambda.2 ")),
                failing(oldRuntime).join(),
            );
            const weakKey = broken(prod(), TYPES.certificate, (state) => {
                state.keyAlgorithm = "RSA_1024";
            });
            assert.ok(
                failing(weakKey).length > 0 && failing(weakKey).every((f) => f.startsWith("ACM.2 ")),
                failing(weakKey).join(),
            );
        });
    });

    describe("prod settings", () => {
        it("reaches the API through a custom domain, a placeholder until a real zone is set", () => {
            const stack = captures.get(key("prod", false))!;
            assert.equal(writtenValue("prod", "proxyMode"), "custom-domain");
            const customDomain = writtenValue("prod", "customDomain");
            assert.equal(customDomain.domainName, "api.example.com");
            assert.equal(customDomain.hostedZoneName, "example.com");
            assert.equal(onlyResourceOfType(stack, TYPES.domainName).inputs.domainName, "api.example.com");
        });

        it("would fail config validation with a custom domain that is not a DNS name", async () => {
            const customDomain = readStackFile("prod")[`${CONFIG_NAMESPACE}:customDomain`] as Record<string, unknown>;
            const message = await rejection("prod", {
                [`${CONFIG_NAMESPACE}:customDomain`]: { ...customDomain, domainName: "API.example.com" },
            });
            assert.match(message, /same-origin:customDomain\.domainName is "API\.example\.com"/);
        });

        it("caches authorizer decisions and serves from every edge location", () => {
            const stack = captures.get(key("prod", false))!;
            assert.equal(onlyResourceOfType(stack, TYPES.distribution).inputs.priceClass, "PriceClass_All");
            const body = JSON.parse(onlyResourceOfType(stack, TYPES.restApi).inputs.body);
            assert.equal(
                body.securityDefinitions["token-authorizer"]["x-amazon-apigateway-authorizer"]
                    .authorizerResultTtlInSeconds,
                300,
            );
        });
    });
});
