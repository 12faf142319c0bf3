/**
 * The route table's scopes (core/routes.ts, core/auth.ts, functions/authorizer.ts): which route a
 * method ARN names, the union of scopes the API uses, the table check that keeps a cached Deny from
 * covering another token route, the environment that carries the scoped routes to the authorizer,
 * and the authorizer's per-route decision, cached and not.
 */
import { strict as assert } from "node:assert";
import {
    AUTHORIZER_ENV,
    authorizerEnvironment,
    routeScopesEnvironment,
    routeScopesFromEnvironment,
} from "../core/auth";
import {
    apiScopes,
    arnPathPattern,
    arnPathPatternCovers,
    matchResource,
    routeTableProblems,
    type RouteScopes,
    type RouteTable,
    scopedRoutes,
    scopesRequiredFor,
} from "../core/routes";
import { createTokenAuthorizer, routeDenials } from "../functions/authorizer";
import { checkRouteScopes } from "../infra/sign-in";
import { evaluatePolicy } from "../local/iam-policy";

const STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod";
const methodArn = (method: string, path: string) => `${STAGE_ARN}/${method}${path}`;

/** A table with scoped routes, written out for the test. */
const ROUTES: RouteTable = [
    { path: "/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "none" },
    { path: "/orders/{id}", methods: ["GET"], handler: "orders.ts", auth: { token: { scopes: ["orders/read"] } } },
    {
        path: "/orders/{id}",
        methods: ["DELETE"],
        handler: "orders.ts",
        auth: { token: { scopes: ["orders/write"] } },
    },
    {
        path: "/orders/{id}/items",
        methods: ["GET"],
        handler: "orders.ts",
        auth: { token: { scopes: ["orders/read", "items/read"] } },
    },
    { path: "/orders/new", methods: ["POST"], handler: "orders.ts", auth: { token: { scopes: ["orders/write"] } } },
    { path: "/profile", methods: "ANY", handler: "echo.ts", auth: { token: {} } },
    { path: "/admin/{proxy+}", methods: "ANY", handler: "echo.ts", auth: { token: { scopes: ["admin/all"] } } },
];
const SCOPED = scopedRoutes(ROUTES, "/api");

describe("route table: the routes' own scopes", () => {
    it("lists the scoped token routes at their full resource paths, the base path included", () => {
        assert.deepEqual(scopedRoutes(ROUTES, "/api"), [
            { methods: ["GET"], path: "/api/orders/{id}", scopes: ["orders/read"] },
            { methods: ["DELETE"], path: "/api/orders/{id}", scopes: ["orders/write"] },
            { methods: ["GET"], path: "/api/orders/{id}/items", scopes: ["orders/read", "items/read"] },
            { methods: ["POST"], path: "/api/orders/new", scopes: ["orders/write"] },
            { methods: "ANY", path: "/api/admin/{proxy+}", scopes: ["admin/all"] },
        ]);
        assert.deepEqual(
            scopedRoutes(ROUTES, "").map((r) => r.path),
            ["/orders/{id}", "/orders/{id}", "/orders/{id}/items", "/orders/new", "/admin/{proxy+}"],
        );
    });

    it("adds the routes' own scopes to auth.scopes, once each, for what is provisioned and requested", () => {
        assert.deepEqual(apiScopes(["console/use", "orders/read"], ROUTES), [
            "console/use",
            "orders/read",
            "orders/write",
            "items/read",
            "admin/all",
        ]);
        assert.deepEqual(apiScopes([], [ROUTES[0], ROUTES[5]]), []);
    });
});

describe("route table: which route a request reaches (API Gateway's precedence)", () => {
    // literal > {param} > {proxy+}, segment by segment (see matchResource in core/routes.ts).
    const cases: [method: string, path: string, scopes: string[]][] = [
        ["GET", "/api/orders/42", ["orders/read"]],
        ["DELETE", "/api/orders/42", ["orders/write"]],
        // The literal `new` wins over `{id}`: POST /orders/new needs orders/write, not orders/read.
        ["POST", "/api/orders/new", ["orders/write"]],
        ["GET", "/api/orders/new", []],
        ["GET", "/api/orders/42/items", ["orders/read", "items/read"]],
        ["GET", "/api/orders/42/items/", ["orders/read", "items/read"]],
        // {proxy+} takes what nothing more specific takes, at any depth; not its parent.
        ["PUT", "/api/admin/users/7", ["admin/all"]],
        ["GET", "/api/admin", []],
        ["GET", "/api/profile", []],
        ["GET", "/api/elsewhere", []],
    ];
    for (const [method, path, scopes] of cases) {
        it(`${method} ${path} needs ${scopes.join(" ") || "no scope of its own"}`, () => {
            assert.deepEqual(scopesRequiredFor(SCOPED, method, path), scopes);
        });
    }

    it("matches a literal before {param} before {proxy+}, whatever the order of the templates", () => {
        const templates = ["/x/{proxy+}", "/x/{id}", "/x/new"];
        for (const order of [templates, [...templates].reverse()]) {
            assert.equal(matchResource(order, "/x/new")?.resourcePath, "/x/new");
            assert.equal(matchResource(order, "/x/7")?.resourcePath, "/x/{id}");
            assert.equal(matchResource(order, "/x/7/8")?.resourcePath, "/x/{proxy+}");
            // The parent of the others exists as a resource of its own, which no route has here.
            assert.equal(matchResource(order, "/x")?.resourcePath, "/x");
        }
    });
});

describe("route table: ARN patterns", () => {
    it("turns {param} and {proxy+} into * without the leading slash", () => {
        assert.equal(arnPathPattern("/api/orders/{id}"), "api/orders/*");
        assert.equal(arnPathPattern("/api/orders/{id}/items"), "api/orders/*/items");
        assert.equal(arnPathPattern("/admin/{proxy+}"), "admin/*");
        assert.equal(arnPathPattern("/api/orders"), "api/orders");
    });

    it("matches * across / as IAM does, and nothing else loosely", () => {
        assert.equal(arnPathPatternCovers("api/orders/*", "api/orders/42"), true);
        assert.equal(arnPathPatternCovers("api/orders/*", "api/orders/42/items"), true);
        assert.equal(arnPathPatternCovers("api/orders/*", "api/orders"), false);
        assert.equal(arnPathPatternCovers("api/orders/*/items", "api/orders/42/items"), true);
        assert.equal(arnPathPatternCovers("api/orders/*/items", "api/orders/42/other"), false);
        assert.equal(arnPathPatternCovers("api/a.b", "api/aXb"), false, "a dot is a dot");
    });
});

describe("route table: a scoped route's Deny must not cover another token route without its scopes", () => {
    it("accepts the table above: every token route a Deny pattern covers requires the same scopes", () => {
        assert.deepEqual(routeTableProblems(ROUTES), []);
    });

    it("refuses a token route under a scoped {param} route that lacks its scopes, naming both and the fix", () => {
        const table: RouteTable = [
            { path: "/orders/{id}", methods: ["GET"], handler: "o.ts", auth: { token: { scopes: ["orders/read"] } } },
            { path: "/orders/{id}/items", methods: ["GET"], handler: "o.ts", auth: { token: {} } },
        ];
        const problems = routeTableProblems(table);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^route 1 \(GET \/orders\/\{id\}\/items\) does not require orders\/read/);
        assert.match(problems[0], /route 0 \(GET \/orders\/\{id\}\) requires/);
        assert.match(problems[0], /covers "orders\/\*"/);
        assert.match(problems[0], /e\.g\. \/orders\/x\/items/);
        assert.match(problems[0], /Fix: give route 1 the scopes orders\/read too/);
    });

    it("refuses a token route under a scoped {proxy+} route, and one that requires only some of the scopes", () => {
        const table: RouteTable = [
            { path: "/admin/{proxy+}", methods: "ANY", handler: "a.ts", auth: { token: { scopes: ["a/x", "a/y"] } } },
            { path: "/admin/users/{id}", methods: ["GET"], handler: "a.ts", auth: { token: { scopes: ["a/x"] } } },
        ];
        const problems = routeTableProblems(table);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^route 1 .* does not require a\/y, which route 0 \(ANY \/admin\/\{proxy\+\}\)/);
    });

    it("accepts it once the covered route requires the scopes too", () => {
        const table: RouteTable = [
            { path: "/orders/{id}", methods: ["GET"], handler: "o.ts", auth: { token: { scopes: ["orders/read"] } } },
            {
                path: "/orders/{id}/items",
                methods: ["GET"],
                handler: "o.ts",
                auth: { token: { scopes: ["orders/read", "x/y"] } },
            },
        ];
        assert.deepEqual(routeTableProblems(table), []);
    });

    it("ignores routes the pattern cannot reach: other methods, public and IAM routes, the parent path", () => {
        const table: RouteTable = [
            { path: "/orders/{id}", methods: ["GET"], handler: "o.ts", auth: { token: { scopes: ["orders/read"] } } },
            { path: "/orders/{id}/items", methods: ["POST"], handler: "o.ts", auth: { token: {} } },
            { path: "/orders/{id}/raw", methods: ["GET"], handler: "o.ts", auth: "none" },
            { path: "/orders/{id}/signed", methods: ["GET"], handler: "o.ts", auth: "iam" },
            { path: "/orders", methods: ["GET"], handler: "o.ts", auth: { token: {} } },
        ];
        assert.deepEqual(routeTableProblems(table), []);
    });

    it("sees an ANY route on either side", () => {
        const scopedAny: RouteTable = [
            { path: "/x/{id}", methods: "ANY", handler: "o.ts", auth: { token: { scopes: ["x/r"] } } },
            { path: "/x/{id}/y", methods: ["PATCH"], handler: "o.ts", auth: { token: {} } },
        ];
        const otherAny: RouteTable = [
            { path: "/x/{id}", methods: ["PATCH"], handler: "o.ts", auth: { token: { scopes: ["x/r"] } } },
            { path: "/x/{id}/y", methods: "ANY", handler: "o.ts", auth: { token: {} } },
        ];
        assert.equal(routeTableProblems(scopedAny).length, 1);
        assert.equal(routeTableProblems(otherAny).length, 1);
    });

    it("refuses scopes that are no OAuth scope tokens", () => {
        const table: RouteTable = [
            { path: "/a", methods: ["GET"], handler: "a.ts", auth: { token: { scopes: ["a/read", "two words", ""] } } },
        ];
        assert.deepEqual(routeTableProblems(table), [
            'route 0 (/a): token.scopes has "two words", ""; a scope is printable ASCII without spaces, quotes or backslashes, e.g. "orders/read"',
        ]);
    });

    it("with Cognito, refuses a route scope that names no resource server; another provider takes it", () => {
        const table: RouteTable = [
            { path: "/a", methods: ["GET"], handler: "a.ts", auth: { token: { scopes: ["orders:read"] } } },
        ];
        assert.throws(
            () => checkRouteScopes({ provider: "cognito", scopes: [] }, table),
            /route 0 \(\/a\) requires "orders:read"; with auth\.provider "cognito" a scope is "<resource server>\/<scope>"/,
        );
        checkRouteScopes({ provider: "cognito", scopes: [] }, ROUTES);
        checkRouteScopes(
            { provider: "oidc", issuer: "https://id.example.com/", clientId: "c", audience: "c", scopes: [] },
            table,
        );
    });
});

describe("the authorizer's environment: the scoped routes", () => {
    it("carries them as compact JSON in AUTH_ROUTE_SCOPES, and nothing when no route has scopes", () => {
        assert.deepEqual(routeScopesEnvironment([{ methods: "ANY", path: "/api/a/{proxy+}", scopes: ["a/b"] }]), {
            AUTH_ROUTE_SCOPES: '[{"methods":"ANY","path":"/api/a/{proxy+}","scopes":["a/b"]}]',
        });
        assert.deepEqual(authorizerEnvironment({ provider: "demo" }), { AUTH_PROVIDER: "demo" });
    });

    it("reads back what it wrote, and nothing from an absent variable", () => {
        assert.deepEqual(routeScopesFromEnvironment(authorizerEnvironment({ provider: "demo" }, SCOPED)), SCOPED);
        assert.deepEqual(routeScopesFromEnvironment({}), []);
    });

    const broken: [what: string, value: string, message: RegExp][] = [
        ["not JSON", "[{", /^AUTH_ROUTE_SCOPES is not JSON .*expected a JSON list of/],
        ["not a list", '{"path":"/a"}', /^AUTH_ROUTE_SCOPES is \{"path":"\/a"\}; expected a JSON list/],
        ["an entry without scopes", '[{"methods":"ANY","path":"/a","scopes":[]}]', /^AUTH_ROUTE_SCOPES: entry 0 is/],
        ["an unknown method", '[{"methods":["FETCH"],"path":"/a","scopes":["s"]}]', /entry 0 is .*"FETCH"/],
        ["a relative path", '[{"methods":"ANY","path":"a","scopes":["s"]}]', /entry 0 is/],
        ["a null entry", "[null]", /entry 0 is null/],
    ];
    for (const [what, value, message] of broken) {
        it(`throws naming the variable for ${what}`, () => {
            assert.throws(() => routeScopesFromEnvironment({ [AUTHORIZER_ENV.routeScopes]: value }), { message });
        });
    }
});

describe("the authorizer's decision per route", () => {
    // The demo token `allow` carries the scope `console`; routes requiring it let it through.
    const routes: RouteScopes[] = [
        { methods: ["GET"], path: "/api/orders/{id}", scopes: ["orders/read"] },
        { methods: "ANY", path: "/api/console/{proxy+}", scopes: ["console"] },
    ];
    const event = (method: string, path: string) =>
        ({ type: "TOKEN", authorizationToken: "allow", methodArn: methodArn(method, path) }) as never;
    const statementsOf = (result: { policyDocument: { Statement: unknown } }) =>
        result.policyDocument.Statement as { Effect: string; Resource: string }[];

    it("without caching, denies the method ARN of a route whose scopes the token lacks, allows the others", async () => {
        const authorize = createTokenAuthorizer({ cachesResults: false }, { provider: "demo" }, routes);
        const orders = await authorize(event("GET", "/api/orders/42"));
        assert.deepEqual(statementsOf(orders), [
            { Action: "execute-api:Invoke", Effect: "Deny", Resource: methodArn("GET", "/api/orders/42") },
        ]);
        for (const [method, path] of [
            ["DELETE", "/api/orders/42"],
            ["GET", "/api/console/x/y"],
            ["GET", "/api/authorized/profile"],
        ]) {
            const result = await authorize(event(method, path));
            assert.deepEqual(statementsOf(result), [
                { Action: "execute-api:Invoke", Effect: "Allow", Resource: methodArn(method, path) },
            ]);
        }
    });

    it("with caching, allows the stage and denies each route pattern whose scopes the token lacks", async () => {
        const authorize = createTokenAuthorizer({ cachesResults: true }, { provider: "demo" }, routes);
        const result = await authorize(event("GET", "/api/authorized/profile"));
        assert.deepEqual(statementsOf(result), [
            { Action: "execute-api:Invoke", Effect: "Allow", Resource: `${STAGE_ARN}/*/*` },
            { Action: "execute-api:Invoke", Effect: "Deny", Resource: `${STAGE_ARN}/GET/api/orders/*` },
        ]);
        // The cached policy as API Gateway applies it to the token's later requests (IAM evaluation).
        const decide = (method: string, path: string) =>
            evaluatePolicy(result.policyDocument, { action: "execute-api:Invoke", resource: methodArn(method, path) });
        assert.equal(decide("GET", "/api/orders/42"), "explicit-deny");
        assert.equal(decide("DELETE", "/api/orders/42"), "allow");
        assert.equal(decide("GET", "/api/authorized/profile"), "allow");
        assert.equal(decide("POST", "/api/console/anything"), "allow");
    });

    it("states one Deny per method of a route, * for ANY, and none for scopes the token has", () => {
        const table: RouteScopes[] = [
            { methods: ["GET", "DELETE"], path: "/api/a/{id}", scopes: ["a/r"] },
            { methods: "ANY", path: "/api/b/{proxy+}", scopes: ["b/r", "c/r"] },
        ];
        assert.deepEqual(
            routeDenials(STAGE_ARN, table, ["b/r"]).map((s) => [s.Effect, s.Resource]),
            [
                ["Deny", `${STAGE_ARN}/GET/api/a/*`],
                ["Deny", `${STAGE_ARN}/DELETE/api/a/*`],
                ["Deny", `${STAGE_ARN}/*/api/b/*`],
            ],
        );
        assert.deepEqual(routeDenials(STAGE_ARN, table, ["a/r", "b/r", "c/r"]), []);
    });
});
