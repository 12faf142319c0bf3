/**
 * CloudFront facts the program, the local stack, the policy pack and the tests share. Pure: no
 * Pulumi runtime, no bundler, no component.
 */

/**
 * The region Lambda@Edge functions and CloudFront viewer certificates must live in: CloudFront
 * replicates edge functions from us-east-1 ("Restrictions on Lambda@Edge",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html)
 * and takes ACM certificates from there only ("Requirements for using SSL/TLS certificates with
 * CloudFront", cnames-and-https-requirements.html).
 */
export const EDGE_REGION = "us-east-1";

/** The CloudFront Functions runtime every function here is written for. */
export const CLOUDFRONT_FUNCTION_RUNTIME = "cloudfront-js-2.0";

/**
 * The largest CloudFront Function code CloudFront accepts: 10 KB ("Quotas on CloudFront
 * Functions", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions).
 */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;

/**
 * The allowed-methods sets a cache behavior takes: CloudFront accepts exactly these three
 * ("Allowed HTTP methods", DownloadDistValuesCacheBehavior.html#DownloadDistValuesAllowedHTTPMethods).
 */
export const ALL_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
export const READ_METHODS: readonly string[] = ["GET", "HEAD"];

/** The hosted zone id of every CloudFront distribution, for Route 53 alias records. */
export const CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2";

/**
 * The canonical user id of `awslogsdelivery`, the AWS account that writes CloudFront's standard logs
 * (legacy) into an S3 bucket: the bucket's ACL must grant it FULL_CONTROL ("Configure standard
 * logging (legacy)", Permissions required, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
 */
export const CLOUDFRONT_LOG_DELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";

/**
 * CloudFront's default quota of cache behaviors per distribution, the default behavior not counted
 * ("Quotas on distributions", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-web-distributions).
 * It can be raised through Service Quotas.
 */
export const CACHE_BEHAVIORS_QUOTA = 25;

/**
 * The oldest CloudFront viewer security policy the program and the policy pack accept with a custom
 * certificate: TLS 1.2 only, with the ciphers of 2021 ("Supported protocols and ciphers between
 * viewers and CloudFront", secure-connections-supported-viewer-protocols-ciphers.html).
 */
export const MINIMUM_VIEWER_SECURITY_POLICY = "TLSv1.2_2021";
