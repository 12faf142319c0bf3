/**
 * The local stack end to end, over real HTTP: for each proxy layout the shared checks (the same
 * list `npm run smoke` runs against a deployment, tests/checks/), then what only the emulation
 * shows (the event's routing fields, CloudFront's headers, API Gateway's own endpoint, the request
 * log); then broken copies of a captured graph, each failing the way AWS would.
 */
import * as assert from "node:assert/strict";
import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES } from "../core/cloudfront-policies";
import type { AuthProvider } from "../core/auth";
import { DEMO_IDENTITY } from "../functions/authorizer";
import { LOCAL_TOKEN_PATH } from "../local/issuer";
import type { CapturedStack } from "../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { LocalStack, startLocalStack } from "../local/server";
import type { ConsoleConfig } from "../site/src/config";
import { sigV4Headers } from "./browser/sigv4";
import { httpChecks } from "./checks/http-checks";
import { runHttpCheck } from "./checks/run";
import { type CheckTarget, fetchSiteConfig, frontendConfigOf } from "./checks/target";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";
import { call } from "./support/fetch-reply";

const LOCAL_KEY = { accessKeyId: "AKIALOCALSTACK000000", secretAccessKey: "local-secret-key" };
const CUSTOM_DOMAIN = JSON.stringify({ domainName: "api.example.com", hostedZoneName: "example.com", basePath: "v1" });

interface Mode {
    readonly name: string;
    readonly config: Record<string, string>;
    /** Where the API's routes live: the apiPath, or the root when the edge function strips it. */
    readonly routeBase: string;
    /** What precedes the route base in the event's `path`: nothing (stage stripped) or the base path. */
    readonly pathPrefix: string;
    /** What precedes it in `requestContext.path` and in the URL of API Gateway's own endpoint. */
    readonly endpointPrefix: string;
    /** Who signs users in: the demo tokens (Pulumi.dev.yaml) or a Cognito user pool (the local issuer stands in). */
    readonly provider: AuthProvider;
}

const MODES: readonly Mode[] = [
    {
        name: "direct-stage (Pulumi.dev.yaml)",
        config: {},
        routeBase: "/api",
        pathPrefix: "",
        endpointPrefix: "/dev",
        provider: "demo",
    },
    {
        name: "custom-domain",
        config: { proxyMode: "custom-domain", customDomain: CUSTOM_DOMAIN },
        routeBase: "/api",
        pathPrefix: "/v1",
        endpointPrefix: "/v1",
        provider: "demo",
    },
    {
        name: "lambda-edge rewriter",
        config: { pathRewriter: "lambda-edge" },
        routeBase: "",
        pathPrefix: "",
        endpointPrefix: "/dev",
        provider: "demo",
    },
    {
        name: "cloudfront-function rewriter",
        config: { pathRewriter: "cloudfront-function" },
        routeBase: "",
        pathPrefix: "",
        endpointPrefix: "/dev",
        provider: "demo",
    },
    {
        name: "Cognito sign-in, the stand-in issuer on PORT+2",
        config: { auth: JSON.stringify({ provider: "cognito" }) },
        routeBase: "/api",
        pathPrefix: "",
        endpointPrefix: "/dev",
        provider: "cognito",
    },
];

/** A token from the local issuer's shortcut (local/issuer.ts), as a script would get one. */
async function mintedToken(issuerUrl: string, query: string): Promise<{ access_token: string; id_token: string }> {
    const response = await fetch(`${issuerUrl}${LOCAL_TOKEN_PATH}?${query}`);
    assert.equal(response.status, 200, await response.clone().text());
    return response.json() as Promise<{ access_token: string; id_token: string }>;
}

/** SigV4 headers for `host` and `path`, as a client sends them (Host itself set by fetch). */
function sigV4(
    host: string,
    path: string,
    options: { method?: string; body?: string; secret?: string; region?: string } = {},
): Record<string, string> {
    return sigV4Headers(
        {
            host,
            path,
            method: options.method ?? "GET",
            body: options.body,
            service: "execute-api",
            region: options.region ?? "eu-west-1",
            headers: options.body ? { "Content-Type": "application/json" } : {},
        },
        { accessKeyId: LOCAL_KEY.accessKeyId, secretAccessKey: options.secret ?? LOCAL_KEY.secretAccessKey },
    );
}

/** The origin lockdown's API key, read from the graph as CloudFront's origin header carries it. */
function originKey(stack: LocalStack): string {
    return String(onlyResourceOfType(stack.graph, TYPES.apiKey).state.value);
}

for (const mode of MODES) {
    describe(`local stack: ${mode.name}`, function () {
        let stack: LocalStack;
        let config: ConsoleConfig;
        let target: CheckTarget;
        const api = (route: string) => `${stack.url}${config.apiPath}${route}`;

        before(async function () {
            this.timeout(CAPTURE_TIMEOUT_MS);
            stack = await startLocalStack({ graph: await graphOf(mode.config), port: 0, directPort: 0, issuerPort: 0 });
            config = await fetchSiteConfig(stack.url);
            assert.ok(config.local, "the local stack's config.json holds its IAM credentials");
            target = {
                siteUrl: stack.url,
                config: frontendConfigOf(config),
                iam: { credentials: config.local, source: "the local stack's config.json" },
                bearer:
                    stack.issuerUrl === undefined
                        ? { notRun: "the demo tokens: no one signs in" }
                        : {
                              token: (await mintedToken(stack.issuerUrl, "sub=alice&scope=openid")).access_token,
                              source: "a token from the local issuer",
                          },
            };
        });

        after(async () => {
            await stack?.close();
        });

        /** Checks the echoed event's routing fields for a route (e.g. `/hello`) and resource template. */
        function assertRouted(echo: any, route: string, template: string): void {
            assert.equal(echo.path, `${mode.pathPrefix}${mode.routeBase}${route}`);
            assert.equal(echo.resource, `${mode.routeBase}${template}`);
            assert.equal(echo.requestContext.resourcePath, `${mode.routeBase}${template}`);
            assert.equal(echo.requestContext.stage, "dev");
            assert.equal(echo.requestContext.path, `${mode.endpointPrefix}${mode.routeBase}${route}`);
        }

        it("serves config.json from the bucket, with the graph's signing target and the local credentials", async () => {
            const reply = await call(`${stack.url}/config.json`);
            assert.equal(reply.status, 200);
            assert.equal(reply.headers.get("content-type"), "application/json");
            assert.equal(reply.headers.get("cache-control"), "no-cache");
            assert.deepEqual(reply.json.local, LOCAL_KEY);
            assert.equal(reply.json.apiPath, "/api");
            assert.equal(reply.json.signing.pathPrefix, `${mode.endpointPrefix}${mode.routeBase}`);
            assert.equal(
                reply.json.signing.host,
                mode.pathPrefix === "/v1"
                    ? "api.example.com"
                    : `${stack.graph.resources.find((r) => r.type === TYPES.restApi)!.id}.execute-api.eu-west-1.amazonaws.com`,
            );
        });

        describe("the shared checks (npm run smoke runs the same list)", () => {
            for (const check of httpChecks(mode.provider)) {
                it(check.name, async () => {
                    const result = await runHttpCheck(check, target);
                    assert.equal(result.outcome, "PASS", result.detail);
                });
            }
        });

        it("applies the response headers policy to the app; a dot in the first segment is still a route", async () => {
            const root = await call(`${stack.url}/`);
            assert.equal(root.headers.get("x-content-type-options"), "nosniff", "the response headers policy applies");
            const dotted = await call(`${stack.url}/assets.v2/app`);
            assert.equal(dotted.status, 200);
            assert.equal(dotted.text, root.text);
        });

        it("refuses a method the default behavior does not allow, with CloudFront's page", async () => {
            const reply = await call(`${stack.url}/`, { method: "POST", body: "x" });
            assert.equal(reply.status, 403);
            assert.match(
                reply.text,
                /This distribution is not configured to allow the HTTP request method that was used for this request/,
            );
            assert.equal(reply.headers.get("x-cache"), "Error from cloudfront");
        });

        it("public route: the echoed event has the right path, resource, stage and CloudFront's headers", async () => {
            const reply = await call(api("/hello?x=1&x=2"), { headers: { "X-Custom": "kept" } });
            assert.equal(reply.status, 200, reply.text);
            assertRouted(reply.json, "/hello", "/{proxy+}");
            assert.deepEqual(reply.json.pathParameters, { proxy: "hello" });
            assert.deepEqual(reply.json.queryStringParameters, { x: "2" });
            assert.equal(reply.json.requestContext.authorizer, null);
            const headers = reply.json.headers;
            assert.equal(headers.Host, config.signing.host, "CloudFront sends the origin's domain as Host");
            // A CloudFront Function sees header names lower-case ("CloudFront Functions event structure",
            // functions-event-structure.html) and returns them so; the case the origin then receives is
            // not documented, and names are case-insensitive (RFC 9110, section 5.1).
            assert.deepEqual(
                Object.entries(headers)
                    .filter(([name]) => name.toLowerCase() === "x-custom")
                    .map(([, value]) => value),
                ["kept"],
            );
            assert.ok(headers["X-Amz-Cf-Id"], "X-Amz-Cf-Id");
            assert.match(headers.Via, /cloudfront\.net \(CloudFront\)$/);
            assert.match(headers["X-Forwarded-For"], /127\.0\.0\.1/);
            assert.equal(reply.json.requestContext.identity.sourceIp, "127.0.0.1");
            assert.equal(reply.headers.get("x-cache"), "Miss from cloudfront");
        });

        for (const route of mode.provider === "demo" ? ["/authorized", "/authorized/x"] : []) {
            it(`token route ${route}: allowed, it reaches its own resource with the authorizer's whole context`, async () => {
                const allowed = await call(api(route), { headers: { Authorization: "Bearer allow" } });
                assert.equal(allowed.status, 200, allowed.text);
                assertRouted(allowed.json, route, route === "/authorized" ? "/authorized" : "/authorized/{proxy+}");
                const { integrationLatency, ...authorizer } = allowed.json.requestContext.authorizer;
                assert.equal(typeof integrationLatency, "number");
                assert.deepEqual(authorizer, { ...DEMO_IDENTITY, principalId: DEMO_IDENTITY.sub });
                // The token reaches the handler, which echoes that it came, never its value.
                assert.equal(allowed.json.headers.Authorization, "[redacted]");
            });
        }

        if (mode.provider !== "demo") {
            it("signs in through the stand-in issuer: its token reaches the route, whose context names the user", async () => {
                const { access_token } = await mintedToken(stack.issuerUrl!, "sub=bob-sub&username=bob&scope=openid");
                const allowed = await call(api("/authorized/x"), {
                    headers: { Authorization: `Bearer ${access_token}` },
                });
                assert.equal(allowed.status, 200, allowed.text);
                const { sub, username, scope } = allowed.json.requestContext.authorizer;
                assert.deepEqual({ sub, username, scope }, { sub: "bob-sub", username: "bob", scope: "openid" });
            });

            it("refuses the demo tokens, an expired token and an ID token, each with 401", async () => {
                const { access_token: expired } = await mintedToken(stack.issuerUrl!, "sub=bob&expiresIn=-60");
                const { id_token } = await mintedToken(stack.issuerUrl!, "sub=bob");
                for (const token of ["allow", "deny", `Bearer ${expired}`, `Bearer ${id_token}`]) {
                    const refused = await call(api("/authorized"), { headers: { Authorization: token } });
                    assert.equal(refused.status, 401, `${token.slice(0, 20)}: ${refused.text}`);
                    assert.deepEqual(refused.json, { message: "Unauthorized" });
                }
            });

            it("serves config.json with sign-in pointed at the stand-in issuer", () => {
                const auth = config.auth as { provider: string; authority?: string };
                assert.equal(auth.provider, "cognito");
                assert.equal(auth.authority, stack.issuerUrl);
            });
        }

        if (mode.provider === "demo") {
            it("token route /authorized itself: deny 403, other 401, missing 401 (under it: the shared checks)", async () => {
                const denied = await call(api("/authorized"), { headers: { Authorization: "deny" } });
                assert.equal(denied.status, 403);
                assert.deepEqual(denied.json, {
                    message: "User is not authorized to access this resource with an explicit deny",
                });
                const other = await call(api("/authorized"), { headers: { Authorization: "let-me-in" } });
                assert.equal(other.status, 401);
                assert.deepEqual(other.json, { message: "Unauthorized" });
                const missing = await call(api("/authorized"));
                assert.equal(missing.status, 401);
                assert.deepEqual(missing.json, { message: "Unauthorized" });
            });
        }

        for (const route of ["/iam", "/iam/x"]) {
            it(`IAM route ${route}: signed 200, wrong secret 403, CloudFront path 403, unsigned 404`, async () => {
                const signingPath = `${config.signing.pathPrefix}${route}`;
                const signed = await call(api(route), { headers: sigV4(config.signing.host, signingPath) });
                assert.equal(signed.status, 200, signed.text);
                assertRouted(signed.json, route, route === "/iam" ? "/iam" : "/iam/{proxy+}");
                assert.equal(signed.json.requestContext.identity.accessKey, LOCAL_KEY.accessKeyId);
                assert.equal(
                    signed.json.headers.Authorization,
                    undefined,
                    "the SigV4 header does not reach the integration",
                );

                const body = '{"b":2}';
                const posted = await call(api(route), {
                    method: "POST",
                    body,
                    headers: sigV4(config.signing.host, signingPath, { method: "POST", body }),
                });
                assert.equal(posted.status, 200, posted.text);
                assert.equal(posted.json.body, body);

                const wrongSecret = await call(api(route), {
                    headers: sigV4(config.signing.host, signingPath, { secret: "not-the-secret" }),
                });
                assert.equal(wrongSecret.status, 403);
                assert.match(
                    wrongSecret.json.message,
                    /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\./,
                );
                const cloudFrontPath = await call(api(route), {
                    headers: sigV4(config.signing.host, `${config.apiPath}${route}`),
                });
                assert.equal(cloudFrontPath.status, 403);
                assert.match(cloudFrontPath.json.message, /^The request signature we calculated does not match/);
                const unsigned = await call(api(route));
                assert.equal(
                    unsigned.status,
                    404,
                    "MISSING_AUTHENTICATION_TOKEN is declared as 404 in the body's gateway responses",
                );
                assert.deepEqual(unsigned.json, { message: "Missing Authentication Token" });
            });
        }

        it("an unknown API path is the declared 404 JSON, not the SPA", async () => {
            const reply = await call(`${stack.url}${config.apiPath}/`);
            assert.equal(reply.status, 404);
            assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
            assert.deepEqual(reply.json, { message: "Missing Authentication Token" });
            assert.equal(reply.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
        });

        it("API Gateway's own endpoint: locked down, it answers 403 Forbidden but to the key CloudFront sends", async () => {
            const direct = `${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}`;
            for (const headers of [{}, { "x-api-key": "a-guess-of-the-key-000000000" }] as Record<string, string>[]) {
                const refused = await call(`${direct}/hello`, { headers });
                assert.equal(refused.status, 403, refused.text);
                assert.deepEqual(refused.json, { message: "Forbidden" });
                assert.equal(refused.headers.get("x-amzn-errortype"), "ForbiddenException");
            }
            // Authorization before the key: a request the authorizer or IAM refuses is refused as before.
            assert.equal((await call(`${direct}/authorized/x`)).status, 401);
            assert.equal((await call(`${direct}/iam/x`)).status, 404, "unsigned: MISSING_AUTHENTICATION_TOKEN");
            // A token the API accepts: the demo's, or a signed-in user's.
            const token = "token" in target.bearer ? `Bearer ${target.bearer.token}` : "allow";
            const tokenWithoutKey = await call(`${direct}/authorized/x`, { headers: { Authorization: token } });
            assert.equal(tokenWithoutKey.status, 403, "a valid token without the key");
            assert.deepEqual(tokenWithoutKey.json, { message: "Forbidden" });
            const keyed = await call(`${direct}/authorized/x`, {
                headers: { Authorization: token, "x-api-key": originKey(stack) },
            });
            assert.equal(keyed.status, 200, keyed.text);
        });

        it("API Gateway's own endpoint, with the key: permissive CORS, public and IAM routes, unknown stage", async () => {
            const key = { "x-api-key": originKey(stack) };
            const siteOrigin = new URL(stack.url).origin;
            const directHost = new URL(stack.directUrl).host;
            const preflight = await call(`${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/hello`, {
                method: "OPTIONS",
                headers: {
                    Origin: siteOrigin,
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "authorization",
                },
            });
            assert.equal(preflight.status, 204);
            assert.equal(preflight.headers.get("access-control-allow-origin"), siteOrigin);
            assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
            assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /x-amz-date/);

            const hello = await call(`${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/hello`, {
                headers: { Origin: siteOrigin, ...key },
            });
            assert.equal(hello.status, 200, hello.text);
            assert.equal(hello.headers.get("access-control-allow-origin"), siteOrigin);
            assert.equal(hello.json.path, `${mode.pathPrefix}${mode.routeBase}/hello`);
            assert.equal(hello.json.requestContext.path, `${mode.endpointPrefix}${mode.routeBase}/hello`);
            assert.equal(hello.json.headers["x-api-key"], "[redacted]");
            // The endpoint is the execute-api host too: `/<stage>/...` strips the stage. Through a custom
            // domain the program turns that endpoint off: 403 Forbidden, key or not.
            const viaStage = await call(`${stack.directUrl}/dev${mode.routeBase}/hello`, { headers: key });
            if (mode.pathPrefix === "/v1") {
                assert.equal(viaStage.status, 403, viaStage.text);
                assert.deepEqual(viaStage.json, { message: "Forbidden" });
            } else {
                assert.equal(viaStage.status, 200, viaStage.text);
                assert.equal(viaStage.json.path, `${mode.routeBase}/hello`);
                assert.equal(viaStage.json.requestContext.path, `/dev${mode.routeBase}/hello`);
            }
            // Permissive CORS: any origin (a local dev server's, say) is echoed back, varying by Origin.
            const devServer = "http://localhost:5173";
            const foreignPreflight = await call(
                `${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/authorized/x`,
                {
                    method: "OPTIONS",
                    headers: {
                        Origin: devServer,
                        "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "content-type,x-requested-with",
                    },
                },
            );
            assert.equal(foreignPreflight.status, 204);
            assert.equal(foreignPreflight.headers.get("access-control-allow-origin"), devServer);
            assert.match(foreignPreflight.headers.get("access-control-allow-methods") ?? "", /POST/);
            assert.match(foreignPreflight.headers.get("access-control-allow-headers") ?? "", /(^|,)content-type(,|$)/);
            assert.match(
                foreignPreflight.headers.get("access-control-allow-headers") ?? "",
                /(^|,)x-requested-with(,|$)/,
                "the headers a preflight asks for are allowed",
            );
            assert.match(foreignPreflight.headers.get("vary") ?? "", /\bOrigin\b/);
            const foreign = await call(`${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/hello`, {
                headers: { Origin: devServer, ...key },
            });
            assert.equal(foreign.status, 200, foreign.text);
            assert.equal(foreign.headers.get("access-control-allow-origin"), devServer);
            assert.match(foreign.headers.get("vary") ?? "", /\bOrigin\b/);
            const other = await call(`${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/hello`, {
                headers: { Origin: "https://app.example.test:8443" },
            });
            assert.equal(other.status, 403, "no key");
            assert.equal(
                other.headers.get("access-control-allow-origin"),
                "https://app.example.test:8443",
                "a refusal carries the CORS headers too, so the page can read it",
            );
            const noOrigin = await call(`${stack.directUrl}${mode.endpointPrefix}${mode.routeBase}/hello`, {
                headers: key,
            });
            assert.equal(noOrigin.headers.get("access-control-allow-origin"), null, "no Origin, nothing to echo");

            const iamPath = `${mode.endpointPrefix}${mode.routeBase}/iam/x`;
            const iam = await call(`${stack.directUrl}${iamPath}`, {
                headers: { ...sigV4(directHost, iamPath), ...key },
            });
            assert.equal(iam.status, 200, iam.text);
            const iamWithoutKey = await call(`${stack.directUrl}${iamPath}`, { headers: sigV4(directHost, iamPath) });
            assert.equal(iamWithoutKey.status, 403, "signed, but without the key");
            assert.deepEqual(iamWithoutKey.json, { message: "Forbidden" });
            const iamForGraphHost = await call(`${stack.directUrl}${iamPath}`, {
                headers: { ...sigV4(config.signing.host, iamPath), ...key },
            });
            assert.equal(iamForGraphHost.status, 403, "API Gateway verifies against the Host it received");
            assert.match(iamForGraphHost.json.message, /^The request signature we calculated does not match/);

            const nowhere = await call(`${stack.directUrl}/no-such-stage/x`);
            assert.equal(nowhere.status, 403);
            assert.deepEqual(nowhere.json, { message: "Forbidden" });
        });

        it("records every request with its listener and final status", async () => {
            const before = stack.requests.length;
            await call(`${stack.url}/config.json`);
            await call(`${stack.directUrl}/no-such-stage/x`, {
                method: "OPTIONS",
                headers: { Origin: "http://x", "Access-Control-Request-Method": "GET" },
            });
            const recorded = stack.requests.slice(before).map((r) => `${r.listener} ${r.method} ${r.url} ${r.status}`);
            assert.deepEqual(recorded, ["cloudfront GET /config.json 200", "direct OPTIONS /no-such-stage/x 204"]);
            assert.equal(stack.requests[before].headers.host, new URL(stack.url).host);
        });
    });
}

describe("local stack: the origin lockdown and throttling", function () {
    let open: LocalStack[] = [];

    afterEach(async () => {
        await Promise.all(open.map((s) => s.close()));
        open = [];
    });

    async function serve(config: Record<string, string>): Promise<LocalStack> {
        const stack = await startLocalStack({ graph: await graphOf(config), port: 0, directPort: 0 });
        open.push(stack);
        return stack;
    }

    it("CloudFront sends its key in place of any x-api-key a viewer sends; the echo only says one came", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const stack = await serve({});
        for (const headers of [{}, { "X-Api-Key": "a-viewer-guess-000000000000" }] as Record<string, string>[]) {
            const reply = await call(`${stack.url}/api/hello`, { headers });
            assert.equal(reply.status, 200, reply.text);
            assert.deepEqual(
                Object.entries(reply.json.headers).filter(([name]) => name.toLowerCase() === "x-api-key"),
                [["x-api-key", "[redacted]"]],
                "one x-api-key header, CloudFront's",
            );
            assert.equal(reply.json.requestContext.identity.apiKey, "[redacted]");
            assert.equal(reply.json.requestContext.identity.apiKeyId, onlyResourceOfType(stack.graph, TYPES.apiKey).id);
        }
        assert.doesNotMatch((await call(`${stack.url}/api/hello`)).text, new RegExp(originKey(stack)));
    });

    it("with originLockdown=false, API Gateway's own endpoint answers anyone and CloudFront sends no key", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const stack = await serve({ originLockdown: "false" });
        assert.deepEqual(resourcesOfType(stack.graph, TYPES.apiKey), []);
        const direct = await call(`${stack.directUrl}/dev/api/hello`);
        assert.equal(direct.status, 200, direct.text);
        const viaSite = await call(`${stack.url}/api/hello`);
        assert.equal(viaSite.status, 200, viaSite.text);
        assert.ok(
            !Object.keys(viaSite.json.headers).some((name) => name.toLowerCase() === "x-api-key"),
            JSON.stringify(viaSite.json.headers),
        );
    });

    it("a burst past the throttle gets 429 Too Many Requests, never a 5xx or a dropped connection", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const stack = await serve({ throttle: JSON.stringify({ rateLimit: 1, burstLimit: 3 }) });
        const replies = await Promise.all(Array.from({ length: 10 }, () => call(`${stack.url}/api/hello`)));
        const statuses = replies.map((r) => r.status);
        const admitted = statuses.filter((s) => s === 200).length;
        // The burst, plus at most one token refilled while the ten were served.
        assert.ok(admitted >= 3 && admitted <= 4, statuses.join(" "));
        const throttled = replies.filter((r) => r.status !== 200);
        assert.equal(throttled.length, 10 - admitted, statuses.join(" "));
        for (const reply of throttled) {
            assert.equal(reply.status, 429);
            assert.deepEqual(reply.json, { message: "Too Many Requests" });
            assert.equal(reply.headers.get("x-amzn-errortype"), "TooManyRequestsException");
        }
        // A token a second: the API answers again.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal((await call(`${stack.url}/api/hello`)).status, 200);
    });
});

const apiBehavior = (state: Record<string, any>) =>
    state.orderedCacheBehaviors.find((b: any) => b.pathPattern === "/api/*");

describe("local stack: a broken graph fails the way AWS would", function () {
    let dev: CapturedStack;
    let open: LocalStack[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        dev = await graphOf({});
    });

    afterEach(async () => {
        await Promise.all(open.map((s) => s.close()));
        open = [];
    });

    async function serve(graph: CapturedStack): Promise<LocalStack> {
        const stack = await startLocalStack({ graph, port: 0, directPort: 0 });
        open.push(stack);
        return stack;
    }

    it("API origin without the origin path: the first segment is taken as a stage -> 403 Forbidden", async () => {
        const stack = await serve(
            broken(dev, TYPES.distribution, (state) => {
                state.origins.find((o: any) => o.originId === apiBehavior(state).targetOriginId).originPath = "";
            }),
        );
        const reply = await call(`${stack.url}/api/hello`);
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.json, { message: "Forbidden" });
    });

    it("custom domain without the base path as origin path: no mapping matches -> 403 Forbidden", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const customDomain = await graphOf({ proxyMode: "custom-domain", customDomain: CUSTOM_DOMAIN });
        const stack = await serve(
            broken(customDomain, TYPES.distribution, (state) => {
                state.origins.find((o: any) => o.originId === apiBehavior(state).targetOriginId).originPath = "";
            }),
        );
        const reply = await call(`${stack.url}/api/hello`);
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.json, { message: "Forbidden" });
    });

    it("AllViewer on the API behavior: the viewer's Host reaches API Gateway -> 403", async () => {
        const stack = await serve(
            broken(dev, TYPES.distribution, (state) => {
                apiBehavior(state).originRequestPolicyId = ORIGIN_REQUEST_POLICIES.AllViewer.id;
            }),
        );
        const reply = await call(`${stack.url}/api/hello`);
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.json, { message: "Forbidden" });
    });

    it("caching enabled on the API behavior: Authorization is dropped from GET (401) but kept on POST", async () => {
        const stack = await serve(
            broken(dev, TYPES.distribution, (state) => {
                apiBehavior(state).cachePolicyId = CACHE_POLICIES.CachingOptimized.id;
            }),
        );
        const get = await call(`${stack.url}/api/authorized/x`, { headers: { Authorization: "allow" } });
        assert.equal(get.status, 401);
        assert.deepEqual(get.json, { message: "Unauthorized" });
        const post = await call(`${stack.url}/api/authorized/x`, {
            method: "POST",
            headers: { Authorization: "allow" },
            body: "{}",
        });
        assert.equal(post.status, 200, post.text);
    });

    it("routes not under the forwarded prefix: protected paths fall to the public catch-all, others find no resource", async () => {
        const atRoot = (state: Record<string, any>) => {
            const body = JSON.parse(state.body);
            body.paths = Object.fromEntries(
                Object.entries(body.paths).map(([path, item]) => [path.replace(/^\/api/, ""), item]),
            );
            state.body = JSON.stringify(body);
        };
        const withCatchAll = await serve(broken(dev, TYPES.restApi, atRoot));
        const bypassed = await call(`${withCatchAll.url}/api/authorized/x`);
        assert.equal(bypassed.status, 200, "the authorizer never runs: /{proxy+} serves /api/authorized/x");
        assert.equal(bypassed.json.resource, "/{proxy+}");
        assert.equal(bypassed.json.requestContext.authorizer, null);

        const withoutCatchAll = await serve(
            broken(dev, TYPES.restApi, (state) => {
                atRoot(state);
                const body = JSON.parse(state.body);
                delete body.paths["/{proxy+}"];
                state.body = JSON.stringify(body);
            }),
        );
        const missing = await call(`${withoutCatchAll.url}/api/authorized/x`, { headers: { Authorization: "allow" } });
        assert.equal(missing.status, 404);
        assert.deepEqual(missing.json, { message: "Missing Authentication Token" });
    });

    it("the API origin without its custom header, or a key outside the stage's usage plan: 403 Forbidden", async () => {
        for (const graph of [
            broken(dev, TYPES.distribution, (state) => {
                delete state.origins.find((o: any) => o.originId === apiBehavior(state).targetOriginId).customHeaders;
            }),
            broken(dev, TYPES.usagePlan, (state) => {
                state.apiStages = [{ ...state.apiStages[0], stage: "another-stage" }];
            }),
            broken(dev, TYPES.apiKey, (state) => {
                state.enabled = false;
            }),
        ]) {
            const stack = await serve(graph);
            const reply = await call(`${stack.url}/api/hello`);
            assert.equal(reply.status, 403, reply.text);
            assert.deepEqual(reply.json, { message: "Forbidden" });
        }
    });

    it("a bucket policy for another distribution: S3 refuses CloudFront -> 403 AccessDenied", async () => {
        const stack = await serve(
            broken(dev, TYPES.bucketPolicy, (state) => {
                state.policy = state.policy.replace(/distribution\/[A-Z0-9]+/, "distribution/EOTHERDISTRIBUTION");
            }),
        );
        const reply = await call(`${stack.url}/`);
        assert.equal(reply.status, 403);
        assert.match(reply.text, /<Code>AccessDenied<\/Code>/);
    });

    it("an unknown managed policy id, an unpublished Lambda@Edge version or one outside us-east-1 is refused at start-up", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        await assert.rejects(
            startLocalStack({
                graph: broken(dev, TYPES.distribution, (state) => {
                    apiBehavior(state).cachePolicyId = "11111111-2222-3333-4444-555555555555";
                }),
                port: 0,
                directPort: 0,
            }),
            /cache policy 11111111-2222-3333-4444-555555555555/,
        );
        const edge = await graphOf({ pathRewriter: "lambda-edge" });
        await assert.rejects(
            startLocalStack({
                graph: broken(edge, TYPES.distribution, (state) => {
                    const association = apiBehavior(state).lambdaFunctionAssociations[0];
                    association.lambdaArn = association.lambdaArn.replace(/:\d+$/, ":$LATEST");
                }),
                port: 0,
                directPort: 0,
            }),
            /no published Lambda version has the ARN .*:\$LATEST/,
        );
        await assert.rejects(
            startLocalStack({
                graph: broken(edge, TYPES.lambdaFunction, (state, resource) => {
                    if (resource.name.startsWith("edge-rewriter")) {
                        state.region = "eu-west-1";
                    }
                }),
                port: 0,
                directPort: 0,
            }),
            /Lambda@Edge function edge-rewriter-function is in eu-west-1; it must be in us-east-1/,
        );
    });

    it("a failing Lambda@Edge function: CloudFront answers 503 with its page", async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const edge = await graphOf({ pathRewriter: "lambda-edge" });
        const stack = await serve(
            broken(edge, TYPES.lambdaFunction, (state, resource) => {
                if (resource.name.startsWith("edge-rewriter")) {
                    state.code = {
                        kind: "archive",
                        assets: {
                            "index.js": {
                                kind: "string",
                                text: "exports.handler = async () => { throw new Error('boom'); };",
                            },
                        },
                    };
                }
            }),
        );
        const reply = await call(`${stack.url}/api/hello`);
        assert.equal(reply.status, 503);
        assert.match(reply.text, /The Lambda function associated with the CloudFront distribution is invalid/);
    });

    it("a malformed Lambda proxy result: 502 Internal server error", async () => {
        const stack = await serve(
            broken(dev, TYPES.lambdaFunction, (state, resource) => {
                if (resource.name === "api-echo") {
                    state.code = {
                        kind: "archive",
                        assets: {
                            "index.js": {
                                kind: "string",
                                text: "exports.handler = async () => ({ statusCode: 200, body: { not: 'a string' } });",
                            },
                        },
                    };
                }
            }),
        );
        const reply = await call(`${stack.url}/api/hello`);
        assert.equal(reply.status, 502);
        assert.deepEqual(reply.json, { message: "Internal server error" });
    });
});

describe("local stack: listeners", function () {
    let dev: CapturedStack;

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        dev = await graphOf({});
    });

    it("delays every request by latencyMs on both listeners", async () => {
        const stack = await startLocalStack({ graph: dev, port: 0, directPort: 0, latencyMs: 150 });
        try {
            const direct = { headers: { "x-api-key": originKey(stack) } };
            for (const [url, init] of [
                [`${stack.url}/config.json`, {}],
                [`${stack.directUrl}/dev/api/hello`, direct],
            ] as const) {
                const started = Date.now();
                assert.equal((await call(url, init)).status, 200);
                assert.ok(Date.now() - started >= 150, `${url} took ${Date.now() - started} ms`);
            }
        } finally {
            await stack.close();
        }
    });

    it("refuses a port in use, naming it and PORT", async () => {
        const first = await startLocalStack({ graph: dev, port: 0, directPort: 0 });
        try {
            const taken = Number(new URL(first.url).port);
            await assert.rejects(
                startLocalStack({ graph: dev, port: taken, directPort: 0 }),
                new RegExp(`Port ${taken} .*already in use.*PORT=`),
            );
            const directTaken = Number(new URL(first.directUrl).port);
            await assert.rejects(
                startLocalStack({ graph: dev, port: 0, directPort: directTaken }),
                new RegExp(`Port ${directTaken} .*already in use`),
            );
        } finally {
            await first.close();
        }
    });

    it("states its fidelity gaps, including this graph's https-only behavior", async () => {
        const stack = await startLocalStack({ graph: dev, port: 0, directPort: 0 });
        await stack.close();
        assert.ok(stack.warnings.some((w) => /No TLS/.test(w)));
        assert.ok(stack.warnings.some((w) => /Behavior "\/api\/\*" is https-only/.test(w)));
    });
});
