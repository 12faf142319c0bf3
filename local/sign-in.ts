/**
 * Sign-in in the local stack: which issuer the graph's authorizer trusts (read from its
 * environment, as Lambda hands it over), the SPA's client (from the uploaded config.json and, with
 * Cognito, the app client's callback URLs), and the config.json the console gets locally: pointed
 * at the stand-in issuer, with the local IAM credentials.
 */
import type { CapturedStack } from "../capture/capture";
import { resourcesOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { AUTHORIZER_ENV, verificationFromEnvironment } from "../core/auth";
import { CONFIG_KEY, type FrontendConfig } from "../core/frontend-config";
import type { LocalCredentials } from "../site/src/config";
import type { IssuerIdentity } from "./issuer";

/** The authorizer's environment: the one function configured with an auth provider. */
function authorizerVariables(graph: CapturedStack): Record<string, string> | undefined {
    return resourcesOfType(graph, TYPES.lambdaFunction)
        .map((fn) => fn.state.environment?.variables as Record<string, string> | undefined)
        .find((variables) => variables?.[AUTHORIZER_ENV.provider] !== undefined);
}

/** The runtime config the stack uploads (`config.json`). */
export function uploadedFrontendConfig(graph: CapturedStack): FrontendConfig | undefined {
    const object = resourcesOfType(graph, TYPES.bucketObject).find((o) => o.state.key === CONFIG_KEY);
    return typeof object?.state.content === "string" ? JSON.parse(object.state.content) : undefined;
}

/** Whether the authorizer reads its JWKS location from the environment: it verifies JWTs. */
export function isAuthorizerFunction(variables: Readonly<Record<string, string>> | undefined): boolean {
    const provider = variables?.[AUTHORIZER_ENV.provider];
    return provider === "cognito" || provider === "oidc";
}

/** What the stand-in issuer must stand for; undefined with the demo tokens (no issuer to stand in for). */
export function issuerIdentity(graph: CapturedStack): IssuerIdentity | undefined {
    const variables = authorizerVariables(graph);
    if (!isAuthorizerFunction(variables)) {
        return undefined;
    }
    const verification = verificationFromEnvironment(variables!);
    const auth = uploadedFrontendConfig(graph)?.auth;
    if (verification.provider === "demo" || auth === undefined || auth.provider === "demo") {
        throw new Error("The authorizer verifies JWTs but config.json names no sign-in client");
    }
    const redirectUris = resourcesOfType(graph, TYPES.userPoolClient).flatMap((client) => [
        ...(client.state.callbackUrls ?? []),
        ...(client.state.logoutUrls ?? []),
    ]);
    return {
        provider: verification.provider,
        issuer: verification.issuer,
        clientId: auth.clientId,
        audience: verification.audience,
        redirectUris,
    };
}

/**
 * config.json as the local console gets it: the local IAM credentials to prefill, and sign-in sent
 * to the stand-in issuer (its discovery document names the deployed issuer, so tokens still carry it).
 */
export function localFrontendConfig(
    config: FrontendConfig,
    credentials: LocalCredentials,
    issuerUrl: string | undefined,
): FrontendConfig & { local: LocalCredentials } {
    const auth =
        issuerUrl === undefined || config.auth.provider === "demo"
            ? config.auth
            : {
                  ...config.auth,
                  authority: issuerUrl,
                  ...(config.auth.logoutEndpoint === undefined ? {} : { logoutEndpoint: `${issuerUrl}/logout` }),
              };
    return { ...config, auth, local: credentials };
}
