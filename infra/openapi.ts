/**
 * The REST API's OpenAPI 2.0 body, built from the route table: what API Gateway imports. Pure, so
 * it is tested alone. Sources: "OpenAPI extensions to API Gateway"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html):
 * x-amazon-apigateway-integration (aws_proxy, POST to Lambda), x-amazon-apigateway-authorizer
 * (type token, identitySource), x-amazon-apigateway-auth (AWS_IAM), x-amazon-apigateway-any-method,
 * x-amazon-apigateway-gateway-responses, x-amazon-apigateway-binary-media-types and
 * x-amazon-apigateway-api-key-source.
 */
import { operationKey } from "../core/api-gateway";
import { isTokenRoute, type Route, type RouteTable } from "../core/routes";

/** The security definition naming the TOKEN authorizer. */
export const TOKEN_AUTHORIZER_ID = "token-authorizer";
/** The security definition requiring an API key (`x-api-key`). */
export const API_KEY_ID = "api-key";

/** The TOKEN authorizer as the body declares it. */
export interface TokenAuthorizerDefinition {
    /** The authorizer function's invocation URI. */
    readonly uri: string;
    /** The request header carrying the token. */
    readonly header: string;
    readonly resultTtlInSeconds: number;
}

export interface ApiDefinitionInputs {
    readonly title: string;
    /** Prefixed to every route's path: `/api`, or `""` when a rewriter strips the prefix. */
    readonly basePath: string;
    readonly routes: RouteTable;
    /** Each handler module's Lambda invocation URI. */
    readonly integrationUris: Readonly<Record<string, string>>;
    /** Required when a route is token-protected. */
    readonly tokenAuthorizer?: TokenAuthorizerDefinition;
    /** Every method requires an API key in `x-api-key`. */
    readonly apiKeyRequired: boolean;
}

/**
 * Gateway responses. An explicit Deny stays a 403 with API Gateway's message; an unknown path (and
 * an unsigned request to an IAM route) answers 404 with API Gateway's own message instead of
 * "403 Missing Authentication Token", so a client can tell a typo from a refusal.
 */
export function gatewayResponses(): Record<string, { statusCode: number; responseTemplates: Record<string, string> }> {
    const apiGatewayMessage = { "application/json": '{"message":$context.error.messageString}' };
    return {
        MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: apiGatewayMessage },
        ACCESS_DENIED: { statusCode: 403, responseTemplates: apiGatewayMessage },
    };
}

function operation(route: Route, inputs: ApiDefinitionInputs): Record<string, unknown> {
    const uri = inputs.integrationUris[route.handler];
    if (uri === undefined) {
        throw new Error(`no integration for the handler ${route.handler}`);
    }
    const requirement: Record<string, string[]> = {
        ...(isTokenRoute(route) ? { [TOKEN_AUTHORIZER_ID]: [] } : {}),
        ...(inputs.apiKeyRequired ? { [API_KEY_ID]: [] } : {}),
    };
    return {
        "x-amazon-apigateway-integration": {
            type: "aws_proxy",
            httpMethod: "POST",
            uri,
            passthroughBehavior: "when_no_match",
        },
        ...(route.auth === "iam" ? { "x-amazon-apigateway-auth": { type: "AWS_IAM" } } : {}),
        // One requirement object: every scheme in it must be satisfied (the token and the key).
        ...(Object.keys(requirement).length > 0 ? { security: [requirement] } : {}),
    };
}

/** The OpenAPI document for the routes. */
export function apiDefinition(inputs: ApiDefinitionInputs): Record<string, unknown> {
    const usesToken = inputs.routes.some(isTokenRoute);
    if (usesToken && inputs.tokenAuthorizer === undefined) {
        throw new Error("a route is token-protected but no TOKEN authorizer is given");
    }
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of inputs.routes) {
        const path = `${inputs.basePath}${route.path}`;
        const item = (paths[path] ??= {});
        for (const method of route.methods === "ANY" ? (["ANY"] as const) : route.methods) {
            item[operationKey(method)] = operation(route, inputs);
        }
    }
    const authorizer = inputs.tokenAuthorizer;
    return {
        swagger: "2.0",
        info: { title: inputs.title, version: "1.0" },
        paths,
        // Every body reaches the handler as sent (base64-encoded), whatever its content type.
        "x-amazon-apigateway-binary-media-types": ["*/*"],
        "x-amazon-apigateway-gateway-responses": gatewayResponses(),
        "x-amazon-apigateway-api-key-source": "HEADER",
        securityDefinitions: {
            ...(usesToken && authorizer
                ? {
                      [TOKEN_AUTHORIZER_ID]: {
                          type: "apiKey",
                          name: authorizer.header,
                          in: "header",
                          "x-amazon-apigateway-authtype": "custom",
                          "x-amazon-apigateway-authorizer": {
                              type: "token",
                              authorizerUri: authorizer.uri,
                              identitySource: `method.request.header.${authorizer.header}`,
                              authorizerResultTtlInSeconds: authorizer.resultTtlInSeconds,
                          },
                      },
                  }
                : {}),
            ...(inputs.apiKeyRequired ? { [API_KEY_ID]: { type: "apiKey", name: "x-api-key", in: "header" } } : {}),
        },
    };
}
