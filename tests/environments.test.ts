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
import { evaluatePolicies } from "./support/policy-harness";
import { policies } from "../policy/rules";

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
                it(`passes the policy pack${preview ? " in a preview" : ""}`, async () => {
                    const result = await evaluatePolicies(policies, captures.get(key(environment, preview))!.resources);
                    assert.deepEqual(result.violations, []);
                    if (!preview) {
                        assert.deepEqual(result.notRunDuringPreview, []);
                    }
                });
            }
        });
    }

    describe("Security Hub FSBP controls of the edge side (tests/support/fsbp.ts)", () => {
        const prod = () => captures.get(key("prod", false))!;
        const failing = (stack: CapturedStack) => fsbpFindings(stack).findings.map((f) => `${f.control} ${f.resource}`);

        it("prod passes CloudFront.5 and .6, APIGateway.4, S3.5, S3.8 and S3.9, suppressed on the log bucket alone", () => {
            assert.equal(writtenValue("prod", "waf").enabled, true);
            const { findings, suppressed } = fsbpFindings(prod());
            assert.deepEqual(findings, []);
            assert.deepEqual(
                suppressed.map((f) => `${f.control} ${f.resource}`),
                ["S3.9 logs-bucket"],
            );
        });

        it("dev, with WAF off, fails CloudFront.6 and APIGateway.4 only", () => {
            assert.equal(writtenValue("dev", "waf"), undefined, "Pulumi.dev.yaml leaves waf at its default, off");
            assert.deepEqual(failing(captures.get(key("dev", false))!), [
                "CloudFront.6 site-cdn",
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
