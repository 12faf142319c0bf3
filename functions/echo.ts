import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { API_KEY_HEADER } from "../core/api-gateway";

/**
 * Request headers that carry credentials: a bearer token or SigV4 signature, cookies, a session
 * token, the origin's API key. The echo says they were sent, never what they hold: its answer goes
 * to the browser, and the API key must never reach one.
 */
export const CREDENTIAL_HEADERS: readonly string[] = [
    "authorization",
    "cookie",
    "x-amz-security-token",
    API_KEY_HEADER,
];

/** What the echo shows instead of a credential. */
export const REDACTED = "[redacted]";

/** What the echo Lambda returns: the parts of the proxy event a caller needs to see the routing. */
export interface EchoBody {
    readonly path: string;
    readonly resource: string;
    readonly httpMethod: string;
    readonly pathParameters: Record<string, string | undefined> | null;
    readonly queryStringParameters: Record<string, string | undefined> | null;
    readonly headers: Record<string, string | undefined>;
    readonly body: string | null;
    readonly requestContext: {
        readonly stage: string;
        readonly path: string;
        readonly resourcePath: string;
        readonly authorizer: unknown;
        readonly identity: unknown;
    };
}

/** Decodes the request body: with binary media type `*\/*` API Gateway base64-encodes every body. */
function decodedBody(event: APIGatewayProxyEvent): string | null {
    if (event.body === null || event.body === undefined) {
        return null;
    }
    return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

/** The headers with each credential's value replaced, whatever the case of its name. */
function redactedHeaders(headers: Record<string, string | undefined>): Record<string, string | undefined> {
    return Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [
            name,
            CREDENTIAL_HEADERS.includes(name.toLowerCase()) ? REDACTED : value,
        ]),
    );
}

/** The caller's identity without the API key's value (`identity.apiKey`); its id stays. */
function redactedIdentity(identity: unknown): unknown {
    if (identity === null || typeof identity !== "object") {
        return identity ?? null;
    }
    const { apiKey } = identity as { apiKey?: unknown };
    return apiKey === undefined || apiKey === null ? identity : { ...identity, apiKey: REDACTED };
}

/** Builds the echo of a Lambda proxy (REST, v1) event, credentials redacted. */
export function echoBody(event: APIGatewayProxyEvent): EchoBody {
    const context = event.requestContext ?? {};
    return {
        path: event.path,
        resource: event.resource,
        httpMethod: event.httpMethod,
        pathParameters: event.pathParameters ?? null,
        queryStringParameters: event.queryStringParameters ?? null,
        headers: redactedHeaders(event.headers ?? {}),
        body: decodedBody(event),
        requestContext: {
            stage: context.stage,
            path: context.path,
            resourcePath: context.resourcePath,
            authorizer: context.authorizer ?? null,
            identity: redactedIdentity(context.identity),
        },
    };
}

/** Lambda proxy handler: answers 200 with the event it received, as JSON, never cached. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    return {
        statusCode: 200,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
        body: JSON.stringify(echoBody(event)),
    };
}
