import { strict as assert } from "node:assert";
import { TokenAuthorizer } from "../../infra/token-authorizer";
import { ComponentRun, named, runComponent } from "../support/component-harness";
import { archiveFile, loadLambdaHandler } from "../support/deployed-code";

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/GET/api/authorized/profile";
const STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/*/*";

/** A TOKEN authorizer event as API Gateway sends it (see functions/authorizer.ts). */
const tokenEvent = (authorizationToken: string) => ({ type: "TOKEN", authorizationToken, methodArn: METHOD_ARN });

/** The deployed authorizer's handler, loaded from the package the component declared. */
const deployedHandler = (run: ComponentRun<TokenAuthorizer>) =>
    loadLambdaHandler(archiveFile(named(run, "authorizer-function").inputs.code));

describe("TokenAuthorizer", () => {
    describe("with defaults", () => {
        let run: ComponentRun<TokenAuthorizer>;
        before(async () => {
            run = await runComponent(() => new TokenAuthorizer("authorizer"));
        });

        it("is a same-origin:token-authorizer:TokenAuthorizer holding its function, role and log group", () => {
            const component = named(run, "authorizer");
            assert.equal(component.type, "same-origin:token-authorizer:TokenAuthorizer");
            assert.equal(component.custom, false);
            const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.name);
            assert.deepEqual(children.sort(), [
                "authorizer-function",
                "authorizer-function-log-writing",
                "authorizer-function-logs",
                "authorizer-function-role",
            ]);
        });

        it("reads the token from the Authorization header and does not cache decisions", () => {
            assert.equal(run.value.header, "Authorization");
            assert.equal(run.value.resultTtlInSeconds, 0);
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

        it("gives the function 5 seconds and says what it is", () => {
            const fn = named(run, "authorizer-function").inputs;
            assert.equal(fn.timeout, 5);
            assert.match(fn.description, /TOKEN authorizer/);
        });
    });

    // With caching on, API Gateway applies the cached policy to the token's later requests on other
    // methods and paths (AWS Knowledge Center, "api-gateway-lambda-authorization-errors"), so it must
    // cover them all.
    it("with a result TTL, deploys a handler whose Allow covers the whole stage", async () => {
        const run = await runComponent(() => new TokenAuthorizer("authorizer", { resultTtlInSeconds: 300 }));
        assert.equal(run.value.resultTtlInSeconds, 300);
        const result = await deployedHandler(run)(tokenEvent("allow"));
        assert.equal(result.policyDocument.Statement[0].Resource, STAGE_ARN);
    });

    it("reads the token from the header it is given", async () => {
        const run = await runComponent(() => new TokenAuthorizer("authorizer", { header: "X-Api-Token" }));
        assert.equal(run.value.header, "X-Api-Token");
    });

    it("in a preview, declares the same function, whose ARN is not known yet", async () => {
        const run = await runComponent(() => new TokenAuthorizer("authorizer"), { preview: true });
        const fn = named(run, "authorizer-function");
        assert.equal(fn.state.arn, undefined);
        const result = await deployedHandler(run)(tokenEvent("allow"));
        assert.equal(result.policyDocument.Statement[0].Resource, METHOD_ARN);
    });
});
