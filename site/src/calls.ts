/** The console's API calls: which route each one hits and how its request is built. */
import type { ConsoleConfig } from "./config";
import { unsendableCharacters } from "./headers";
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

/** The form's input fields by element id, with the name a message gives each. */
export const FIELD_NAMES = {
    token: "token",
    "access-key-id": "access key id",
    "secret-access-key": "secret access key",
    "session-token": "session token",
} as const;

export type FieldId = keyof typeof FIELD_NAMES;

/** The fields each call reads: editing one after the call ran makes its result stale. */
export const CALL_FIELDS: Readonly<Record<CallId, readonly FieldId[]>> = {
    "public-get": [],
    "public-post": [],
    authorized: ["token"],
    iam: ["access-key-id", "secret-access-key", "session-token"],
};

/** An input the browser could not send, and why. */
export interface InputProblem {
    readonly field: FieldId;
    readonly message: string;
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

/** The inputs a call sends in a header value as they are (the secret key only feeds the signature). */
function headerInputs(id: CallId, inputs: CallInputs): ReadonlyArray<readonly [FieldId, string]> {
    switch (id) {
        case "authorized":
            return [["token", inputs.token]];
        case "iam":
            return [
                ["access-key-id", inputs.credentials.accessKeyId],
                ["session-token", inputs.credentials.sessionToken ?? ""],
            ];
        default:
            return [];
    }
}

/** The first input of the call that `fetch` would refuse to send (it throws a bare TypeError), if any. */
export function inputProblem(id: CallId, inputs: CallInputs): InputProblem | undefined {
    for (const [field, value] of headerInputs(id, inputs)) {
        const characters = unsendableCharacters(value);
        if (characters.length > 0) {
            return {
                field,
                message: `The ${FIELD_NAMES[field]} contains characters a browser cannot send in a header (only Latin-1, no NUL, CR or LF): ${characters.join(", ")}. Remove them.`,
            };
        }
    }
    return undefined;
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
