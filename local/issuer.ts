/**
 * A stand-in for the stack's OpenID Connect issuer (the Cognito user pool, or the OIDC provider
 * `auth` names), served by `npm start` on PORT+2: discovery, JWKS, an authorize endpoint with a
 * sign-in page (any user name), a token endpoint that checks PKCE, sign-out, and a local-only
 * shortcut that mints tokens for scripts and tests. Its keys are made at start with jose. Tokens
 * carry the issuer, client id and claims the deployed stack would see, so the deployed authorizer
 * bundle verifies them unchanged once its JWKS location points here.
 *
 * Sources: OpenID Connect Discovery 1.0, RFC 6749 (authorization code grant), RFC 7636 (PKCE,
 * S256), and the Cognito Developer Guide ("Understanding user pool JSON web tokens": access tokens
 * carry `client_id`, `token_use: access`, `scope`, `username`, no `aud`; "Logout endpoint":
 * `/logout?client_id=...&logout_uri=...`).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** What the issuer stands in for. */
export interface IssuerIdentity {
    readonly provider: "cognito" | "oidc";
    /** The `iss` the deployed stack's tokens carry. */
    readonly issuer: string;
    /** The SPA's client id. */
    readonly clientId: string;
    /** oidc: the access tokens' `aud`. Cognito access tokens carry `client_id` instead. */
    readonly audience: string;
    /** Redirect (and sign-out) targets the client accepts, besides the local site. */
    readonly redirectUris: readonly string[];
}

/** Tokens as the token endpoint and the shortcut return them. */
export interface IssuedTokens {
    readonly access_token: string;
    readonly id_token: string;
    readonly token_type: "Bearer";
    readonly expires_in: number;
}

/** A token request the shortcut serves: who, with which scopes, for how long. */
export interface TokenRequest {
    readonly sub: string;
    readonly username?: string;
    readonly scope?: string;
    /** Seconds until expiry; zero or negative mints an already expired token (for tests). */
    readonly expiresIn?: number;
    readonly nonce?: string;
    /** Claims put over the access token's own (not reachable over HTTP: tests forge wrong tokens with it). */
    readonly accessClaims?: Readonly<Record<string, unknown>>;
}

/** Lifetime of the tokens the authorize flow issues (Cognito's default access token validity is 1 h). */
const TOKEN_LIFETIME_S = 3600;
/** An authorization code is good for this long, once (RFC 6749 section 4.1.2 recommends 10 minutes at most). */
const CODE_LIFETIME_MS = 5 * 60 * 1000;
/** The local-only shortcut's path. */
export const LOCAL_TOKEN_PATH = "/_local/token";

interface PendingCode {
    readonly redirectUri: string;
    readonly codeChallenge: string;
    readonly request: TokenRequest;
    readonly expires: number;
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The S256 code challenge of a verifier (RFC 7636 section 4.2). */
export function s256(verifier: string): string {
    return createHash("sha256").update(verifier).digest("base64url");
}

export class LocalIssuer {
    private readonly codes = new Map<string, PendingCode>();
    private server?: http.Server;
    /** Where this issuer listens, e.g. `http://localhost:8082`. */
    url = "";

    private constructor(
        private readonly identity: IssuerIdentity,
        private readonly keyId: string,
        private readonly privateKey: CryptoKey,
        private readonly publicJwk: JWK,
        /** The local site, always an accepted redirect target. */
        private readonly siteUrl: () => string,
    ) {}

    /** Makes a signing key and starts listening. */
    static async start(
        identity: IssuerIdentity,
        options: { readonly port: number; readonly host: string; readonly siteUrl: () => string },
    ): Promise<LocalIssuer> {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const keyId = randomBytes(8).toString("hex");
        const publicJwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: "RS256", use: "sig" };
        const issuer = new LocalIssuer(identity, keyId, privateKey, publicJwk, options.siteUrl);
        await issuer.listen(options.port, options.host);
        return issuer;
    }

    private listen(port: number, host: string): Promise<void> {
        const server = http.createServer((req, res) => {
            this.handle(req, res).catch((error: unknown) => {
                res.writeHead(500, { "Content-Type": "text/plain" }).end(
                    `local issuer error: ${(error as Error).message}\n`,
                );
            });
        });
        this.server = server;
        return new Promise((resolve, reject) => {
            server.once("error", (error: NodeJS.ErrnoException) =>
                reject(
                    error.code === "EADDRINUSE"
                        ? new Error(
                              `Port ${port} (the local issuer, PORT+2) is already in use: pick other ports, e.g. PORT=${port + 8} npm start`,
                          )
                        : error,
                ),
            );
            server.listen(port, host, () => {
                this.url = `http://localhost:${(server.address() as AddressInfo).port}`;
                resolve();
            });
        });
    }

    close(): Promise<void> {
        return new Promise((resolve) => {
            if (!this.server) {
                resolve();
                return;
            }
            this.server.close(() => resolve());
            this.server.closeAllConnections();
        });
    }

    /** The discovery document: the deployed issuer's name, this stand-in's endpoints. */
    discovery(): Record<string, unknown> {
        return {
            issuer: this.identity.issuer,
            authorization_endpoint: `${this.url}/authorize`,
            token_endpoint: `${this.url}/token`,
            jwks_uri: `${this.url}/.well-known/jwks.json`,
            // Cognito's discovery document has no end_session_endpoint: its /logout is configured apart.
            ...(this.identity.provider === "oidc" ? { end_session_endpoint: `${this.url}/logout` } : {}),
            response_types_supported: ["code"],
            grant_types_supported: ["authorization_code"],
            code_challenge_methods_supported: ["S256"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
            token_endpoint_auth_methods_supported: ["none"],
            scopes_supported: ["openid", "email", "profile"],
        };
    }

    /** The JWKS: this run's one public key. */
    jwks(): { keys: JWK[] } {
        return { keys: [this.publicJwk] };
    }

    /** Tokens for a user, with the claims the deployed provider puts in them. */
    async mint(request: TokenRequest): Promise<IssuedTokens> {
        const { identity } = this;
        const now = Math.floor(Date.now() / 1000);
        const lifetime = request.expiresIn ?? TOKEN_LIFETIME_S;
        const username = request.username ?? request.sub;
        const sign = (claims: Record<string, unknown>) =>
            new SignJWT({
                iss: identity.issuer,
                sub: request.sub,
                iat: now,
                exp: now + lifetime,
                jti: randomUUID(),
                ...claims,
            })
                .setProtectedHeader({ alg: "RS256", kid: this.keyId, typ: "JWT" })
                .sign(this.privateKey);
        const scope = request.scope ?? "openid";
        const access =
            identity.provider === "cognito"
                ? { client_id: identity.clientId, token_use: "access", scope, username, auth_time: now }
                : { aud: identity.audience, client_id: identity.clientId, scope, preferred_username: username };
        const id =
            identity.provider === "cognito"
                ? { aud: identity.clientId, token_use: "id", "cognito:username": username, auth_time: now }
                : { aud: identity.clientId, preferred_username: username };
        return {
            access_token: await sign({ ...access, ...request.accessClaims }),
            id_token: await sign({ ...id, ...(request.nonce === undefined ? {} : { nonce: request.nonce }) }),
            token_type: "Bearer",
            expires_in: lifetime,
        };
    }

    /** Whether the client may be sent back to a URL: the deployed client's targets, or the local site. */
    private acceptsRedirect(uri: string): boolean {
        const local = this.siteUrl();
        return this.identity.redirectUris.includes(uri) || uri === local || uri.startsWith(`${local}/`);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", this.url);
        const json = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
            res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...extra }).end(
                JSON.stringify(body),
            );
        };
        // The SPA calls the token endpoint from its own origin, as it calls Cognito's.
        const cors = { "Access-Control-Allow-Origin": req.headers.origin ?? "*", Vary: "Origin" };
        switch (`${req.method} ${url.pathname}`) {
            case "GET /.well-known/openid-configuration":
                return json(200, this.discovery(), cors);
            case "GET /.well-known/jwks.json":
                return json(200, this.jwks(), cors);
            case "GET /authorize":
                return this.authorizePage(url.searchParams, res);
            case "POST /authorize":
                return this.signIn(new URLSearchParams(await body(req)), res);
            case "POST /token": {
                const outcome = await this.token(new URLSearchParams(await body(req)));
                return json(outcome.status, outcome.body, cors);
            }
            case "GET /logout":
                return this.logout(url.searchParams, res);
            case `GET ${LOCAL_TOKEN_PATH}`:
                return this.shortcut(url.searchParams, json);
            default:
                return json(404, { error: "not_found", error_description: `${req.method} ${url.pathname}` });
        }
    }

    /** RFC 6749 4.1.1: check the request, then show the sign-in page. */
    private authorizePage(params: URLSearchParams, res: http.ServerResponse): void {
        const problem = this.authorizeProblem(params);
        if (problem) {
            res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end(`${problem}\n`);
            return;
        }
        const hidden = [...params]
            .map(([k, v]) => `<input type="hidden" name="${html(k)}" value="${html(v)}">`)
            .join("");
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(
            `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local issuer)</title></head>` +
                `<body><h1>Sign in</h1><p>Local stand-in for ${html(this.identity.issuer)}: any user name signs in.</p>` +
                `<form method="post" action="/authorize">${hidden}` +
                `<label>User name <input id="username" name="username" autocomplete="username" required></label> ` +
                `<button id="sign-in" type="submit">Sign in</button></form></body></html>`,
        );
    }

    private authorizeProblem(params: URLSearchParams): string | undefined {
        if (params.get("client_id") !== this.identity.clientId) {
            return `unknown client_id ${JSON.stringify(params.get("client_id"))}`;
        }
        const redirectUri = params.get("redirect_uri") ?? "";
        if (!this.acceptsRedirect(redirectUri)) {
            return `redirect_mismatch: ${JSON.stringify(redirectUri)} is not a callback URL of the client`;
        }
        if (params.get("response_type") !== "code") {
            return "unsupported_response_type: only the authorization code flow is allowed";
        }
        if (!params.get("code_challenge") || params.get("code_challenge_method") !== "S256") {
            return "invalid_request: PKCE with code_challenge_method S256 is required";
        }
        return undefined;
    }

    /** The sign-in form posted: a code for the user, back to the client. */
    private signIn(params: URLSearchParams, res: http.ServerResponse): void {
        const problem = this.authorizeProblem(params);
        const username = (params.get("username") ?? "").trim();
        if (problem || username === "") {
            res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end(
                `${problem ?? "a user name is required"}\n`,
            );
            return;
        }
        const code = randomBytes(24).toString("base64url");
        this.codes.set(code, {
            redirectUri: params.get("redirect_uri")!,
            codeChallenge: params.get("code_challenge")!,
            request: {
                sub: `local-${username}`,
                username,
                scope: params.get("scope") ?? "openid",
                nonce: params.get("nonce") ?? undefined,
            },
            expires: Date.now() + CODE_LIFETIME_MS,
        });
        const target = new URL(params.get("redirect_uri")!);
        target.searchParams.set("code", code);
        if (params.get("state") !== null) {
            target.searchParams.set("state", params.get("state")!);
        }
        res.writeHead(302, { Location: target.href }).end();
    }

    /** RFC 6749 4.1.3 with RFC 7636 4.6: one use per code, the same redirect_uri, the PKCE verifier. */
    private async token(params: URLSearchParams): Promise<{ status: number; body: unknown }> {
        const error = (description: string, code = "invalid_grant") => ({
            status: 400,
            body: { error: code, error_description: description },
        });
        if (params.get("grant_type") !== "authorization_code") {
            return error("only grant_type authorization_code is supported", "unsupported_grant_type");
        }
        if (params.get("client_id") !== this.identity.clientId) {
            return error("unknown client_id", "invalid_client");
        }
        const code = params.get("code") ?? "";
        const pending = this.codes.get(code);
        this.codes.delete(code);
        if (!pending || pending.expires < Date.now()) {
            return error("the code is unknown, used or expired");
        }
        if (pending.redirectUri !== params.get("redirect_uri")) {
            return error("redirect_uri differs from the authorization request's");
        }
        if (s256(params.get("code_verifier") ?? "") !== pending.codeChallenge) {
            return error("the code_verifier does not match the code_challenge (PKCE)");
        }
        return { status: 200, body: await this.mint(pending.request) };
    }

    /** Sign-out: Cognito's `logout_uri` or OIDC's `post_logout_redirect_uri`, if it is the client's. */
    private logout(params: URLSearchParams, res: http.ServerResponse): void {
        const target = params.get("logout_uri") ?? params.get("post_logout_redirect_uri");
        if (target === null || !this.acceptsRedirect(target)) {
            res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end(
                `sign-out target ${JSON.stringify(target)} is not a sign-out URL of the client\n`,
            );
            return;
        }
        res.writeHead(302, { Location: target }).end();
    }

    /** `GET /_local/token?sub=alice&scope=...&expiresIn=SECONDS`: tokens without the browser flow. */
    private async shortcut(params: URLSearchParams, json: (status: number, body: unknown) => void): Promise<void> {
        const sub = params.get("sub") ?? "";
        const expiresIn = params.get("expiresIn");
        if (sub === "" || (expiresIn !== null && !/^-?\d+$/.test(expiresIn))) {
            json(400, {
                error: "invalid_request",
                error_description: `usage: ${LOCAL_TOKEN_PATH}?sub=alice[&username=alice][&scope=a b][&expiresIn=SECONDS]`,
            });
            return;
        }
        const tokens = await this.mint({
            sub,
            username: params.get("username") ?? undefined,
            scope: params.get("scope") ?? undefined,
            expiresIn: expiresIn === null ? undefined : Number(expiresIn),
        });
        json(200, tokens);
    }
}

function body(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
