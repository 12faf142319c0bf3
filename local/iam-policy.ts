/**
 * IAM policy evaluation, as far as the local stack needs it: a Lambda authorizer's policy against
 * a method ARN, and a bucket policy against CloudFront's read of an object. Explicit Deny wins,
 * then any Allow, else the implicit deny. Source: IAM User Guide, "Policy evaluation logic"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html) and
 * "IAM JSON policy elements" (Action, Resource, Principal, Condition).
 */

/** What a request asks for, in the terms a policy matches. */
export interface PolicyRequest {
    readonly action: string;
    readonly resource: string;
    /** The caller, for resource-based policies: a service principal or an AWS principal ARN. */
    readonly principal?: { readonly service?: string; readonly aws?: string };
    /** Global condition keys (`aws:SourceArn`, ...), matched case-insensitively by name. */
    readonly context?: Readonly<Record<string, string>>;
}

export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

const list = (value: unknown): string[] =>
    value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/**
 * IAM wildcard matching: `*` any run of characters (`/` and `:` included), `?` one character.
 * Source: "IAM JSON policy elements: Resource" (reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
 */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = false): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, caseInsensitive ? "i" : "").test(value);
}

/** Action names are case-insensitive (`execute-api:Invoke` = `execute-api:invoke`). */
function actionMatches(patterns: string[], action: string): boolean {
    return patterns.some((p) => wildcardMatches(p, action, true));
}

function resourceMatches(patterns: string[], resource: string): boolean {
    return patterns.some((p) => wildcardMatches(p, resource));
}

function principalMatches(principal: unknown, caller: PolicyRequest["principal"]): boolean {
    if (principal === undefined) {
        // An identity-based policy (an authorizer's output) has no Principal: it is the caller's own.
        return true;
    }
    if (principal === "*") {
        return true;
    }
    const p = principal as Record<string, unknown>;
    return (
        list(p.AWS).some((a) => a === "*" || a === caller?.aws) ||
        (caller?.service !== undefined && list(p.Service).includes(caller.service))
    );
}

/** Condition operators with their matching rule; an operator not listed makes the statement not apply. */
const CONDITION_OPERATORS: Readonly<Record<string, (expected: string, actual: string) => boolean>> = {
    StringEquals: (e, a) => e === a,
    StringNotEquals: (e, a) => e !== a,
    StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
    StringLike: (e, a) => wildcardMatches(e, a),
    StringNotLike: (e, a) => !wildcardMatches(e, a),
    ArnEquals: (e, a) => e === a,
    ArnLike: (e, a) => wildcardMatches(e, a),
    ArnNotEquals: (e, a) => e !== a,
    ArnNotLike: (e, a) => !wildcardMatches(e, a),
    // Boolean values compare as the strings "true" and "false", case-insensitively
    // (reference_policies_elements_condition_operators.html#Conditions_Boolean).
    Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
};

function conditionsHold(condition: unknown, context: Readonly<Record<string, string>> = {}): boolean {
    if (condition === undefined) {
        return true;
    }
    const lowerContext = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
    return Object.entries(condition as Record<string, Record<string, unknown>>).every(([operator, keys]) => {
        const test = CONDITION_OPERATORS[operator];
        if (!test) {
            return false;
        }
        return Object.entries(keys).every(([key, expected]) => {
            const actual = lowerContext.get(key.toLowerCase());
            if (actual === undefined) {
                // A key absent from the request matches only negated operators
                // (reference_policies_elements_condition_operators.html).
                return operator.includes("Not");
            }
            return operator.includes("Not")
                ? list(expected).every((e) => test(e, actual))
                : list(expected).some((e) => test(e, actual));
        });
    });
}

function statementApplies(statement: Record<string, unknown>, request: PolicyRequest): boolean {
    const actionOk =
        statement.NotAction !== undefined
            ? !actionMatches(list(statement.NotAction), request.action)
            : actionMatches(list(statement.Action), request.action);
    const resourceOk =
        statement.NotResource !== undefined
            ? !resourceMatches(list(statement.NotResource), request.resource)
            : resourceMatches(list(statement.Resource), request.resource);
    return (
        actionOk &&
        resourceOk &&
        principalMatches(statement.Principal, request.principal) &&
        conditionsHold(statement.Condition, request.context)
    );
}

/** Evaluates one policy document (parsed JSON) for a request. */
export function evaluatePolicy(document: unknown, request: PolicyRequest): PolicyDecision {
    const statements = (document as { Statement?: unknown } | null)?.Statement;
    const all = (Array.isArray(statements) ? statements : statements === undefined ? [] : [statements]) as Record<
        string,
        unknown
    >[];
    const applying = all.filter((s) => s !== null && typeof s === "object" && statementApplies(s, request));
    if (applying.some((s) => s.Effect === "Deny")) {
        return "explicit-deny";
    }
    return applying.some((s) => s.Effect === "Allow") ? "allow" : "implicit-deny";
}
