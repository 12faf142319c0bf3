/**
 * The local S3 origin (local/s3.ts) deciding with the program's own bucket policy: the site bucket
 * denies every request without TLS (aws:SecureTransport false, Security Hub S3.5). On AWS,
 * CloudFront reaches an S3 origin with the viewer's protocol ("How CloudFront processes HTTP and
 * HTTPS requests", HTTPandHTTPSRequests.html) and the site behavior redirects HTTP viewers first, so
 * the local stack hands S3 CloudFront's requests as made over TLS (local/origins.ts). Here the
 * bucket is asked directly, over TLS and without.
 */
import { strict as assert } from "node:assert";
import type { CapturedResource, CapturedStack } from "../capture/capture";
import { resourcesOfType, theDistribution } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { S3Bucket, type S3Caller } from "../local/s3";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";

const get = (path: string) => ({
    method: "GET",
    path,
    query: "",
    headers: [],
    body: Buffer.alloc(0),
    clientIp: "127.0.0.1",
});

describe("local S3: the site bucket's policy over TLS and without", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let dev: CapturedStack;
    let site: CapturedResource;
    let cloudFront: (secureTransport: boolean) => S3Caller;
    before(async () => {
        dev = await graphOf({});
        site = resourcesOfType(dev, TYPES.bucket).find((b) => b.name === "site-bucket")!;
        const distributionArn = String(theDistribution(dev).state.arn);
        cloudFront = (secureTransport) => ({ kind: "cloudfront", distributionArn, secureTransport });
    });

    it("serves CloudFront's signed read over TLS", () => {
        const reply = new S3Bucket(dev, site).handle(get("/index.html"), cloudFront(true));
        assert.equal(reply.status, 200);
    });

    it("refuses the same read without TLS: the explicit Deny on aws:SecureTransport false beats the Allow", () => {
        const reply = new S3Bucket(dev, site).handle(get("/index.html"), cloudFront(false));
        assert.equal(reply.status, 403);
        assert.match(reply.body.toString(), /<Code>AccessDenied<\/Code>/);
    });

    it("would serve it without TLS if the policy had no such Deny: the Deny is what refuses it", () => {
        const withoutDeny = broken(dev, TYPES.bucketPolicy, (state) => {
            const policy = JSON.parse(state.policy);
            policy.Statement = policy.Statement.filter((s: { Effect: string }) => s.Effect !== "Deny");
            state.policy = JSON.stringify(policy);
        });
        const bucket = resourcesOfType(withoutDeny, TYPES.bucket).find((b) => b.name === "site-bucket")!;
        assert.equal(new S3Bucket(withoutDeny, bucket).handle(get("/index.html"), cloudFront(false)).status, 200);
    });
});
