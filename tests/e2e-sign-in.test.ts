/**
 * Sign-in in a real browser against the local stack with Cognito sign-in (the prod stack's auth):
 * the console signs in through the stand-in issuer's own pages (authorization code + PKCE), shows
 * who is signed in, calls the token route with the access token without a preflight, and signs out.
 */
import * as assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startLocalStack, type LocalStack } from "../local/server";
import { launchChromium } from "./browser/chromium";
import { jsonOf, openConsole, runCall } from "./browser/console-page";
import { type PageErrorWatch, watchPageErrors } from "./browser/page-errors";
import { markRequests, preflights, requestsSince } from "./browser/stack-requests";
import { CAPTURE_TIMEOUT_MS } from "./support/graphs";

const COGNITO = { auth: JSON.stringify({ provider: "cognito" }) };

describe("sign-in in Chromium (local stack, Cognito through the stand-in issuer)", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let browser: Browser;
    let stack: LocalStack;
    let context: BrowserContext;
    let page: Page;
    let pageErrors: PageErrorWatch;

    before(async () => {
        browser = await launchChromium();
        stack = await startLocalStack({ config: COGNITO, port: 0, directPort: 0, issuerPort: 0 });
        context = await browser.newContext();
        page = await context.newPage();
        pageErrors = watchPageErrors(page);
    });

    afterEach(() => {
        assert.deepEqual(pageErrors.take(), [], "the pages logged errors");
    });

    after(async () => {
        await context?.close();
        await browser?.close();
        await stack?.close();
    });

    const signedInAs = () => page.locator("#signed-in-as").textContent();

    it("starts signed out: Sign in instead of the token field, and the token route refuses the call (401)", async () => {
        await openConsole(page, stack.url);
        assert.equal(await page.locator("#token-field").isHidden(), true);
        assert.equal(await page.locator("#sign-in").isVisible(), true);
        assert.equal(await page.locator("#sign-out").isHidden(), true);
        assert.match((await signedInAs()) ?? "", /Not signed in/);
        const result = await runCall(page, "authorized");
        assert.equal(result.status, 401);
    });

    it("signs in on the issuer's own page (code + PKCE) and comes back signed in", async () => {
        await openConsole(page, stack.url);
        await Promise.all([page.waitForURL(`${stack.issuerUrl}/authorize**`), page.click("#sign-in")]);
        const authorizeUrl = new URL(page.url());
        assert.equal(authorizeUrl.searchParams.get("response_type"), "code");
        assert.equal(authorizeUrl.searchParams.get("code_challenge_method"), "S256");
        assert.ok(authorizeUrl.searchParams.get("code_challenge"), "a PKCE challenge is sent");
        assert.equal(authorizeUrl.searchParams.get("redirect_uri"), `${stack.url}/`);
        await page.fill("#username", "alice");
        await Promise.all([page.waitForURL(`${stack.url}/`), page.click("#sign-in")]);
        await page.waitForSelector('#sign-in-panel[data-signed-in="true"]', { state: "attached" });
        assert.equal(await signedInAs(), "Signed in as alice");
        assert.equal(new URL(page.url()).search, "", "the code and state are gone from the address bar");
    });

    it("sends the access token on the token route, same-origin, without a preflight", async () => {
        const mark = markRequests(stack);
        const result = await runCall(page, "authorized");
        assert.equal(result.status, 200, result.text);
        const context = jsonOf(result).requestContext.authorizer;
        assert.equal(context.username, "alice");
        assert.equal(context.sub, "local-alice");
        assert.match(context.scope, /\bopenid\b/);
        assert.deepEqual(preflights(requestsSince(stack, mark)), []);
        const sent = await page.locator("#result-authorized .sent").textContent();
        assert.match(sent ?? "", /Bearer/, "the sent headers show a bearer token (masked)");
    });

    it("keeps the session on reload, and signs out through the issuer back to the console", async () => {
        await openConsole(page, stack.url);
        assert.equal(await signedInAs(), "Signed in as alice");
        await Promise.all([page.waitForURL(`${stack.url}/`), page.click("#sign-out")]);
        await page.waitForSelector('#sign-in-panel[data-signed-in="false"]', { state: "attached" });
        assert.match((await signedInAs()) ?? "", /Not signed in/);
        assert.equal((await runCall(page, "authorized")).status, 401);
    });
});
