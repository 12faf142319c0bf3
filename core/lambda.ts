/** Lambda facts shared by the components, the local runtime and the tests. */

/**
 * The Node.js runtime of every Lambda function, Lambda@Edge included (Lambda@Edge accepts
 * `nodejs22.x`: "Restrictions on Lambda@Edge", edge-functions-restrictions.html#lambda-at-edge-restrictions-runtime).
 */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The esbuild target matching {@link LAMBDA_RUNTIME}. */
export const LAMBDA_NODE_TARGET = "node22";
