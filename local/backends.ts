/**
 * The stack's other backends (config key `backends`), reached locally: each `--backend
 * /billing=http://127.0.0.1:9001` sends what CloudFront would send the backend's origin to a local
 * server instead, with the same Host header (the origin's own domain, as AllViewerExceptHostHeader
 * makes CloudFront send: "Using managed origin request policies",
 * using-managed-origin-request-policies.html) and the same path (origin path, then the viewer path, stripped when the
 * backend asks). A backend without a mapping cannot be reached: the caller answers CloudFront's 502.
 */
import * as http from "node:http";
import type { CapturedStack } from "../capture/capture";
import { bucketByRegionalDomain, stackRegion, theDistribution } from "../capture/lookups";
import { apiPathPatterns, patternPrefix } from "../core/paths";
import { servesHost } from "./apigateway/routing";
import type { DistributionConfig } from "./cloudfront/distribution";
import { ORIGIN_RESPONSE_TIMEOUT_MS, OriginTimeoutError } from "./cloudfront/errors";
import { headerValue, type HttpRequest, type HttpResponse, pathWithQuery, rawHeaderList } from "./http";

/** A `--backend` mapping: the backend's path on the site, and the local server standing in for it. */
export interface BackendMapping {
    readonly path: string;
    readonly url: string;
}

/** Parses `--backend /billing=http://127.0.0.1:9001`, or throws saying what the flag takes. */
export function parseBackendMapping(text: string): BackendMapping {
    const eq = text.indexOf("=");
    const path = eq > 0 ? text.slice(0, eq) : "";
    const url = eq > 0 ? text.slice(eq + 1) : "";
    let parsed: URL | undefined;
    try {
        parsed = new URL(url);
    } catch {
        parsed = undefined;
    }
    if (!path.startsWith("/") || parsed === undefined || parsed.protocol !== "http:" || parsed.pathname !== "/") {
        throw new Error(
            `--backend takes <path>=<local http URL without a path>, e.g. --backend /billing=http://127.0.0.1:9001; got "${text}"`,
        );
    }
    return { path, url: parsed.origin };
}

/**
 * The local server for each mapped origin, by the origin's id (backends may share a host: two stages of one API). Throws naming the flag
 * when a mapping's path is no behavior of the distribution, is the API's or the site's (served by
 * the emulation itself), or was mapped already.
 */
export function backendTargets(graph: CapturedStack, mappings: readonly BackendMapping[]): Map<string, string> {
    const distribution = theDistribution(graph).state as unknown as DistributionConfig;
    const behaviors = distribution.orderedCacheBehaviors ?? [];
    const region = stackRegion(graph);
    const servedBy = (domainName: string) =>
        bucketByRegionalDomain(graph, domainName) !== undefined
            ? "S3 (the site's bucket)"
            : servesHost(graph, domainName, region)
              ? "API Gateway (the program's API)"
              : undefined;
    const prefixes = behaviors.flatMap(({ pathPattern }) => patternPrefix(pathPattern) ?? []);
    const backendPrefixes = prefixes.filter((prefix) => {
        const behavior = behaviors.find((b) => b.pathPattern === `${prefix}/*`)!;
        const origin = distribution.origins.find((o) => o.originId === behavior.targetOriginId);
        return origin !== undefined && servedBy(origin.domainName) === undefined;
    });
    const targets = new Map<string, string>();
    const mapped = new Map<string, string>();
    for (const mapping of mappings) {
        const flag = `--backend ${mapping.path}=${mapping.url}`;
        const [exact, under] = apiPathPatterns(mapping.path);
        const behavior = behaviors.find((b) => b.pathPattern === exact || b.pathPattern === under);
        const origin = distribution.origins.find((o) => o.originId === behavior?.targetOriginId);
        if (behavior === undefined || origin === undefined) {
            throw new Error(
                `${flag}: the distribution has no behavior for ${mapping.path} ` +
                    `(its prefixes: ${prefixes.join(", ")}); add the backend with --config 'backends=[{"path":"${mapping.path}","url":"https://..."}]'`,
            );
        }
        const service = servedBy(origin.domainName);
        if (service !== undefined) {
            throw new Error(
                `${flag}: ${mapping.path} is served by ${service}, not by a backend; --backend takes a path of the ` +
                    `config key backends: ${backendPrefixes.length > 0 ? backendPrefixes.join(", ") : "(none configured)"}`,
            );
        }
        const earlier = mapped.get(mapping.path);
        if (earlier !== undefined) {
            throw new Error(
                `${flag}: ${mapping.path} is already served by ${earlier}; give each backend one --backend`,
            );
        }
        mapped.set(mapping.path, mapping.url);
        targets.set(origin.originId, mapping.url);
    }
    return targets;
}

/**
 * Sends an origin request to a local server, as CloudFront sends it to the backend; a server that
 * has not answered after `timeoutMs` is given up on, as CloudFront gives up on an origin.
 */
export function forwardToBackend(
    localUrl: string,
    request: HttpRequest,
    timeoutMs: number = ORIGIN_RESPONSE_TIMEOUT_MS,
): Promise<HttpResponse> {
    const target = new URL(pathWithQuery(request.path, request.query), localUrl);
    return new Promise((resolve, reject) => {
        const outgoing = http.request(
            target,
            {
                method: request.method,
                // A flat [name, value, ...] list keeps names, order and repeats as CloudFront passes them.
                headers: request.headers.flat(),
                setHost: headerValue(request.headers, "host") === undefined,
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () =>
                    resolve({
                        status: response.statusCode ?? 502,
                        headers: rawHeaderList(response.rawHeaders),
                        body: Buffer.concat(chunks),
                    }),
                );
                response.on("error", reject);
            },
        );
        outgoing.setTimeout(timeoutMs, () =>
            outgoing.destroy(
                new OriginTimeoutError(`the local backend ${localUrl} did not answer within ${timeoutMs} ms`),
            ),
        );
        outgoing.on("error", (error) =>
            reject(
                error instanceof OriginTimeoutError
                    ? error
                    : new Error(`the local backend ${localUrl} did not answer: ${error.message}`),
            ),
        );
        outgoing.end(request.body);
    });
}
