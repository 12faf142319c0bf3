/**
 * Where CloudFront's origin requests go: the origin's domain name resolves to a bucket of the graph
 * (its regional endpoint) or to API Gateway (an execute-api host or a custom domain); anything else
 * does not resolve, as a misspelt origin would not on AWS.
 */
import { CONFIG_KEY } from "../core/frontend-config";
import { ApiGateway, LOCAL_CREDENTIALS } from "./apigateway/gateway";
import type { OriginFetch } from "./cloudfront/distribution";
import { type CapturedStack } from "../capture/capture";
import { resourcesOfType, bucketByRegionalDomain, theDistribution } from "../capture/lookups";
import { headerValue, HttpResponse, withoutHeaders } from "./http";
import { S3Bucket, S3Caller } from "./s3";
import { TYPES } from "../capture/types";

/**
 * `/config.json` with the `local` field the SPA reads to prefill its IAM credentials. The object's
 * ETag covered the uploaded bytes, so it is dropped.
 */
function withLocalCredentials(response: HttpResponse): HttpResponse {
    const config = JSON.parse(response.body.toString("utf8"));
    return {
        ...response,
        headers: withoutHeaders(response.headers, ["etag"]),
        body: Buffer.from(JSON.stringify({ ...config, local: LOCAL_CREDENTIALS })),
    };
}

/** The origins of the graph's distribution, reached in-process. */
export function originFetcher(graph: CapturedStack, gateway: ApiGateway): OriginFetch {
    const distributionArn = String(theDistribution(graph).state.arn);
    // Origin Access Control makes CloudFront sign its S3 requests; without it, S3 sees an anonymous caller.
    const signingOacs = new Set(
        resourcesOfType(graph, TYPES.originAccessControl)
            .filter((o) => o.state.originAccessControlOriginType === "s3" && o.state.signingBehavior !== "never")
            .map((o) => o.id),
    );
    const buckets = new Map<string, S3Bucket>();
    return async (origin, request, trace) => {
        const bucket = bucketByRegionalDomain(graph, origin.domainName);
        if (bucket) {
            if (!buckets.has(bucket.id)) {
                buckets.set(bucket.id, new S3Bucket(graph, bucket));
            }
            const caller: S3Caller =
                origin.originAccessControlId !== undefined && signingOacs.has(origin.originAccessControlId)
                    ? { kind: "cloudfront", distributionArn }
                    : { kind: "anonymous" };
            const response = buckets.get(bucket.id)!.handle(request, caller);
            trace.answeredBy = "S3";
            return request.path === `${origin.path}/${CONFIG_KEY}` && response.status === 200
                ? withLocalCredentials(response)
                : response;
        }
        if (gateway.serves(origin.domainName)) {
            // API Gateway routes by the Host header it receives: the one CloudFront set, or forwarded.
            return gateway.handle(
                request,
                {
                    routingHost: headerValue(request.headers, "host") ?? origin.domainName,
                    protocol: origin.protocol,
                    port: origin.port,
                },
                trace,
            );
        }
        throw new Error(`${origin.domainName} is neither a bucket nor an API Gateway host of the program`);
    };
}
