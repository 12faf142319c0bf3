/** IAM documents the components attach. Pure builders, unit-tested alone. */

/** Service principals that run Lambda code: Lambda itself, and CloudFront's replicas for Lambda@Edge. */
export const LAMBDA_PRINCIPALS = ["lambda.amazonaws.com"] as const;
export const EDGE_LAMBDA_PRINCIPALS = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] as const;

/** A trust policy letting the given service principals assume a role. */
export function assumeRolePolicy(services: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: [...services] },
                Action: "sts:AssumeRole",
            },
        ],
    });
}

/**
 * What a function needs to write its logs, and nothing more: streams and events in its own log
 * group. A regional function writes to the group the stack created (`groupArn`). Lambda@Edge
 * writes to a group of the same name in whichever region a replica runs, creating it there, so its
 * grant covers that name in every region.
 */
export function logWritingPolicy(groupName: string, groupArn: string, edge: boolean): string {
    const streams = edge ? `arn:aws:logs:*:*:log-group:${groupName}:*` : `${groupArn}:*`;
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...(edge
                ? [
                      {
                          Effect: "Allow",
                          Action: "logs:CreateLogGroup",
                          Resource: `arn:aws:logs:*:*:log-group:${groupName}`,
                      },
                  ]
                : []),
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: streams },
        ],
    });
}

/**
 * The bucket policy statement that refuses every request made without TLS, whoever makes it: an
 * explicit Deny when `aws:SecureTransport` is false, on the bucket and its objects. Security Hub's
 * S3.5 (Config rule `s3-bucket-ssl-requests-only`) passes only with this Deny; an Allow conditioned
 * on TLS is not enough (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule).
 */
export function denyInsecureTransportStatement(bucketArn: string): Record<string, unknown> {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}
