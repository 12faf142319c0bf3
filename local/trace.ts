/**
 * What one request met on its way through the local stack, for the one line `npm start` logs per
 * request. The listener creates one per request and hands it down; each hop (the distribution, S3,
 * API Gateway) fills in its own part as it decides, so nothing is reconstructed afterwards and
 * nothing is shared between requests.
 */

/** Where a request reached: an origin of the distribution, or the API Gateway host the direct listener stands for. */
export interface ReachedTarget {
    /** The distribution's origin id (`api`, `site`); none on the direct listener. */
    readonly originId?: string;
    readonly host: string;
    /** The path as the origin received it: origin path prepended, after any function ran. */
    readonly path: string;
}

export interface RequestTrace {
    /** The path pattern of the cache behavior that served the request (`/api/*`, `*`). */
    behavior?: string;
    /** The function that changed the uri on the way, e.g. `CloudFront Function spa-rewrite`. */
    rewrittenBy?: string;
    reached?: ReachedTarget;
    /**
     * Who produced the answer: `CloudFront` (its own error page or 304), `CloudFront Function x`,
     * `Lambda@Edge x`, `S3`, `API Gateway`, `TOKEN authorizer x`, `Lambda x` (the integration).
     */
    answeredBy?: string;
}

/** What the log line says about a request besides its trace. */
export interface LoggedRequest {
    readonly listener: "cloudfront" | "direct";
    readonly method: string;
    /** The request target as received: path and query. */
    readonly target: string;
    readonly status: number;
    readonly milliseconds: number;
}

/**
 * The log line for a request, e.g.
 * `cloudfront GET /orders/42 [*] -> site b.s3.eu-west-1.amazonaws.com/index.html (uri set by
 * CloudFront Function spa-rewrite), answered by S3: 200 in 4 ms`, or, when no origin was reached,
 * `cloudfront GET /assets/x.js [*] -> answered by CloudFront Function spa-rewrite: 404 in 1 ms`.
 */
export function requestLogLine(request: LoggedRequest, trace: RequestTrace): string {
    const behavior = trace.behavior !== undefined ? ` [${trace.behavior}]` : "";
    const reached = trace.reached
        ? `${trace.reached.originId !== undefined ? `${trace.reached.originId} ` : ""}${trace.reached.host}${trace.reached.path}` +
          (trace.rewrittenBy !== undefined ? ` (uri set by ${trace.rewrittenBy})` : "") +
          ", "
        : "";
    return (
        `${request.listener.padEnd("cloudfront".length)} ${request.method} ${request.target}${behavior} -> ` +
        `${reached}answered by ${trace.answeredBy ?? "the local stack"}: ${request.status} in ${Math.round(request.milliseconds)} ms`
    );
}
