/**
 * Where CloudFront's origin requests go: the origin's domain name resolves to a bucket of the graph
 * (its regional endpoint) or to API Gateway (an execute-api host or a custom domain); anything else
 * does not resolve, as a misspelt origin would not on AWS.
 */
import { CONFIG_KEY } from "../core/frontend-config";
import { patternPrefix } from "../core/paths";
import { ApiGateway, LOCAL_CREDENTIALS } from "./apigateway/gateway";
import { forwardToBackend } from "./backends";
import type { OriginFetch } from "./cloudfront/distribution";
import { type CapturedStack } from "../capture/capture";
import { resourcesOfType, bucketByRegionalDomain, theDistribution } from "../capture/lookups";
import { headerValue, HttpResponse, withoutHeaders } from "./http";
import { localFrontendConfig } from "./sign-in";
import { S3Bucket, S3Caller } from "./s3";
import { TYPES } from "../capture/types";

/**
 * `/config.json` as the local console gets it (local/sign-in.ts): the local IAM credentials, and
 * sign-in pointed at the stand-in issuer. The object's ETag covered the uploaded bytes, so it is dropped.
 */
function localConfigResponse(response: HttpResponse, issuerUrl: string | undefined): HttpResponse {
    const config = JSON.parse(response.body.toString("utf8"));
    return {
        ...response,
        headers: withoutHeaders(response.headers, ["etag"]),
        body: Buffer.from(JSON.stringify(localFrontendConfig(config, LOCAL_CREDENTIALS, issuerUrl))),
    };
}

/**
 * The origins of the graph's distribution, reached in-process. `issuerUrl` is the local stand-in
 * issuer's, when the stack signs users in; `backends` maps other backends' origin ids to the
 * local servers standing in for them (local/backends.ts).
 */
export function originFetcher(
    graph: CapturedStack,
    gateway: ApiGateway,
    issuerUrl?: () => string | undefined,
    backends: ReadonlyMap<string, string> = new Map(),
): OriginFetch {
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
            // In-process here, but over TLS on AWS: CloudFront reaches an S3 origin with the viewer's
            // protocol ("How CloudFront processes HTTP and HTTPS requests", HTTPandHTTPSRequests.html),
            // and the local listeners stand for HTTPS viewers (a redirect-to-https behavior serves
            // them as if redirected). So bucket policies see aws:SecureTransport true.
            const secureTransport = true;
            const caller: S3Caller =
                origin.originAccessControlId !== undefined && signingOacs.has(origin.originAccessControlId)
                    ? { kind: "cloudfront", distributionArn, secureTransport }
                    : { kind: "anonymous", secureTransport };
            const response = buckets.get(bucket.id)!.handle(request, caller);
            trace.answeredBy = "S3";
            return request.path === `${origin.path}/${CONFIG_KEY}` && response.status === 200
                ? localConfigResponse(response, issuerUrl?.())
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
        const backend = origin.originId === undefined ? undefined : backends.get(origin.originId);
        if (backend !== undefined) {
            trace.answeredBy = `the local backend ${backend}`;
            return forwardToBackend(backend, request);
        }
        // The behavior is the prefix itself or the pattern under it.
        const prefix = patternPrefix(trace.behavior) ?? trace.behavior;
        throw new Error(
            `${origin.domainName} is neither a bucket nor an API Gateway host of the program, and no local server stands ` +
                `in for it: npm start -- --backend ${prefix ?? "<path>"}=http://127.0.0.1:<port>`,
        );
    };
}
