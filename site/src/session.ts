/**
 * Sign-in for the console with oidc-client-ts: the authorization code flow with PKCE against the
 * stack's issuer (the Cognito user pool or the configured OIDC provider), tokens kept in
 * sessionStorage for this tab only. The authorized call sends the access token.
 */
import { type User, UserManager } from "oidc-client-ts";
import type { FrontendAuth } from "../../core/auth";

/** The providers that sign users in (not the demo tokens). */
export type SignInAuth = Exclude<FrontendAuth, { provider: "demo" }>;

/** Where the issuer sends the browser back: the console itself. */
export function returnUrl(origin: string): string {
    return `${origin}/`;
}

/** The client for this page: no silent renewal, no session monitoring (no hidden iframes). */
export function userManager(auth: SignInAuth, origin: string): UserManager {
    return new UserManager({
        authority: auth.authority,
        client_id: auth.clientId,
        redirect_uri: returnUrl(origin),
        post_logout_redirect_uri: returnUrl(origin),
        response_type: "code",
        scope: auth.scopes.join(" "),
        automaticSilentRenew: false,
        monitorSession: false,
        loadUserInfo: false,
        // An OIDC provider whose discovery document lists no end_session_endpoint: the configured one.
        ...(auth.provider === "oidc" && auth.logoutEndpoint !== undefined
            ? { metadataSeed: { end_session_endpoint: auth.logoutEndpoint } }
            : {}),
    });
}

/** Whether the page was opened by the issuer's redirect back, with a code to redeem. */
export function isSignInCallback(search: string): boolean {
    const params = new URLSearchParams(search);
    return params.has("state") && (params.has("code") || params.has("error"));
}

/** The user's name as the ID token gives it (Cognito: `cognito:username`; OIDC: `preferred_username`). */
export function displayName(user: User): string {
    const profile = user.profile as Record<string, unknown>;
    const name = [profile["cognito:username"], profile.preferred_username, profile.email, profile.sub].find(
        (v): v is string => typeof v === "string" && v !== "",
    );
    return name ?? "signed-in user";
}

/**
 * The signed-in user, after redeeming the code if the issuer just sent the browser back (the code
 * and state are then removed from the address bar). An expired session counts as signed out.
 */
export async function currentUser(manager: UserManager, location: Location, history: History): Promise<User | null> {
    if (isSignInCallback(location.search)) {
        try {
            return await manager.signinRedirectCallback();
        } finally {
            history.replaceState(null, "", location.pathname);
        }
    }
    const user = await manager.getUser();
    return user && !user.expired ? user : null;
}

/**
 * Signs out: forgets the tokens, then sends the browser to the issuer's sign-out. Cognito's
 * `/logout` takes `client_id` and `logout_uri` (Cognito Developer Guide, "Logout endpoint"), which
 * is not OIDC's RP-initiated logout, so it is called as Cognito documents it.
 */
export async function signOut(manager: UserManager, auth: SignInAuth, location: Location): Promise<void> {
    if (auth.provider !== "cognito" || auth.logoutEndpoint === undefined) {
        await manager.signoutRedirect();
        return;
    }
    await manager.removeUser();
    const url = new URL(auth.logoutEndpoint);
    url.searchParams.set("client_id", auth.clientId);
    url.searchParams.set("logout_uri", returnUrl(location.origin));
    location.assign(url.href);
}
