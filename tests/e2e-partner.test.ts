/**
 * A partner's page on another origin calls the API and a backend through the local stack in
 * Chromium (config key `cors`): every preflight the browser sends is answered at the edge by the
 * behavior's CloudFront Function, none reaches API Gateway or the backend, and the page reads every
 * answer, API Gateway's 401 included. A page on an origin the config does not allow reads nothing.
 *
 * The partner page is served by a local server on its own port: `http://127.0.0.1:<partner port>`
 * is another origin than the stack's `http://127.0.0.1:<stack port>` (an origin is scheme, host and
 * port: https://fetch.spec.whatwg.org/#concept-origin), and a `localhost` origin may be allowed over
 * plain HTTP (core/cors.ts), so the partner's origin goes into the stack's config before capture.
 */
import * as assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import type { CapturedStack } from "../capture/capture";
import { TYPES } from "../capture/types";
import { DEMO_IDENTITY } from "../functions/authorizer";
import { type LocalStack, startLocalStack } from "../local/server";
import { launchChromium } from "./browser/chromium";
import { describeRequests, markRequests, preflights, requestsSince } from "./browser/stack-requests";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";
import { type RecordingServer, startRecordingServer } from "./support/recording-server";

/** One call the partner page makes, and what it saw. */
interface PageCallResult {
    readonly name: string;
    /** Set when the response was readable. */
    readonly status?: number;
    readonly body?: string;
    /** The backend's header, readable only when the policy exposes it. */
    readonly backendReply?: string | null;
    /** The fetch's rejection when the browser hid the response (a CORS failure is a TypeError). */
    readonly error?: string;
}

/**
 * The partner's page: on load it calls the stack named by `?api=` cross-origin, one call after the
 * other, and leaves what it read in `window.partnerResults`. Every call sends something that makes
 * Chromium preflight (Authorization, or a JSON body), with credentials as a signed-in partner would.
 */
const PARTNER_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Partner</title></head>
<body><h1>A partner's page</h1>
<script>
const api = new URLSearchParams(location.search).get("api");
const calls = [
    { name: "token route", path: "/api/authorized/profile", init: { headers: { Authorization: "allow" } } },
    {
        name: "JSON POST",
        path: "/api/echo",
        init: { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ order: 42 }) },
    },
    { name: "refused token", path: "/api/authorized/profile", init: { headers: { Authorization: "not-a-token" } } },
    { name: "backend", path: "/billing/invoices?status=open", init: { headers: { Authorization: "Bearer partner" } } },
    { name: "simple GET", path: "/api/hello", init: {} },
];
(async () => {
    const results = [];
    for (const call of calls) {
        try {
            const response = await fetch(api + call.path, { ...call.init, credentials: "include", cache: "no-store" });
            results.push({
                name: call.name,
                status: response.status,
                body: await response.text(),
                backendReply: response.headers.get("x-backend-reply"),
            });
        } catch (error) {
            results.push({ name: call.name, error: String(error) });
        }
    }
    window.partnerResults = results;
})();
</script>
</body></html>
`;

const BACKENDS = [{ path: "/billing", url: "https://billing.example.com/prod", stripPath: true }];

/** The request log lines of OPTIONS requests that reached an origin (an API Gateway stage or a backend) instead of the edge answering. */
function preflightsPastTheEdge(lines: readonly string[]): string[] {
    return lines.filter(
        (line) => / OPTIONS /.test(line) && !/ -> answered by CloudFront Function \S+: \d{3} /.test(line),
    );
}

describe("a partner page on another origin, in Chromium (edge CORS)", function () {
    let browser: Browser;
    let partner: RecordingServer;
    let foreign: RecordingServer;
    let billing: RecordingServer;
    let graph: CapturedStack;
    let partnerOrigin: string;
    const open: LocalStack[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        browser = await launchChromium();
        const page = () => ({
            status: 200,
            headers: { "Content-Type": "text/html; charset=utf-8" },
            body: PARTNER_PAGE,
        });
        partner = await startRecordingServer(page);
        foreign = await startRecordingServer(page);
        billing = await startRecordingServer(() => ({
            status: 200,
            headers: { "Content-Type": "application/json", "X-Backend-Reply": "from-billing" },
            body: '{"invoices":[]}',
        }));
        partnerOrigin = `http://localhost:${partner.port}`;
        graph = await graphOf({
            cors: JSON.stringify({
                allowOrigins: [partnerOrigin],
                allowCredentials: true,
                exposeHeaders: ["x-backend-reply"],
            }),
            backends: JSON.stringify(BACKENDS),
        });
    });

    after(async () => {
        await Promise.all(open.map((s) => s.close()));
        await browser?.close();
        await Promise.all([partner?.close(), foreign?.close(), billing?.close()]);
    });

    /** Starts a stack on `copy` with the backend mapped, its request log kept. */
    async function serve(copy: CapturedStack): Promise<{ stack: LocalStack; requestLog: string[] }> {
        const requestLog: string[] = [];
        const stack = await startLocalStack({
            graph: copy,
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: billing.url }],
            requestLog: (line) => requestLog.push(line),
        });
        open.push(stack);
        return { stack, requestLog };
    }

    /** Loads the page from `origin` in a fresh browser context, pointed at `stack`, and returns what it read. */
    async function runPage(origin: string, stack: LocalStack): Promise<Record<string, PageCallResult>> {
        const context: BrowserContext = await browser.newContext();
        try {
            const page = await context.newPage();
            await page.goto(`${origin}/?api=${encodeURIComponent(stack.url)}`);
            await page.waitForFunction(() => (window as any).partnerResults !== undefined);
            const results: PageCallResult[] = await page.evaluate(() => (window as any).partnerResults);
            return Object.fromEntries(results.map((result) => [result.name, result]));
        } finally {
            await context.close();
        }
    }

    it("the allowed partner reads every answer, a 401 included, and no preflight reaches API Gateway or the backend", async () => {
        const { stack, requestLog } = await serve(graph);
        const mark = markRequests(stack);
        const billingBefore = billing.received.length;
        const read = await runPage(partnerOrigin, stack);

        const token = read["token route"];
        assert.equal(token.status, 200, JSON.stringify(token));
        assert.equal(JSON.parse(token.body!).requestContext.authorizer.sub, DEMO_IDENTITY.sub);
        const post = read["JSON POST"];
        assert.equal(post.status, 200, JSON.stringify(post));
        assert.equal(JSON.parse(post.body!).body, '{"order":42}');
        const refused = read["refused token"];
        assert.equal(refused.status, 401, JSON.stringify(refused));
        assert.deepEqual(JSON.parse(refused.body!), { message: "Unauthorized" });
        const backend = read["backend"];
        assert.equal(backend.status, 200, JSON.stringify(backend));
        assert.equal(backend.body, '{"invoices":[]}');
        assert.equal(backend.backendReply, "from-billing", "the exposed header is readable");
        assert.equal(read["simple GET"].status, 200, JSON.stringify(read["simple GET"]));

        // The browser did preflight: one per URL its non-simple calls went to (Chromium reuses a
        // preflight's answer for the same URL within Access-Control-Max-Age), all at the edge.
        const requests = requestsSince(stack, mark);
        const preflighted = preflights(requests, "cloudfront");
        assert.deepEqual(
            [...new Set(preflighted.map((r) => r.url))].sort(),
            ["/api/authorized/profile", "/api/echo", "/billing/invoices?status=open"],
            describeRequests(requests),
        );
        assert.ok(
            preflighted.every((r) => r.headers.origin === partnerOrigin && r.status === 204),
            describeRequests(requests),
        );
        assert.deepEqual(preflights(requests, "direct"), []);
        assert.deepEqual(preflightsPastTheEdge(requestLog), [], requestLog.join("\n"));
        assert.deepEqual(
            billing.received.slice(billingBefore).map((r) => `${r.method} ${r.url}`),
            ["GET /prod/invoices?status=open"],
            "the backend got the call, not its preflight",
        );
        // The calls themselves went through the distribution, each with the partner's Origin.
        const actual = requests.filter((r) => r.method !== "OPTIONS");
        assert.equal(actual.length, 5, describeRequests(requests));
        assert.ok(actual.every((r) => r.listener === "cloudfront" && r.headers.origin === partnerOrigin));
    });

    it("a page on an origin the config does not allow reads nothing, and its preflights stop at the edge too", async () => {
        const { stack, requestLog } = await serve(graph);
        const foreignOrigin = `http://localhost:${foreign.port}`;
        const mark = markRequests(stack);
        const read = await runPage(foreignOrigin, stack);

        for (const result of Object.values(read)) {
            assert.equal(result.status, undefined, JSON.stringify(result));
            assert.match(result.error ?? "", /^TypeError: Failed to fetch/, result.name);
        }
        const requests = requestsSince(stack, mark);
        const preflighted = preflights(requests, "cloudfront");
        assert.ok(preflighted.length > 0, `the browser sent no preflight:\n${describeRequests(requests)}`);
        assert.ok(
            preflighted.every((r) => r.headers.origin === foreignOrigin && r.status === 403),
            describeRequests(requests),
        );
        assert.deepEqual(preflightsPastTheEdge(requestLog), [], requestLog.join("\n"));
        // A simple GET needs no preflight: it reaches the API, and the browser hides the answer.
        assert.ok(
            requests.some((r) => r.method === "GET" && r.url === "/api/hello" && r.status === 200),
            describeRequests(requests),
        );
    });

    it("the checks fail on a broken graph: without the viewer functions preflights reach API Gateway, without the policy nothing is readable", async () => {
        const apiBehaviors = (state: Record<string, any>) =>
            state.orderedCacheBehaviors.filter((b: any) => b.pathPattern.startsWith("/api"));
        const withoutFunctions = await serve(
            broken(graph, TYPES.distribution, (state) => {
                for (const behavior of apiBehaviors(state)) {
                    behavior.functionAssociations = [];
                }
            }),
        );
        await runPage(partnerOrigin, withoutFunctions.stack);
        assert.notDeepEqual(preflightsPastTheEdge(withoutFunctions.requestLog), []);

        const withoutPolicy = await serve(
            broken(graph, TYPES.distribution, (state) => {
                for (const behavior of state.orderedCacheBehaviors) {
                    delete behavior.responseHeadersPolicyId;
                }
            }),
        );
        const read = await runPage(partnerOrigin, withoutPolicy.stack);
        for (const result of Object.values(read)) {
            assert.match(result.error ?? "", /^TypeError: Failed to fetch/, JSON.stringify(result));
        }
    });
});
