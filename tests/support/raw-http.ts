/**
 * HTTP/1.1 exchanged byte for byte over a fresh TCP connection to this machine, for requests a
 * client library would change or refuse: dot segments it would resolve, methods it would not send,
 * heads whose exact size matters.
 */
import * as net from "node:net";

export interface RawReply {
    readonly status: number;
    /** Lower-case names; a repeated header's values joined with ", ". */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    /** Whether the server closed the connection right after the response. */
    readonly closedByServer: boolean;
}

/** How long to wait for the server to close a connection after its response. */
const CLOSE_WAIT_MS = 1000;

/** A request head: the request line and the header lines, each ended by CRLF, then the empty line. */
export function requestHead(method: string, target: string, headers: readonly (readonly [string, string])[]): string {
    return `${method} ${target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
}

/** Sends `bytes` to 127.0.0.1:`port` and reads one response (framed by Content-Length, or the close). */
export function rawExchange(port: number, bytes: string): Promise<RawReply> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes, "latin1"));
        let received = Buffer.alloc(0);
        let ended = false;
        let parsed: Omit<RawReply, "closedByServer"> | undefined;
        const timer = setTimeout(() => {
            socket.destroy();
            reject(
                new Error(`no complete response within 10 s; received:\n${received.toString("latin1").slice(0, 500)}`),
            );
        }, 10_000);
        const finish = () => {
            clearTimeout(timer);
            const reply = parsed!;
            if (ended) {
                resolve({ ...reply, closedByServer: true });
                return;
            }
            const wait = setTimeout(() => {
                socket.destroy();
                resolve({ ...reply, closedByServer: false });
            }, CLOSE_WAIT_MS);
            socket.once("end", () => {
                clearTimeout(wait);
                resolve({ ...reply, closedByServer: true });
            });
        };
        const tryParse = () => {
            const text = received.toString("latin1");
            const headEnd = text.indexOf("\r\n\r\n");
            if (parsed !== undefined || headEnd === -1) {
                return;
            }
            const [statusLine, ...lines] = text.slice(0, headEnd).split("\r\n");
            const headers: Record<string, string> = {};
            for (const line of lines) {
                const name = line.slice(0, line.indexOf(":")).toLowerCase();
                const value = line.slice(line.indexOf(":") + 1).trim();
                headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
            }
            const body = received.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), "latin1"));
            const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
            if ((length !== undefined && body.length >= length) || ended) {
                parsed = {
                    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]),
                    headers,
                    body: body.subarray(0, length ?? body.length).toString("utf8"),
                };
                finish();
            }
        };
        socket.on("data", (chunk: Buffer) => {
            received = Buffer.concat([received, chunk]);
            tryParse();
        });
        socket.on("end", () => {
            ended = true;
            tryParse();
        });
        socket.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
    });
}
