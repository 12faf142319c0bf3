/** What the console shows first about a call: what it sent, and what matters in the answer. */
import { isObject } from "../../core/frontend-config";
import type { ApiRequest, CallId } from "./calls";
import { shownHeaderValue } from "./headers";

/** A label and its value, one line of a summary. */
export type Fact = readonly [label: string, value: string];

/** What the console shows above the raw response. */
export interface ResponseSummary {
    /** An error response's `message` (API Gateway answers `{"message": "..."}`), shown prominently. */
    readonly message?: string;
    /** From an echo (functions/echo.ts): the request context the call is about, and the echoed body. */
    readonly facts: readonly Fact[];
}

/** The part of the echo's `requestContext` each call is about, and its fields to show (all when unset). */
const CONTEXT_SHOWN: Partial<
    Record<CallId, { readonly label: string; readonly key: string; readonly fields?: readonly string[] }>
> = {
    authorized: { label: "Authorizer context", key: "authorizer" },
    iam: { label: "IAM identity", key: "identity", fields: ["accessKey", "user", "userArn", "caller"] },
};

function parsedJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** `key: value` lines; `none` for a missing object. */
function recordLines(value: unknown, fields?: readonly string[]): string {
    if (!isObject(value)) {
        return "none";
    }
    return (fields ?? Object.keys(value))
        .map(
            (field) =>
                `${field}: ${typeof value[field] === "string" ? value[field] : JSON.stringify(value[field] ?? null)}`,
        )
        .join("\n");
}

/** Sums up a response: an error's message, or what matters in an echo; nothing for any other body. */
export function responseSummary(id: CallId, status: number, body: string): ResponseSummary {
    const json = parsedJson(body);
    if (!isObject(json)) {
        return { facts: [] };
    }
    if (status < 200 || status > 299) {
        return typeof json.message === "string" ? { message: json.message, facts: [] } : { facts: [] };
    }
    if (!isObject(json.requestContext)) {
        return { facts: [] };
    }
    const shown = CONTEXT_SHOWN[id];
    const context: Fact[] = shown ? [[shown.label, recordLines(json.requestContext[shown.key], shown.fields)]] : [];
    return { facts: [...context, ["Echoed body", typeof json.body === "string" ? json.body : "none"]] };
}

/** What a request sends: method and path, each header (secrets masked), the body. */
export function sentFacts(request: ApiRequest): Fact[] {
    return [
        ["Request", `${request.method} ${request.path}`],
        ...Object.entries(request.headers).map(([name, value]): Fact => [name, shownHeaderValue(name, value)]),
        ...(request.body === undefined ? [] : [["Body", request.body] as const]),
    ];
}
