import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { LogBucket, type LogBucketArgs } from "../../infra/log-bucket";
import { evaluatePolicy } from "../../local/iam-policy";
import { ComponentRun, componentFailure, named, runComponent } from "../support/component-harness";

const SITE_BUCKET_ARN = "arn:aws:s3:::site-bucket-0a1b2c3";
const OTHER_BUCKET_ARN = "arn:aws:s3:::assets-bucket-4d5e6f7";

const ARGS: LogBucketArgs = {
    retentionDays: 90,
    accessLogSources: [
        { bucketArn: SITE_BUCKET_ARN, prefix: "s3/site/" },
        { bucketArn: OTHER_BUCKET_ARN, prefix: "s3/assets/" },
    ],
};

const runLogs = (args: Partial<LogBucketArgs> = {}, preview = false) =>
    runComponent(() => new LogBucket("logs", { ...ARGS, ...args }), { preview });

/** What S3 server access logging asks when it delivers a source bucket's log object. */
const logDelivery = (key: string, sourceArn: string, secureTransport = true) => ({
    action: "s3:PutObject",
    resource: `arn:aws:s3:::logs-bucket-LOGS/${key}`,
    principal: { service: "logging.s3.amazonaws.com" },
    context: {
        "aws:SourceArn": sourceArn,
        "aws:SourceAccount": "123456789012",
        "aws:SecureTransport": String(secureTransport),
    },
});

describe("LogBucket", () => {
    describe("up", () => {
        let run: ComponentRun<LogBucket>;
        let bucket: ReturnType<typeof onlyResourceOfType>;
        let policy: unknown;
        before(async () => {
            run = await runLogs();
            bucket = onlyResourceOfType(run, TYPES.bucket);
            policy = JSON.parse(onlyResourceOfType(run, TYPES.bucketPolicy).inputs.policy);
        });

        it("is a same-origin:log-bucket:LogBucket holding every resource it creates, named after it", () => {
            const component = named(run, "logs");
            assert.equal(component.type, "same-origin:log-bucket:LogBucket");
            assert.deepEqual(
                run.resources
                    .filter((r) => r !== component)
                    .map((r) => [r.name, r.parent === component.urn])
                    .sort(),
                [
                    ["logs-acl", true],
                    ["logs-bucket", true],
                    ["logs-encryption", true],
                    ["logs-lifecycle", true],
                    ["logs-ownership", true],
                    ["logs-policy", true],
                    ["logs-public-access-block", true],
                ],
            );
        });

        it("blocks all public access (S3.8)", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.bucketPublicAccessBlock).inputs, {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
        });

        // CloudFront's standard logging (legacy) writes through the bucket ACL: "Don't choose an Amazon
        // S3 bucket with S3 Object Ownership set to bucket owner enforced" (standard-logging-legacy-s3.html).
        it("keeps ACLs enabled with BucketOwnerPreferred, so CloudFront's legacy logging can write", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.ownership).inputs, {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerPreferred" },
            });
        });

        it("grants awslogsdelivery FULL_CONTROL in the ACL, and keeps the owner's, once ACLs are enabled", () => {
            const [lookup] = run.invokes;
            assert.equal(lookup.token, "aws:s3/getCanonicalUserId:getCanonicalUserId");
            const owner = lookup.result.id;
            const acl = onlyResourceOfType(run, TYPES.bucketAcl);
            assert.deepEqual(acl.inputs, {
                bucket: bucket.id,
                accessControlPolicy: {
                    owner: { id: owner },
                    grants: [
                        { grantee: { type: "CanonicalUser", id: owner }, permission: "FULL_CONTROL" },
                        {
                            // awslogsdelivery, as the CloudFront Developer Guide spells it.
                            grantee: {
                                type: "CanonicalUser",
                                id: "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0",
                            },
                            permission: "FULL_CONTROL",
                        },
                    ],
                },
            });
            const aclDependencies = named(run, "logs-acl").dependencies;
            assert.ok(aclDependencies.includes(named(run, "logs-ownership").urn), "an ACL needs ACLs enabled first");
        });

        // S3 server access logging delivers to SSE-S3 targets only (enable-server-access-logging.html).
        it("encrypts with SSE-S3 by default", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.bucketEncryption).inputs, {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            });
        });

        it("expires every object after retentionDays", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.bucketLifecycle).inputs, {
                bucket: bucket.id,
                rules: [{ id: "expire-logs", status: "Enabled", filter: {}, expiration: { days: 90 } }],
            });
        });

        it("writes a policy refusing requests without TLS and letting each source bucket log under its prefix", () => {
            const arn = bucket.state.arn;
            assert.deepEqual((policy as { Statement: unknown[] }).Statement, [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                ...[
                    [SITE_BUCKET_ARN, "s3/site/"],
                    [OTHER_BUCKET_ARN, "s3/assets/"],
                ].map(([source, prefix], i) => ({
                    Sid: `AllowS3ServerAccessLogs${i + 1}`,
                    Effect: "Allow",
                    Principal: { Service: "logging.s3.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: `${arn}/${prefix}*`,
                    Condition: {
                        ArnLike: { "aws:SourceArn": source },
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                    },
                })),
            ]);
        });

        it("lets S3 logging deliver a source's logs under its own prefix only, over TLS only", () => {
            const arn = bucket.state.arn as string;
            const at = (request: ReturnType<typeof logDelivery>) => ({
                ...request,
                resource: request.resource.replace("arn:aws:s3:::logs-bucket-LOGS", arn),
            });
            const decide = (request: ReturnType<typeof logDelivery>) => evaluatePolicy(policy, at(request));
            assert.equal(decide(logDelivery("s3/site/2025-01-01-00-00-00-ABC", SITE_BUCKET_ARN)), "allow");
            assert.equal(decide(logDelivery("s3/assets/2025-01-01-00-00-00-ABC", OTHER_BUCKET_ARN)), "allow");
            assert.equal(decide(logDelivery("s3/assets/x", SITE_BUCKET_ARN)), "implicit-deny", "another's prefix");
            assert.equal(decide(logDelivery("cloudfront/x", SITE_BUCKET_ARN)), "implicit-deny", "outside the prefixes");
            assert.equal(decide(logDelivery("s3/site/x", "arn:aws:s3:::stranger")), "implicit-deny", "a stranger");
            assert.equal(decide(logDelivery("s3/site/x", SITE_BUCKET_ARN, false)), "explicit-deny", "no TLS");
        });

        // S3.9's guidance for the target: suppress the finding; a log bucket that logs into itself
        // loops (enable-server-access-logging.html).
        it("does not log its own access", () => {
            assert.deepEqual(resourcesOfType(run, TYPES.bucketLogging), []);
        });

        it("reports its name, ARN and the domain CloudFront's logging names it by", () => {
            assert.deepEqual(run.outputs, {
                bucketName: bucket.state.bucket,
                arn: bucket.state.arn,
                domainName: `${bucket.state.bucket}.s3.amazonaws.com`,
            });
        });

        it("hands out its name once the policy is in place, and its domain once the ACL is", async () => {
            // What consumes them waits: S3 logging needs the policy, CloudFront's logging the ACL.
            const consumed = await runComponent(() => {
                const logs = new LogBucket("logs", ARGS);
                new aws.s3.BucketLogging("access-logs", {
                    bucket: "site-bucket-0a1b2c3",
                    targetBucket: logs.bucketName,
                    targetPrefix: "s3/site/",
                });
                new aws.s3.BucketObjectv2("domain-note", { bucket: "notes", key: "k", content: logs.domainName });
                return logs;
            });
            assert.ok(named(consumed, "access-logs").dependencies.includes(named(consumed, "logs-policy").urn));
            assert.ok(named(consumed, "domain-note").dependencies.includes(named(consumed, "logs-acl").urn));
        });
    });

    describe("preview", () => {
        it("knows the lifecycle and the ACL's grants, not the ARN-bearing policy nor its outputs", async () => {
            const run = await runLogs({}, true);
            assert.equal(onlyResourceOfType(run, TYPES.bucketPolicy).inputs.policy, UNKNOWN);
            assert.deepEqual(onlyResourceOfType(run, TYPES.bucketLifecycle).inputs.rules[0].expiration, { days: 90 });
            assert.equal(run.outputs.domainName, UNKNOWN);
            assert.equal(run.outputs.bucketName, UNKNOWN);
        });
    });

    describe("refusals", () => {
        it("refuses a retention that is not a whole number of days, bad prefixes and a prefix given twice, all at once", async () => {
            const failure = await componentFailure(
                () =>
                    new LogBucket("logs", {
                        retentionDays: 0,
                        accessLogSources: [
                            { bucketArn: SITE_BUCKET_ARN, prefix: "/s3/site/" },
                            { bucketArn: SITE_BUCKET_ARN, prefix: "s3/site" },
                            { bucketArn: OTHER_BUCKET_ARN, prefix: "s3/x/" },
                            { bucketArn: OTHER_BUCKET_ARN, prefix: "s3/x/" },
                        ],
                    }),
            );
            assert.ok(failure.cause instanceof pulumi.ResourceError, String(failure.cause));
            assert.equal(
                failure.message,
                [
                    "The log bucket's arguments are invalid:",
                    "  - retentionDays is 0; an S3 lifecycle expiration takes a whole number of days, at least 1",
                    '  - access log prefix "/s3/site/" is not a key prefix; give path segments each ending in "/", without a leading "/" (e.g. "s3/site/")',
                    '  - access log prefix "s3/site" is not a key prefix; give path segments each ending in "/", without a leading "/" (e.g. "s3/site/")',
                    '  - access log prefix "s3/x/" is given twice; give each source its own',
                ].join("\n"),
            );
            assert.deepEqual(
                failure.resources.filter((r) => r.custom),
                [],
                "nothing is created",
            );
        });
    });
});
