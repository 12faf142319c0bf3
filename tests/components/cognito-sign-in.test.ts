import { strict as assert } from "node:assert";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { CognitoSignIn, defaultDomainPrefix, scopesByResourceServer } from "../../infra/cognito-sign-in";
import { ComponentRun, named, runComponent } from "../support/component-harness";

const SITE = "https://d111111abcdef8.cloudfront.net";

const runSignIn = (args: { scopes?: string[]; domainPrefix?: string } = {}, preview = false) =>
    runComponent(() => new CognitoSignIn("sign-in", { siteUrl: SITE, region: "eu-west-1", ...args }), { preview });

describe("CognitoSignIn", () => {
    describe("defaults (up)", () => {
        let run: ComponentRun<CognitoSignIn>;
        before(async () => {
            run = await runSignIn();
        });

        it("is a same-origin:cognito-sign-in:CognitoSignIn holding its pool, client and domain", () => {
            const component = named(run, "sign-in");
            assert.equal(component.type, "same-origin:cognito-sign-in:CognitoSignIn");
            const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.name);
            assert.deepEqual(children.sort(), [
                "sign-in-domain",
                "sign-in-domain-suffix",
                "sign-in-spa-client",
                "sign-in-users",
            ]);
        });

        it("signs users in by email, with a 12-character password policy and optional TOTP MFA, no self sign-up", () => {
            const pool = onlyResourceOfType(run, TYPES.userPool).inputs;
            assert.deepEqual(pool.usernameAttributes, ["email"]);
            assert.deepEqual(pool.autoVerifiedAttributes, ["email"]);
            assert.equal(pool.passwordPolicy.minimumLength, 12);
            for (const required of ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"]) {
                assert.equal(pool.passwordPolicy[required], true, required);
            }
            assert.equal(pool.mfaConfiguration, "OPTIONAL");
            assert.deepEqual(pool.softwareTokenMfaConfiguration, { enabled: true });
            assert.deepEqual(pool.adminCreateUserConfig, { allowAdminCreateUserOnly: true });
        });

        it("makes a public client for the code flow only: no secret, no password flows, back to the site and the local console", () => {
            const client = onlyResourceOfType(run, TYPES.userPoolClient).inputs;
            assert.equal(client.generateSecret, false);
            assert.equal(client.allowedOauthFlowsUserPoolClient, true);
            assert.deepEqual(client.allowedOauthFlows, ["code"]);
            assert.deepEqual(client.allowedOauthScopes, ["openid", "email"]);
            assert.deepEqual(client.explicitAuthFlows, ["ALLOW_REFRESH_TOKEN_AUTH"]);
            assert.deepEqual(client.callbackUrls, [`${SITE}/`, "http://localhost:8080/"]);
            assert.deepEqual(client.logoutUrls, [`${SITE}/`, "http://localhost:8080/"]);
            assert.deepEqual(client.supportedIdentityProviders, ["COGNITO"]);
            assert.equal(client.preventUserExistenceErrors, "ENABLED");
            assert.equal(client.enableTokenRevocation, true);
        });

        it("hosts the sign-in on a prefix made from the stack's name and a random suffix", () => {
            const domain = onlyResourceOfType(run, TYPES.userPoolDomain).inputs.domain;
            assert.match(domain, /^same-origin-test-[0-9a-f]{8}$/);
        });

        it("reports the issuer, the client id, the pool id and Cognito's sign-out endpoint", () => {
            const pool = onlyResourceOfType(run, TYPES.userPool);
            const domain = onlyResourceOfType(run, TYPES.userPoolDomain).inputs.domain;
            assert.deepEqual(run.outputs, {
                issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${pool.id}`,
                clientId: onlyResourceOfType(run, TYPES.userPoolClient).id,
                userPoolId: pool.id,
                logoutEndpoint: `https://${domain}.auth.eu-west-1.amazoncognito.com/logout`,
            });
        });
    });

    it("declares a resource server per scope identifier, and lets the client ask for the scopes", async () => {
        const run = await runSignIn({ scopes: ["orders/read", "orders/write", "billing/read"] });
        const servers = resourcesOfType(run, TYPES.resourceServer).map((s) => s.inputs);
        assert.deepEqual(
            servers.map((s) => [s.identifier, s.scopes.map((x: { scopeName: string }) => x.scopeName)]).sort(),
            [
                ["billing", ["read"]],
                ["orders", ["read", "write"]],
            ],
        );
        const client = named(run, "sign-in-spa-client");
        assert.deepEqual(client.inputs.allowedOauthScopes, [
            "openid",
            "email",
            "orders/read",
            "orders/write",
            "billing/read",
        ]);
        for (const server of resourcesOfType(run, TYPES.resourceServer)) {
            assert.ok(client.dependencies.includes(server.urn), "the client waits for its scopes' servers");
        }
    });

    it("uses the domain prefix it is given, with no random suffix", async () => {
        const run = await runSignIn({ domainPrefix: "my-app-login" });
        assert.equal(onlyResourceOfType(run, TYPES.userPoolDomain).inputs.domain, "my-app-login");
        assert.deepEqual(resourcesOfType(run, TYPES.randomId), []);
    });

    it("groups scopes by resource server and keeps default prefixes within Cognito's rules", () => {
        assert.deepEqual(
            [...scopesByResourceServer(["a/x", "b/y", "a/z"])],
            [
                ["a", ["x", "z"]],
                ["b", ["y"]],
            ],
        );
        assert.equal(defaultDomainPrefix("Team_Dev.2", "0a1b2c3d"), "same-origin-team-dev-2-0a1b2c3d");
        const long = defaultDomainPrefix("x".repeat(90), "0a1b2c3d");
        assert.equal(long.length, 63);
        assert.match(long, /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    });

    it("in a preview, cannot know the pool's id, so neither the issuer nor the client id", async () => {
        const run = await runSignIn({}, true);
        assert.equal(run.outputs.issuer, UNKNOWN);
        assert.equal(run.outputs.clientId, UNKNOWN);
    });
});
