/**
 * Signature Version 4 verification for AWS_IAM methods, by recomputing the signature with aws4
 * over what API Gateway itself received: its Host, the full path (stage or base path included),
 * the query, the signed headers and the body. Sources: IAM User Guide, "AWS Signature Version 4
 * for API requests" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html) and
 * "Troubleshoot signing errors" (reference_sigv-troubleshooting.html), whose messages are those
 * API Gateway returns.
 */
import * as aws4 from "aws4";
import { HeaderList, headerValue, headerValues, pathWithQuery } from "../http";

/** What the verifier needs from the request, exactly as API Gateway received it. */
export interface SignedRequest {
    readonly method: string;
    readonly path: string;
    readonly query: string;
    readonly headers: HeaderList;
    readonly body: Buffer;
}

export interface VerifyOptions {
    /** The API's region: the credential scope must name it. */
    readonly region: string;
    /** The secret for an access key id, or undefined for a key AWS does not know. */
    readonly secretFor: (accessKeyId: string) => string | undefined;
    readonly now: Date;
}

export type SigV4Failure = "missing" | "incomplete" | "unknown-key" | "invalid";

export type SigV4Result =
    | { readonly ok: true; readonly accessKeyId: string }
    | { readonly ok: false; readonly failure: SigV4Failure; readonly message: string };

/** A signature older (or newer) than this is refused. */
const MAX_SKEW_MS = 5 * 60 * 1000;
const SERVICE = "execute-api";

const fail = (failure: SigV4Failure, message: string): SigV4Result => ({ ok: false, failure, message });

/** `20240101T120000Z` -> Date, or undefined. */
function parseAmzDate(value: string): Date | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
    return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

const amzDate = (d: Date) => d.toISOString().replace(/[:-]|\.\d{3}/g, "");

interface Signature {
    readonly credential: string;
    readonly signedHeaders: string;
    readonly signature: string;
    readonly date: string | undefined;
    readonly viaQuery: boolean;
}

/** The signature's parts from the Authorization header or the query string, or a failure. */
function signatureOf(request: SignedRequest): Signature | SigV4Result {
    const authorization = headerValue(request.headers, "authorization");
    const query = new URLSearchParams(request.query);
    if (authorization === undefined) {
        if (!query.has("X-Amz-Signature")) {
            return fail("missing", "Missing Authentication Token");
        }
        const parts = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Date"].filter(
            (p) => !query.get(p),
        );
        if (parts.length > 0) {
            return fail(
                "incomplete",
                parts.map((p) => `Query-string authentication requires the ${p} parameter.`).join(" "),
            );
        }
        return {
            credential: query.get("X-Amz-Credential")!,
            signedHeaders: query.get("X-Amz-SignedHeaders")!,
            signature: query.get("X-Amz-Signature")!,
            date: query.get("X-Amz-Date")!,
            viaQuery: true,
        };
    }
    const fields = new Map<string, string>();
    const [algorithm, ...rest] = authorization.trim().split(/\s+/);
    for (const pair of rest.join(" ").split(",")) {
        const i = pair.indexOf("=");
        if (i > 0) {
            fields.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
        }
    }
    const date = headerValue(request.headers, "x-amz-date");
    const problems = [
        ...(algorithm !== "AWS4-HMAC-SHA256" || !fields.has("Credential")
            ? ["Authorization header requires 'Credential' parameter."]
            : []),
        ...(!fields.has("Signature") ? ["Authorization header requires 'Signature' parameter."] : []),
        ...(!fields.has("SignedHeaders") ? ["Authorization header requires 'SignedHeaders' parameter."] : []),
        ...(date === undefined
            ? ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]
            : []),
    ];
    if (problems.length > 0) {
        return fail("incomplete", `${problems.join(" ")} Authorization=${authorization}`);
    }
    return {
        credential: fields.get("Credential")!,
        signedHeaders: fields.get("SignedHeaders")!,
        signature: fields.get("Signature")!,
        date,
        viaQuery: false,
    };
}

/** Verifies a request's SigV4 signature for execute-api in the API's region. */
export function verifySigV4(request: SignedRequest, options: VerifyOptions): SigV4Result {
    const parsed = signatureOf(request);
    if ("ok" in parsed) {
        return parsed;
    }
    const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = parsed.credential.split("/");
    const signed = new Date(parseAmzDate(parsed.date ?? "") ?? NaN);
    if (Number.isNaN(signed.getTime())) {
        return fail(
            "incomplete",
            `Date must be in ISO-8601 'basic format'. Got '${parsed.date}'. See http://en.wikipedia.org/wiki/ISO_8601`,
        );
    }
    const signedHeaders = parsed.signedHeaders.split(";");
    if (!signedHeaders.includes("host")) {
        return fail("incomplete", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    if (scopeDate !== parsed.date!.slice(0, 8)) {
        return fail(
            "invalid",
            `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${parsed.date!.slice(0, 8)}', from '${parsed.date}'.`,
        );
    }
    if (scopeRegion !== options.region) {
        return fail("invalid", `Credential should be scoped to a valid region, not '${scopeRegion}'. `);
    }
    if (scopeService !== SERVICE) {
        return fail("invalid", `Credential should be scoped to correct service: '${SERVICE}'. `);
    }
    if (terminator !== "aws4_request") {
        return fail(
            "invalid",
            `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
        );
    }
    const secret = options.secretFor(accessKeyId);
    // Local credentials are long-term keys: any session token is one AWS would not know either.
    if (secret === undefined || headerValue(request.headers, "x-amz-security-token") !== undefined) {
        return fail("unknown-key", "The security token included in the request is invalid.");
    }
    const now = options.now.getTime();
    if (signed.getTime() < now - MAX_SKEW_MS) {
        return fail(
            "invalid",
            `Signature expired: ${parsed.date} is now earlier than ${amzDate(new Date(now - MAX_SKEW_MS))} (${amzDate(options.now)} - 5 min.)`,
        );
    }
    if (signed.getTime() > now + MAX_SKEW_MS) {
        return fail(
            "invalid",
            `Signature not yet current: ${parsed.date} is still later than ${amzDate(new Date(now + MAX_SKEW_MS))} (${amzDate(options.now)} + 5 min.)`,
        );
    }

    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
        headers[name] = headerValues(request.headers, name).join(",");
    }
    const query = parsed.viaQuery
        ? request.query
              .split("&")
              .filter((pair) => !pair.startsWith("X-Amz-Signature="))
              .join("&")
        : request.query;
    const signer = new aws4.RequestSigner(
        {
            method: request.method,
            host: headers.host,
            path: pathWithQuery(request.path, query),
            headers,
            body: request.body,
            service: SERVICE,
            region: options.region,
            signQuery: parsed.viaQuery,
            doNotModifyHeaders: true,
            // Signed headers aws4 would otherwise leave out of the canonical request (user-agent, range, ...).
            extraHeadersToInclude: Object.fromEntries(signedHeaders.map((h) => [h, true])),
        } as aws4.Request,
        { accessKeyId, secretAccessKey: secret },
    );
    signer.datetime = parsed.date;
    if (signer.signature() !== parsed.signature) {
        return fail(
            "invalid",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access " +
                "Key and signing method. Consult the service documentation for details.\n\n" +
                `The Canonical String for this request should have been\n'${signer.canonicalString()}'\n\n` +
                `The String-to-Sign should have been\n'${signer.stringToSign()}'\n`,
        );
    }
    return { ok: true, accessKeyId };
}
