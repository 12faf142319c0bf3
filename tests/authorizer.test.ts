/**
 * The TOKEN authorizer's deployed bundle, run by the local Lambda runtime with the environment the
 * program gives it, against the local stand-in issuer over real HTTP: every good and bad token.
 */
import { strict as assert } from "node:assert";
import { generateKeyPair, SignJWT } from "jose";
import type { CapturedResource } from "../capture/capture";
import { authorizerEnvironment, cognitoIssuer, type TokenVerification } from "../core/auth";
import { DEMO_IDENTITY } from "../functions/authorizer";
import { bundleLambda } from "../infra/bundle";
import { tokenAuthorizerEntry } from "../infra/token-authorizer";
import { LocalIssuer } from "../local/issuer";
import { type InvocationResult, LambdaRuntime } from "../local/lambda-runtime";

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/authorized/profile";
const CLIENT_ID = "4f1a2b3c4d5e6f7g8h9i0j1k2l";
const ISSUER = cognitoIssuer("eu-west-1", "eu-west-1_AbCdEfGhI");

/** The authorizer as deployed: its bundle and environment, in a captured-resource shape. */
function authorizerFunction(name: string, verification: TokenVerification, cachesResults = false): CapturedResource {
    const code = bundleLambda({ contents: tokenAuthorizerEntry(cachesResults ? 300 : 0) });
    return {
        type: "aws:lambda/function:Function",
        name,
        urn: `urn:${name}`,
        custom: true,
        id: name,
        inputs: {},
        state: {
            name,
            handler: "index.handler",
            timeout: 5,
            code: { kind: "archive", assets: { "index.js": { kind: "string", text: code } } },
            environment: { variables: authorizerEnvironment(verification) },
        },
    };
}

function expectAllow(result: InvocationResult): Record<string, unknown> {
    assert.ok(result.ok, `expected an Allow, got ${JSON.stringify(result)}`);
    const value = result.value as any;
    assert.equal(value.policyDocument.Statement[0].Effect, "Allow");
    assert.equal(value.policyDocument.Statement[0].Resource, METHOD_ARN);
    return value;
}

function expectUnauthorized(result: InvocationResult, what: string): void {
    // API Gateway answers 401 for exactly this error message, 500 for any other error.
    assert.deepEqual(
        result.ok ? result.value : { errorMessage: result.errorMessage },
        { errorMessage: "Unauthorized" },
        what,
    );
}

function expectDeny(result: InvocationResult): void {
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal((result.value as any).policyDocument.Statement[0].Effect, "Deny");
}

const invoke = (runtime: LambdaRuntime, fn: CapturedResource, token: string) =>
    runtime.invoke(fn, { type: "TOKEN", authorizationToken: token, methodArn: METHOD_ARN });

describe("token authorizer (deployed bundle) against a JWT issuer", function () {
    this.timeout(30_000);
    let issuer: LocalIssuer;
    let runtime: LambdaRuntime;
    let jwksRequests = 0;
    let cognito: CapturedResource;
    let scoped: CapturedResource;

    before(async () => {
        issuer = await LocalIssuer.start(
            { provider: "cognito", issuer: ISSUER, clientId: CLIENT_ID, audience: CLIENT_ID, redirectUris: [] },
            { port: 0, host: "127.0.0.1", siteUrl: () => "http://localhost:1" },
        );
        const jwksUri = `${issuer.url}/.well-known/jwks.json`;
        // Counts JWKS downloads: the verifier must fetch once, then use its cache.
        runtime = new LambdaRuntime(() => ({ AUTH_JWKS_URI: `${jwksUri}?counted=${++jwksRequests}` }));
        const verification = { provider: "cognito", issuer: ISSUER, audience: CLIENT_ID, requiredScopes: [] } as const;
        cognito = authorizerFunction("cognito", verification);
        scoped = authorizerFunction("scoped", { ...verification, requiredScopes: ["orders/read"] });
    });

    after(async () => {
        runtime?.dispose();
        await issuer?.close();
    });

    it("allows a token from the issuer, with sub, username and scope in the context", async () => {
        const { access_token } = await issuer.mint({
            sub: "alice-sub",
            username: "alice",
            scope: "openid orders/read",
        });
        const value = expectAllow(await invoke(runtime, cognito, `Bearer ${access_token}`));
        assert.equal(value.principalId, "alice-sub");
        assert.deepEqual(value.context, { sub: "alice-sub", username: "alice", scope: "openid orders/read" });
    });

    it("fetches the JWKS once per execution environment, then reuses it", async () => {
        const before = jwksRequests;
        for (const sub of ["a", "b", "c"]) {
            const { access_token } = await issuer.mint({ sub });
            expectAllow(await invoke(runtime, cognito, access_token));
        }
        assert.equal(jwksRequests, before, "the runtime loaded the module once; no new verifier, no new download");
    });

    it("refuses an ID token where an access token is expected (token_use)", async () => {
        const { id_token } = await issuer.mint({ sub: "alice" });
        expectUnauthorized(await invoke(runtime, cognito, id_token), "id token");
    });

    it("refuses an expired token", async () => {
        const { access_token } = await issuer.mint({ sub: "alice", expiresIn: -60 });
        expectUnauthorized(await invoke(runtime, cognito, access_token), "expired");
    });

    it("refuses a forged signature: another key claiming the issuer's kid", async () => {
        const { access_token } = await issuer.mint({ sub: "alice" });
        const [header] = access_token.split(".");
        const { kid } = JSON.parse(Buffer.from(header, "base64url").toString());
        const { privateKey } = await generateKeyPair("RS256");
        const forged = await new SignJWT({ client_id: CLIENT_ID, token_use: "access", scope: "openid" })
            .setProtectedHeader({ alg: "RS256", kid })
            .setIssuer(ISSUER)
            .setSubject("mallory")
            .setIssuedAt()
            .setExpirationTime("1h")
            .sign(privateKey);
        expectUnauthorized(await invoke(runtime, cognito, forged), "forged");
    });

    it("refuses an unsigned token (alg: none)", async () => {
        const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
        const now = Math.floor(Date.now() / 1000);
        const unsigned = `${b64({ alg: "none", typ: "JWT", kid: "whatever" })}.${b64({
            iss: ISSUER,
            sub: "mallory",
            client_id: CLIENT_ID,
            token_use: "access",
            exp: now + 3600,
            iat: now,
        })}.${Buffer.from("not a signature").toString("base64url")}`;
        expectUnauthorized(await invoke(runtime, cognito, unsigned), "alg none");
    });

    it("refuses a token signed by a key the JWKS does not have (unknown kid)", async () => {
        const { privateKey } = await generateKeyPair("RS256");
        const token = await new SignJWT({ client_id: CLIENT_ID, token_use: "access" })
            .setProtectedHeader({ alg: "RS256", kid: "not-in-the-jwks" })
            .setIssuer(ISSUER)
            .setSubject("mallory")
            .setIssuedAt()
            .setExpirationTime("1h")
            .sign(privateKey);
        expectUnauthorized(await invoke(runtime, cognito, token), "unknown kid");
    });

    it("refuses, though signed by the issuer's key: another issuer, another client, another token use", async () => {
        for (const accessClaims of [{ iss: `${ISSUER}x` }, { client_id: "another-client" }, { token_use: "id" }]) {
            const { access_token } = await issuer.mint({ sub: "a", accessClaims });
            expectUnauthorized(await invoke(runtime, cognito, access_token), JSON.stringify(accessClaims));
        }
    });

    it("refuses malformed tokens, an empty one included, as 401 and never 500", async () => {
        for (const token of ["", "Bearer", "not.a.jwt", "a.b", "allow", "eyJhbGciOiJSUzI1NiJ9.e30.e30"]) {
            expectUnauthorized(await invoke(runtime, cognito, token), JSON.stringify(token));
        }
    });

    it("denies (403) a valid token without a required scope, allows one with it", async () => {
        expectDeny(await invoke(runtime, scoped, (await issuer.mint({ sub: "a", scope: "openid" })).access_token));
        expectAllow(
            await invoke(runtime, scoped, (await issuer.mint({ sub: "a", scope: "openid orders/read" })).access_token),
        );
    });
});

describe("token authorizer (deployed bundle), demo provider", () => {
    const runtime = new LambdaRuntime();
    const demo = authorizerFunction("demo", { provider: "demo" });
    after(() => runtime.dispose());

    it("allows `allow` (with or without Bearer), denies `deny`, refuses anything else", async () => {
        for (const token of ["allow", "Bearer allow"]) {
            const value = expectAllow(await invoke(runtime, demo, token));
            assert.deepEqual(value.context, DEMO_IDENTITY);
        }
        expectDeny(await invoke(runtime, demo, "deny"));
        expectUnauthorized(await invoke(runtime, demo, "nope"), "nope");
    });
});
