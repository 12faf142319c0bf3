/**
 * Lambda proxy integration (REST API, payload format 1.0): the event API Gateway sends and the
 * response it accepts back. Source: "Lambda proxy integrations in API Gateway" - "Input format of
 * a Lambda function for proxy integration" and "Output format of a Lambda function for proxy
 * integration" (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
 */
import { HeaderList, headerValue, HttpResponse } from "../http";

/** What API Gateway knows about a request when it calls the integration. */
export interface ProxyEventInput {
    readonly method: string;
    readonly query: string;
    readonly headers: HeaderList;
    readonly body: Buffer;
    /** The matched resource template, e.g. `/api/{proxy+}`. */
    readonly resourcePath: string;
    readonly pathParameters: Readonly<Record<string, string>>;
    /** `path`: stage stripped on an execute-api host, base path kept on a custom domain. */
    readonly path: string;
    /** `requestContext.path`: `/<stage>/x` on an execute-api host, `/<basePath>/x` on a custom domain. */
    readonly contextPath: string;
    readonly stage: string;
    readonly stageVariables: Readonly<Record<string, string>> | undefined;
    readonly apiId: string;
    readonly accountId: string;
    readonly domainName: string;
    readonly requestId: string;
    readonly resourceId: string;
    readonly identity: Readonly<Record<string, string | null>>;
    readonly authorizer?: Readonly<Record<string, string | number>>;
    readonly binaryMediaTypes: readonly string[];
    readonly now: Date;
}

/** Whether a media type is one of the API's binary media types (`*\/*` and `type/*` are wildcards). */
export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
    const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
    return binaryMediaTypes.some((pattern) => {
        const [pType, pSub] = pattern.toLowerCase().split("/");
        const [tType, tSub] = type.split("/");
        return (
            (pType === "*" || pType === tType) && (pSub === "*" || pSub === tSub) && (pattern === "*/*" || type !== "")
        );
    });
}

function decode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/** `name -> last value` and `name -> all values`; null when there are none, as in the event. */
function singleAndMulti(
    pairs: readonly (readonly [string, string])[],
): [Record<string, string> | null, Record<string, string[]> | null] {
    if (pairs.length === 0) {
        return [null, null];
    }
    const single: Record<string, string> = {};
    const multi: Record<string, string[]> = {};
    for (const [name, value] of pairs) {
        single[name] = value;
        (multi[name] ??= []).push(value);
    }
    return [single, multi];
}

/** `09/Apr/2015:12:34:56 +0000`, the format of `requestContext.requestTime`. */
function requestTime(date: Date): string {
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const p = (n: number) => String(n).padStart(2, "0");
    return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

/** The Lambda proxy event for a request. */
export function buildProxyEvent(input: ProxyEventInput): Record<string, unknown> {
    const [headers, multiValueHeaders] = singleAndMulti(input.headers);
    const queryPairs =
        input.query === ""
            ? []
            : input.query
                  .split("&")
                  .filter((p) => p !== "")
                  .map((pair) => {
                      const i = pair.indexOf("=");
                      return (
                          i === -1 ? [decode(pair), ""] : [decode(pair.slice(0, i)), decode(pair.slice(i + 1))]
                      ) as [string, string];
                  });
    const [queryStringParameters, multiValueQueryStringParameters] = singleAndMulti(queryPairs);
    const binary =
        input.body.length > 0 && isBinaryMediaType(headerValue(input.headers, "content-type"), input.binaryMediaTypes);
    return {
        resource: input.resourcePath,
        path: input.path,
        httpMethod: input.method,
        headers,
        multiValueHeaders,
        queryStringParameters,
        multiValueQueryStringParameters,
        pathParameters: Object.keys(input.pathParameters).length > 0 ? { ...input.pathParameters } : null,
        stageVariables:
            input.stageVariables && Object.keys(input.stageVariables).length > 0 ? { ...input.stageVariables } : null,
        requestContext: {
            resourceId: input.resourceId,
            resourcePath: input.resourcePath,
            httpMethod: input.method,
            extendedRequestId: input.requestId.replace(/-/g, "").slice(0, 16),
            requestTime: requestTime(input.now),
            path: input.contextPath,
            accountId: input.accountId,
            protocol: "HTTP/1.1",
            stage: input.stage,
            domainPrefix: input.domainName.split(".")[0],
            requestTimeEpoch: input.now.getTime(),
            requestId: input.requestId,
            identity: { ...input.identity },
            domainName: input.domainName,
            apiId: input.apiId,
            ...(input.authorizer ? { authorizer: { ...input.authorizer } } : {}),
        },
        body: input.body.length === 0 ? null : binary ? input.body.toString("base64") : input.body.toString("utf8"),
        isBase64Encoded: binary,
    };
}

/** The integration's answer as API Gateway relays it, or undefined when it is malformed (502). */
export function proxyResponse(
    result: unknown,
    binaryMediaTypes: readonly string[],
    accept: string | undefined,
): HttpResponse | undefined {
    if (result === null || typeof result !== "object" || Array.isArray(result)) {
        return undefined;
    }
    const r = result as Record<string, unknown>;
    const allowed = ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"];
    if (Object.keys(r).some((k) => !allowed.includes(k))) {
        return undefined;
    }
    const status =
        typeof r.statusCode === "number"
            ? r.statusCode
            : typeof r.statusCode === "string" && /^\d+$/.test(r.statusCode)
              ? Number(r.statusCode)
              : NaN;
    if (!Number.isInteger(status) || status < 100 || status > 599) {
        return undefined;
    }
    const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    const single = (r.headers ?? {}) as Record<string, unknown>;
    const multi = (r.multiValueHeaders ?? {}) as Record<string, unknown>;
    if (
        typeof single !== "object" ||
        typeof multi !== "object" ||
        !Object.values(single).every(scalar) ||
        !Object.values(multi).every((v) => Array.isArray(v) && v.every(scalar))
    ) {
        return undefined;
    }
    if (r.body !== undefined && r.body !== null && typeof r.body !== "string") {
        return undefined;
    }
    if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== "boolean") {
        return undefined;
    }
    // multiValueHeaders win over headers for the same name.
    const names = new Set(Object.keys(multi).map((n) => n.toLowerCase()));
    const headers: [string, string][] = [
        ...Object.entries(single)
            .filter(([n]) => !names.has(n.toLowerCase()))
            .map(([n, v]) => [n, String(v)] as [string, string]),
        ...Object.entries(multi).flatMap(([n, vs]) => (vs as unknown[]).map((v) => [n, String(v)] as [string, string])),
    ].filter(([n]) => !["connection", "content-length", "transfer-encoding"].includes(n.toLowerCase()));
    if (!headers.some(([n]) => n.toLowerCase() === "content-type")) {
        headers.push(["Content-Type", "application/json"]);
    }
    const text = typeof r.body === "string" ? r.body : "";
    // A base64 body is turned back into bytes when the client accepts a binary media type.
    const decodeBinary =
        r.isBase64Encoded === true &&
        (binaryMediaTypes.includes("*/*") ||
            (accept ?? "").split(",").some((a) => isBinaryMediaType(a, binaryMediaTypes)));
    return { status, headers, body: decodeBinary ? Buffer.from(text, "base64") : Buffer.from(text) };
}
