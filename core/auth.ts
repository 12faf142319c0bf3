/**
 * Sign-in and token verification: the providers, what the TOKEN authorizer verifies (handed to it
 * as its environment, the way Lambda passes configuration), and what the SPA is told. Pure: the
 * program, the authorizer's bundle, the local issuer, the policy pack and the SPA share it.
 */
import { HTTP_METHODS, type RouteScopes } from "./routes";

/**
 * The provider of the fixed tokens `allow` / `deny`, for local demos and tests only: the authorizer's
 * environment names it, and the policy pack refuses a function whose environment does.
 */
export const DEMO_PROVIDER = "demo";

/**
 * `cognito`: a user pool the program creates. `oidc`: an existing OpenID Connect provider.
 * `demo` ({@link DEMO_PROVIDER}): the fixed tokens.
 */
export const AUTH_PROVIDERS = ["cognito", "oidc", DEMO_PROVIDER] as const;
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];

/** What the authorizer checks a bearer token against. */
export type TokenVerification =
    | { readonly provider: "demo" }
    | {
          readonly provider: "cognito" | "oidc";
          /** The expected `iss`, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdE`. */
          readonly issuer: string;
          /**
           * cognito: the app client id, checked against an access token's `client_id` (access
           * tokens carry no `aud`). oidc: the expected `aud`.
           */
          readonly audience: string;
          /** Every one of these must be in the token's `scope`; none by default. */
          readonly requiredScopes: readonly string[];
          /**
           * Where the signing keys are fetched. Default `${issuer}/.well-known/jwks.json`; the
           * local stack points it at its stand-in issuer.
           */
          readonly jwksUri?: string;
      };

/** The authorizer's environment variables, spelled once. */
export const AUTHORIZER_ENV = {
    provider: "AUTH_PROVIDER",
    issuer: "AUTH_ISSUER",
    audience: "AUTH_AUDIENCE",
    requiredScopes: "AUTH_REQUIRED_SCOPES",
    jwksUri: "AUTH_JWKS_URI",
    /** The scoped token routes ({@link RouteScopes}) as compact JSON; absent when no route declares scopes. */
    routeScopes: "AUTH_ROUTE_SCOPES",
} as const;

/** The variable telling the authorizer each scoped route's scopes; none when no route declares any. */
export function routeScopesEnvironment(routeScopes: readonly RouteScopes[]): Record<string, string> {
    return routeScopes.length === 0 ? {} : { [AUTHORIZER_ENV.routeScopes]: JSON.stringify(routeScopes) };
}

/** The environment that configures the authorizer for a verification and the routes' own scopes. */
export function authorizerEnvironment(
    verification: TokenVerification,
    routeScopes: readonly RouteScopes[] = [],
): Record<string, string> {
    if (verification.provider === DEMO_PROVIDER) {
        return { [AUTHORIZER_ENV.provider]: DEMO_PROVIDER, ...routeScopesEnvironment(routeScopes) };
    }
    return {
        ...routeScopesEnvironment(routeScopes),
        [AUTHORIZER_ENV.provider]: verification.provider,
        [AUTHORIZER_ENV.issuer]: verification.issuer,
        [AUTHORIZER_ENV.audience]: verification.audience,
        [AUTHORIZER_ENV.requiredScopes]: verification.requiredScopes.join(" "),
        ...(verification.jwksUri === undefined ? {} : { [AUTHORIZER_ENV.jwksUri]: verification.jwksUri }),
    };
}

/** Reads the verification back from an environment; throws naming the variable that is missing or wrong. */
export function verificationFromEnvironment(env: Readonly<Record<string, string | undefined>>): TokenVerification {
    const provider = env[AUTHORIZER_ENV.provider];
    if (provider === DEMO_PROVIDER) {
        return { provider };
    }
    if (provider !== "cognito" && provider !== "oidc") {
        throw new Error(
            `${AUTHORIZER_ENV.provider} is ${JSON.stringify(provider)}; expected one of ${AUTH_PROVIDERS.join(", ")}`,
        );
    }
    const required = (name: string) => {
        const value = env[name];
        if (value === undefined || value === "") {
            throw new Error(`${name} is not set; the ${provider} authorizer needs it`);
        }
        return value;
    };
    const jwksUri = env[AUTHORIZER_ENV.jwksUri];
    return {
        provider,
        issuer: required(AUTHORIZER_ENV.issuer),
        audience: required(AUTHORIZER_ENV.audience),
        // Written space-separated, as a scope claim is.
        requiredScopes: scopesOf(env[AUTHORIZER_ENV.requiredScopes]),
        ...(jwksUri === undefined || jwksUri === "" ? {} : { jwksUri }),
    };
}

/**
 * Reads the scoped routes back from an environment (none when the variable is absent); throws
 * naming the variable when it is not a JSON list of `{ methods, path, scopes }`.
 */
export function routeScopesFromEnvironment(env: Readonly<Record<string, string | undefined>>): RouteScopes[] {
    const name = AUTHORIZER_ENV.routeScopes;
    const text = env[name];
    if (text === undefined || text === "") {
        return [];
    }
    const expected = `expected a JSON list of { "methods": "ANY" or [${HTTP_METHODS.map((m) => `"${m}"`).join(", ")}], "path": "/api/...", "scopes": ["..."] }`;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new Error(`${name} is not JSON (${(error as Error).message}): ${JSON.stringify(text)}; ${expected}`);
    }
    if (!Array.isArray(value)) {
        throw new Error(`${name} is ${JSON.stringify(value)}; ${expected}`);
    }
    return value.map((entry: unknown, i) => {
        const e = (entry ?? {}) as Record<string, unknown>;
        const methodsOk =
            e.methods === "ANY" ||
            (Array.isArray(e.methods) &&
                e.methods.length > 0 &&
                e.methods.every((m) => (HTTP_METHODS as readonly unknown[]).includes(m)));
        const pathOk = typeof e.path === "string" && e.path.startsWith("/");
        const scopesOk =
            Array.isArray(e.scopes) && e.scopes.length > 0 && e.scopes.every((s) => typeof s === "string" && s !== "");
        if (typeof entry !== "object" || entry === null || !methodsOk || !pathOk || !scopesOk) {
            throw new Error(`${name}: entry ${i} is ${JSON.stringify(entry)}; ${expected}`);
        }
        return e as unknown as RouteScopes;
    });
}

/** The issuer URL of a Cognito user pool (Cognito Developer Guide, "Verifying a JSON Web Token"). */
export function cognitoIssuer(region: string, userPoolId: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** The scopes of a token's `scope` claim (space-separated, RFC 6749 section 3.3). */
export function scopesOf(scopeClaim: unknown): string[] {
    return typeof scopeClaim === "string" ? scopeClaim.split(" ").filter((s) => s !== "") : [];
}

/** The required scopes a token lacks. */
export function missingScopes(tokenScopes: readonly string[], required: readonly string[]): string[] {
    return required.filter((scope) => !tokenScopes.includes(scope));
}

/** What the SPA is told about sign-in (nothing secret). */
export type FrontendAuth =
    | { readonly provider: "demo" }
    | {
          readonly provider: "cognito" | "oidc";
          /** The OpenID Connect issuer whose discovery document the SPA reads. */
          readonly authority: string;
          /** The SPA's public client id. */
          readonly clientId: string;
          /** What the SPA asks for: `openid` plus the scopes the API requires. */
          readonly scopes: readonly string[];
          /**
           * Cognito's hosted sign-out (`https://<domain>/logout`), which its discovery document
           * does not list; an OIDC provider's is its discovery document's `end_session_endpoint`.
           */
          readonly logoutEndpoint?: string;
      };
