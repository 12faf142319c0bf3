import * as pulumi from "@pulumi/pulumi";
import { ASSET_FOLDER, buildSite } from "./site/build";
import { Api } from "./infra/api";
import { ApiCustomDomain } from "./infra/api-custom-domain";
import { readStackConfig } from "./infra/stack-config";
import { EdgePathRewriter } from "./infra/edge-path-rewriter";
import { frontendConfig as buildFrontendConfig } from "./core/frontend-config";
import { apiBasePath, apiOriginPath } from "./core/paths";
import { SiteDistribution } from "./infra/site-distribution";
import { TokenAuthorizer } from "./infra/token-authorizer";

// 1. Config: validated before any resource is declared.
const config = readStackConfig();

// 2. The API and its authorizer. Routes live under apiPath unless the edge rewriter strips it.
const authorizer = new TokenAuthorizer("authorizer", { resultTtlInSeconds: config.authorizerCacheTtl });
const basePath = apiBasePath(config.apiPath, config.pathRewriter);
const originPath = apiOriginPath(config.proxyMode, config.stageName, config.customDomain?.basePath);
const api = new Api("api", {
    basePath,
    stageName: config.stageName,
    authorizer,
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
        ? new EdgePathRewriter("edge-rewriter", { prefix: config.apiPath })
        : undefined;

// 4. The runtime config the SPA reads, then the distribution serving both.
const frontend = apiHost.apply((host) =>
    buildFrontendConfig({
        apiPath: config.apiPath,
        region: config.region,
        apiHost: host,
        apiOriginPath: originPath,
        apiBasePath: basePath,
    }),
);
const site = new SiteDistribution("site", {
    apiPath: config.apiPath,
    apiOrigin: {
        domainName: apiHost,
        originPath,
    },
    edgeRewriterArn: rewriter?.qualifiedArn,
    priceClass: config.priceClass,
    siteFiles: buildSite(),
    assetFolder: ASSET_FOLDER,
    frontendConfig: frontend,
});

/** The site's URL. */
export const siteUrl = site.url;
/** The same-origin API base: what the browser calls. */
export const apiUrl = pulumi.interpolate`${site.url}${config.apiPath}`;
/** The API Gateway stage URL, bypassing CloudFront (cross-origin from the site). */
export const directApiUrl = api.stageUrl;
/** The custom domain's URL, in custom-domain mode. */
export const customDomainUrl = customDomain?.url;
/** Where the custom domain's DNS must point when no Route 53 zone is managed here. */
export const customDomainTarget = customDomain?.target;
/** The edge function's name, for deleting it once CloudFront has dropped its replicas. */
export const edgeFunctionName = rewriter?.functionName;
export const distributionId = site.distributionId;
export const bucketName = site.bucketName;
/** The document served as /config.json. */
export const frontendConfig = frontend;
