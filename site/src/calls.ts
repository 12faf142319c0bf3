/** The console's API calls: which route each one hits and how its request is built. */
import type { ConsoleConfig } from "./config";
import { type Credentials, signRequest } from "./sign";

/** A call's id; also the suffix of its button (`#run-<id>`) and result (`#result-<id>`) elements. */
export type CallId = "public-get" | "public-post" | "authorized" | "iam";

/** What the console sends: a same-origin path and the headers and body to send with it. */
export interface ApiRequest {
    readonly method: "GET" | "POST";
    /** Relative to the page's origin, `apiPath` included. */
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string;
}

/** What the user typed in the form. */
export interface CallInputs {
    /** The token for the authorizer-protected route. */
    readonly token: string;
    readonly credentials: Credentials;
}

const ROUTES: Readonly<Record<CallId, { readonly method: ApiRequest["method"]; readonly route: string }>> = {
    "public-get": { method: "GET", route: "/hello?from=console" },
    "public-post": { method: "POST", route: "/echo" },
    authorized: { method: "GET", route: "/authorized/profile" },
    iam: { method: "GET", route: "/iam/whoami?x=1" },
};

/** Every call, in the order "Run all" runs them. */
export const CALL_IDS: readonly CallId[] = ["public-get", "public-post", "authorized", "iam"];

/** The call's method and same-origin path, e.g. "GET /api/hello?from=console". */
export function describeCall(config: ConsoleConfig, id: CallId): string {
    return `${ROUTES[id].method} ${config.apiPath}${ROUTES[id].route}`;
}

/** Builds the request for a call; the IAM call is signed at `date`, so build it right before sending. */
export function requestFor(id: CallId, config: ConsoleConfig, inputs: CallInputs, date: Date = new Date()): ApiRequest {
    const { method, route } = ROUTES[id];
    const path = `${config.apiPath}${route}`;
    switch (id) {
        case "public-get":
            return { method, path, headers: {} };
        case "public-post":
            return {
                method,
                path,
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ hello: "world" }),
            };
        case "authorized":
            // No header at all for an empty field: the authorizer then answers 401, as for a bad token.
            return { method, path, headers: inputs.token === "" ? {} : { Authorization: inputs.token } };
        case "iam":
            return { method, path, headers: signRequest(config, method, path, inputs.credentials, date) };
    }
}
