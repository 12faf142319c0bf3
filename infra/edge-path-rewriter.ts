import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EDGE_REGION } from "../core/cloudfront";
import { LAMBDA_RUNTIME } from "../core/lambda";
import { bundleLambda, factoryEntry, lambdaArchive } from "./bundle";
import { EDGE_LAMBDA_PRINCIPALS, lambdaExecutionRole } from "./iam";

/** The edge bundle's entry: Lambda@Edge has no environment variables, so the prefix is compiled in. */
export function edgeRewriterEntry(prefix: string): string {
    return factoryEntry("edge-path-rewriter", "createPathRewriter", prefix);
}

export interface EdgePathRewriterArgs {
    /**
     * The behavior prefix to strip from the viewer path before the request reaches API Gateway.
     * @example "/api"
     */
    readonly prefix: string;
}

/**
 * A Lambda@Edge origin-request function that strips the API behavior's prefix, so the API's
 * routes can live at its root. Created in us-east-1 and published: CloudFront associates a
 * numbered version (the qualified ARN), never `$LATEST`.
 *
 * Deletion: CloudFront keeps replicas of an edge function for hours after it is disassociated,
 * and deleting the function fails until they are gone. `skipDestroy` makes `pulumi destroy` (and
 * the replacement of this function) drop it from the stack without deleting it in AWS, so the
 * distribution's teardown never fails on it. Delete the function later, once the replicas are
 * gone: `aws lambda delete-function --region us-east-1 --function-name <name>`.
 */
export class EdgePathRewriter extends pulumi.ComponentResource {
    /** The published version's ARN, as CloudFront associates it. */
    readonly qualifiedArn: pulumi.Output<string>;
    /** The function name (for the clean-up command after a destroy). */
    readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: EdgePathRewriterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:edge-path-rewriter:EdgePathRewriter", name, {}, opts);

        const { role, logging } = lambdaExecutionRole(`${name}-role`, EDGE_LAMBDA_PRINCIPALS, this);
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                region: EDGE_REGION,
                description: `same-origin: strips ${args.prefix} from the viewer path (origin request)`,
                runtime: LAMBDA_RUNTIME,
                handler: "index.handler",
                code: lambdaArchive(bundleLambda({ contents: edgeRewriterEntry(args.prefix) })),
                role: role.arn,
                publish: true,
                skipDestroy: true,
                memorySize: 128,
                // Origin-request functions may run up to 30 s; stripping a prefix takes microseconds.
                timeout: 5,
            },
            { parent: this, dependsOn: [logging] },
        );

        this.qualifiedArn = fn.qualifiedArn;
        this.functionName = fn.name;
        this.registerOutputs({ qualifiedArn: this.qualifiedArn, functionName: this.functionName });
    }
}
