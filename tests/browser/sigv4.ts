import aws4 from "aws4";

/** What a SigV4 signature covers. */
export interface SigningTarget {
    /** The Host API Gateway receives, port included (`localhost:4567`). */
    readonly host: string;
    /** Path and query as API Gateway receives them. */
    readonly path: string;
    readonly method: string;
    readonly region: string;
    readonly service: string;
    /** The body, when there is one: its hash is signed. */
    readonly body?: string;
    /**
     * Headers to sign and send, e.g. `Content-Type` (with a body and no Content-Type, aws4 signs
     * `application/x-www-form-urlencoded`).
     */
    readonly headers?: Readonly<Record<string, string>>;
}

/** IAM credentials. */
export interface Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

/**
 * Signs in Node and returns the headers for a `fetch` (from a page or from Node), the given ones
 * included. Host is signed but not returned: a page cannot set it, and the client (or CloudFront,
 * which swaps in the origin's host) supplies the value that was signed.
 */
export function sigV4Headers(target: SigningTarget, credentials: Credentials): Record<string, string> {
    const signed = aws4.sign({ ...target, headers: { ...target.headers } }, credentials);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers ?? {})) {
        if (name.toLowerCase() !== "host" && value !== undefined) {
            headers[name] = String(value);
        }
    }
    return headers;
}
