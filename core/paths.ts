/**
 * Pure path arithmetic shared by the infrastructure, the SPA and the local stack.
 *
 * CloudFront forwards the full viewer path (the behavior's prefix included) and PREPENDS the
 * origin path; a custom domain's base path mapping then strips the base path, an execute-api host
 * strips the stage. Every function here encodes one step of that chain so the components, the
 * browser's SigV4 signer and the tests agree on it.
 */

/** How CloudFront reaches API Gateway. */
export type ProxyMode = "direct-stage" | "custom-domain";

/** What strips the behavior prefix: nothing, a viewer-request CloudFront Function, or a Lambda@Edge origin-request function. */
export type PathRewriter = "none" | "cloudfront-function" | "lambda-edge";

/**
 * The API behaviors' path patterns for an `apiPath`: the prefix itself and everything under it.
 * `/api/*` alone does not match `/api`, which would then fall to the default behavior (the SPA).
 */
export function apiPathPatterns(apiPath: string): [exact: string, under: string] {
    return [apiPath, `${apiPath}/*`];
}

/** The prefix a proxied path's `under` pattern stands for (`/api/*` -> `/api`), or undefined for another pattern. */
export function patternPrefix(pathPattern: string | undefined): string | undefined {
    return pathPattern?.endsWith("/*") ? pathPattern.slice(0, -2) : undefined;
}

/**
 * Removes a behavior prefix from a viewer path: `/api/x` -> `/x`, `/api` and `/api/` -> `/`. A
 * path that is not under the prefix (`/apix`) is returned unchanged. The path stays encoded as
 * CloudFront delivered it: decoding here would change what the origin sees and signs. Both edge
 * rewriters (functions/viewer-request.ts, functions/edge-path-rewriter.ts) run it, so it is kept to
 * syntax the CloudFront Functions runtime has.
 */
export function stripPathPrefix(uri: string, prefix: string): string {
    if (uri === prefix) {
        return "/";
    }
    if (uri.indexOf(prefix + "/") !== 0) {
        return uri;
    }
    return uri.slice(prefix.length) || "/";
}

/**
 * The path under which the REST API's routes live. CloudFront forwards `/api/x` unchanged, so
 * without a rewriter the routes must be `/api/...`; either rewriter strips the prefix, so with one
 * the routes sit at the API root.
 */
export function apiBasePath(apiPath: string, pathRewriter: PathRewriter): string {
    return pathRewriter === "none" ? apiPath : "";
}

/**
 * The origin path CloudFront prepends for the API origin: the stage on an execute-api host (which
 * API Gateway strips to select the stage), the base path on a custom domain (which the base path
 * mapping strips), nothing for a custom domain mapped at its root.
 */
export function apiOriginPath(mode: ProxyMode, stageName: string, basePath: string | undefined): string {
    if (mode === "direct-stage") {
        return `/${stageName}`;
    }
    return basePath ? `/${basePath}` : "";
}

/**
 * What stands in front of a route's own path in the URL API Gateway receives for a request that
 * came through CloudFront: the origin path, then the API base path. A browser signs
 * `signingPathPrefix + routePath` with SigV4 for API Gateway's host.
 */
export function signingPathPrefix(originPath: string, basePath: string): string {
    return `${originPath}${basePath}`;
}

/** The part of the frontend config that says how to sign for API Gateway. */
export interface SigningTarget {
    readonly apiPath: string;
    readonly signing: { readonly pathPrefix: string };
}

/**
 * The path a browser signs for a same-origin API path: the viewer path's `apiPath` prefix is
 * replaced by `signing.pathPrefix`. A query string is kept as it is.
 *
 * @example signingPathFor({ apiPath: "/api", signing: { pathPrefix: "/prod/api" } }, "/api/iam/x?a=1")
 *          // "/prod/api/iam/x?a=1"
 */
export function signingPathFor(target: SigningTarget, viewerPath: string): string {
    const { apiPath, signing } = target;
    if (viewerPath !== apiPath && !viewerPath.startsWith(`${apiPath}/`) && !viewerPath.startsWith(`${apiPath}?`)) {
        throw new Error(`"${viewerPath}" is not under the API path "${apiPath}"`);
    }
    const rest = viewerPath.slice(apiPath.length);
    const path = `${signing.pathPrefix}${rest}`;
    if (path === "" || path.startsWith("?")) {
        return `/${path}`;
    }
    return path;
}
