import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EDGE_REGION } from "../core/cloudfront";
import { LAMBDA_RUNTIME } from "../core/lambda";
import { type BundleSource, bundleLambda, lambdaArchive } from "./bundle";
import { assumeRolePolicy, EDGE_LAMBDA_PRINCIPALS, LAMBDA_PRINCIPALS, logWritingPolicy } from "./iam";

/** How long function logs are kept unless a caller says otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

export interface BundledFunctionArgs {
    /**
     * What the function does, shown in the Lambda console.
     * @example "same-origin: returns the API Gateway event it received"
     */
    readonly description: string;
    /**
     * The handler: a module in functions/, or generated entry code importing one.
     * @example { entry: "echo.ts" }
     */
    readonly source: BundleSource;
    /**
     * A fixed function name, when something must name the function before it exists.
     * @default Pulumi's auto-name, `<name>-<random suffix>`
     */
    readonly functionName?: string;
    /**
     * Seconds an invocation may run.
     * @example 10
     */
    readonly timeoutSeconds: number;
    /**
     * Memory in MB.
     * @default 128
     */
    readonly memoryMb?: number;
    /**
     * A Lambda@Edge function: created in us-east-1, published (CloudFront runs a numbered version),
     * trusted by `edgelambda.amazonaws.com` too, and left in AWS on delete (see {@link EdgeOptions}).
     * @default false - a regional function in the stack's region
     */
    readonly edge?: boolean;
    /**
     * Days CloudWatch keeps the function's logs.
     * @default 30
     */
    readonly logRetentionDays?: number;
    /**
     * Environment variables (never with `edge`: Lambda@Edge has none).
     * @default none
     */
    readonly environment?: pulumi.Input<Readonly<Record<string, string>>>;
}

/** The function and what was created around it. */
export interface BundledFunction {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
}

/**
 * The name of a log group the stack creates (a function's, the API's access logs), under the one
 * prefix the deploy roles may manage (docs/deploying.md). A function's is a custom name, because
 * the function's own name is not known before it is created. Custom names must not start with
 * `aws/` (Lambda Developer Guide, "Configuring CloudWatch log groups",
 * monitoring-cloudwatchlogs-loggroups.html). Lambda@Edge keeps a custom name unprefixed in every
 * region it runs in (CloudFront Developer Guide, "Edge function logs", edge-functions-logs.html).
 */
export function stackLogGroupName(stack: string, name: string): string {
    return `/same-origin/${stack}/${name}`;
}

/**
 * A Lambda function bundled from functions/ with esbuild: its role (allowed to write its own log
 * group, nothing else), an explicit log group with retention, and the function logging to it in
 * JSON. The children are named `${name}-role`, `${name}-logs`, `${name}-log-writing` and `name`,
 * parented to `parent`. A bundle that fails to build is the parent's error, before anything is
 * created.
 */
export function bundledFunction(name: string, args: BundledFunctionArgs, parent: pulumi.Resource): BundledFunction {
    if (args.edge && args.environment !== undefined) {
        throw new pulumi.ResourceError(`${name}: Lambda@Edge functions take no environment variables`, parent);
    }
    let code: string;
    try {
        code = bundleLambda(args.source);
    } catch (error) {
        throw new pulumi.ResourceError(`${name}: bundling the handler failed: ${(error as Error).message}`, parent);
    }
    const region = args.edge ? EDGE_REGION : undefined;
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            ...(region ? { region } : {}),
            name: stackLogGroupName(pulumi.getStack(), name),
            retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
        },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        { assumeRolePolicy: assumeRolePolicy(args.edge ? EDGE_LAMBDA_PRINCIPALS : LAMBDA_PRINCIPALS) },
        { parent },
    );
    const logWriting = new aws.iam.RolePolicy(
        `${name}-log-writing`,
        {
            role: role.name,
            policy: pulumi
                .all([logGroup.name, logGroup.arn])
                .apply(([groupName, groupArn]) => logWritingPolicy(groupName, groupArn, args.edge === true)),
        },
        { parent },
    );
    const fn = new aws.lambda.Function(
        name,
        {
            ...(region ? { region } : {}),
            ...(args.functionName ? { name: args.functionName } : {}),
            description: args.description,
            runtime: LAMBDA_RUNTIME,
            handler: "index.handler",
            code: lambdaArchive(code),
            role: role.arn,
            memorySize: args.memoryMb ?? 128,
            timeout: args.timeoutSeconds,
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            ...(args.environment ? { environment: { variables: args.environment } } : {}),
            ...(args.edge
                ? {
                      publish: true,
                      // CloudFront keeps replicas of an edge function for hours after it is
                      // disassociated, and deleting it fails until they are gone. skipDestroy drops the
                      // function from the stack without deleting it, so a destroy or a replacement
                      // never fails on it; each replacement leaves the old function (and its
                      // per-region log groups) behind for a manual delete (docs/deploying.md).
                      skipDestroy: true,
                  }
                : {}),
        },
        // A function that runs before its role may write logs loses its first invocations' output.
        // A fixed name cannot be taken by a replacement before the old function is gone.
        { parent, dependsOn: [logWriting], deleteBeforeReplace: args.functionName !== undefined },
    );
    return { function: fn, role, logGroup };
}
