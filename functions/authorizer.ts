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

/**
 * The policy resource: every method and path of the stage the request came in on. Results are
 * cached per token (when the cache TTL is above 0) and reused for other routes, so a policy for
 * the one method ARN would deny the next route.
 */
export function stageWideResource(methodArn: string): string {
    // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{resourcePath}
    const [api, stage] = methodArn.split("/");
    if (!/^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+$/.test(api ?? "") || !stage) {
        throw new Error(UNAUTHORIZED);
    }
    return `${api}/${stage}/*/*`;
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

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const token = tokenOf(event);
    const methodArn = event && typeof event.methodArn === "string" ? event.methodArn : "";
    switch (token) {
        case "allow":
            return { ...policy(ALLOW_CONTEXT.user, "Allow", stageWideResource(methodArn)), context: { ...ALLOW_CONTEXT } };
        case "deny":
            return policy("denied-user", "Deny", stageWideResource(methodArn));
        default:
            throw new Error(UNAUTHORIZED);
    }
}
