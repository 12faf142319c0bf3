import { strict as assert } from "node:assert";
import { TYPES } from "../../capture/types";
import { ApiGatewayAccount } from "../../infra/api-gateway-account";
import { ComponentRun, named, runComponent } from "../support/component-harness";

// AWS: "Set up CloudWatch logging for REST APIs in API Gateway" (set-up-logging.html): a role trusted
// by apigateway.amazonaws.com with the managed policy AmazonAPIGatewayPushToCloudWatchLogs, set as the
// account's CloudWatch role in each region.
describe("ApiGatewayAccount", () => {
    let run: ComponentRun<ApiGatewayAccount>;
    before(async () => {
        run = await runComponent(() => new ApiGatewayAccount("api-gateway-account"));
    });

    it("is a same-origin:api-gateway-account:ApiGatewayAccount holding a role, its policy and the settings", () => {
        const component = named(run, "api-gateway-account");
        assert.equal(component.type, "same-origin:api-gateway-account:ApiGatewayAccount");
        assert.deepEqual(
            run.resources.filter((r) => r.custom).map((r) => [r.type, r.name, r.parent === component.urn]),
            [
                [TYPES.role, "api-gateway-account-role", true],
                [TYPES.rolePolicyAttachment, "api-gateway-account-push-to-cloudwatch", true],
                [TYPES.apiGatewayAccount, "api-gateway-account-settings", true],
            ],
        );
    });

    it("lets API Gateway, and only it, assume a role that may push to CloudWatch Logs", () => {
        const role = named(run, "api-gateway-account-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: ["apigateway.amazonaws.com"] }, Action: "sts:AssumeRole" },
            ],
        });
        assert.deepEqual(named(run, "api-gateway-account-push-to-cloudwatch").inputs, {
            role: role.state.name,
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        });
    });

    it("points the region's API Gateway settings at the role once its policy is attached", () => {
        const settings = named(run, "api-gateway-account-settings");
        assert.equal(settings.inputs.cloudwatchRoleArn, named(run, "api-gateway-account-role").state.arn);
        assert.ok(settings.dependencies.includes(named(run, "api-gateway-account-push-to-cloudwatch").urn));
        assert.deepEqual(run.outputs, { roleArn: named(run, "api-gateway-account-role").state.arn });
    });

    it("leaves all of it in AWS on destroy: resetting the region's setting would stop every other API's logs", () => {
        for (const resource of run.resources.filter((r) => r.custom)) {
            assert.equal(resource.retainOnDelete, true, resource.name);
        }
    });
});
