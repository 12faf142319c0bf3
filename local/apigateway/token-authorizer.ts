/**
 * TOKEN Lambda authorizers: read the identity header, call the authorizer (or reuse its cached
 * result for the token), check its output and evaluate its policy against the method ARN.
 * Sources: "Input to an API Gateway Lambda authorizer" and "Output from an API Gateway Lambda
 * authorizer" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html)
 * and "Configure an API Gateway Lambda authorizer" for the result cache
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html).
 */
import { HeaderList, headerValue } from "../http";
import { evaluatePolicy } from "../iam-policy";
import type { InvocationResult } from "../lambda-runtime";
import type { GatewayError } from "./gateway-responses";
import type { TokenAuthorizerDefinition } from "./openapi";

/** A valid authorizer output. */
interface AuthorizerOutput {
    readonly principalId: string;
    readonly policyDocument: unknown;
    readonly context: Readonly<Record<string, string | number | boolean>>;
}

export type AuthorizerOutcome =
    | { readonly ok: true; readonly authorizer: Readonly<Record<string, string | number>> }
    | { readonly ok: false; readonly error: GatewayError };

const UNAUTHORIZED: GatewayError = { type: "UNAUTHORIZED", message: "Unauthorized" };
// A function error or a malformed output is AuthorizerConfigurationException, 500 `{"message":null}`.
const CONFIGURATION_ERROR: GatewayError = { type: "AUTHORIZER_CONFIGURATION_ERROR", message: null };

/** The output if it is one API Gateway accepts, else undefined. */
export function validAuthorizerOutput(value: unknown): AuthorizerOutput | undefined {
    if (value === null || typeof value !== "object") {
        return undefined;
    }
    const v = value as Record<string, unknown>;
    const document = v.policyDocument as { Statement?: unknown } | undefined;
    const principalOk =
        (typeof v.principalId === "string" && v.principalId !== "") || typeof v.principalId === "number";
    if (!principalOk || document === null || typeof document !== "object" || document.Statement === undefined) {
        return undefined;
    }
    const context = (v.context ?? {}) as Record<string, unknown>;
    // Context values must be strings, numbers or booleans: objects and arrays are refused.
    if (typeof context !== "object" || Object.values(context).some((c) => c !== null && typeof c === "object")) {
        return undefined;
    }
    return {
        principalId: String(v.principalId),
        policyDocument: document,
        context: context as AuthorizerOutput["context"],
    };
}

/**
 * `requestContext.authorizer` of an allowed request: principalId, the integration latency and the
 * context, whose values a REST API passes to the integration as strings.
 */
function requestContextAuthorizer(output: AuthorizerOutput, latencyMs: number): Record<string, string | number> {
    const context = Object.fromEntries(Object.entries(output.context).map(([k, v]) => [k, String(v)]));
    return { ...context, principalId: output.principalId, integrationLatency: latencyMs };
}

/** The TOKEN authorizers of one API, with their result cache. */
export class TokenAuthorizers {
    private readonly cache = new Map<string, { output: AuthorizerOutput; expires: number }>();

    constructor(
        private readonly invoke: (definition: TokenAuthorizerDefinition, event: unknown) => Promise<InvocationResult>,
        private readonly now: () => number = Date.now,
    ) {}

    /** Authorizes a request for `methodArn` (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`). */
    async authorize(
        definition: TokenAuthorizerDefinition,
        headers: HeaderList,
        methodArn: string,
    ): Promise<AuthorizerOutcome> {
        const token = headerValue(headers, definition.header);
        // A missing or non-matching token is refused without calling the authorizer.
        if (token === undefined || token === "") {
            return { ok: false, error: UNAUTHORIZED };
        }
        if (
            definition.validationExpression !== undefined &&
            !new RegExp(`^(?:${definition.validationExpression})$`).test(token)
        ) {
            return { ok: false, error: UNAUTHORIZED };
        }
        const key = `${definition.name}\n${token}`;
        const cached = definition.ttlSeconds > 0 ? this.cache.get(key) : undefined;
        let output: AuthorizerOutput;
        let latencyMs = 0;
        if (cached && cached.expires > this.now()) {
            output = cached.output;
        } else {
            const started = this.now();
            const result = await this.invoke(definition, { type: "TOKEN", authorizationToken: token, methodArn });
            latencyMs = this.now() - started;
            if (!result.ok) {
                return {
                    ok: false,
                    error: result.errorMessage === "Unauthorized" ? UNAUTHORIZED : CONFIGURATION_ERROR,
                };
            }
            const valid = validAuthorizerOutput(result.value);
            if (!valid) {
                return { ok: false, error: CONFIGURATION_ERROR };
            }
            output = valid;
            if (definition.ttlSeconds > 0) {
                this.cache.set(key, { output, expires: this.now() + definition.ttlSeconds * 1000 });
            }
        }
        // The policy, cached or fresh, is evaluated against this request's method ARN.
        switch (evaluatePolicy(output.policyDocument, { action: "execute-api:Invoke", resource: methodArn })) {
            case "allow":
                return { ok: true, authorizer: requestContextAuthorizer(output, latencyMs) };
            case "explicit-deny":
                return {
                    ok: false,
                    error: {
                        type: "ACCESS_DENIED",
                        message: "User is not authorized to access this resource with an explicit deny",
                    },
                };
            default:
                return {
                    ok: false,
                    error: { type: "ACCESS_DENIED", message: "User is not authorized to access this resource" },
                };
        }
    }
}
