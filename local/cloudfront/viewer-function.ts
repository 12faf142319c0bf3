/**
 * Runs a CloudFront Function (cloudfront-js-2.0) on a viewer request. The deployed code is a
 * script with a top-level `function handler(event)`; it runs here in a fresh V8 context per
 * request (CloudFront Functions keep no state between requests) with the event CloudFront builds.
 * Source: "CloudFront Functions event structure"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html)
 * and "JavaScript runtime 2.0 features for CloudFront Functions"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html).
 */
import * as crypto from "node:crypto";
import * as querystring from "node:querystring";
import * as vm from "node:vm";
import { HeaderList, HttpResponse } from "../http";

/** `{ value }`, with `multiValue` when the name repeats. */
export interface FunctionValue {
    value: string;
    multiValue?: { value: string }[];
}

export interface FunctionRequest {
    method: string;
    uri: string;
    querystring: Record<string, FunctionValue>;
    headers: Record<string, FunctionValue>;
    cookies: Record<string, FunctionValue>;
}

export interface FunctionEvent {
    version: "1.0";
    context: { distributionDomainName: string; distributionId: string; eventType: "viewer-request"; requestId: string };
    viewer: { ip: string };
    request: FunctionRequest;
}

/** The viewer request as the function sees it and may change it. */
export interface ViewerRequestParts {
    readonly method: string;
    readonly path: string;
    readonly query: string;
    readonly headers: HeaderList;
}

/** What a viewer-request function decided: go on with a (possibly changed) request, or answer. */
export type FunctionOutcome =
    | { readonly kind: "request"; readonly request: ViewerRequestParts }
    | { readonly kind: "response"; readonly response: HttpResponse };

function group(pairs: readonly (readonly [string, string])[]): Record<string, FunctionValue> {
    const out: Record<string, FunctionValue> = {};
    for (const [name, value] of pairs) {
        const existing = out[name];
        if (existing === undefined) {
            out[name] = { value };
        } else {
            existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
        }
    }
    return out;
}

function ungroup(values: Record<string, FunctionValue> | undefined): [string, string][] {
    return Object.entries(values ?? {}).flatMap(([name, v]) =>
        (v.multiValue && v.multiValue.length > 0 ? v.multiValue : [v]).map(
            (m) => [name, String(m.value)] as [string, string],
        ),
    );
}

/**
 * The event's request. Header names are lower-case; the Cookie header is parsed into `cookies`
 * and is not among `headers`; query string names and values stay as the viewer encoded them.
 */
export function functionRequest(request: ViewerRequestParts): FunctionRequest {
    const headers = request.headers
        .filter(([n]) => n.toLowerCase() !== "cookie")
        .map(([n, v]) => [n.toLowerCase(), v] as const);
    const cookies = request.headers
        .filter(([n]) => n.toLowerCase() === "cookie")
        .flatMap(([, v]) => v.split(";"))
        .map((c) => c.trim())
        .filter((c) => c !== "")
        .map((c) => {
            const i = c.indexOf("=");
            return i === -1 ? ([c, ""] as const) : ([c.slice(0, i), c.slice(i + 1)] as const);
        });
    const query =
        request.query === ""
            ? []
            : request.query.split("&").map((pair) => {
                  const i = pair.indexOf("=");
                  return i === -1 ? ([pair, ""] as const) : ([pair.slice(0, i), pair.slice(i + 1)] as const);
              });
    return {
        method: request.method,
        uri: request.path,
        querystring: group(query),
        headers: group(headers),
        cookies: group(cookies),
    };
}

/** The request CloudFront goes on with after the function returned `returned`. */
export function requestFromFunction(method: string, returned: FunctionRequest): ViewerRequestParts {
    const cookies = ungroup(returned.cookies).map(([n, v]) => `${n}=${v}`);
    return {
        // The function cannot change the method (the event structure page says so).
        method,
        path: returned.uri,
        query: ungroup(returned.querystring)
            .map(([n, v]) => (v === "" ? n : `${n}=${v}`))
            .join("&"),
        headers: [
            ...ungroup(returned.headers),
            ...(cookies.length > 0 ? [["cookie", cookies.join("; ")] as [string, string]] : []),
        ],
    };
}

/** A response object a function returned, as the viewer gets it. */
export function responseFromFunction(returned: any): HttpResponse {
    const headers: [string, string][] = ungroup(returned.headers);
    for (const [name, cookie] of Object.entries<any>(returned.cookies ?? {})) {
        const attributes = cookie.attributes ? `; ${cookie.attributes}` : "";
        headers.push(["set-cookie", `${name}=${cookie.value}${attributes}`]);
    }
    const body = returned.body;
    const bytes =
        body === undefined
            ? Buffer.alloc(0)
            : typeof body === "string"
              ? Buffer.from(body)
              : Buffer.from(String(body.data ?? ""), body.encoding === "base64" ? "base64" : "utf8");
    return { status: Number(returned.statusCode), headers, body: bytes };
}

/** The modules cloudfront-js-2.0 lets a function `require`. */
function functionRequire(name: string): unknown {
    switch (name) {
        case "crypto":
            return crypto;
        case "querystring":
            return querystring;
        default:
            throw new Error(`Cannot find module '${name}' (the local stack provides crypto and querystring only)`);
    }
}

/** CloudFront stops a function that exceeds its compute budget; locally, a generous wall-clock limit. */
const FUNCTION_TIMEOUT_MS = 1000;

/**
 * Runs the function's `handler` on an event and returns what it decided. Throws when the code
 * does not load, throws, times out or returns neither a request nor a response: CloudFront then
 * answers 503 itself.
 */
export async function runViewerRequestFunction(
    code: string,
    event: FunctionEvent,
    log: (line: string) => void,
): Promise<FunctionOutcome> {
    const context = vm.createContext({
        console: { log: (...args: unknown[]) => log(args.map(String).join(" ")) },
        require: functionRequire,
        eventJson: JSON.stringify(event),
    });
    vm.runInContext(code, context, { filename: "cloudfront-function.js", timeout: FUNCTION_TIMEOUT_MS });
    if (typeof context.handler !== "function") {
        throw new Error("The function's code defines no top-level function handler(event)");
    }
    // The event is built inside the function's context so its objects have that context's prototypes.
    const returned = await vm.runInContext("handler(JSON.parse(eventJson))", context, { timeout: FUNCTION_TIMEOUT_MS });
    if (returned === null || typeof returned !== "object") {
        throw new Error(`The function returned ${String(returned)}, neither a request nor a response`);
    }
    const request = JSON.parse(JSON.stringify(returned));
    if (request.statusCode !== undefined) {
        return { kind: "response", response: responseFromFunction(request) };
    }
    if (typeof request.uri !== "string" || !request.uri.startsWith("/")) {
        throw new Error(`The function returned a request whose uri is ${JSON.stringify(request.uri)}`);
    }
    return { kind: "request", request: requestFromFunction(event.request.method, request) };
}
