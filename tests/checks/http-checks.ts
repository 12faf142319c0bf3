/**
 * The HTTP checks shared by the local stack tests and `npm run smoke`: one list of expectations,
 * each a name, the request(s) it sends to the site and what the answers must be. Nothing here knows
 * which target it runs against: the local stack and a deployed distribution must answer alike.
 *
 * The API's error bodies are API Gateway's defaults (`{"message": ...}`) with the gateway responses
 * the API declares (MISSING_AUTHENTICATION_TOKEN as 404); see shared NOTES.md, "API Gateway (REST)",
 * and https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
import { isDeepStrictEqual } from "node:util";
import type { AuthProvider } from "../../core/auth";
import { CONFIG_KEY, frontendConfigProblems } from "../../core/frontend-config";
import { signingPathFor } from "../../core/paths";
import { DEMO_IDENTITY } from "../../functions/authorizer";
import { ASSET_FOLDER } from "../../core/site";
import { type CallId, requestFor } from "../../site/src/calls";
import type { Credentials } from "../../site/src/sign";
import {
    type CheckTarget,
    describeFetchError,
    excerpt,
    frontendConfigOf,
    type NotRun,
    REQUEST_TIMEOUT_MS,
} from "./target";

/** One request, relative to the site. */
export interface CheckRequest {
    readonly method: string;
    /** Path and query on the site's origin. */
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
}

/** What the site answered to one request. */
export interface Reply {
    readonly sent: CheckRequest;
    readonly status: number;
    /** `""` when the answer has none. */
    readonly contentType: string;
    readonly headers: Headers;
    readonly text: string;
}

export interface HttpCheck {
    readonly name: string;
    /** What to send, in order (several when the answers are compared); or why it cannot run here. */
    readonly requests: (target: CheckTarget) => readonly CheckRequest[] | NotRun;
    /** Judges the answers: returns what was seen when they are right, throws {@link CheckFailure} when not. */
    readonly expect: (replies: readonly Reply[], target: CheckTarget) => string;
}

/** A check's expectation not met; its message is the table's detail. */
export class CheckFailure extends Error {
    override readonly name = "CheckFailure";
}

export function fail(detail: string): never {
    throw new CheckFailure(detail);
}

/**
 * Sends one request to the site. Redirects are not followed: the checks judge what the
 * distribution itself answers.
 */
export async function send(siteUrl: string, request: CheckRequest): Promise<Reply> {
    let response: Response;
    try {
        response = await fetch(`${siteUrl}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            redirect: "manual",
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
    } catch (error) {
        fail(`${request.method} ${request.path} failed: ${describeFetchError(error)}`);
    }
    return {
        sent: request,
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        headers: response.headers,
        text: await response.text(),
    };
}

/** `GET /x -> 200 text/html`: the start of every detail. */
function answered(reply: Reply): string {
    return `${reply.sent.method} ${reply.sent.path} -> ${reply.status} ${reply.contentType || "(no content type)"}`;
}

function expectStatus(reply: Reply, status: number): void {
    if (reply.status !== status) {
        fail(`${answered(reply)}, expected ${status}: ${excerpt(reply.text)}`);
    }
}

/** A 200 HTML page. */
function expectHtml(reply: Reply): void {
    expectStatus(reply, 200);
    if (!/^text\/html\b/.test(reply.contentType)) {
        fail(`${answered(reply)}, expected text/html: ${excerpt(reply.text)}`);
    }
}

/** A JSON answer with `status` (the API's, never the app's HTML); returns the parsed body. */
function expectJson(reply: Reply, status: number): any {
    expectStatus(reply, status);
    if (!/\bjson\b/.test(reply.contentType)) {
        fail(`${answered(reply)}, expected JSON from the API: ${excerpt(reply.text)}`);
    }
    try {
        return JSON.parse(reply.text);
    } catch {
        fail(`${answered(reply)}, but the body is not JSON: ${excerpt(reply.text)}`);
    }
}

/** API Gateway's error answer: `status` with exactly `{"message": message}`. */
function expectMessage(reply: Reply, status: number, message: string): string {
    const body = expectJson(reply, status);
    if (!isDeepStrictEqual(body, { message })) {
        fail(`${answered(reply)}, body ${excerpt(reply.text)}, expected ${JSON.stringify({ message })}`);
    }
    return `${answered(reply)} ${reply.text.trim()}`;
}

/** A header of the echoed event, whatever its case. */
function echoedHeader(echo: any, name: string): string | undefined {
    const headers: Record<string, string> = echo?.headers ?? {};
    return Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

/** Tokens for the demo authorizer (functions/authorizer.ts): allowed, denied, and one it does not know. */
export const TOKENS = { allow: "allow", deny: "deny", unknown: "smoke-check-unknown-token" } as const;

/**
 * A JWT claiming to be anyone, unsigned (`alg: none`): an authorizer that verifies signatures
 * refuses it, whatever its claims.
 */
export function unsignedToken(issuer: string): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    return `${part({ alg: "none", typ: "JWT" })}.${part({ iss: issuer, sub: "smoke-check", exp: now + 600, iat: now })}.`;
}

/** The claims of a JWT, read without verifying it (the API verified it; the check compares what it reports). */
function claimsOf(token: string): Record<string, unknown> {
    try {
        return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    } catch {
        return {};
    }
}
const MISSING_AUTHENTICATION_TOKEN = "Missing Authentication Token";
const EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny";
const UNAUTHORIZED = "Unauthorized";

/** Routes of the app (no file of the build), a dot in the last segment included. */
const DEEP_LINKS = ["/orders/42", "/users/john.doe"];

/** Credentials for calls sent unsigned: requestFor reads them for the IAM call only, whose headers the unsigned check drops. */
const NOT_SIGNING: Credentials = { accessKeyId: "", secretAccessKey: "" };

/** The console's own request for a call (site/src/calls.ts): same path, headers and body. */
export function consoleCall(
    target: CheckTarget,
    id: CallId,
    inputs: { token?: string; credentials?: Credentials } = {},
): CheckRequest {
    const request = requestFor(id, target.config, {
        token: inputs.token ?? "",
        credentials: inputs.credentials ?? NOT_SIGNING,
    });
    return { method: request.method, path: request.path, headers: request.headers, body: request.body };
}

/** The path without its query. */
const pathOnly = (path: string) => path.split("?")[0];

/** A token call answered by the authorizer with an API Gateway error. */
function tokenRefused(name: string, token: string, status: number, message: string): HttpCheck {
    return {
        name,
        requests: (target) => [consoleCall(target, "authorized", { token })],
        expect: ([reply]) => expectMessage(reply, status, message),
    };
}

/** The demo authorizer: `allow` lets in the demo user, `deny` is an explicit Deny, anything else 401. */
const DEMO_TOKEN_CHECKS: readonly HttpCheck[] = [
    {
        name: "token allow",
        requests: (target) => [consoleCall(target, "authorized", { token: TOKENS.allow })],
        expect: ([reply]) => {
            const authorizer = expectJson(reply, 200).requestContext?.authorizer ?? {};
            const expected: Record<string, string> = { ...DEMO_IDENTITY, principalId: DEMO_IDENTITY.sub };
            const wrong = Object.keys(expected).filter((key) => authorizer[key] !== expected[key]);
            if (wrong.length > 0) {
                fail(
                    `${answered(reply)}, authorizer context ${JSON.stringify(authorizer)}, expected ${JSON.stringify(expected)}`,
                );
            }
            return `${answered(reply)}, authorizer context ${JSON.stringify(expected)}`;
        },
    },
    tokenRefused("token deny", TOKENS.deny, 403, EXPLICIT_DENY),
    tokenRefused("token unknown", TOKENS.unknown, 401, UNAUTHORIZED),
    tokenRefused("no token", "", 401, UNAUTHORIZED),
];

/** A sign-in provider: only the issuer's tokens get in; the demo tokens and forgeries get 401. */
const SIGN_IN_CHECKS: readonly HttpCheck[] = [
    {
        name: "signed-in user",
        requests: (target) =>
            "notRun" in target.bearer
                ? target.bearer
                : [consoleCall(target, "authorized", { token: `Bearer ${target.bearer.token}` })],
        expect: ([reply], target) => {
            const authorizer = expectJson(reply, 200).requestContext?.authorizer ?? {};
            const { token, source } = target.bearer as Exclude<CheckTarget["bearer"], NotRun>;
            const sub = claimsOf(token).sub;
            if (authorizer.sub !== sub || authorizer.principalId !== sub || typeof authorizer.username !== "string") {
                fail(
                    `${answered(reply)}, authorizer context ${JSON.stringify(authorizer)}, expected sub ${String(sub)}`,
                );
            }
            return `${answered(reply)} with ${source}; the authorizer context names sub ${String(sub)}`;
        },
    },
    tokenRefused("demo token refused", TOKENS.allow, 401, UNAUTHORIZED),
    {
        name: "unsigned token (alg: none)",
        requests: (target) => [
            consoleCall(target, "authorized", {
                token: `Bearer ${unsignedToken(target.config.auth.provider === "demo" ? "" : target.config.auth.authority)}`,
            }),
        ],
        expect: ([reply]) => expectMessage(reply, 401, UNAUTHORIZED),
    },
    tokenRefused("no token", "", 401, UNAUTHORIZED),
];

/** The checks for a target: the common ones, with the token checks of its sign-in provider. */
export function httpChecks(provider: AuthProvider): readonly HttpCheck[] {
    const tokenChecks = provider === "demo" ? DEMO_TOKEN_CHECKS : SIGN_IN_CHECKS;
    const iamAt = HTTP_CHECKS.findIndex((check) => check.name === "IAM signed");
    return [...HTTP_CHECKS.slice(0, iamAt), ...tokenChecks, ...HTTP_CHECKS.slice(iamAt)];
}

/** The checks every target runs, whatever signs its users in. */
const HTTP_CHECKS: readonly HttpCheck[] = [
    {
        name: "site",
        requests: () => [{ method: "GET", path: "/" }],
        expect: ([root]) => {
            expectHtml(root);
            return `${answered(root)}, ${root.text.length} characters`;
        },
    },
    ...DEEP_LINKS.map((path): HttpCheck => ({
        name: `deep link ${path}`,
        requests: () => [
            { method: "GET", path: "/" },
            { method: "GET", path },
        ],
        expect: ([root, deepLink]) => {
            expectHtml(root);
            expectHtml(deepLink);
            if (deepLink.text !== root.text) {
                fail(`${answered(deepLink)}, but not the HTML of /: ${excerpt(deepLink.text)}`);
            }
            return `${answered(deepLink)}, the same HTML as /`;
        },
    })),
    {
        name: "missing asset",
        requests: () => [{ method: "GET", path: `/${ASSET_FOLDER}/smoke-check-missing.js` }],
        expect: ([reply]) => {
            expectStatus(reply, 404);
            // The site function's answer (functions/spa-rewrite.ts), not the app and not S3's 403.
            if (!/is not a file of this site's build/.test(reply.text)) {
                fail(`${answered(reply)}, not the site function's 404: ${excerpt(reply.text)}`);
            }
            return `${answered(reply)} ${excerpt(reply.text)}`;
        },
    },
    ...["GET", "POST"].map((method): HttpCheck => ({
        name: `bare API prefix (${method})`,
        requests: (target) => [
            method === "POST"
                ? { method, path: target.config.apiPath, headers: { "Content-Type": "application/json" }, body: "{}" }
                : { method, path: target.config.apiPath },
        ],
        expect: ([reply]) => expectMessage(reply, 404, MISSING_AUTHENTICATION_TOKEN),
    })),
    {
        name: "public GET",
        requests: (target) => [consoleCall(target, "public-get")],
        expect: ([reply]) => {
            const echo = expectJson(reply, 200);
            const query = Object.fromEntries(new URL(reply.sent.path, "http://query.invalid").searchParams);
            if (echo.httpMethod !== "GET" || !isDeepStrictEqual(echo.queryStringParameters ?? {}, query)) {
                fail(
                    `${answered(reply)}, echoed ${echo.httpMethod} with query ${JSON.stringify(echo.queryStringParameters)}`,
                );
            }
            if (echo.requestContext?.authorizer !== null) {
                fail(`${answered(reply)}, but an authorizer ran: ${JSON.stringify(echo.requestContext?.authorizer)}`);
            }
            return `${answered(reply)}, echoed by the API (resource ${echo.resource})`;
        },
    },
    {
        // What an IAM signature must cover is what API Gateway receives; the echo shows it, so this
        // checks the frontend config's signing block even when the IAM check cannot run.
        name: "signing target",
        requests: (target) => [consoleCall(target, "public-get")],
        expect: ([reply], target) => {
            const echo = expectJson(reply, 200);
            const { host } = target.config.signing;
            const path = signingPathFor(target.config, pathOnly(reply.sent.path));
            const seenHost = echoedHeader(echo, "host");
            const seenPath = echo.requestContext?.path;
            if (seenHost !== host || seenPath !== path) {
                fail(
                    `API Gateway received Host ${seenHost} and path ${seenPath}; the config signs ${host} and ${path}`,
                );
            }
            return `API Gateway received Host ${host} and path ${path}, as signing says`;
        },
    },
    {
        name: "public POST",
        requests: (target) => [consoleCall(target, "public-post")],
        expect: ([reply]) => {
            const echo = expectJson(reply, 200);
            if (echo.httpMethod !== "POST" || echo.body !== reply.sent.body) {
                fail(`${answered(reply)}, echoed ${echo.httpMethod} with body ${JSON.stringify(echo.body)}`);
            }
            return `${answered(reply)}, the body ${reply.sent.body} reached the function`;
        },
    },
    {
        name: "IAM signed",
        requests: (target) =>
            "notRun" in target.iam ? target.iam : [consoleCall(target, "iam", { credentials: target.iam.credentials })],
        expect: ([reply], target) => {
            const echo = expectJson(reply, 200);
            const { credentials, source } = target.iam as Exclude<CheckTarget["iam"], NotRun>;
            // $context.identity.accessKey: "The AWS access key associated with the request"
            // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
            const accessKey = echo.requestContext?.identity?.accessKey;
            if (accessKey !== credentials.accessKeyId) {
                fail(`${answered(reply)}, identity.accessKey is ${accessKey}, not the signing key (${source})`);
            }
            return `${answered(reply)}, signed with ${source}; identity.accessKey is the signing key`;
        },
    },
    {
        name: "API 404 stays JSON",
        // The IAM route unsigned: API Gateway's MISSING_AUTHENTICATION_TOKEN, which the API answers as 404.
        requests: (target) => [{ ...consoleCall(target, "iam"), headers: {} }],
        expect: ([reply]) => expectMessage(reply, 404, MISSING_AUTHENTICATION_TOKEN),
    },
    {
        name: "config.json",
        requests: () => [{ method: "GET", path: `/${CONFIG_KEY}` }],
        expect: ([reply], target) => {
            const config = expectJson(reply, 200);
            const problems = frontendConfigProblems(config);
            if (problems.length > 0) {
                fail(`${answered(reply)}, invalid fields: ${problems.join(", ")}`);
            }
            if (!isDeepStrictEqual(frontendConfigOf(config), frontendConfigOf(target.config))) {
                fail(
                    `${answered(reply)}: ${excerpt(reply.text)}, but the target's frontend config is ${JSON.stringify(target.config)}`,
                );
            }
            return `${answered(reply)}, the frontend config`;
        },
    },
];
