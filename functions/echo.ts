import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

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

/** Builds the echo of a Lambda proxy (REST, v1) event. */
export function echoBody(event: APIGatewayProxyEvent): EchoBody {
    const context = event.requestContext ?? {};
    return {
        path: event.path,
        resource: event.resource,
        httpMethod: event.httpMethod,
        pathParameters: event.pathParameters ?? null,
        queryStringParameters: event.queryStringParameters ?? null,
        headers: event.headers ?? {},
        body: decodedBody(event),
        requestContext: {
            stage: context.stage,
            path: context.path,
            resourcePath: context.resourcePath,
            authorizer: context.authorizer ?? null,
            identity: context.identity ?? null,
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
