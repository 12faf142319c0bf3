/**
 * The API's routes as one declarative table: each route's path (under the API's base path), its
 * methods, the handler module in functions/ that serves it, and how it is protected. The program
 * builds the REST API from it, the authorizer learns each route's scopes from it.
 */

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
    /** The handler module in functions/, exporting `handler`. */
    readonly handler: string;
    readonly auth: RouteAuth;
}

export type RouteTable = readonly Route[];

/** Whether a route needs a token. */
export function isTokenRoute(route: Route): route is Route & { auth: { token: { scopes?: readonly string[] } } } {
    return typeof route.auth === "object";
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
            problems.push(`${where}: the handler must be a .ts module inside functions/, e.g. "orders.ts"`);
        }
        for (const method of route.methods === "ANY" ? ["ANY"] : route.methods) {
            const key = `${method} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;
            if (seen.has(key)) {
                problems.push(`${where}: ${method} ${route.path} is already declared by route ${seen.get(key)}`);
            }
            seen.set(key, i);
        }
    });
    return problems;
}
