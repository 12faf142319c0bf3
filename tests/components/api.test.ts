import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import type { RouteTable } from "../../core/routes";
import { Api, type ApiArgs } from "../../infra/api";
import {
    ComponentRun,
    componentFailure,
    named,
    type RegisteredResource,
    runComponent,
} from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

const AUTHORIZER_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:same-origin-test-authorizer";
/** What every run passes unless a test says otherwise: written out, not the config's defaults. */
const THROTTLE = { rateLimit: 7, burstLimit: 11 };
const LOGS = { retentionDays: 14 };
/** The 24 access log fields the issue asks for, each with the API Gateway variable it holds. */
const ACCESS_LOG_VARIABLES: Record<string, string> = {
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

/** A table with two handler modules, one serving several routes, written out for the test. */
const ROUTES: RouteTable = [
    { path: "/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "none" },
    { path: "/authorized", methods: "ANY", handler: "echo.ts", auth: { token: {} } },
    { path: "/iam/{proxy+}", methods: "ANY", handler: "echo.ts", auth: "iam" },
    { path: "/orders/{id}", methods: ["GET", "DELETE"], handler: "authorizer.ts", auth: "none" },
];

function runApi(args: Partial<ApiArgs> = {}, preview = false) {
    return runComponent(
        () =>
            new Api("api", {
                basePath: "/api",
                stageName: "dev",
                routes: ROUTES,
                tokenAuthorizer: { functionArn: AUTHORIZER_ARN, resultTtlInSeconds: 120 },
                region: "eu-west-1",
                throttle: THROTTLE,
                logs: LOGS,
                ...args,
            }),
        { preview },
    );
}

/** The operations of the OpenAPI body, with their paths and methods. */
function operations(run: ComponentRun<Api>): [string, any][] {
    return Object.entries<Record<string, any>>(openApi(run).paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]): [string, any] => [`${method} ${path}`, operation]),
    );
}

/** The one registered resource of a type, with its dependencies and secret outputs. */
function registered(run: ComponentRun<unknown>, type: string): RegisteredResource {
    const found = run.resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0];
}

const openApi = (run: ComponentRun<Api>) => JSON.parse(onlyResourceOfType(run, TYPES.restApi).inputs.body);

describe("Api", () => {
    describe("under /api (up)", () => {
        let run: ComponentRun<Api>;
        before(async () => {
            run = await runApi();
        });

        it("is a same-origin:api:Api holding every resource it creates", () => {
            const api = named(run, "api");
            assert.equal(api.type, "same-origin:api:Api");
            const ancestors = (urn: string | undefined): string[] => {
                const parent = run.resources.find((r) => r.urn === urn)?.parent;
                return parent === undefined ? [] : [parent, ...ancestors(parent)];
            };
            for (const r of run.resources.filter((r) => r !== api)) {
                assert.ok(ancestors(r.urn).includes(api.urn), `${r.type} ${r.name} is outside the Api`);
            }
        });

        it("bundles and deploys each handler module once, whatever the number of routes it serves", () => {
            const functions = resourcesOfType(run, TYPES.lambdaFunction).map((f) => f.name);
            assert.deepEqual(functions.sort(), ["api-authorizer", "api-echo"]);
        });

        it("creates a REGIONAL REST API, to sit behind the program's own CloudFront distribution", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.restApi).inputs.endpointConfiguration, {
                types: "REGIONAL",
            });
        });

        it("declares the routes under the base path, each method as listed, with its handler's integration", () => {
            const { paths } = openApi(run);
            assert.deepEqual(Object.keys(paths), [
                "/api/{proxy+}",
                "/api/authorized",
                "/api/iam/{proxy+}",
                "/api/orders/{id}",
            ]);
            assert.deepEqual(Object.keys(paths["/api/orders/{id}"]), ["get", "delete"]);
            assert.equal(
                paths["/api/orders/{id}"].get["x-amazon-apigateway-integration"].uri,
                named(run, "api-authorizer").state.invokeArn,
            );
            const echoIntegration =
                paths["/api/{proxy+}"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"];
            assert.deepEqual(echoIntegration, {
                type: "aws_proxy",
                httpMethod: "POST",
                uri: named(run, "api-echo").state.invokeArn,
                passthroughBehavior: "when_no_match",
            });
        });

        it("protects each route as the table says: the TOKEN authorizer, AWS_IAM, or nothing", () => {
            const { paths } = openApi(run);
            const any = (path: string) => paths[path]["x-amazon-apigateway-any-method"];
            assert.deepEqual(any("/api/authorized").security, [{ "token-authorizer": [] }]);
            assert.equal(any("/api/authorized")["x-amazon-apigateway-auth"], undefined);
            assert.deepEqual(any("/api/iam/{proxy+}")["x-amazon-apigateway-auth"], { type: "AWS_IAM" });
            assert.equal(any("/api/{proxy+}").security, undefined);
            assert.equal(any("/api/{proxy+}")["x-amazon-apigateway-auth"], undefined);
        });

        it("names the TOKEN authorizer by the planned function's ARN, with its header and cache TTL", () => {
            const definition = openApi(run).securityDefinitions["token-authorizer"];
            assert.equal(definition.name, "Authorization");
            assert.equal(definition.in, "header");
            assert.deepEqual(definition["x-amazon-apigateway-authorizer"], {
                type: "token",
                authorizerUri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${AUTHORIZER_ARN}/invocations`,
                identitySource: "method.request.header.Authorization",
                authorizerResultTtlInSeconds: 120,
            });
        });

        it("keeps an authorizer's explicit Deny a 403 and answers an unknown path 404, with API Gateway's message", () => {
            const message = { "application/json": '{"message":$context.error.messageString}' };
            assert.deepEqual(openApi(run)["x-amazon-apigateway-gateway-responses"], {
                MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: message },
                ACCESS_DENIED: { statusCode: 403, responseTemplates: message },
            });
        });

        it("lets API Gateway invoke each handler from this API's stage only", () => {
            const executionArn = onlyResourceOfType(run, TYPES.restApi).state.executionArn;
            const permissions = resourcesOfType(run, TYPES.permission);
            assert.deepEqual(
                permissions.map((p) => [p.inputs.function, p.inputs.principal, p.inputs.sourceArn]).sort(),
                [
                    [named(run, "api-authorizer").state.name, "apigateway.amazonaws.com", `${executionArn}/dev/*/*`],
                    [named(run, "api-echo").state.name, "apigateway.amazonaws.com", `${executionArn}/dev/*/*`],
                ].sort(),
            );
        });

        it("redeploys when the body changes: the deployment's trigger is the body's hash", async () => {
            const deployment = onlyResourceOfType(run, TYPES.deployment);
            assert.match(deployment.inputs.triggers.body, /^[0-9a-f]{64}$/);
            const other = await runApi({ basePath: "/v2" });
            assert.notEqual(
                onlyResourceOfType(other, TYPES.deployment).inputs.triggers.body,
                deployment.inputs.triggers.body,
            );
            assert.equal(onlyResourceOfType(run, TYPES.stage).inputs.deployment, deployment.id);
        });

        it("deploys each handler's own module: the echo answers a proxy event with what it received", async () => {
            const handler = loadLambdaHandler(archiveFile(named(run, "api-echo").inputs.code));
            const response = await handler({
                resource: "/api/{proxy+}",
                path: "/api/hello",
                httpMethod: "GET",
                headers: {},
                pathParameters: { proxy: "hello" },
                body: null,
                isBase64Encoded: false,
                requestContext: { stage: "dev", path: "/dev/api/hello" },
            });
            assert.equal(response.statusCode, 200);
            assert.equal(JSON.parse(response.body).path, "/api/hello");
        });

        it("reports its id, stage, URL, execute-api host, execution ARN, stage ARN and log groups, and no API key", () => {
            const restApi = onlyResourceOfType(run, TYPES.restApi);
            assert.deepEqual(run.outputs, {
                restApiId: restApi.id,
                stageName: "dev",
                stageUrl: `https://${restApi.id}.execute-api.eu-west-1.amazonaws.com/dev`,
                executeApiHost: `${restApi.id}.execute-api.eu-west-1.amazonaws.com`,
                executionArn: restApi.state.executionArn,
                // The form a web ACL association takes (WAF API reference, AssociateWebACL ResourceArn).
                stageArn: `arn:aws:apigateway:eu-west-1::/restapis/${restApi.id}/stages/dev`,
                accessLogGroupName: "/same-origin/test/api-access-logs",
                executionLogGroupName: `API-Gateway-Execution-Logs_${restApi.id}/dev`,
            });
            assert.equal(run.value.originKey, undefined);
        });

        it("without the origin lockdown, requires no API key and creates no key, usage plan or password", () => {
            for (const [name, operation] of operations(run)) {
                assert.ok(!(operation.security ?? []).some((requirement: object) => "api-key" in requirement), name);
            }
            assert.equal(openApi(run).securityDefinitions["api-key"], undefined);
            for (const type of [TYPES.randomPassword, TYPES.apiKey, TYPES.usagePlan, TYPES.usagePlanKey]) {
                assert.deepEqual(resourcesOfType(run, type), [], type);
            }
            assert.equal(onlyResourceOfType(run, TYPES.restApi).inputs.disableExecuteApiEndpoint, false);
        });

        it("keeps its handlers' logs for logs.retentionDays", () => {
            const handlerGroups = resourcesOfType(run, TYPES.logGroup).filter(
                (g) => !["api-access-logs", "api-execution-logs"].includes(g.name),
            );
            assert.notDeepEqual(handlerGroups, []);
            for (const group of handlerGroups) {
                assert.equal(group.inputs.retentionInDays, LOGS.retentionDays, group.name);
            }
        });

        it("throttles every method of the stage and logs its errors, with metrics and no bodies", () => {
            const settings = onlyResourceOfType(run, TYPES.methodSettings).inputs;
            assert.equal(settings.restApi, onlyResourceOfType(run, TYPES.restApi).id);
            assert.equal(settings.stageName, "dev");
            assert.equal(settings.methodPath, "*/*");
            assert.deepEqual(settings.settings, {
                throttlingRateLimit: 7,
                throttlingBurstLimit: 11,
                loggingLevel: "ERROR",
                metricsEnabled: true,
                dataTraceEnabled: false,
            });
        });

        it("writes one JSON line per request to an access log group kept for the retention period", () => {
            const group = named(run, "api-access-logs");
            assert.deepEqual(group.inputs, { name: "/same-origin/test/api-access-logs", retentionInDays: 14 });
            const { destinationArn, format } = onlyResourceOfType(run, TYPES.stage).inputs.accessLogSettings;
            assert.equal(destinationArn, group.state.arn);
            assert.doesNotMatch(format, /\n/, "API Gateway takes a one-line format");
            assert.deepEqual(JSON.parse(format), ACCESS_LOG_VARIABLES);
        });

        it("creates the execution log group API Gateway would create without retention, and traces with X-Ray", () => {
            const restApi = onlyResourceOfType(run, TYPES.restApi);
            assert.deepEqual(named(run, "api-execution-logs").inputs, {
                name: `API-Gateway-Execution-Logs_${restApi.id}/dev`,
                retentionInDays: 14,
            });
            const stage = registered(run, TYPES.stage);
            assert.equal(stage.inputs.xrayTracingEnabled, true);
            assert.ok(
                stage.dependencies.includes(named(run, "api-execution-logs").urn),
                "the stage logs only once its execution log group exists",
            );
        });
    });

    describe("with the origin lockdown", () => {
        let run: ComponentRun<Api>;
        before(async () => {
            run = await runApi({ originLockdown: { disableExecuteApiEndpoint: false } });
        });

        it("requires the x-api-key API key on every method, next to its own authorization", () => {
            assert.deepEqual(openApi(run).securityDefinitions["api-key"], {
                type: "apiKey",
                name: "x-api-key",
                in: "header",
            });
            assert.equal(openApi(run)["x-amazon-apigateway-api-key-source"], "HEADER");
            const all = operations(run);
            assert.equal(all.length, 5);
            for (const [name, operation] of all) {
                const expected = name.endsWith("/api/authorized")
                    ? { "token-authorizer": [], "api-key": [] }
                    : { "api-key": [] };
                assert.deepEqual(operation.security, [expected], name);
            }
            assert.deepEqual(
                all.find(([name]) => name.includes("/api/iam/"))![1]["x-amazon-apigateway-auth"],
                { type: "AWS_IAM" },
                "SigV4 still applies",
            );
        });

        it("generates a long alphanumeric key, the value of an API key of a usage plan on the stage", () => {
            const password = onlyResourceOfType(run, TYPES.randomPassword);
            assert.deepEqual(password.inputs, { length: 64, special: false, upper: true, lower: true, numeric: true });
            assert.match(password.state.result, /^[A-Za-z0-9]{64}$/);
            const key = onlyResourceOfType(run, TYPES.apiKey);
            assert.equal(key.inputs.value, password.state.result);
            const plan = onlyResourceOfType(run, TYPES.usagePlan);
            assert.deepEqual(plan.inputs.apiStages, [
                { apiId: onlyResourceOfType(run, TYPES.restApi).id, stage: "dev" },
            ]);
            assert.deepEqual(plan.inputs.throttleSettings, { rateLimit: 7, burstLimit: 11 });
            assert.deepEqual(onlyResourceOfType(run, TYPES.usagePlanKey).inputs, {
                keyId: key.id,
                keyType: "API_KEY",
                usagePlanId: plan.id,
            });
        });

        it("keeps the key secret: the password's result, the API key's value and the key it hands CloudFront", async () => {
            const password = registered(run, TYPES.randomPassword);
            assert.ok(password.additionalSecretOutputs.includes("result"), "RandomPassword asks for a secret result");
            assert.deepEqual(onlyResourceOfType(run, TYPES.apiKey).secretInputs, ["value"]);
            assert.equal(await pulumi.isSecret(run.value.originKey!), true);
            assert.equal(run.outputs.originKey, password.state.result);
            assert.ok(
                !Object.values(run.resources.find((r) => r.name === "api")!.state).includes(password.state.result),
                "the component registers no output holding the key",
            );
        });

        it("hands CloudFront the key only once the usage plan holds it", async () => {
            // Output.resources(): the resources an Output's value comes from (internal, as in capture/capture.ts).
            const resources = [
                ...(run.value.originKey as unknown as { resources(): Set<pulumi.Resource> }).resources(),
            ];
            assert.ok(
                resources.some((r) => r instanceof aws.apigateway.UsagePlanKey),
                "the key's Output depends on the usage plan key",
            );
        });

        it("keeps the execute-api endpoint on unless told, and turning it off redeploys the stage", async () => {
            assert.equal(onlyResourceOfType(run, TYPES.restApi).inputs.disableExecuteApiEndpoint, false);
            const off = await runApi({ originLockdown: { disableExecuteApiEndpoint: true } });
            assert.equal(onlyResourceOfType(off, TYPES.restApi).inputs.disableExecuteApiEndpoint, true);
            const triggers = (r: ComponentRun<Api>) => onlyResourceOfType(r, TYPES.deployment).inputs.triggers;
            assert.equal(triggers(off).body, triggers(run).body, "the same body");
            assert.notDeepEqual(triggers(off), triggers(run), "but a new deployment");
        });
    });

    it("waits for the account's CloudWatch role before the stage logs", async () => {
        const run = await runComponent(() => {
            const account = new aws.apigateway.Account("account", {
                cloudwatchRoleArn: "arn:aws:iam::123456789012:role/r",
            });
            return new Api("api", {
                basePath: "/api",
                stageName: "dev",
                routes: ROUTES,
                tokenAuthorizer: { functionArn: AUTHORIZER_ARN, resultTtlInSeconds: 0 },
                region: "eu-west-1",
                throttle: THROTTLE,
                logs: { retentionDays: 14, accountSettings: account },
            });
        });
        assert.ok(registered(run, TYPES.stage).dependencies.includes(named(run, "account").urn));
    });

    it("puts the routes at the API root for an empty base path (a rewriter strips the prefix)", async () => {
        const run = await runApi({ basePath: "" });
        assert.deepEqual(Object.keys(openApi(run).paths), [
            "/{proxy+}",
            "/authorized",
            "/iam/{proxy+}",
            "/orders/{id}",
        ]);
    });

    it("refuses a route table with problems, naming each, before creating anything", async () => {
        const failure = await componentFailure(
            () =>
                new Api("api", {
                    basePath: "/api",
                    stageName: "dev",
                    routes: [
                        { path: "orders", methods: "ANY", handler: "echo.ts", auth: "none" },
                        { path: "/a/{proxy+}/b", methods: [], handler: "../x.ts", auth: "none" },
                    ],
                    region: "eu-west-1",
                    throttle: THROTTLE,
                    logs: LOGS,
                }),
        );
        assert.match(String(failure.cause), /route 0 \(orders\): the path must start with "\/"/);
        assert.match(String(failure.cause), /route 1 .*greedy/);
        assert.match(String(failure.cause), /route 1 .*methods must be/);
        assert.match(String(failure.cause), /route 1 .*handler must be a \.ts module inside functions/);
        assert.deepEqual(
            failure.resources.filter((r) => r.custom).map((r) => r.type),
            [],
            "nothing is created",
        );
    });

    it("refuses a token route without a TOKEN authorizer", async () => {
        const failure = await componentFailure(
            () =>
                new Api("api", {
                    basePath: "/api",
                    stageName: "dev",
                    routes: ROUTES,
                    region: "eu-west-1",
                    throttle: THROTTLE,
                    logs: LOGS,
                }),
        );
        assert.match(String(failure.cause), /token-protected but no TOKEN authorizer/);
    });

    it("in a preview, knows the stage name and access log group but not the API's id, URL or host, its body or key", async () => {
        const run = await runApi({ originLockdown: { disableExecuteApiEndpoint: false } }, true);
        assert.deepEqual(run.outputs, {
            restApiId: UNKNOWN,
            stageName: "dev",
            stageUrl: UNKNOWN,
            executeApiHost: UNKNOWN,
            executionArn: UNKNOWN,
            stageArn: UNKNOWN,
            accessLogGroupName: "/same-origin/test/api-access-logs",
            executionLogGroupName: UNKNOWN,
            originKey: UNKNOWN,
        });
        // The OpenAPI body embeds the handlers' ARNs, which do not exist yet.
        assert.equal(onlyResourceOfType(run, TYPES.restApi).inputs.body, UNKNOWN);
    });
});
