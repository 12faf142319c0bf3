import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { factoryEntry } from "./bundle";
import { bundledFunction } from "./bundled-function";
import { DEFAULTS } from "./config";

/**
 * The authorizer bundle's entry: whether results are cached decides the policy's scope (the
 * method ARN, or the whole stage), so it is compiled in.
 */
export function tokenAuthorizerEntry(resultTtlInSeconds: number): string {
    return factoryEntry("authorizer", "createTokenAuthorizer", { cachesResults: resultTtlInSeconds > 0 });
}

export interface TokenAuthorizerArgs {
    /**
     * Seconds API Gateway caches an authorizer decision per token (0 to 3600). With caching, the
     * handler's Allow covers the whole stage, since API Gateway reuses it for every route.
     * @default 0
     * @example 300
     */
    readonly resultTtlInSeconds?: number;
    /**
     * The request header that carries the token.
     * @default "Authorization"
     * @example "X-Api-Token"
     */
    readonly header?: string;
}

/**
 * The Lambda TOKEN authorizer: the function (functions/authorizer.ts) and its role. The API
 * component wires it to routes; API Gateway's permission to invoke it is created there by awsx.
 */
export class TokenAuthorizer extends pulumi.ComponentResource {
    /** The authorizer function. */
    readonly function: aws.lambda.Function;
    /** The header API Gateway reads the token from. */
    readonly header: string;
    /** The result cache TTL in seconds. */
    readonly resultTtlInSeconds: number;

    constructor(name: string, args: TokenAuthorizerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:token-authorizer:TokenAuthorizer", name, {}, opts);
        this.header = args.header ?? "Authorization";
        this.resultTtlInSeconds = args.resultTtlInSeconds ?? DEFAULTS.authorizerCacheTtl;

        this.function = bundledFunction(
            `${name}-function`,
            {
                description: "same-origin: TOKEN authorizer (allow / deny / unauthorized)",
                source: { contents: tokenAuthorizerEntry(this.resultTtlInSeconds) },
                timeoutSeconds: 5,
            },
            this,
        ).function;

        this.registerOutputs({
            functionArn: this.function.arn,
            header: this.header,
            resultTtlInSeconds: this.resultTtlInSeconds,
        });
    }
}
