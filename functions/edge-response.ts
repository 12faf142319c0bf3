/**
 * A response a CloudFront Function answers with itself, in the shape "CloudFront Functions event
 * structure" gives (functions-event-structure.html, "Response object"): a status, its description,
 * lower-case headers as `{ value }`, and a text body. Written for the CloudFront Functions runtime.
 */

export interface EdgeResponse {
    statusCode: number;
    statusDescription: string;
    headers: Record<string, { value: string }>;
    body?: { encoding: "text"; data: string };
}

/** A short plain-text answer nobody caches: what a refusal at the edge says. */
export function plainTextResponse(statusCode: number, statusDescription: string, text: string): EdgeResponse {
    return {
        statusCode: statusCode,
        statusDescription: statusDescription,
        headers: {
            "content-type": { value: "text/plain; charset=utf-8" },
            "cache-control": { value: "no-store" },
        },
        body: { encoding: "text", data: text },
    };
}
