/**
 * What the local stack cannot do the way AWS does, stated up front: the general limits of running
 * in one process on plain HTTP, and the specific parts of this graph that are served differently.
 */
import { CLOUDFRONT_FUNCTION_MAX_BYTES } from "../core/cloudfront";
import { type CapturedStack } from "../capture/capture";
import { resourcesOfType, theDistribution } from "../capture/lookups";
import { TYPES } from "../capture/types";
import type { CacheBehavior } from "./cloudfront/behaviors";

/** The notes that hold for every graph (docs/local-stack.md lists them; a test keeps the two equal). */
export const GENERAL = [
    "No TLS: both listeners speak plain HTTP (on 127.0.0.1 unless --host says otherwise), and origins are called in-process, " +
        "so no certificate or SNI check happens (on AWS a forwarded Host header also has to match the origin's certificate).",
    "The CloudFront listener answers for any Host; a distribution answers only for its own domain name and aliases.",
    "No caching and no edge locations: every request reaches the origin (X-Cache is always a miss), TTLs, invalidations and " +
        "compression are not emulated, and the latency is this machine's (plus LATENCY_MS).",
    "CloudFront geolocation and device headers (CloudFront-Viewer-Country, CloudFront-Is-*-Viewer, ...) are not generated; " +
        "geo restrictions, signed URLs and cookies, origin groups and Origin Shield are not emulated.",
    "AWS WAF is not emulated: with waf.enabled, the web ACLs on the distribution and the stage (managed rules, per-IP rate " +
        "limit) block nothing here.",
    "CloudFront Functions run in Node's V8, which accepts JavaScript the cloudfront-js-2.0 runtime rejects; the compute-" +
        "utilization limit is replaced by a 1 s wall-clock limit.",
    `Lambda functions (and Lambda@Edge) run inside this Node.js ${process.version} process from their deployment packages, ` +
        "one warm instance each: the nodejs runtime version, memory size, concurrency, payload limits (6 MB), the AWS SDK " +
        "the runtime bundles, cold starts and edge replication are not reproduced; a timeout stops waiting for a handler " +
        "but cannot stop a synchronous loop. A function's environment variables are set while its module loads (when " +
        "handlers read their configuration); during invocations every function sees this process's environment.",
    "IAM is not evaluated: execution roles, Lambda resource policies (aws:lambda/permission), the authorizer's invocation " +
        "role and API Gateway resource policies are assumed to allow. SigV4 is verified for one local key " +
        "(AKIALOCALSTACK000000 / local-secret-key), which may invoke every AWS_IAM method.",
    "API Gateway: only Lambda proxy integrations and TOKEN authorizers are emulated, with API keys (x-api-key, usage " +
        "plans bound to the stage) and throttling (token buckets for the stage's method settings and the usage plans, " +
        "in this process); no quotas, account-level throttling, request validation, mapping templates, 29 s integration " +
        "timeout, 10 MB payload limit or integration-response header remapping.",
    "Behaviors are matched on the path normalized as RFC 3986 says (unreserved characters percent-decoded, repeated " +
        "slashes merged, dot segments removed) and the raw path is forwarded; CloudFront documents that it normalizes " +
        "`//` and `..`, not its exact rules.",
    "Request limits: CloudFront's 8,192-byte URL and 20,480-byte request line and headers, and API Gateway's 10,240 bytes " +
        "of headers, are enforced; the bodies of these 413 answers (and API Gateway's status) are not documented. API " +
        "Gateway's 10,240-character URL and 1,600-byte method ARN limits are not emulated.",
    "A method CloudFront does not know (FOO, PROPFIND) gets its 403 method-not-allowed page; what CloudFront answers " +
        "to an unknown or malformed request is not documented (a malformed one gets its 400 page here).",
    "No CloudWatch, X-Ray or access logs (the stage's access log format, execution logging and tracing are not applied): " +
        "function output and errors are printed here, with one line per request.",
    "S3 objects are read from their source files when the stack starts (as S3 holds what was uploaded): restart it to serve a rebuilt site; " +
        "range requests, versioning and encryption are not emulated. Bucket policies see CloudFront's requests as made over TLS " +
        "(aws:SecureTransport true), as its hop to S3 is on AWS for HTTPS viewers.",
    '/config.json carries an extra "local" field with the local IAM credentials, which the deployed file does not have.',
    "With a sign-in provider, a stand-in issuer on PORT+2 (local/issuer.ts) replaces Cognito or the OIDC provider: any user " +
        "name signs in on its own page (no password, MFA or hosted UI), and it also accepts the local site's URL as a " +
        "callback. Its tokens carry the deployed issuer's name; the authorizer's JWKS download is pointed at it with " +
        "AUTH_JWKS_URI, and /config.json's auth.authority (and Cognito's logout endpoint) at its URL.",
    "A response headers policy (security headers, CORS) is applied to what an origin answered, errors included, as " +
        "CloudFront's docs say; not to what a CloudFront Function or CloudFront itself answered (a redirect, a 403 or " +
        "502 page), on which the docs are silent. How CORS headers are echoed (the request's Origin, no Vary) is not " +
        "documented either.",
    "The direct API Gateway listener answers every CORS preflight itself and echoes any Origin in Access-Control-Allow-Origin; " +
        "the deployed API has no CORS configuration, so cross-origin browser calls to it fail on AWS.",
];

/** The fidelity warnings for a graph: the general ones, then the ones about its own resources. */
export function fidelityWarnings(stack: CapturedStack): string[] {
    const warnings = [...GENERAL];
    const distribution = theDistribution(stack).state;
    const behaviors: CacheBehavior[] = [
        ...(distribution.orderedCacheBehaviors ?? []),
        distribution.defaultCacheBehavior,
    ];
    for (const behavior of behaviors) {
        const pattern = behavior.pathPattern ?? "*";
        if (behavior.viewerProtocolPolicy === "https-only") {
            warnings.push(
                `Behavior "${pattern}" is https-only: CloudFront would answer 403 to these plain-HTTP requests.`,
            );
        } else if (behavior.viewerProtocolPolicy === "redirect-to-https") {
            warnings.push(`Behavior "${pattern}" redirects HTTP to HTTPS on CloudFront; locally it serves plain HTTP.`);
        }
        for (const association of behavior.lambdaFunctionAssociations ?? []) {
            if (association.eventType !== "origin-request") {
                warnings.push(
                    `Behavior "${pattern}": the ${association.eventType} Lambda@Edge trigger is not emulated (only origin-request is).`,
                );
            }
        }
        for (const association of behavior.functionAssociations ?? []) {
            if (association.eventType !== "viewer-request") {
                warnings.push(
                    `Behavior "${pattern}": the ${association.eventType} CloudFront Function is not emulated (only viewer-request is).`,
                );
            }
        }
    }
    for (const fn of resourcesOfType(stack, TYPES.cloudFrontFunction)) {
        if (Buffer.byteLength(String(fn.state.code ?? "")) > CLOUDFRONT_FUNCTION_MAX_BYTES) {
            warnings.push(`CloudFront Function ${fn.name} is larger than 10 KB: CloudFront would refuse it.`);
        }
    }
    for (const domain of resourcesOfType(stack, TYPES.domainName)) {
        warnings.push(
            `Custom domain ${domain.state.domainName} is assumed to resolve to API Gateway with a valid certificate (DNS, ACM and Route 53 are not emulated).`,
        );
    }
    return warnings;
}
