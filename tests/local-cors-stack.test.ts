/**
 * Edge CORS (config key `cors`) through the local stack, over real HTTP: the viewer-request
 * CloudFront Function answers preflights on the API and backend behaviors, so none reaches API
 * Gateway or a backend; the response headers policy puts the allowed origin (and credentials,
 * exposed headers) on actual responses, API Gateway's errors included, and nothing on a foreign
 * origin's. Expected headers are written out from the config below, not computed by the code under
 * test. The checks are shown failing on broken copies of the graph at the end.
 *
 * That the policy's headers reach error responses and are not added to what a function generated
 * is the emulation's reading of pages that do not say (local/cloudfront/cors.ts, docs/cors.md).
 */
import * as assert from "node:assert/strict";
import type { CapturedStack } from "../capture/capture";
import { cloudFrontFunctionByArn } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { type LocalStack, startLocalStack } from "../local/server";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";
import { type RecordingServer, startRecordingServer } from "./support/recording-server";
import { call, type Reply } from "./support/fetch-reply";

const PARTNER = "https://partner.example.com";
const DEV_SERVER = "http://localhost:5173";
const FOREIGN = "https://elsewhere.example.net";
const CORS = { allowOrigins: [PARTNER, DEV_SERVER], allowCredentials: true, exposeHeaders: ["x-amzn-requestid"] };
/** One backend served by a local server (/billing), one without (/reports). */
const BACKENDS = [
    { path: "/billing", url: "https://billing.example.com" },
    { path: "/reports", url: "https://reports.example.com" },
];
const CONFIG = { cors: JSON.stringify(CORS), backends: JSON.stringify(BACKENDS) };

/** What an allowed origin's preflight is told: the config above, the API behaviors' methods, the default headers and max age. */
const PREFLIGHT_HEADERS = {
    "access-control-allow-origin": PARTNER,
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET, HEAD, PUT, POST, PATCH, DELETE",
    "access-control-allow-headers":
        "authorization, content-type, x-amz-date, x-amz-security-token, x-amz-content-sha256",
    "access-control-max-age": "600",
};

/** What an allowed origin's actual response carries. */
const RESPONSE_HEADERS = {
    "access-control-allow-origin": PARTNER,
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "x-amzn-requestid",
};

/** Every Access-Control-* header of a response, by lower-case name. */
function corsHeaders(reply: Reply): Record<string, string> {
    const found: Record<string, string> = {};
    reply.headers.forEach((value, name) => {
        if (name.startsWith("access-control-")) {
            found[name] = value;
        }
    });
    return found;
}

function preflight(origin: string, method = "POST"): RequestInit {
    return {
        method: "OPTIONS",
        headers: {
            Origin: origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    };
}

/** The stack's request log lines, to read what one request met. */
class RequestLog {
    readonly lines: string[] = [];
    readonly write = (line: string) => this.lines.push(line);

    /** The one line logged while `send` ran. */
    async lineOf<T>(send: () => Promise<T>): Promise<{ result: T; line: string }> {
        const before = this.lines.length;
        const result = await send();
        const logged = this.lines.slice(before);
        assert.equal(logged.length, 1, logged.join("\n"));
        return { result, line: logged[0] };
    }
}

/** The name of the CloudFront Function on a behavior, read from the graph. */
function viewerFunctionOf(graph: CapturedStack, pattern: string): string {
    const distribution = graph.resources.find((r) => r.type === TYPES.distribution)!.state;
    const behavior = distribution.orderedCacheBehaviors.find((b: any) => b.pathPattern === pattern);
    const [association] = behavior.functionAssociations;
    return cloudFrontFunctionByArn(graph, association.functionArn)!.name;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * An allowed origin's preflight answered by the behavior's CloudFront Function: 204, exactly the
 * preflight headers, `Vary: Origin`, and a log line that reached no origin.
 */
function assertPreflightAtEdge(reply: Reply, line: string, path: string, pattern: string, fn: string): void {
    assert.equal(reply.status, 204, reply.text);
    assert.deepEqual(corsHeaders(reply), PREFLIGHT_HEADERS);
    assert.equal(reply.headers.get("vary"), "Origin");
    assert.equal(reply.text, "");
    assert.match(
        line,
        new RegExp(
            `^cloudfront OPTIONS ${escaped(path)} \\[${escaped(pattern)}\\] -> answered by CloudFront Function ${escaped(fn)}: 204 in \\d+ ms$`,
        ),
    );
}

/** An allowed origin's actual response: the policy's headers, and the exposed header there to read. */
function assertAllowed(reply: Reply, status: number): void {
    assert.equal(reply.status, status, reply.text);
    assert.deepEqual(corsHeaders(reply), RESPONSE_HEADERS);
}

describe("local stack: edge CORS over HTTP (config key cors)", function () {
    let graph: CapturedStack;
    let billing: RecordingServer;
    let stack: LocalStack;
    const log = new RequestLog();
    const api = (route: string) => `${stack.url}/api${route}`;

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
        billing = await startRecordingServer((request) => ({
            status: request.url.startsWith("/billing/missing") ? 404 : 200,
            headers: {
                "Content-Type": "application/json",
                // A backend with CORS of its own: the policy's originOverride replaces it.
                ...(request.url.startsWith("/billing/own-cors") ? { "Access-Control-Allow-Origin": "*" } : {}),
            },
            body: '{"from":"billing"}',
        }));
        stack = await startLocalStack({
            graph,
            port: 0,
            directPort: 0,
            backends: [{ path: "/billing", url: billing.url }],
            requestLog: log.write,
        });
    });

    after(async () => {
        await stack?.close();
        await billing?.close();
    });

    it("an allowed origin's preflight: 204 from the CloudFront Function with the exact headers; API Gateway never sees it", async () => {
        const fn = viewerFunctionOf(graph, "/api/*");
        for (const route of ["/authorized/x", "/hello", "/iam/x"]) {
            const { result, line } = await log.lineOf(() => call(api(route), preflight(PARTNER)));
            assertPreflightAtEdge(result, line, `/api${route}`, "/api/*", fn);
        }
        const { result, line } = await log.lineOf(() => call(api(""), preflight(PARTNER, "GET")));
        assertPreflightAtEdge(result, line, "/api", "/api", viewerFunctionOf(graph, "/api"));
        const recorded = stack.requests.filter((r) => r.method === "OPTIONS");
        assert.deepEqual(
            recorded.map((r) => `${r.listener} ${r.url} ${r.status}`),
            ["/authorized/x", "/hello", "/iam/x", ""].map((route) => `cloudfront /api${route} 204`),
        );
    });

    it("the other allowed origin (a dev server on localhost) is echoed as it is", async () => {
        const reply = await call(api("/hello"), preflight(DEV_SERVER));
        assert.equal(reply.status, 204);
        assert.equal(reply.headers.get("access-control-allow-origin"), DEV_SERVER);
        const actual = await call(api("/hello"), { headers: { Origin: DEV_SERVER } });
        assert.equal(actual.headers.get("access-control-allow-origin"), DEV_SERVER);
    });

    it("a foreign origin's preflight: 403 from the function, without any Access-Control-* header", async () => {
        const { result, line } = await log.lineOf(() => call(api("/authorized/x"), preflight(FOREIGN)));
        assert.equal(result.status, 403);
        assert.deepEqual(corsHeaders(result), {});
        assert.equal(result.text, `CORS preflight refused: origin ${FOREIGN} is not allowed.\n`);
        assert.match(
            line,
            new RegExp(
                `^cloudfront OPTIONS /api/authorized/x \\[/api/\\*\\] -> answered by CloudFront Function ${escaped(viewerFunctionOf(graph, "/api/*"))}: 403 in \\d+ ms$`,
            ),
        );
    });

    it("an OPTIONS that is no preflight (no Access-Control-Request-Method) goes to API Gateway as any request", async () => {
        const { result, line } = await log.lineOf(() =>
            call(api("/hello"), { method: "OPTIONS", headers: { Origin: PARTNER } }),
        );
        assertAllowed(result, 200);
        assert.equal(JSON.parse(result.text).httpMethod, "OPTIONS");
        assert.match(line, /-> api \S+\/dev\/api\/hello, answered by Lambda api-echo: 200/);
    });

    it("an allowed origin's actual responses carry the policy's headers: 200, and API Gateway's 401, 403 and 404", async () => {
        const cases: [what: string, route: string, init: RequestInit, status: number, answeredBy: RegExp][] = [
            ["public route", "/hello", {}, 200, /answered by Lambda api-echo/],
            ["no token", "/authorized/x", {}, 401, /answered by TOKEN authorizer \S+: 401/],
            ["unknown token", "/authorized/x", { headers: { Authorization: "let-me-in" } }, 401, /TOKEN authorizer/],
            ["explicit deny", "/authorized/x", { headers: { Authorization: "deny" } }, 403, /TOKEN authorizer/],
            ["unsigned IAM route", "/iam/x", {}, 404, /answered by API Gateway: 404/],
            ["no resource", "/", {}, 404, /answered by API Gateway: 404/],
        ];
        for (const [what, route, init, status, answeredBy] of cases) {
            const headers = { ...(init.headers as Record<string, string>), Origin: PARTNER };
            const { result, line } = await log.lineOf(() => call(api(route), { ...init, headers }));
            assertAllowed(result, status);
            assert.match(line, answeredBy, what);
            assert.ok(result.headers.get("x-amzn-requestid"), `${what}: the exposed header is there to read`);
            if (status !== 200) {
                assert.ok(JSON.parse(result.text).message, `${what}: API Gateway's JSON error body: ${result.text}`);
            }
        }
    });

    it("a foreign origin's actual responses, or a request without Origin, carry no Access-Control-* header", async () => {
        for (const origin of [FOREIGN, undefined]) {
            const headers: Record<string, string> = origin === undefined ? {} : { Origin: origin };
            const ok = await call(api("/hello"), { headers });
            assert.equal(ok.status, 200);
            assert.deepEqual(corsHeaders(ok), {}, String(origin));
            const refused = await call(api("/authorized/x"), { headers });
            assert.equal(refused.status, 401);
            assert.deepEqual(corsHeaders(refused), {}, String(origin));
        }
    });

    it("a backend behavior: its preflight is answered at the edge, its answers carry the headers (its own replaced)", async () => {
        const before = billing.received.length;
        const { result, line } = await log.lineOf(() => call(`${stack.url}/billing/invoices`, preflight(PARTNER)));
        assertPreflightAtEdge(result, line, "/billing/invoices", "/billing/*", viewerFunctionOf(graph, "/billing/*"));
        const foreignPreflight = await call(`${stack.url}/billing/invoices`, preflight(FOREIGN));
        assert.equal(foreignPreflight.status, 403);
        assert.deepEqual(corsHeaders(foreignPreflight), {});
        assert.deepEqual(billing.received.slice(before), [], "no preflight reached the backend");

        const origin = { headers: { Origin: PARTNER } };
        assertAllowed(await call(`${stack.url}/billing/invoices`, origin), 200);
        assertAllowed(await call(`${stack.url}/billing/missing`, origin), 404);
        assertAllowed(await call(`${stack.url}/billing/own-cors`, origin), 200);
        assert.deepEqual(
            corsHeaders(await call(`${stack.url}/billing/invoices`, { headers: { Origin: FOREIGN } })),
            {},
        );
    });

    it("CloudFront's own error page (an unmapped backend's 502) carries none: the emulation's reading", async () => {
        const reply = await call(`${stack.url}/reports/x`, { headers: { Origin: PARTNER } });
        assert.equal(reply.status, 502);
        assert.deepEqual(corsHeaders(reply), {});
    });
});

describe("local stack: edge CORS on a throttled stage", function () {
    let stack: LocalStack;

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        stack = await startLocalStack({
            graph: await graphOf({
                cors: JSON.stringify(CORS),
                throttle: JSON.stringify({ rateLimit: 1, burstLimit: 1 }),
            }),
            port: 0,
            directPort: 0,
        });
    });

    after(async () => {
        await stack?.close();
    });

    it("API Gateway's 429 carries the allowed origin's headers too", async () => {
        const replies = await Promise.all(
            Array.from({ length: 4 }, () => call(`${stack.url}/api/hello`, { headers: { Origin: PARTNER } })),
        );
        const throttled = replies.filter((r) => r.status === 429);
        assert.ok(throttled.length >= 2, replies.map((r) => r.status).join(" "));
        for (const reply of throttled) {
            assertAllowed(reply, 429);
            assert.deepEqual(JSON.parse(reply.text), { message: "Too Many Requests" });
        }
    });
});

describe("local stack: the edge CORS checks fail on a broken graph", function () {
    let graph: CapturedStack;
    let open: LocalStack[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await graphOf(CONFIG);
    });

    afterEach(async () => {
        await Promise.all(open.map((s) => s.close()));
        open = [];
    });

    async function serve(copy: CapturedStack, log?: RequestLog): Promise<LocalStack> {
        const stack = await startLocalStack({ graph: copy, port: 0, directPort: 0, requestLog: log?.write });
        open.push(stack);
        return stack;
    }

    const apiBehavior = (state: Record<string, any>) =>
        state.orderedCacheBehaviors.find((b: any) => b.pathPattern === "/api/*");

    it("without the viewer function, the preflight reaches API Gateway: the edge check fails", async () => {
        const fn = viewerFunctionOf(graph, "/api/*");
        const log = new RequestLog();
        const stack = await serve(
            broken(graph, TYPES.distribution, (state) => {
                apiBehavior(state).functionAssociations = [];
            }),
            log,
        );
        const { result, line } = await log.lineOf(() => call(`${stack.url}/api/authorized/x`, preflight(PARTNER)));
        assert.match(line, /-> api \S+execute-api\S+, answered by/, "it reached API Gateway");
        assert.throws(() => assertPreflightAtEdge(result, line, "/api/authorized/x", "/api/*", fn));
    });

    it("without the response headers policy, API Gateway's 401 has no CORS header: the actual-response check fails", async () => {
        const stack = await serve(
            broken(graph, TYPES.distribution, (state) => {
                delete apiBehavior(state).responseHeadersPolicyId;
            }),
        );
        const reply = await call(`${stack.url}/api/authorized/x`, { headers: { Origin: PARTNER } });
        assert.equal(reply.status, 401);
        assert.throws(() => assertAllowed(reply, 401), /access-control-allow-origin/);
    });

    it("a policy allowing another origin: the partner's responses carry nothing, and the check fails", async () => {
        const stack = await serve(
            broken(graph, TYPES.responseHeadersPolicy, (state) => {
                if (state.corsConfig !== undefined) {
                    state.corsConfig.accessControlAllowOrigins.items = ["https://someone-else.example.com"];
                }
            }),
        );
        const reply = await call(`${stack.url}/api/hello`, { headers: { Origin: PARTNER } });
        assert.deepEqual(corsHeaders(reply), {});
        assert.throws(() => assertAllowed(reply, 200), /access-control-allow-origin/);
    });
});
