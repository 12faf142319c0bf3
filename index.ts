import * as pulumi from "@pulumi/pulumi";
import { ASSET_FOLDER } from "./core/site";
import { buildSite } from "./site/build";
import { Api } from "./infra/api";
import { ApiCustomDomain } from "./infra/api-custom-domain";
import { ApiGatewayAccount } from "./infra/api-gateway-account";
import { API_KEY_HEADER } from "./core/api-gateway";
import { readStackConfig } from "./infra/stack-config";
import { EdgePathRewriter } from "./infra/edge-path-rewriter";
import { LOG_PREFIXES, LogBucket } from "./infra/log-bucket";
import { frontendConfig as buildFrontendConfig } from "./core/frontend-config";
import { apiBasePath, apiOriginPath } from "./core/paths";
import { RuntimeConfig } from "./infra/runtime-config";
import { checkRouteScopes, signIn } from "./infra/sign-in";
import { SiteDistribution } from "./infra/site-distribution";
import { SiteDomain } from "./infra/site-domain";
import { plannedAuthorizer, TokenAuthorizer } from "./infra/token-authorizer";
import { WebAcls } from "./infra/waf";
import { scopedRoutes } from "./core/routes";
import { HANDLERS_DIR, ROUTES } from "./functions/routes";

// 1. Config, and the route table's scopes against the sign-in provider: validated before any
// resource is declared.
const config = readStackConfig();
checkRouteScopes(config.auth, ROUTES);

// 2. The API, from the route table. Routes live under apiPath unless a rewriter strips it.
// It names its TOKEN authorizer now; the function comes last (step 6): its configuration holds the
// sign-in client's id, the client needs the site's URL, and the site needs the API. Its stage logs
// once API Gateway's account-wide CloudWatch role is set, here or (config "existing") elsewhere.
const basePath = apiBasePath(config.apiPath, config.pathRewriter);
const originPath = apiOriginPath(config.proxyMode, config.stageName, config.customDomain?.basePath);
const authorizerPlan = plannedAuthorizer("authorizer", config.region);
const account =
    config.logs.apiGatewayCloudWatchRole === "create" ? new ApiGatewayAccount("api-gateway-account") : undefined;
const api = new Api("api", {
    basePath,
    stageName: config.stageName,
    routes: ROUTES,
    handlersDir: HANDLERS_DIR,
    tokenAuthorizer: { functionArn: authorizerPlan.functionArn, resultTtlInSeconds: config.authorizerCacheTtl },
    region: config.region,
    // Through a custom domain, CloudFront never needs the execute-api host: it is turned off.
    originLockdown: config.originLockdown
        ? { disableExecuteApiEndpoint: config.proxyMode === "custom-domain" }
        : undefined,
    throttle: config.throttle,
    logs: { retentionDays: config.logs.retentionDays, accountSettings: account?.settings },
});

// 3. What CloudFront talks to: the execute-api host, or the custom domain mapped to the stage.
const customDomain =
    config.customDomain &&
    new ApiCustomDomain("api-domain", {
        domain: config.customDomain,
        restApiId: api.restApiId,
        stageName: api.stageName,
    });
const apiHost = customDomain ? customDomain.domainName : api.executeApiHost;
const rewriter =
    config.pathRewriter === "lambda-edge"
        ? new EdgePathRewriter("edge-rewriter", { prefix: config.apiPath, logRetentionDays: config.logs.retentionDays })
        : undefined;

// 4. AWS WAF on both entry points, when enabled, and the bucket the logs go to. The log bucket lets
// the site bucket write its access logs, and the site logs into the log bucket: the site bucket's
// ARN reaches the log bucket's policy once the site exists.
const waf = config.waf.enabled
    ? new WebAcls("waf", { rateLimit: config.waf.rateLimit, stageArn: api.stageArn })
    : undefined;
const [siteBucketArn, resolveSiteBucketArn] = pulumi.deferredOutput<string>();
const logs = new LogBucket("logs", {
    retentionDays: config.logs.retentionDays,
    accessLogSources: [{ bucketArn: siteBucketArn, prefix: LOG_PREFIXES.siteAccess }],
});

// 5. The distribution serving the site, the API and the other backends, on the site's own domain
// when it has one (its certificate comes first: the distribution presents it).
const siteDomain = config.siteDomain && new SiteDomain("site-domain", { domain: config.siteDomain });
const site = new SiteDistribution("site", {
    apiPath: config.apiPath,
    apiOrigin: {
        domainName: apiHost,
        originPath,
        // The origin lockdown's key, which only CloudFront holds (secret in the state).
        customHeaders: api.originKey && [{ name: API_KEY_HEADER, value: api.originKey }],
    },
    edgeRewriterArn: rewriter?.qualifiedArn,
    stripApiPath: config.pathRewriter === "cloudfront-function",
    backends: config.backends,
    cors: config.cors,
    domain: siteDomain && {
        domainName: siteDomain.domainName,
        certificateArn: siteDomain.certificateArn,
        zoneId: siteDomain.zoneId,
    },
    priceClass: config.priceClass,
    siteFiles: buildSite(),
    assetFolder: ASSET_FOLDER,
    logs: {
        bucketName: logs.bucketName,
        bucketDomainName: logs.domainName,
        cloudFrontPrefix: LOG_PREFIXES.cloudFront,
        accessLogPrefix: LOG_PREFIXES.siteAccess,
    },
    webAclId: waf?.cloudFrontWebAclArn,
});
resolveSiteBucketArn(site.bucketArn);

// 6. Sign-in and the authorizer that verifies its tokens, then the runtime config the SPA reads.
const auth = signIn(config.auth, ROUTES, site.url, config.region);
new TokenAuthorizer("authorizer", {
    functionName: authorizerPlan.functionName,
    verification: auth.verification,
    routeScopes: scopedRoutes(ROUTES, basePath),
    resultTtlInSeconds: config.authorizerCacheTtl,
    apiExecutionArn: api.executionArn,
    logRetentionDays: config.logs.retentionDays,
});
const frontend = pulumi.all([apiHost, auth.frontend]).apply(([host, frontendAuth]) =>
    buildFrontendConfig({
        apiPath: config.apiPath,
        region: config.region,
        apiHost: host,
        apiOriginPath: originPath,
        apiBasePath: basePath,
        auth: frontendAuth,
    }),
);
new RuntimeConfig("config", { bucket: site.bucketName, config: frontend });

/** The site's URL: its own domain, or the distribution's. */
export const siteUrl = site.url;
/** Where the site domain's DNS must point when no Route 53 zone is managed here. */
export const siteDomainTarget = siteDomain && site.distributionDomainName;
/** The same-origin API base: what the browser calls. */
export const apiUrl = pulumi.interpolate`${site.url}${config.apiPath}`;
/** The API Gateway stage URL, bypassing CloudFront (cross-origin from the site; 403 with originLockdown). */
export const directApiUrl = api.stageUrl;
/** The custom domain's URL, in custom-domain mode. */
export const customDomainUrl = customDomain?.url;
/** Where the custom domain's DNS must point when no Route 53 zone is managed here. */
export const customDomainTarget = customDomain?.target;
/** The edge function's name, for deleting it once CloudFront has dropped its replicas. */
export const edgeFunctionName = rewriter?.functionName;
export const distributionId = site.distributionId;
export const bucketName = site.bucketName;
/** The bucket holding CloudFront's standard logs (`cloudfront/`) and the site bucket's access logs (`s3/site/`). */
export const logBucketName = logs.bucketName;
/** The document served as /config.json. */
export const frontendConfig = frontend;
/** The Cognito user pool (provider `cognito`), for creating users. */
export const userPoolId = auth.cognito?.userPoolId;
/** The API's access log group (one JSON line per request), for `aws logs tail`. */
export const apiAccessLogGroup = api.accessLogGroupName;
/** The API's execution log group (API Gateway's errors). */
export const apiExecutionLogGroup = api.executionLogGroupName;
