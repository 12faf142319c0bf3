import { strict as assert } from "node:assert";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { Api, ApiArgs } from "../../infra/api";
import { TokenAuthorizer } from "../../infra/token-authorizer";
import { ComponentRun, named, runComponent } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

type Auth = "none" | "token" | "iam";

/** The routes each base path must get, written out: a public catch-all, token and IAM prefixes. */
const ROUTES: Record<string, [string, Auth][]> = {
    "/api": [
        ["/api/{proxy+}", "none"],
        ["/api/authorized", "token"],
        ["/api/authorized/{proxy+}", "token"],
        ["/api/iam", "iam"],
        ["/api/iam/{proxy+}", "iam"],
    ],
    "": [
        ["/{proxy+}", "none"],
        ["/authorized", "token"],
        ["/authorized/{proxy+}", "token"],
        ["/iam", "iam"],
        ["/iam/{proxy+}", "iam"],
    ],
};

/** An Api with its own TokenAuthorizer, as index.ts builds them. */
function runApi(args: Partial<Omit<ApiArgs, "authorizer">> = {}, preview = false, header?: string) {
    return runComponent(
        () =>
            new Api("api", {
                basePath: "/api",
                stageName: "dev",
                ...args,
                authorizer: new TokenAuthorizer("authorizer", { resultTtlInSeconds: 120, header }),
            }),
        { preview },
    );
}

const openApi = (run: ComponentRun<Api>) => JSON.parse(onlyResourceOfType(run, TYPES.restApi).inputs.body);
const operation = (run: ComponentRun<Api>, path: string) => openApi(run).paths[path]["x-amazon-apigateway-any-method"];

describe("Api", () => {
    describe("under /api (up)", () => {
        let run: ComponentRun<Api>;
        before(async () => {
            run = await runApi();
        });

        it("is a same-origin:api:Api holding every resource it creates", () => {
            const api = named(run, "api");
            assert.equal(api.type, "same-origin:api:Api");
            /** The resource's parent, grandparent, ... */
            const ancestors = (urn: string | undefined): string[] => {
                const parent = run.resources.find((r) => r.urn === urn)?.parent;
                return parent === undefined ? [] : [parent, ...ancestors(parent)];
            };
            const authorizer = named(run, "authorizer");
            for (const r of run.resources.filter((r) => r !== api && r !== authorizer)) {
                const inAuthorizer = ancestors(r.urn).includes(authorizer.urn);
                assert.ok(inAuthorizer || ancestors(r.urn).includes(api.urn), `${r.type} ${r.name} is outside the Api`);
            }
            assert.ok(ancestors(onlyResourceOfType(run, TYPES.restApi).urn).includes(api.urn));
            assert.ok(ancestors(named(run, "api-echo").urn).includes(api.urn));
        });

        it("creates a REGIONAL REST API, to sit behind the program's own CloudFront distribution", () => {
            assert.deepEqual(onlyResourceOfType(run, TYPES.restApi).inputs.endpointConfiguration, {
                types: "REGIONAL",
            });
        });

        it("routes exactly the public catch-all and the token and IAM prefixes, each with its own auth", () => {
            const paths = openApi(run).paths;
            assert.deepEqual(
                Object.keys(paths),
                ROUTES["/api"].map(([path]) => path),
            );
            for (const [path, auth] of ROUTES["/api"]) {
                const op = operation(run, path);
                assert.deepEqual(op.security, auth === "token" ? [{ "api-token": [] }] : undefined, path);
                assert.deepEqual(
                    op["x-amazon-apigateway-auth"],
                    auth === "iam" ? { type: "AWS_IAM" } : undefined,
                    path,
                );
            }
        });

        it("sends every route to the echo function through a Lambda proxy integration", () => {
            const echo = named(run, "api-echo");
            for (const [path] of ROUTES["/api"]) {
                const integration = operation(run, path)["x-amazon-apigateway-integration"];
                assert.equal(integration.type, "aws_proxy", path);
                assert.equal(integration.httpMethod, "POST", "Lambda is always invoked with POST");
                assert.equal(integration.uri, echo.state.invokeArn, path);
            }
        });

        it("guards the token routes with the given authorizer: its function, header and cache TTL", () => {
            const definition = openApi(run).securityDefinitions["api-token"];
            assert.equal(definition.in, "header");
            assert.equal(definition.name, "Authorization");
            const authorizer = definition["x-amazon-apigateway-authorizer"];
            assert.equal(authorizer.type, "token");
            assert.equal(authorizer.authorizerResultTtlInSeconds, 120);
            assert.equal(authorizer.authorizerUri, named(run, "authorizer-function").state.invokeArn);
        });

        it("lets API Gateway invoke the authorizer through a role allowed to invoke that function only", () => {
            const authorizer = openApi(run).securityDefinitions["api-token"]["x-amazon-apigateway-authorizer"];
            const role = resourcesOfType(run, TYPES.role).find((r) => r.state.arn === authorizer.authorizerCredentials);
            assert.ok(role, "the authorizer's credentials are a role of the API");
            const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
            assert.ok(trust.Principal.Service.includes("apigateway.amazonaws.com"));
            const grant = resourcesOfType(run, TYPES.rolePolicy).find((p) => p.inputs.role === role.state.name);
            assert.deepEqual(JSON.parse(grant!.inputs.policy).Statement, [
                {
                    Action: "lambda:InvokeFunction",
                    Effect: "Allow",
                    Resource: named(run, "authorizer-function").state.arn,
                },
            ]);
        });

        it("keeps an authorizer's explicit Deny a 403 and answers an unknown path 404, with API Gateway's message", () => {
            const message = { "application/json": '{"message":$context.error.messageString}' };
            assert.deepEqual(openApi(run)["x-amazon-apigateway-gateway-responses"], {
                MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: message },
                ACCESS_DENIED: { statusCode: 403, responseTemplates: message },
            });
        });

        it("lets API Gateway invoke the echo function for each route, from any stage and method", () => {
            const executionArn = onlyResourceOfType(run, TYPES.restApi).state.executionArn;
            const permissions = resourcesOfType(run, TYPES.permission);
            assert.deepEqual(
                permissions.map((p) => p.inputs.sourceArn).sort(),
                ROUTES["/api"].map(([path]) => `${executionArn}/*/*${path}`).sort(),
            );
            for (const p of permissions) {
                assert.equal(p.inputs.principal, "apigateway.amazonaws.com");
                assert.equal(p.inputs.function, named(run, "api-echo").state.name);
            }
        });

        it("deploys an echo function that answers a proxy event with what it received", async () => {
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
            const echoed = JSON.parse(response.body);
            assert.equal(echoed.path, "/api/hello");
            assert.equal(echoed.requestContext.stage, "dev");
        });

        it("deploys the stage it is given and reports its id, stage, URL and execute-api host", () => {
            const restApiId = onlyResourceOfType(run, TYPES.restApi).id;
            assert.equal(onlyResourceOfType(run, TYPES.stage).inputs.stageName, "dev");
            assert.deepEqual(run.outputs, {
                restApiId,
                stageName: "dev",
                stageUrl: `https://${restApiId}.execute-api.eu-west-1.amazonaws.com/dev`,
                executeApiHost: `${restApiId}.execute-api.eu-west-1.amazonaws.com`,
            });
        });
    });

    it("puts the routes at the API root for an empty base path (an edge rewriter strips the prefix)", async () => {
        const run = await runApi({ basePath: "" });
        assert.deepEqual(
            Object.keys(openApi(run).paths),
            ROUTES[""].map(([path]) => path),
        );
        assert.deepEqual(operation(run, "/iam/{proxy+}")["x-amazon-apigateway-auth"], { type: "AWS_IAM" });
        assert.deepEqual(operation(run, "/authorized")["security"], [{ "api-token": [] }]);
    });

    it("names the stage prod when no stage name is given", async () => {
        const run = await runApi({ stageName: undefined });
        assert.equal(onlyResourceOfType(run, TYPES.stage).inputs.stageName, "prod");
        assert.equal(run.outputs.stageName, "prod");
    });

    it("reads the token from the authorizer's header", async () => {
        const run = await runApi({}, false, "X-Api-Token");
        assert.equal(openApi(run).securityDefinitions["api-token"].name, "X-Api-Token");
    });

    it("in a preview, knows the stage name but not the API's id, URL or host, nor its body", async () => {
        const run = await runApi({}, true);
        assert.deepEqual(run.outputs, {
            restApiId: UNKNOWN,
            stageName: "dev",
            stageUrl: UNKNOWN,
            executeApiHost: UNKNOWN,
        });
        // The OpenAPI body embeds the functions' ARNs, which do not exist yet.
        assert.equal(onlyResourceOfType(run, TYPES.restApi).inputs.body, UNKNOWN);
    });
});
