import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AUTHORIZER_ENV, authorizerEnvironment, routeScopesEnvironment, type TokenVerification } from "../core/auth";
import { environmentBytes, LAMBDA_ENVIRONMENT_MAX_BYTES } from "../core/lambda";
import type { RouteScopes } from "../core/routes";
import { factoryEntry } from "./bundle";
import { bundledFunction } from "./bundled-function";

/**
 * The authorizer bundle's entry: whether results are cached decides the policy's scope (the
 * method ARN, or the whole stage), so it is compiled in.
 */
export function tokenAuthorizerEntry(resultTtlInSeconds: number): string {
    return factoryEntry("authorizer", "createTokenAuthorizer", { cachesResults: resultTtlInSeconds > 0 });
}

/** Lambda function names: 1-64 of `A-Za-z0-9_-` (Lambda API reference, CreateFunction FunctionName). */
const MAX_FUNCTION_NAME = 64;

/**
 * The authorizer function's name, `<project>-<stack>-<name>`, fixed before the function exists. The
 * API must name its authorizer when it is created, but the function is created last: its
 * environment holds the sign-in client's id, the client needs the site's URL, and the site's
 * distribution needs the API.
 */
export function authorizerFunctionName(project: string, stack: string, name: string): string {
    const full = `${project}-${stack}-${name}`.replace(/[^A-Za-z0-9_-]+/g, "-");
    return full.length <= MAX_FUNCTION_NAME ? full : full.slice(0, MAX_FUNCTION_NAME);
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>`. */
export function lambdaFunctionArn(partition: string, region: string, account: string, functionName: string): string {
    return `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
}

/** The authorizer's name and ARN, for the API, before the function is created. */
export function plannedAuthorizer(
    name: string,
    region: string,
): { functionName: string; functionArn: pulumi.Output<string> } {
    const functionName = authorizerFunctionName(pulumi.getProject(), pulumi.getStack(), name);
    const caller = aws.getCallerIdentityOutput();
    const functionArn = pulumi
        .all([aws.getPartitionOutput().partition, caller.accountId])
        .apply(([partition, account]) => lambdaFunctionArn(partition, region, account, functionName));
    return { functionName, functionArn };
}

export interface TokenAuthorizerArgs {
    /**
     * The function's name, as the API already names it.
     * @example plannedAuthorizer("authorizer", "eu-west-1").functionName
     */
    readonly functionName: string;
    /**
     * What a token is checked against: the issuer and audience of a JWT, or the demo tokens.
     * Handed to the function as its environment, the way Lambda passes configuration.
     * @example { provider: "cognito", issuer: signIn.issuer, audience: signIn.clientId, requiredScopes: [] }
     */
    readonly verification: pulumi.Input<TokenVerification>;
    /**
     * The token routes that declare scopes of their own, at their full resource paths: the
     * authorizer denies a token without them on those routes. Handed over in the environment too.
     * @default []
     * @example scopedRoutes(ROUTES, "/api")
     */
    readonly routeScopes?: readonly RouteScopes[];
    /**
     * Seconds API Gateway caches a decision per token (0 to 3600). With caching, the handler's
     * Allow covers the whole stage, since API Gateway reuses it for every route, with a Deny for
     * each scoped route whose scopes the token lacks.
     * @example 300
     */
    readonly resultTtlInSeconds: number;
    /**
     * The API that calls the authorizer (`arn:aws:execute-api:<region>:<account>:<api id>`).
     * @example api.executionArn
     */
    readonly apiExecutionArn: pulumi.Input<string>;
    /**
     * Days CloudWatch keeps the function's logs.
     * @default 30
     */
    readonly logRetentionDays?: number;
}

/**
 * What is wrong with handing these scoped routes to the authorizer, if anything: their variable
 * alone must fit in Lambda's 4 KB for all environment variables. Checked when the component is
 * declared, so `pulumi preview` fails; the other variables (the issuer, the audience) may not be
 * known before the sign-in resources exist, and take a few hundred bytes.
 */
export function routeScopesSizeProblem(routeScopes: readonly RouteScopes[]): string | undefined {
    const bytes = environmentBytes(routeScopesEnvironment(routeScopes));
    if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) {
        return undefined;
    }
    return (
        `The route table's scopes take ${bytes} bytes of the authorizer's environment (${AUTHORIZER_ENV.routeScopes}, ` +
        `${routeScopes.length} scoped route${routeScopes.length === 1 ? "" : "s"}), more than Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES} bytes (4 KB) for all of a ` +
        "function's environment variables together (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). " +
        "Fix: fewer scoped routes in functions/routes.ts (one {proxy+} route can carry the scopes of the paths under it), " +
        "or shorter scope names"
    );
}

/**
 * The Lambda TOKEN authorizer (functions/authorizer.ts): the function, under the name the API
 * already uses, configured through its environment, and API Gateway's permission to invoke it.
 */
export class TokenAuthorizer extends pulumi.ComponentResource {
    /** The authorizer function. */
    readonly function: aws.lambda.Function;

    constructor(name: string, args: TokenAuthorizerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:token-authorizer:TokenAuthorizer", name, {}, opts);
        const routeScopes = args.routeScopes ?? [];
        const problem = routeScopesSizeProblem(routeScopes);
        if (problem !== undefined) {
            throw new pulumi.ResourceError(problem, this);
        }
        this.function = bundledFunction(
            `${name}-function`,
            {
                description: "same-origin: TOKEN authorizer (JWT bearer tokens, or the demo tokens)",
                functionName: args.functionName,
                source: { contents: tokenAuthorizerEntry(args.resultTtlInSeconds) },
                environment: pulumi
                    .output(args.verification)
                    .apply((verification) => authorizerEnvironment(verification, routeScopes)),
                // A cold start downloads the issuer's JWKS (3 s timeout in the handler).
                timeoutSeconds: 10,
                logRetentionDays: args.logRetentionDays,
            },
            this,
        ).function;
        new aws.lambda.Permission(
            `${name}-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: this.function.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${args.apiExecutionArn}/authorizers/*`,
            },
            { parent: this },
        );
        this.registerOutputs({ functionArn: this.function.arn });
    }
}
