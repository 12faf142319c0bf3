/**
 * The API's routes: edit this table to add your own (see "Add your own route" in README.md).
 * Paths are under the API's base path (`apiPath`, e.g. `/api`, unless a rewriter strips it); each
 * handler module is bundled and deployed once, whatever the number of routes it serves. A literal
 * path beats `{param}`, which beats `{proxy+}`, so `/authorized/...` and `/iam/...` win over the
 * public catch-all. A token route may require scopes of its own, `auth: { token: { scopes:
 * ["orders/read"] } }`, on top of `auth.scopes`. index.ts deploys this module's ROUTES with the
 * handlers in its HANDLERS_DIR; the capture (capture/capture.ts, `routesModule`) can put another
 * module with the same two exports in its place.
 */
import type { RouteTable } from "../core/routes";

/** Where the handler modules named below are: this folder. */
export const HANDLERS_DIR = __dirname;

/** The shipped example: the echo handler behind a public catch-all, a token route and an IAM route. */
export const ROUTES: RouteTable = [
    { path: "/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "none" },
    { path: "/authorized", methods: "ANY", handler: "echo.ts", auth: { token: {} } },
    { path: "/authorized/{proxy+}", methods: "ANY", handler: "echo.ts", auth: { token: {} } },
    { path: "/iam", methods: "ANY", handler: "echo.ts", auth: "iam" },
    { path: "/iam/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "iam" },
];
