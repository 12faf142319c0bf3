import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
    CONFIG,
    CONFIG_KEYS,
    CONFIG_NAMESPACE,
    ConfigError,
    DEFAULTS,
    RawStackConfig,
    renderProblem,
    validateStackConfig,
} from "../infra/config";

const VALID_DOMAIN = { domainName: "api.example.com", hostedZoneName: "example.com" };

/** The problems validateStackConfig reports for a raw config, or [] when it is valid. */
function problemsOf(raw: RawStackConfig, unknownKeys: string[] = []): readonly string[] {
    try {
        validateStackConfig({ region: "eu-west-1", ...raw }, unknownKeys);
        return [];
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        return error.problems.map((p) => renderProblem(p, error.values));
    }
}

/** Asserts exactly one problem, naming the key and the value seen, and returns it. */
function onlyProblem(raw: RawStackConfig, keyName: string, seen: string): string {
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join("\n")}`);
    assert.ok(problems[0].includes(keyName), `"${problems[0]}" does not name ${keyName}`);
    assert.ok(problems[0].includes(seen), `"${problems[0]}" does not show the value ${seen}`);
    return problems[0];
}

describe("stack config validation", () => {
    it("applies the documented defaults", () => {
        assert.deepEqual(validateStackConfig({ region: "eu-west-1" }), {
            region: "eu-west-1",
            proxyMode: "direct-stage",
            apiPath: "/api",
            stageName: "prod",
            pathRewriter: "none",
            customDomain: undefined,
            authorizerCacheTtl: 0,
            priceClass: "PriceClass_100",
            auth: { provider: "cognito", scopes: [] },
            originLockdown: true,
            throttle: { rateLimit: 100, burstLimit: 200 },
            waf: { enabled: false, rateLimit: 1000 },
            logs: { retentionDays: 30, apiGatewayCloudWatchRole: "create" },
            siteDomain: undefined,
            backends: [],
            cors: undefined,
        });
    });

    describe("object keys with a default per field", () => {
        it("keep the default of every field not given", () => {
            const config = validateStackConfig({
                region: "eu-west-1",
                throttle: '{"rateLimit":20}',
                waf: { enabled: true },
                logs: { retentionDays: 365 },
            });
            assert.deepEqual(config.throttle, { rateLimit: 20, burstLimit: 200 });
            assert.deepEqual(config.waf, { enabled: true, rateLimit: 1000 });
            assert.deepEqual(config.logs, { retentionDays: 365, apiGatewayCloudWatchRole: "create" });
        });
        for (const [raw, key, seen, fix] of [
            [
                { throttle: { rateLimit: 0 } },
                "same-origin:throttle.rateLimit",
                "0",
                "pulumi config set --path 'same-origin:throttle.rateLimit' 100",
            ],
            [
                { throttle: { burstLimit: 6000 } },
                "same-origin:throttle.burstLimit",
                "6000",
                "pulumi config set --path 'same-origin:throttle.burstLimit' 200",
            ],
            [
                { throttle: { ratelimit: 5 } },
                "same-origin:throttle.ratelimit",
                "did you mean rateLimit?",
                "pulumi config rm --path 'same-origin:throttle.ratelimit'",
            ],
            [
                { waf: { enabled: "yes" } },
                "same-origin:waf.enabled",
                '"yes"',
                "pulumi config set --path 'same-origin:waf.enabled' true",
            ],
            [
                { waf: { rateLimit: 5 } },
                "same-origin:waf.rateLimit",
                "5",
                "pulumi config set --path 'same-origin:waf.rateLimit' 1000",
            ],
            [
                { logs: { retentionDays: 31 } },
                "same-origin:logs.retentionDays",
                "31",
                "pulumi config set --path 'same-origin:logs.retentionDays' 30",
            ],
            [
                { logs: { apiGatewayCloudWatchRole: "mine" } },
                "same-origin:logs.apiGatewayCloudWatchRole",
                '"mine"',
                "pulumi config set --path 'same-origin:logs.apiGatewayCloudWatchRole' create",
            ],
            [
                { originLockdown: "no" },
                "same-origin:originLockdown",
                '"no"',
                "pulumi config set same-origin:originLockdown true",
            ],
        ] as const) {
            it(`refuses ${JSON.stringify(raw)}, naming ${key}`, () => {
                const problem = onlyProblem(raw as RawStackConfig, key, seen);
                assert.ok(problem.endsWith(`Fix: ${fix}`), problem);
            });
        }
    });

    it("keeps every valid value as given", () => {
        const config = validateStackConfig({
            region: "us-west-2",
            proxyMode: "custom-domain",
            apiPath: "/v1/backend",
            stageName: "live_2",
            pathRewriter: "lambda-edge",
            authorizerCacheTtl: "3600",
            priceClass: "PriceClass_All",
            customDomain: { ...VALID_DOMAIN, basePath: "v1.2_beta-x" },
        });
        assert.equal(config.apiPath, "/v1/backend");
        assert.equal(config.authorizerCacheTtl, 3600);
        assert.deepEqual(config.customDomain, {
            ...VALID_DOMAIN,
            hostedZoneId: undefined,
            certificateArn: undefined,
            basePath: "v1.2_beta-x",
        });
    });

    it("is what Pulumi.yaml declares: every scalar key with its type, default and description", () => {
        const project = parseYaml(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
        assert.equal(project.name, CONFIG_NAMESPACE);
        const expected = Object.fromEntries(
            CONFIG_KEYS.filter((k) => CONFIG[k].type !== "object").map((k) => [
                k,
                { type: CONFIG[k].type, default: CONFIG[k].default, description: CONFIG[k].description },
            ]),
        );
        assert.deepEqual(project.config, expected);
    });

    it("documents every key: a description, and a default for every scalar key", () => {
        for (const name of CONFIG_KEYS) {
            assert.ok(CONFIG[name].description.length > 20, `${name} needs a description`);
            if (CONFIG[name].type !== "object") {
                assert.notEqual(CONFIG[name].default, undefined, name);
            }
        }
        assert.deepEqual(
            Object.keys(DEFAULTS),
            CONFIG_KEYS.filter((k) => CONFIG[k].default !== undefined),
        );
    });

    describe("suggests what a mistyped name meant", () => {
        it("a project key in the wrong case or with a typo", () => {
            for (const typo of ["proxymode", "proxyMod", "prxyMode"]) {
                const [problem] = problemsOf({}, [`same-origin:${typo}`]);
                assert.match(
                    problem,
                    new RegExp(
                        `same-origin:${typo} is not a config key of this program; did you mean same-origin:proxyMode\\?`,
                    ),
                );
                assert.match(problem, new RegExp(`Fix: pulumi config rm same-origin:${typo}$`));
            }
        });
        it("nothing for a name close to no key", () => {
            const [problem] = problemsOf({}, ["same-origin:zzzzzz"]);
            assert.doesNotMatch(problem, /did you mean/);
        });
        it("a field of an object key", () => {
            const problems = problemsOf({
                proxyMode: "custom-domain",
                customDomain: { ...VALID_DOMAIN, basepath: "v1" },
            });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                /same-origin:customDomain\.basepath is not a known field; did you mean basePath\?/,
            );
            assert.match(problems[0], /Fix: pulumi config rm --path 'same-origin:customDomain\.basepath'$/);
        });
    });

    describe("phrases the fix for where the value came from", () => {
        const failure = (raw: RawStackConfig): ConfigError => {
            try {
                validateStackConfig({ region: "eu-west-1", ...raw });
            } catch (error) {
                assert.ok(error instanceof ConfigError);
                return error;
            }
            assert.fail("the config was accepted");
        };
        it("a stack file: pulumi config set", () => {
            const error = failure({ apiPath: "/api/" });
            assert.match(
                renderProblem(error.problems[0], error.values, () => "stack"),
                /Fix: pulumi config set same-origin:apiPath \/api$/,
            );
        });
        it("npm start -- --config: the flag to pass instead", () => {
            const error = failure({ apiPath: "/api/" });
            assert.match(
                renderProblem(error.problems[0], error.values, () => "command-line"),
                /Fix: --config apiPath=\/api$/,
            );
        });
        it("a field of an object given on the command line: the whole corrected object", () => {
            const error = failure({
                proxyMode: "custom-domain",
                customDomain: JSON.stringify({ ...VALID_DOMAIN, basePath: "/v1" }),
            });
            assert.equal(error.problems.length, 1);
            assert.equal(
                renderProblem(error.problems[0], error.values, () => "command-line").replace(/^.*Fix: /, ""),
                `--config 'customDomain={"domainName":"api.example.com","hostedZoneName":"example.com","basePath":"v1"}'`,
            );
            assert.equal(
                renderProblem(error.problems[0], error.values, () => "stack").replace(/^.*Fix: /, ""),
                "pulumi config set --path 'same-origin:customDomain.basePath' v1",
            );
        });
    });

    describe("rejects, naming the key, the value and the fix", () => {
        it("an unknown proxyMode", () => {
            const problem = onlyProblem({ proxyMode: "direct" }, "same-origin:proxyMode", '"direct"');
            assert.match(problem, /"direct-stage", "custom-domain"/);
        });
        for (const apiPath of ["api", "/api/*", "/", "/api/", "/a?b", "//api", "/api/../x", "/a b", "/a~b", ""]) {
            it(`apiPath ${JSON.stringify(apiPath)}`, () => {
                const problem = onlyProblem({ apiPath }, "same-origin:apiPath", JSON.stringify(apiPath));
                assert.match(problem, /Fix: pulumi config set same-origin:apiPath \/api/);
            });
        }
        for (const stageName of ["", "my stage", "a/b", "x".repeat(129)]) {
            it(`stageName ${JSON.stringify(stageName).slice(0, 20)}`, () => {
                onlyProblem({ stageName }, "same-origin:stageName", JSON.stringify(stageName));
            });
        }
        it("an unknown pathRewriter", () => {
            onlyProblem({ pathRewriter: "cloudfront-functions" }, "same-origin:pathRewriter", '"cloudfront-functions"');
        });
        for (const ttl of ["-1", "3601", "1.5", "ten", "", "1e3"]) {
            it(`authorizerCacheTtl ${JSON.stringify(ttl)}`, () => {
                const problem = onlyProblem(
                    { authorizerCacheTtl: ttl },
                    "same-origin:authorizerCacheTtl",
                    JSON.stringify(ttl),
                );
                assert.match(problem, /0 .*3600/);
            });
        }
        it("an unknown priceClass", () => {
            onlyProblem({ priceClass: "PriceClass_300" }, "same-origin:priceClass", '"PriceClass_300"');
        });
        it("a missing or malformed aws:region", () => {
            assert.match(
                problemsOf({ region: undefined }).join(),
                /aws:region is not set.*pulumi config set aws:region/,
            );
            onlyProblem({ region: "Europe" }, "aws:region", '"Europe"');
        });
        it("an unknown key in the project namespace", () => {
            const problems = problemsOf({}, ["same-origin:apipath"]);
            assert.equal(problems.length, 1);
            assert.match(problems[0], /same-origin:apipath is not a config key.*same-origin:apiPath/);
        });
    });

    describe("custom domain", () => {
        it("is required in custom-domain mode", () => {
            const problem = onlyProblem({ proxyMode: "custom-domain" }, "same-origin:customDomain", "missing");
            assert.match(problem, /pulumi config set --path/);
        });
        it("needs a domainName", () => {
            onlyProblem(
                { proxyMode: "custom-domain", customDomain: { hostedZoneName: "example.com" } },
                "same-origin:customDomain.domainName",
                "missing",
            );
        });
        it("needs a zone or a certificate", () => {
            const problem = onlyProblem(
                { proxyMode: "custom-domain", customDomain: { domainName: "api.example.com" } },
                "same-origin:customDomain",
                "neither a hosted zone nor a certificate",
            );
            assert.match(problem, /hostedZoneName or hostedZoneId .* certificateArn/);
        });
        it("accepts a certificate without a zone", () => {
            assert.deepEqual(
                problemsOf({
                    proxyMode: "custom-domain",
                    customDomain: {
                        domainName: "api.example.com",
                        certificateArn:
                            "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
                    },
                }),
                [],
            );
        });
        it("refuses a certificate from another region", () => {
            onlyProblem(
                {
                    proxyMode: "custom-domain",
                    customDomain: {
                        domainName: "api.example.com",
                        certificateArn:
                            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
                    },
                },
                "same-origin:customDomain.certificateArn",
                "us-east-1",
            );
        });
        for (const [field, value] of [
            ["domainName", "API.example.com"],
            ["domainName", "https://api.example.com"],
            ["hostedZoneId", "zone-1"],
            ["basePath", "/v1"],
            ["basePath", "v1/"],
            ["basePath", "v1/x"],
            ["basePath", "v~1"],
            ["certificateArn", "arn:aws:iam::1:role/x"],
            ["domainName", 42],
        ] as const) {
            it(`refuses ${field} ${JSON.stringify(value)}`, () => {
                const problems = problemsOf({
                    proxyMode: "custom-domain",
                    customDomain: { ...VALID_DOMAIN, [field]: value },
                });
                assert.ok(
                    problems.some((p) => p.includes(`customDomain.${field}`) && p.includes(JSON.stringify(value))),
                    problems.join("\n"),
                );
            });
        }
        it("refuses a domain outside its zone, two zones, and unknown fields", () => {
            assert.match(
                problemsOf({
                    proxyMode: "custom-domain",
                    customDomain: { domainName: "api.other.org", hostedZoneName: "example.com" },
                }).join(),
                /not inside/,
            );
            assert.match(
                problemsOf({
                    proxyMode: "custom-domain",
                    customDomain: { ...VALID_DOMAIN, hostedZoneId: "Z123ABC" },
                }).join(),
                /both hostedZoneName .* and hostedZoneId/,
            );
            assert.match(
                problemsOf({ proxyMode: "custom-domain", customDomain: { ...VALID_DOMAIN, basepath: "v1" } }).join(),
                /customDomain.basepath is not a known field/,
            );
            assert.match(
                problemsOf({ proxyMode: "custom-domain", customDomain: "api.example.com" }).join(),
                /must be a JSON object like \{ "domainName"/,
            );
        });
        it("is refused in direct-stage mode rather than silently ignored", () => {
            onlyProblem({ customDomain: VALID_DOMAIN }, "same-origin:customDomain", '"direct-stage"');
        });
    });

    it("gives a fix with every problem", () => {
        const problems = problemsOf(
            {
                region: "Europe",
                proxyMode: "custom-domain",
                apiPath: "api",
                stageName: "a b",
                pathRewriter: "x",
                authorizerCacheTtl: "-1",
                priceClass: "x",
                customDomain: {
                    domainName: "API",
                    hostedZoneName: "example.com",
                    hostedZoneId: "zone",
                    certificateArn: "arn",
                    basePath: "/v1",
                    extra: 1,
                },
            },
            ["same-origin:typo"],
        );
        assert.ok(problems.length >= 12, problems.join("\n"));
        for (const problem of problems) {
            assert.match(problem, /Fix: /, problem);
        }
    });

    it("reports every problem at once", () => {
        const problems = problemsOf({ proxyMode: "x", apiPath: "api", authorizerCacheTtl: "-5", priceClass: "cheap" });
        assert.equal(problems.length, 4);
        assert.throws(() => validateStackConfig({ region: "eu-west-1", apiPath: "api", stageName: "a b" }), {
            message: /^Invalid stack config \(2 problems\):\n {2}- /,
        });
    });
});

describe("config for your app on your domain", () => {
    const BILLING = { path: "/billing", url: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod" };

    it("keeps siteDomain, backends and cors as given, with their defaults", () => {
        const config = validateStackConfig({
            region: "eu-west-1",
            siteDomain: { domainName: "www.example.com", hostedZoneName: "example.com" },
            backends: JSON.stringify([
                BILLING,
                { path: "/v2/orders", url: "https://orders.example.net", stripPath: true },
            ]),
            cors: {
                allowOrigins: ["https://partner.example.com", "http://localhost:5173"],
                exposeHeaders: ["X-Request-Id"],
            },
        });
        assert.deepEqual(config.siteDomain, {
            domainName: "www.example.com",
            hostedZoneName: "example.com",
            hostedZoneId: undefined,
            certificateArn: undefined,
        });
        assert.deepEqual(config.backends, [
            { ...BILLING, stripPath: false },
            { path: "/v2/orders", url: "https://orders.example.net", stripPath: true },
        ]);
        assert.deepEqual(config.cors, {
            allowOrigins: ["https://partner.example.com", "http://localhost:5173"],
            allowCredentials: false,
            allowHeaders: [
                "authorization",
                "content-type",
                "x-amz-date",
                "x-amz-security-token",
                "x-amz-content-sha256",
            ],
            exposeHeaders: ["x-request-id"],
            maxAgeSeconds: 600,
        });
    });

    for (const [raw, key, seen] of [
        [
            {
                siteDomain: {
                    domainName: "www.example.com",
                    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
                },
            },
            "same-origin:siteDomain.certificateArn",
            "in eu-west-1; CloudFront takes certificates from us-east-1 only",
        ],
        [
            { siteDomain: { domainName: "WWW", hostedZoneName: "example.com" } },
            "same-origin:siteDomain.domainName",
            '"WWW"',
        ],
        [
            { siteDomain: { domainName: "www.example.com" } },
            "same-origin:siteDomain",
            "neither a hosted zone nor a certificate",
        ],
        [
            { backends: [{ ...BILLING, url: "http://abc.example.com" }] },
            "same-origin:backends[0].url",
            '"http://abc.example.com"',
        ],
        [
            { backends: [{ ...BILLING, url: "https://abc.example.com/" }] },
            "same-origin:backends[0].url",
            "trailing slash",
        ],
        [
            { backends: [{ ...BILLING, url: "https://abc.example.com:8443" }] },
            "same-origin:backends[0].url",
            "without port",
        ],
        [{ backends: [{ ...BILLING, url: "https://203.0.113.7/prod" }] }, "same-origin:backends[0].url", "DNS name"],
        [{ backends: [{ ...BILLING, url: "https://billing/prod" }] }, "same-origin:backends[0].url", "DNS name"],
        [{ cors: { allowOrigins: [] } }, "same-origin:cors.allowOrigins", "remove the key cors"],
        [{ cors: { allowOrigins: ["*", "https://a.example.com"] } }, "same-origin:cors.allowOrigins", 'list "*" alone'],
        [
            { cors: { allowOrigins: ["https://a.example.com", "https://a.example.com"] } },
            "same-origin:cors.allowOrigins",
            "listed twice",
        ],
        [
            { cors: { allowOrigins: ["https://a.example.com"], allowCredentials: true, allowHeaders: ["*"] } },
            "same-origin:cors.allowHeaders",
            'header named "*"',
        ],
        [
            { cors: { allowOrigins: ["https://a.example.com"], allowCredentials: true, exposeHeaders: ["*"] } },
            "same-origin:cors.exposeHeaders",
            'header named "*"',
        ],
        [{ backends: [{ url: BILLING.url }] }, "same-origin:backends[0].path", "is missing"],
        [{ backends: [{ ...BILLING, path: "billing" }] }, "same-origin:backends[0].path", '"billing"'],
        [{ backends: [{ ...BILLING, path: "/assets" }] }, "same-origin:backends[0].path", "a name the site uses"],
        [{ backends: [{ ...BILLING, path: "/config.json" }] }, "same-origin:backends[0].path", "a name the site uses"],
        [
            { backends: [{ ...BILLING, path: "/api/billing" }] },
            "same-origin:backends[0].path",
            'overlaps same-origin:apiPath ("/api")',
        ],
        [
            { backends: [BILLING, { ...BILLING, path: "/billing/v2" }] },
            "same-origin:backends[1].path",
            "overlaps same-origin:backends[0].path",
        ],
        [{ backends: [{ ...BILLING, stripPath: "yes" }] }, "same-origin:backends[0].stripPath", '"yes"'],
        [{ backends: [{ ...BILLING, origin: "x" }] }, "same-origin:backends[0].origin", "not a known field"],
        [{ backends: { path: "/billing" } }, "same-origin:backends", "it must be a list"],
        [{ apiPath: "/assets" }, "same-origin:apiPath", "a name the site uses"],
        [
            { cors: { allowOrigins: ["https://partner.example.com/app"] } },
            "same-origin:cors.allowOrigins[0]",
            "nothing after",
        ],
        [
            { cors: { allowOrigins: ["http://partner.example.com"] } },
            "same-origin:cors.allowOrigins[0]",
            "plain http only for localhost",
        ],
        [{ cors: { allowOrigins: ["*.example.com"] } }, "same-origin:cors.allowOrigins[0]", "not a URL"],
        [{ cors: { allowOrigins: ["https://*.example.com"] } }, "same-origin:cors.allowOrigins[0]", "wildcard"],
        [
            { cors: { allowOrigins: ["*"], allowCredentials: true } },
            "same-origin:cors",
            'credentials with the origin "*"',
        ],
        [{ cors: {} }, "same-origin:cors.allowOrigins", "is missing"],
        [
            { cors: { allowOrigins: ["https://a.example.com"], allowHeaders: ["x y"] } },
            "same-origin:cors.allowHeaders[0]",
            '"x y"',
        ],
        [
            { cors: { allowOrigins: ["https://a.example.com"], maxAgeSeconds: 90000 } },
            "same-origin:cors.maxAgeSeconds",
            "90000",
        ],
    ] as const) {
        it(`refuses ${JSON.stringify(raw)}, naming ${key}`, () => {
            const problem = onlyProblem(raw as RawStackConfig, key, seen);
            assert.match(problem, /Fix: /);
        });
    }

    it("accepts * without credentials: any site may call the public routes", () => {
        assert.deepEqual(
            validateStackConfig({ region: "eu-west-1", cors: { allowOrigins: ["*"] } }).cors?.allowOrigins,
            ["*"],
        );
    });

    it("refuses more backends than CloudFront's cache behaviors quota leaves room for", () => {
        const backends = (count: number) =>
            Array.from({ length: count }, (_, i) => ({ path: `/service${i}`, url: `https://s${i}.example.com` }));
        assert.deepEqual(problemsOf({ backends: backends(11) }), []);
        const problem = onlyProblem(
            { backends: backends(12) },
            "same-origin:backends",
            "26 cache behaviors, over CloudFront's default quota of 25",
        );
        assert.match(problem, /Fix: list at most 11 backends/);
    });

    it("refuses one name for the site and the API's custom domain", () => {
        onlyProblem(
            {
                proxyMode: "custom-domain",
                customDomain: { domainName: "www.example.com", hostedZoneName: "example.com" },
                siteDomain: { domainName: "www.example.com", hostedZoneName: "example.com" },
            },
            "same-origin:siteDomain.domainName",
            '"www.example.com"',
        );
    });
});
