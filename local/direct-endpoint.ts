/**
 * API Gateway's own endpoint as a browser on the site calls it, cross-origin: the execute-api host
 * (`/<stage>/...`) and, when the distribution reaches the API through a custom domain, that domain
 * (`/<basePath>/...`). It answers CORS itself, permissively (any origin is echoed back), so the
 * site's cross-origin calls can be compared with its same-origin ones and a frontend served from
 * any local dev origin (a Vite server, say) can call it; the deployed API has no CORS
 * configuration (see the fidelity warnings).
 */
import type { ApiGateway } from "./apigateway/gateway";
import { type CapturedStack } from "../capture/capture";
import { resourcesOfType, basePathMappingsOf, executeApiHost, stackRegion, theDistribution } from "../capture/lookups";
import { HeaderList, headerValue, HttpRequest, HttpResponse } from "./http";
import { TYPES } from "../capture/types";
import type { RequestTrace } from "./trace";

/** Headers a browser may always send cross-origin here: JSON, bearer tokens and SigV4 (plus whatever a preflight asks for). */
const CORS_ALLOW_HEADERS = [
    "authorization",
    "content-type",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];
const CORS_ALLOW_METHODS = "GET,HEAD,OPTIONS,PUT,POST,PATCH,DELETE";

/**
 * The hosts the endpoint stands for, in the order it tries them: the execute-api host of the API
 * behind the distribution, then the custom domain the distribution uses, if any.
 */
export function directApiHosts(graph: CapturedStack, gateway: ApiGateway): string[] {
    const region = stackRegion(graph);
    const origins: { domainName: string }[] = theDistribution(graph).state.origins ?? [];
    const apiOrigin = origins.find((o) => gateway.serves(o.domainName))?.domainName;
    const mappedApis = basePathMappingsOf(graph, apiOrigin ?? "").map((m) =>
        executeApiHost(String(m.state.restApi), region),
    );
    const hosts = [...new Set([...mappedApis, ...(apiOrigin ? [apiOrigin] : [])])];
    if (hosts.length === 0) {
        const stage = resourcesOfType(graph, TYPES.stage)[0];
        if (!stage) {
            throw new Error("The graph has no API Gateway stage for the direct listener to serve");
        }
        hosts.push(executeApiHost(String(stage.state.restApi), region));
    }
    return hosts;
}

export interface DirectEndpointOptions {
    /** The endpoint's own port, for X-Forwarded-Port. */
    readonly port: () => number;
}

/**
 * The CORS headers for a request: any `Origin` is allowed (echoed back, never `*`, so the answer
 * varies by Origin and says so); a request without one gets only the `Vary`.
 */
function corsHeaders(request: HttpRequest): HeaderList {
    const origin = headerValue(request.headers, "origin");
    return [...(origin !== undefined ? [["Access-Control-Allow-Origin", origin] as const] : []), ["Vary", "Origin"]];
}

/** The headers a preflight allows: the usual ones and every one it asks for. */
function allowedHeaders(request: HttpRequest): string {
    const requested = (headerValue(request.headers, "access-control-request-headers") ?? "")
        .split(",")
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== "");
    return [...new Set([...CORS_ALLOW_HEADERS, ...requested])].join(",");
}

/** The endpoint's request handler. */
export function directEndpoint(
    graph: CapturedStack,
    gateway: ApiGateway,
    options: DirectEndpointOptions,
): (request: HttpRequest, trace: RequestTrace) => Promise<HttpResponse> {
    const hosts = directApiHosts(graph, gateway);
    return async (request, trace) => {
        const cors = corsHeaders(request);
        if (
            request.method === "OPTIONS" &&
            headerValue(request.headers, "access-control-request-method") !== undefined
        ) {
            // Every preflight is answered, whatever its origin or path. Max-Age 0: every cross-origin
            // call is preflighted, so the comparison does not depend on a browser's cache.
            trace.answeredBy = "the direct listener's own CORS (local only)";
            return {
                status: 204,
                headers: [
                    ...cors,
                    ["Vary", "Access-Control-Request-Headers"],
                    ["Access-Control-Allow-Methods", CORS_ALLOW_METHODS],
                    ["Access-Control-Allow-Headers", allowedHeaders(request)],
                    ["Access-Control-Max-Age", "0"],
                ],
                body: Buffer.alloc(0),
            };
        }
        const routingHost = hosts.find((host) => gateway.routes(host, request.path)) ?? hosts[0];
        trace.reached = { host: routingHost, path: request.path };
        const response = await gateway.handle(request, { routingHost, protocol: "http", port: options.port() }, trace);
        return { ...response, headers: [...response.headers, ...cors] };
    };
}
