import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { bundledFunction } from "./bundled-function";
import { DEFAULTS } from "./config";
import { TokenAuthorizer } from "./token-authorizer";

/** How a route is protected. */
export type RouteAuth = "none" | "token" | "iam";

/** One `ANY` route of the REST API. */
export interface RouteSpec {
    readonly path: string;
    readonly auth: RouteAuth;
}

/**
 * The API's routes under a base path (`/api`, or `""` for the API root). `/x/{proxy+}` does not
 * cover `/x` itself, so each protected prefix has both routes. A literal path beats `{proxy+}` in
 * API Gateway's matching, so `/authorized/...` and `/iam/...` win over the public catch-all.
 */
export function apiRoutes(basePath: string): RouteSpec[] {
    return [
        { path: `${basePath}/{proxy+}`, auth: "none" },
        { path: `${basePath}/authorized`, auth: "token" },
        { path: `${basePath}/authorized/{proxy+}`, auth: "token" },
        { path: `${basePath}/iam`, auth: "iam" },
        { path: `${basePath}/iam/{proxy+}`, auth: "iam" },
    ];
}

/**
 * Gateway responses written into the OpenAPI body. awsx's defaults turn ACCESS_DENIED into 404,
 * which would hide the authorizer's explicit Deny; here a Deny stays a 403. An unknown path (and an
 * unsigned request to an IAM route) answers 404 with API Gateway's own message.
 */
export function apiGatewayResponses(): Record<string, awsx.classic.apigateway.SwaggerGatewayResponse> {
    const apiGatewayMessage = { "application/json": '{"message":$context.error.messageString}' };
    return {
        MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: apiGatewayMessage },
        ACCESS_DENIED: { statusCode: 403, responseTemplates: apiGatewayMessage },
    };
}

/** The host part of an https URL: `https://abc.execute-api.eu-west-1.amazonaws.com/prod` -> the host. */
export function hostOf(url: string): string {
    return new URL(url).host;
}

export interface ApiArgs {
    /**
     * The path every route lives under. Equal to the CloudFront behavior prefix when CloudFront
     * forwards the full path; empty when an edge rewriter strips the prefix.
     * @example "/api"
     */
    readonly basePath: string;
    /**
     * The API Gateway stage name.
     * @default "prod"
     * @example "dev"
     */
    readonly stageName?: string;
    /**
     * The TOKEN authorizer guarding the `/authorized` routes.
     * @example new TokenAuthorizer("authorizer", { resultTtlInSeconds: 300 })
     */
    readonly authorizer: TokenAuthorizer;
}

/**
 * The REST API: a REGIONAL awsx classic API with a public catch-all, token-authorized and
 * IAM-authorized routes, all served by the echo Lambda.
 */
export class Api extends pulumi.ComponentResource {
    /** The REST API id. */
    readonly restApiId: pulumi.Output<string>;
    /** The stage name. */
    readonly stageName: pulumi.Output<string>;
    /** The stage URL, `https://{id}.execute-api.{region}.amazonaws.com/{stage}`. */
    readonly stageUrl: pulumi.Output<string>;
    /** The execute-api host: the Host API Gateway sees, and signs, for direct-stage requests. */
    readonly executeApiHost: pulumi.Output<string>;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:api:Api", name, {}, opts);

        const echo = bundledFunction(
            `${name}-echo`,
            {
                description: "same-origin: returns the API Gateway event it received",
                source: { entry: "echo.ts" },
                timeoutSeconds: 10,
            },
            this,
        ).function;
        const api = new awsx.classic.apigateway.API(
            `${name}-rest`,
            {
                stageName: args.stageName ?? DEFAULTS.stageName,
                restApiArgs: { endpointConfiguration: { types: "REGIONAL" } },
                gatewayResponses: apiGatewayResponses(),
                routes: this.routes(name, args, echo),
            },
            { parent: this },
        );

        this.restApiId = api.restAPI.id;
        this.stageName = api.stage.stageName;
        this.stageUrl = api.stage.invokeUrl;
        this.executeApiHost = api.stage.invokeUrl.apply(hostOf);
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            stageUrl: this.stageUrl,
            executeApiHost: this.executeApiHost,
        });
    }

    private routes(
        name: string,
        args: ApiArgs,
        echo: aws.lambda.Function,
    ): awsx.classic.apigateway.EventHandlerRoute[] {
        const tokenAuthorizer = awsx.classic.apigateway.getTokenLambdaAuthorizer({
            authorizerName: `${name}-token`,
            header: args.authorizer.header,
            handler: args.authorizer.function,
            authorizerResultTtlInSeconds: args.authorizer.resultTtlInSeconds,
        });
        return apiRoutes(args.basePath).map((route) => ({
            path: route.path,
            method: "ANY",
            eventHandler: echo,
            ...(route.auth === "token" ? { authorizers: [tokenAuthorizer] } : {}),
            ...(route.auth === "iam" ? { iamAuthEnabled: true } : {}),
        }));
    }
}
