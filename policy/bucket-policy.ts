/**
 * Reading an S3 bucket policy document: which of its Allow statements let anyone but one
 * CloudFront distribution in (through Origin Access Control), and whether it refuses requests
 * without TLS.
 */

/** CloudFront's service principal, which Origin Access Control signs requests as. */
export const CLOUDFRONT_SERVICE_PRINCIPAL = "cloudfront.amazonaws.com";

/** A distribution ARN without wildcards: `arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE`. */
const DISTRIBUTION_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/;

interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly NotPrincipal?: unknown;
    readonly Action?: unknown;
    readonly NotAction?: unknown;
    readonly Resource?: unknown;
    readonly NotResource?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** The statements of a policy given as JSON text (as the provider stores it) or as an object. */
export function policyStatements(policy: unknown): Statement[] {
    const document = typeof policy === "string" ? JSON.parse(policy) : policy;
    const statements = (document as { Statement?: unknown } | undefined)?.Statement;
    return statements === undefined ? [] : (asArray(statements) as Statement[]);
}

/** Whether the principal is CloudFront's service principal and nothing else. */
function isOnlyCloudFront(principal: unknown): boolean {
    if (typeof principal !== "object" || principal === null) {
        return false;
    }
    const entries = Object.entries(principal);
    return (
        entries.length === 1 &&
        entries[0][0] === "Service" &&
        asArray(entries[0][1]).every((service) => service === CLOUDFRONT_SERVICE_PRINCIPAL)
    );
}

/** The values of every `AWS:SourceArn` condition key (keys are case-insensitive), under any operator. */
function sourceArnConditions(condition: Statement["Condition"]): unknown[] {
    return Object.values(condition ?? {}).flatMap((keys) =>
        Object.entries(keys)
            .filter(([key]) => key.toLowerCase() === "aws:sourcearn")
            .flatMap(([, value]) => asArray(value)),
    );
}

/**
 * What is wrong with one statement for an origin bucket, or undefined when it is fine: a Deny is
 * always fine; an Allow must name CloudFront's service principal alone and pin `AWS:SourceArn` to
 * distribution ARNs, so that no other principal and no other distribution can read the bucket.
 */
export function statementProblem(statement: Statement): string | undefined {
    if (statement.Effect !== "Allow") {
        return undefined;
    }
    const label = statement.Sid ? `statement "${statement.Sid}"` : "an Allow statement";
    if (statement.NotPrincipal !== undefined || !isOnlyCloudFront(statement.Principal)) {
        return (
            `${label} allows ${JSON.stringify(statement.Principal ?? { NotPrincipal: statement.NotPrincipal })}, ` +
            `not only the service principal ${CLOUDFRONT_SERVICE_PRINCIPAL}`
        );
    }
    const arns = sourceArnConditions(statement.Condition);
    if (arns.length === 0) {
        return (
            `${label} allows ${CLOUDFRONT_SERVICE_PRINCIPAL} without an AWS:SourceArn condition, so every ` +
            `CloudFront distribution (any account's) could read the bucket`
        );
    }
    const loose = arns.filter((arn) => typeof arn !== "string" || !DISTRIBUTION_ARN.test(arn));
    if (loose.length > 0) {
        return `${label} has AWS:SourceArn ${JSON.stringify(loose)}, which is not one distribution's ARN`;
    }
    return undefined;
}

/** Whether a principal is everyone: `"*"` or `{ AWS: "*" }`. */
function isEveryone(principal: unknown): boolean {
    return (
        principal === "*" ||
        (typeof principal === "object" &&
            principal !== null &&
            asArray((principal as { AWS?: unknown }).AWS ?? []).includes("*"))
    );
}

/** The condition operators that deny a request made without TLS when `aws:SecureTransport` is false. */
const SECURE_TRANSPORT_OPERATORS = ["Bool", "BoolIfExists"];

/**
 * Whether a condition is `aws:SecureTransport` false and nothing else: exactly one operator (Bool or
 * BoolIfExists) with exactly one key, `aws:SecureTransport` (keys are case-insensitive), valued
 * `"false"`. Any other key (say `IpAddress` on `aws:SourceIp`) narrows the Deny to some HTTP requests.
 */
function isOnlyInsecureTransport(condition: Statement["Condition"]): boolean {
    const operators = Object.entries(condition ?? {});
    if (operators.length !== 1 || !SECURE_TRANSPORT_OPERATORS.includes(operators[0][0])) {
        return false;
    }
    const keys = Object.entries(operators[0][1] ?? {});
    if (keys.length !== 1 || keys[0][0].toLowerCase() !== "aws:securetransport") {
        return false;
    }
    const values = asArray(keys[0][1]);
    return values.length === 1 && String(values[0]).toLowerCase() === "false";
}

/**
 * Whether the policy (JSON text or an object) denies every principal every S3 action on the bucket
 * and its objects when `aws:SecureTransport` is false, and on no other condition: the statement
 * Security Hub's S3.5 control (AWS Config rule s3-bucket-ssl-requests-only) looks for, as
 * "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket, bucket/*],
 * "Condition": { "Bool": { "aws:SecureTransport": "false" } }; an Allow conditioned on TLS is not
 * enough (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule). A Not* element or a
 * second condition key would leave some plain-HTTP requests undenied.
 */
export function deniesInsecureTransport(policy: unknown, bucketArn: string): boolean {
    return policyStatements(policy).some((statement) => {
        const resources = asArray(statement.Resource ?? []);
        return (
            statement.Effect === "Deny" &&
            statement.NotPrincipal === undefined &&
            statement.NotAction === undefined &&
            statement.NotResource === undefined &&
            isEveryone(statement.Principal) &&
            asArray(statement.Action ?? []).some((action) => action === "s3:*" || action === "*") &&
            resources.includes(bucketArn) &&
            resources.includes(`${bucketArn}/*`) &&
            isOnlyInsecureTransport(statement.Condition)
        );
    });
}
