import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { ALL_METHODS_PATH } from "../core/api-gateway";
import type { RouteTable } from "../core/routes";
import { isTokenRoute, routeTableProblems } from "../core/routes";
import { FUNCTIONS_DIR } from "./bundle";
import { type BundledFunction, bundledFunction, stackLogGroupName } from "./bundled-function";
import type { ThrottleConfig } from "./config";
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

/** The API answers only requests carrying the API key CloudFront sends (see docs/security.md). */
export interface ApiOriginLockdown {
    /**
     * Turns the execute-api endpoint off, for when CloudFront reaches the API through a custom domain.
     * @example true
     */
    readonly disableExecuteApiEndpoint: boolean;
}

/** Where the stage logs, and for how long. */
export interface ApiLogs {
    /**
     * Days CloudWatch keeps the access and execution logs, and the handler functions' logs.
     * @example 30
     */
    readonly retentionDays: number;
    /**
     * The account's API Gateway settings naming the CloudWatch role (infra/api-gateway-account.ts),
     * when this stack manages them: the stage waits for them, because API Gateway refuses to turn
     * logging on before the role is set.
     * @default none: the account is assumed to be set up already
     * @example account.settings
     */
    readonly accountSettings?: pulumi.Resource;
}

/**
 * The access log line, one JSON object per request (the format must be one line and include
 * `$context.requestId`: "Set up CloudWatch logging for REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). The variables
 * are those of "Variables for access logging for API Gateway"
 * (api-gateway-variables-for-access-logging.html); each is quoted, as in AWS's JSON example, so a
 * variable without a value (`-`) keeps the line valid JSON. Free-text messages that may hold quotes
 * are left out; `errorResponseType` names the gateway response (INVALID_API_KEY, THROTTLED, ...).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.caller",
    user: "$context.identity.user",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    path: "$context.path",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationLatency: "$context.integrationLatency",
    integrationStatus: "$context.integration.status",
    integrationError: "$context.integration.error",
    authorizerStatus: "$context.authorizer.status",
    authorizerLatency: "$context.authorizer.latency",
    authorizerError: "$context.authorizer.error",
    errorResponseType: "$context.error.responseType",
    wafStatus: "$context.waf.status",
    wafResponseCode: "$context.wafResponseCode",
    apiKeyId: "$context.identity.apiKeyId",
    xrayTraceId: "$context.xrayTraceId",
};

/**
 * The log group API Gateway writes a stage's execution logs to, which it creates itself when the
 * stage first logs ("Execution logging for REST APIs", rest-api-execution-logging.html). Created
 * here first, so it gets a retention period and goes with the stack.
 */
export function executionLogGroupName(restApiId: string, stageName: string): string {
    return `API-Gateway-Execution-Logs_${restApiId}/${stageName}`;
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
     * Require on every method the API key CloudFront sends ({@link Api.originKey}).
     * @default none: the API answers whoever calls it
     * @example { disableExecuteApiEndpoint: false }
     */
    readonly originLockdown?: ApiOriginLockdown;
    /**
     * The stage's default method throttling, and the usage plan's with the origin lockdown.
     * @example { rateLimit: 100, burstLimit: 200 }
     */
    readonly throttle: ThrottleConfig;
    /**
     * Access and execution logs.
     * @example { retentionDays: 30, accountSettings: account.settings }
     */
    readonly logs: ApiLogs;
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
    /**
     * With the origin lockdown, the API key every method requires, for CloudFront to send in
     * `x-api-key`. Secret: never export it.
     */
    readonly originKey?: pulumi.Output<string>;
    /** The log group of the stage's access logs. */
    readonly accessLogGroupName: pulumi.Output<string>;
    /** The log group of the stage's execution logs (errors). */
    readonly executionLogGroupName: pulumi.Output<string>;

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
            args.logs.retentionDays,
        );
        const body = this.definition(name, args);
        const disableExecuteApiEndpoint = args.originLockdown?.disableExecuteApiEndpoint ?? false;
        const restApi = new aws.apigateway.RestApi(
            `${name}-rest`,
            {
                body,
                endpointConfiguration: { types: "REGIONAL" },
                binaryMediaTypes: ["*/*"],
                disableExecuteApiEndpoint,
            },
            { parent: this },
        );
        const deployment = new aws.apigateway.Deployment(
            `${name}-deployment`,
            // A new body needs a new deployment; the stage then points at it. Turning the execute-api
            // endpoint off "takes affect when you update any setting on any stage, such as updating the
            // deployment" ("Disable the default endpoint for REST APIs", rest-api-disable-default-endpoint.html).
            {
                restApi: restApi.id,
                triggers: {
                    body: body.apply((b) => createHash("sha256").update(b).digest("hex")),
                    disableExecuteApiEndpoint: String(disableExecuteApiEndpoint),
                },
            },
            { parent: this },
        );
        const logs = this.logGroups(name, restApi, args);
        const stage = new aws.apigateway.Stage(
            `${name}-stage`,
            {
                restApi: restApi.id,
                deployment: deployment.id,
                stageName: args.stageName,
                accessLogSettings: { destinationArn: logs.access.arn, format: JSON.stringify(ACCESS_LOG_FIELDS) },
                // X-Ray active tracing of the stage (Security Hub APIGateway.3).
                xrayTracingEnabled: true,
            },
            // Logging fails before API Gateway's CloudWatch role is set, and API Gateway would create
            // the execution log group itself (without retention) if the stage logged first.
            {
                parent: this,
                dependsOn: [logs.execution, ...(args.logs.accountSettings ? [args.logs.accountSettings] : [])],
            },
        );
        new aws.apigateway.MethodSettings(
            `${name}-method-settings`,
            {
                restApi: restApi.id,
                stageName: stage.stageName,
                methodPath: ALL_METHODS_PATH,
                settings: {
                    // Errors only (Security Hub APIGateway.1 asks for ERROR or INFO); no request or
                    // response bodies in the logs, which may hold personal data.
                    loggingLevel: "ERROR",
                    dataTraceEnabled: false,
                    metricsEnabled: true,
                    throttlingRateLimit: args.throttle.rateLimit,
                    throttlingBurstLimit: args.throttle.burstLimit,
                },
            },
            { parent: this },
        );
        this.allowInvocations(name, restApi, args.stageName);
        if (args.originLockdown) {
            this.originKey = this.originKeyFor(name, restApi, stage, args.throttle);
        }

        this.restApiId = restApi.id;
        this.stageName = stage.stageName;
        this.stageUrl = stage.invokeUrl;
        this.executeApiHost = stage.invokeUrl.apply(hostOf);
        this.executionArn = restApi.executionArn;
        this.stageArn = stage.arn;
        this.accessLogGroupName = logs.access.name;
        this.executionLogGroupName = logs.execution.name;
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            stageUrl: this.stageUrl,
            executeApiHost: this.executeApiHost,
            executionArn: this.executionArn,
            stageArn: this.stageArn,
            accessLogGroupName: this.accessLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
        });
    }

    /** The stage's two log groups, both with the retention period. */
    private logGroups(
        name: string,
        restApi: aws.apigateway.RestApi,
        args: ApiArgs,
    ): { access: aws.cloudwatch.LogGroup; execution: aws.cloudwatch.LogGroup } {
        const access = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            {
                name: stackLogGroupName(pulumi.getStack(), `${name}-access-logs`),
                retentionInDays: args.logs.retentionDays,
            },
            { parent: this },
        );
        const execution = new aws.cloudwatch.LogGroup(
            `${name}-execution-logs`,
            {
                name: restApi.id.apply((id) => executionLogGroupName(id, args.stageName)),
                retentionInDays: args.logs.retentionDays,
            },
            { parent: this },
        );
        return { access, execution };
    }

    /**
     * The origin lockdown: a generated key, an API key with that value, and a usage plan on the
     * stage (throttled like the stage) holding it. API keys must belong to a usage plan of the stage
     * to be accepted ("Usage plans and API keys for REST APIs in API Gateway", api-gateway-api-usage-plans.html).
     * The value is alphanumeric, 20 to 128 characters (the `aws.apigateway.ApiKey` `value` docs).
     */
    private originKeyFor(
        name: string,
        restApi: aws.apigateway.RestApi,
        stage: aws.apigateway.Stage,
        throttle: ThrottleConfig,
    ): pulumi.Output<string> {
        // RandomPassword's result is a secret of the state (additionalSecretOutputs); wrapped again so
        // whatever carries it (the distribution's origins) is stored encrypted too, whatever the provider does.
        const password = new random.RandomPassword(
            `${name}-origin-key-value`,
            { length: 64, special: false, upper: true, lower: true, numeric: true },
            { parent: this },
        );
        const value = pulumi.secret(password.result);
        const key = new aws.apigateway.ApiKey(
            `${name}-origin-key`,
            { description: "same-origin: CloudFront sends it in x-api-key; the API answers nothing else", value },
            { parent: this },
        );
        const plan = new aws.apigateway.UsagePlan(
            `${name}-usage-plan`,
            {
                description: "same-origin: the stage's requests through CloudFront",
                apiStages: [{ apiId: restApi.id, stage: stage.stageName }],
                throttleSettings: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
            },
            { parent: this },
        );
        const planKey = new aws.apigateway.UsagePlanKey(
            `${name}-usage-plan-key`,
            { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id },
            { parent: this },
        );
        // Read through the plan's key, so CloudFront is given a key only once API Gateway accepts it.
        return pulumi.all([value, planKey.id]).apply(([secret]) => secret);
    }

    /** One function per handler module, whatever the number of routes it serves. */
    private createHandlers(
        name: string,
        routes: RouteTable,
        dir: string,
        logRetentionDays: number,
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
                    apiKeyRequired: args.originLockdown !== undefined,
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
