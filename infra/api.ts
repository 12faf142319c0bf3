import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { RouteTable } from "../core/routes";
import { isTokenRoute, routeTableProblems } from "../core/routes";
import { FUNCTIONS_DIR } from "./bundle";
import { type BundledFunction, bundledFunction } from "./bundled-function";
import { apiDefinition } from "./openapi";

/** A Lambda function's invocation URI, as API Gateway integrations and authorizers name it. */
export function lambdaInvocationUri(region: string, functionArn: string): string {
    return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/** A handler module's part of its resources' names: `orders/list.ts` -> `orders-list`. */
function handlerId(module: string): string {
    return module.replace(/\.ts$/, "").replace(/[^A-Za-z0-9-]/g, "-");
}

/** The host part of an https URL: `https://abc.execute-api.eu-west-1.amazonaws.com/prod` -> the host. */
export function hostOf(url: string): string {
    return new URL(url).host;
}

/** The TOKEN authorizer the API calls: a function named before it exists (it is created after the API). */
export interface ApiTokenAuthorizer {
    /** The authorizer function's ARN. */
    readonly functionArn: pulumi.Input<string>;
    /** @default "Authorization" */
    readonly header?: string;
    /** Seconds API Gateway caches a decision per token, 0 to 3600. */
    readonly resultTtlInSeconds: number;
}

export interface ApiArgs {
    /**
     * The path every route lives under: the CloudFront behavior's prefix when CloudFront forwards
     * the full path, `""` when a rewriter strips it.
     * @example "/api"
     */
    readonly basePath: string;
    /**
     * The API Gateway stage name.
     * @example "prod"
     */
    readonly stageName: string;
    /**
     * The routes (functions/routes.ts): each handler module is bundled and deployed once.
     * @example [{ path: "/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "none" }]
     */
    readonly routes: RouteTable;
    /**
     * The folder the routes' handler modules are in: the route table's `HANDLERS_DIR`.
     * @default functions/
     */
    readonly handlersDir?: string;
    /**
     * The TOKEN authorizer, required when a route is token-protected.
     * @example { functionArn: authorizerArn, resultTtlInSeconds: 0 }
     */
    readonly tokenAuthorizer?: ApiTokenAuthorizer;
    /**
     * The region the API is deployed in (for integration URIs).
     * @example "eu-west-1"
     */
    readonly region: string;
    /**
     * Days CloudWatch keeps the handler functions' logs.
     * @default 30
     */
    readonly logRetentionDays?: number;
}

/**
 * The REST API: REGIONAL (behind our own CloudFront an EDGE endpoint would add a second
 * distribution), its body built from the route table, a deployment that changes with the body,
 * the stage, one Lambda function per handler module and API Gateway's permission to invoke it.
 */
export class Api extends pulumi.ComponentResource {
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    /** `https://{id}.execute-api.{region}.amazonaws.com/{stage}`. */
    readonly stageUrl: pulumi.Output<string>;
    /** The execute-api host: the Host API Gateway sees, and signs, for direct-stage requests. */
    readonly executeApiHost: pulumi.Output<string>;
    /** `arn:aws:execute-api:{region}:{account}:{id}`, for invoke permissions. */
    readonly executionArn: pulumi.Output<string>;
    /** `arn:aws:apigateway:{region}::/restapis/{id}/stages/{stage}`, for a web ACL association. */
    readonly stageArn: pulumi.Output<string>;
    /** The handler functions, by module. */
    readonly handlers: ReadonlyMap<string, BundledFunction>;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:api:Api", name, {}, opts);
        const problems = [
            ...routeTableProblems(args.routes),
            ...(args.routes.some(isTokenRoute) && args.tokenAuthorizer === undefined
                ? ["a route is token-protected but no TOKEN authorizer is given"]
                : []),
        ];
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`The route table is invalid:\n  - ${problems.join("\n  - ")}`, this);
        }
        this.handlers = this.createHandlers(
            name,
            args.routes,
            args.handlersDir ?? FUNCTIONS_DIR,
            args.logRetentionDays,
        );
        const body = this.definition(name, args);
        const restApi = new aws.apigateway.RestApi(
            `${name}-rest`,
            { body, endpointConfiguration: { types: "REGIONAL" }, binaryMediaTypes: ["*/*"] },
            { parent: this },
        );
        const deployment = new aws.apigateway.Deployment(
            `${name}-deployment`,
            // A new body needs a new deployment; the stage then points at it.
            {
                restApi: restApi.id,
                triggers: { body: body.apply((b) => createHash("sha256").update(b).digest("hex")) },
            },
            { parent: this },
        );
        const stage = new aws.apigateway.Stage(
            `${name}-stage`,
            { restApi: restApi.id, deployment: deployment.id, stageName: args.stageName },
            { parent: this },
        );
        this.allowInvocations(name, restApi, args.stageName);

        this.restApiId = restApi.id;
        this.stageName = stage.stageName;
        this.stageUrl = stage.invokeUrl;
        this.executeApiHost = stage.invokeUrl.apply(hostOf);
        this.executionArn = restApi.executionArn;
        this.stageArn = stage.arn;
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            stageUrl: this.stageUrl,
            executeApiHost: this.executeApiHost,
            executionArn: this.executionArn,
            stageArn: this.stageArn,
        });
    }

    /** One function per handler module, whatever the number of routes it serves. */
    private createHandlers(
        name: string,
        routes: RouteTable,
        dir: string,
        logRetentionDays: number | undefined,
    ): Map<string, BundledFunction> {
        const modules = [...new Set(routes.map((route) => route.handler))];
        // The module as the project names it: functions/echo.ts.
        const shown = (module: string) => path.relative(path.dirname(FUNCTIONS_DIR), path.join(dir, module));
        return new Map(
            modules.map((module) => [
                module,
                bundledFunction(
                    `${name}-${handlerId(module)}`,
                    {
                        description: `same-origin: API handler ${shown(module)}`,
                        source: { entry: module, dir },
                        timeoutSeconds: 10,
                        logRetentionDays,
                    },
                    this,
                ),
            ]),
        );
    }

    private definition(name: string, args: ApiArgs): pulumi.Output<string> {
        const uris = pulumi.all(
            Object.fromEntries([...this.handlers].map(([module, fn]) => [module, fn.function.invokeArn])),
        );
        return pulumi.all([uris, args.tokenAuthorizer?.functionArn]).apply(([integrationUris, authorizerArn]) =>
            JSON.stringify(
                apiDefinition({
                    title: `${name}-rest`,
                    basePath: args.basePath,
                    routes: args.routes,
                    integrationUris,
                    tokenAuthorizer:
                        authorizerArn === undefined || args.tokenAuthorizer === undefined
                            ? undefined
                            : {
                                  uri: lambdaInvocationUri(args.region, authorizerArn),
                                  header: args.tokenAuthorizer.header ?? "Authorization",
                                  resultTtlInSeconds: args.tokenAuthorizer.resultTtlInSeconds,
                              },
                    apiKeyRequired: false,
                }),
            ),
        );
    }

    /** API Gateway may invoke each handler, from this API's stage only. */
    private allowInvocations(name: string, restApi: aws.apigateway.RestApi, stageName: string): void {
        for (const [module, fn] of this.handlers) {
            new aws.lambda.Permission(
                `${name}-invoke-${handlerId(module)}`,
                {
                    action: "lambda:InvokeFunction",
                    function: fn.function.name,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${restApi.executionArn}/${stageName}/*/*`,
                },
                { parent: this },
            );
        }
    }
}
