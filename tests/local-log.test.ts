/**
 * The request log `npm start` prints, one line per request (local/trace.ts): for each kind of
 * request a newcomer meets, the line names the listener, method and path, the cache behavior, the
 * origin and path reached, who answered, the status and the time.
 */
import * as assert from "node:assert/strict";
import { CapturedStack, captureStack } from "../capture/capture";
import { TYPES } from "../capture/types";
import { API_ORIGIN_ID, SITE_ORIGIN_ID } from "../infra/site-distribution";
import { LocalStack, startLocalStack } from "../local/server";
import { requestLogLine } from "../local/trace";

const CAPTURE_TIMEOUT_MS = 120_000;

describe("request log: the line", () => {
    it("names the origin and path reached, the rewrite and who answered, or only who answered", () => {
        assert.equal(
            requestLogLine(
                { listener: "cloudfront", method: "GET", target: "/orders/42?x=1", status: 200, milliseconds: 3.6 },
                {
                    behavior: "*",
                    rewrittenBy: "CloudFront Function spa",
                    reached: { originId: "site", host: "b.s3.eu-west-1.amazonaws.com", path: "/index.html" },
                    answeredBy: "S3",
                },
            ),
            "cloudfront GET /orders/42?x=1 [*] -> site b.s3.eu-west-1.amazonaws.com/index.html " +
                "(uri set by CloudFront Function spa), answered by S3: 200 in 4 ms",
        );
        assert.equal(
            requestLogLine(
                { listener: "direct", method: "OPTIONS", target: "/dev/x", status: 204, milliseconds: 0.2 },
                { answeredBy: "the direct listener's own CORS (local only)" },
            ),
            "direct     OPTIONS /dev/x -> answered by the direct listener's own CORS (local only): 204 in 0 ms",
        );
    });
});

describe("request log: what a newcomer meets", function () {
    let graph: CapturedStack;
    let stack: LocalStack;
    let apiHost: string;
    let siteHost: string;
    let spaFunction: string;
    const logged: string[] = [];

    before(async function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        graph = await captureStack({});
        stack = await startLocalStack({ graph, port: 0, directPort: 0, requestLog: (line) => logged.push(line) });
        const origins: { originId: string; domainName: string }[] = graph.resources.find(
            (r) => r.type === TYPES.distribution,
        )!.state.origins;
        apiHost = origins.find((o) => o.originId === API_ORIGIN_ID)!.domainName;
        siteHost = origins.find((o) => o.originId === SITE_ORIGIN_ID)!.domainName;
        spaFunction = graph.resources.find((r) => r.type === TYPES.cloudFrontFunction)!.name;
    });

    after(async () => {
        await stack?.close();
    });

    /** Requests `path` and returns its log line without the time, after checking the time's form. */
    async function lineFor(url: string, init: RequestInit = {}): Promise<string> {
        const before = logged.length;
        await (await fetch(url, init)).arrayBuffer();
        assert.equal(logged.length, before + 1, "one line per request");
        const line = logged[before];
        assert.match(line, / in \d+ ms$/);
        return line.replace(/ in \d+ ms$/, "");
    }

    it("a site file: the behavior, the bucket and key, S3", async () => {
        assert.equal(
            await lineFor(`${stack.url}/config.json`),
            `cloudfront GET /config.json [*] -> site ${siteHost}/config.json, answered by S3: 200`,
        );
    });

    it("the root: the default root object's key", async () => {
        assert.equal(
            await lineFor(`${stack.url}/`),
            `cloudfront GET / [*] -> site ${siteHost}/index.html (uri set by the default root object), answered by S3: 200`,
        );
    });

    it("a deep link: the key the CloudFront Function rewrote it to", async () => {
        assert.equal(
            await lineFor(`${stack.url}/orders/42?tab=1`),
            `cloudfront GET /orders/42?tab=1 [*] -> site ${siteHost}/index.html ` +
                `(uri set by CloudFront Function ${spaFunction}), answered by S3: 200`,
        );
    });

    it("a missing asset: the CloudFront Function answered, no origin was reached", async () => {
        assert.equal(
            await lineFor(`${stack.url}/assets/missing.js`),
            `cloudfront GET /assets/missing.js [*] -> answered by CloudFront Function ${spaFunction}: 404`,
        );
    });

    it("an API call: the API behavior, the execute-api host with the stage, the echo Lambda", async () => {
        assert.match(
            await lineFor(`${stack.url}/api/hello`),
            new RegExp(
                `^cloudfront GET /api/hello \\[/api/\\*\\] -> api ${apiHost}/dev/api/hello, answered by Lambda [\\w-]+: 200$`,
            ),
        );
    });

    it("an authorizer refusal: the TOKEN authorizer answered", async () => {
        assert.match(
            await lineFor(`${stack.url}/api/authorized/x`, { headers: { Authorization: "let-me-in" } }),
            new RegExp(
                `^cloudfront GET /api/authorized/x \\[/api/\\*\\] -> api ${apiHost}/dev/api/authorized/x, ` +
                    "answered by TOKEN authorizer [\\w-]+: 401$",
            ),
        );
    });

    it("a method the behavior does not allow: CloudFront answered", async () => {
        assert.equal(
            await lineFor(`${stack.url}/`, { method: "POST", body: "x" }),
            "cloudfront POST / [*] -> answered by CloudFront: 403",
        );
    });

    it("API Gateway's own endpoint: marked direct, the host it stands for, the echo Lambda or API Gateway", async () => {
        const key = String(graph.resources.find((r) => r.type === TYPES.apiKey)!.state.value);
        assert.match(
            await lineFor(`${stack.directUrl}/dev/api/hello`, { headers: { "x-api-key": key } }),
            new RegExp(`^direct {5}GET /dev/api/hello -> ${apiHost}/dev/api/hello, answered by Lambda [\\w-]+: 200$`),
        );
        assert.equal(
            await lineFor(`${stack.directUrl}/dev/api/hello`),
            `direct     GET /dev/api/hello -> ${apiHost}/dev/api/hello, answered by API Gateway: 403`,
            "without the API key",
        );
        assert.equal(
            await lineFor(`${stack.directUrl}/nowhere/x`),
            `direct     GET /nowhere/x -> ${apiHost}/nowhere/x, answered by API Gateway: 403`,
        );
    });
});
