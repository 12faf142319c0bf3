import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** A bucket with every public access blocked, and the settings the components read back. */
export interface PrivateBucket {
    readonly bucket: aws.s3.Bucket;
    readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    readonly ownership: aws.s3.BucketOwnershipControls;
}

/**
 * A bucket no one reaches anonymously: all four public access block settings on (Security Hub S3.8)
 * and the object ownership asked for (`BucketOwnerEnforced` turns ACLs off; the log bucket needs
 * `BucketOwnerPreferred` for CloudFront's ACL grant). Emptied on destroy (`forceDestroy`): both
 * buckets hold what the stack can rebuild or what it keeps only for a while anyway. Children are
 * named `${name}-bucket`, `${name}-public-access-block` and `${name}-ownership`, under `parent`.
 */
export function privateBucket(
    name: string,
    objectOwnership: "BucketOwnerEnforced" | "BucketOwnerPreferred",
    parent: pulumi.Resource,
): PrivateBucket {
    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: true }, { parent });
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access-block`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        { parent },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        { bucket: bucket.id, rule: { objectOwnership } },
        { parent },
    );
    return { bucket, publicAccessBlock, ownership };
}
