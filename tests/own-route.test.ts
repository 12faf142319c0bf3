/**
 * "Add your own route", end to end, without editing functions/routes.ts: the program runs with a
 * fixture route table (tests/fixtures/own-route/routes.ts: GET /orders/{id} needing the scope
 * orders/read, POST /orders behind IAM, GET /profile needing a token, GET /health public, all served
 * by one handler module next to it) in place of the shipped one, through the capture's
 * `routesModule` seam. The routes reach the OpenAPI body, the module is bundled once, Cognito and the
 * SPA learn the route's scope, and the local stack (running the deployed authorizer bundle with the
 * environment the program gives it) answers each route behind its protection, with the authorizer's
 * results cached and not.
 */
import * as assert from "node:assert/strict";
import { captureStack, type CapturedStack } from "../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import type { FrontendConfig } from "../core/frontend-config";
import { LOCAL_TOKEN_PATH } from "../local/issuer";
import { type LocalStack, startLocalStack } from "../local/server";
import { sigV4Headers } from "./browser/sigv4";
import { CAPTURE_TIMEOUT_MS } from "./support/graphs";
import { call } from "./support/fetch-reply";

const ROUTES_MODULE = "tests/fixtures/own-route/routes.ts";
const COGNITO = { auth: JSON.stringify({ provider: "cognito" }) };
const LOCAL_KEY = { accessKeyId: "AKIALOCALSTACK000000", secretAccessKey: "local-secret-key" };

/** An access token from the stand-in issuer's shortcut, for `scope`. */
async function tokenFor(stack: LocalStack, scope: string): Promise<string> {
    const query = new URLSearchParams({ sub: "alice", username: "alice", scope });
    const response = await fetch(`${stack.issuerUrl}${LOCAL_TOKEN_PATH}?${query}`);
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const DENIED = { message: "User is not authorized to access this resource with an explicit deny" };

describe("own route: a fixture route table in place of functions/routes.ts", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let graph: CapturedStack;
    let stack: LocalStack;
    const api = (path: string) => `${stack.url}/api${path}`;

    before(async () => {
        graph = await captureStack({ routesModule: ROUTES_MODULE, config: COGNITO });
        stack = await startLocalStack({ graph, port: 0, directPort: 0, issuerPort: 0 });
    });

    after(async () => {
        await stack?.close();
    });

    it("puts each route in the OpenAPI body under /api, behind the protection the table names", () => {
        const { paths } = JSON.parse(onlyResourceOfType(graph, TYPES.restApi).inputs.body);
        assert.deepEqual(Object.keys(paths), ["/api/orders/{id}", "/api/orders", "/api/profile", "/api/health"]);
        assert.deepEqual(Object.keys(paths["/api/orders/{id}"]), ["get"]);
        // Every method also requires the API key CloudFront sends (originLockdown, on by default).
        assert.deepEqual(paths["/api/orders/{id}"].get.security, [{ "token-authorizer": [], "api-key": [] }]);
        assert.deepEqual(paths["/api/orders"].post["x-amazon-apigateway-auth"], { type: "AWS_IAM" });
        assert.deepEqual(paths["/api/orders"].post.security, [{ "api-key": [] }]);
        assert.deepEqual(paths["/api/health"].get.security, [{ "api-key": [] }]);
        assert.equal(paths["/api/health"].get["x-amazon-apigateway-auth"], undefined);
    });

    it("bundles the handler module once, from the fixture's folder, for its four routes", () => {
        const handlers = resourcesOfType(graph, TYPES.lambdaFunction).filter((f) => f.name !== "authorizer-function");
        assert.deepEqual(
            handlers.map((f) => [f.name, f.inputs.description]),
            [["api-orders", "same-origin: API handler tests/fixtures/own-route/orders.ts"]],
        );
        const { paths } = JSON.parse(onlyResourceOfType(graph, TYPES.restApi).inputs.body);
        const uris = new Set(
            Object.values<Record<string, any>>(paths).flatMap((item) =>
                Object.values(item).map((operation) => operation["x-amazon-apigateway-integration"].uri),
            ),
        );
        assert.deepEqual([...uris], [handlers[0].state.invokeArn]);
    });

    it("hands the authorizer the route's scope in its environment", () => {
        const authorizer = resourcesOfType(graph, TYPES.lambdaFunction).find((f) => f.name === "authorizer-function");
        assert.equal(
            authorizer?.inputs.environment.variables.AUTH_ROUTE_SCOPES,
            '[{"methods":["GET"],"path":"/api/orders/{id}","scopes":["orders/read"]}]',
        );
        assert.equal(authorizer?.inputs.environment.variables.AUTH_REQUIRED_SCOPES, "", "auth.scopes stays empty");
    });

    it("provisions the route's scope in Cognito and has the SPA ask for it", () => {
        const server = onlyResourceOfType(graph, TYPES.resourceServer);
        assert.equal(server.inputs.identifier, "orders");
        assert.deepEqual(
            server.inputs.scopes.map((s: { scopeName: string }) => s.scopeName),
            ["read"],
        );
        assert.deepEqual(onlyResourceOfType(graph, TYPES.userPoolClient).inputs.allowedOauthScopes, [
            "openid",
            "email",
            "orders/read",
        ]);
        const frontend = graph.outputs.frontendConfig as FrontendConfig;
        assert.equal(frontend.auth.provider, "cognito");
        assert.deepEqual(frontend.auth.provider === "cognito" && frontend.auth.scopes, ["openid", "orders/read"]);
    });

    it("answers the public route without credentials", async () => {
        const health = await call(api("/health"));
        assert.equal(health.status, 200, health.text);
        assert.deepEqual(health.json, { route: "GET /api/health", status: "ok" });
    });

    it("token route with a scope: no token 401, a token without the scope 403, a token with it 200", async () => {
        const none = await call(api("/orders/42"));
        assert.equal(none.status, 401);
        assert.deepEqual(none.json, { message: "Unauthorized" });
        for (const scope of ["openid", "openid orders/write"]) {
            const lacking = await call(api("/orders/42"), bearer(await tokenFor(stack, scope)));
            assert.equal(lacking.status, 403, `${scope}: ${lacking.text}`);
            assert.deepEqual(lacking.json, DENIED);
        }
        const granted = await call(api("/orders/42"), bearer(await tokenFor(stack, "openid orders/read")));
        assert.equal(granted.status, 200, granted.text);
        assert.deepEqual(granted.json, {
            route: "GET /api/orders/{id}",
            order: { id: "42", status: "shipped" },
            who: "alice",
        });
    });

    it("token route without scopes of its own: any valid token", async () => {
        const profile = await call(api("/profile"), bearer(await tokenFor(stack, "openid")));
        assert.equal(profile.status, 200, profile.text);
        assert.deepEqual(profile.json, { route: "GET /api/profile", who: "alice" });
        assert.equal((await call(api("/profile"))).status, 401);
    });

    it("IAM route: unsigned refused (404, as the API's gateway responses say), signed 201", async () => {
        const unsigned = await call(api("/orders"), { method: "POST", body: "{}" });
        assert.equal(unsigned.status, 404);
        assert.deepEqual(unsigned.json, { message: "Missing Authentication Token" });
        const { signing } = graph.outputs.frontendConfig as FrontendConfig;
        const body = '{"item":"book"}';
        const signed = await call(api("/orders"), {
            method: "POST",
            body,
            headers: sigV4Headers(
                {
                    host: signing.host,
                    path: `${signing.pathPrefix}/orders`,
                    method: "POST",
                    body,
                    region: signing.region,
                    service: "execute-api",
                    headers: { "Content-Type": "application/json" },
                },
                LOCAL_KEY,
            ),
        });
        assert.equal(signed.status, 201, signed.text);
        assert.deepEqual(signed.json, { route: "POST /api/orders", created: true });
    });

    it("leaves the shipped route table in place for the next capture", async () => {
        const shipped = await captureStack({});
        assert.deepEqual(Object.keys(JSON.parse(onlyResourceOfType(shipped, TYPES.restApi).inputs.body).paths), [
            "/api/{proxy+}",
            "/api/authorized",
            "/api/authorized/{proxy+}",
            "/api/iam",
            "/api/iam/{proxy+}",
        ]);
    });

    it("refuses a routes module without ROUTES and HANDLERS_DIR, naming what it must export", async () => {
        await assert.rejects(captureStack({ routesModule: "tests/fixtures/own-route/orders.ts" }), {
            message:
                "routesModule tests/fixtures/own-route/orders.ts: it must export ROUTES (a route table) and " +
                "HANDLERS_DIR (the folder of its handler modules), as functions/routes.ts does",
        });
    });
});

describe("own route with the authorizer's results cached (authorizerCacheTtl 300)", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let stack: LocalStack;
    const api = (path: string) => `${stack.url}/api${path}`;

    before(async () => {
        const graph = await captureStack({
            routesModule: ROUTES_MODULE,
            config: { ...COGNITO, authorizerCacheTtl: "300" },
        });
        stack = await startLocalStack({ graph, port: 0, directPort: 0, issuerPort: 0 });
    });

    after(async () => {
        await stack?.close();
    });

    it("one cached decision per token: Allow on the other token routes, explicit Deny on the scoped one", async () => {
        // API Gateway reuses the first decision for the token on every route until it expires:
        // each order of calls must end the same way.
        for (const order of [
            ["/profile", "/orders/42"],
            ["/orders/42", "/profile"],
        ]) {
            // A fresh token (its own jti) per order, so the first call of each fills the cache.
            const lacking = bearer(await tokenFor(stack, "openid"));
            const statuses: Record<string, number> = {};
            for (const path of order) {
                const reply = await call(api(path), lacking);
                statuses[path] = reply.status;
                if (path === "/orders/42") {
                    assert.deepEqual(reply.json, DENIED);
                }
            }
            assert.deepEqual(statuses, { "/profile": 200, "/orders/42": 403 }, order.join(" then "));
        }
        const granted = bearer(await tokenFor(stack, "openid orders/read"));
        assert.equal((await call(api("/orders/42"), granted)).status, 200);
        assert.equal((await call(api("/profile"), granted)).status, 200);
    });
});
