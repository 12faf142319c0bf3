/**
 * The local stack answers as AWS does where a client's request is unusual, over real HTTP (bytes
 * written on a TCP connection, so nothing is normalized or refused on the client side): dot segments
 * in the path, requests over CloudFront's and API Gateway's size limits, methods Node's parser does
 * not know, and the headers the API receives through CloudFront. Each test names the AWS document it
 * follows.
 */
import * as assert from "node:assert/strict";
import { CapturedStack, captureStack } from "../capture/capture";
import { onlyResourceOfType } from "../capture/lookups";
import { TYPES } from "../capture/types";
import { API_ORIGIN_ID, SITE_ORIGIN_ID } from "../infra/site-distribution";
import { normalizedPath } from "../local/cloudfront/behaviors";
import { LocalStack, startLocalStack } from "../local/server";
import { rawExchange, RawReply, requestHead } from "./support/raw-http";

/** Capturing runs the program and bundles the site and functions: seconds. */
const CAPTURE_TIMEOUT_MS = 120_000;
const METHOD_PAGE =
    /This distribution is not configured to allow the HTTP request method that was used for this request/;

describe("local CloudFront: path normalization (RFC 3986 section 5.2.4 and 6)", () => {
    // RFC 3986 section 5.2.4's own example, and the two spellings the CloudFront Developer Guide names.
    const table: [path: string, normalized: string][] = [
        ["/a/b/c/./../../g", "/a/g"],
        ["/x/../api/hello", "/api/hello"],
        ["/api/../index.html", "/index.html"],
        ["//api//hello", "/api/hello"],
        ["/a/b/..", "/a/"],
        ["/..", "/"],
        ["/x/%2e%2E/api/hello", "/api/hello"],
        ["/%7Euser/%41", "/~user/A"],
        ["/api/x%2Fy", "/api/x%2Fy"],
        ["/api/hello", "/api/hello"],
    ];
    for (const [path, normalized] of table) {
        it(`${path} is matched as ${normalized}`, () => {
            assert.equal(normalizedPath(path), normalized);
        });
    }
});

describe("local stack: as AWS answers unusual requests", function () {
    let graph: CapturedStack;
    let stack: LocalStack;
    let sitePort: number;
    let directPort: number;
    let apiHost: string;
    let siteHost: string;
    const logged: string[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await captureStack({});
        stack = await startLocalStack({ graph, port: 0, directPort: 0, requestLog: (line) => logged.push(line) });
        sitePort = Number(new URL(stack.url).port);
        directPort = Number(new URL(stack.directUrl).port);
        const origins: { originId: string; domainName: string }[] = graph.resources.find(
            (r) => r.type === TYPES.distribution,
        )!.state.origins;
        apiHost = origins.find((o) => o.originId === API_ORIGIN_ID)!.domainName;
        siteHost = origins.find((o) => o.originId === SITE_ORIGIN_ID)!.domainName;
    });

    after(async () => {
        await stack?.close();
    });

    /** Sends a request to the CloudFront listener as written, closing the connection after it. */
    function viewer(method: string, target: string, headers: [string, string][] = []): Promise<RawReply> {
        return rawExchange(
            sitePort,
            requestHead(method, target, [["Host", `localhost:${sitePort}`], ...headers, ["Connection", "close"]]),
        );
    }

    /** The log line of the last request. */
    const lastLine = () => logged[logged.length - 1];

    describe("path normalization", () => {
        // CloudFront Developer Guide, "Cache behavior settings" > "Path pattern"
        // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern):
        // the URI path is normalized (RFC 3986) to match a behavior, and the raw path goes to the origin.
        it("GET /x/../api/hello takes the API behavior; API Gateway gets the raw path, which names no resource", async () => {
            const reply = await viewer("GET", "/x/../api/hello");
            assert.equal(reply.status, 404, reply.body);
            assert.deepEqual(JSON.parse(reply.body), { message: "Missing Authentication Token" });
            assert.equal(
                lastLine().replace(/ in \d+ ms$/, ""),
                `cloudfront GET /x/../api/hello [/api/*] -> api ${apiHost}/dev/x/../api/hello, answered by API Gateway: 404`,
            );
        });

        it("GET /api/x/../hello takes the API behavior and the function sees the raw path", async () => {
            const reply = await viewer("GET", "/api/x/../hello");
            assert.equal(reply.status, 200, reply.body);
            const echo = JSON.parse(reply.body);
            assert.equal(echo.path, "/api/x/../hello");
            assert.deepEqual(echo.pathParameters, { proxy: "x/../hello" });
        });

        it("GET /api/../index.html and //api//hello: each takes the behavior its normalized path matches", async () => {
            const app = await viewer("GET", "/index.html");
            const viaApi = await viewer("GET", "/api/../index.html");
            assert.equal(viaApi.status, 200);
            assert.match(viaApi.headers["content-type"], /^text\/html/);
            assert.equal(viaApi.body, app.body);
            // The SPA function sees the raw uri too: not a file of the build, so it serves the app shell.
            assert.match(
                lastLine(),
                new RegExp(
                    `^cloudfront GET /api/\\.\\./index\\.html \\[\\*\\] -> site ${siteHost.replace(/\./g, "\\.")}/index\\.html ` +
                        "\\(uri set by CloudFront Function [\\w-]+\\), answered by S3: 200 in \\d+ ms$",
                ),
            );

            // What API Gateway does with the empty segments is not documented; the path it is sent is the raw one.
            await viewer("GET", "//api//hello");
            assert.match(
                lastLine(),
                new RegExp(`^cloudfront GET //api//hello \\[/api/\\*\\] -> api ${apiHost}/dev//api//hello, `),
            );
        });
    });

    describe("CloudFront's request limits", () => {
        // CloudFront Developer Guide, "Quotas" > "General quotas"
        // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-general)
        // and RequestAndResponseBehaviorCustomOrigin.html#RequestCustomMaxRequestStringLength: a URL over
        // 8,192 bytes or a request (line and headers) over 20,480 bytes gets 413, then the connection closes.

        /** A GET of a deep link whose URL (`http://localhost:PORT/...`) has exactly `bytes` bytes. */
        const urlOf = (bytes: number) => `/${"u".repeat(bytes - `http://localhost:${sitePort}/`.length)}`;

        it("a URL of 8,192 bytes is served; one of 8,193 gets 413 and the connection is closed", async () => {
            const within = await viewer("GET", urlOf(8192));
            assert.equal(within.status, 200, "a deep link: the app");

            const over = await rawExchange(
                sitePort,
                requestHead("GET", urlOf(8193), [["Host", `localhost:${sitePort}`]]),
            );
            assert.equal(over.status, 413);
            assert.match(over.body, /<H1>413 ERROR<\/H1>/);
            assert.equal(over.headers["x-cache"], "Error from cloudfront");
            assert.equal(over.closedByServer, true, "CloudFront terminates the TCP connection");
            assert.match(lastLine(), /^cloudfront GET \/u+ -> answered by CloudFront: 413 in \d+ ms$/);
        });

        /** Host, a filler header and no other: the request line and headers have exactly `bytes` bytes. */
        function headOf(bytes: number, keepAlive = false): string {
            const fixed = requestHead("GET", "/index.html", [
                ["Host", `localhost:${sitePort}`],
                ["X-Fill", ""],
                ...(keepAlive ? [] : ([["Connection", "close"]] as [string, string][])),
            ]);
            // The final empty line is not part of the headers CloudFront counts.
            const filler = bytes - (Buffer.byteLength(fixed) - 2);
            return fixed.replace("X-Fill: ", `X-Fill: ${"f".repeat(filler)}`);
        }

        it("a request of 20,480 bytes is served (Node's 16 KiB default does not answer first); 20,481 gets 413", async () => {
            assert.equal(Buffer.byteLength(headOf(20_480)) - 2, 20_480);
            const within = await rawExchange(sitePort, headOf(20_480));
            assert.equal(within.status, 200, within.body.slice(0, 300));

            const over = await rawExchange(sitePort, headOf(20_481, true));
            assert.equal(over.status, 413);
            assert.match(over.body, /<H1>413 ERROR<\/H1>/);
            assert.equal(over.closedByServer, true, "CloudFront terminates the TCP connection");
        });

        it("a head larger than Node's own limit still gets CloudFront's 413, not Node's 431", async () => {
            const over = await rawExchange(sitePort, headOf(70_000, true));
            assert.equal(over.status, 413);
            assert.match(over.body, /<H1>413 ERROR<\/H1>/);
            assert.equal(over.closedByServer, true);
        });
    });

    describe("API Gateway's header limit", () => {
        // "Quotas for configuring and running a REST API in API Gateway"
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):
        // header names, values, line terminators and whitespace total at most 10240 bytes. The answer
        // (413, "HTTP header is larger than 10240 bytes.") is not documented: see local/apigateway/gateway.ts.

        /** A direct-listener request whose header lines (`name: value` CRLF) have exactly `bytes` bytes. */
        function directHead(bytes: number): string {
            const headers: [string, string][] = [
                ["Host", `localhost:${directPort}`],
                ["Connection", "close"],
                // The key CloudFront sends: without it the locked-down API answers 403.
                ["x-api-key", String(onlyResourceOfType(graph, TYPES.apiKey).state.value)],
                ["X-Fill", ""],
            ];
            const fixed = headers.reduce((total, [n, v]) => total + Buffer.byteLength(`${n}: ${v}\r\n`), 0);
            headers[3][1] = "f".repeat(bytes - fixed);
            return requestHead("GET", "/dev/api/hello", headers);
        }

        it("direct listener: 10,240 bytes of headers reach the API, 10,241 get 413", async () => {
            const within = await rawExchange(directPort, directHead(10_240));
            assert.equal(within.status, 200, within.body);
            assert.equal(JSON.parse(within.body).path, "/api/hello");

            const over = await rawExchange(directPort, directHead(10_241));
            assert.equal(over.status, 413);
            assert.equal(over.body, "HTTP header is larger than 10240 bytes.");
            assert.match(lastLine(), /^direct {5}GET \/dev\/api\/hello -> .*, answered by API Gateway: 413 in \d+ ms$/);

            const huge = await rawExchange(directPort, directHead(70_000));
            assert.equal(huge.status, 413, "a head over Node's own limit: the same answer, not Node's 431");
            assert.equal(huge.body, "HTTP header is larger than 10240 bytes.");
        });

        it("through CloudFront: headers within CloudFront's limit but over API Gateway's reach the site, not the API", async () => {
            const big: [string, string] = ["X-Big", "b".repeat(12_000)];
            const site = await viewer("GET", "/index.html", [big]);
            assert.equal(site.status, 200, "the site behavior forwards no viewer header to S3");
            const api = await viewer("GET", "/api/hello", [big]);
            assert.equal(api.status, 413);
            assert.equal(api.body, "HTTP header is larger than 10240 bytes.");
            assert.equal(api.headers["x-cache"], "Error from cloudfront");
        });
    });

    describe("methods", () => {
        // AllowedMethods takes GET, HEAD, OPTIONS, PUT, PATCH, POST and DELETE only
        // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html); CloudFront
        // answers a method the behavior does not allow with its 403 page (DownloadDistValuesCacheBehavior.html,
        // "Allowed HTTP methods"). That a method unknown to HTTP gets the same page is not documented.
        for (const [method, path, behavior] of [
            ["FOO", "/api/x", "/api/*"],
            ["PROPFIND", "/", "*"],
            ["FOO", "/", "*"],
        ]) {
            it(`${method} ${path}: CloudFront's 403 page, not Node's empty 400`, async () => {
                const reply = await viewer(method, path);
                assert.equal(reply.status, 403);
                assert.match(reply.body, METHOD_PAGE);
                assert.equal(reply.headers["x-cache"], "Error from cloudfront");
                assert.equal(reply.headers.server, "CloudFront");
                assert.match(
                    lastLine(),
                    new RegExp(
                        `^cloudfront ${method} ${path} \\[${behavior.replace("*", "\\*")}\\] -> answered by CloudFront: 403`,
                    ),
                );
            });
        }

        it("a malformed request gets CloudFront's 400 page (its answer is not documented), not Node's empty 400", async () => {
            const reply = await rawExchange(sitePort, `GET / HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n`);
            assert.equal(reply.status, 400);
            assert.match(reply.body, /<H1>400 ERROR<\/H1>/);
            assert.equal(reply.headers.server, "CloudFront");
            assert.equal(reply.closedByServer, true);
            assert.match(lastLine(), /^cloudfront GET \/ -> answered by CloudFront: 400 in \d+ ms$/);
        });

        it("an unknown method on the direct listener is answered by the API Gateway emulation", async () => {
            const reply = await rawExchange(
                directPort,
                requestHead("FOO", "/dev/nowhere", [
                    ["Host", `localhost:${directPort}`],
                    ["Connection", "close"],
                ]),
            );
            assert.ok(reply.headers["x-amzn-requestid"], JSON.stringify(reply));
            assert.equal(reply.headers["x-amzn-errortype"], "MissingAuthenticationTokenException");
        });
    });

    it("the API gets no CloudFront-* header through AllViewerExceptHostHeader, not even the viewer's own", async () => {
        // CloudFront API reference, OriginRequestPolicyHeadersConfig: allExcept covers viewer headers only
        // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginRequestPolicyHeadersConfig.html).
        const reply = await viewer("GET", "/api/hello", [
            ["CloudFront-Viewer-Country", "ZZ"],
            ["CloudFront-Is-Mobile-Viewer", "true"],
        ]);
        assert.equal(reply.status, 200, reply.body);
        const names = Object.keys(JSON.parse(reply.body).headers);
        assert.ok(names.includes("Via"), "the echo lists the headers API Gateway passed on");
        assert.deepEqual(
            names.filter((n) => n.toLowerCase().startsWith("cloudfront-")),
            [],
        );
    });
});
