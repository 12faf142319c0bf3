import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EDGE_REGION } from "../core/cloudfront";
import { WAF_MAX_RATE_LIMIT, WAF_MIN_RATE_LIMIT } from "./config";

/** Where a web ACL sits: on a CloudFront distribution, or on a regional resource (the API Gateway stage). */
export type WebAclScope = "CLOUDFRONT" | "REGIONAL";

/**
 * The AWS managed rule groups both web ACLs run, at no charge beyond the rule-group fee ("All other
 * AWS Managed Rules rule groups are available to AWS WAF customers at no additional cost" than Bot
 * Control and fraud control, https://docs.aws.amazon.com/waf/latest/developerguide/waf-managed-rule-groups.html):
 * the core rule set (XSS, LFI/RFI, EC2 metadata SSRF, oversize parts, missing User-Agent) and known
 * bad inputs (Log4j and Java deserialization exploits, `localhost` Host headers, ...), "Baseline
 * rule groups", aws-managed-rule-groups-baseline.html.
 */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;

/**
 * Managed rules counted instead of blocking, by group. The core rule set's SizeRestrictions_BODY
 * blocks every body over 8 KB (AWS knowledge center, "How does AWS WAF handle body inspections for
 * HTTP requests?", https://repost.aws/knowledge-center/waf-http-request-body-inspection): the API
 * takes POST bodies up to API Gateway's 10 MB, and both web ACLs see them (CloudFront's first, on
 * the API behaviors). The rule still counts, so oversize bodies show in the metrics; the other
 * rules inspect the first 16 KB of a body (CloudFront's and API Gateway's default inspection limit:
 * CloudFormation reference, AWS::WAFv2::RuleGroup Body, OversizeHandling).
 */
export const COUNTED_MANAGED_RULES: Readonly<Record<(typeof MANAGED_RULE_GROUPS)[number], readonly string[]>> = {
    AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"],
    AWSManagedRulesKnownBadInputsRuleSet: [],
};

/** The rate rule's window: 5 minutes (AWS WAF takes 60, 120, 300 or 600 s, "Rate-based rule statement"). */
export const RATE_WINDOW_SECONDS = 300;

/**
 * The header the regional web ACL reads the client's address from. Behind CloudFront, API Gateway's
 * caller is a CloudFront server, so aggregating on the source IP would throttle every viewer of a
 * busy edge location together; CloudFront appends the viewer's address to X-Forwarded-For. AWS WAF
 * reads the header's first address, which a client can write itself, and skips the rule for a
 * request without the header (ForwardedIPConfig, WAF API reference, API_ForwardedIPConfig.html):
 * the per-IP limit that holds is the CloudFront web ACL's, which sees the viewer's own address.
 */
export const FORWARDED_IP_HEADER = "X-Forwarded-For";

/** A web ACL's name: `<project>-<stack>-<name>-<scope>`, letters, digits, `-` and `_` (WAF: 1-128 of `[\w-]`). */
export function webAclName(project: string, stack: string, name: string, scope: WebAclScope): string {
    const suffix = scope === "CLOUDFRONT" ? "cloudfront" : "api";
    return `${project}-${stack}-${name}-${suffix}`.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 128);
}

/** CloudWatch metrics and sampled requests on, under one metric name per rule. */
function visibility(metricName: string): aws.types.input.wafv2.WebAclVisibilityConfig {
    return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/**
 * The rules of a web ACL, in evaluation order: the per-IP rate rule first (a flood is blocked before
 * the managed groups inspect it), then the managed groups, each with its counted rules.
 */
export function webAclRules(scope: WebAclScope, rateLimit: number, metricPrefix: string) {
    const rateRule: aws.types.input.wafv2.WebAclRule = {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: {
            rateBasedStatement: {
                limit: rateLimit,
                evaluationWindowSec: RATE_WINDOW_SECONDS,
                ...(scope === "CLOUDFRONT"
                    ? { aggregateKeyType: "IP" }
                    : {
                          aggregateKeyType: "FORWARDED_IP",
                          // An address the header does not hold as an IP is not counted: a client
                          // could otherwise get other viewers' requests blocked with a bad header.
                          forwardedIpConfig: { headerName: FORWARDED_IP_HEADER, fallbackBehavior: "NO_MATCH" },
                      }),
            },
        },
        visibilityConfig: visibility(`${metricPrefix}-rate-limit-per-ip`),
    };
    const managedRules = MANAGED_RULE_GROUPS.map((group, i): aws.types.input.wafv2.WebAclRule => ({
        name: group,
        priority: i + 1,
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: group,
                ...(COUNTED_MANAGED_RULES[group].length > 0
                    ? {
                          ruleActionOverrides: COUNTED_MANAGED_RULES[group].map((rule) => ({
                              name: rule,
                              actionToUse: { count: {} },
                          })),
                      }
                    : {}),
            },
        },
        visibilityConfig: visibility(`${metricPrefix}-${group}`),
    }));
    return [rateRule, ...managedRules];
}

export interface WebAclsArgs {
    /**
     * Requests one IP may make in 5 minutes before the rate rule blocks it.
     * @example 1000
     */
    readonly rateLimit: number;
    /**
     * The API Gateway stage the regional web ACL protects (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<name>`).
     * @example api.stageArn
     */
    readonly stageArn: pulumi.Input<string>;
}

/**
 * AWS WAF in front of both entry points: a CLOUDFRONT web ACL (created in us-east-1, where
 * CloudFront-scope web ACLs live; the distribution names it by ARN in `webAclId`) and a REGIONAL
 * one in the stack's region associated with the API Gateway stage, so that the stage is covered
 * even when called directly (Security Hub's APIGateway.4 checks the stage itself). Each allows by
 * default and blocks what its rules match.
 */
export class WebAcls extends pulumi.ComponentResource {
    /** The CLOUDFRONT web ACL's ARN, for the distribution's `webAclId`. */
    readonly cloudFrontWebAclArn: pulumi.Output<string>;
    /** The REGIONAL web ACL's ARN. */
    readonly apiWebAclArn: pulumi.Output<string>;

    constructor(name: string, args: WebAclsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:waf:WebAcls", name, {}, opts);
        if (
            !Number.isInteger(args.rateLimit) ||
            args.rateLimit < WAF_MIN_RATE_LIMIT ||
            args.rateLimit > WAF_MAX_RATE_LIMIT
        ) {
            throw new pulumi.ResourceError(
                `rateLimit is ${args.rateLimit}; AWS WAF's rate-based rules take a whole number of requests from ` +
                    `${WAF_MIN_RATE_LIMIT} to ${WAF_MAX_RATE_LIMIT}`,
                this,
            );
        }
        const webAcl = (scope: WebAclScope) => {
            const aclName = webAclName(pulumi.getProject(), pulumi.getStack(), name, scope);
            return new aws.wafv2.WebAcl(
                `${name}-${scope === "CLOUDFRONT" ? "cloudfront" : "api"}`,
                {
                    ...(scope === "CLOUDFRONT" ? { region: EDGE_REGION } : {}),
                    name: aclName,
                    description: `same-origin: AWS managed rules and a per-IP rate limit (${scope === "CLOUDFRONT" ? "the distribution" : "the API stage"})`,
                    scope,
                    defaultAction: { allow: {} },
                    rules: webAclRules(scope, args.rateLimit, aclName),
                    visibilityConfig: visibility(aclName),
                },
                { parent: this },
            );
        };
        const cloudFront = webAcl("CLOUDFRONT");
        const api = webAcl("REGIONAL");
        new aws.wafv2.WebAclAssociation(
            `${name}-api-association`,
            { resourceArn: args.stageArn, webAclArn: api.arn },
            { parent: this },
        );

        this.cloudFrontWebAclArn = cloudFront.arn;
        this.apiWebAclArn = api.arn;
        this.registerOutputs({ cloudFrontWebAclArn: this.cloudFrontWebAclArn, apiWebAclArn: this.apiWebAclArn });
    }
}
