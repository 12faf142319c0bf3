import * as pulumi from "@pulumi/pulumi";
import type { FrontendAuth, TokenVerification } from "../core/auth";
import { apiScopes, ownScopes, type RouteTable } from "../core/routes";
import { COGNITO_SCOPE } from "../core/scopes";
import { CognitoSignIn } from "./cognito-sign-in";
import type { AuthConfig } from "./config";

/** What the authorizer verifies and what the SPA is told, for the configured provider. */
export interface SignIn {
    readonly verification: pulumi.Output<TokenVerification>;
    readonly frontend: pulumi.Output<FrontendAuth>;
    /** The Cognito user pool the program created (provider `cognito`). */
    readonly cognito?: CognitoSignIn;
}

/** The scopes the SPA asks for: `openid` and every scope the API uses (`apiScopes` in core/routes.ts). */
export function requestedScopes(used: readonly string[]): string[] {
    return ["openid", ...used.filter((scope) => scope !== "openid")];
}

/**
 * Refuses routes' own scopes the provider cannot provision: with Cognito a scope is
 * `<resource server>/<name>`. Called before any resource is declared; throws naming each route.
 */
export function checkRouteScopes(auth: AuthConfig, routes: RouteTable): void {
    if (auth.provider !== "cognito") {
        return;
    }
    const problems = routes.flatMap((route, i) => {
        const bad = ownScopes(route).filter((scope) => !COGNITO_SCOPE.test(scope));
        return bad.length === 0
            ? []
            : [
                  `route ${i} (${route.path}) requires ${bad.map((s) => JSON.stringify(s)).join(", ")}; with ` +
                      'auth.provider "cognito" a scope is "<resource server>/<scope>", e.g. "orders/read" ' +
                      "(Cognito provisions it on that resource server). Fix: rename the scope in the route table",
              ];
    });
    if (problems.length > 0) {
        throw new Error(`The route table's scopes do not suit Cognito:\n  - ${problems.join("\n  - ")}`);
    }
}

/**
 * Sets up sign-in for `auth`: a Cognito user pool for the SPA (provider `cognito`), an existing
 * OpenID Connect provider (`oidc`), or the demo tokens (`demo`). The routes' own scopes join
 * `auth.scopes` wherever scopes are provisioned or requested; the authorizer requires `auth.scopes`
 * of every token route and each route's own scopes on that route only.
 */
export function signIn(auth: AuthConfig, routes: RouteTable, siteUrl: pulumi.Input<string>, region: string): SignIn {
    switch (auth.provider) {
        case "demo":
            return { verification: pulumi.output({ provider: "demo" }), frontend: pulumi.output({ provider: "demo" }) };
        case "oidc":
            return {
                verification: pulumi.output({
                    provider: "oidc",
                    issuer: auth.issuer,
                    audience: auth.audience,
                    requiredScopes: auth.scopes,
                }),
                frontend: pulumi.output({
                    provider: "oidc",
                    authority: auth.issuer,
                    clientId: auth.clientId,
                    scopes: requestedScopes(apiScopes(auth.scopes, routes)),
                    ...(auth.logoutEndpoint === undefined ? {} : { logoutEndpoint: auth.logoutEndpoint }),
                }),
            };
        case "cognito": {
            const cognito = new CognitoSignIn("sign-in", {
                siteUrl,
                scopes: apiScopes(auth.scopes, routes),
                domainPrefix: auth.domainPrefix,
                region,
            });
            return {
                cognito,
                verification: pulumi.all([cognito.issuer, cognito.clientId]).apply(([issuer, clientId]) => ({
                    provider: "cognito" as const,
                    issuer,
                    audience: clientId,
                    requiredScopes: auth.scopes,
                })),
                frontend: pulumi
                    .all([cognito.issuer, cognito.clientId, cognito.logoutEndpoint])
                    .apply(([authority, clientId, logoutEndpoint]) => ({
                        provider: "cognito" as const,
                        authority,
                        clientId,
                        scopes: requestedScopes(apiScopes(auth.scopes, routes)),
                        logoutEndpoint,
                    })),
            };
        }
    }
}
