/** Lambda facts shared by the components, the local runtime and the tests. */

/**
 * The Node.js runtime of every Lambda function, Lambda@Edge included (Lambda@Edge accepts
 * `nodejs22.x`: "Restrictions on Lambda@Edge", edge-functions-restrictions.html#lambda-at-edge-restrictions-runtime).
 */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The esbuild target matching {@link LAMBDA_RUNTIME}. */
export const LAMBDA_NODE_TARGET = "node22";

/**
 * Lambda's quota on a function's environment variables: 4 KB for all of them together ("Lambda
 * quotas", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Function
 * configuration, deployment, and execution"). A bigger set makes CreateFunction and
 * UpdateFunctionConfiguration fail.
 */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/**
 * The size Lambda's quota applies to. AWS does not document how it counts; this is the compact JSON
 * of the variables in UTF-8 (names, values and JSON's quotes and separators), as LocalStack's
 * AWS-validated test measures it (localstack/localstack#6862). Unverified against AWS itself; it
 * counts more than the names and values alone, so it errs on the safe side.
 */
export function environmentBytes(variables: Readonly<Record<string, string>>): number {
    return new TextEncoder().encode(JSON.stringify(variables)).length;
}
