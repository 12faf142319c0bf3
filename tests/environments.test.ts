import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_KEYS, CONFIG_NAMESPACE, PRICE_CLASSES, RawStackConfig, StackConfig, validateStackConfig } from "../infra/config";
import { captureStack, CapturedStack, PROJECT_DIR, readStackFile, resourcesOfType } from "../local/graph";
import { evaluatePolicies } from "../policy/evaluate";
import { policies } from "../policy/rules";

/** The deployed environments: a stack file each, previewed and deployed by the workflows. */
const ENVIRONMENTS = ["dev", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];

/** The raw config a stack's program receives, in the shape validateStackConfig takes. */
function rawConfig(config: Readonly<Record<string, string>>): { raw: RawStackConfig; unknownKeys: string[] } {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const projectKeys = Object.keys(config).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    const value = (key: string) => config[`${prefix}${key}`];
    const raw: Record<string, unknown> = { region: config["aws:region"] };
    for (const key of CONFIG_KEYS) {
        raw[key] = key === "customDomain" && value(key) !== undefined ? JSON.parse(value(key)) : value(key);
    }
    return {
        raw: raw as RawStackConfig,
        unknownKeys: projectKeys.filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k)).map((k) => `${prefix}${k}`),
    };
}

/** The typed config of a captured stack, validated as the program validates it. */
function validatedConfig(stack: CapturedStack): StackConfig {
    const { raw, unknownKeys } = rawConfig(stack.config);
    return validateStackConfig(raw, unknownKeys);
}

/** The types Pulumi.yaml declares for the project's keys; the CLI rejects a stack value of another type. */
function declaredTypes(): Record<string, string> {
    const project = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    return Object.fromEntries(Object.entries<{ type: string }>(project.config).map(([key, d]) => [key, d.type]));
}

const captures = new Map<string, CapturedStack>();
const key = (environment: Environment, preview: boolean) => `${environment}${preview ? " (preview)" : ""}`;

describe("environments", function () {
    this.timeout(120_000);

    before(async () => {
        for (const environment of ENVIRONMENTS) {
            for (const preview of [false, true]) {
                captures.set(key(environment, preview), await captureStack({ stack: environment, preview }));
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
                    const expected = types[keyName] === "integer" ? Number.isInteger(value) : typeof value === types[keyName];
                    assert.ok(expected, `${name}: ${JSON.stringify(value)} is not a Pulumi.yaml ${types[keyName]}`);
                }
            });

            for (const preview of [false, true]) {
                it(`passes config validation${preview ? " in a preview" : ""}`, () => {
                    const stack = captures.get(key(environment, preview))!;
                    assert.doesNotThrow(() => validatedConfig(stack));
                    assert.ok(stack.config["aws:region"], "aws:region is set");
                });

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

    describe("prod settings", () => {
        it("reaches the API through a custom domain, a placeholder until a real zone is set", () => {
            const config = validatedConfig(captures.get(key("prod", false))!);
            assert.equal(config.proxyMode, "custom-domain");
            assert.equal(config.customDomain?.domainName, "api.example.com");
            assert.equal(config.customDomain?.hostedZoneName, "example.com");
        });

        it("caches authorizer decisions and hands its price class to the distribution", () => {
            const stack = captures.get(key("prod", false))!;
            const config = validatedConfig(stack);
            assert.ok(config.authorizerCacheTtl > 0);
            assert.ok((PRICE_CLASSES as readonly string[]).includes(config.priceClass));
            const [distribution] = resourcesOfType(stack, "aws:cloudfront/distribution:Distribution");
            assert.equal(distribution.inputs.priceClass, config.priceClass);
            const [restApi] = resourcesOfType(stack, "aws:apigateway/restApi:RestApi");
            assert.match(restApi.inputs.body, new RegExp(`"authorizerResultTtlInSeconds":${config.authorizerCacheTtl}\\b`));
        });
    });
});
