/**
 * `npm start -- --stack prod`: the production stack file served locally, Cognito sign-in stood in
 * by the local issuer. What a security reviewer asks of it: the demo tokens refused, the issuer's
 * token accepted, forged, unsigned (`alg: none`) and expired tokens refused, and API Gateway's own
 * endpoint refusing whoever calls it without CloudFront's key.
 */
import * as assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import { LOCAL_TOKEN_PATH } from "../local/issuer";
import { type LocalStack, startLocalStack } from "../local/server";
import { CAPTURE_TIMEOUT_MS } from "./support/graphs";

/** A JWT's parts, decoded. */
function decode(token: string): { header: any; payload: any } {
    const [header, payload] = token
        .split(".")
        .slice(0, 2)
        .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    return { header, payload };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("local stack: the prod stack file (npm start -- --stack prod)", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let stack: LocalStack;
    let good: string;

    before(async () => {
        stack = await startLocalStack({ stack: "prod", port: 0 });
        const minted = await fetch(`${stack.issuerUrl}${LOCAL_TOKEN_PATH}?sub=alice&scope=openid`);
        good = ((await minted.json()) as { access_token: string }).access_token;
    });
    after(() => stack?.close());

    const authorized = (authorization: string) =>
        fetch(`${stack.url}/api/authorized/profile`, { headers: { Authorization: authorization } });

    it("signs in with the stand-in for the prod stack's Cognito user pool", async () => {
        const config = (await (await fetch(`${stack.url}/config.json`)).json()) as any;
        assert.equal(config.auth.provider, "cognito");
        assert.equal(config.auth.authority, stack.issuerUrl);
    });

    it("accepts an access token from the local issuer", async () => {
        const response = await authorized(`Bearer ${good}`);
        assert.equal(response.status, 200, await response.clone().text());
        assert.equal(((await response.json()) as any).requestContext.authorizer.sub, "alice");
    });

    it("refuses the demo tokens", async () => {
        for (const token of ["allow", "Bearer allow"]) {
            assert.equal((await authorized(token)).status, 401, token);
        }
    });

    it("refuses a token signed by another key under the issuer's key id", async () => {
        const { header, payload } = decode(good);
        const { privateKey } = await generateKeyPair("RS256");
        const forged = await new SignJWT(payload).setProtectedHeader(header).sign(privateKey);
        assert.notEqual(forged, good);
        assert.equal((await authorized(`Bearer ${forged}`)).status, 401);
    });

    it("refuses an unsigned token (alg: none) carrying the same claims", async () => {
        const { header, payload } = decode(good);
        const unsigned = `${base64url({ ...header, alg: "none" })}.${base64url(payload)}.`;
        assert.equal((await authorized(`Bearer ${unsigned}`)).status, 401);
    });

    it("refuses an expired token", async () => {
        const minted = await fetch(`${stack.issuerUrl}${LOCAL_TOKEN_PATH}?sub=alice&expiresIn=-60`);
        const expired = ((await minted.json()) as { access_token: string }).access_token;
        assert.ok(decode(expired).payload.exp < Date.now() / 1000);
        assert.equal((await authorized(`Bearer ${expired}`)).status, 401);
    });

    it("refuses calls to API Gateway's own endpoint (PORT+1): 403 without the key CloudFront sends", async () => {
        for (const path of ["/v1/api/hello", "/prod/api/hello"]) {
            const response = await fetch(`${stack.directUrl}${path}`, { headers: { Authorization: `Bearer ${good}` } });
            assert.equal(response.status, 403, path);
            assert.deepEqual(await response.json(), { message: "Forbidden" });
        }
    });
});
