/**
 * A local HTTP server standing in for a backend (`--backend PATH=URL`) or serving a page: it
 * records every request exactly as it arrived (method, target, headers with their case, body) and
 * answers what the test says.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type HeaderList, rawHeaderList } from "../../local/http";

/** A request as the server received it. */
export interface ReceivedRequest {
    readonly method: string;
    /** The request target: path and query, as sent. */
    readonly url: string;
    /** Every header line in order, with its case. */
    readonly rawHeaders: HeaderList;
    /** Lower-case names, as Node joins them. */
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

/** What the server answers. */
export interface Answer {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
}

export interface RecordingServer {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    readonly port: number;
    /** Every request received, in arrival order. */
    readonly received: ReceivedRequest[];
    close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (a free port, or `port`) that records each request and answers `answer(request)`. */
export async function startRecordingServer(
    answer: (request: ReceivedRequest) => Answer,
    options: { host?: string; port?: number } = {},
): Promise<RecordingServer> {
    const received: ReceivedRequest[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const request: ReceivedRequest = {
                method: req.method ?? "",
                url: req.url ?? "",
                rawHeaders: rawHeaderList(req.rawHeaders),
                headers: req.headers,
                body: Buffer.concat(chunks).toString("utf8"),
            };
            received.push(request);
            const reply = answer(request);
            res.writeHead(reply.status, reply.headers);
            res.end(reply.body);
        });
    });
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://${host}:${port}`,
        port,
        received,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}
