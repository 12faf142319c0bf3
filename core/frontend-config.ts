/**
 * The SPA's runtime config: its shape, how the program builds it and how a reader checks it. The
 * program uploads it as `/config.json` and exports it as the `frontendConfig` stack output; the
 * console, `npm run frontend-config` and the local stack read it. Pure, so the SPA bundles it.
 */
import type { FrontendAuth } from "./auth";
import { signingPathPrefix } from "./paths";

/** The object key the SPA reads its runtime config from, next to `index.html`. */
export const CONFIG_KEY = "config.json";

/**
 * `signing` says what API Gateway itself sees for a request that came through CloudFront, which is
 * what an IAM (SigV4) signature must cover: sign `signing.host` and
 * `signing.pathPrefix + <viewer path after apiPath>` (see `signingPathFor` in core/paths.ts).
 */
export interface FrontendConfig {
    /** The same-origin API prefix: call `${apiPath}/...` on the page's own origin. */
    readonly apiPath: string;
    /** The region of the API. */
    readonly region: string;
    readonly signing: {
        /** The Host API Gateway sees: the execute-api host, or the custom domain. */
        readonly host: string;
        /** What replaces `apiPath` in the signed path: origin path plus the API's base path. */
        readonly pathPrefix: string;
        readonly region: string;
        readonly service: "execute-api";
    };
    /** How the SPA signs users in: nothing secret. */
    readonly auth: FrontendAuth;
}

export interface FrontendConfigInputs {
    readonly apiPath: string;
    readonly region: string;
    /** The API origin's host: execute-api host or custom domain. */
    readonly apiHost: string;
    /** The path CloudFront prepends for the API origin (`/prod`, `/v1` or `""`). */
    readonly apiOriginPath: string;
    /** The path the API's routes live under (`/api`, or `""` when a rewriter strips it). */
    readonly apiBasePath: string;
    readonly auth: FrontendAuth;
}

/** Builds the frontend config from the API origin the distribution uses. */
export function frontendConfig(inputs: FrontendConfigInputs): FrontendConfig {
    return {
        apiPath: inputs.apiPath,
        region: inputs.region,
        signing: {
            host: inputs.apiHost,
            pathPrefix: signingPathPrefix(inputs.apiOriginPath, inputs.apiBasePath),
            region: inputs.region,
            service: "execute-api",
        },
        auth: inputs.auth,
    };
}

type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
    return typeof value === "string" && value !== "";
}

/** "" or a path like "/prod/api": anything else would produce a malformed signed path. */
function isPathPrefix(value: unknown): value is string {
    return value === "" || (isNonEmptyString(value) && value.startsWith("/") && !value.endsWith("/"));
}

/** What is wrong with a would-be frontend config, as field names with what they must be; empty when nothing. */
export function frontendConfigProblems(value: unknown): string[] {
    if (!isObject(value)) {
        return ["the document is not a JSON object"];
    }
    const problems: string[] = [];
    const check = (ok: boolean, problem: string): void => {
        if (!ok) {
            problems.push(problem);
        }
    };
    check(isPathPrefix(value.apiPath) && value.apiPath !== "", 'apiPath (a path like "/api")');
    check(isNonEmptyString(value.region), "region");
    const signing = value.signing;
    if (isObject(signing)) {
        check(isNonEmptyString(signing.host), "signing.host");
        check(isPathPrefix(signing.pathPrefix), 'signing.pathPrefix ("" or a path like "/prod/api")');
        check(isNonEmptyString(signing.region), "signing.region");
        check(signing.service === "execute-api", 'signing.service ("execute-api")');
    } else {
        check(false, "signing");
    }
    const auth = value.auth;
    if (isObject(auth) && auth.provider === "demo") {
        // The demo tokens need nothing more.
    } else if (isObject(auth) && (auth.provider === "cognito" || auth.provider === "oidc")) {
        check(isNonEmptyString(auth.authority) && auth.authority.startsWith("http"), "auth.authority (a URL)");
        check(isNonEmptyString(auth.clientId), "auth.clientId");
        check(Array.isArray(auth.scopes) && auth.scopes.every(isNonEmptyString), "auth.scopes (a list of strings)");
        check(auth.logoutEndpoint === undefined || isNonEmptyString(auth.logoutEndpoint), "auth.logoutEndpoint");
    } else {
        check(false, 'auth ({ "provider": "demo" }, or a provider with authority, clientId and scopes)');
    }
    return problems;
}
