import { strict as assert } from "node:assert";
import { frontendConfig } from "../core/frontend-config";
import { apiBasePath, apiOriginPath, apiPathPatterns, patternPrefix, signingPathFor } from "../core/paths";

describe("path mapping", () => {
    it("derives the behavior patterns from apiPath: the prefix itself and everything under it", () => {
        assert.deepEqual(apiPathPatterns("/api"), ["/api", "/api/*"]);
        assert.deepEqual(apiPathPatterns("/v1/api"), ["/v1/api", "/v1/api/*"]);
    });

    it("reads the prefix back from a behavior's `under` pattern, and nothing from another pattern", () => {
        assert.equal(patternPrefix("/v1/api/*"), "/v1/api");
        assert.equal(patternPrefix("/api"), undefined);
        assert.equal(patternPrefix("*"), undefined);
        assert.equal(patternPrefix(undefined), undefined);
    });

    it("puts routes under apiPath unless the edge rewriter strips it", () => {
        assert.equal(apiBasePath("/api", "none"), "/api");
        assert.equal(apiBasePath("/api", "lambda-edge"), "");
        assert.equal(apiBasePath("/api", "cloudfront-function"), "");
    });

    it("prepends the stage on execute-api and the base path on a custom domain", () => {
        assert.equal(apiOriginPath("direct-stage", "prod", undefined), "/prod");
        assert.equal(apiOriginPath("direct-stage", "prod", "ignored"), "/prod");
        assert.equal(apiOriginPath("custom-domain", "prod", "v1"), "/v1");
        assert.equal(apiOriginPath("custom-domain", "prod", undefined), "");
    });

    describe("frontend config: what API Gateway sees for a request through CloudFront", () => {
        const base = {
            apiPath: "/api",
            region: "eu-west-1",
            stageName: "prod",
            apiHost: "abc.execute-api.eu-west-1.amazonaws.com",
        };
        const cases = [
            { proxyMode: "direct-stage", pathRewriter: "none", basePath: undefined, pathPrefix: "/prod/api" },
            { proxyMode: "direct-stage", pathRewriter: "lambda-edge", basePath: undefined, pathPrefix: "/prod" },
            {
                proxyMode: "direct-stage",
                pathRewriter: "cloudfront-function",
                basePath: undefined,
                pathPrefix: "/prod",
            },
            { proxyMode: "custom-domain", pathRewriter: "none", basePath: "v1", pathPrefix: "/v1/api" },
            { proxyMode: "custom-domain", pathRewriter: "lambda-edge", basePath: "v1", pathPrefix: "/v1" },
            { proxyMode: "custom-domain", pathRewriter: "cloudfront-function", basePath: "v1", pathPrefix: "/v1" },
            { proxyMode: "custom-domain", pathRewriter: "none", basePath: undefined, pathPrefix: "/api" },
            { proxyMode: "custom-domain", pathRewriter: "lambda-edge", basePath: undefined, pathPrefix: "" },
        ] as const;
        for (const c of cases) {
            it(`${c.proxyMode}, rewriter ${c.pathRewriter}, base path ${c.basePath ?? "none"} -> "${c.pathPrefix}"`, () => {
                const config = frontendConfig({
                    ...base,
                    apiOriginPath: apiOriginPath(c.proxyMode, base.stageName, c.basePath),
                    apiBasePath: apiBasePath(base.apiPath, c.pathRewriter),
                    auth: { provider: "demo" },
                });
                assert.deepEqual(config, {
                    apiPath: "/api",
                    region: "eu-west-1",
                    signing: {
                        host: base.apiHost,
                        pathPrefix: c.pathPrefix,
                        region: "eu-west-1",
                        service: "execute-api",
                    },
                    auth: { provider: "demo" },
                });
            });
        }
    });

    it("maps a viewer path to the path to sign", () => {
        const direct = { apiPath: "/api", signing: { pathPrefix: "/prod/api" } };
        assert.equal(signingPathFor(direct, "/api/iam/whoami?x=1"), "/prod/api/iam/whoami?x=1");
        assert.equal(signingPathFor(direct, "/api"), "/prod/api");
        const stripped = { apiPath: "/api", signing: { pathPrefix: "/prod" } };
        assert.equal(signingPathFor(stripped, "/api/iam"), "/prod/iam");
        const root = { apiPath: "/api", signing: { pathPrefix: "" } };
        assert.equal(signingPathFor(root, "/api/iam"), "/iam");
        assert.equal(signingPathFor(root, "/api"), "/");
        assert.equal(signingPathFor(root, "/api?x=1"), "/?x=1");
        assert.throws(() => signingPathFor(direct, "/apix/iam"), /not under the API path/);
        assert.throws(() => signingPathFor(direct, "/other"), /not under the API path/);
    });
});
