import { apiBasePath, apiOriginPath, PathRewriter, ProxyMode, signingPathPrefix } from "./paths";

/**
 * The SPA's runtime config, served as `/config.json` and exported as the `frontendConfig` stack
 * output. `signing` says what API Gateway itself sees for a request that came through CloudFront,
 * which is what an IAM (SigV4) signature must cover: sign `signing.host` and
 * `signing.pathPrefix + <viewer path after apiPath>` (see `signingPathFor` in infra/paths.ts).
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
}

export interface FrontendConfigInputs {
    readonly apiPath: string;
    readonly region: string;
    readonly proxyMode: ProxyMode;
    readonly pathRewriter: PathRewriter;
    readonly stageName: string;
    /** The custom domain's base path (custom-domain mode). */
    readonly basePath?: string;
    /** The API origin's host: execute-api host or custom domain. */
    readonly apiHost: string;
}

/** Builds the frontend config from the stack's settings and the API origin's host. */
export function frontendConfig(inputs: FrontendConfigInputs): FrontendConfig {
    const originPath = apiOriginPath(inputs.proxyMode, inputs.stageName, inputs.basePath);
    return {
        apiPath: inputs.apiPath,
        region: inputs.region,
        signing: {
            host: inputs.apiHost,
            pathPrefix: signingPathPrefix(originPath, apiBasePath(inputs.apiPath, inputs.pathRewriter)),
            region: inputs.region,
            service: "execute-api",
        },
    };
}
