import { strict as assert } from "node:assert";
import { resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import type { RouteScopes } from "../../core/routes";
import {
    authorizerFunctionName,
    lambdaFunctionArn,
    routeScopesSizeProblem,
    TokenAuthorizer,
    type TokenAuthorizerArgs,
} from "../../infra/token-authorizer";
import { ComponentRun, componentFailure, named, runComponent } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/GET/api/authorized/profile";
const STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/*/*";
const API_EXECUTION_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg";

/** A TOKEN authorizer event as API Gateway sends it (see functions/authorizer.ts). */
const tokenEvent = (authorizationToken: string) => ({ type: "TOKEN", authorizationToken, methodArn: METHOD_ARN });

const DEMO: TokenAuthorizerArgs = {
    functionName: "same-origin-test-authorizer",
    verification: { provider: "demo" },
    resultTtlInSeconds: 0,
    apiExecutionArn: API_EXECUTION_ARN,
};

const runAuthorizer = (args: Partial<TokenAuthorizerArgs> = {}, preview = false) =>
    runComponent(() => new TokenAuthorizer("authorizer", { ...DEMO, ...args }), { preview });

/**
 * The deployed authorizer's handler, loaded from the package the component declared, with the
 * environment the component gave the function (Lambda's configuration).
 */
function deployedHandler(run: ComponentRun<TokenAuthorizer>) {
    const fn = named(run, "authorizer-function");
    return loadLambdaHandler(archiveFile(fn.inputs.code), fn.inputs.environment.variables);
}

describe("TokenAuthorizer", () => {
    describe("with the demo tokens, without caching", () => {
        let run: ComponentRun<TokenAuthorizer>;
        before(async () => {
            run = await runAuthorizer();
        });

        it("is a same-origin:token-authorizer:TokenAuthorizer holding its function, role, log group and permission", () => {
            const component = named(run, "authorizer");
            assert.equal(component.type, "same-origin:token-authorizer:TokenAuthorizer");
            const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.name);
            assert.deepEqual(children.sort(), [
                "authorizer-function",
                "authorizer-function-log-writing",
                "authorizer-function-logs",
                "authorizer-function-role",
                "authorizer-invoke",
            ]);
        });

        it("creates the function under the name the API already uses, replacing it only after deleting it", () => {
            const fn = named(run, "authorizer-function");
            assert.equal(fn.inputs.name, DEMO.functionName);
        });

        it("configures the function through its environment, as Lambda passes configuration", () => {
            assert.deepEqual(named(run, "authorizer-function").inputs.environment, {
                variables: { AUTH_PROVIDER: "demo" },
            });
        });

        it("lets API Gateway invoke it as this API's authorizer only", () => {
            const [permission] = resourcesOfType(run, TYPES.permission);
            assert.equal(permission.inputs.principal, "apigateway.amazonaws.com");
            assert.equal(permission.inputs.function, DEMO.functionName);
            assert.equal(permission.inputs.sourceArn, `${API_EXECUTION_ARN}/authorizers/*`);
        });

        it("deploys a handler that allows `allow` for the called method only, since nothing is cached", async () => {
            const result = await deployedHandler(run)(tokenEvent("allow"));
            assert.equal(result.principalId, "demo-user");
            assert.equal(result.policyDocument.Statement[0].Effect, "Allow");
            assert.equal(result.policyDocument.Statement[0].Resource, METHOD_ARN);
        });

        it("deploys a handler that denies `deny` and answers Unauthorized for any other token", async () => {
            const handler = deployedHandler(run);
            assert.equal((await handler(tokenEvent("deny"))).policyDocument.Statement[0].Effect, "Deny");
            await assert.rejects(handler(tokenEvent("let me in")), { message: "Unauthorized" });
        });
    });

    // With caching on, API Gateway applies the cached policy to the token's later requests on other
    // methods and paths (AWS Knowledge Center, "api-gateway-lambda-authorization-errors"), so it must
    // cover them all.
    it("with a result TTL, deploys a handler whose Allow covers the whole stage", async () => {
        const run = await runAuthorizer({ resultTtlInSeconds: 300 });
        const result = await deployedHandler(run)(tokenEvent("allow"));
        assert.equal(result.policyDocument.Statement[0].Resource, STAGE_ARN);
    });

    it("hands a JWT issuer's settings to the function's environment", async () => {
        const run = await runAuthorizer({
            verification: {
                provider: "oidc",
                issuer: "https://login.example.com/",
                audience: "https://api.example.com",
                requiredScopes: ["orders:read", "orders:write"],
            },
        });
        assert.deepEqual(named(run, "authorizer-function").inputs.environment.variables, {
            AUTH_PROVIDER: "oidc",
            AUTH_ISSUER: "https://login.example.com/",
            AUTH_AUDIENCE: "https://api.example.com",
            AUTH_REQUIRED_SCOPES: "orders:read orders:write",
        });
    });

    it("hands the scoped routes to the function's environment, and its handler denies a token without them", async () => {
        const routeScopes: RouteScopes[] = [{ methods: ["GET"], path: "/api/authorized/{proxy+}", scopes: ["a/b"] }];
        const run = await runAuthorizer({ routeScopes });
        assert.deepEqual(named(run, "authorizer-function").inputs.environment.variables, {
            AUTH_PROVIDER: "demo",
            AUTH_ROUTE_SCOPES: '[{"methods":["GET"],"path":"/api/authorized/{proxy+}","scopes":["a/b"]}]',
        });
        // The demo token `allow` carries the scope `console` only.
        const result = await deployedHandler(run)(tokenEvent("allow"));
        assert.deepEqual(result.policyDocument.Statement, [
            { Action: "execute-api:Invoke", Effect: "Deny", Resource: METHOD_ARN },
        ]);
    });

    // The variable is {"AUTH_ROUTE_SCOPES":"[{\"methods\":\"ANY\",\"path\":\"/a\",\"scopes\":[\"<scope>\"]}]"}
    // as compact JSON: 81 bytes around the scope.
    const withScopeOf = (length: number): RouteScopes[] => [
        { methods: "ANY", path: "/a", scopes: ["a".repeat(length)] },
    ];

    it("takes scoped routes up to Lambda's 4 KB of environment (4,096 bytes of compact JSON)", () => {
        assert.equal(routeScopesSizeProblem(withScopeOf(4015)), undefined);
        assert.equal(routeScopesSizeProblem([]), undefined);
    });

    it("refuses in a preview, before creating anything, scoped routes past Lambda's 4 KB, with the fix", async () => {
        assert.match(routeScopesSizeProblem(withScopeOf(4016)) ?? "", /take 4097 bytes/);
        const failure = await componentFailure(
            () => new TokenAuthorizer("authorizer", { ...DEMO, routeScopes: withScopeOf(5000) }),
            { preview: true },
        );
        assert.match(
            String(failure.cause),
            /The route table's scopes take 5081 bytes of the authorizer's environment \(AUTH_ROUTE_SCOPES, 1 scoped route\), more than Lambda's 4096 bytes \(4 KB\)/,
        );
        assert.match(
            String(failure.cause),
            /https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/gettingstarted-limits\.html/,
        );
        assert.match(String(failure.cause), /Fix: fewer scoped routes in functions\/routes\.ts/);
        assert.deepEqual(
            failure.resources.filter((r) => r.custom).map((r) => r.type),
            [],
            "nothing is created",
        );
    });

    it("names the function <project>-<stack>-<name>, within Lambda's 64 characters of A-Za-z0-9_-", () => {
        assert.equal(authorizerFunctionName("same-origin", "dev", "authorizer"), "same-origin-dev-authorizer");
        assert.equal(
            authorizerFunctionName("same-origin", "team/dev.1", "authorizer"),
            "same-origin-team-dev-1-authorizer",
        );
        const long = authorizerFunctionName("same-origin", "x".repeat(80), "authorizer");
        assert.equal(long.length, 64);
        assert.match(long, /^[A-Za-z0-9_-]+$/);
        assert.equal(
            lambdaFunctionArn("aws", "eu-west-1", "123456789012", "f"),
            "arn:aws:lambda:eu-west-1:123456789012:function:f",
        );
    });

    it("keeps its logs 30 days by default, logRetentionDays when given", async () => {
        assert.equal(named(await runAuthorizer(), "authorizer-function-logs").inputs.retentionInDays, 30);
        const run = await runAuthorizer({ logRetentionDays: 731 });
        assert.equal(named(run, "authorizer-function-logs").inputs.retentionInDays, 731);
    });

    it("in a preview, declares the same function, whose ARN is not known yet", async () => {
        const run = await runAuthorizer({}, true);
        const fn = named(run, "authorizer-function");
        assert.equal(fn.state.arn, undefined);
        assert.equal(fn.inputs.name, DEMO.functionName);
    });
});
