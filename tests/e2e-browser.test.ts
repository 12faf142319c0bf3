/**
 * The product's promise, checked in a real browser against the local stack: the console calls the
 * API on its own origin and Chromium sends no CORS preflight, while the very same calls made
 * cross-origin to API Gateway's own endpoint do preflight. Runs for every proxy/rewriter layout.
 */
import * as assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ALLOW_CONTEXT } from "../functions/authorizer";
import { startLocalStack, type LocalStack } from "../local/server";
import {
    apiTargetOf,
    directPathFor,
    directUrlFor,
    echoedPathDirect,
    echoedPathViaSite,
    type ApiTarget,
} from "./browser/api-target";
import { launchChromium } from "./browser/chromium";
import { type CallId, jsonOf, openConsole, runAll, runCall, type ShownResult } from "./browser/console-page";
import { fetchFromPage, type PageFetchResult } from "./browser/page-fetch";
import { watchPageErrors } from "./browser/page-errors";
import { sigV4Headers } from "./browser/sigv4";
import {
    describeRequests,
    markRequests,
    pathOf,
    preflights,
    type RequestMark,
    requestsSince,
} from "./browser/stack-requests";

/** Capturing the program and bundling the site and functions takes seconds, not milliseconds. */
const STACK_START_TIMEOUT_MS = 120_000;

interface Layout {
    readonly name: string;
    readonly config: Record<string, string>;
    /**
     * How a frontend calling API Gateway's own endpoint prefixes the routes: the stage on the
     * execute-api host (`directApiUrl`), the base path on the custom domain (`customDomainUrl`).
     */
    readonly directPrefix: string;
}

const LAYOUTS: readonly Layout[] = [
    { name: "dev stack (direct-stage)", config: {}, directPrefix: "/dev" },
    { name: "lambda-edge path rewriter", config: { pathRewriter: "lambda-edge" }, directPrefix: "/dev" },
    {
        name: "custom domain with a base path",
        config: {
            proxyMode: "custom-domain",
            customDomain: JSON.stringify({
                domainName: "api.example.com",
                hostedZoneName: "example.com",
                basePath: "v1",
            }),
        },
        directPrefix: "/v1",
    },
];

/** The console's routes (site/src/calls.ts), under the config's apiPath. */
const ROUTES = {
    publicGet: "/hello",
    publicPost: "/echo",
    authorized: "/authorized/profile",
    iam: "/iam/whoami",
} as const;

function assertShown(result: ShownResult, status: number): void {
    assert.equal(result.state, "done", `the page shows state ${result.state}:\n${result.text}`);
    assert.equal(result.status, status, `expected HTTP ${status}, the page shows ${result.status}:\n${result.text}`);
}

function assertStatus(result: PageFetchResult, status: number, what: string): void {
    assert.equal(result.status, status, `${what}: expected ${status}, got ${result.status}:\n${result.body}`);
}

/** The calls since `mark` reached the API through the site, and none of them was preflighted. */
function assertSameOriginWithoutPreflight(stack: LocalStack, target: ApiTarget, mark: RequestMark): void {
    const requests = requestsSince(stack, mark);
    const apiCalls = requests.filter(
        (r) => r.listener === "cloudfront" && pathOf(r).startsWith(`${target.config.apiPath}/`),
    );
    assert.ok(apiCalls.length > 0, `no API call reached the site listener:\n${describeRequests(requests)}`);
    assert.deepEqual(preflights(requests), [], `same-origin calls were preflighted:\n${describeRequests(requests)}`);
}

describe("API console in Chromium (local stack)", function () {
    let browser: Browser;

    before(async function () {
        this.timeout(STACK_START_TIMEOUT_MS);
        browser = await launchChromium();
    });

    after(async () => {
        await browser?.close();
    });

    it("fails, naming the install command, when Chromium is missing", async () => {
        await assert.rejects(launchChromium("/nonexistent/chromium"), /apt-get install -y chromium/);
    });

    for (const layout of LAYOUTS) {
        describe(layout.name, function () {
            let stack: LocalStack;
            let target: ApiTarget;
            let context: BrowserContext;
            let page: Page;
            let pageErrors: () => readonly string[];
            /** What the stack logged (request failures, function output) since the last test ended. */
            const stackLog: string[] = [];
            const viewer = (route: string) => `${target.config.apiPath}${route}`;

            before(async function () {
                this.timeout(STACK_START_TIMEOUT_MS);
                stack = await startLocalStack({
                    config: layout.config,
                    port: 0,
                    directPort: 0,
                    log: (line) => stackLog.push(line),
                });
                target = await apiTargetOf(stack);
                // A context per layout: its own preflight cache and connections.
                context = await browser.newContext();
                page = await context.newPage();
                pageErrors = watchPageErrors(page);
            });

            afterEach(function () {
                if (this.currentTest?.state === "failed" && stackLog.length > 0) {
                    console.error(`local stack log (${layout.name}):\n${stackLog.join("\n")}`);
                }
                stackLog.length = 0;
            });

            after(async () => {
                await context?.close();
                await stack?.close();
            });

            /** Opens the console, sets an input, runs one call and checks nothing was preflighted. */
            async function runSameOrigin(id: CallId, inputs: Record<string, string> = {}): Promise<ShownResult> {
                await openConsole(page, stack.url);
                for (const [selector, value] of Object.entries(inputs)) {
                    await page.fill(selector, value);
                }
                const mark = markRequests(stack);
                const result = await runCall(page, id);
                assertSameOriginWithoutPreflight(stack, target, mark);
                return result;
            }

            it("public GET: 200 with the echoed path", async () => {
                const result = await runSameOrigin("public-get");
                assertShown(result, 200);
                const echo = jsonOf(result);
                assert.equal(echo.path, echoedPathViaSite(target, viewer(ROUTES.publicGet)));
                assert.equal(echo.httpMethod, "GET");
                assert.equal(echo.queryStringParameters?.from, "console");
            });

            it("public POST: 200 with the JSON body echoed", async () => {
                const result = await runSameOrigin("public-post");
                assertShown(result, 200);
                const echo = jsonOf(result);
                assert.equal(echo.httpMethod, "POST");
                assert.equal(echo.path, echoedPathViaSite(target, viewer(ROUTES.publicPost)));
                assert.deepEqual(JSON.parse(echo.body), { hello: "world" });
            });

            it("token 'allow': 200 with the authorizer context shown", async () => {
                const result = await runSameOrigin("authorized", { "#token": "allow" });
                assertShown(result, 200);
                const echo = jsonOf(result);
                assert.equal(echo.path, echoedPathViaSite(target, viewer(ROUTES.authorized)));
                assert.equal(echo.requestContext.authorizer?.principalId, ALLOW_CONTEXT.user);
                assert.equal(echo.requestContext.authorizer?.user, ALLOW_CONTEXT.user);
                assert.equal(echo.requestContext.authorizer?.scope, ALLOW_CONTEXT.scope);
            });

            it("token 'deny': 403 explicit deny", async () => {
                const result = await runSameOrigin("authorized", { "#token": "deny" });
                assertShown(result, 403);
                assert.match(jsonOf(result).message, /explicit deny/);
            });

            it("token 'nope': 401 Unauthorized", async () => {
                const result = await runSameOrigin("authorized", { "#token": "nope" });
                assertShown(result, 401);
                assert.equal(jsonOf(result).message, "Unauthorized");
            });

            it("IAM: 200 with the local access key in the identity", async () => {
                const { accessKeyId, secretAccessKey } = target.config.local;
                const result = await runSameOrigin("iam", {
                    "#access-key-id": accessKeyId,
                    "#secret-access-key": secretAccessKey,
                });
                assertShown(result, 200);
                const echo = jsonOf(result);
                assert.equal(echo.path, echoedPathViaSite(target, viewer(ROUTES.iam)));
                assert.match(
                    JSON.stringify(echo.requestContext.identity),
                    new RegExp(`"${accessKeyId}"`),
                    `identity: ${JSON.stringify(echo.requestContext.identity)}`,
                );
            });

            it("IAM with a wrong secret: 403 signature mismatch", async () => {
                const { accessKeyId } = target.config.local;
                const result = await runSameOrigin("iam", {
                    "#access-key-id": accessKeyId,
                    "#secret-access-key": "wrong-secret",
                });
                assertShown(result, 403);
                assert.match(jsonOf(result).message, /signature we calculated does not match/);
            });

            it("Run all: every call answers, none preflighted", async () => {
                await openConsole(page, stack.url);
                await page.fill("#token", "allow");
                await page.fill("#access-key-id", target.config.local.accessKeyId);
                await page.fill("#secret-access-key", target.config.local.secretAccessKey);
                const mark = markRequests(stack);
                const results = await runAll(page);
                for (const [id, result] of Object.entries(results)) {
                    assert.equal(result.status, 200, `${id}: ${result.text}`);
                }
                assertSameOriginWithoutPreflight(stack, target, mark);
                const apiCalls = requestsSince(stack, mark).filter(
                    (r) => r.listener === "cloudfront" && pathOf(r).startsWith(`${target.config.apiPath}/`),
                );
                assert.equal(apiCalls.length, 4, describeRequests(apiCalls));
            });

            it(`the same calls made cross-origin to API Gateway's endpoint (${layout.directPrefix}/...) are preflighted, and succeed`, async () => {
                assert.equal(target.directPrefix, layout.directPrefix);
                assert.ok(
                    directUrlFor(target, viewer(ROUTES.publicGet)).startsWith(
                        `${target.directOrigin}${layout.directPrefix}/`,
                    ),
                );
                await openConsole(page, stack.url);
                const mark = markRequests(stack);
                // A simple GET (no custom header) is the control: CORS lets it through unpreflighted.
                const simple = await fetchFromPage(page, {
                    url: directUrlFor(target, viewer(`${ROUTES.publicGet}?from=cross`)),
                });
                assertStatus(simple, 200, "cross-origin simple GET");
                assert.equal(JSON.parse(simple.body).path, echoedPathDirect(target, viewer(ROUTES.publicGet)));

                const post = await fetchFromPage(page, {
                    url: directUrlFor(target, viewer(ROUTES.publicPost)),
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ hello: "world" }),
                });
                assertStatus(post, 200, "cross-origin JSON POST");
                assert.deepEqual(JSON.parse(JSON.parse(post.body).body), { hello: "world" });

                const authorized = await fetchFromPage(page, {
                    url: directUrlFor(target, viewer(ROUTES.authorized)),
                    headers: { Authorization: "allow" },
                });
                assertStatus(authorized, 200, "cross-origin Authorization GET");
                assert.equal(JSON.parse(authorized.body).requestContext.authorizer?.principalId, ALLOW_CONTEXT.user);

                const iamViewerPath = viewer(`${ROUTES.iam}?x=1`);
                const iam = await fetchFromPage(page, {
                    url: directUrlFor(target, iamViewerPath),
                    headers: sigV4Headers(
                        {
                            host: new URL(target.directOrigin).host,
                            path: directPathFor(target, iamViewerPath),
                            method: "GET",
                            region: target.config.signing.region,
                            service: target.config.signing.service,
                        },
                        target.config.local,
                    ),
                });
                assertStatus(iam, 200, "cross-origin SigV4 GET");
                assert.match(
                    JSON.stringify(JSON.parse(iam.body).requestContext.identity),
                    new RegExp(target.config.local.accessKeyId),
                );

                const requests = requestsSince(stack, mark);
                const preflightedPaths = preflights(requests, "direct").map(pathOf).sort();
                const expected = [ROUTES.publicPost, ROUTES.authorized, ROUTES.iam]
                    .map((route) => directPathFor(target, viewer(route)))
                    .sort();
                assert.deepEqual(
                    preflightedPaths,
                    expected,
                    `one preflight per non-simple call:\n${describeRequests(requests)}`,
                );
                assert.deepEqual(preflights(requests, "cloudfront"), [], describeRequests(requests));
            });

            it("a deep link renders the console, while API paths keep the API's JSON answers", async () => {
                const deepLink = await openConsole(page, stack.url, "/orders/42");
                assert.equal(deepLink?.status(), 200);
                assert.equal(await page.locator("#run-all").isEnabled(), true);

                // The public catch-all route answers any unknown path under apiPath, on AWS too: what
                // matters is that the API, not the SPA's index.html, answers it.
                const unknown = await fetchFromPage(page, { url: viewer("/definitely/missing") });
                assertStatus(unknown, 200, `GET ${viewer("/definitely/missing")}`);
                assert.equal(JSON.parse(unknown.body).resource, `${target.routeBase}/{proxy+}`);

                // A real API 404 (an unsigned IAM call: MISSING_AUTHENTICATION_TOKEN, mapped to 404)
                // stays a JSON 404 instead of becoming index.html with 200.
                const missing = await fetchFromPage(page, { url: viewer("/iam/definitely/missing") });
                assertStatus(missing, 404, `GET ${viewer("/iam/definitely/missing")}`);
                assert.match(missing.contentType ?? "", /json/, `content type ${missing.contentType}: ${missing.body}`);
                assert.equal(JSON.parse(missing.body).message, "Missing Authentication Token");
            });

            // Last on purpose: it covers everything the page did in this layout's tests.
            it("raised no uncaught error and logged no unexpected console error", () => {
                assert.deepEqual(pageErrors(), []);
            });
        });
    }
});
