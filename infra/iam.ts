import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Service principals that run Lambda code: Lambda itself, and CloudFront's replicas for Lambda@Edge. */
export const LAMBDA_PRINCIPALS = ["lambda.amazonaws.com"] as const;
export const EDGE_LAMBDA_PRINCIPALS = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] as const;

/** The AWS managed policy that lets a function write its logs (in every region, for edge replicas). */
export const BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/** A trust policy letting the given service principals assume a role. */
export function assumeRolePolicy(services: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: [...services] },
                Action: "sts:AssumeRole",
            },
        ],
    });
}

/**
 * An execution role for a function, with the basic execution policy attached. Returned with its
 * attachment so the function can depend on it: a function created before its role can log fails
 * its first invocations silently.
 */
export function lambdaExecutionRole(name: string, services: readonly string[], parent: pulumi.Resource) {
    const role = new aws.iam.Role(name, { assumeRolePolicy: assumeRolePolicy(services) }, { parent });
    const logging = new aws.iam.RolePolicyAttachment(
        `${name}-logs`,
        {
            role: role.name,
            policyArn: BASIC_EXECUTION_POLICY_ARN,
        },
        { parent },
    );
    return { role, logging };
}
