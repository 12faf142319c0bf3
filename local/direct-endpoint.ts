/**
 * API Gateway's own endpoint as a browser on the site calls it, cross-origin: the execute-api host
 * (`/<stage>/...`) and, when the distribution reaches the API through a custom domain, that domain
 * (`/<basePath>/...`). It answers CORS itself so the cross-origin calls can be compared with the
 * same-origin ones; the deployed API has no CORS configuration (see the fidelity warnings).
 */
import type { ApiGateway } from "./apigateway/gateway";
import type { CapturedStack } from "./graph";
import { HeaderList, headerValue, HttpRequest, HttpResponse } from "./http";
import { basePathMappingsOf, executeApiHost, ofType, stackRegion, theDistribution, TYPES } from "./topology";

/** Headers a browser may send cross-origin here: JSON, bearer tokens and SigV4. */
const CORS_ALLOW_HEADERS = "authorization,content-type,x-amz-date,x-amz-security-token,x-amz-content-sha256";
const CORS_ALLOW_METHODS = "GET,HEAD,OPTIONS,PUT,POST,PATCH,DELETE";

/**
 * The hosts the endpoint stands for, in the order it tries them: the execute-api host of the API
 * behind the distribution, then the custom domain the distribution uses, if any.
 */
export function directApiHosts(graph: CapturedStack, gateway: ApiGateway): string[] {
    const region = stackRegion(graph);
    const origins: { domainName: string }[] = theDistribution(graph).state.origins ?? [];
    const apiOrigin = origins.find((o) => gateway.serves(o.domainName))?.domainName;
    const mappedApis = basePathMappingsOf(graph, apiOrigin ?? "").map((m) => executeApiHost(String(m.state.restApi), region));
    const hosts = [...new Set([...mappedApis, ...(apiOrigin ? [apiOrigin] : [])])];
    if (hosts.length === 0) {
        const stage = ofType(graph, TYPES.stage)[0];
        if (!stage) {
            throw new Error("The graph has no API Gateway stage for the direct listener to serve");
        }
        hosts.push(executeApiHost(String(stage.state.restApi), region));
    }
    return hosts;
}

export interface DirectEndpointOptions {
    /** Origins allowed to call cross-origin: the site's. */
    readonly allowedOrigins: () => readonly string[];
    /** The endpoint's own port, for X-Forwarded-Port. */
    readonly port: () => number;
}

/** The endpoint's request handler. */
export function directEndpoint(graph: CapturedStack, gateway: ApiGateway, options: DirectEndpointOptions): (request: HttpRequest) => Promise<HttpResponse> {
    const hosts = directApiHosts(graph, gateway);
    return async (request) => {
        const origin = headerValue(request.headers, "origin");
        const cors: HeaderList = [
            ...(origin !== undefined && options.allowedOrigins().includes(origin) ? [["Access-Control-Allow-Origin", origin] as const] : []),
            ["Vary", "Origin"],
        ];
        if (request.method === "OPTIONS" && headerValue(request.headers, "access-control-request-method") !== undefined) {
            // Max-Age 0: every cross-origin call is preflighted, so the comparison does not depend on a browser's cache.
            return {
                status: 204,
                headers: [...cors, ["Access-Control-Allow-Methods", CORS_ALLOW_METHODS], ["Access-Control-Allow-Headers", CORS_ALLOW_HEADERS],
                    ["Access-Control-Max-Age", "0"]],
                body: Buffer.alloc(0),
            };
        }
        const routingHost = hosts.find((host) => gateway.routes(host, request.path)) ?? hosts[0];
        const response = await gateway.handle(request, { routingHost, protocol: "http", port: options.port() });
        return { ...response, headers: [...response.headers, ...cors] };
    };
}
