import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteFile } from "../site/build";
import { cloudFrontFunction, preflightAnswer, requestFunctionEntry, viewerRequestEntry } from "./cloudfront-function";
import { backendName, type BackendConfig, PriceClass } from "./config";
import { aliasRecords } from "./dns";
import { denyInsecureTransportStatement } from "./iam";
import { privateBucket } from "./private-bucket";
import {
    ALL_METHODS,
    CLOUDFRONT_HOSTED_ZONE_ID,
    MINIMUM_VIEWER_SECURITY_POLICY,
    READ_METHODS,
} from "../core/cloudfront";
import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES, RESPONSE_HEADERS_POLICIES } from "../core/cloudfront-policies";
import { CORS_ALLOW_METHODS, type CorsConfig } from "../core/cors";
import { CONFIG_KEY } from "../core/frontend-config";
import { apiPathPatterns } from "../core/paths";
import { APP_SHELL } from "../core/site";
import type { SiteManifest } from "../functions/spa-rewrite";

/** Origin ids inside the distribution. */
export const SITE_ORIGIN_ID = "site";
export const API_ORIGIN_ID = "api";

/** How CloudFront reaches the API and the backends: HTTPS on 443, TLS 1.2 only. */
const HTTPS_ORIGIN: aws.types.input.cloudfront.DistributionOriginCustomOriginConfig = {
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: "https-only",
    originSslProtocols: ["TLSv1.2"],
};

/** The API origin: an execute-api host or a custom domain, and the path CloudFront prepends. */
export interface ApiOrigin {
    readonly domainName: pulumi.Input<string>;
    /** `/prod`, `/v1` or `""`: prepended to the full viewer path. */
    readonly originPath: string;
    /**
     * Headers CloudFront adds to every request to the API, replacing a viewer's header of the same
     * name ("Add custom headers to origin requests", add-origin-custom-headers.html).
     * @default none
     */
    readonly customHeaders?: readonly { readonly name: string; readonly value: pulumi.Input<string> }[];
}

/** The origin id of a backend: `backend-<name>`. */
function backendOriginId(path: string): string {
    return `backend-${backendName(path)}`;
}

/** A backend's URL as CloudFront's origin: its host, and its path as the origin path. */
function backendOrigin(url: string): { domainName: string; originPath: string } {
    const parsed = new URL(url);
    return { domainName: parsed.hostname, originPath: parsed.pathname === "/" ? "" : parsed.pathname };
}

/** What runs on a proxied path's behaviors, besides the origin. */
interface ProxyBehaviorOptions {
    /** A viewer-request CloudFront Function (prefix stripping, CORS preflights). */
    readonly viewerFunctionArn?: pulumi.Input<string>;
    /** A Lambda@Edge version run on origin requests (the API's `lambda-edge` rewriter). */
    readonly edgeRewriterArn?: pulumi.Input<string>;
    /** The CORS response headers policy, when partner origins are allowed. */
    readonly responseHeadersPolicyId?: pulumi.Input<string>;
}

/**
 * The behaviors of a proxied path (the API or a backend), for the prefix itself and everything
 * under it (`/api/*` does not match `/api`, which would otherwise fall to the SPA): every method,
 * nothing cached, every viewer header but Host forwarded. With caching disabled and
 * `AllViewerExceptHostHeader`, the Authorization header reaches the origin (it cannot be listed
 * in an origin request policy), while CloudFront sends the origin's own domain as Host, which API
 * Gateway requires. HTTPS only: a redirect would drop a POST's body.
 */
function proxyCacheBehaviors(
    prefix: string,
    originId: string,
    options: ProxyBehaviorOptions = {},
): aws.types.input.cloudfront.DistributionOrderedCacheBehavior[] {
    return apiPathPatterns(prefix).map((pathPattern) => ({
        pathPattern,
        targetOriginId: originId,
        viewerProtocolPolicy: "https-only",
        allowedMethods: [...ALL_METHODS],
        cachedMethods: [...READ_METHODS],
        cachePolicyId: CACHE_POLICIES.CachingDisabled.id,
        originRequestPolicyId: ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id,
        compress: false,
        ...(options.responseHeadersPolicyId === undefined
            ? {}
            : { responseHeadersPolicyId: options.responseHeadersPolicyId }),
        ...(options.viewerFunctionArn === undefined
            ? {}
            : { functionAssociations: [{ eventType: "viewer-request", functionArn: options.viewerFunctionArn }] }),
        lambdaFunctionAssociations:
            options.edgeRewriterArn === undefined
                ? []
                : [{ eventType: "origin-request", lambdaArn: options.edgeRewriterArn, includeBody: false }],
    }));
}

/**
 * The CORS part of the proxied behaviors' response headers policy, from the config key `cors`: the
 * allowed origins, on every response the origin returns (errors included, as CloudFront's docs
 * imply without saying so outright: docs/cors.md); the policy's values replace a backend's own
 * (originOverride), so the edge decides for every backend.
 */
function corsPolicyConfig(cors: CorsConfig): aws.types.input.cloudfront.ResponseHeadersPolicyCorsConfig {
    return {
        accessControlAllowOrigins: { items: [...cors.allowOrigins] },
        accessControlAllowCredentials: cors.allowCredentials,
        accessControlAllowMethods: { items: [...CORS_ALLOW_METHODS] },
        accessControlAllowHeaders: { items: [...cors.allowHeaders] },
        ...(cors.exposeHeaders.length > 0 ? { accessControlExposeHeaders: { items: [...cors.exposeHeaders] } } : {}),
        accessControlMaxAgeSec: cors.maxAgeSeconds,
        originOverride: true,
    };
}

/** What the SPA function needs to know of the site: every key it serves (config.json too) and the asset folder. */
export function siteManifest(siteFiles: readonly SiteFile[], assetFolder: string): SiteManifest {
    const keys = [...siteFiles.map((file) => file.key), CONFIG_KEY];
    return { files: Object.fromEntries(keys.map((key) => [`/${key}`, 1 as const])), assetPrefix: `/${assetFolder}/` };
}

/** The SPA function's entry: its handler with the site's manifest compiled in. */
export function spaRewriteEntry(manifest: SiteManifest): string {
    return requestFunctionEntry("spa-rewrite", "routeSiteRequest", manifest);
}

/**
 * The site bucket's policy: only this distribution (through Origin Access Control) reads objects,
 * and no request without TLS gets in. CloudFront reaches an S3 origin over the protocol the viewer
 * used ("How CloudFront processes HTTP and HTTPS requests", HTTPandHTTPSRequests.html), and the
 * site's behavior redirects HTTP viewers to HTTPS first, so its reads always come over TLS.
 */
export function siteBucketPolicy(bucketArn: string, distributionArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransportStatement(bucketArn),
            {
                Sid: "AllowCloudFrontServicePrincipalReadOnly",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `${bucketArn}/*`,
                Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
            },
        ],
    });
}

/** Where the site's logs go: the log bucket, and a key prefix for each kind of log. */
export interface SiteLogs {
    /**
     * The log bucket's name, the target of the site bucket's S3 server access logs.
     * @example logs.bucketName
     */
    readonly bucketName: pulumi.Input<string>;
    /**
     * The log bucket as CloudFront's standard logging (legacy) names it, `<bucket>.s3.amazonaws.com`.
     * @example logs.domainName
     */
    readonly bucketDomainName: pulumi.Input<string>;
    /**
     * The key prefix of CloudFront's standard logs.
     * @example "cloudfront/"
     */
    readonly cloudFrontPrefix: string;
    /**
     * The key prefix of the site bucket's S3 server access logs.
     * @example "s3/site/"
     */
    readonly accessLogPrefix: string;
}

/** The site's own domain as the distribution takes it. */
export interface SiteAlias {
    /** `www.example.com`. */
    readonly domainName: string;
    /** An ACM certificate in us-east-1 covering the domain. */
    readonly certificateArn: pulumi.Input<string>;
    /** The Route 53 zone for the alias records; none when DNS is managed elsewhere. */
    readonly zoneId?: pulumi.Input<string>;
}

export interface SiteDistributionArgs {
    /**
     * The API's prefix; the behaviors are `<apiPath>` and `<apiPath>/*`.
     * @example "/api"
     */
    readonly apiPath: string;
    /**
     * Where the API behavior sends requests.
     * @example { domainName: api.executeApiHost, originPath: "/prod" }
     */
    readonly apiOrigin: ApiOrigin;
    /**
     * A Lambda@Edge version ARN to run on origin requests of the API behavior.
     * @default none
     * @example rewriter.qualifiedArn
     */
    readonly edgeRewriterArn?: pulumi.Input<string>;
    /**
     * Whether the API behaviors' viewer-request CloudFront Function strips `apiPath`
     * (`pathRewriter: cloudfront-function`).
     * @default false
     */
    readonly stripApiPath?: boolean;
    /**
     * More backends behind the same origin: each an origin and the behaviors `<path>` and `<path>/*`.
     * @default []
     * @example [{ path: "/billing", url: "https://abc.execute-api.eu-west-1.amazonaws.com/prod", stripPath: false }]
     */
    readonly backends?: readonly BackendConfig[];
    /**
     * Partner origins allowed to call the proxied paths: preflights answered at the edge, CORS
     * headers on the responses.
     * @default none: same-origin only
     * @example { allowOrigins: ["https://partner.example.com"], allowCredentials: false, ... }
     */
    readonly cors?: CorsConfig;
    /**
     * The site's own domain: an alias of the distribution with its certificate, and (with a zone)
     * A and AAAA alias records.
     * @default none: the site is served at `<distribution>.cloudfront.net`
     * @example { domainName: "www.example.com", certificateArn: siteDomain.certificateArn, zoneId: siteDomain.zoneId }
     */
    readonly domain?: SiteAlias;
    /**
     * Which edge locations serve the site.
     * @example "PriceClass_100"
     */
    readonly priceClass: PriceClass;
    /**
     * The built SPA (site/dist), uploaded with each file's content type and cache headers.
     * @example buildSite()
     */
    readonly siteFiles: readonly SiteFile[];
    /**
     * The build's folder of content-hashed files: a missing file there is a 404, not the app.
     * @example "assets"
     */
    readonly assetFolder: string;
    /**
     * Where CloudFront's standard logs and the site bucket's server access logs go.
     * @example { bucketName: logs.bucketName, bucketDomainName: logs.domainName, cloudFrontPrefix: "cloudfront/", accessLogPrefix: "s3/site/" }
     */
    readonly logs: SiteLogs;
    /**
     * The ARN of a CLOUDFRONT-scope AWS WAF web ACL for the distribution.
     * @default none
     * @example waf.cloudFrontWebAclArn
     */
    readonly webAclId?: pulumi.Input<string>;
}

/**
 * The private site bucket, the CloudFront distribution in front of it and the API, the SPA
 * deep-link function, and the uploaded site with its `config.json`. CloudFront writes its standard
 * logs (legacy, to S3; cookies left out) and the bucket its server access logs to the log bucket.
 */
export class SiteDistribution extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly distributionId: pulumi.Output<string>;
    /** `https://<site domain>` with a domain, else `https://<distribution domain>`. */
    readonly url: pulumi.Output<string>;
    /** The distribution's own host name, where the site domain's DNS points: `d111111abcdef8.cloudfront.net`. */
    readonly distributionDomainName: pulumi.Output<string>;

    constructor(name: string, args: SiteDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:site-distribution:SiteDistribution", name, {}, opts);

        // The site is rebuilt from the repository, so emptying the bucket on destroy loses nothing.
        const { bucket } = privateBucket(name, "BucketOwnerEnforced", this);
        const originAccessControl = new aws.cloudfront.OriginAccessControl(
            `${name}-oac`,
            {
                description: "same-origin: CloudFront reads the site bucket with SigV4",
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            { parent: this },
        );
        const spaRewrite = this.spaRewriteFunction(name, args);
        const backends = args.backends ?? [];
        const corsPolicy = args.cors && this.corsPolicy(name, args.cors);
        const apiFunction = this.viewerRequestFunction(
            `${name}-api-request`,
            args.apiPath,
            args.stripApiPath === true,
            args.cors,
        );

        const distribution = new aws.cloudfront.Distribution(
            `${name}-cdn`,
            {
                comment: "same-origin: SPA and API on one origin",
                enabled: true,
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass,
                defaultRootObject: APP_SHELL,
                origins: [
                    {
                        originId: SITE_ORIGIN_ID,
                        domainName: bucket.bucketRegionalDomainName,
                        originAccessControlId: originAccessControl.id,
                    },
                    {
                        originId: API_ORIGIN_ID,
                        domainName: args.apiOrigin.domainName,
                        originPath: args.apiOrigin.originPath,
                        customHeaders: args.apiOrigin.customHeaders?.map((header) => ({ ...header })),
                        customOriginConfig: HTTPS_ORIGIN,
                    },
                    ...backends.map((backend) => ({
                        originId: backendOriginId(backend.path),
                        ...backendOrigin(backend.url),
                        customOriginConfig: HTTPS_ORIGIN,
                    })),
                ],
                defaultCacheBehavior: {
                    targetOriginId: SITE_ORIGIN_ID,
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: [...READ_METHODS],
                    cachedMethods: [...READ_METHODS],
                    compress: true,
                    cachePolicyId: CACHE_POLICIES.CachingOptimized.id,
                    responseHeadersPolicyId: RESPONSE_HEADERS_POLICIES.SecurityHeadersPolicy.id,
                    functionAssociations: [{ eventType: "viewer-request", functionArn: spaRewrite.arn }],
                },
                orderedCacheBehaviors: [
                    ...proxyCacheBehaviors(args.apiPath, API_ORIGIN_ID, {
                        viewerFunctionArn: apiFunction?.arn,
                        edgeRewriterArn: args.edgeRewriterArn,
                        responseHeadersPolicyId: corsPolicy?.id,
                    }),
                    ...backends.flatMap((backend) =>
                        proxyCacheBehaviors(backend.path, backendOriginId(backend.path), {
                            viewerFunctionArn: this.viewerRequestFunction(
                                `${name}-backend-${backendName(backend.path)}-request`,
                                backend.path,
                                backend.stripPath,
                                args.cors,
                            )?.arn,
                            responseHeadersPolicyId: corsPolicy?.id,
                        }),
                    ),
                ],
                restrictions: { geoRestriction: { restrictionType: "none" } },
                ...(args.domain === undefined
                    ? { viewerCertificate: { cloudfrontDefaultCertificate: true } }
                    : {
                          aliases: [args.domain.domainName],
                          // SNI only: a dedicated-IP certificate costs $600 a month, and every
                          // browser sends SNI ("Using HTTPS with CloudFront", cnames-https-dedicated-ip-or-sni.html).
                          viewerCertificate: {
                              acmCertificateArn: args.domain.certificateArn,
                              sslSupportMethod: "sni-only",
                              minimumProtocolVersion: MINIMUM_VIEWER_SECURITY_POLICY,
                          },
                      }),
                // Standard logging (legacy), to S3: the only kind Security Hub's CloudFront.5 checks
                // (Config rule cloudfront-accesslogs-enabled). Cookies can carry credentials: not logged.
                loggingConfig: {
                    bucket: args.logs.bucketDomainName,
                    prefix: args.logs.cloudFrontPrefix,
                    includeCookies: false,
                },
                ...(args.webAclId !== undefined ? { webAclId: args.webAclId } : {}),
            },
            { parent: this },
        );

        new aws.s3.BucketPolicy(
            `${name}-bucket-policy`,
            {
                bucket: bucket.id,
                policy: pulumi.all([bucket.arn, distribution.arn]).apply(([b, d]) => siteBucketPolicy(b, d)),
            },
            { parent: this },
        );
        new aws.s3.BucketLogging(
            `${name}-access-logs`,
            { bucket: bucket.id, targetBucket: args.logs.bucketName, targetPrefix: args.logs.accessLogPrefix },
            { parent: this },
        );
        this.uploadSite(name, bucket, args);
        this.aliasRecords(name, distribution, args.domain);

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.distributionId = distribution.id;
        this.distributionDomainName = distribution.domainName;
        // With a domain the URL is known from the config, so a preview already shows it (and the
        // sign-in client's callback URLs) rather than an unknown.
        this.url =
            args.domain === undefined
                ? pulumi.interpolate`https://${distribution.domainName}`
                : pulumi.output(`https://${args.domain.domainName}`);
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            distributionId: this.distributionId,
            distributionDomainName: this.distributionDomainName,
            url: this.url,
        });
    }

    /**
     * The viewer-request function on the site's behavior, deciding from the build's file list. The
     * list is compiled in, so it must fit CloudFront's function size limit.
     */
    private spaRewriteFunction(name: string, args: SiteDistributionArgs): aws.cloudfront.Function {
        return cloudFrontFunction(
            `${name}-spa-rewrite`,
            {
                entry: spaRewriteEntry(siteManifest(args.siteFiles, args.assetFolder)),
                comment: "same-origin: serve the app for its routes, 404 for missing assets",
                whenTooBig: `the site's ${args.siteFiles.length} file names are compiled in: bundle the site into fewer files, or move the file list into a CloudFront KeyValueStore`,
            },
            this,
        );
    }

    /**
     * The viewer-request function on a proxied path's behaviors, when it has work there: stripping
     * the prefix, answering CORS preflights, or both (functions/viewer-request.ts).
     */
    private viewerRequestFunction(
        resourceName: string,
        prefix: string,
        strip: boolean,
        cors: CorsConfig | undefined,
    ): aws.cloudfront.Function | undefined {
        if (!strip && cors === undefined) {
            return undefined;
        }
        const work = [...(strip ? [`strips ${prefix}`] : []), ...(cors ? ["answers CORS preflights"] : [])];
        return cloudFrontFunction(
            resourceName,
            {
                entry: viewerRequestEntry({
                    ...(strip ? { stripPrefix: prefix } : {}),
                    ...(cors ? { cors: preflightAnswer(cors) } : {}),
                }),
                comment: `same-origin: ${work.join(", ")}`,
                whenTooBig: "allow fewer origins in cors.allowOrigins",
            },
            this,
        );
    }

    /** The response headers policy giving partner origins the CORS headers on the proxied paths. */
    private corsPolicy(name: string, cors: CorsConfig): aws.cloudfront.ResponseHeadersPolicy {
        return new aws.cloudfront.ResponseHeadersPolicy(
            `${name}-cors`,
            {
                comment: "same-origin: CORS for the partner origins of the config key cors",
                corsConfig: corsPolicyConfig(cors),
            },
            { parent: this },
        );
    }

    /** The site domain's A and AAAA alias records to the distribution, when its zone is managed here. */
    private aliasRecords(
        name: string,
        distribution: aws.cloudfront.Distribution,
        domain: SiteAlias | undefined,
    ): aws.route53.Record[] {
        if (domain?.zoneId === undefined) {
            return [];
        }
        return aliasRecords(
            name,
            {
                zoneId: domain.zoneId,
                domainName: domain.domainName,
                // Every distribution's alias target zone (Route 53 API reference, AliasTarget).
                target: { name: distribution.domainName, zoneId: CLOUDFRONT_HOSTED_ZONE_ID },
                // The distribution has IPv6 on: AAAA too, or IPv6 viewers would not resolve it.
                types: ["A", "AAAA"],
            },
            this,
        );
    }

    /** Uploads every built file; `config.json` is the stack's (infra/runtime-config.ts), never the build's. */
    private uploadSite(name: string, bucket: aws.s3.Bucket, args: SiteDistributionArgs): void {
        if (args.siteFiles.some((file) => file.key === CONFIG_KEY)) {
            throw new pulumi.ResourceError(
                `The site build contains ${CONFIG_KEY}, which the stack writes from its outputs; remove it from site/`,
                this,
            );
        }
        for (const file of args.siteFiles) {
            new aws.s3.BucketObjectv2(
                `${name}-file-${file.key}`,
                {
                    bucket: bucket.id,
                    key: file.key,
                    source: new pulumi.asset.FileAsset(file.absolutePath),
                    contentType: file.contentType,
                    cacheControl: file.cacheControl,
                },
                { parent: this },
            );
        }
    }
}
