/**
 * The CloudFront distribution of the graph: one viewer request in, one response out. The steps
 * follow "How CloudFront processes requests"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowCloudFrontWorks.html) and
 * "Lambda@Edge and CloudFront Functions triggers"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-cloudfront-trigger-events.html):
 * check the request's size; choose the behavior by the normalized viewer path; check the method;
 * run the viewer-request function;
 * build the origin request from the policies; run the origin-request Lambda@Edge function; add the
 * origin's custom headers; prepend the origin path; fetch; apply custom error responses and the response headers policy.
 */
import { createHash, randomBytes } from "node:crypto";
import { EDGE_REGION } from "../../core/cloudfront";
import type { CapturedResource, CapturedStack } from "../../capture/capture";
import { HeaderList, headerValue, HttpRequest, HttpResponse, withHeader, withoutHeaders } from "../http";
import type { LambdaRuntime } from "../lambda-runtime";
import { cloudFrontFunctionByArn, lambdaByQualifiedArn, theDistribution } from "../../capture/lookups";
import type { RequestTrace } from "../trace";
import { BehaviorTable, CacheBehavior, methodAllowed, selectBehavior } from "./behaviors";
import { applyOriginRequestResult, originRequestEvent, OriginRequestParts, OriginTarget } from "./edge-lambda";
import { cloudFrontErrorPage, CLOUDFRONT_ERRORS, OriginTimeoutError } from "./errors";
import { requestOverLimits } from "./limits";
import { corsHeaderSettings } from "./cors";
import {
    applyResponseHeaders,
    BehaviorPolicies,
    originQueryString,
    originRequestHeaders,
    resolvePolicies,
    ViewerConnection,
} from "./policies";
import { functionRequest, runViewerRequestFunction, ViewerRequestParts } from "./viewer-function";

/** Sends a request to an origin: the S3 or API Gateway emulator behind the origin's domain name. */
export type OriginFetch = (origin: OriginTarget, request: HttpRequest, trace: RequestTrace) => Promise<HttpResponse>;

/** The address CloudFront's edge servers connect to origins from; locally, this machine. */
const EDGE_IP = "127.0.0.1";

/** Response headers hop-by-hop or recomputed for the viewer connection. */
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "content-length"];

/** The parts of the distribution's inputs the emulator reads. */
export interface DistributionConfig extends BehaviorTable {
    readonly origins: readonly {
        readonly originId: string;
        readonly domainName: string;
        readonly originPath?: string;
        readonly originAccessControlId?: string;
        readonly customHeaders?: readonly { readonly name: string; readonly value: string }[];
        readonly customOriginConfig?: {
            readonly httpPort: number;
            readonly httpsPort: number;
            readonly originProtocolPolicy: string;
            readonly originSslProtocols?: readonly string[];
        };
    }[];
    readonly defaultRootObject?: string;
    readonly customErrorResponses?: readonly {
        readonly errorCode: number;
        readonly responseCode?: number;
        readonly responsePagePath?: string;
    }[];
}

/** A CloudFront request id: 56 characters of URL-safe base64, like `X-Amz-Cf-Id`. */
function cloudFrontRequestId(): string {
    return randomBytes(42).toString("base64url");
}

export class CloudFrontDistribution {
    private readonly resource: CapturedResource;
    private readonly config: DistributionConfig;
    private readonly policies = new Map<CacheBehavior, BehaviorPolicies>();
    /** The responses an origin returned (custom error pages included), as opposed to the edge's own. */
    private readonly fromOrigin = new WeakSet<HttpResponse>();
    /** The `Via` value this distribution's edge server sends: `1.1 <host>.cloudfront.net (CloudFront)`. */
    private readonly via: string;

    constructor(
        private readonly stack: CapturedStack,
        private readonly lambdas: LambdaRuntime,
        private readonly fetchOrigin: OriginFetch,
        private readonly log: (line: string) => void,
    ) {
        this.resource = theDistribution(stack);
        this.config = this.resource.state as unknown as DistributionConfig;
        this.via = `1.1 ${createHash("sha256").update(this.resource.id).digest("hex").slice(0, 32)}.cloudfront.net (CloudFront)`;
        // Everything a request could trip over in the configuration is checked now, so a broken
        // graph fails at start-up the way `pulumi up` would fail to create the distribution.
        for (const behavior of [...(this.config.orderedCacheBehaviors ?? []), this.config.defaultCacheBehavior]) {
            const policies = resolvePolicies(stack, behavior);
            this.policies.set(behavior, policies);
            this.originOf(behavior);
            for (const association of behavior.functionAssociations ?? []) {
                if (!cloudFrontFunctionByArn(stack, association.functionArn)) {
                    throw new Error(
                        `Behavior "${behavior.pathPattern ?? "*"}": no CloudFront Function has the ARN ${association.functionArn}`,
                    );
                }
            }
            // CloudFront accepts only a numbered version of a function in us-east-1
            // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html).
            for (const association of behavior.lambdaFunctionAssociations ?? []) {
                const fn = lambdaByQualifiedArn(stack, association.lambdaArn);
                if (!fn || !/:\d+$/.test(association.lambdaArn)) {
                    throw new Error(
                        `Behavior "${behavior.pathPattern ?? "*"}": no published Lambda version has the ARN ${association.lambdaArn} ` +
                            "(Lambda@Edge needs a numbered version, not $LATEST or an alias)",
                    );
                }
                if (fn.state.region !== EDGE_REGION) {
                    throw new Error(
                        `Behavior "${behavior.pathPattern ?? "*"}": Lambda@Edge function ${fn.name} is in ${fn.state.region}; it must be in ${EDGE_REGION}`,
                    );
                }
            }
        }
    }

    /** The distribution's domain name (`d111111abcdef8.cloudfront.net`). */
    get domainName(): string {
        return String(this.resource.state.domainName);
    }

    /** Serves one viewer request, noting in `trace` what it met on the way. */
    async handle(viewer: HttpRequest, connection: ViewerConnection, trace: RequestTrace = {}): Promise<HttpResponse> {
        const cfId = cloudFrontRequestId();
        const behavior = selectBehavior(this.config, viewer.path);
        const overLimits = requestOverLimits(viewer, connection);
        if (overLimits !== undefined) {
            this.log(`CloudFront refused a ${viewer.method} request: ${overLimits}`);
            return this.refuse(413, trace);
        }
        trace.behavior = behavior.pathPattern ?? "*";
        const response = await this.serve(viewer, connection, behavior, cfId, trace);
        // With caching on, CloudFront answers a conditional request itself when the ETag matches
        // (Expiration.html, "Specify the amount of time that CloudFront caches objects").
        if (
            !this.policies.get(behavior)!.cache.cachingDisabled &&
            (viewer.method === "GET" || viewer.method === "HEAD") &&
            response.status === 200 &&
            notModified(viewer.headers, response)
        ) {
            trace.answeredBy = "CloudFront";
            return this.toViewer(
                { status: 304, headers: withoutHeaders(response.headers, ["content-type"]), body: Buffer.alloc(0) },
                behavior,
                cfId,
                viewer,
            );
        }
        return this.toViewer(response, behavior, cfId, this.fromOrigin.has(response) ? viewer : undefined);
    }

    /**
     * CloudFront's answer to a request it does not take: 413 over its size limits (which it follows
     * by closing the connection, see ./limits.ts), 400 one it cannot parse (an assumption: the answer
     * to a malformed request is not documented). The connection is closed after either.
     */
    refuse(status: 400 | 413, trace: RequestTrace): HttpResponse {
        const cfId = cloudFrontRequestId();
        trace.answeredBy = "CloudFront";
        const page = this.toViewer(
            cloudFrontErrorPage(status, CLOUDFRONT_ERRORS.badRequest, cfId),
            this.config.defaultCacheBehavior,
            cfId,
        );
        return { ...page, headers: [...page.headers, ["Connection", "close"]] };
    }

    private async serve(
        viewer: HttpRequest,
        connection: ViewerConnection,
        behavior: CacheBehavior,
        cfId: string,
        trace: RequestTrace,
    ): Promise<HttpResponse> {
        // Any method outside the behavior's allowed methods, one CloudFront does not know (FOO,
        // PROPFIND) included: AllowedMethods takes only GET, HEAD, OPTIONS, PUT, PATCH, POST and
        // DELETE (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html).
        // That an unknown method gets this same 403 page, rather than a 400 or 501, is not documented.
        if (!methodAllowed(behavior, viewer.method)) {
            trace.answeredBy = "CloudFront";
            return cloudFrontErrorPage(403, CLOUDFRONT_ERRORS.methodNotAllowed, cfId);
        }
        // "If a viewer GET request includes a body, CloudFront returns an HTTP status code 403":
        // RequestAndResponseBehaviorCustomOrigin.html#RequestCustom-get-body.
        if (viewer.method === "GET" && viewer.body.length > 0) {
            trace.answeredBy = "CloudFront";
            return cloudFrontErrorPage(403, CLOUDFRONT_ERRORS.getWithBody, cfId);
        }
        // The default root object applies to a request for the root only (DefaultRootObject.html).
        const rootObject = viewer.path === "/" && this.config.defaultRootObject;
        if (rootObject) {
            trace.rewrittenBy = "the default root object";
        }
        let parts: ViewerRequestParts = {
            method: viewer.method,
            path: rootObject ? `/${rootObject}` : viewer.path,
            query: viewer.query,
            headers: viewer.headers,
        };
        for (const association of (behavior.functionAssociations ?? []).filter(
            (a) => a.eventType === "viewer-request",
        )) {
            const fn = cloudFrontFunctionByArn(this.stack, association.functionArn)!;
            try {
                const outcome = await runViewerRequestFunction(
                    String(fn.state.code),
                    {
                        version: "1.0",
                        context: {
                            distributionDomainName: this.domainName,
                            distributionId: this.resource.id,
                            eventType: "viewer-request",
                            requestId: cfId,
                        },
                        viewer: { ip: connection.ip },
                        request: functionRequest(parts),
                    },
                    (line) => this.log(`[${fn.name}] ${line}`),
                );
                if (outcome.kind === "response") {
                    trace.answeredBy = `CloudFront Function ${fn.name}`;
                    return outcome.response;
                }
                if (outcome.request.path !== parts.path) {
                    trace.rewrittenBy = `CloudFront Function ${fn.name}`;
                }
                parts = outcome.request;
            } catch (error) {
                this.log(`CloudFront Function ${fn.name} failed: ${(error as Error).message}`);
                trace.answeredBy = "CloudFront";
                return cloudFrontErrorPage(503, CLOUDFRONT_ERRORS.functionFailed, cfId);
            }
        }
        const response = await this.fetch(parts, viewer.body, connection, behavior, cfId, trace);
        return this.customErrorResponse(response, viewer, connection, cfId, trace);
    }

    /**
     * The origin request: policies, then the origin-request function, then the origin path. The
     * viewer's request runs the behavior's triggers and is traced; a custom error page's does neither.
     */
    private async fetch(
        parts: ViewerRequestParts,
        body: Buffer,
        connection: ViewerConnection,
        behavior: CacheBehavior,
        cfId: string,
        trace: RequestTrace | undefined,
    ): Promise<HttpResponse> {
        const policies = this.policies.get(behavior)!;
        let origin = this.originOf(behavior);
        let request: OriginRequestParts = {
            method: parts.method,
            uri: parts.path,
            query: originQueryString(parts.query, policies),
            headers: originRequestHeaders(parts.headers, policies, {
                method: parts.method,
                cachedMethods: behavior.cachedMethods ?? ["GET", "HEAD"],
                originDomainName: origin.domainName,
                viewer: connection,
                via: this.via,
                cfId,
            }),
            body,
        };
        const associations = trace
            ? (behavior.lambdaFunctionAssociations ?? []).filter((a) => a.eventType === "origin-request")
            : [];
        const answer = (by: string, response: HttpResponse) => {
            if (trace) {
                trace.answeredBy = by;
            }
            return response;
        };
        for (const association of associations) {
            const fn = lambdaByQualifiedArn(this.stack, association.lambdaArn)!;
            const event = originRequestEvent(request, origin, {
                distributionDomainName: this.domainName,
                distributionId: this.resource.id,
                requestId: cfId,
                clientIp: connection.ip,
                includeBody: association.includeBody === true,
            });
            const result = await this.lambdas.invoke(fn, event);
            if (!result.ok) {
                this.log(`Lambda@Edge ${fn.name} failed: ${result.errorType}: ${result.errorMessage}`);
                return answer("CloudFront", cloudFrontErrorPage(503, CLOUDFRONT_ERRORS.lambdaFailed, cfId));
            }
            const outcome = applyOriginRequestResult(request, origin, result.value);
            if (outcome.kind === "invalid") {
                this.log(`Lambda@Edge ${fn.name} returned an invalid result: ${outcome.reason}`);
                return answer("CloudFront", cloudFrontErrorPage(502, CLOUDFRONT_ERRORS.lambdaInvalidResult, cfId));
            }
            if (outcome.kind === "response") {
                return answer(`Lambda@Edge ${fn.name}`, outcome.response);
            }
            if (trace && outcome.request.uri !== request.uri) {
                trace.rewrittenBy = `Lambda@Edge ${fn.name}`;
            }
            ({ request, origin } = outcome);
        }
        // The origin's custom headers: "If a header is present, CloudFront overwrites the header value
        // before forwarding the request to the origin" ("Add custom headers to origin requests",
        // add-origin-custom-headers.html). Lambda@Edge sees them in the origin object, not among the
        // request's headers ("Lambda@Edge event structure", lambda-event-structure.html), so they are
        // added once the functions ran.
        const withCustomHeaders = origin.customHeaders.reduce<HeaderList>(
            (all, [name, value]) => withHeader(all, name, value),
            request.headers,
        );
        // CloudFront sends the body it received with its length (the viewer's framing is not forwarded).
        const headers =
            request.body.length > 0 || headerValue(parts.headers, "content-length") !== undefined
                ? withHeader(withCustomHeaders, "Content-Length", String(request.body.length))
                : withCustomHeaders;
        // The origin path is prepended to the full path, after any function ran
        // (DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath).
        const path = `${origin.path}${request.uri}`;
        if (trace) {
            trace.reached = { originId: behavior.targetOriginId, host: origin.domainName, path };
        }
        try {
            const response = await this.fetchOrigin(
                origin,
                { method: request.method, path, query: request.query, headers, body: request.body, clientIp: EDGE_IP },
                trace ?? {},
            );
            this.fromOrigin.add(response);
            return response;
        } catch (error) {
            this.log(`CloudFront could not reach origin ${origin.domainName}: ${(error as Error).message}`);
            return answer(
                "CloudFront",
                error instanceof OriginTimeoutError
                    ? cloudFrontErrorPage(504, CLOUDFRONT_ERRORS.originTimedOut, cfId)
                    : cloudFrontErrorPage(502, CLOUDFRONT_ERRORS.originUnreachable, cfId),
            );
        }
    }

    /**
     * Custom error responses: an origin error with a configured page is replaced by that page,
     * fetched through the behavior matching its path, with the configured status. They apply to
     * every behavior (GeneratingCustomErrorResponses.html), API included.
     */
    private async customErrorResponse(
        response: HttpResponse,
        viewer: HttpRequest,
        connection: ViewerConnection,
        cfId: string,
        trace: RequestTrace,
    ): Promise<HttpResponse> {
        const rule = (this.config.customErrorResponses ?? []).find((r) => r.errorCode === response.status);
        if (!rule) {
            return response;
        }
        const status = rule.responseCode ?? response.status;
        trace.answeredBy = `CloudFront (custom error response for ${rule.errorCode}${rule.responsePagePath ? `: ${rule.responsePagePath}` : ""}), after ${trace.answeredBy ?? "the origin"}`;
        if (!rule.responsePagePath) {
            return this.sameSource(response, { ...response, status });
        }
        const pageBehavior = selectBehavior(this.config, rule.responsePagePath);
        const page = await this.fetch(
            { method: "GET", path: rule.responsePagePath, query: "", headers: viewer.headers },
            Buffer.alloc(0),
            connection,
            pageBehavior,
            cfId,
            undefined,
        );
        return this.sameSource(page, { ...page, status });
    }

    /** `changed`, counted as the origin's when `original` was. */
    private sameSource(original: HttpResponse, changed: HttpResponse): HttpResponse {
        if (this.fromOrigin.has(original)) {
            this.fromOrigin.add(changed);
        }
        return changed;
    }

    /**
     * The response as the viewer gets it: response headers policy and CloudFront's own headers.
     * The whole policy (its headers and, for an allowed origin, its CORS headers) goes on what the
     * origin returned (`viewer` given), errors included: CloudFront "modifies the headers in the
     * responses that it serves from the cache and the ones that it forwards from the origin"
     * (modifying-response-headers.html). Not on what a function or CloudFront itself answered: the
     * docs do not say it does (a fidelity note says so; the preflight answer carries its own).
     */
    private toViewer(
        response: HttpResponse,
        behavior: CacheBehavior,
        cfId: string,
        viewer?: HttpRequest,
    ): HttpResponse {
        const { responseHeaders } = this.policies.get(behavior)!;
        const policy =
            viewer === undefined
                ? []
                : [
                      ...responseHeaders.headers,
                      ...(responseHeaders.cors === undefined ? [] : corsHeaderSettings(responseHeaders.cors, viewer)),
                  ];
        const headers: HeaderList = applyResponseHeaders(
            withoutHeaders(response.headers, [...HOP_BY_HOP, "x-cache", "via"]),
            policy,
        );
        // Nothing is cached locally, so every response is a miss (or an error).
        const cacheState = response.status >= 400 ? "Error from cloudfront" : "Miss from cloudfront";
        return {
            status: response.status,
            headers: [
                ...headers,
                ["X-Cache", cacheState],
                ["Via", this.via],
                ["X-Amz-Cf-Pop", "LOCAL50-C1"],
                ["X-Amz-Cf-Id", cfId],
            ],
            body: response.body,
        };
    }

    /** The origin a behavior targets, with what CloudFront connects with. */
    private originOf(behavior: CacheBehavior): OriginTarget {
        const origin = this.config.origins.find((o) => o.originId === behavior.targetOriginId);
        if (!origin) {
            throw new Error(
                `Behavior "${behavior.pathPattern ?? "*"}" targets origin "${behavior.targetOriginId}", which the distribution does not have`,
            );
        }
        const custom = origin.customOriginConfig;
        const protocol = custom?.originProtocolPolicy === "http-only" ? "http" : "https";
        return {
            originId: origin.originId,
            kind: custom ? "custom" : "s3",
            domainName: origin.domainName,
            path: origin.originPath ?? "",
            protocol,
            port: protocol === "http" ? (custom?.httpPort ?? 80) : (custom?.httpsPort ?? 443),
            sslProtocols: custom?.originSslProtocols ?? ["TLSv1.2"],
            region: custom ? undefined : /\.s3\.([a-z0-9-]+)\.amazonaws\.com$/.exec(origin.domainName)?.[1],
            originAccessControlId: origin.originAccessControlId,
            customHeaders: (origin.customHeaders ?? []).map(({ name, value }) => [name, value] as const),
        };
    }
}

/** Whether the viewer's If-None-Match names the response's ETag. */
function notModified(viewerHeaders: HeaderList, response: HttpResponse): boolean {
    const ifNoneMatch = headerValue(viewerHeaders, "if-none-match");
    const etag = headerValue(response.headers, "etag");
    return (
        ifNoneMatch !== undefined &&
        etag !== undefined &&
        ifNoneMatch
            .split(",")
            .map((t) => t.trim())
            .includes(etag)
    );
}
