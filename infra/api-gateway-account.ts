import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "./iam";

/** The service that assumes the logging role. */
export const API_GATEWAY_PRINCIPALS = ["apigateway.amazonaws.com"] as const;

/**
 * The AWS managed policy with everything API Gateway needs to write CloudWatch logs ("Set up
 * CloudWatch logging for REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
 */
export const PUSH_TO_CLOUDWATCH_LOGS_POLICY_ARN =
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/**
 * API Gateway's account settings for this account and region: the IAM role it assumes to write
 * every API's CloudWatch logs. There is ONE such setting per account and region, shared by every
 * API there ("separately for each AWS Region": set-up-logging.html; CloudFormation: "you should only
 * have one AWS::ApiGateway::Account resource per region per account", aws-resource-apigateway-account.html).
 *
 * Everything here is retained on delete. `@pulumi/aws` 7 has no `resetOnDelete`, and destroying
 * `aws.apigateway.Account` resets the region's setting (Terraform AWS provider v6 upgrade guide,
 * "resource/aws_api_gateway_account": "The destroy operation will now always reset the API Gateway
 * account settings"), which would silently stop the logs of every other API of the region; deleting
 * the role or detaching its policy would do the same. docs/security.md has the trap and the
 * clean-up. Only one stack per account and region should create this (`logs.apiGatewayCloudWatchRole:
 * "create"`); the others say "existing".
 */
export class ApiGatewayAccount extends pulumi.ComponentResource {
    /** The account settings: what a stage that logs must wait for. */
    readonly settings: aws.apigateway.Account;
    /** The role API Gateway assumes to write logs. */
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:api-gateway-account:ApiGatewayAccount", name, {}, opts);
        const retained = { parent: this, retainOnDelete: true };
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "same-origin: API Gateway writes every API's CloudWatch logs in this region with it",
                assumeRolePolicy: assumeRolePolicy(API_GATEWAY_PRINCIPALS),
            },
            retained,
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-push-to-cloudwatch`,
            { role: role.name, policyArn: PUSH_TO_CLOUDWATCH_LOGS_POLICY_ARN },
            retained,
        );
        // API Gateway refuses a role without its policy: "The role ARN does not have required
        // permissions configured" (BadRequestException, as reported in aws/aws-cdk#2194 and
        // tmobile/jazz-installer#597; not in AWS's documentation), so the policy is attached first.
        this.settings = new aws.apigateway.Account(
            `${name}-settings`,
            { cloudwatchRoleArn: role.arn },
            { ...retained, dependsOn: [attachment] },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
