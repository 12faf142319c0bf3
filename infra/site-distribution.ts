import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteFile } from "../site/build";
import { bundleCloudFrontFunction } from "./bundle";
import { PriceClass } from "./config";
import { denyInsecureTransportStatement } from "./iam";
import {
    ALL_METHODS,
    CLOUDFRONT_FUNCTION_MAX_BYTES,
    CLOUDFRONT_FUNCTION_RUNTIME,
    READ_METHODS,
} from "../core/cloudfront";
import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES, RESPONSE_HEADERS_POLICIES } from "../core/cloudfront-policies";
import { CONFIG_KEY } from "../core/frontend-config";
import { apiPathPatterns } from "../core/paths";
import type { SiteManifest } from "../functions/spa-rewrite";

/** Origin ids inside the distribution. */
export const SITE_ORIGIN_ID = "site";
export const API_ORIGIN_ID = "api";

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

/**
 * The API behaviors, for `apiPath` itself and everything under it (`/api/*` does not match `/api`,
 * which would otherwise fall to the SPA): every method, nothing cached, every viewer header but
 * Host forwarded. With caching disabled and `AllViewerExceptHostHeader`, the Authorization header
 * reaches API Gateway (it cannot be listed in an origin request policy), while CloudFront sends the
 * origin's own domain as Host, which API Gateway requires. HTTPS only: a redirect would drop a
 * POST's body.
 */
export function apiCacheBehaviors(
    apiPath: string,
    edgeRewriterArn?: pulumi.Input<string>,
): aws.types.input.cloudfront.DistributionOrderedCacheBehavior[] {
    return apiPathPatterns(apiPath).map((pathPattern) => ({
        pathPattern,
        targetOriginId: API_ORIGIN_ID,
        viewerProtocolPolicy: "https-only",
        allowedMethods: [...ALL_METHODS],
        cachedMethods: [...READ_METHODS],
        cachePolicyId: CACHE_POLICIES.CachingDisabled.id,
        originRequestPolicyId: ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id,
        compress: false,
        lambdaFunctionAssociations:
            edgeRewriterArn === undefined
                ? []
                : [
                      {
                          eventType: "origin-request",
                          lambdaArn: edgeRewriterArn,
                          includeBody: false,
                      },
                  ],
    }));
}

/** What the SPA function needs to know of the site: every key it serves (config.json too) and the asset folder. */
export function siteManifest(siteFiles: readonly SiteFile[], assetFolder: string): SiteManifest {
    const keys = [...siteFiles.map((file) => file.key), CONFIG_KEY];
    return { files: Object.fromEntries(keys.map((key) => [`/${key}`, 1 as const])), assetPrefix: `/${assetFolder}/` };
}

/** The SPA function's entry: its handler with the site's manifest compiled in (JSON-encoded). */
export function spaRewriteEntry(manifest: SiteManifest): string {
    return (
        'import { routeSiteRequest } from "./spa-rewrite";\n' +
        `export function handler(event) { return routeSiteRequest(event.request, ${JSON.stringify(manifest)}); }\n`
    );
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
    /** `https://<distribution domain>`. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: SiteDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:site-distribution:SiteDistribution", name, {}, opts);

        const bucket = this.privateBucket(name);
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

        const distribution = new aws.cloudfront.Distribution(
            `${name}-cdn`,
            {
                comment: "same-origin: SPA and API on one origin",
                enabled: true,
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass,
                defaultRootObject: "index.html",
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
                        customOriginConfig: {
                            httpPort: 80,
                            httpsPort: 443,
                            originProtocolPolicy: "https-only",
                            originSslProtocols: ["TLSv1.2"],
                        },
                    },
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
                orderedCacheBehaviors: apiCacheBehaviors(args.apiPath, args.edgeRewriterArn),
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: { cloudfrontDefaultCertificate: true },
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

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.distributionId = distribution.id;
        this.url = pulumi.interpolate`https://${distribution.domainName}`;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            distributionId: this.distributionId,
            url: this.url,
        });
    }

    /**
     * The viewer-request function on the site's behavior, deciding from the build's file list. The
     * list is compiled in, so it must fit CloudFront's function size limit.
     */
    private spaRewriteFunction(name: string, args: SiteDistributionArgs): aws.cloudfront.Function {
        const code = bundleCloudFrontFunction({
            contents: spaRewriteEntry(siteManifest(args.siteFiles, args.assetFolder)),
        });
        const bytes = Buffer.byteLength(code);
        if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
            throw new pulumi.ResourceError(
                `The SPA function with the site's ${args.siteFiles.length} file names compiled in is ${bytes} bytes; ` +
                    `CloudFront Functions take at most ${CLOUDFRONT_FUNCTION_MAX_BYTES}. Fix: bundle the site into fewer ` +
                    "files, or move the file list into a CloudFront KeyValueStore",
                this,
            );
        }
        return new aws.cloudfront.Function(
            `${name}-spa-rewrite`,
            {
                runtime: CLOUDFRONT_FUNCTION_RUNTIME,
                comment: "same-origin: serve the app for its routes, 404 for missing assets",
                code,
                publish: true,
            },
            { parent: this },
        );
    }

    /** A bucket no one reaches but CloudFront: public access blocked, ACLs disabled. */
    private privateBucket(name: string): aws.s3.Bucket {
        // The site is rebuilt from the repository, so emptying the bucket on destroy loses nothing.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: true }, { parent: this });
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            },
            { parent: this },
        );
        return bucket;
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
