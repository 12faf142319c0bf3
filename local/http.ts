/**
 * The request and response shapes every emulated hop (CloudFront, S3, API Gateway) passes on.
 * Headers are an ordered list of name/value pairs rather than a map: a repeated header must stay
 * repeated (API Gateway's `multiValueHeaders`, SigV4's canonical headers) and a name keeps the case
 * the client sent (API Gateway hands header names to the integration as received).
 */
import { randomUUID } from "node:crypto";

/** Ordered header pairs, names as sent. */
export type HeaderList = readonly (readonly [name: string, value: string])[];

export interface HttpRequest {
    readonly method: string;
    /** The path as sent, still percent-encoded, without the query string. */
    readonly path: string;
    /** The raw query string without `?`; `""` when there is none. */
    readonly query: string;
    readonly headers: HeaderList;
    readonly body: Buffer;
    /** The address of whoever opened the connection this hop received the request on. */
    readonly clientIp: string;
}

export interface HttpResponse {
    readonly status: number;
    readonly headers: HeaderList;
    readonly body: Buffer;
}

/** Every value of a header, case-insensitively, in order. */
export function headerValues(headers: HeaderList, name: string): string[] {
    const lower = name.toLowerCase();
    return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The first value of a header, or undefined. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
    return headerValues(headers, name)[0];
}

/** The headers without any of the given names (case-insensitive). */
export function withoutHeaders(headers: HeaderList, names: readonly string[]): HeaderList {
    const drop = new Set(names.map((n) => n.toLowerCase()));
    return headers.filter(([n]) => !drop.has(n.toLowerCase()));
}

/** The headers with `name` set to the one `value`, replacing any existing values. */
export function withHeader(headers: HeaderList, name: string, value: string): HeaderList {
    return [...withoutHeaders(headers, [name]), [name, value]];
}

/** The bytes the headers take on the wire: `name: value` and CRLF for each. */
export function headerBlockBytes(headers: HeaderList): number {
    return headers.reduce((total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(value) + 4, 0);
}

/** `path?query`, or `path` when the query is empty. */
export function pathWithQuery(path: string, query: string): string {
    return query === "" ? path : `${path}?${query}`;
}

/** Splits a request target into path and raw query. */
export function splitTarget(target: string): { path: string; query: string } {
    const index = target.indexOf("?");
    return index === -1
        ? { path: target, query: "" }
        : { path: target.slice(0, index), query: target.slice(index + 1) };
}

/** A JSON response with the given extra headers. */
export function jsonResponse(status: number, value: unknown, headers: HeaderList = []): HttpResponse {
    return {
        status,
        headers: [["Content-Type", "application/json"], ...headers],
        body: Buffer.from(JSON.stringify(value)),
    };
}

/** A request id in the UUID format API Gateway and Lambda use. */
export function requestId(): string {
    return randomUUID();
}

/** Node's `rawHeaders` (name, value, name, value, ...) as a header list, names as sent. */
export function rawHeaderList(raw: readonly string[]): HeaderList {
    const headers: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) {
        headers.push([raw[i], raw[i + 1]]);
    }
    return headers;
}
