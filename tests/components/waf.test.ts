import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../capture/capture";
import { TYPES } from "../../capture/types";
import { WebAcls, type WebAclsArgs } from "../../infra/waf";
import { ComponentRun, componentFailure, named, runComponent } from "../support/component-harness";

const STAGE_ARN = "arn:aws:apigateway:eu-west-1::/restapis/abc123defg/stages/prod";
const ARGS: WebAclsArgs = { rateLimit: 500, stageArn: STAGE_ARN };

const runWaf = (args: Partial<WebAclsArgs> = {}, preview = false) =>
    runComponent(() => new WebAcls("waf", { ...ARGS, ...args }), { preview });

const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
});

/** The managed groups both web ACLs run, after the rate rule, written out. */
const managedRules = (aclName: string) => [
    {
        name: "AWSManagedRulesCommonRuleSet",
        priority: 1,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: "AWSManagedRulesCommonRuleSet",
                // Blocks bodies over 8 KB (AWS knowledge center, waf-http-request-body-inspection):
                // counted, so API POSTs above 8 KB go through.
                ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }],
            },
        },
        visibilityConfig: visibility(`${aclName}-AWSManagedRulesCommonRuleSet`),
    },
    {
        name: "AWSManagedRulesKnownBadInputsRuleSet",
        priority: 2,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } },
        visibilityConfig: visibility(`${aclName}-AWSManagedRulesKnownBadInputsRuleSet`),
    },
];

describe("WebAcls", () => {
    describe("up", () => {
        let run: ComponentRun<WebAcls>;
        before(async () => {
            run = await runWaf();
        });

        it("is a same-origin:waf:WebAcls holding two web ACLs and the stage's association", () => {
            const component = named(run, "waf");
            assert.equal(component.type, "same-origin:waf:WebAcls");
            assert.deepEqual(
                run.resources
                    .filter((r) => r.parent === component.urn)
                    .map((r) => `${r.type} ${r.name}`)
                    .sort(),
                [
                    `${TYPES.webAcl} waf-api`,
                    `${TYPES.webAcl} waf-cloudfront`,
                    `${TYPES.webAclAssociation} waf-api-association`,
                ],
            );
        });

        // CLOUDFRONT-scope web ACLs are managed in us-east-1 ("For CloudFront distributions, the Region
        // is hard-coded to us-east-1", WAF Developer Guide; aws-facts item 10).
        it("creates the CloudFront web ACL in us-east-1 with CLOUDFRONT scope, allowing by default", () => {
            const acl = named(run, "waf-cloudfront");
            assert.equal(acl.inputs.region, "us-east-1");
            assert.equal(acl.inputs.scope, "CLOUDFRONT");
            assert.equal(acl.inputs.name, "same-origin-test-waf-cloudfront");
            assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
            assert.deepEqual(acl.inputs.visibilityConfig, visibility("same-origin-test-waf-cloudfront"));
            assert.match(
                acl.state.arn,
                /^arn:aws:wafv2:us-east-1:123456789012:global\/webacl\/same-origin-test-waf-cloudfront\//,
            );
        });

        it("creates the API's web ACL with REGIONAL scope in the stack's region, allowing by default", () => {
            const acl = named(run, "waf-api");
            assert.equal(acl.inputs.region, undefined, "the provider's region: the stack's");
            assert.equal(acl.inputs.scope, "REGIONAL");
            assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
            assert.deepEqual(acl.inputs.visibilityConfig, visibility("same-origin-test-waf-api"));
            assert.match(acl.state.arn, /^arn:aws:wafv2:eu-west-1:123456789012:regional\/webacl\//);
        });

        it("blocks an IP past rateLimit requests in 5 minutes at the edge, then runs the managed groups", () => {
            assert.deepEqual(named(run, "waf-cloudfront").inputs.rules, [
                {
                    name: "rate-limit-per-ip",
                    priority: 0,
                    action: { block: {} },
                    statement: { rateBasedStatement: { limit: 500, evaluationWindowSec: 300, aggregateKeyType: "IP" } },
                    visibilityConfig: visibility("same-origin-test-waf-cloudfront-rate-limit-per-ip"),
                },
                ...managedRules("same-origin-test-waf-cloudfront"),
            ]);
        });

        // Behind CloudFront the stage's caller is a CloudFront server; the viewer is in X-Forwarded-For
        // (WAF Developer Guide, "Using forwarded IP addresses").
        it("counts the API's requests per viewer address from X-Forwarded-For, then runs the same managed groups", () => {
            assert.deepEqual(named(run, "waf-api").inputs.rules, [
                {
                    name: "rate-limit-per-ip",
                    priority: 0,
                    action: { block: {} },
                    statement: {
                        rateBasedStatement: {
                            limit: 500,
                            evaluationWindowSec: 300,
                            aggregateKeyType: "FORWARDED_IP",
                            forwardedIpConfig: { headerName: "X-Forwarded-For", fallbackBehavior: "NO_MATCH" },
                        },
                    },
                    visibilityConfig: visibility("same-origin-test-waf-api-rate-limit-per-ip"),
                },
                ...managedRules("same-origin-test-waf-api"),
            ]);
        });

        it("associates the regional web ACL with the stage", () => {
            assert.deepEqual(named(run, "waf-api-association").inputs, {
                resourceArn: STAGE_ARN,
                webAclArn: named(run, "waf-api").state.arn,
            });
        });

        it("reports both web ACLs' ARNs; the distribution takes the CloudFront one", () => {
            assert.deepEqual(run.outputs, {
                cloudFrontWebAclArn: named(run, "waf-cloudfront").state.arn,
                apiWebAclArn: named(run, "waf-api").state.arn,
            });
        });
    });

    describe("preview", () => {
        it("knows the rules from its arguments, not the ARNs", async () => {
            const run = await runWaf({ rateLimit: 2000 }, true);
            assert.equal(named(run, "waf-cloudfront").inputs.rules[0].statement.rateBasedStatement.limit, 2000);
            assert.equal(named(run, "waf-api-association").inputs.webAclArn, UNKNOWN);
            assert.deepEqual(run.outputs, { cloudFrontWebAclArn: UNKNOWN, apiWebAclArn: UNKNOWN });
        });
    });

    describe("refusals", () => {
        for (const rateLimit of [9, 2_000_000_001, 100.5]) {
            it(`refuses a rate limit of ${rateLimit}, before creating anything`, async () => {
                const failure = await componentFailure(() => new WebAcls("waf", { ...ARGS, rateLimit }));
                assert.ok(failure.cause instanceof pulumi.ResourceError, String(failure.cause));
                assert.equal(
                    failure.message,
                    `rateLimit is ${rateLimit}; AWS WAF's rate-based rules take a whole number of requests from 10 to 2000000000`,
                );
                assert.deepEqual(
                    failure.resources.filter((r) => r.custom),
                    [],
                );
            });
        }
    });
});
