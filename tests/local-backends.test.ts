/**
 * The stack's other backends (config key `backends`) through the local stack, over real HTTP: each
 * `--backend PATH=URL` mapping sends what CloudFront would send the backend's origin to a local
 * server standing in for it. The expected Host and paths are written out from CloudFront's rules:
 * AllViewerExceptHostHeader makes CloudFront send the origin's own domain as Host ("Use managed
 * origin request policies", using-managed-origin-request-policies.html), the origin path is
 * prepended to the request's path ("Origin path", DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath),
 * after the viewer-request function stripped the prefix when the backend asks. Each check is shown
 * failing on a broken copy of the graph at the end.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { CapturedStack } from "../capture/capture";
import { onlyResourceOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { CACHE_POLICIES, ORIGIN_REQUEST_POLICIES } from "../core/cloudfront-policies";
import { forwardToBackend } from "../local/backends";
import { OriginTimeoutError } from "../local/cloudfront/errors";
import { type LocalStack, startLocalStack } from "../local/server";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";
import { type ReceivedRequest, type RecordingServer, startRecordingServer } from "./support/recording-server";
import { call, type Reply } from "./support/fetch-reply";

/** One backend stripped, behind a URL with a path; one kept whole, behind a bare host and a nested prefix. */
const BACKENDS = [
    { path: "/billing", url: "https://billing.example.com/prod", stripPath: true },
    { path: "/v2/orders", url: "https://orders.example.com" },
];
const CONFIG = { backends: JSON.stringify(BACKENDS) };

/** What the backend answers: a status, a header and a body the viewer must get unchanged. */
const BACKEND_ANSWER = {
    status: 201,
    headers: { "Content-Type": "application/json", "X-Backend-Reply": "from-the-backend" },
    body: '{"created":true}',
};

/** What a backend must have received for one request. */
interface Expected {
    readonly method: string;
    /** Path and query, written out: origin path, then the viewer path (stripped or not). */
    readonly url: string;
    readonly host: string;
    readonly authorization?: string;
    readonly body?: string;
}

/** The one request `server` received since `before`, checked against `expected`. */
function assertReceived(server: RecordingServer, before: number, expected: Expected): ReceivedRequest {
    const received = server.received.slice(before);
    assert.equal(received.length, 1, `the backend received ${received.length} requests`);
    const [request] = received;
    assert.equal(request.method, expected.method, "method");
    assert.equal(request.url, expected.url, "path and query");
    assert.equal(request.headers.host, expected.host, "Host: the backend's own");
    assert.equal(request.headers.authorization, expected.authorization, "Authorization");
    assert.equal(request.body, expected.body ?? "", "body");
    return request;
}

/** The viewer got the backend's answer as it was sent, with CloudFront's headers added. */
function assertBackendAnswer(reply: Reply): void {
    assert.equal(reply.status, BACKEND_ANSWER.status, reply.text);
    assert.equal(reply.headers.get("content-type"), BACKEND_ANSWER.headers["Content-Type"]);
    assert.equal(reply.headers.get("x-backend-reply"), BACKEND_ANSWER.headers["X-Backend-Reply"]);
    assert.equal(reply.text, BACKEND_ANSWER.body);
    assert.equal(reply.headers.get("x-cache"), "Miss from cloudfront");
}

/** CloudFront's 502 page for an origin it cannot reach (local/cloudfront/errors.ts). */
function assertCloudFront502(reply: Reply): void {
    assert.equal(reply.status, 502, reply.text);
    assert.equal(reply.headers.get("x-cache"), "Error from cloudfront");
    assert.equal(reply.headers.get("server"), "CloudFront");
    assert.match(reply.text, /<H1>502 ERROR<\/H1>\n<H2>The request could not be satisfied\.<\/H2>/);
}

/** The behavior `pattern` of a distribution's state, and the origin it targets. */
function behaviorAndOrigin(state: Record<string, any>, pattern: string): { behavior: any; origin: any } {
    const behavior = state.orderedCacheBehaviors.find((b: any) => b.pathPattern === pattern);
    return { behavior, origin: state.origins.find((o: any) => o.originId === behavior.targetOriginId) };
}

describe("local stack: backends served by local servers (--backend)", function () {
    let graph: CapturedStack;
    let billing: RecordingServer;
    let orders: RecordingServer;
    let stack: LocalStack;
    const requestLog: string[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
        billing = await startRecordingServer(() => BACKEND_ANSWER);
        orders = await startRecordingServer(() => BACKEND_ANSWER);
        stack = await startLocalStack({
            graph,
            port: 0,
            directPort: 0,
            backends: [
                { path: "/billing", url: billing.url },
                { path: "/v2/orders", url: orders.url },
            ],
            requestLog: (line) => requestLog.push(line),
        });
    });

    after(async () => {
        await stack?.close();
        await billing?.close();
        await orders?.close();
    });

    it("stripPath: the backend gets its own Host, the URL's path then the viewer path without the prefix, the query and Authorization", async () => {
        const before = billing.received.length;
        const reply = await call(`${stack.url}/billing/invoices/7?status=open&status=paid&q=a%20b`, {
            headers: { Authorization: "Bearer partner-token" },
        });
        assertBackendAnswer(reply);
        assertReceived(billing, before, {
            method: "GET",
            url: "/prod/invoices/7?status=open&status=paid&q=a%20b",
            host: "billing.example.com",
            authorization: "Bearer partner-token",
        });
    });

    it("stripPath: the bare prefix reaches the URL's path with a slash", async () => {
        const before = billing.received.length;
        assertBackendAnswer(await call(`${stack.url}/billing`));
        assertReceived(billing, before, { method: "GET", url: "/prod/", host: "billing.example.com" });
    });

    it("without stripPath: a POST reaches the backend with the whole viewer path, its method, body and Authorization", async () => {
        const before = orders.received.length;
        const body = '{"item":"book","quantity":2}';
        const reply = await call(`${stack.url}/v2/orders/items?draft=1`, {
            method: "POST",
            headers: { Authorization: "Bearer partner-token", "Content-Type": "application/json" },
            body,
        });
        assertBackendAnswer(reply);
        const request = assertReceived(orders, before, {
            method: "POST",
            url: "/v2/orders/items?draft=1",
            host: "orders.example.com",
            authorization: "Bearer partner-token",
            body,
        });
        assert.equal(request.headers["content-type"], "application/json");
        assert.equal(request.headers["content-length"], String(Buffer.byteLength(body)));
        const exact = orders.received.length;
        assertBackendAnswer(await call(`${stack.url}/v2/orders`));
        assertReceived(orders, exact, { method: "GET", url: "/v2/orders", host: "orders.example.com" });
    });

    it("CloudFront's own headers reach the backend; the API's origin key does not", async () => {
        const before = billing.received.length;
        await call(`${stack.url}/billing/x`, { headers: { "X-Api-Key": "a-viewer-guess" } });
        const [request] = billing.received.slice(before);
        assert.match(String(request.headers.via), /cloudfront\.net \(CloudFront\)$/);
        assert.ok(request.headers["x-amz-cf-id"], "X-Amz-Cf-Id");
        assert.match(String(request.headers["x-forwarded-for"]), /127\.0\.0\.1/);
        // The API origin's custom header (originLockdown) belongs to that origin alone: the viewer's
        // x-api-key passes (AllViewerExceptHostHeader), the API's key never does.
        assert.equal(request.headers["x-api-key"], "a-viewer-guess");
        const apiKey = String(onlyResourceOfType(graph, TYPES.apiKey).state.value);
        assert.ok(!JSON.stringify(request.rawHeaders).includes(apiKey), "the API's key reached a backend");
    });

    it("the backend's errors reach the viewer as it sent them, not the app", async () => {
        const failing = await startRecordingServer(() => ({
            status: 404,
            headers: { "Content-Type": "text/plain" },
            body: "no such invoice",
        }));
        const own = await startLocalStack({
            graph,
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: failing.url }],
        });
        try {
            const reply = await call(`${own.url}/billing/invoices/404`);
            assert.equal(reply.status, 404);
            assert.equal(reply.headers.get("content-type"), "text/plain");
            assert.equal(reply.text, "no such invoice");
        } finally {
            await own.close();
            await failing.close();
        }
    });

    it("the request log names the backend's origin, the path it reached, the function that set it and the local server", () => {
        const billingLine = requestLog.find((line) => line.includes(" /billing/invoices/7?"));
        assert.match(
            billingLine ?? "",
            new RegExp(
                String.raw`^cloudfront GET /billing/invoices/7\?status=open&status=paid&q=a%20b \[/billing/\*\] -> ` +
                    String.raw`backend-billing billing\.example\.com/prod/invoices/7 \(uri set by CloudFront Function \S+\), ` +
                    `answered by the local backend ${billing.url}: 201 in \\d+ ms$`,
            ),
        );
        const ordersLine = requestLog.find((line) => line.includes(" POST /v2/orders/items"));
        assert.match(
            ordersLine ?? "",
            new RegExp(
                String.raw`^cloudfront POST /v2/orders/items\?draft=1 \[/v2/orders/\*\] -> ` +
                    String.raw`backend-v2-orders orders\.example\.com/v2/orders/items, ` +
                    `answered by the local backend ${orders.url}: 201 in \\d+ ms$`,
            ),
        );
    });
});

describe("local stack: a backend without a local server", function () {
    let graph: CapturedStack;
    let billing: RecordingServer;
    let stack: LocalStack;
    const log: string[] = [];
    const requestLog: string[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
        billing = await startRecordingServer(() => BACKEND_ANSWER);
        stack = await startLocalStack({
            graph,
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: billing.url }],
            log: (line) => log.push(line),
            requestLog: (line) => requestLog.push(line),
        });
    });

    after(async () => {
        await stack?.close();
        await billing?.close();
    });

    it("answers CloudFront's 502 and logs the --backend flag to add, for the prefix and under it", async () => {
        for (const path of ["/v2/orders/items", "/v2/orders"]) {
            const logged = log.length;
            assertCloudFront502(await call(`${stack.url}${path}`));
            assert.deepEqual(log.slice(logged), [
                "CloudFront could not reach origin orders.example.com: orders.example.com is neither a bucket nor an API " +
                    "Gateway host of the program, and no local server stands in for it: " +
                    "npm start -- --backend /v2/orders=http://127.0.0.1:<port>",
            ]);
        }
        assert.match(
            requestLog.at(-1) ?? "",
            /^cloudfront GET \/v2\/orders \[\/v2\/orders\] -> backend-v2-orders orders\.example\.com\/v2\/orders, answered by CloudFront: 502 in \d+ ms$/,
        );
        // The mapped backend still answers.
        assertBackendAnswer(await call(`${stack.url}/billing/x`));
    });

    it("a mapped server that does not answer: CloudFront's 502, and the log names the server", async () => {
        const gone = await startRecordingServer(() => BACKEND_ANSWER);
        await gone.close();
        const own = await startLocalStack({
            graph,
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: gone.url }],
            log: (line) => log.push(line),
        });
        try {
            const logged = log.length;
            assertCloudFront502(await call(`${own.url}/billing/x`));
            assert.match(log.slice(logged).join("\n"), new RegExp(`the local backend ${gone.url} did not answer`));
        } finally {
            await own.close();
        }
    });
});

describe("local stack: --backend for a path the stack does not serve as a backend", function () {
    let graph: CapturedStack;

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
    });

    const refused: [path: string, problem: RegExp][] = [
        [
            "/payments",
            /^--backend \/payments=http:\/\/127\.0\.0\.1:9001: the distribution has no behavior for \/payments \(its prefixes: \/api, \/billing, \/v2\/orders\); add the backend with --config 'backends=\[\{"path":"\/payments","url":"https:\/\/\.\.\."\}\]'$/,
        ],
        [
            "/billing/invoices",
            /^--backend \/billing\/invoices=http:\/\/127\.0\.0\.1:9001: the distribution has no behavior/,
        ],
        ["/v2", /^--backend \/v2=http:\/\/127\.0\.0\.1:9001: the distribution has no behavior/],
        [
            "/api",
            /^--backend \/api=http:\/\/127\.0\.0\.1:9001: \/api is served by API Gateway \(the program's API\), not by a backend; --backend takes a path of the config key backends: \/billing, \/v2\/orders$/,
        ],
    ];
    for (const [path, problem] of refused) {
        it(`${path}: startLocalStack fails naming the flag, the value and the fix`, async () => {
            await assert.rejects(
                startLocalStack({ graph, port: 0, directPort: 0, backends: [{ path, url: "http://127.0.0.1:9001" }] }),
                (error: Error) => {
                    assert.match(error.message, problem);
                    return true;
                },
            );
        });
    }

    it("the same path twice: fails naming both servers", async () => {
        await assert.rejects(
            startLocalStack({
                graph,
                port: 0,
                directPort: 0,
                backends: [
                    { path: "/billing", url: "http://127.0.0.1:9001" },
                    { path: "/billing", url: "http://127.0.0.1:9002" },
                ],
            }),
            /^Error: --backend \/billing=http:\/\/127\.0\.0\.1:9002: \/billing is already served by http:\/\/127\.0\.0\.1:9001; give each backend one --backend$/,
        );
    });
});

describe("local stack: the backend checks fail on a broken graph", function () {
    let graph: CapturedStack;
    let billing: RecordingServer;
    let open: LocalStack[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
        billing = await startRecordingServer(() => BACKEND_ANSWER);
    });

    afterEach(async () => {
        await Promise.all(open.map((s) => s.close()));
        open = [];
    });

    after(async () => {
        await billing?.close();
    });

    /** Serves a broken copy, sends the stripped backend a GET with Authorization, returns the check's failure. */
    async function failureOn(change: (state: Record<string, any>) => void): Promise<assert.AssertionError> {
        const stack = await startLocalStack({
            graph: broken(graph, TYPES.distribution, change),
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: billing.url }],
        });
        open.push(stack);
        const before = billing.received.length;
        await call(`${stack.url}/billing/invoices?x=1`, { headers: { Authorization: "Bearer partner-token" } });
        try {
            assertReceived(billing, before, {
                method: "GET",
                url: "/prod/invoices?x=1",
                host: "billing.example.com",
                authorization: "Bearer partner-token",
            });
        } catch (error) {
            assert.ok(error instanceof assert.AssertionError, String(error));
            return error;
        }
        assert.fail("the check passed on a broken graph");
    }

    it("without the behavior's function, the prefix is not stripped: the path check fails", async () => {
        const failure = await failureOn((state) => {
            behaviorAndOrigin(state, "/billing/*").behavior.functionAssociations = [];
        });
        assert.match(failure.message, /path and query/);
        assert.equal(failure.actual, "/prod/billing/invoices?x=1");
    });

    it("without the origin path, the URL's path is lost: the path check fails", async () => {
        const failure = await failureOn((state) => {
            behaviorAndOrigin(state, "/billing/*").origin.originPath = "";
        });
        assert.equal(failure.actual, "/invoices?x=1");
    });

    it("with AllViewer, the viewer's Host reaches the backend: the Host check fails", async () => {
        const failure = await failureOn((state) => {
            behaviorAndOrigin(state, "/billing/*").behavior.originRequestPolicyId =
                ORIGIN_REQUEST_POLICIES.AllViewer.id;
        });
        assert.match(failure.message, /Host: the backend's own/);
        assert.match(String(failure.actual), /^localhost:\d+$/);
    });

    it("with caching on, CloudFront drops Authorization from a GET: the Authorization check fails", async () => {
        const failure = await failureOn((state) => {
            behaviorAndOrigin(state, "/billing/*").behavior.cachePolicyId = CACHE_POLICIES.CachingOptimized.id;
        });
        assert.match(failure.message, /Authorization/);
        assert.equal(failure.actual, undefined);
    });

    it("the answer check fails on another status, header or body", () => {
        const good: Reply = {
            status: 201,
            headers: new Headers(BACKEND_ANSWER.headers),
            text: BACKEND_ANSWER.body,
            json: JSON.parse(BACKEND_ANSWER.body),
        };
        const withCache = new Headers(good.headers);
        withCache.set("x-cache", "Miss from cloudfront");
        assertBackendAnswer({ ...good, headers: withCache });
        assert.throws(() => assertBackendAnswer({ ...good, headers: withCache, status: 200 }));
        assert.throws(() => assertBackendAnswer({ ...good, headers: withCache, text: "{}" }));
        const without = new Headers(withCache);
        without.delete("x-backend-reply");
        assert.throws(() => assertBackendAnswer({ ...good, headers: without }));
    });
});

describe("local backends: a local server that does not answer", () => {
    it("is given up on after the timeout, as CloudFront gives up on an origin (then answering 504)", async () => {
        const silent = http.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
        try {
            const request = {
                method: "GET",
                path: "/slow",
                query: "",
                headers: [["Host", "billing.example.com"]] as [string, string][],
                body: Buffer.alloc(0),
                clientIp: "127.0.0.1",
            };
            await assert.rejects(
                forwardToBackend(url, request, 200),
                (error) => error instanceof OriginTimeoutError && /did not answer within 200 ms/.test(error.message),
            );
        } finally {
            silent.closeAllConnections();
            await new Promise((resolve) => silent.close(resolve));
        }
    });
});

describe("local stack: two backends on one host (two stages of one API)", function () {
    const SHARED_HOST = [
        { path: "/billing", url: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod" },
        { path: "/reports", url: "https://abc123.execute-api.eu-west-1.amazonaws.com/reports" },
    ];
    let billing: RecordingServer;
    let stack: LocalStack;

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        billing = await startRecordingServer(() => BACKEND_ANSWER);
        // Only /billing is mapped: /reports, on the same host, must not reach /billing's server.
        stack = await startLocalStack({
            graph: await graphOf({ backends: JSON.stringify(SHARED_HOST) }),
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: billing.url }],
            requestLog: () => undefined,
        });
    });

    after(async () => {
        await stack?.close();
        await billing?.close();
    });

    it("each backend's traffic goes to its own mapping: the mapped one's server, the unmapped one CloudFront's 502", async () => {
        const before = billing.received.length;
        assertBackendAnswer(await call(`${stack.url}/billing/invoices`));
        assertReceived(billing, before, {
            method: "GET",
            url: "/prod/billing/invoices",
            host: "abc123.execute-api.eu-west-1.amazonaws.com",
        });
        const unmapped = await call(`${stack.url}/reports/monthly`);
        assert.equal(unmapped.status, 502);
        assert.equal(billing.received.length, before + 1, "the unmapped backend's request reached no local server");
    });
});
