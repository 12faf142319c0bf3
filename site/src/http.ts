/** Sends a console request and measures it. */
import type { ApiRequest } from "./calls";
import { errorMessage } from "./config";

/** A response, whatever its status. */
export interface ResponseOutcome {
    readonly kind: "response";
    readonly status: number;
    readonly statusText: string;
    /** From just before `fetch` to its response headers. */
    readonly latencyMs: number;
    /** Pretty-printed when the body is JSON. */
    readonly body: string;
}

/** No response: `fetch` rejected (the network failed, or the browser refused the request). */
export interface ErrorOutcome {
    readonly kind: "error";
    readonly message: string;
}

export type CallOutcome = ResponseOutcome | ErrorOutcome;

/** Indents a JSON body; any other body, or malformed JSON, is returned as it came. */
export function prettyBody(text: string, contentType: string | null): string {
    const looksJson = /\bjson\b/i.test(contentType ?? "") || /^\s*[[{]/.test(text);
    if (!looksJson) {
        return text;
    }
    try {
        return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
        return text;
    }
}

/** Sends `request` to the page's own origin; never throws. */
export async function timedFetch(request: ApiRequest): Promise<CallOutcome> {
    try {
        const started = performance.now();
        const response = await fetch(request.path, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            // Every run must reach the API, never a cached answer.
            cache: "no-store",
        });
        const latencyMs = Math.round(performance.now() - started);
        const body = prettyBody(await response.text(), response.headers.get("content-type"));
        return { kind: "response", status: response.status, statusText: response.statusText, latencyMs, body };
    } catch (error) {
        return { kind: "error", message: errorMessage(error) };
    }
}
