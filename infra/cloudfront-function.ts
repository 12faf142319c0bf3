import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFRONT_FUNCTION_MAX_BYTES, CLOUDFRONT_FUNCTION_RUNTIME } from "../core/cloudfront";
import type { CorsConfig } from "../core/cors";
import { CORS_ALLOW_METHODS } from "../core/cors";
import type { PreflightAnswer, ViewerRequestOptions } from "../functions/viewer-request";
import { bundleCloudFrontFunction } from "./bundle";

/** What a preflight is told, from the config key `cors`: the function looks it up as it is. */
export function preflightAnswer(cors: CorsConfig): PreflightAnswer {
    return {
        allowOrigins: Object.fromEntries(cors.allowOrigins.map((origin) => [origin, 1 as const])),
        allowCredentials: cors.allowCredentials,
        allowMethods: CORS_ALLOW_METHODS.join(", "),
        allowHeaders: cors.allowHeaders.join(", "),
        maxAge: String(cors.maxAgeSeconds),
    };
}

/**
 * A CloudFront Function's entry: `handler(event)` calls `exportName` of a module of functions/ with
 * the viewer's request and `options`, compiled in (JSON-encoded): CloudFront Functions read no
 * configuration at run time.
 */
export function requestFunctionEntry(module: string, exportName: string, options: unknown): string {
    return (
        `import { ${exportName} } from "./${module}";\n` +
        `export function handler(event) { return ${exportName}(event.request, ${JSON.stringify(options)}); }\n`
    );
}

/** The viewer-request function's entry for one behavior: its options compiled in. */
export function viewerRequestEntry(options: ViewerRequestOptions): string {
    return requestFunctionEntry("viewer-request", "handleViewerRequest", options);
}

/** A CloudFront Function's source: entry code importing a module of functions/, and what it is for. */
export interface CloudFrontFunctionArgs {
    /** Entry code exporting `function handler(event)`. */
    readonly entry: string;
    /** Shown in the console, and in the error when the code is too big. */
    readonly comment: string;
    /** What to do when the code is too big. */
    readonly whenTooBig: string;
}

/**
 * A published viewer-request CloudFront Function from entry code, refused at preview when its
 * bundle exceeds CloudFront's size limit (`parent` carries the error).
 */
export function cloudFrontFunction(
    name: string,
    args: CloudFrontFunctionArgs,
    parent: pulumi.Resource,
): aws.cloudfront.Function {
    const code = bundleCloudFrontFunction({ contents: args.entry });
    const bytes = Buffer.byteLength(code);
    if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES) {
        throw new pulumi.ResourceError(
            `The CloudFront Function "${args.comment}" is ${bytes} bytes; CloudFront Functions take at most ` +
                `${CLOUDFRONT_FUNCTION_MAX_BYTES}. Fix: ${args.whenTooBig}`,
            parent,
        );
    }
    return new aws.cloudfront.Function(
        name,
        { runtime: CLOUDFRONT_FUNCTION_RUNTIME, comment: args.comment, code, publish: true },
        { parent },
    );
}
