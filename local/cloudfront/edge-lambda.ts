/**
 * Lambda@Edge origin-request events and results. Source: "Lambda@Edge event structure"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html#example-origin-request)
 * and "Lambda@Edge function restrictions"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html).
 */
import { HeaderList, HttpResponse } from "../http";

/** The origin a request is about to go to. `path` is the origin path, prepended after the function. */
export interface OriginTarget {
    /** The distribution's origin id; none for an origin a Lambda@Edge function named instead. */
    readonly originId?: string;
    readonly kind: "custom" | "s3";
    readonly domainName: string;
    readonly path: string;
    /** For custom origins: the protocol and port CloudFront connects with. */
    readonly protocol: "http" | "https";
    readonly port: number;
    readonly sslProtocols: readonly string[];
    readonly region?: string;
    /** The Origin Access Control that signs requests to an S3 origin. */
    readonly originAccessControlId?: string;
    /** The origin's custom headers, which CloudFront adds to the request after the functions ran. */
    readonly customHeaders: HeaderList;
}

/** The origin request as CloudFront has built it: the viewer's uri, the forwarded query and headers. */
export interface OriginRequestParts {
    readonly method: string;
    readonly uri: string;
    readonly query: string;
    readonly headers: HeaderList;
    readonly body: Buffer;
}

type EdgeHeaders = Record<string, { key?: string; value: string }[]>;

export interface OriginRequestEventContext {
    readonly distributionDomainName: string;
    readonly distributionId: string;
    readonly requestId: string;
    readonly clientIp: string;
    readonly includeBody: boolean;
}

function edgeHeaders(headers: HeaderList): EdgeHeaders {
    const out: EdgeHeaders = {};
    for (const [key, value] of headers) {
        (out[key.toLowerCase()] ??= []).push({ key, value });
    }
    return out;
}

function headerList(headers: EdgeHeaders | undefined): [string, string][] {
    return Object.entries(headers ?? {}).flatMap(([lower, values]) =>
        (values ?? []).map((v) => [v.key ?? lower, String(v.value)] as [string, string]),
    );
}

/** The origin-request event for a request about to go to an origin. */
export function originRequestEvent(
    request: OriginRequestParts,
    origin: OriginTarget,
    ctx: OriginRequestEventContext,
): unknown {
    const originObject =
        origin.kind === "custom"
            ? {
                  custom: {
                      customHeaders: edgeHeaders(origin.customHeaders),
                      domainName: origin.domainName,
                      keepaliveTimeout: 5,
                      path: origin.path,
                      port: origin.port,
                      protocol: origin.protocol,
                      readTimeout: 30,
                      sslProtocols: origin.sslProtocols,
                  },
              }
            : {
                  s3: {
                      authMethod: "origin-access-control",
                      customHeaders: edgeHeaders(origin.customHeaders),
                      domainName: origin.domainName,
                      path: origin.path,
                      region: origin.region,
                  },
              };
    return {
        Records: [
            {
                cf: {
                    config: {
                        distributionDomainName: ctx.distributionDomainName,
                        distributionId: ctx.distributionId,
                        eventType: "origin-request",
                        requestId: ctx.requestId,
                    },
                    request: {
                        clientIp: ctx.clientIp,
                        headers: edgeHeaders(request.headers),
                        method: request.method,
                        origin: originObject,
                        querystring: request.query,
                        uri: request.uri,
                        ...(ctx.includeBody && request.body.length > 0
                            ? {
                                  body: {
                                      action: "read-only",
                                      data: request.body.toString("base64"),
                                      encoding: "base64",
                                      inputTruncated: false,
                                  },
                              }
                            : {}),
                    },
                },
            },
        ],
    };
}

/** What an origin-request function decided. */
export type EdgeOutcome =
    | { readonly kind: "request"; readonly request: OriginRequestParts; readonly origin: OriginTarget }
    | { readonly kind: "response"; readonly response: HttpResponse }
    | { readonly kind: "invalid"; readonly reason: string };

/**
 * Applies a function's result: a request object (uri, querystring, headers and origin may have
 * changed; the origin path is prepended afterwards) or a generated response (`status` set).
 */
export function applyOriginRequestResult(
    before: OriginRequestParts,
    origin: OriginTarget,
    result: unknown,
): EdgeOutcome {
    if (result === null || typeof result !== "object") {
        return { kind: "invalid", reason: `the function returned ${JSON.stringify(result)}` };
    }
    const r = result as Record<string, any>;
    if (r.status !== undefined) {
        const body =
            typeof r.body === "string"
                ? Buffer.from(r.body, r.bodyEncoding === "base64" ? "base64" : "utf8")
                : Buffer.alloc(0);
        return { kind: "response", response: { status: Number(r.status), headers: headerList(r.headers), body } };
    }
    if (typeof r.uri !== "string" || !r.uri.startsWith("/")) {
        return { kind: "invalid", reason: `the returned request's uri is ${JSON.stringify(r.uri)}` };
    }
    const custom = r.origin?.custom;
    const s3 = r.origin?.s3;
    const next: OriginTarget = custom
        ? {
              ...origin,
              originId: undefined,
              kind: "custom",
              domainName: String(custom.domainName),
              path: String(custom.path ?? ""),
              protocol: custom.protocol ?? origin.protocol,
              port: Number(custom.port ?? origin.port),
              customHeaders: headerList(custom.customHeaders),
          }
        : s3
          ? {
                ...origin,
                originId: undefined,
                kind: "s3",
                domainName: String(s3.domainName),
                path: String(s3.path ?? ""),
                customHeaders: headerList(s3.customHeaders),
            }
          : origin;
    const body =
        r.body?.action === "replace" && typeof r.body.data === "string"
            ? Buffer.from(r.body.data, r.body.encoding === "base64" ? "base64" : "utf8")
            : before.body;
    return {
        kind: "request",
        request: {
            method: before.method,
            uri: r.uri,
            query: typeof r.querystring === "string" ? r.querystring : before.query,
            headers: r.headers === undefined ? before.headers : headerList(r.headers),
            body,
        },
        origin: next,
    };
}
