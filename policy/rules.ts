/**
 * The same-origin policy rules. Each one guards a property the product depends on (see
 * docs/policy-pack.md for why each exists); each message says what is wrong and how to fix it.
 *
 * Rules that read one distribution are resource policies: the engine runs them on the
 * distribution's inputs before it is created or updated, so `pulumi up` stops before the change.
 * Rules that span resources (a distribution and its bucket, cache policies, functions, REST APIs)
 * are stack policies: they run on the stack's outputs once every resource is registered.
 *
 * Exported one by one so tests can run a rule without starting a policy pack server.
 */
import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
// The region the program creates its edge function in, so the rules and the program cannot disagree.
import { EDGE_REGION, MINIMUM_VIEWER_SECURITY_POLICY } from "../core/cloudfront";
import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES } from "../core/cloudfront-policies";
import { ALL_METHODS_PATH, API_KEY_HEADER } from "../core/api-gateway";
import { AUTHORIZER_ENV, DEMO_PROVIDER } from "../core/auth";
import {
    CLOUDFRONT_SERVICE_PRINCIPAL,
    deniesInsecureTransport,
    policyStatements,
    statementProblem,
} from "./bucket-policy";
import {
    apiBehaviorsOf,
    Behavior,
    behaviorsOf,
    cacheKeyOf,
    DistributionProps,
    isApiBehavior,
    isS3Origin,
    isUnverifiable,
    OriginProps,
    originRequestHeadersOf,
    PolicyCatalog,
} from "./cloudfront";
import { isVersionNumber, parseLambdaArn } from "./lambda-arn";
import { ApiKeyRequirements, apiKeyRequirements } from "./openapi";
import { asList, isSet } from "./props";
import { ofType, policyCatalog } from "./stack";

/** The managed policies an API behavior should use, for the fix in a message. */
const RECOMMENDED_API_POLICIES = {
    cachePolicy: `${CACHE_POLICIES.CachingDisabled.name} (${CACHE_POLICIES.CachingDisabled.id})`,
    originRequestPolicy: `${ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.name} (${ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id})`,
} as const;

/** Reports a violation of the resource being checked. */
type Report = (message: string) => void;

/** A resource policy over one distribution's inputs. */
function distributionPolicy(
    name: string,
    description: string,
    check: (distribution: DistributionProps, report: Report) => void,
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, _args, reportViolation) =>
            check(distribution, (message) => reportViolation(message)),
        ),
    };
}

/** Every distribution in the stack, with a report function that names it. */
function distributionsIn(resources: readonly PolicyResource[], reportViolation: ReportViolation) {
    return ofType(resources, aws.cloudfront.Distribution).map(({ resource, props }) => ({
        distribution: props,
        report: (message: string, urn = resource.urn) => reportViolation(message, urn),
    }));
}

// ---------------------------------------------------------------------------------------------
// The S3 origin: private, read only through Origin Access Control.
// ---------------------------------------------------------------------------------------------

function checkOriginAccessControl(distribution: DistributionProps, report: Report): void {
    for (const origin of distribution.origins.filter(isS3Origin)) {
        if (!isSet(origin, "originAccessControlId")) {
            report(
                `S3 origin "${origin.originId}" has no originAccessControlId, so CloudFront reads the bucket ` +
                    `anonymously and the bucket would have to be public. Fix: create an aws.cloudfront.OriginAccessControl ` +
                    `(originAccessControlOriginType "s3", signingBehavior "always", signingProtocol "sigv4") and set its id ` +
                    `as the origin's originAccessControlId.`,
            );
        }
        if (isSet(origin, "s3OriginConfig") && isSet(origin.s3OriginConfig!, "originAccessIdentity")) {
            report(
                `S3 origin "${origin.originId}" uses a legacy origin access identity ` +
                    `(s3OriginConfig.originAccessIdentity), which AWS superseded with Origin Access Control (OAC signs ` +
                    `with SigV4 and works with SSE-KMS and every region). Fix: remove s3OriginConfig and set ` +
                    `originAccessControlId to an aws.cloudfront.OriginAccessControl's id.`,
            );
        }
    }
}

export const s3OriginAccessControl = distributionPolicy(
    "s3-origin-access-control",
    "S3 origins are read through Origin Access Control, never a legacy origin access identity.",
    checkOriginAccessControl,
);

/** Every bucket of the stack, of any of the provider's bucket classes. */
function bucketsIn(resources: readonly PolicyResource[]) {
    return [...ofType(resources, aws.s3.Bucket), ...ofType(resources, aws.s3.BucketV2)];
}

/** The bucket whose domain an S3 origin names. */
function originBucket(resources: readonly PolicyResource[], origin: OriginProps) {
    return bucketsIn(resources).find(
        ({ props }) =>
            props.bucketRegionalDomainName === origin.domainName || props.bucketDomainName === origin.domainName,
    );
}

const PUBLIC_ACCESS_FLAGS = [
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
] as const;

function checkPublicAccessBlock(
    resources: readonly PolicyResource[],
    bucketNames: readonly string[],
    label: string,
    report: Report,
): void {
    const blocks = ofType(resources, aws.s3.BucketPublicAccessBlock).filter(({ props }) =>
        bucketNames.includes(props.bucket),
    );
    if (!blocks.some(({ props }) => PUBLIC_ACCESS_FLAGS.every((flag) => props[flag] === true))) {
        report(
            `${label} has no aws.s3.BucketPublicAccessBlock with ${PUBLIC_ACCESS_FLAGS.join(", ")} all true, so an ` +
                `ACL or a bucket policy could still make it public. Fix: add new aws.s3.BucketPublicAccessBlock(..., { bucket: ` +
                `bucket.id, ${PUBLIC_ACCESS_FLAGS.map((flag) => `${flag}: true`).join(", ")} }).`,
        );
    }
}

const BUCKET_POLICY_FIX =
    `Fix: allow only Principal { Service: "${CLOUDFRONT_SERVICE_PRINCIPAL}" }, Action "s3:GetObject" ` +
    `on "<bucket ARN>/*", with Condition { StringEquals: { "AWS:SourceArn": <the distribution's ARN> } }.`;

function checkBucketPolicies(
    resources: readonly PolicyResource[],
    bucketNames: readonly string[],
    label: string,
    report: Report,
): void {
    const policies = ofType(resources, aws.s3.BucketPolicy).filter(({ props }) => bucketNames.includes(props.bucket));
    if (policies.length === 0) {
        report(`${label} has no aws.s3.BucketPolicy, so Origin Access Control cannot read it. ${BUCKET_POLICY_FIX}`);
    }
    for (const { resource, props } of policies) {
        for (const problem of policyStatements(props.policy)
            .map(statementProblem)
            .filter((p) => p !== undefined)) {
            report(`bucket policy "${resource.name}" on ${label}: ${problem}. ${BUCKET_POLICY_FIX}`);
        }
    }
}

export const s3OriginBucketPrivate: StackValidationPolicy = {
    name: "s3-origin-bucket-private",
    description:
        "The bucket behind an S3 origin blocks all public access and lets only CloudFront (with AWS:SourceArn) read it.",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        for (const { distribution, report } of distributionsIn(resources, reportViolation)) {
            for (const origin of distribution.origins.filter(isS3Origin)) {
                const bucket = originBucket(resources, origin);
                if (bucket === undefined) {
                    report(
                        `S3 origin "${origin.originId}" (${origin.domainName}) is not a bucket declared in this stack, ` +
                            `so its public access block and bucket policy cannot be checked. Fix: declare the bucket in this ` +
                            `program (aws.s3.Bucket) with its aws.s3.BucketPublicAccessBlock and aws.s3.BucketPolicy.`,
                    );
                    continue;
                }
                const names = [bucket.props.id, bucket.props.bucket];
                const label = `bucket "${bucket.props.bucket}" (S3 origin "${origin.originId}")`;
                const reportOnBucket = (message: string) => report(message, bucket.resource.urn);
                checkPublicAccessBlock(resources, names, label, reportOnBucket);
                checkBucketPolicies(resources, names, label, reportOnBucket);
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// HTTPS end to end.
// ---------------------------------------------------------------------------------------------

function checkViewerHttps(distribution: DistributionProps, report: Report): void {
    for (const behavior of behaviorsOf(distribution)) {
        if (behavior.props.viewerProtocolPolicy === "allow-all") {
            report(
                `${behavior.label} has viewerProtocolPolicy "allow-all", so viewers may send requests, tokens and ` +
                    `Authorization headers over plain HTTP. Fix: set viewerProtocolPolicy to "https-only" on API behaviors ` +
                    `(a redirect would drop a POST's body) and "redirect-to-https" on the site's.`,
            );
        }
    }
}

export const viewerHttpsOnly = distributionPolicy(
    "viewer-https-only",
    "No behavior serves viewers over plain HTTP (viewerProtocolPolicy allow-all).",
    checkViewerHttps,
);

/** `TLSv1.2_2021` as [1, 2, 2021]; undefined for a name that is not a TLS policy (SSLv3). */
function securityPolicyRank(name: string): [number, number, number] | undefined {
    const match = /^TLSv(\d+)(?:\.(\d+))?_(\d{4})$/.exec(name);
    return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3])] : undefined;
}

/** Whether a viewer security policy is TLSv1.2_2021 or newer (a newer TLS version, or a later revision). */
export function meetsMinimumViewerTls(name: string | undefined): boolean {
    const rank = name === undefined ? undefined : securityPolicyRank(name);
    const minimum = securityPolicyRank(MINIMUM_VIEWER_SECURITY_POLICY)!;
    if (rank === undefined) {
        return false;
    }
    const firstDifference = rank.findIndex((part, i) => part !== minimum[i]);
    return firstDifference === -1 || rank[firstDifference] > minimum[firstDifference];
}

function checkViewerTls(distribution: DistributionProps, report: Report): void {
    const certificate = distribution.viewerCertificate;
    const custom = isSet(certificate, "acmCertificateArn") || isSet(certificate, "iamCertificateId");
    if (custom && !meetsMinimumViewerTls(certificate.minimumProtocolVersion)) {
        report(
            `viewerCertificate uses a custom certificate with minimumProtocolVersion ` +
                `${JSON.stringify(certificate.minimumProtocolVersion ?? "TLSv1 (the provider's default)")}, which lets ` +
                `viewers negotiate TLS older than 1.2. Fix: set viewerCertificate.minimumProtocolVersion to ` +
                `"${MINIMUM_VIEWER_SECURITY_POLICY}" or newer (with sslSupportMethod "sni-only").`,
        );
    }
}

export const viewerTlsMinimum = distributionPolicy(
    "viewer-tls-minimum",
    `With a custom certificate, viewers need TLS 1.2 at least (${MINIMUM_VIEWER_SECURITY_POLICY} or newer).`,
    checkViewerTls,
);

function checkApiOriginHttps(distribution: DistributionProps, report: Report): void {
    for (const origin of distribution.origins) {
        const policy = origin.customOriginConfig?.originProtocolPolicy;
        if (policy !== undefined && policy !== "https-only") {
            report(
                `custom origin "${origin.originId}" (${origin.domainName}) has originProtocolPolicy "${policy}", so ` +
                    `CloudFront may forward requests, with their Authorization headers, over plain HTTP (and API Gateway ` +
                    `answers only HTTPS). Fix: set customOriginConfig.originProtocolPolicy to "https-only".`,
            );
        }
    }
}

export const apiOriginHttpsOnly = distributionPolicy(
    "api-origin-https-only",
    "CloudFront reaches API (custom) origins over HTTPS only.",
    checkApiOriginHttps,
);

// ---------------------------------------------------------------------------------------------
// API behaviors: what reaches API Gateway, and what is cached.
// ---------------------------------------------------------------------------------------------

/** Runs a check on every API behavior of every distribution, with the stack's policy catalog. */
function forEachApiBehavior(
    resources: readonly PolicyResource[],
    reportViolation: ReportViolation,
    check: (behavior: Behavior, catalog: PolicyCatalog, report: Report) => void,
): void {
    const catalog = policyCatalog(resources);
    for (const { distribution, report } of distributionsIn(resources, reportViolation)) {
        for (const behavior of apiBehaviorsOf(distribution)) {
            check(behavior, catalog, (message) => report(message));
        }
    }
}

const HOST_FIX =
    `Fix: use the managed origin request policy ${RECOMMENDED_API_POLICIES.originRequestPolicy} ` +
    `(CloudFront then sends the origin's own domain as Host), and keep Host out of the cache policy and any legacy ` +
    `forwardedValues headers.`;

function checkHostNotForwarded(behavior: Behavior, catalog: PolicyCatalog, report: Report): void {
    const cacheKey = cacheKeyOf(behavior.props, catalog);
    const originRequest = originRequestHeadersOf(behavior.props, catalog);
    for (const selection of [cacheKey, originRequest]) {
        if (isUnverifiable(selection)) {
            report(
                `API ${behavior.label}: ${selection.unverifiable}, so whether it forwards the viewer's Host header ` +
                    `cannot be checked. ${HOST_FIX}`,
            );
        } else if (selection.includes("host")) {
            report(
                `API ${behavior.label} forwards the viewer's Host header (${selection.source}); API Gateway refuses ` +
                    `requests whose Host is not its own (403). ${HOST_FIX}`,
            );
        }
    }
}

export const apiBehaviorNoHostHeader: StackValidationPolicy = {
    name: "api-behavior-no-host-header",
    description: "API behaviors never forward the viewer's Host header to API Gateway.",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) =>
        forEachApiBehavior(resources, reportViolation, checkHostNotForwarded),
};

const AUTHORIZATION_FIX =
    `Fix: disable caching with the managed cache policy ${RECOMMENDED_API_POLICIES.cachePolicy} ` +
    `and forward Authorization with ${RECOMMENDED_API_POLICIES.originRequestPolicy}, or, to cache, put Authorization in ` +
    `the cache policy's key (headersConfig { headerBehavior: "whitelist", headers: { items: ["Authorization"] } }).`;

function checkAuthorizationInCacheKey(behavior: Behavior, catalog: PolicyCatalog, report: Report): void {
    const cacheKey = cacheKeyOf(behavior.props, catalog);
    if (isUnverifiable(cacheKey)) {
        report(
            `API ${behavior.label}: ${cacheKey.unverifiable}, so whether it caches responses without keying them on ` +
                `Authorization cannot be checked. ${AUTHORIZATION_FIX}`,
        );
    } else if (cacheKey.caches && !cacheKey.includes("authorization")) {
        report(
            `API ${behavior.label} caches responses (${cacheKey.source}) but its cache key lacks the Authorization ` +
                `header, so one user's response can be served to another. ${AUTHORIZATION_FIX}`,
        );
    }
}

export const apiBehaviorAuthorizationInCacheKey: StackValidationPolicy = {
    name: "api-behavior-authorization-in-cache-key",
    description: "An API behavior that caches keys its cache on the Authorization header.",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) =>
        forEachApiBehavior(resources, reportViolation, checkAuthorizationInCacheKey),
};

const SPA_FALLBACK_CODES = [403, 404];

function checkNoSpaErrorFallback(distribution: DistributionProps, report: Report): void {
    const api = behaviorsOf(distribution).find(isApiBehavior);
    if (api === undefined) {
        return;
    }
    for (const response of distribution.customErrorResponses ?? []) {
        if (SPA_FALLBACK_CODES.includes(Number(response.errorCode)) && Number(response.responseCode) === 200) {
            report(
                `customErrorResponses maps ${response.errorCode} to 200 ${response.responsePagePath ?? ""}, and custom ` +
                    `error responses apply to every behavior: API ${api.label} would answer its 403s and 404s with an HTML ` +
                    `page and status 200. Fix: remove that custom error response and serve SPA deep links with a ` +
                    `viewer-request CloudFront Function on the default behavior (functions/spa-rewrite.ts).`,
            );
        }
    }
}

export const noSpaErrorFallbackWithApi = distributionPolicy(
    "no-spa-error-fallback-with-api",
    "No custom error response turns 403/404 into a 200 page while the distribution serves an API.",
    checkNoSpaErrorFallback,
);

// ---------------------------------------------------------------------------------------------
// Lambda@Edge.
// ---------------------------------------------------------------------------------------------

/** Every Lambda@Edge association of the distribution, with the behavior it sits on. */
function edgeAssociations(distribution: DistributionProps) {
    return behaviorsOf(distribution).flatMap((behavior) =>
        (behavior.props.lambdaFunctionAssociations ?? []).map((association) => ({ behavior, association })),
    );
}

const EDGE_VERSION_FIX =
    `Fix: create the function with publish: true in ${EDGE_REGION} and associate its ` +
    `qualifiedArn (…:function:<name>:<version>).`;

function checkEdgeArns(distribution: DistributionProps, report: Report): void {
    for (const { behavior, association } of edgeAssociations(distribution)) {
        const where = `${behavior.label} (${association.eventType})`;
        const arn = parseLambdaArn(association.lambdaArn);
        if (arn === undefined) {
            report(
                `${where} associates "${association.lambdaArn}", which is not a Lambda function ARN. ${EDGE_VERSION_FIX}`,
            );
            continue;
        }
        if (arn.region !== EDGE_REGION) {
            report(
                `${where} associates a function in ${arn.region}; Lambda@Edge functions must be in ` +
                    `${EDGE_REGION}. Fix: create the function with region: "${EDGE_REGION}".`,
            );
        }
        if (!isVersionNumber(arn.qualifier)) {
            const what = arn.qualifier === undefined ? "an unqualified ARN" : `qualifier "${arn.qualifier}"`;
            report(
                `${where} associates ${association.lambdaArn} with ${what}; CloudFront runs only a numbered, published ` +
                    `version (not $LATEST, an alias or the bare function). ${EDGE_VERSION_FIX}`,
            );
        }
    }
}

export const lambdaEdgeVersionedArn = distributionPolicy(
    "lambda-edge-versioned-arn",
    `Lambda@Edge associations name a numbered version of a function in ${EDGE_REGION}.`,
    checkEdgeArns,
);

export const lambdaEdgeFunctionPublished: StackValidationPolicy = {
    name: "lambda-edge-function-published",
    description: `Functions associated with a behavior (Lambda@Edge) are created in ${EDGE_REGION} with publish: true.`,
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        const functions = ofType(resources, aws.lambda.Function);
        for (const { distribution, report } of distributionsIn(resources, reportViolation)) {
            for (const { behavior, association } of edgeAssociations(distribution)) {
                const arn = parseLambdaArn(association.lambdaArn);
                const fn = functions.find(({ props }) => props.arn === arn?.functionArn);
                if (fn === undefined) {
                    continue;
                }
                const where = `function "${fn.resource.name}" (Lambda@Edge on ${behavior.label})`;
                const region = fn.props.region ?? parseLambdaArn(fn.props.arn)?.region;
                if (region !== EDGE_REGION) {
                    report(
                        `${where} is in ${region}; CloudFront replicates Lambda@Edge functions only from ` +
                            `${EDGE_REGION}. Fix: create it with region: "${EDGE_REGION}".`,
                        fn.resource.urn,
                    );
                }
                if (fn.props.publish !== true) {
                    report(
                        `${where} does not set publish: true, so it has no numbered version for CloudFront to run. ` +
                            `Fix: set publish: true and associate fn.qualifiedArn.`,
                        fn.resource.urn,
                    );
                }
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// API Gateway behind the distribution.
// ---------------------------------------------------------------------------------------------

/** `abc123.execute-api.eu-west-1.amazonaws.com` names the REST API `abc123`. */
const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

/** Whether an `endpointConfiguration.types` value (a string, or a list in older providers) is REGIONAL only. */
function isRegional(configuration: { readonly types?: string | readonly string[] } | undefined): boolean {
    const types = asList(configuration?.types);
    return types.length === 1 && types[0] === "REGIONAL";
}

function describeTypes(configuration: { readonly types?: string | readonly string[] } | undefined): string {
    const types = asList(configuration?.types);
    return types.length === 0 ? "EDGE (the default when endpointConfiguration is absent)" : types.join(", ");
}

/** An API (non-S3) origin of a distribution, and what it reaches in the stack. */
interface ApiOrigin {
    readonly origin: OriginProps;
    /** The API Gateway custom domain the origin names, when it reaches the API through one. */
    readonly domain?: ReturnType<typeof ofType<aws.apigateway.DomainName>>[number];
    /** The stack's REST APIs behind the origin: by its execute-api host, or the domain's base path mappings. */
    readonly restApis: ReturnType<typeof ofType<aws.apigateway.RestApi>>;
}

/** Every non-S3 origin of a distribution, with the custom domain and REST APIs of the stack behind it. */
function apiOriginsOf(resources: readonly PolicyResource[], distribution: DistributionProps): ApiOrigin[] {
    const restApis = ofType(resources, aws.apigateway.RestApi);
    const byIds = (ids: readonly string[]) => restApis.filter(({ props }) => ids.includes(props.id));
    return distribution.origins
        .filter((origin) => !isS3Origin(origin))
        .map((origin) => {
            const host = EXECUTE_API_HOST.exec(origin.domainName);
            if (host) {
                return { origin, restApis: byIds([host[1]]) };
            }
            const domain = ofType(resources, aws.apigateway.DomainName).find(
                ({ props }) => props.domainName === origin.domainName,
            );
            if (domain === undefined) {
                return { origin, restApis: [] };
            }
            const mapped = ofType(resources, aws.apigateway.BasePathMapping)
                .filter(({ props }) => props.domainName === domain.props.domainName)
                .map(({ props }) => props.restApi);
            return { origin, domain, restApis: byIds(mapped) };
        });
}

export const restApiRegional: StackValidationPolicy = {
    name: "rest-api-regional",
    description: "A REST API (and its custom domain) fronted by the distribution has a REGIONAL endpoint.",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        for (const { distribution, report } of distributionsIn(resources, reportViolation)) {
            for (const { origin, domain, restApis } of apiOriginsOf(resources, distribution)) {
                if (domain !== undefined && !isRegional(domain.props.endpointConfiguration)) {
                    report(
                        `API Gateway custom domain "${domain.props.domainName}" behind origin "${origin.originId}" has endpoint ` +
                            `type ${describeTypes(domain.props.endpointConfiguration)}; an EDGE domain is itself a CloudFront ` +
                            `distribution, so every request would cross two. Fix: set endpointConfiguration: { types: "REGIONAL" } ` +
                            `with a regionalCertificateArn in the API's region.`,
                    );
                }
                for (const api of restApis.filter(({ props }) => !isRegional(props.endpointConfiguration))) {
                    report(
                        `REST API "${api.resource.name}" behind origin "${origin.originId}" has endpoint type ` +
                            `${describeTypes(api.props.endpointConfiguration)}; an EDGE endpoint is itself a CloudFront ` +
                            `distribution, so every request would cross two. Fix: set endpointConfiguration: ` +
                            `{ types: "REGIONAL" } on the RestApi (awsx: restApiArgs.endpointConfiguration).`,
                        api.resource.urn,
                    );
                }
            }
        }
    },
};

const API_KEY_FIX =
    `Fix: require an API key on every method (an OpenAPI security scheme { type: "apiKey", name: ` +
    `"${API_KEY_HEADER}", in: "header" } in every operation's security, or apiKeyRequired: true on every ` +
    `aws.apigateway.Method), put the key in a usage plan on the stage, and have the distribution send it to the ` +
    `API origin as the origin custom header ${API_KEY_HEADER} (this program: same-origin:originLockdown, on by default).`;

type MethodResource = ReturnType<typeof ofType<aws.apigateway.Method>>[number];
type RestApiResource = ApiOrigin["restApis"][number];

/** `GET /items (aws.apigateway.Method "items-get")`: a method by its HTTP method and its resource's path. */
function describeMethod(resources: readonly PolicyResource[], api: RestApiResource, method: MethodResource): string {
    const { httpMethod, resourceId } = method.props;
    const path =
        resourceId === api.props.rootResourceId
            ? "/"
            : ofType(resources, aws.apigateway.Resource).find(({ props }) => props.id === resourceId)?.props.path;
    return `${httpMethod} ${path ?? `(resource ${resourceId})`} (aws.apigateway.Method "${method.resource.name}")`;
}

/**
 * What lets a REST API behind the distribution be called without it: a method that needs no API
 * key (in the OpenAPI body, or an aws.apigateway.Method of the stack), a key read from elsewhere
 * than the header CloudFront sends, an origin that does not send it, and, behind a custom domain,
 * the default execute-api endpoint left on. An origin that sends the key to a host that is not an
 * API of the stack cannot be checked; an origin that reaches no API of the stack and sends no key is
 * a backend (docs/backends.md: another team's service, its lockdown its owners' business), not judged.
 */
function checkApiOnlyThroughDistribution(
    resources: readonly PolicyResource[],
    { origin, domain, restApis }: ApiOrigin,
    report: (message: string, urn?: string) => void,
): void {
    const where = `behind origin "${origin.originId}"`;
    const sendsKey = (origin.customHeaders ?? []).some((h) => h.name.toLowerCase() === API_KEY_HEADER);
    if (restApis.length === 0 && sendsKey) {
        report(
            `origin "${origin.originId}" sends the ${API_KEY_HEADER} custom header to ${origin.domainName}, which is not ` +
                `a REST API of this stack (by its execute-api host, or a custom domain's base path mapping), so whether ` +
                `that API requires the key cannot be checked, and the distribution's key goes to an API the stack does ` +
                `not declare. Fix: declare the REST API in this program and point the origin at it; for another team's ` +
                `backend, remove the ${API_KEY_HEADER} custom header from its origin.`,
        );
    }
    if (restApis.length > 0 && !sendsKey) {
        report(
            `origin "${origin.originId}" sends no ${API_KEY_HEADER} custom header, so the REST API behind it either ` +
                `answers requests that did not come through the distribution or refuses the distribution's own. ${API_KEY_FIX}`,
        );
    }
    const allMethods = ofType(resources, aws.apigateway.Method);
    for (const api of restApis) {
        const label = `REST API "${api.resource.name}" ${where}`;
        const methods = allMethods.filter(({ props }) => props.restApi === api.props.id);
        const hasBody = isSet(api.props, "body");
        if (!hasBody && methods.length === 0) {
            report(
                `${label} has neither an OpenAPI body nor aws.apigateway.Method resources in this stack, where this pack ` +
                    `reads which methods require an API key, so it cannot check that the API answers only the ` +
                    `distribution. ${API_KEY_FIX}`,
                api.resource.urn,
            );
            continue;
        }
        let requirements: ApiKeyRequirements | undefined;
        if (hasBody) {
            try {
                requirements = apiKeyRequirements(api.props.body!);
            } catch (error) {
                report(
                    `${label}: its body is not JSON (${(error as Error).message}), so which methods require an API key ` +
                        `cannot be checked. Fix: give the body as JSON (JSON.stringify the OpenAPI document).`,
                    api.resource.urn,
                );
                continue;
            }
        }
        const withoutKey = [
            ...(requirements?.operationsWithoutKey ?? []),
            ...methods
                .filter(({ props }) => props.apiKeyRequired !== true)
                .map((method) => describeMethod(resources, api, method)),
        ];
        if (withoutKey.length > 0) {
            report(
                `${label} answers ${withoutKey.join(", ")} without an API key, so anyone can call them at the API's own ` +
                    `endpoint and bypass the distribution (its WAF, logging and headers). ` +
                    API_KEY_FIX,
                api.resource.urn,
            );
        }
        // HEADER is API Gateway's default key source (api-gateway-api-key-source.html).
        const keySource = isSet(api.props, "apiKeySource")
            ? api.props.apiKeySource
            : (requirements?.keySource ?? "HEADER");
        if (keySource !== "HEADER") {
            report(
                `${label} reads API keys from ${keySource}, not from the ${API_KEY_HEADER} header the distribution ` +
                    `sends. Fix: set the key source to HEADER (apiKeySource, or the body's ` +
                    `x-amazon-apigateway-api-key-source).`,
                api.resource.urn,
            );
        }
        if (
            domain !== undefined &&
            api.props.disableExecuteApiEndpoint !== true &&
            requirements?.disablesExecuteApiEndpoint !== true
        ) {
            report(
                `${label} is reached through the custom domain "${domain.props.domainName}" but keeps its default ` +
                    `execute-api endpoint, a second way in that the distribution does not need. Fix: set ` +
                    `disableExecuteApiEndpoint: true on the RestApi (takes effect on the next deployment).`,
                api.resource.urn,
            );
        }
    }
}

export const apiOnlyThroughDistribution: StackValidationPolicy = {
    name: "api-only-through-distribution",
    description:
        "A REST API behind the distribution requires an API key on every method, which only the distribution sends " +
        `(${API_KEY_HEADER} origin header); behind a custom domain its execute-api endpoint is disabled.`,
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        for (const { distribution, report } of distributionsIn(resources, reportViolation)) {
            for (const apiOrigin of apiOriginsOf(resources, distribution)) {
                checkApiOnlyThroughDistribution(resources, apiOrigin, report);
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// Buckets, logging, WAF.
// ---------------------------------------------------------------------------------------------

export const bucketTlsOnly: StackValidationPolicy = {
    name: "bucket-tls-only",
    description: "Every bucket's policy denies every request made without TLS (aws:SecureTransport false).",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        const policies = ofType(resources, aws.s3.BucketPolicy);
        for (const { resource, props } of bucketsIn(resources)) {
            const own = policies.filter(({ props: policy }) => [props.id, props.bucket].includes(policy.bucket));
            if (!own.some(({ props: policy }) => deniesInsecureTransport(policy.policy, props.arn))) {
                reportViolation(
                    `bucket "${props.bucket}" has ${own.length === 0 ? "no bucket policy" : "a bucket policy without a statement"} ` +
                        `denying requests made without TLS, so it answers plain HTTP (Security Hub S3.5). Fix: put first in ` +
                        `its aws.s3.BucketPolicy { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: ` +
                        `"s3:*", Resource: [<bucket ARN>, "<bucket ARN>/*"], Condition: { Bool: { "aws:SecureTransport": ` +
                        `"false" } } }.`,
                    resource.urn,
                );
            }
        }
    },
};

function checkDistributionLogging(distribution: DistributionProps, report: Report): void {
    const logging = distribution.loggingConfig;
    if (logging === undefined || logging === null || !isSet(logging, "bucket")) {
        report(
            `the distribution has no standard logging (loggingConfig), so no request through it is recorded; ` +
                `Security Hub's CloudFront.5 counts only this legacy S3 logging. Fix: set loggingConfig: { bucket: ` +
                `<log bucket>.bucketDomainName, prefix: "cloudfront/" }, the bucket with ACLs enabled ` +
                `(BucketOwnershipControls objectOwnership "BucketOwnerPreferred").`,
        );
    }
}

export const distributionLoggingEnabled = distributionPolicy(
    "distribution-logging-enabled",
    "The distribution logs to S3 (standard logging, the logging Security Hub's CloudFront.5 counts).",
    checkDistributionLogging,
);

/** The execution logging levels Security Hub's APIGateway.1 accepts (api-gw-execution-logging-enabled). */
const EXECUTION_LOGGING_LEVELS = ["ERROR", "INFO"];

const EXECUTION_LOGGING_FIX =
    `Fix: add aws.apigateway.MethodSettings { restApi, stageName, methodPath: "${ALL_METHODS_PATH}", settings: ` +
    `{ loggingLevel: "ERROR" } } (API Gateway's account needs a CloudWatch role), and set no other method's ` +
    `loggingLevel below ${EXECUTION_LOGGING_LEVELS.join(" or ")}.`;

export const stageLoggingEnabled: StackValidationPolicy = {
    name: "stage-logging-enabled",
    description:
        "Every API stage has access logs and execution logging at ERROR or INFO for every method, none overridden " +
        "to a lower level.",
    enforcementLevel: "mandatory",
    validateStack: ({ resources }, reportViolation) => {
        const methodSettings = ofType(resources, aws.apigateway.MethodSettings);
        for (const { resource, props } of ofType(resources, aws.apigateway.Stage)) {
            const label = `stage "${props.stageName}" (${resource.name})`;
            const access = props.accessLogSettings;
            if (
                access === undefined ||
                access === null ||
                !isSet(access, "destinationArn") ||
                !isSet(access, "format")
            ) {
                reportViolation(
                    `${label} has no access logs (accessLogSettings with a destinationArn and a format), so who called ` +
                        `the API is not recorded. Fix: set accessLogSettings: { destinationArn: <log group ARN>, format: ` +
                        `<one-line JSON with $context.requestId, $context.status, ...> }.`,
                    resource.urn,
                );
            }
            const own = methodSettings.filter(
                ({ props: m }) => m.restApi === props.restApi && m.stageName === props.stageName,
            );
            const logged = own.some(
                ({ props: m }) =>
                    m.methodPath === ALL_METHODS_PATH && EXECUTION_LOGGING_LEVELS.includes(m.settings?.loggingLevel),
            );
            if (!logged) {
                reportViolation(
                    `${label} has no execution logging at ${EXECUTION_LOGGING_LEVELS.join(" or ")} for every method ` +
                        `(Security Hub APIGateway.1), so authorizer and integration errors leave no trace. ` +
                        EXECUTION_LOGGING_FIX,
                    resource.urn,
                );
            }
            // A method's own settings override the stage's `*/*` ones for that method: the
            // aws.apigateway.MethodSettings docs' "Off" example turns logging off for methodPath "path1/GET"
            // alone (https://www.pulumi.com/registry/packages/aws/api-docs/apigateway/methodsettings/). Not
            // verified against a deployed stage; an override that leaves loggingLevel out is not judged.
            for (const { resource: override, props: m } of own.filter(
                ({ props: m }) => m.methodPath !== ALL_METHODS_PATH,
            )) {
                const level = m.settings?.loggingLevel;
                if (isSet(m.settings ?? {}, "loggingLevel") && !EXECUTION_LOGGING_LEVELS.includes(level)) {
                    reportViolation(
                        `${label}: method settings "${override.name}" set loggingLevel ${JSON.stringify(level)} for ` +
                            `methodPath "${m.methodPath}", so those methods leave no execution log (Security Hub ` +
                            `APIGateway.1). ${EXECUTION_LOGGING_FIX}`,
                        override.urn,
                    );
                }
            }
        }
    },
};

/** The WAF rules' config: off by default; prod's pack config turns it on for both. */
interface WafRequiredConfig {
    readonly requireWaf?: boolean;
}

/**
 * The config schema of both WAF rules. The engine hands each policy its own config (per rule name),
 * so a stack's pack config sets requireWaf for each.
 */
const WAF_CONFIG_SCHEMA = {
    properties: {
        requireWaf: {
            type: "boolean" as const,
            default: false,
            description: "Require AWS WAF on every distribution and API stage (prod).",
        },
    },
};

/** Why a missing web ACL is a violation, for the messages. */
const wafWhy = (rule: string) => `the pack's config requires WAF (${rule}: requireWaf)`;

export const distributionWafRequired: ResourceValidationPolicy = {
    name: "distribution-waf-required",
    description: "When the pack's config sets requireWaf: every distribution has a web ACL.",
    enforcementLevel: "mandatory",
    configSchema: WAF_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(aws.cloudfront.Distribution, (distribution, args, reportViolation) => {
        if (args.getConfig<WafRequiredConfig>().requireWaf !== true) {
            return;
        }
        if (!isSet(distribution, "webAclId")) {
            reportViolation(
                `the distribution has no web ACL (webAclId) and ${wafWhy(distributionWafRequired.name)}. Fix: create an ` +
                    `aws.wafv2.WebAcl with scope "CLOUDFRONT" in ${EDGE_REGION} and set its arn as the distribution's webAclId.`,
            );
        }
    }),
};

export const stageWafRequired: StackValidationPolicy = {
    name: "stage-waf-required",
    description: "When the pack's config sets requireWaf: every API stage is associated with a web ACL.",
    enforcementLevel: "mandatory",
    configSchema: WAF_CONFIG_SCHEMA,
    validateStack: ({ resources, getConfig }, reportViolation) => {
        if (getConfig<WafRequiredConfig>().requireWaf !== true) {
            return;
        }
        const protectedArns = ofType(resources, aws.wafv2.WebAclAssociation).map(({ props }) => props.resourceArn);
        for (const { resource, props } of ofType(resources, aws.apigateway.Stage)) {
            if (!protectedArns.includes(props.arn)) {
                reportViolation(
                    `stage "${props.stageName}" (${resource.name}) has no web ACL associated and ` +
                        `${wafWhy(stageWafRequired.name)}; a web ACL on the distribution does not cover the stage's own ` +
                        `endpoint. Fix: add aws.wafv2.WebAclAssociation { resourceArn: stage.arn, webAclArn: <a REGIONAL ` +
                        `web ACL in the stage's region> }.`,
                    resource.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// Sign-in.
// ---------------------------------------------------------------------------------------------

/** no-demo-authorizer's config: the demo authorizer is refused unless a stack's pack config allows it. */
interface NoDemoAuthorizerConfig {
    readonly allowDemoAuthorizer?: boolean;
}

export const noDemoAuthorizer: ResourceValidationPolicy = {
    name: "no-demo-authorizer",
    description:
        "No Lambda function runs the demo authorizer (fixed tokens) unless the pack's config sets allowDemoAuthorizer.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowDemoAuthorizer: {
                type: "boolean",
                default: false,
                description: "Allow the demo authorizer's fixed tokens (a dev stack's preview and update only).",
            },
        },
    },
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
        if (args.getConfig<NoDemoAuthorizerConfig>().allowDemoAuthorizer === true) {
            return;
        }
        const provider = fn.environment?.variables?.[AUTHORIZER_ENV.provider];
        if (provider === DEMO_PROVIDER) {
            reportViolation(
                `function "${args.name}" has ${AUTHORIZER_ENV.provider}=${DEMO_PROVIDER}: it lets anyone in with the fixed token ` +
                    `"allow", so the API's protected routes are open to everyone. Fix: sign in with Cognito or an OpenID ` +
                    `Connect provider (same-origin:auth provider "cognito" or "oidc"); only a dev stack may pass the pack ` +
                    `config { "no-demo-authorizer": { "allowDemoAuthorizer": true } } (policy/config/dev.json).`,
            );
        }
    }),
};

/** Every rule of the pack, in the order they are reported. */
export const policies = [
    s3OriginAccessControl,
    s3OriginBucketPrivate,
    viewerHttpsOnly,
    viewerTlsMinimum,
    apiOriginHttpsOnly,
    apiBehaviorNoHostHeader,
    apiBehaviorAuthorizationInCacheKey,
    noSpaErrorFallbackWithApi,
    lambdaEdgeVersionedArn,
    lambdaEdgeFunctionPublished,
    restApiRegional,
    apiOnlyThroughDistribution,
    bucketTlsOnly,
    distributionLoggingEnabled,
    stageLoggingEnabled,
    noDemoAuthorizer,
    distributionWafRequired,
    stageWafRequired,
];
