/**
 * The AWS Security Hub Foundational Security Best Practices (FSBP) controls that judge what the
 * edge side declares (the distribution, the buckets, WAF), read the way each control's AWS Config
 * rule describes its check, as functions of a captured graph: each returns the problems it finds,
 * one per resource. Sources: Security Hub User Guide, cloudfront-controls.html, s3-controls.html,
 * apigateway-controls.html; the Config rules' pages
 * (https://docs.aws.amazon.com/config/latest/developerguide/<rule>.html).
 */
import type { CapturedResource, CapturedStack } from "../../capture/capture";
import { resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";

export type Control = "CloudFront.5" | "CloudFront.6" | "APIGateway.4" | "S3.5" | "S3.8" | "S3.9";

export interface Finding {
    readonly control: Control;
    readonly resource: string;
    readonly problem: string;
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The resources of a type that configure a bucket (their `bucket` input names it by name or id). */
const configuring = (stack: CapturedStack, type: string, bucket: CapturedResource) =>
    resourcesOfType(stack, type).filter((r) => r.state.bucket === bucket.state.bucket || r.state.bucket === bucket.id);

/**
 * Whether a policy denies every principal every S3 action on the bucket and its objects when
 * `aws:SecureTransport` is false: the statement S3.5's rule (s3-bucket-ssl-requests-only) looks for
 * (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule).
 */
function deniesInsecureTransport(policy: string, bucketArn: string): boolean {
    const statements = asList(JSON.parse(policy).Statement) as Record<string, any>[];
    return statements.some((s) => {
        const everyone = s.Principal === "*" || asList(s.Principal?.AWS).includes("*");
        const resources = asList(s.Resource);
        const condition = Object.entries(s.Condition?.Bool ?? {}).find(
            ([key]) => key.toLowerCase() === "aws:securetransport",
        );
        return (
            s.Effect === "Deny" &&
            everyone &&
            asList(s.Action).some((a) => a === "s3:*" || a === "*") &&
            resources.includes(bucketArn) &&
            resources.includes(`${bucketArn}/*`) &&
            condition !== undefined &&
            String(condition[1]).toLowerCase() === "false"
        );
    });
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"];

/**
 * The findings of the controls for a graph (as `pulumi up` would create it: computed values known).
 * `suppressed` lists the S3.9 findings AWS says to suppress: a bucket that only receives access logs
 * "does not need to have server access logging enabled, and you should suppress findings for this
 * bucket" (s3-controls.html, S3.9).
 */
export function fsbpFindings(stack: CapturedStack): { findings: Finding[]; suppressed: Finding[] } {
    const findings: Finding[] = [];
    const suppressed: Finding[] = [];
    const report = (control: Control, resource: CapturedResource, problem: string) =>
        findings.push({ control, resource: resource.name, problem });

    for (const distribution of resourcesOfType(stack, TYPES.distribution)) {
        // cloudfront-accesslogs-enabled: "configured to deliver access logs to an Amazon S3 bucket
        // using standard logging (legacy)"; v2 (CloudWatch vended) logging does not count.
        if (!distribution.state.loggingConfig?.bucket) {
            report("CloudFront.5", distribution, "no standard logging (legacy) to an S3 bucket");
        }
        // cloudfront-associated-with-waf: a web ACL in WebACLId.
        if (!distribution.state.webAclId) {
            report("CloudFront.6", distribution, "no AWS WAF web ACL");
        }
    }

    // api-gw-associated-with-waf: a web ACL attached to the REST API stage itself.
    const protectedArns = new Set(resourcesOfType(stack, TYPES.webAclAssociation).map((a) => a.state.resourceArn));
    for (const stage of resourcesOfType(stack, TYPES.stage)) {
        if (!protectedArns.has(stage.state.arn)) {
            report("APIGateway.4", stage, "no AWS WAF web ACL associated with the stage");
        }
    }

    const logTargets = new Set(resourcesOfType(stack, TYPES.bucketLogging).map((l) => l.state.targetBucket));
    for (const bucket of resourcesOfType(stack, TYPES.bucket)) {
        const policies = configuring(stack, TYPES.bucketPolicy, bucket);
        if (!policies.some((p) => deniesInsecureTransport(String(p.state.policy), String(bucket.state.arn)))) {
            report("S3.5", bucket, "the bucket policy does not deny requests without TLS (aws:SecureTransport false)");
        }
        const blocks = configuring(stack, TYPES.bucketPublicAccessBlock, bucket);
        if (!blocks.some((b) => PUBLIC_ACCESS_FLAGS.every((flag) => b.state[flag] === true))) {
            report("S3.8", bucket, `not every one of ${PUBLIC_ACCESS_FLAGS.join(", ")} is true`);
        }
        if (configuring(stack, TYPES.bucketLogging, bucket).length === 0) {
            const finding: Finding = { control: "S3.9", resource: bucket.name, problem: "no server access logging" };
            (logTargets.has(bucket.state.bucket) || logTargets.has(bucket.id) ? suppressed : findings).push(finding);
        }
    }
    return { findings, suppressed };
}
