/**
 * The whole system on this machine, driven by the program's own resource graph: listener 1 is the
 * CloudFront distribution (S3 and API Gateway behind it, in-process); listener 2 is API Gateway's
 * own endpoint as a browser calls it cross-origin (permissive CORS: any origin may call it).
 *
 * The emulated services answer every request, malformed ones included: Node's HTTP parser accepts
 * heads far larger than CloudFront's and API Gateway's limits (so those limits, not Node's 16 KiB
 * default, decide), and what it refuses (an unknown method such as `FOO`, a head larger still, a
 * malformed request) reaches the `clientError` handler, which answers as the listener's service.
 */
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { ApiGateway, headersTooLarge } from "./apigateway/gateway";
import { backendTargets, type BackendMapping } from "./backends";
import { CloudFrontDistribution, type OriginFetch } from "./cloudfront/distribution";
import { directEndpoint } from "./direct-endpoint";
import { fidelityWarnings } from "./fidelity";
import { captureStack, CapturedStack } from "../capture/capture";
import { HeaderList, HttpRequest, HttpResponse, rawHeaderList, splitTarget } from "./http";
import { LocalIssuer } from "./issuer";
import { LambdaRuntime } from "./lambda-runtime";
import { originFetcher } from "./origins";
import { isAuthorizerFunction, issuerIdentity } from "./sign-in";
import { AUTHORIZER_ENV } from "../core/auth";
import { TOKEN_CHAR } from "../core/http";
import { type ReachedTarget, requestLogLine, RequestTrace } from "./trace";

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
    /** The stand-in issuer's port, when the stack signs users in. @default port + 2; 0 = ephemeral */
    issuerPort?: number;
    /** The address both listeners bind to, e.g. `0.0.0.0` in a container. @default "127.0.0.1" */
    host?: string;
    /** Delay added to every request reaching either listener. @default LATENCY_MS env or 0 */
    latencyMs?: number;
    /**
     * Viewer to edge: added to every request reaching either listener, on top of `latencyMs`.
     * @default 0
     */
    viewerLatencyMs?: number;
    /**
     * Edge (or viewer) to the region: added to every request CloudFront sends an origin, and to every
     * request reaching API Gateway's own endpoint. @default 0
     */
    originLatencyMs?: number;
    /** Local servers standing in for the stack's other backends (`--backend`). @default none */
    backends?: readonly BackendMapping[];
    /** Where request failures and function output go. @default nowhere */
    log?: (line: string) => void;
    /** Where the one line per request goes (local/trace.ts says what it holds). @default nowhere */
    requestLog?: (line: string) => void;
}

type Listener = "cloudfront" | "direct";

/** One request as a listener received it, with the status it answered. */
export interface RecordedRequest {
    readonly listener: Listener;
    readonly method: string;
    readonly url: string;
    /** Lower-case names; a repeated header's values joined with ", ". */
    readonly headers: Readonly<Record<string, string>>;
    readonly status: number;
    /**
     * Where it went past the listener: an origin of the distribution, or the API behind the direct
     * listener; absent when the listener's own side answered (a CloudFront Function, CloudFront's
     * own error, the direct listener's CORS).
     */
    readonly reached?: ReachedTarget;
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
    /**
     * The stand-in for the stack's OpenID Connect issuer (local/issuer.ts), e.g.
     * `http://localhost:8082`; absent with the demo tokens.
     */
    readonly issuerUrl?: string;
    /** The address both listeners are bound to. */
    readonly host: string;
    /** The delay added to every request, in milliseconds. */
    readonly latencyMs: number;
    /** The viewer-to-edge delay, in milliseconds. */
    readonly viewerLatencyMs: number;
    /** The delay to the region (origin requests, the direct endpoint), in milliseconds. */
    readonly originLatencyMs: number;
    /** The local servers standing in for backends, by their path on the site. */
    readonly backends: readonly BackendMapping[];
    /** Every request either listener received, in arrival order. */
    readonly requests: RecordedRequest[];
    /** What the emulation does differently from AWS. */
    readonly warnings: readonly string[];
    readonly graph: CapturedStack;
    close(): Promise<void>;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8080;
const MAX_PORT = 65_535;
/**
 * Node's limit on a request's head (its default is 16 KiB), far above CloudFront's 20,480 bytes and
 * API Gateway's 10,240 so that the emulated services measure requests and answer as AWS does.
 */
const NODE_MAX_HEADER_BYTES = 64 * 1024;

/** A whole number from the environment (LATENCY_MS), or a clear error. */
function wholeNumberFromEnv(name: string, text: string): number {
    if (!/^\d+$/.test(text.trim())) {
        throw new Error(`${name} is "${text}"; it must be a whole number`);
    }
    return Number(text);
}

/**
 * The CloudFront listener's port from PORT, or a clear error naming it: a port is 1-65535 (0 picks
 * free ports), and PORT+1, API Gateway's own endpoint, must be one too when it is derived.
 */
function portFromEnv(text: string, derivesDirect: boolean): number {
    const value = text.trim();
    if (!/^\d+$/.test(value) || Number(value) > MAX_PORT) {
        throw new Error(
            `PORT is "${text}": it must be a port number from 1 to ${MAX_PORT} (0 picks free ports). Fix: PORT=8080 npm start`,
        );
    }
    const port = Number(value);
    if (derivesDirect && port + 2 > MAX_PORT) {
        throw new Error(
            `PORT is "${text}": API Gateway's own endpoint listens on PORT+1 and the stand-in issuer on PORT+2 = ` +
                `${port + 2}, past the last port (${MAX_PORT}). Fix: a PORT from 1 to ${MAX_PORT - 2}, e.g. PORT=8080 npm start`,
        );
    }
    return port;
}

function checkedDelay(name: string, milliseconds: number): number {
    if (!Number.isInteger(milliseconds) || milliseconds < 0) {
        throw new Error(`${name} is ${milliseconds}: a delay is a whole number of milliseconds, 0 or more`);
    }
    return milliseconds;
}

function sleep(milliseconds: number): Promise<void> {
    return milliseconds > 0 ? new Promise((resolve) => setTimeout(resolve, milliseconds)) : Promise.resolve();
}

/** An origin fetch that first waits `milliseconds`: the trip from the edge to the origin's region. */
function delayed(milliseconds: number, fetchOrigin: OriginFetch): OriginFetch {
    return async (origin, request, trace) => {
        await sleep(milliseconds);
        return fetchOrigin(origin, request, trace);
    };
}

function checkedPort(name: string, port: number): number {
    if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
        throw new Error(`${name} is ${port}: ports go from 1 to ${MAX_PORT} (0 picks a free one)`);
    }
    return port;
}

/** Every listener's port, checked before anything starts. */
function listenerPorts(options: LocalStackOptions): { site: number; direct: number; issuer: number } {
    const site =
        options.port === undefined
            ? portFromEnv(process.env.PORT ?? String(DEFAULT_PORT), options.directPort === undefined)
            : checkedPort("The port option", options.port);
    const direct =
        options.directPort !== undefined
            ? checkedPort("The directPort option", options.directPort)
            : site === 0
              ? 0
              : checkedPort("The port option + 1 (the direct listener's port)", site + 1);
    const issuer =
        options.issuerPort !== undefined
            ? checkedPort("The issuerPort option", options.issuerPort)
            : site === 0
              ? 0
              : checkedPort("The port option + 2 (the stand-in issuer's port)", site + 2);
    return { site, direct, issuer };
}

/** The host to put in a URL for an address the listeners bind to: `localhost` for loopback and "every interface". */
export function urlHost(address: string): string {
    if (["0.0.0.0", "::", "127.0.0.1", "::1", "localhost"].includes(address)) {
        return "localhost";
    }
    return net.isIPv6(address) ? `[${address}]` : address;
}

function readRequest(req: http.IncomingMessage): Promise<HttpRequest> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("error", reject);
        req.on("end", () => {
            const { path, query } = splitTarget(req.url ?? "/");
            resolve({
                method: req.method ?? "GET",
                path,
                query,
                headers: rawHeaderList(req.rawHeaders),
                body: Buffer.concat(chunks),
                clientIp: clientIpOf(req.socket),
            });
        });
    });
}

function clientIpOf(socket: net.Socket): string {
    return (socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

/** A request's head as far as it arrived, for a request Node's parser refused. */
interface RawHead {
    readonly method: string;
    readonly target: string;
    readonly httpVersion: string;
    readonly headers: HeaderList;
}

/** `METHOD target HTTP/x.y`, the method an HTTP token. */
const REQUEST_LINE = new RegExp(`^(${TOKEN_CHAR}+) (\\S+) HTTP\\/(\\d\\.\\d)$`);

/**
 * Reads the request line and header lines from the bytes Node's parser refused; undefined when they
 * do not start with a request line. A header line cut off by the end of the bytes is left out.
 */
function parseRawHead(raw: Buffer | undefined): RawHead | undefined {
    const text = (raw ?? Buffer.alloc(0)).toString("latin1");
    const end = text.indexOf("\r\n\r\n");
    const lines = (end === -1 ? text : text.slice(0, end)).split("\r\n");
    const requestLine = REQUEST_LINE.exec(lines[0] ?? "");
    if (!requestLine) {
        return undefined;
    }
    const complete = end === -1 ? lines.slice(1, -1) : lines.slice(1);
    const headers = complete
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()] as const)
        .filter(([name]) => name !== "");
    return { method: requestLine[1], target: requestLine[2], httpVersion: requestLine[3], headers };
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

/** Writes a response straight to a socket Node's parser gave up on, then closes it. */
function writeRawResponse(socket: net.Socket, method: string, response: HttpResponse): void {
    const framing = new Set(["connection", "content-length", "transfer-encoding"]);
    const body = method === "HEAD" ? Buffer.alloc(0) : response.body;
    const head = [
        `HTTP/1.1 ${response.status} ${http.STATUS_CODES[response.status] ?? ""}`,
        ...response.headers.filter(([name]) => !framing.has(name.toLowerCase())).map(([n, v]) => `${n}: ${v}`),
        `Content-Length: ${response.body.length}`,
        "Connection: close",
        "",
        "",
    ].join("\r\n");
    socket.end(Buffer.concat([Buffer.from(head, "latin1"), body]));
}

function listen(server: http.Server, port: number, host: string, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
            reject(
                error.code === "EADDRINUSE"
                    ? new Error(
                          `Port ${port} (${what}) is already in use: stop whatever listens there, or pick other ports, e.g. PORT=${port + 10} npm start`,
                      )
                    : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN"
                      ? new Error(
                            `--host ${host}: no network interface of this machine has that address (${error.code}). ` +
                                "Fix: --host 127.0.0.1 (this machine only), --host 0.0.0.0 (every interface, e.g. in a container) " +
                                "or one of this machine's own addresses",
                        )
                      : error,
            );
        };
        server.once("error", onError);
        server.listen(port, host, () => {
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
 * Starts the local stack: checks the ports, captures the program (unless given a graph), checks
 * the graph the way AWS would on deployment, and listens on both ports. Rejects with a clear
 * message when a port is out of range or taken, the address is not this machine's, or the graph
 * cannot be served.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
    const log = options.log ?? (() => undefined);
    const ports = listenerPorts(options);
    const host = options.host ?? DEFAULT_HOST;
    const latencyMs = options.latencyMs ?? wholeNumberFromEnv("LATENCY_MS", process.env.LATENCY_MS ?? "0");
    const viewerLatencyMs = checkedDelay("The viewerLatencyMs option", options.viewerLatencyMs ?? 0);
    const originLatencyMs = checkedDelay("The originLatencyMs option", options.originLatencyMs ?? 0);
    const graph = options.graph ?? (await captureStack({ stack: options.stack, config: options.config }));
    const backends = options.backends ?? [];
    const backendServers = backendTargets(graph, backends);
    const warnings = fidelityWarnings(graph);
    const warn = (message: string) => warnings.push(message);
    const identity = issuerIdentity(graph);
    let issuer: LocalIssuer | undefined;
    // The deployed authorizer bundle, unchanged, fetches its keys from the stand-in issuer.
    const lambdas = new LambdaRuntime((fn): Record<string, string> =>
        issuer && isAuthorizerFunction(fn.state.environment?.variables)
            ? { [AUTHORIZER_ENV.jwksUri]: `${issuer.url}/.well-known/jwks.json` }
            : {},
    );
    const servers: http.Server[] = [];
    try {
        const gateway = new ApiGateway(graph, lambdas, log, warn);
        const distribution = new CloudFrontDistribution(
            graph,
            lambdas,
            delayed(
                originLatencyMs,
                originFetcher(graph, gateway, () => issuer?.url, backendServers),
            ),
            log,
        );
        const requests: RecordedRequest[] = [];
        let directPort = 0;
        const direct = directEndpoint(graph, gateway, { port: () => directPort });

        /** How each listener's service answers a request, and one Node's parser refused. */
        const services: Record<
            Listener,
            {
                answer(
                    request: HttpRequest,
                    trace: RequestTrace,
                    remotePort: number,
                    httpVersion: string,
                ): Promise<HttpResponse>;
                refuse(reason: "too-large" | "malformed", trace: RequestTrace): HttpResponse;
            }
        > = {
            cloudfront: {
                answer: (request, trace, remotePort, httpVersion) =>
                    distribution.handle(
                        request,
                        { ip: request.clientIp, port: remotePort, protocol: "http", httpVersion },
                        trace,
                    ),
                refuse: (reason, trace) => distribution.refuse(reason === "too-large" ? 413 : 400, trace),
            },
            direct: {
                answer: (request, trace) => direct(request, trace),
                refuse: (reason, trace) => {
                    if (reason === "too-large") {
                        trace.answeredBy = "API Gateway";
                        return headersTooLarge();
                    }
                    // What API Gateway answers to a request it cannot parse is not known: Node's bare 400.
                    trace.answeredBy = "the local stack (a malformed request)";
                    return { status: 400, headers: [], body: Buffer.alloc(0) };
                },
            },
        };

        /** Runs one request through a listener: the latency, the answer, the record and the log line. */
        const respond = async (
            listener: Listener,
            head: { method: string; target: string; headers: HeaderList },
            produce: (trace: RequestTrace) => Promise<HttpResponse> | HttpResponse,
        ): Promise<HttpResponse> => {
            const started = performance.now();
            const trace: RequestTrace = {};
            let response: HttpResponse;
            try {
                await sleep(latencyMs + viewerLatencyMs + (listener === "direct" ? originLatencyMs : 0));
                response = await produce(trace);
            } catch (error) {
                log(`${listener} ${head.method} ${head.target}: ${(error as Error).stack ?? error}`);
                trace.answeredBy = "the local stack (an error, printed above)";
                response = {
                    status: 500,
                    headers: [["Content-Type", "text/plain"]],
                    body: Buffer.from(`local stack error: ${(error as Error).message}\n`),
                };
            }
            const headers: Record<string, string> = {};
            for (const [name, value] of head.headers) {
                const lower = name.toLowerCase();
                headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
            }
            requests.push({
                listener,
                method: head.method,
                url: head.target,
                headers,
                status: response.status,
                ...(trace.reached ? { reached: trace.reached } : {}),
            });
            options.requestLog?.(
                requestLogLine(
                    {
                        listener,
                        method: head.method,
                        target: head.target,
                        status: response.status,
                        milliseconds: performance.now() - started,
                    },
                    trace,
                ),
            );
            return response;
        };

        const serve = (listener: Listener) => {
            const server = http.createServer({ maxHeaderSize: NODE_MAX_HEADER_BYTES }, (req, res) => {
                void (async () => {
                    const method = req.method ?? "GET";
                    const target = req.url ?? "/";
                    const response = await respond(
                        listener,
                        { method, target, headers: rawHeaderList(req.rawHeaders) },
                        async (trace) =>
                            services[listener].answer(
                                await readRequest(req),
                                trace,
                                req.socket.remotePort ?? 0,
                                req.httpVersion,
                            ),
                    );
                    writeResponse(res, method, response);
                })();
            });
            server.on("clientError", (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: net.Socket) => {
                if (!socket.writable || error.code === "ECONNRESET") {
                    socket.destroy();
                    return;
                }
                const head = parseRawHead(error.rawPacket);
                const shown = head ?? { method: "-", target: "-", headers: [] };
                void respond(listener, shown, (trace) => {
                    if (error.code === "HPE_HEADER_OVERFLOW") {
                        return services[listener].refuse("too-large", trace);
                    }
                    if (error.code !== "HPE_INVALID_METHOD" || head === undefined) {
                        return services[listener].refuse("malformed", trace);
                    }
                    // A method Node does not know: the service decides, as for any other method.
                    const { path, query } = splitTarget(head.target);
                    return services[listener].answer(
                        {
                            method: head.method,
                            path,
                            query,
                            headers: head.headers,
                            body: Buffer.alloc(0),
                            clientIp: clientIpOf(socket),
                        },
                        trace,
                        socket.remotePort ?? 0,
                        head.httpVersion,
                    );
                }).then(
                    (response) => writeRawResponse(socket, shown.method, response),
                    () => socket.destroy(),
                );
            });
            servers.push(server);
            return server;
        };

        const sitePort = await listen(serve("cloudfront"), ports.site, host, "the CloudFront listener");
        directPort = await listen(serve("direct"), ports.direct, host, "the direct API Gateway listener");
        const siteUrl = `http://${urlHost(host)}:${sitePort}`;
        if (identity) {
            issuer = await LocalIssuer.start(identity, { port: ports.issuer, host, siteUrl: () => siteUrl });
        }
        return {
            url: siteUrl,
            directUrl: `http://${urlHost(host)}:${directPort}`,
            ...(issuer ? { issuerUrl: issuer.url } : {}),
            host,
            latencyMs,
            viewerLatencyMs,
            originLatencyMs,
            backends,
            requests,
            warnings,
            graph,
            close: async () => {
                await Promise.all([...servers.map(close), issuer?.close()]);
                lambdas.dispose();
            },
        };
    } catch (error) {
        await Promise.all([...servers.filter((s) => s.listening).map(close), issuer?.close()]);
        lambdas.dispose();
        throw error;
    }
}
