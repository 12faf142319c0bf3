/**
 * The S3 origin: serves the objects the program uploads to a bucket, to the distribution that the
 * bucket policy lets in. CloudFront reaches a private bucket through Origin Access Control: it
 * signs as the service principal `cloudfront.amazonaws.com` with `aws:SourceArn` = the
 * distribution's ARN, and the bucket policy decides. Sources: CloudFront Developer Guide,
 * "Restrict access to an Amazon S3 origin"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html),
 * and S3 User Guide, "How Amazon S3 authorizes a request", where a missing key is 403 AccessDenied
 * unless the caller may `s3:ListBucket` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { type CapturedResource, type CapturedStack } from "../capture/capture";
import { resourcesOfType, bucketObjects, bucketPolicies } from "../capture/lookups";
import { HttpRequest, HttpResponse, requestId } from "./http";
import { evaluatePolicy, PolicyRequest } from "./iam-policy";
import { TYPES } from "../capture/types";

/**
 * Who asks S3: CloudFront with OAC (signed, with the distribution's ARN) or anonymous, and whether
 * the request came over TLS (the `aws:SecureTransport` condition key).
 */
export type S3Caller = (
    { readonly kind: "cloudfront"; readonly distributionArn: string } | { readonly kind: "anonymous" }
) & { readonly secureTransport: boolean };

function s3Error(status: number, code: string, message: string): HttpResponse {
    const xml =
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
        `<RequestId>${requestId().replace(/-/g, "").slice(0, 16).toUpperCase()}</RequestId><HostId>local</HostId></Error>`;
    return {
        status,
        headers: [
            ["Content-Type", "application/xml"],
            ["Server", "AmazonS3"],
        ],
        body: Buffer.from(xml),
    };
}

/** The bytes of an uploaded object: its `source` asset or its `content`. */
function objectBody(object: CapturedResource): Buffer {
    const { source, content, contentBase64 } = object.state;
    if (typeof content === "string") {
        return Buffer.from(content);
    }
    if (typeof contentBase64 === "string") {
        return Buffer.from(contentBase64, "base64");
    }
    if (source?.kind === "string") {
        return Buffer.from(source.text);
    }
    if (source?.kind === "file") {
        return fs.readFileSync(source.path);
    }
    throw new Error(`Object ${object.name} has neither content nor a file or string source`);
}

/** One bucket as S3 would serve it. */
export class S3Bucket {
    private readonly objects: Map<string, CapturedResource>;
    /**
     * Every object's bytes, read once at start as S3 holds what was uploaded: a later capture of
     * the program rebuilds site/dist under other hashed names while this stack still serves.
     */
    private readonly bodies: Map<string, Buffer>;
    private readonly policies: unknown[];
    private readonly blocksPublicPolicies: boolean;
    private readonly lastModified = new Date().toUTCString();

    constructor(
        stack: CapturedStack,
        private readonly bucket: CapturedResource,
    ) {
        this.objects = bucketObjects(stack, bucket);
        this.bodies = new Map([...this.objects].map(([key, object]) => [key, objectBody(object)]));
        this.policies = bucketPolicies(stack, bucket).map((p) => JSON.parse(String(p.state.policy)));
        this.blocksPublicPolicies = resourcesOfType(stack, TYPES.bucketPublicAccessBlock).some(
            (b) =>
                (b.state.bucket === bucket.state.bucket || b.state.bucket === bucket.id) &&
                b.state.restrictPublicBuckets === true,
        );
    }

    /** Whether the bucket policy lets the caller do `action` on `resource`. */
    private allowed(caller: S3Caller, action: string, resource: string): boolean {
        if (caller.kind === "anonymous" && this.blocksPublicPolicies) {
            return false;
        }
        const secureTransport = { "aws:SecureTransport": String(caller.secureTransport) };
        const request: PolicyRequest =
            caller.kind === "cloudfront"
                ? {
                      action,
                      resource,
                      principal: { service: "cloudfront.amazonaws.com" },
                      context: { "aws:SourceArn": caller.distributionArn, ...secureTransport },
                  }
                : { action, resource, principal: { aws: "*" }, context: secureTransport };
        const decisions = this.policies.map((p) => evaluatePolicy(p, request));
        return !decisions.includes("explicit-deny") && decisions.includes("allow");
    }

    /** Answers a request that reached the bucket's endpoint. */
    handle(request: HttpRequest, caller: S3Caller): HttpResponse {
        const bucketName = String(this.bucket.state.bucket);
        let key: string;
        try {
            key = decodeURIComponent(request.path.slice(1));
        } catch {
            return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
        }
        // The bucket policies the program writes grant reads only; writes through CloudFront are refused.
        if (request.method !== "GET" && request.method !== "HEAD") {
            return s3Error(403, "AccessDenied", "Access Denied");
        }
        if (!this.allowed(caller, "s3:GetObject", `arn:aws:s3:::${bucketName}/${key}`)) {
            return s3Error(403, "AccessDenied", "Access Denied");
        }
        const object = this.objects.get(key);
        if (!object) {
            return this.allowed(caller, "s3:ListBucket", `arn:aws:s3:::${bucketName}`)
                ? s3Error(404, "NoSuchKey", "The specified key does not exist.")
                : s3Error(403, "AccessDenied", "Access Denied");
        }
        const body = this.bodies.get(key)!;
        const headers: [string, string][] = [
            ["Content-Type", String(object.state.contentType ?? "binary/octet-stream")],
            ["ETag", `"${createHash("md5").update(body).digest("hex")}"`],
            ["Last-Modified", this.lastModified],
            ["Accept-Ranges", "bytes"],
            ["Server", "AmazonS3"],
        ];
        if (object.state.cacheControl) {
            headers.push(["Cache-Control", String(object.state.cacheControl)]);
        }
        if (object.state.contentEncoding) {
            headers.push(["Content-Encoding", String(object.state.contentEncoding)]);
        }
        return { status: 200, headers, body: request.method === "HEAD" ? Buffer.alloc(0) : body };
    }
}
