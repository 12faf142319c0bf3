import type { LocalStack, RecordedRequest } from "../../local/server";

/** A position in the stack's request log; requests after it belong to the code that took it. */
export type RequestMark = number;

/** Marks the end of the request log so far. */
export function markRequests(stack: LocalStack): RequestMark {
    return stack.requests.length;
}

/** The requests the stack recorded since `mark`. */
export function requestsSince(stack: LocalStack, mark: RequestMark): RecordedRequest[] {
    return stack.requests.slice(mark);
}

/** The path of a recorded request, whether the log holds a path or a full URL. */
export function pathOf(request: RecordedRequest): string {
    return new URL(request.url, "http://recorded.invalid").pathname;
}

/** The CORS preflights among `requests`, optionally on one listener only. */
export function preflights(
    requests: readonly RecordedRequest[],
    listener?: RecordedRequest["listener"],
): RecordedRequest[] {
    return requests.filter((r) => r.method === "OPTIONS" && (listener === undefined || r.listener === listener));
}

/** One line per request, for assertion messages. */
export function describeRequests(requests: readonly RecordedRequest[]): string {
    return requests.map((r) => `${r.listener} ${r.method} ${r.url} -> ${r.status}`).join("\n") || "(none)";
}
