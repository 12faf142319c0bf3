import { strict as assert } from "node:assert";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import type { RouteTable } from "../../core/routes";
import { Api, type ApiArgs } from "../../infra/api";
import { ComponentRun, componentFailure, named, runComponent } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

const AUTHORIZER_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:same-origin-test-authorizer";

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
                ...args,
            }),
        { preview },
    );
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

        it("reports its id, stage, URL, execute-api host, execution ARN and stage ARN", () => {
            const restApi = onlyResourceOfType(run, TYPES.restApi);
            assert.deepEqual(run.outputs, {
                restApiId: restApi.id,
                stageName: "dev",
                stageUrl: `https://${restApi.id}.execute-api.eu-west-1.amazonaws.com/dev`,
                executeApiHost: `${restApi.id}.execute-api.eu-west-1.amazonaws.com`,
                executionArn: restApi.state.executionArn,
                // The form a web ACL association takes (WAF API reference, AssociateWebACL ResourceArn).
                stageArn: `arn:aws:apigateway:eu-west-1::/restapis/${restApi.id}/stages/dev`,
            });
        });

        it("keeps its handlers' logs 30 days unless told otherwise", () => {
            for (const group of resourcesOfType(run, TYPES.logGroup)) {
                assert.equal(group.inputs.retentionInDays, 30, group.name);
            }
        });
    });

    it("keeps every handler's logs for logRetentionDays", async () => {
        const run = await runApi({ logRetentionDays: 365 });
        const groups = resourcesOfType(run, TYPES.logGroup);
        assert.deepEqual(groups.map((g) => [g.name, g.inputs.retentionInDays]).sort(), [
            ["api-authorizer-logs", 365],
            ["api-echo-logs", 365],
        ]);
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
            () => new Api("api", { basePath: "/api", stageName: "dev", routes: ROUTES, region: "eu-west-1" }),
        );
        assert.match(String(failure.cause), /token-protected but no TOKEN authorizer/);
    });

    it("in a preview, knows the stage name but not the API's id, URL or host, nor its body", async () => {
        const run = await runApi({}, true);
        assert.deepEqual(run.outputs, {
            restApiId: UNKNOWN,
            stageName: "dev",
            stageUrl: UNKNOWN,
            executeApiHost: UNKNOWN,
            executionArn: UNKNOWN,
            stageArn: UNKNOWN,
        });
        // The OpenAPI body embeds the handlers' ARNs, which do not exist yet.
        assert.equal(onlyResourceOfType(run, TYPES.restApi).inputs.body, UNKNOWN);
    });
});
