/**
 * Unit tests of the CloudFront emulation's pure parts: path patterns and behavior selection,
 * policies and the headers they forward, CloudFront Functions and Lambda@Edge events.
 */
import * as assert from "node:assert/strict";
import { TYPES } from "../capture/types";
import {
    authorizationForwarded,
    CACHE_POLICIES,
    ORIGIN_REQUEST_POLICIES,
    RESPONSE_HEADERS_POLICIES,
} from "../core/cloudfront-policies";
import { bundleCloudFrontFunction } from "../infra/bundle";
import { spaRewriteEntry } from "../infra/site-distribution";
import {
    BehaviorTable,
    CacheBehavior,
    methodAllowed,
    pathPatternMatches,
    selectBehavior,
} from "../local/cloudfront/behaviors";
import {
    applyOriginRequestResult,
    originRequestEvent,
    OriginRequestParts,
    OriginTarget,
} from "../local/cloudfront/edge-lambda";
import {
    applyResponseHeaders,
    BehaviorPolicies,
    originQueryString,
    originRequestHeaders,
    resolvePolicies,
} from "../local/cloudfront/policies";
import {
    FunctionEvent,
    functionRequest,
    runViewerRequestFunction,
    ViewerRequestParts,
} from "../local/cloudfront/viewer-function";
import type { CapturedStack } from "../capture/capture";
import { headerValue, headerValues, HeaderList } from "../local/http";

const EMPTY_STACK: CapturedStack = { stack: "test", preview: false, config: {}, resources: [], outputs: {} };

function behavior(overrides: Partial<CacheBehavior>): CacheBehavior {
    return { targetOriginId: "o", allowedMethods: ["GET", "HEAD"], ...overrides };
}

function policiesOf(
    cachePolicyId: string | undefined,
    originRequestPolicyId?: string,
    extra: Partial<CacheBehavior> = {},
): BehaviorPolicies {
    return resolvePolicies(EMPTY_STACK, behavior({ cachePolicyId, originRequestPolicyId, ...extra }));
}

const API_POLICIES = () =>
    policiesOf(CACHE_POLICIES.CachingDisabled.id, ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id);

// AWS: CloudFront Developer Guide, "Path pattern" (DownloadDistValuesCacheBehavior.html
// #DownloadDistValuesPathPattern): case-sensitive; `*` matches 0 or more characters, `?` exactly one;
// the leading `/` is optional; behaviors are evaluated in the order listed and the default (`*`) is
// last. The method is not part of a path pattern; a method outside a behavior's allowed methods is
// refused ("Allowed HTTP methods", same page).
describe("local CloudFront: path patterns", () => {
    const table: [pattern: string, path: string, matches: boolean][] = [
        ["/api/*", "/api/x", true],
        ["/api/*", "/api/x/y/z", true],
        ["/api/*", "/api/", true],
        ["/api/*", "/api", false],
        ["/api/*", "/apix", false],
        ["/api/*", "/API/x", false],
        ["api/*", "/api/x", true],
        ["*.jpg", "/a/b/c.jpg", true],
        ["*.jpg", "/a/b/c.jpeg", false],
        ["/img/?.png", "/img/a.png", true],
        ["/img/?.png", "/img/ab.png", false],
        ["/a+b/(c)/*", "/a+b/(c)/d", true],
        ["/a+b/*", "/aab/d", false],
        ["/api/*/raw", "/api/x/y/raw", true],
        ["*", "/anything/at/all", true],
    ];
    for (const [pattern, path, matches] of table) {
        it(`${pattern} ${matches ? "matches" : "does not match"} ${path}`, () => {
            assert.equal(pathPatternMatches(pattern, path), matches);
        });
    }

    it("takes the first matching ordered behavior, else the default; the method plays no part", () => {
        const first = behavior({ pathPattern: "/api/admin/*", targetOriginId: "admin" });
        const second = behavior({
            pathPattern: "/api/*",
            targetOriginId: "api",
            allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        });
        const fallback = behavior({ targetOriginId: "site" });
        const table: BehaviorTable = { orderedCacheBehaviors: [first, second], defaultCacheBehavior: fallback };
        assert.equal(selectBehavior(table, "/api/admin/users"), first);
        assert.equal(selectBehavior(table, "/api/users"), second);
        assert.equal(selectBehavior(table, "/api"), fallback);
        assert.equal(selectBehavior(table, "/"), fallback);
        assert.equal(methodAllowed(first, "POST"), false);
        assert.equal(methodAllowed(second, "post"), true);
    });
});

// AWS: the managed policies' ids and settings ("Use managed cache policies",
// using-managed-cache-policies.html; "Use managed origin request policies",
// using-managed-origin-request-policies.html; "Use managed response headers policies",
// using-managed-response-headers-policies.html). Authorization reaches the origin only from the
// cache key, or with caching disabled and an all-viewer origin request policy; otherwise it is
// removed from GET and HEAD (AWS Knowledge Center, "cloudfront-authorization-header"; "HTTP request
// headers and CloudFront behavior", RequestAndResponseBehaviorCustomOrigin.html#request-custom-headers-behavior).
describe("local CloudFront: policies", () => {
    it("resolves the managed ids and refuses an id that is neither managed nor in the graph", () => {
        assert.equal(API_POLICIES().cache.cachingDisabled, true);
        assert.equal(policiesOf(CACHE_POLICIES.CachingOptimized.id).cache.cachingDisabled, false);
        assert.throws(
            () => policiesOf("00000000-0000-0000-0000-000000000000"),
            /cache policy 00000000-0000-0000-0000-000000000000/,
        );
        assert.throws(() => policiesOf(CACHE_POLICIES.CachingDisabled.id, "nope"), /origin request policy nope/);
    });

    it("reads custom policies from the graph", () => {
        const stack: CapturedStack = {
            ...EMPTY_STACK,
            resources: [
                {
                    type: TYPES.cachePolicy,
                    name: "cp",
                    urn: "",
                    custom: true,
                    id: "cp-id",
                    inputs: {},
                    state: {
                        minTtl: 0,
                        defaultTtl: 0,
                        maxTtl: 0,
                        parametersInCacheKeyAndForwardedToOrigin: {
                            headersConfig: { headerBehavior: "whitelist", headers: { items: ["Authorization"] } },
                            cookiesConfig: { cookieBehavior: "none" },
                            queryStringsConfig: { queryStringBehavior: "all" },
                        },
                    },
                },
                {
                    type: TYPES.originRequestPolicy,
                    name: "orp",
                    urn: "",
                    custom: true,
                    id: "orp-id",
                    inputs: {},
                    state: {
                        headersConfig: {
                            headerBehavior: "whitelist",
                            headers: { items: ["X-Trace", "CloudFront-Viewer-Address"] },
                        },
                        cookiesConfig: { cookieBehavior: "whitelist", cookies: { items: ["session"] } },
                        queryStringsConfig: { queryStringBehavior: "none" },
                    },
                },
            ],
        };
        const policies = resolvePolicies(stack, behavior({ cachePolicyId: "cp-id", originRequestPolicyId: "orp-id" }));
        assert.deepEqual(policies.cache.headers, { behavior: "whitelist", items: ["authorization"] });
        assert.deepEqual(policies.originRequest.headers, { behavior: "whitelist", items: ["x-trace"] });
        assert.deepEqual(policies.originRequest.cloudFrontHeaders, ["cloudfront-viewer-address"]);
        assert.deepEqual(policies.originRequest.cookies, { behavior: "whitelist", items: ["session"] });
    });

    it("forwards Authorization exactly when the cache key has it, or caching is off with an all-viewer policy", () => {
        const optimized = policiesOf(
            CACHE_POLICIES.CachingOptimized.id,
            ORIGIN_REQUEST_POLICIES.AllViewerExceptHostHeader.id,
        );
        const disabledNoOrp = policiesOf(CACHE_POLICIES.CachingDisabled.id);
        const legacy = policiesOf(undefined, undefined, {
            forwardedValues: { headers: ["Authorization"], queryString: true },
        });
        const table: [string, BehaviorPolicies, string, readonly string[], boolean][] = [
            ["CachingDisabled + AllViewerExceptHostHeader, GET", API_POLICIES(), "GET", ["GET", "HEAD"], true],
            [
                "CachingDisabled + AllViewer, GET",
                policiesOf(CACHE_POLICIES.CachingDisabled.id, ORIGIN_REQUEST_POLICIES.AllViewer.id),
                "GET",
                ["GET", "HEAD"],
                true,
            ],
            ["CachingOptimized + AllViewerExceptHostHeader, GET", optimized, "GET", ["GET", "HEAD"], false],
            ["CachingOptimized + AllViewerExceptHostHeader, HEAD", optimized, "HEAD", ["GET", "HEAD"], false],
            ["CachingOptimized + AllViewerExceptHostHeader, POST", optimized, "POST", ["GET", "HEAD"], true],
            ["CachingOptimized + AllViewerExceptHostHeader, DELETE", optimized, "DELETE", ["GET", "HEAD"], true],
            ["OPTIONS, not cached", optimized, "OPTIONS", ["GET", "HEAD"], true],
            ["OPTIONS, cached", optimized, "OPTIONS", ["GET", "HEAD", "OPTIONS"], false],
            ["CachingDisabled without an origin request policy, GET", disabledNoOrp, "GET", ["GET", "HEAD"], false],
            ["legacy forwardedValues naming it, GET", legacy, "GET", ["GET", "HEAD"], true],
        ];
        for (const [title, policies, method, cached, expected] of table) {
            assert.equal(
                authorizationForwarded(policies.cache, policies.originRequest, method, cached),
                expected,
                title,
            );
        }
    });

    const viewerHeaders: HeaderList = [
        ["Host", "d111.cloudfront.net"],
        ["Authorization", "allow"],
        ["Cookie", "a=1; session=s"],
        ["User-Agent", "Mozilla"],
        ["Accept-Encoding", "gzip, deflate, br"],
        ["X-Forwarded-For", "10.0.0.1"],
        ["Connection", "keep-alive"],
        ["X-Custom", "1"],
        ["CloudFront-Viewer-Country", "ZZ"],
        ["Content-Length", "0"],
    ];
    const ctx = {
        method: "GET",
        cachedMethods: ["GET", "HEAD"],
        originDomainName: "abc.execute-api.eu-west-1.amazonaws.com",
        viewer: { ip: "192.0.2.1", port: 5000, protocol: "https" as const, httpVersion: "2.0" },
        via: "1.1 x.cloudfront.net (CloudFront)",
        cfId: "cf-id",
    };

    // CloudFront API reference, OriginRequestPolicyHeadersConfig: `allViewer` and `allExcept` cover the
    // viewer's headers only; CloudFront adds its own (CloudFront-*) only for `allViewerAndWhitelistCloudFront`
    // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginRequestPolicyHeadersConfig.html).
    it("AllViewerExceptHostHeader: every viewer header but Host, and no CloudFront header", () => {
        const out = originRequestHeaders(viewerHeaders, API_POLICIES(), ctx);
        assert.equal(headerValue(out, "host"), "abc.execute-api.eu-west-1.amazonaws.com");
        assert.equal(headerValue(out, "authorization"), "allow");
        assert.equal(headerValue(out, "cookie"), "a=1; session=s");
        assert.equal(headerValue(out, "user-agent"), "Mozilla");
        assert.equal(headerValue(out, "x-custom"), "1");
        assert.equal(headerValue(out, "accept-encoding"), "gzip, deflate, br");
        assert.equal(headerValue(out, "x-forwarded-for"), "10.0.0.1, 192.0.2.1");
        assert.equal(headerValue(out, "via"), ctx.via);
        assert.equal(headerValue(out, "x-amz-cf-id"), "cf-id");
        assert.deepEqual(
            out.filter(([name]) => name.toLowerCase().startsWith("cloudfront-")),
            [],
            "neither CloudFront's own headers nor the viewer's CloudFront-* ones",
        );
        assert.equal(headerValue(out, "connection"), undefined);
        assert.equal(headerValues(out, "host").length, 1);
    });

    it("AllViewerAndCloudFrontHeaders-2022-06 adds CloudFront's own headers, never the viewer's CloudFront-* ones", () => {
        const out = originRequestHeaders(
            viewerHeaders,
            policiesOf(CACHE_POLICIES.CachingDisabled.id, ORIGIN_REQUEST_POLICIES.AllViewerAndCloudFrontHeaders.id),
            ctx,
        );
        assert.equal(headerValue(out, "cloudfront-forwarded-proto"), "https");
        assert.equal(headerValue(out, "cloudfront-viewer-address"), "192.0.2.1:5000");
        assert.equal(headerValue(out, "cloudfront-viewer-http-version"), "2.0");
        assert.equal(headerValue(out, "cloudfront-viewer-country"), undefined);
        assert.equal(headerValue(out, "host"), "d111.cloudfront.net", "it forwards Host too");
    });

    it("AllViewer forwards the viewer's Host", () => {
        const out = originRequestHeaders(
            viewerHeaders,
            policiesOf(CACHE_POLICIES.CachingDisabled.id, ORIGIN_REQUEST_POLICIES.AllViewer.id),
            ctx,
        );
        assert.equal(headerValue(out, "host"), "d111.cloudfront.net");
    });

    // Same page as above: User-Agent becomes "Amazon CloudFront" unless forwarded, X-Forwarded-For gets
    // the viewer's IP appended; with EnableAcceptEncodingGzip/Brotli in the cache policy, CloudFront
    // normalizes Accept-Encoding and sends the normalized value to the origin (CloudFront API reference,
    // ParametersInCacheKeyAndForwardedToOrigin). The exact normalized value ("br,gzip") is the
    // emulator's choice, not verified against AWS.
    it("CachingOptimized without an origin request policy: nearly nothing of the viewer's reaches the origin", () => {
        const out = originRequestHeaders(viewerHeaders, policiesOf(CACHE_POLICIES.CachingOptimized.id), ctx);
        assert.equal(headerValue(out, "host"), ctx.originDomainName);
        assert.equal(headerValue(out, "authorization"), undefined);
        assert.equal(headerValue(out, "cookie"), undefined);
        assert.equal(headerValue(out, "x-custom"), undefined);
        assert.equal(headerValue(out, "user-agent"), "Amazon CloudFront");
        assert.equal(headerValue(out, "accept-encoding"), "br,gzip");
        assert.equal(headerValue(out, "cloudfront-forwarded-proto"), undefined);
        assert.equal(headerValue(out, "x-forwarded-for"), "10.0.0.1, 192.0.2.1");
    });

    it("forwards the query string parameters a policy includes", () => {
        assert.equal(originQueryString("a=1&b=2&a=3", API_POLICIES()), "a=1&b=2&a=3");
        assert.equal(originQueryString("a=1&b=2", policiesOf(CACHE_POLICIES.CachingOptimized.id)), "");
    });

    it("applies the managed SecurityHeadersPolicy without overriding the origin's headers", () => {
        const settings = resolvePolicies(
            EMPTY_STACK,
            behavior({
                cachePolicyId: CACHE_POLICIES.CachingOptimized.id,
                responseHeadersPolicyId: RESPONSE_HEADERS_POLICIES.SecurityHeadersPolicy.id,
            }),
        ).responseHeaders;
        const out = applyResponseHeaders([["X-Frame-Options", "DENY"]], settings.headers);
        assert.equal(headerValue(out, "x-frame-options"), "DENY");
        assert.equal(headerValue(out, "strict-transport-security"), "max-age=31536000");
        assert.equal(headerValue(out, "x-content-type-options"), "nosniff");
    });
});

// AWS: "CloudFront Functions event structure" (functions-event-structure.html): lower-case header
// names, cookies apart from headers, query string parameters with `multiValue`; a function returns
// the request or a response object. What CloudFront answers when a function throws or returns
// neither is modeled in local/cloudfront/viewer-function.ts.
describe("local CloudFront: viewer-request functions", () => {
    const request: ViewerRequestParts = {
        method: "GET",
        path: "/orders/42",
        query: "a=1&a=2&b",
        headers: [
            ["Host", "site"],
            ["Cookie", "x=1; y=2"],
            ["Accept", "text/html"],
        ],
    };
    const event = (parts: ViewerRequestParts): FunctionEvent => ({
        version: "1.0",
        context: {
            distributionDomainName: "d.cloudfront.net",
            distributionId: "E1",
            eventType: "viewer-request",
            requestId: "r",
        },
        viewer: { ip: "192.0.2.1" },
        request: functionRequest(parts),
    });

    it("builds the cloudfront-js event: lower-case headers, cookies apart, multi-value query", () => {
        const r = functionRequest(request);
        assert.deepEqual(r.headers, { host: { value: "site" }, accept: { value: "text/html" } });
        assert.deepEqual(r.cookies, { x: { value: "1" }, y: { value: "2" } });
        assert.deepEqual(r.querystring, {
            a: { value: "1", multiValue: [{ value: "1" }, { value: "2" }] },
            b: { value: "" },
        });
    });

    it("runs the deployed SPA rewrite: deep links become /index.html, files stay", async () => {
        const code = bundleCloudFrontFunction({
            contents: spaRewriteEntry({ files: { "/index.html": 1, "/assets/main.js": 1 }, assetPrefix: "/assets/" }),
        });
        const deep = await runViewerRequestFunction(code, event(request), () => undefined);
        assert.equal(deep.kind === "request" && deep.request.path, "/index.html");
        assert.equal(deep.kind === "request" && deep.request.query, "a=1&a=2&b");
        const file = await runViewerRequestFunction(
            code,
            event({ ...request, path: "/assets/main.js" }),
            () => undefined,
        );
        assert.equal(file.kind === "request" && file.request.path, "/assets/main.js");
    });

    it("turns a returned response into the viewer's response, and rejects what is neither", async () => {
        const redirect =
            "function handler(event) { return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: 'https://x/' } } }; }";
        const outcome = await runViewerRequestFunction(redirect, event(request), () => undefined);
        assert.equal(outcome.kind, "response");
        assert.equal(outcome.kind === "response" && outcome.response.status, 302);
        assert.equal(outcome.kind === "response" && headerValue(outcome.response.headers, "location"), "https://x/");
        await assert.rejects(
            runViewerRequestFunction(
                "function handler(e) { throw new Error('boom'); }",
                event(request),
                () => undefined,
            ),
            /boom/,
        );
        await assert.rejects(
            runViewerRequestFunction("function handler(e) { return 42; }", event(request), () => undefined),
            /neither/,
        );
        await assert.rejects(
            runViewerRequestFunction("var x = 1;", event(request), () => undefined),
            /no top-level function handler/,
        );
    });
});

// AWS: "Lambda@Edge event structure" (lambda-event-structure.html): `uri` is the viewer's path and the
// origin path sits apart in `origin.custom.path`; a function returns the request or a generated
// response; a `uri` that does not start with `/` is a validation error ("Lambda@Edge function
// validation errors", http-502-lambda-validation-error.html).
describe("local CloudFront: Lambda@Edge origin-request", () => {
    const origin: OriginTarget = {
        kind: "custom",
        domainName: "abc.execute-api.eu-west-1.amazonaws.com",
        path: "/dev",
        protocol: "https",
        port: 443,
        sslProtocols: ["TLSv1.2"],
        customHeaders: [["X-Api-Key", "origin-secret"]],
    };
    const request: OriginRequestParts = {
        method: "GET",
        uri: "/api/x",
        query: "a=1",
        headers: [
            ["Host", origin.domainName],
            ["X-Custom", "1"],
        ],
        body: Buffer.alloc(0),
    };

    it("builds the event with the viewer uri and the origin path apart", () => {
        const event = originRequestEvent(request, origin, {
            distributionDomainName: "d.cloudfront.net",
            distributionId: "E1",
            requestId: "r",
            clientIp: "192.0.2.1",
            includeBody: false,
        }) as any;
        const cf = event.Records[0].cf;
        assert.equal(cf.config.eventType, "origin-request");
        assert.equal(cf.request.uri, "/api/x");
        assert.equal(cf.request.querystring, "a=1");
        assert.deepEqual(cf.request.headers.host, [{ key: "Host", value: origin.domainName }]);
        assert.equal(cf.request.origin.custom.path, "/dev");
        assert.equal(cf.request.origin.custom.domainName, origin.domainName);
        assert.equal(cf.request.body, undefined);
        // The origin's custom headers are the origin's, not yet the request's.
        assert.deepEqual(cf.request.origin.custom.customHeaders, {
            "x-api-key": [{ key: "X-Api-Key", value: "origin-secret" }],
        });
        assert.equal(cf.request.headers["x-api-key"], undefined);
    });

    it("applies a returned request, a generated response, or reports an invalid result", () => {
        const changed = applyOriginRequestResult(request, origin, {
            uri: "/x",
            querystring: "a=1",
            headers: { host: [{ key: "Host", value: origin.domainName }] },
            origin: {
                custom: {
                    domainName: origin.domainName,
                    path: "/dev",
                    customHeaders: { "x-api-key": [{ key: "X-Api-Key", value: "changed" }] },
                },
            },
        });
        assert.equal(changed.kind === "request" && changed.request.uri, "/x");
        assert.equal(changed.kind === "request" && changed.origin.path, "/dev");
        assert.deepEqual(changed.kind === "request" && changed.origin.customHeaders, [["X-Api-Key", "changed"]]);
        const generated = applyOriginRequestResult(request, origin, {
            status: "403",
            statusDescription: "Forbidden",
            body: "no",
        });
        assert.equal(generated.kind === "response" && generated.response.status, 403);
        assert.equal(applyOriginRequestResult(request, origin, { uri: "no-slash" }).kind, "invalid");
        assert.equal(applyOriginRequestResult(request, origin, null).kind, "invalid");
    });
});
