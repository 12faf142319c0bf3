import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";

/**
 * The seed token authorizer. Tokens: `allow` (optionally `Bearer allow`) -> Allow with a context,
 * `deny` -> explicit Deny (API Gateway answers 403), anything else -> `Unauthorized` (401).
 * Throwing anything but `Error("Unauthorized")` would make API Gateway answer 500, so every
 * unexpected input ends as Unauthorized.
 */

/** API Gateway turns exactly this error message into a 401. */
const UNAUTHORIZED = "Unauthorized";

/** What the Allow decision hands to the integration in `requestContext.authorizer`. */
export const ALLOW_CONTEXT = { user: "demo-user", scope: "console", authorizedBy: "same-origin-token-authorizer" };

// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resourcePath}
const METHOD_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+)\/([^/]+)\/[A-Z]+\/.*$/;

/**
 * The policy's resource. Without result caching it is the method ARN of this request. With
 * caching, API Gateway reuses the decision for the same token on every other route, so a policy
 * for one method ARN would deny the next route: the resource is then the whole stage.
 * A malformed method ARN is Unauthorized, never a 500.
 */
export function policyResource(methodArn: string, cachesResults: boolean): string {
    const match = METHOD_ARN.exec(methodArn);
    if (!match) {
        throw new Error(UNAUTHORIZED);
    }
    return cachesResults ? `${match[1]}/${match[2]}/*/*` : methodArn;
}

function policy(principalId: string, effect: "Allow" | "Deny", resource: string): APIGatewayAuthorizerResult {
    return {
        principalId,
        policyDocument: {
            Version: "2012-10-17",
            Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
        },
    };
}

/** Reads the token, accepting the `Bearer ` scheme prefix. */
export function tokenOf(event: Partial<APIGatewayTokenAuthorizerEvent> | null | undefined): string {
    const raw = event && typeof event.authorizationToken === "string" ? event.authorizationToken.trim() : "";
    return raw.replace(/^Bearer\s+/i, "");
}

/**
 * Builds the handler. Whether API Gateway caches results is compiled into the bundle (see
 * infra/token-authorizer.ts), like the edge rewriter's prefix: the decision's scope depends on it.
 */
export function createTokenAuthorizer(options: { readonly cachesResults: boolean }) {
    return async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
        const token = tokenOf(event);
        const methodArn = event && typeof event.methodArn === "string" ? event.methodArn : "";
        switch (token) {
            case "allow":
                return {
                    ...policy(ALLOW_CONTEXT.user, "Allow", policyResource(methodArn, options.cachesResults)),
                    context: { ...ALLOW_CONTEXT },
                };
            case "deny":
                return policy("denied-user", "Deny", policyResource(methodArn, options.cachesResults));
            default:
                throw new Error(UNAUTHORIZED);
        }
    };
}
