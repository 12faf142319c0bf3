import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import {
    missingScopes,
    routeScopesFromEnvironment,
    scopesOf,
    type TokenVerification,
    verificationFromEnvironment,
} from "../core/auth";
import { arnMethods, arnPathPattern, type RouteScopes, scopesRequiredFor } from "../core/routes";

/**
 * The TOKEN authorizer. With `cognito` or `oidc` it verifies `Authorization: Bearer <JWT>` with
 * aws-jwt-verify: the signature against the issuer's JWKS (fetched once per execution
 * environment, then cached), `iss`, the audience (Cognito: `client_id` and `token_use: access`),
 * expiry, and the algorithm (`alg: none` and unknown algorithms are refused). A token that lacks a
 * required scope gets an explicit Deny (403); anything else that fails is Unauthorized (401), never
 * a 500: API Gateway turns every other thrown error into one. With `demo` it keeps the seed's fixed
 * tokens: `allow` -> Allow, `deny` -> Deny, anything else -> 401. A route's own scopes (the route
 * table's `token.scopes`) are checked too: a token without them gets an explicit Deny for that
 * route. What to verify and each scoped route come from the function's environment (core/auth.ts),
 * whether results are cached is compiled in.
 */

/** API Gateway turns exactly this error message into a 401. */
const UNAUTHORIZED = "Unauthorized";

/** The demo provider's Allow: its identity in `requestContext.authorizer`. */
export const DEMO_IDENTITY = { sub: "demo-user", username: "demo-user", scope: "console" } as const;

// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resourcePath}
const METHOD_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[^/]+)\/([A-Z]+)\/(.*)$/;

/** What a method ARN names: the stage's ARN, the request's method and its path (base path included). */
export interface MethodTarget {
    /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`. */
    readonly stageArn: string;
    readonly method: string;
    /** `/api/orders/42`. */
    readonly path: string;
}

/** Reads a method ARN; a malformed one is Unauthorized, never a 500. */
export function methodTarget(methodArn: string): MethodTarget {
    const match = METHOD_ARN.exec(methodArn);
    if (!match) {
        throw new Error(UNAUTHORIZED);
    }
    return { stageArn: match[1], method: match[2], path: `/${match[3]}` };
}

/**
 * The policy's resource. Without result caching it is the method ARN of this request. With
 * caching, API Gateway reuses the decision for the same token on every other route, so a policy
 * for one method ARN would deny the next route: the resource is then the whole stage.
 * A malformed method ARN is Unauthorized, never a 500.
 */
export function policyResource(methodArn: string, cachesResults: boolean): string {
    const { stageArn } = methodTarget(methodArn);
    return cachesResults ? `${stageArn}/*/*` : methodArn;
}

type Statement = { Action: string; Effect: "Allow" | "Deny"; Resource: string };

const statement = (effect: "Allow" | "Deny", resource: string): Statement => ({
    Action: "execute-api:Invoke",
    Effect: effect,
    Resource: resource,
});

function policy(principalId: string, statements: readonly Statement[]): APIGatewayAuthorizerResult {
    return { principalId, policyDocument: { Version: "2012-10-17", Statement: [...statements] } };
}

/**
 * For a cached decision: a Deny for each method and ARN pattern of every scoped route whose scopes
 * the token lacks (`{param}` and `{proxy+}` become `*`). API Gateway evaluates the cached policy
 * against each later request's method ARN, and an explicit Deny wins over the stage-wide Allow (IAM
 * User Guide, "Policy evaluation logic",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html; the
 * authorizer's policy: "Output from an API Gateway Lambda authorizer",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
 * `*` crosses `/`, so a pattern may cover other routes: core/routes.ts refuses a table where it
 * would cover a token route that does not require the same scopes.
 */
export function routeDenials(
    stageArn: string,
    routeScopes: readonly RouteScopes[],
    tokenScopes: readonly string[],
): Statement[] {
    return routeScopes
        .filter((route) => missingScopes(tokenScopes, route.scopes).length > 0)
        .flatMap((route) =>
            arnMethods(route.methods).map((method) =>
                statement("Deny", `${stageArn}/${method}/${arnPathPattern(route.path)}`),
            ),
        );
}

/** Reads the token, accepting the `Bearer ` scheme prefix. */
export function tokenOf(event: Partial<APIGatewayTokenAuthorizerEvent> | null | undefined): string {
    const raw = event && typeof event.authorizationToken === "string" ? event.authorizationToken.trim() : "";
    return raw.replace(/^Bearer\s+/i, "");
}

/** How long a JWKS download may take before the token counts as unverifiable. */
const JWKS_TIMEOUT_MS = 3000;

/**
 * Downloads a JWKS with the runtime's fetch. aws-jwt-verify's own fetcher speaks HTTPS only; this
 * one also reaches the local stack's stand-in issuer (plain HTTP on localhost), so the deployed
 * bundle runs unchanged there.
 */
export const jwksFetcher: Fetcher = {
    async fetch(uri: string): Promise<ArrayBuffer> {
        const response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
        if (!response.ok) {
            throw new Error(`JWKS ${uri} answered ${response.status}`);
        }
        return response.arrayBuffer();
    },
};

/** Who the token speaks for, as `requestContext.authorizer` shows it. */
export interface Identity {
    readonly sub: string;
    readonly username: string;
    readonly scope: string;
}

/** The outcome of checking a token: who it is, or why it is refused. */
export type TokenCheck =
    | { readonly kind: "allow"; readonly identity: Identity }
    | { readonly kind: "deny"; readonly identity: Identity; readonly reason: string }
    | { readonly kind: "unauthorized"; readonly reason: string };

function identityOf(payload: JwtPayload): Identity {
    const sub = typeof payload.sub === "string" ? payload.sub : "";
    const username = [payload.username, payload.preferred_username, payload.email, sub].find(
        (v): v is string => typeof v === "string" && v !== "",
    );
    return { sub, username: username ?? "", scope: scopesOf(payload.scope).join(" ") };
}

/** A checker for bearer tokens, built once per execution environment (its JWKS cache lives with it). */
export function createTokenChecker(verification: TokenVerification): (token: string) => Promise<TokenCheck> {
    if (verification.provider === "demo") {
        return async (token) => {
            switch (token) {
                case "allow":
                    return { kind: "allow", identity: DEMO_IDENTITY };
                case "deny":
                    return {
                        kind: "deny",
                        identity: { ...DEMO_IDENTITY, sub: "denied-user" },
                        reason: "demo token deny",
                    };
                default:
                    return { kind: "unauthorized", reason: "not a demo token" };
            }
        };
    }
    const cognito = verification.provider === "cognito";
    const verifier = JwtVerifier.create(
        {
            issuer: verification.issuer,
            ...(verification.jwksUri === undefined ? {} : { jwksUri: verification.jwksUri }),
            // Cognito access tokens carry no `aud`: their client_id and token_use are checked instead.
            audience: cognito ? null : verification.audience,
            ...(cognito
                ? {
                      customJwtCheck: ({ payload }: { payload: JwtPayload }) =>
                          validateCognitoJwtFields(payload, { tokenUse: "access", clientId: verification.audience }),
                  }
                : {}),
        },
        { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
    );
    return async (token) => {
        let payload: JwtPayload;
        try {
            payload = await verifier.verify(token);
        } catch (error) {
            return { kind: "unauthorized", reason: `${(error as Error).name}: ${(error as Error).message}` };
        }
        const identity = identityOf(payload);
        const missing = missingScopes(scopesOf(payload.scope), verification.requiredScopes);
        return missing.length > 0
            ? { kind: "deny", identity, reason: `missing scope ${missing.join(", ")}` }
            : { kind: "allow", identity };
    };
}

/**
 * Builds the handler. Whether API Gateway caches results is compiled into the bundle (see
 * infra/token-authorizer.ts): the decision's scope depends on it. What to verify and the scoped
 * routes are read from the environment once, when the execution environment starts.
 */
export function createTokenAuthorizer(
    options: { readonly cachesResults: boolean },
    verification: TokenVerification = verificationFromEnvironment(process.env),
    routeScopes: readonly RouteScopes[] = routeScopesFromEnvironment(process.env),
) {
    const check = createTokenChecker(verification);
    return async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
        const methodArn = event && typeof event.methodArn === "string" ? event.methodArn : "";
        const outcome = await check(tokenOf(event));
        if (outcome.kind === "unauthorized") {
            // The reason helps an operator; the token itself is never logged.
            console.log(JSON.stringify({ decision: "unauthorized", reason: outcome.reason }));
            throw new Error(UNAUTHORIZED);
        }
        const target = methodTarget(methodArn);
        const resource = policyResource(methodArn, options.cachesResults);
        const deny = (reason: string) => {
            console.log(JSON.stringify({ decision: "deny", sub: outcome.identity.sub, reason }));
            return policy(outcome.identity.sub || "anonymous", [statement("Deny", resource)]);
        };
        if (outcome.kind === "deny") {
            return deny(outcome.reason);
        }
        const tokenScopes = scopesOf(outcome.identity.scope);
        if (options.cachesResults) {
            // One policy for every route the token calls until it expires from the cache.
            const denials = routeDenials(target.stageArn, routeScopes, tokenScopes);
            return {
                ...policy(outcome.identity.sub, [statement("Allow", resource), ...denials]),
                context: { ...outcome.identity },
            };
        }
        const missing = missingScopes(tokenScopes, scopesRequiredFor(routeScopes, target.method, target.path));
        if (missing.length > 0) {
            return deny(`missing scope ${missing.join(", ")} for ${target.method} ${target.path}`);
        }
        return { ...policy(outcome.identity.sub, [statement("Allow", resource)]), context: { ...outcome.identity } };
    };
}
