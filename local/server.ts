/**
 * The whole system on this machine, driven by the program's own resource graph: listener 1 is the
 * CloudFront distribution (S3 and API Gateway behind it, in-process); listener 2 is API Gateway's
 * own endpoint as a browser calls it cross-origin (permissive CORS: any origin may call it).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiGateway } from "./apigateway/gateway";
import { CloudFrontDistribution } from "./cloudfront/distribution";
import { directEndpoint } from "./direct-endpoint";
import { fidelityWarnings } from "./fidelity";
import { captureStack, CapturedStack } from "../capture/capture";
import { HttpRequest, HttpResponse, splitTarget } from "./http";
import { LambdaRuntime } from "./lambda-runtime";
import { originFetcher } from "./origins";

export interface LocalStackOptions {
    /** The stack whose `Pulumi.<stack>.yaml` is read. @default "dev" */
    stack?: string;
    /** Config overrides, `key` (project namespace) or `namespace:key`. */
    config?: Record<string, string>;
    /** Serve this (possibly deliberately broken) graph instead of capturing the program. */
    graph?: CapturedStack;
    /** The CloudFront listener's port. @default PORT env or 8080; 0 = ephemeral */
    port?: number;
    /** The direct API Gateway listener's port. @default port + 1; 0 = ephemeral */
    directPort?: number;
    /** Delay added to every request reaching either listener. @default LATENCY_MS env or 0 */
    latencyMs?: number;
    /** Where request failures and function output go. @default nowhere */
    log?: (line: string) => void;
}

/** One request as a listener received it, with the status it answered. */
export interface RecordedRequest {
    readonly listener: "cloudfront" | "direct";
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly status: number;
}

export interface LocalStack {
    /** The CloudFront listener, e.g. `http://localhost:8080`. */
    readonly url: string;
    /**
     * The direct API Gateway listener, e.g. `http://localhost:8081`: the API's execute-api host
     * (`/<stage>/...`) and, when the distribution reaches the API through a custom domain, that
     * domain too (`/<basePath>/...`).
     */
    readonly directUrl: string;
    /** Every request either listener received, in arrival order. */
    readonly requests: RecordedRequest[];
    /** What the emulation does differently from AWS. */
    readonly warnings: readonly string[];
    readonly graph: CapturedStack;
    close(): Promise<void>;
}

/** A whole number from the environment (PORT, LATENCY_MS), or a clear error. */
function wholeNumberFromEnv(name: string, text: string): number {
    if (!/^\d+$/.test(text.trim())) {
        throw new Error(`${name} is "${text}"; it must be a whole number`);
    }
    return Number(text);
}

function readRequest(req: http.IncomingMessage): Promise<HttpRequest> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("error", reject);
        req.on("end", () => {
            const headers: [string, string][] = [];
            for (let i = 0; i < req.rawHeaders.length; i += 2) {
                headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
            }
            const { path, query } = splitTarget(req.url ?? "/");
            resolve({
                method: req.method ?? "GET",
                path,
                query,
                headers,
                body: Buffer.concat(chunks),
                clientIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
            });
        });
    });
}

function writeResponse(res: http.ServerResponse, method: string, response: HttpResponse): void {
    const grouped = new Map<string, { name: string; values: string[] }>();
    for (const [name, value] of response.headers) {
        const entry = grouped.get(name.toLowerCase()) ?? { name, values: [] };
        entry.values.push(value);
        grouped.set(name.toLowerCase(), entry);
    }
    for (const { name, values } of grouped.values()) {
        res.setHeader(name, values.length === 1 ? values[0] : values);
    }
    res.statusCode = response.status;
    const bodyless = method === "HEAD" || response.status === 204 || response.status === 304;
    res.end(bodyless ? undefined : response.body);
}

function listen(server: http.Server, port: number, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
            reject(
                error.code === "EADDRINUSE"
                    ? new Error(
                          `Port ${port} (${what}) is already in use: stop whatever listens there, or pick other ports, e.g. PORT=${port + 10} npm start`,
                      )
                    : error,
            );
        };
        server.once("error", onError);
        server.listen(port, "127.0.0.1", () => {
            server.off("error", onError);
            resolve((server.address() as AddressInfo).port);
        });
    });
}

function close(server: http.Server): Promise<void> {
    return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    });
}

/**
 * Starts the local stack: captures the program (unless given a graph), checks the graph the way
 * AWS would on deployment, and listens on both ports. Rejects with a clear message when a port is
 * taken or the graph cannot be served.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
    const log = options.log ?? (() => undefined);
    const graph = options.graph ?? (await captureStack({ stack: options.stack, config: options.config }));
    const warnings = fidelityWarnings(graph);
    const warn = (message: string) => warnings.push(message);
    const lambdas = new LambdaRuntime();
    const servers: http.Server[] = [];
    try {
        const gateway = new ApiGateway(graph, lambdas, log, warn);
        const distribution = new CloudFrontDistribution(graph, lambdas, originFetcher(graph, gateway), log, warn);
        const latencyMs = options.latencyMs ?? wholeNumberFromEnv("LATENCY_MS", process.env.LATENCY_MS ?? "0");
        const port = options.port ?? wholeNumberFromEnv("PORT", process.env.PORT ?? "8080");
        const requests: RecordedRequest[] = [];
        let directPort = 0;

        const serve = (
            listener: RecordedRequest["listener"],
            handle: (request: HttpRequest, req: http.IncomingMessage) => Promise<HttpResponse>,
        ) =>
            http.createServer((req, res) => {
                void (async () => {
                    let response: HttpResponse;
                    try {
                        const request = await readRequest(req);
                        if (latencyMs > 0) {
                            await new Promise((r) => setTimeout(r, latencyMs));
                        }
                        response = await handle(request, req);
                    } catch (error) {
                        log(`${listener} ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
                        response = {
                            status: 500,
                            headers: [["Content-Type", "text/plain"]],
                            body: Buffer.from(`local stack error: ${(error as Error).message}\n`),
                        };
                    }
                    const headers: Record<string, string> = {};
                    for (const [name, value] of Object.entries(req.headers)) {
                        headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
                    }
                    requests.push({
                        listener,
                        method: req.method ?? "GET",
                        url: req.url ?? "/",
                        headers,
                        status: response.status,
                    });
                    writeResponse(res, req.method ?? "GET", response);
                })();
            });

        const site = serve("cloudfront", (request, req) =>
            distribution.handle(request, {
                ip: request.clientIp,
                port: req.socket.remotePort ?? 0,
                protocol: "http",
                httpVersion: req.httpVersion,
            }),
        );
        const direct = serve("direct", directEndpoint(graph, gateway, { port: () => directPort }));
        servers.push(site, direct);

        const sitePort = await listen(site, port, "the CloudFront listener");
        directPort = await listen(
            direct,
            options.directPort ?? (port === 0 ? 0 : port + 1),
            "the direct API Gateway listener",
        );
        return {
            url: `http://localhost:${sitePort}`,
            directUrl: `http://localhost:${directPort}`,
            requests,
            warnings,
            graph,
            close: async () => {
                await Promise.all(servers.map(close));
                lambdas.dispose();
            },
        };
    } catch (error) {
        await Promise.all(servers.filter((s) => s.listening).map(close));
        lambdas.dispose();
        throw error;
    }
}
