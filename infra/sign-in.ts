import * as pulumi from "@pulumi/pulumi";
import type { FrontendAuth, TokenVerification } from "../core/auth";
import { CognitoSignIn } from "./cognito-sign-in";
import type { AuthConfig } from "./config";

/** What the authorizer verifies and what the SPA is told, for the configured provider. */
export interface SignIn {
    readonly verification: pulumi.Output<TokenVerification>;
    readonly frontend: pulumi.Output<FrontendAuth>;
    /** The Cognito user pool the program created (provider `cognito`). */
    readonly cognito?: CognitoSignIn;
}

/** The scopes the SPA asks for: `openid` and every scope the API requires. */
export function requestedScopes(required: readonly string[]): string[] {
    return ["openid", ...required.filter((scope) => scope !== "openid")];
}

/**
 * Sets up sign-in for `auth`: a Cognito user pool for the SPA (provider `cognito`), an existing
 * OpenID Connect provider (`oidc`), or the demo tokens (`demo`).
 */
export function signIn(auth: AuthConfig, siteUrl: pulumi.Input<string>, region: string): SignIn {
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
                    scopes: requestedScopes(auth.scopes),
                    ...(auth.logoutEndpoint === undefined ? {} : { logoutEndpoint: auth.logoutEndpoint }),
                }),
            };
        case "cognito": {
            const cognito = new CognitoSignIn("sign-in", {
                siteUrl,
                scopes: auth.scopes,
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
                        scopes: requestedScopes(auth.scopes),
                        logoutEndpoint,
                    })),
            };
        }
    }
}
