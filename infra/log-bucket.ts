import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { privateBucket } from "./private-bucket";
import { CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID } from "../core/cloudfront";
import { denyInsecureTransportStatement } from "./iam";

/** Where each kind of log lands in the log bucket. */
export const LOG_PREFIXES = {
    /** CloudFront's standard logs (legacy). */
    cloudFront: "cloudfront/",
    /** The site bucket's S3 server access logs. */
    siteAccess: "s3/site/",
} as const;

/**
 * The service principal that writes S3 server access logs, which a bucket policy on the target
 * lets in (S3 User Guide, "Enabling Amazon S3 server access logging",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
 */
export const S3_LOGGING_PRINCIPAL = "logging.s3.amazonaws.com";

/** A key prefix: one or more path segments, each followed by `/`, no leading `/`. */
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)+$/;

/** A bucket whose S3 server access logs go to the log bucket. */
export interface AccessLogSource {
    /** The source bucket's ARN; only that bucket may write under `prefix`. */
    readonly bucketArn: pulumi.Input<string>;
    /** The key prefix its logs go under, e.g. `s3/site/`. */
    readonly prefix: string;
}

/**
 * The log bucket's policy: no request without TLS, and S3 server access logging may put objects
 * under each source's prefix, for that source bucket of this account only (the policy AWS
 * recommends over the log delivery group's ACL grant, same page as {@link S3_LOGGING_PRINCIPAL}).
 */
export function logBucketPolicy(
    bucketArn: string,
    accountId: string,
    sources: readonly { readonly bucketArn: string; readonly prefix: string }[],
): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransportStatement(bucketArn),
            ...sources.map((source, i) => ({
                Sid: `AllowS3ServerAccessLogs${i + 1}`,
                Effect: "Allow",
                Principal: { Service: S3_LOGGING_PRINCIPAL },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/${source.prefix}*`,
                Condition: {
                    ArnLike: { "aws:SourceArn": source.bucketArn },
                    StringEquals: { "aws:SourceAccount": accountId },
                },
            })),
        ],
    });
}

export interface LogBucketArgs {
    /**
     * Days a log object is kept; a lifecycle rule deletes it afterwards.
     * @example 365
     */
    readonly retentionDays: number;
    /**
     * Buckets whose S3 server access logs come here, each under its own prefix.
     * @example [{ bucketArn: site.bucketArn, prefix: LOG_PREFIXES.siteAccess }]
     */
    readonly accessLogSources: readonly AccessLogSource[];
}

/**
 * The bucket the stack's logs go to: CloudFront's standard logs (legacy, the only kind Security
 * Hub's CloudFront.5 accepts) and S3 server access logs. Public access blocked, SSE-S3, requests
 * without TLS refused, objects expired after `retentionDays`. CloudFront's legacy logging writes
 * through the bucket ACL: ACLs stay enabled (BucketOwnerPreferred, so the bucket owner owns what is
 * written) and the ACL grants `awslogsdelivery` FULL_CONTROL ("Configure standard logging
 * (legacy)", standard-logging-legacy-s3.html: a bucket with ACLs disabled receives no logs). The
 * bucket does not log its own access: a log bucket logging into itself loops, and S3 says a target
 * "should not have server access logging enabled" (enable-server-access-logging.html).
 */
export class LogBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /**
     * `<bucket>.s3.amazonaws.com`, as CloudFront's logging config names the bucket; resolves once
     * the ACL grants `awslogsdelivery`.
     */
    readonly domainName: pulumi.Output<string>;

    constructor(name: string, args: LogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:log-bucket:LogBucket", name, {}, opts);
        this.checkArgs(args);

        // Logs are kept retentionDays at most anyway; emptying the bucket lets `pulumi destroy` finish.
        const { bucket, publicAccessBlock, ownership } = privateBucket(name, "BucketOwnerPreferred", this);
        // The ACL is replaced whole: the owner keeps FULL_CONTROL (CloudFront requires the account
        // that turns logging on to hold it) and awslogsdelivery gets it. Neither grant is public, so
        // blockPublicAcls does not refuse it.
        const owner = aws.s3.getCanonicalUserIdOutput({ parent: this }).id;
        const acl = new aws.s3.BucketAcl(
            `${name}-acl`,
            {
                bucket: bucket.id,
                accessControlPolicy: {
                    owner: { id: owner },
                    grants: [
                        { grantee: { type: "CanonicalUser", id: owner }, permission: "FULL_CONTROL" },
                        {
                            grantee: { type: "CanonicalUser", id: CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID },
                            permission: "FULL_CONTROL",
                        },
                    ],
                },
            },
            { parent: this, dependsOn: [ownership, publicAccessBlock] },
        );
        // SSE-S3: server access logging does not deliver to an SSE-KMS target (enable-server-access-logging.html).
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-logs",
                        status: "Enabled",
                        // An empty filter applies the rule to every object.
                        filter: {},
                        expiration: { days: args.retentionDays },
                    },
                ],
            },
            { parent: this },
        );
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const sources = pulumi.all(
            args.accessLogSources.map((source) =>
                pulumi.output(source.bucketArn).apply((bucketArn) => ({ bucketArn, prefix: source.prefix })),
            ),
        );
        const policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: pulumi
                    .all([bucket.arn, accountId, sources])
                    .apply(([arn, account, list]) => logBucketPolicy(arn, account, list)),
            },
            { parent: this, dependsOn: [publicAccessBlock] },
        );

        // Each consumer waits for the permission it relies on: S3 logging for the policy, CloudFront for the ACL.
        this.bucketName = pulumi.all([bucket.bucket, policy.id]).apply(([bucketName]) => bucketName);
        this.arn = bucket.arn;
        this.domainName = pulumi.all([bucket.bucketDomainName, acl.id]).apply(([domainName]) => domainName);
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn, domainName: this.domainName });
    }

    private checkArgs(args: LogBucketArgs): void {
        const problems: string[] = [];
        if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1) {
            problems.push(
                `retentionDays is ${args.retentionDays}; an S3 lifecycle expiration takes a whole number of days, at least 1`,
            );
        }
        const prefixes = args.accessLogSources.map((source) => source.prefix);
        for (const prefix of prefixes.filter((p) => !PREFIX.test(p))) {
            problems.push(
                `access log prefix ${JSON.stringify(prefix)} is not a key prefix; give path segments each ending in "/", ` +
                    `without a leading "/" (e.g. "${LOG_PREFIXES.siteAccess}")`,
            );
        }
        for (const prefix of new Set(prefixes.filter((p, i) => prefixes.indexOf(p) !== i))) {
            problems.push(`access log prefix ${JSON.stringify(prefix)} is given twice; give each source its own`);
        }
        if (problems.length > 0) {
            throw new pulumi.ResourceError(
                `The log bucket's arguments are invalid:\n  - ${problems.join("\n  - ")}`,
                this,
            );
        }
    }
}
