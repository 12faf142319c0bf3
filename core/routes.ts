/**
 * The API's routes as one declarative table: each route's path (under the API's base path), its
 * methods, the handler module that serves it, and how it is protected. The program builds the REST
 * API from it, the authorizer learns each route's scopes from it.
 */
import { OAUTH_SCOPE } from "./scopes";

/** The methods a route may list; `ANY` is API Gateway's catch-all method. */
export const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * How a route is protected: `none` (public), `iam` (SigV4, AWS_IAM), or the TOKEN authorizer with
 * the scopes a token must carry for it (on top of `auth.scopes`).
 */
export type RouteAuth = "none" | "iam" | { readonly token: { readonly scopes?: readonly string[] } };

export interface Route {
    /**
     * The resource path under the API's base path: literal segments, `{param}` and a final
     * `{proxy+}`. `/x/{proxy+}` does not cover `/x` itself.
     * @example "/orders/{id}"
     */
    readonly path: string;
    /** `ANY`, or the methods the route answers. */
    readonly methods: "ANY" | readonly HttpMethod[];
    /** The handler module, exporting `handler`, relative to the table's handlers folder (functions/). */
    readonly handler: string;
    readonly auth: RouteAuth;
}

export type RouteTable = readonly Route[];

/** Whether a route needs a token. */
export function isTokenRoute(route: Route): route is Route & { auth: { token: { scopes?: readonly string[] } } } {
    return typeof route.auth === "object";
}

/** The scopes a route requires of a token beyond `auth.scopes`: none for a public, IAM or unscoped route. */
export function ownScopes(route: Route): readonly string[] {
    return isTokenRoute(route) ? (route.auth.token.scopes ?? []) : [];
}

/**
 * What the authorizer must know of a token route that declares scopes: its methods, its full
 * resource path (the API's base path included, as the method ARN names it) and its scopes.
 */
export interface RouteScopes {
    readonly methods: "ANY" | readonly HttpMethod[];
    /** @example "/api/orders/{id}" */
    readonly path: string;
    readonly scopes: readonly string[];
}

/** The token routes that declare scopes, at their full resource paths under `basePath`. */
export function scopedRoutes(routes: RouteTable, basePath: string): RouteScopes[] {
    return routes
        .filter((route) => ownScopes(route).length > 0)
        .map((route) => ({ methods: route.methods, path: `${basePath}${route.path}`, scopes: ownScopes(route) }));
}

/**
 * Every scope the API uses: the ones every token route requires (`auth.scopes`), then each
 * route's own, once each. What Cognito provisions, the app client may ask for and the SPA requests.
 */
export function apiScopes(required: readonly string[], routes: RouteTable): string[] {
    return [...new Set([...required, ...routes.flatMap(ownScopes)])];
}

// ---------------------------------------------------------------------------------------------
// Which resource a path selects.
// ---------------------------------------------------------------------------------------------

/** The resource a path selects and the values of its path parameters. */
export interface ResourceMatch {
    readonly resourcePath: string;
    readonly pathParameters: Readonly<Record<string, string>>;
}

function decodeSegment(segment: string): string {
    try {
        return decodeURIComponent(segment);
    } catch {
        return segment;
    }
}

interface Node {
    readonly template: string;
    readonly literal: Map<string, Node>;
    param?: { readonly name: string; readonly node: Node };
    greedy?: { readonly name: string; readonly template: string };
}

function buildTree(templates: Iterable<string>): Node {
    const root: Node = { template: "/", literal: new Map() };
    for (const template of templates) {
        let node = root;
        const segments = template.split("/").filter((s) => s !== "");
        segments.forEach((segment, i) => {
            const path = `/${segments.slice(0, i + 1).join("/")}`;
            const greedy = /^\{(.+)\+\}$/.exec(segment);
            const param = /^\{(.+)\}$/.exec(segment);
            if (greedy) {
                node.greedy = { name: greedy[1], template: path };
            } else if (param) {
                node.param ??= { name: param[1], node: { template: path, literal: new Map() } };
                node = node.param.node;
            } else {
                if (!node.literal.has(segment)) {
                    node.literal.set(segment, { template: path, literal: new Map() });
                }
                node = node.literal.get(segment)!;
            }
        });
    }
    return root;
}

function walk(
    node: Node,
    segments: readonly string[],
    i: number,
    params: Record<string, string>,
    trailingSlash: boolean,
): ResourceMatch | undefined {
    if (i === segments.length) {
        return { resourcePath: node.template, pathParameters: params };
    }
    const segment = segments[i];
    const literal = node.literal.get(segment);
    const viaLiteral = literal && walk(literal, segments, i + 1, params, trailingSlash);
    if (viaLiteral) {
        return viaLiteral;
    }
    const viaParam =
        node.param &&
        segment !== "" &&
        walk(node.param.node, segments, i + 1, { ...params, [node.param.name]: segment }, trailingSlash);
    if (viaParam) {
        return viaParam;
    }
    if (node.greedy) {
        return {
            resourcePath: node.greedy.template,
            pathParameters: { ...params, [node.greedy.name]: segments.slice(i).join("/") + (trailingSlash ? "/" : "") },
        };
    }
    return undefined;
}

/**
 * The resource a request path (without the stage or base path mapping) selects among resource
 * templates; undefined when none does. Segment by segment down the resource tree, a literal
 * segment wins over a `{param}`, which wins over a greedy `{proxy+}`; `{proxy+}` needs at least
 * one segment, so `/x/{proxy+}` does not cover `/x`; a trailing slash does not change the
 * resource. Sources: "Set up a proxy integration with a proxy resource"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html)
 * and "Set up API resources" (api-gateway-create-resource.html). The precedence is stated for HTTP
 * APIs ("Routing API requests", http-api-develop-routes.html: the most specific match wins); for
 * REST APIs it is this model's, not verified against a REST API document.
 */
export function matchResource(templates: Iterable<string>, path: string): ResourceMatch | undefined {
    const trimmed = path.replace(/^\/+/, "");
    const trailingSlash = trimmed.endsWith("/");
    const segments = trimmed === "" ? [] : trimmed.replace(/\/$/, "").split("/").map(decodeSegment);
    return walk(buildTree(templates), segments, 0, {}, trailingSlash);
}

/** Whether a method is one of a route's: `ANY` answers every method. */
function answers(methods: "ANY" | readonly HttpMethod[], method: string): boolean {
    return methods === "ANY" || (methods as readonly string[]).includes(method);
}

/**
 * The scopes of the scoped route a request reaches (`method` and its path, base path included),
 * none when it reaches no scoped route. The path picks the resource as API Gateway does
 * ({@link matchResource}); the method then picks the route on it.
 */
export function scopesRequiredFor(routes: readonly RouteScopes[], method: string, path: string): readonly string[] {
    const resource = matchResource(
        routes.map((route) => route.path),
        path,
    )?.resourcePath;
    return [
        ...new Set(
            routes
                .filter((route) => route.path === resource && answers(route.methods, method))
                .flatMap((route) => route.scopes),
        ),
    ];
}

// ---------------------------------------------------------------------------------------------
// Policies naming routes.
// ---------------------------------------------------------------------------------------------

/**
 * The resource-path part of an execute-api ARN covering every request to a route:
 * `/api/orders/{id}` -> `api/orders/*` (`{param}` and `{proxy+}` become `*`, the leading slash
 * goes, as in a method ARN `.../{stage}/{METHOD}/api/orders/42`).
 */
export function arnPathPattern(path: string): string {
    return path.replace(/^\//, "").replace(/\{[^}]+\}/g, "*");
}

/** The method parts of a route's execute-api ARNs: `*` for `ANY`, else each method. */
export function arnMethods(methods: "ANY" | readonly HttpMethod[]): readonly string[] {
    return methods === "ANY" ? ["*"] : methods;
}

/**
 * Whether an ARN path pattern covers a request path. IAM's `*` matches any run of characters, `/`
 * included ("IAM JSON policy elements: Resource",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards;
 * API Gateway's resource expressions in "Control access for invoking an API",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html),
 * so `api/orders/*` covers `api/orders/42/items` too.
 */
export function arnPathPatternCovers(pattern: string, path: string): boolean {
    const source = pattern
        .split("*")
        .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
        .join("[\\s\\S]*");
    return new RegExp(`^${source}$`).test(path);
}

/** Paths standing for every path of a template: `{param}` -> `x`, `{proxy+}` -> `x` and `x/x`. */
function samplePaths(template: string): string[] {
    const path = template.replace(/\{[^}+]+\}/g, "x");
    return /\{[^}]+\+\}$/.test(path) ? ["x", "x/x"].map((s) => path.replace(/\{[^}]+\+\}$/, s)) : [path];
}

/** A route's methods as text: `ANY` or `GET,POST`. */
function methodsText(route: Route): string {
    return route.methods === "ANY" ? "ANY" : route.methods.join(",");
}

/**
 * Scoped routes whose Deny would also refuse another token route. When API Gateway caches the
 * authorizer's policy it reuses it on every route, so the authorizer states a route's scopes as a
 * Deny on the route's ARN pattern (functions/authorizer.ts); since `*` crosses `/`, the pattern of
 * `/orders/{id}` covers `/orders/{id}/items`. Each other token route that the pattern covers
 * (judged on sample paths: `{param}` -> `x`, `{proxy+}` -> `x` and `x/x`) must require at least
 * the same scopes.
 */
function denyOverlapProblems(routes: RouteTable): string[] {
    const problems: string[] = [];
    routes.forEach((scoped, i) => {
        const required = ownScopes(scoped);
        if (required.length === 0) {
            return;
        }
        const pattern = arnPathPattern(scoped.path);
        routes.forEach((other, j) => {
            const missing = required.filter((scope) => !ownScopes(other).includes(scope));
            if (j === i || !isTokenRoute(other) || missing.length === 0) {
                return;
            }
            const sharedMethod =
                scoped.methods === "ANY" ||
                other.methods === "ANY" ||
                scoped.methods.some((method) => answers(other.methods, method));
            const covered = samplePaths(other.path).find((sample) =>
                arnPathPatternCovers(pattern, arnPathPattern(sample)),
            );
            if (sharedMethod && covered !== undefined) {
                problems.push(
                    `route ${j} (${methodsText(other)} ${other.path}) does not require ${missing.join(", ")}, ` +
                        `which route ${i} (${methodsText(scoped)} ${scoped.path}) requires; when API Gateway caches ` +
                        `the authorizer's decisions, route ${i}'s Deny covers "${pattern}", and IAM's * crosses "/", ` +
                        `so it also refuses route ${j} (e.g. ${covered}) to tokens without them. Fix: give route ${j} ` +
                        `the scopes ${missing.join(", ")} too, or move one of the two routes to a path the other's ` +
                        `pattern does not cover`,
                );
            }
        });
    });
    return problems;
}

/** API Gateway resource path parts: literal (`A-Za-z0-9._-`), `{param}`, or a last `{param+}`. */
const SEGMENT = /^(?:[A-Za-z0-9._-]+|\{[A-Za-z0-9_]+\}|\{[A-Za-z0-9_]+\+\})$/;

/** What is wrong with a route table, one line per problem (empty when nothing). */
export function routeTableProblems(routes: RouteTable): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    routes.forEach((route, i) => {
        const where = `route ${i} (${route.path})`;
        const segments = route.path.split("/").slice(1);
        if (!route.path.startsWith("/") || segments.some((s) => !SEGMENT.test(s))) {
            problems.push(
                `${where}: the path must start with "/" and have segments of A-Za-z0-9._-, {param} or a last {proxy+}`,
            );
        }
        if (segments.slice(0, -1).some((s) => s.endsWith("+}"))) {
            problems.push(`${where}: a greedy {param+} segment may only come last`);
        }
        if (
            route.methods !== "ANY" &&
            (route.methods.length === 0 || route.methods.some((m) => !HTTP_METHODS.includes(m)))
        ) {
            problems.push(`${where}: methods must be "ANY" or a non-empty list of ${HTTP_METHODS.join(", ")}`);
        }
        if (!/^[A-Za-z0-9._/-]+\.ts$/.test(route.handler) || route.handler.split("/").includes("..")) {
            problems.push(
                `${where}: the handler must be a .ts module inside functions/ (the table's HANDLERS_DIR), e.g. "orders.ts"`,
            );
        }
        const badScopes = ownScopes(route).filter((scope) => !OAUTH_SCOPE.test(scope));
        if (badScopes.length > 0) {
            problems.push(
                `${where}: token.scopes has ${badScopes.map((s) => JSON.stringify(s)).join(", ")}; a scope is ` +
                    'printable ASCII without spaces, quotes or backslashes, e.g. "orders/read"',
            );
        }
        for (const method of route.methods === "ANY" ? ["ANY"] : route.methods) {
            const key = `${method} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;
            if (seen.has(key)) {
                problems.push(`${where}: ${method} ${route.path} is already declared by route ${seen.get(key)}`);
            }
            seen.set(key, i);
        }
    });
    return [...problems, ...denyOverlapProblems(routes)];
}
