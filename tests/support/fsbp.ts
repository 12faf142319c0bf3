/**
 * The AWS Security Hub Foundational Security Best Practices (FSBP) controls that judge what the
 * program declares (the distribution, the buckets, WAF, the API stage, the functions, the
 * certificates), read the way each control's AWS Config rule describes its check, as functions of
 * a captured graph: each returns the problems it finds, one per resource. Sources: Security Hub
 * User Guide, cloudfront-controls.html, s3-controls.html, apigateway-controls.html,
 * lambda-controls.html, acm-controls.html; the Config rules' pages
 * (https://docs.aws.amazon.com/config/latest/developerguide/<rule>.html).
 */
import type { CapturedResource, CapturedStack } from "../../capture/capture";
import { resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";

/** Every control the checks below read, in Security Hub's order. */
export const CONTROLS = [
    "CloudFront.1",
    "CloudFront.3",
    "CloudFront.5",
    "CloudFront.6",
    "CloudFront.7",
    "CloudFront.8",
    "CloudFront.9",
    "CloudFront.10",
    "CloudFront.12",
    "CloudFront.13",
    "APIGateway.1",
    "APIGateway.3",
    "APIGateway.4",
    "S3.5",
    "S3.8",
    "S3.9",
    "Lambda.1",
    "Lambda.2",
    "ACM.2",
] as const;
export type Control = (typeof CONTROLS)[number];

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
 * The Node.js runtimes Lambda.2 accepts today ("Lambda runtimes", lambda-runtimes.html: supported,
 * not deprecated; Lambda@Edge takes the same Node.js versions, edge-functions-restrictions.html).
 */
const SUPPORTED_NODE_RUNTIMES = ["nodejs22.x", "nodejs20.x"];

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"];

/** The execution logging levels api-gw-execution-logging-enabled accepts (its loggingLevel parameter: ERROR,INFO). */
const LOGGING_LEVELS = ["ERROR", "INFO"];

/**
 * s3-bucket-ssl-requests-only: the bucket policy has the statement of AWS's compliant example, read
 * literally (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule): "Effect": "Deny",
 * "Principal": "*", "Action": "s3:*", "Resource": [bucket ARN, bucket ARN/*], "Condition": { "Bool":
 * { "aws:SecureTransport": "false" } }. Read here on its own, not through the pack's reader, so the
 * pack's bucket-tls-only is checked against an independent reading.
 */
function deniesPlainHttp(policyText: string, bucketArn: string): boolean {
    const statements = asList(JSON.parse(policyText).Statement) as Record<string, any>[];
    return statements.some(
        (s) =>
            s.Effect === "Deny" &&
            s.Principal === "*" &&
            asList(s.Action).includes("s3:*") &&
            asList(s.Resource).includes(bucketArn) &&
            asList(s.Resource).includes(`${bucketArn}/*`) &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
    );
}

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
        const config = distribution.state;
        const behaviors = [config.defaultCacheBehavior, ...asList(config.orderedCacheBehaviors)] as Record<
            string,
            any
        >[];
        const origins = asList(config.origins) as Record<string, any>[];
        // cloudfront-default-root-object-configured: a default root object.
        if (!config.defaultRootObject) {
            report("CloudFront.1", distribution, "no default root object");
        }
        // cloudfront-viewer-policy-https: no behavior lets viewers in over plain HTTP.
        for (const behavior of behaviors.filter((b) => b.viewerProtocolPolicy === "allow-all")) {
            report("CloudFront.3", distribution, `behavior ${behavior.pathPattern ?? "*"} allows plain HTTP`);
        }
        // cloudfront-accesslogs-enabled: "configured to deliver access logs to an Amazon S3 bucket
        // using standard logging (legacy)"; v2 (CloudWatch vended) logging does not count.
        if (!config.loggingConfig?.bucket) {
            report("CloudFront.5", distribution, "no standard logging (legacy) to an S3 bucket");
        }
        // cloudfront-associated-with-waf: a web ACL in WebACLId.
        if (!config.webAclId) {
            report("CloudFront.6", distribution, "no AWS WAF web ACL");
        }
        // cloudfront-custom-ssl-certificate: a certificate of its own, not CloudFront's default one.
        const certificate = config.viewerCertificate ?? {};
        if (
            certificate.cloudfrontDefaultCertificate === true ||
            !(certificate.acmCertificateArn || certificate.iamCertificateId)
        ) {
            report("CloudFront.7", distribution, "the default CloudFront certificate");
        }
        // cloudfront-sni-enabled: NON_COMPLIANT when a custom certificate is served from dedicated IP
        // addresses; CloudFront's default certificate passes.
        if (certificate.cloudfrontDefaultCertificate !== true && certificate.sslSupportMethod !== "sni-only") {
            report("CloudFront.8", distribution, `SSL support method ${certificate.sslSupportMethod ?? "(none)"}`);
        }
        const viewerHttps = behaviors.every((b) => b.viewerProtocolPolicy !== "allow-all");
        for (const origin of origins.filter((o) => o.customOriginConfig !== undefined)) {
            const custom = origin.customOriginConfig;
            // cloudfront-traffic-to-origin-encrypted: https-only, or match-viewer with HTTPS viewers.
            if (!(
                custom.originProtocolPolicy === "https-only" ||
                (custom.originProtocolPolicy === "match-viewer" && viewerHttps)
            )) {
                report("CloudFront.9", distribution, `origin ${origin.originId}: ${custom.originProtocolPolicy}`);
            }
            // cloudfront-no-deprecated-ssl-protocols: SSLv3 to no custom origin.
            if (asList(custom.originSslProtocols).includes("SSLv3")) {
                report("CloudFront.10", distribution, `origin ${origin.originId} allows SSLv3`);
            }
        }
        const buckets = resourcesOfType(stack, TYPES.bucket);
        for (const origin of origins.filter((o) => o.customOriginConfig === undefined)) {
            // cloudfront-s3-origin-non-existent-bucket: the S3 origin's bucket exists (here: is in the graph).
            if (
                !buckets.some(
                    (b) =>
                        b.state.bucketRegionalDomainName === origin.domainName ||
                        b.state.bucketDomainName === origin.domainName,
                )
            ) {
                report("CloudFront.12", distribution, `origin ${origin.originId}: no bucket ${origin.domainName}`);
            }
            // cloudfront-s3-origin-access-control-enabled: Origin Access Control on every S3 origin.
            if (!origin.originAccessControlId) {
                report("CloudFront.13", distribution, `origin ${origin.originId} has no Origin Access Control`);
            }
        }
    }

    for (const stage of resourcesOfType(stack, TYPES.stage)) {
        // api-gw-execution-logging-enabled: the stage's methods log at ERROR or INFO: the stage-wide
        // `*/*` settings, and no method's own settings at another level.
        const settings = resourcesOfType(stack, TYPES.methodSettings).filter(
            (m) => m.state.stageName === stage.state.stageName && m.state.restApi === stage.state.restApi,
        );
        const logged = settings.some(
            (m) => m.state.methodPath === "*/*" && LOGGING_LEVELS.includes(m.state.settings?.loggingLevel),
        );
        if (!logged) {
            report("APIGateway.1", stage, "no execution logging at ERROR or INFO for every method");
        }
        for (const m of settings.filter((m) => m.state.methodPath !== "*/*")) {
            const level = m.state.settings?.loggingLevel;
            if (level !== undefined && !LOGGING_LEVELS.includes(level)) {
                report("APIGateway.1", stage, `${m.state.methodPath} logs at ${level}`);
            }
        }
        // api-gw-xray-enabled: X-Ray active tracing on the stage.
        if (stage.state.xrayTracingEnabled !== true) {
            report("APIGateway.3", stage, "no X-Ray tracing");
        }
    }

    for (const permission of resourcesOfType(stack, TYPES.permission)) {
        // lambda-function-public-access-prohibited: no resource policy lets anyone invoke; a service
        // principal is scoped to its caller by a source ARN or account.
        const principal = String(permission.state.principal);
        const scoped = permission.state.sourceArn !== undefined || permission.state.sourceAccount !== undefined;
        if (principal === "*" || (principal.endsWith(".amazonaws.com") && !scoped)) {
            report("Lambda.1", permission, `invocable by ${principal} from any source`);
        }
    }
    for (const fn of resourcesOfType(stack, TYPES.lambdaFunction)) {
        // lambda-function-settings-check (runtime): a runtime Lambda supports and does not deprecate.
        if (!SUPPORTED_NODE_RUNTIMES.includes(String(fn.state.runtime))) {
            report("Lambda.2", fn, `runtime ${fn.state.runtime}`);
        }
    }
    for (const certificate of resourcesOfType(stack, TYPES.certificate)) {
        // acm-certificate-rsa-check: an RSA key of 2048 bits at least (ACM's default, RSA_2048).
        if (String(certificate.state.keyAlgorithm ?? "RSA_2048") === "RSA_1024") {
            report("ACM.2", certificate, `key algorithm ${certificate.state.keyAlgorithm}`);
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
        if (!policies.some((p) => deniesPlainHttp(String(p.state.policy), String(bucket.state.arn)))) {
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
