/**
 * Gateway responses: what API Gateway answers when it does not reach the integration. A response
 * type's definition (from `x-amazon-apigateway-gateway-responses` or an
 * `aws.apigateway.Response`) sets the status, headers and body template; an undefined type falls
 * back to DEFAULT_4XX / DEFAULT_5XX, then to API Gateway's own default. Sources: "Gateway response
 * types for API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
 * and "x-amazon-apigateway-gateway-responses.gatewayResponse object"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.gatewayResponse.html).
 */
import { HeaderList, headerValue, HttpResponse } from "../http";

/**
 * The response types the emulator raises, with API Gateway's default status for each: INVALID_API_KEY
 * "for an invalid API key submitted for a method requiring an API key" (403), THROTTLED "when usage
 * plan-, method-, stage-, or account-level throttling limits exceeded" (429).
 */
export const DEFAULT_STATUS = {
    ACCESS_DENIED: 403,
    AUTHORIZER_CONFIGURATION_ERROR: 500,
    DEFAULT_5XX: 500,
    INVALID_API_KEY: 403,
    INVALID_SIGNATURE: 403,
    MISSING_AUTHENTICATION_TOKEN: 403,
    THROTTLED: 429,
    UNAUTHORIZED: 401,
} as const;

export type GatewayResponseType = keyof typeof DEFAULT_STATUS;

/**
 * The `x-amzn-ErrorType` API Gateway sends with each response type. The gateway response types page
 * names none; for INVALID_API_KEY (ForbiddenException) and THROTTLED (TooManyRequestsException) these
 * are LocalStack's (localstack services/apigateway/next_gen/execute_api/gateway_response.py): no AWS
 * page read states them.
 */
const ERROR_TYPES: Readonly<Record<GatewayResponseType, string>> = {
    ACCESS_DENIED: "AccessDeniedException",
    AUTHORIZER_CONFIGURATION_ERROR: "AuthorizerConfigurationException",
    DEFAULT_5XX: "InternalServerErrorException",
    INVALID_API_KEY: "ForbiddenException",
    INVALID_SIGNATURE: "InvalidSignatureException",
    MISSING_AUTHENTICATION_TOKEN: "MissingAuthenticationTokenException",
    THROTTLED: "TooManyRequestsException",
    UNAUTHORIZED: "UnauthorizedException",
};

/** An error API Gateway raises. `status` overrides the type's default (a 502 raised as DEFAULT_5XX). */
export interface GatewayError {
    readonly type: GatewayResponseType;
    /** `null` for the authorizer failures, whose body is `{"message":null}`. */
    readonly message: string | null;
    readonly status?: number;
    /** Overrides the `x-amzn-ErrorType` header (the IAM errors name their own exception). */
    readonly errorType?: string;
}

/** One gateway response definition. */
export interface GatewayResponseDefinition {
    readonly statusCode?: number | string;
    readonly responseTemplates?: Readonly<Record<string, string>>;
    readonly responseParameters?: Readonly<Record<string, string>>;
}

/** API Gateway's body template when a response type defines none. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * Renders a mapping template's `$context` references. Only references are supported (no VTL
 * directives); an unknown `$context.x` stays as written, `$!context.x` renders empty, as in VTL.
 */
export function renderTemplate(template: string, context: Readonly<Record<string, string>>): string {
    const name = "([A-Za-z0-9_]+(?:\\.[A-Za-z0-9_]+)*)";
    return template.replace(
        new RegExp(`\\$(!?)(?:\\{context\\.${name}\\}|context\\.${name})`, "g"),
        (whole, quiet, braced, bare) => {
            const value = context[braced ?? bare];
            return value !== undefined ? value : quiet ? "" : whole;
        },
    );
}

/**
 * The response for an error: the definition of its type, else of DEFAULT_4XX/5XX by its status,
 * else API Gateway's defaults. `$context.error.messageString` is the message as a JSON string
 * literal (quoted), `$context.error.message` the raw text.
 */
export function gatewayResponse(
    error: GatewayError,
    definitions: Readonly<Record<string, GatewayResponseDefinition>>,
    context: Readonly<Record<string, string>>,
    requestHeaders: HeaderList,
): HttpResponse {
    const defaultStatus = error.status ?? DEFAULT_STATUS[error.type];
    const definition = definitions[error.type] ?? definitions[defaultStatus >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"];
    const status = definition?.statusCode !== undefined ? Number(definition.statusCode) : defaultStatus;
    const template = definition?.responseTemplates?.["application/json"] ?? DEFAULT_TEMPLATE;
    const body = renderTemplate(template, {
        ...context,
        "error.message": error.message ?? "null",
        "error.messageString": JSON.stringify(error.message),
        "error.responseType": error.type,
    });
    const headers: [string, string][] = [
        ["Content-Type", "application/json"],
        ["x-amzn-ErrorType", error.errorType ?? ERROR_TYPES[error.type]],
    ];
    for (const [target, source] of Object.entries(definition?.responseParameters ?? {})) {
        const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
        const value =
            /^'(.*)'$/.exec(source)?.[1] ??
            headerValue(requestHeaders, /^method\.request\.header\.(.+)$/.exec(source)?.[1] ?? "");
        if (name !== undefined && value !== undefined) {
            headers.push([name, value]);
        }
    }
    return { status, headers, body: Buffer.from(body) };
}
