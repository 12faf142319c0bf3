import { strict as assert } from "node:assert";
import type { CorsSettings } from "../core/cloudfront-policies";
import { applyResponseHeaders } from "../local/cloudfront/policies";
import { corsHeaderSettings, originMatches } from "../local/cloudfront/cors";

describe("local CloudFront: a response headers policy's CORS settings", () => {
    const PARTNER = "https://partner.example.com";
    const CORS: CorsSettings = {
        allowOrigins: [PARTNER],
        allowCredentials: true,
        allowHeaders: ["authorization"],
        allowMethods: ["GET", "POST"],
        exposeHeaders: ["x-request-id"],
        maxAgeSeconds: 600,
        originOverride: true,
    };
    const respond = (
        cors: CorsSettings,
        method: string,
        headers: [string, string][],
        origin: [string, string][] = [],
    ) =>
        Object.fromEntries(
            applyResponseHeaders(origin, corsHeaderSettings(cors, { method, headers })).map(([n, v]) => [
                n.toLowerCase(),
                v,
            ]),
        );

    it("gives an allowed origin's request its origin, credentials and exposed headers", () => {
        assert.deepEqual(respond(CORS, "GET", [["Origin", PARTNER]], [["content-type", "application/json"]]), {
            "content-type": "application/json",
            "access-control-allow-origin": PARTNER,
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "x-request-id",
        });
    });

    it("adds the preflight headers only to a preflight", () => {
        const headers = respond(CORS, "OPTIONS", [
            ["Origin", PARTNER],
            ["Access-Control-Request-Method", "POST"],
        ]);
        assert.equal(headers["access-control-allow-methods"], "GET, POST");
        assert.equal(headers["access-control-allow-headers"], "authorization");
        assert.equal(headers["access-control-max-age"], "600");
        assert.equal(respond(CORS, "OPTIONS", [["Origin", PARTNER]])["access-control-allow-methods"], undefined);
    });

    it("adds nothing for a foreign origin, or a request without Origin", () => {
        assert.deepEqual(respond(CORS, "GET", [["Origin", "https://evil.example.net"]]), {});
        assert.deepEqual(respond(CORS, "GET", []), {});
    });

    it("replaces the origin's own CORS headers with originOverride, keeps them without", () => {
        const fromOrigin: [string, string][] = [["Access-Control-Allow-Origin", "*"]];
        assert.equal(respond(CORS, "GET", [["Origin", PARTNER]], fromOrigin)["access-control-allow-origin"], PARTNER);
        const keep = { ...CORS, originOverride: false };
        assert.equal(respond(keep, "GET", [["Origin", PARTNER]], fromOrigin)["access-control-allow-origin"], "*");
    });

    it("answers * for a * list", () => {
        const any = { ...CORS, allowOrigins: ["*"], allowCredentials: false };
        assert.equal(respond(any, "GET", [["Origin", "https://x.example"]])["access-control-allow-origin"], "*");
    });

    for (const [allowed, origin, expected] of [
        ["https://partner.example.com", "https://partner.example.com", true],
        ["https://partner.example.com", "http://partner.example.com", false],
        ["https://partner.example.com", "https://partner.example.com:8443", false],
        ["*.example.com", "https://a.example.com", true],
        ["https://*.example.com", "https://a.b.example.com", true],
        ["https://*.example.com", "http://a.example.com", false],
        ["*.example.com", "https://example.com", false],
        ["*", "null", true],
    ] as const) {
        it(`${allowed} ${expected ? "matches" : "does not match"} ${origin}`, () => {
            assert.equal(originMatches(allowed, origin), expected);
        });
    }
});
