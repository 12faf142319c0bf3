import * as pulumi from "@pulumi/pulumi";
import { factoryEntry } from "./bundle";
import { bundledFunction } from "./bundled-function";

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
    /**
     * Days CloudWatch keeps the function's logs (the us-east-1 log group the stack manages).
     * @default 30
     */
    readonly logRetentionDays?: number;
}

/**
 * A Lambda@Edge origin-request function that strips the API behavior's prefix, so the API's
 * routes can live at its root. Created in us-east-1 and published: CloudFront associates a
 * numbered version (the qualified ARN), never `$LATEST`.
 *
 * Deletion: CloudFront keeps replicas of an edge function for hours after it is disassociated,
 * and deleting the function fails until they are gone. The function is created with
 * `skipDestroy`: `pulumi destroy`, and every replacement of the function (a change Pulumi plans
 * as `replace`, such as its name; a new prefix or runtime updates it in place and publishes a new
 * version), drops it from the stack without deleting it in AWS, so neither ever fails on it, and
 * each one leaves a function behind (with the log groups its replicas created in other regions).
 * Delete those later, once the replicas are gone: `aws lambda delete-function --region us-east-1
 * --function-name <name>`; they share the name prefix `<name>-function-` (docs/deploying.md).
 */
export class EdgePathRewriter extends pulumi.ComponentResource {
    /** The published version's ARN, as CloudFront associates it. */
    readonly qualifiedArn: pulumi.Output<string>;
    /**
     * The current function's name. Functions left behind by earlier replacements share its prefix
     * (everything before the last `-`).
     */
    readonly functionName: pulumi.Output<string>;

    constructor(name: string, args: EdgePathRewriterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:edge-path-rewriter:EdgePathRewriter", name, {}, opts);

        const fn = bundledFunction(
            `${name}-function`,
            {
                description: `same-origin: strips ${args.prefix} from the viewer path (origin request)`,
                source: { contents: edgeRewriterEntry(args.prefix) },
                edge: true,
                // Origin-request functions may run up to 30 s; stripping a prefix takes microseconds.
                timeoutSeconds: 5,
                logRetentionDays: args.logRetentionDays,
            },
            this,
        ).function;

        this.qualifiedArn = fn.qualifiedArn;
        this.functionName = fn.name;
        this.registerOutputs({ qualifiedArn: this.qualifiedArn, functionName: this.functionName });
    }
}
