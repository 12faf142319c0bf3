import aws4 from "aws4";

/** What a SigV4 signature covers for a body-less request. */
export interface SigningTarget {
    /** The Host API Gateway receives, port included (`localhost:4567`). */
    readonly host: string;
    /** Path and query as API Gateway receives them. */
    readonly path: string;
    readonly method: string;
    readonly region: string;
    readonly service: string;
}

/** IAM credentials. */
export interface Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

/**
 * Signs in Node and returns the headers for a browser `fetch`. Host is signed but not returned: a
 * page cannot set it, and the browser (or CloudFront, which swaps in the origin's host) supplies
 * the value that was signed.
 */
export function sigV4Headers(target: SigningTarget, credentials: Credentials): Record<string, string> {
    const signed = aws4.sign({ ...target, headers: {} }, credentials);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers ?? {})) {
        if (name.toLowerCase() !== "host" && value !== undefined) {
            headers[name] = String(value);
        }
    }
    return headers;
}
