/**
 * Which API and stage a request reaches, from its Host header: an execute-api host takes the stage
 * from the first path segment; a custom domain picks a base path mapping (the longest matching base
 * path, else the mapping without one). Anything else, and the execute-api host of an API whose
 * default endpoint is disabled, is refused with 403 `{"message":"Forbidden"}` before any API is
 * involved, so no gateway response applies. Sources: "Invoke a REST API in API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html) and
 * "Use API mappings to connect API stages to a custom domain name for REST APIs"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
 */
import type { CapturedResource, CapturedStack } from "../../capture/capture";
import { HttpResponse, jsonResponse } from "../http";
import { basePathMappingsOf, customDomainByName, restApiById, stageOf } from "../../capture/lookups";

/** Where a request landed and the paths API Gateway derives from it. */
export interface ApiRoute {
    readonly restApi: CapturedResource;
    readonly stage: CapturedResource;
    /** The path the resources are matched against: without the stage or the base path. */
    readonly resourceLookupPath: string;
    /** The event's `path`: stage stripped on an execute-api host, the full path on a custom domain. */
    readonly eventPath: string;
    /** The event's `requestContext.path`: the full path as received. */
    readonly contextPath: string;
}

/** The Forbidden answer for a host, stage or base path API Gateway does not serve. */
export function forbidden(): HttpResponse {
    return jsonResponse(403, { message: "Forbidden" }, [["x-amzn-ErrorType", "ForbiddenException"]]);
}

/** The host without a port, lower-case. */
function bareHost(host: string): string {
    return host.replace(/:\d+$/, "").toLowerCase();
}

/** The REST API an execute-api host names, if the graph has it. */
function restApiOfExecuteApiHost(stack: CapturedStack, host: string, region: string): CapturedResource | undefined {
    const match = /^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(bareHost(host));
    return match && match[2] === region ? restApiById(stack, match[1]) : undefined;
}

/** Whether API Gateway (in this graph) answers for a host: an execute-api host of an API, or a custom domain. */
export function servesHost(stack: CapturedStack, host: string, region: string): boolean {
    return (
        restApiOfExecuteApiHost(stack, host, region) !== undefined ||
        customDomainByName(stack, bareHost(host)) !== undefined
    );
}

/** The base path of a mapping; `""` for the mapping without one (`(none)` in the console). */
function basePathOf(mapping: CapturedResource): string {
    const value = mapping.state.basePath;
    return value === undefined || value === null || value === "(none)" ? "" : String(value).replace(/^\/+|\/+$/g, "");
}

/** Routes a request by Host and path, or answers Forbidden. */
export function routeRequest(
    stack: CapturedStack,
    host: string,
    path: string,
    region: string,
): ApiRoute | HttpResponse {
    const api = restApiOfExecuteApiHost(stack, host, region);
    if (api) {
        // "Clients can still connect to your default endpoint, but they will receive a 403 Forbidden
        // status code" ("Disable the default endpoint for REST APIs", rest-api-disable-default-endpoint.html).
        if (api.state.disableExecuteApiEndpoint === true) {
            return forbidden();
        }
        const match = /^\/([^/]+)(\/.*)?$/.exec(path);
        const stage = match ? stageOf(stack, api.id, match[1]) : undefined;
        if (!match || !stage) {
            return forbidden();
        }
        const rest = match[2] ?? "/";
        return { restApi: api, stage, resourceLookupPath: rest, eventPath: rest, contextPath: path };
    }
    const domain = customDomainByName(stack, bareHost(host));
    if (!domain) {
        return forbidden();
    }
    const mappings = basePathMappingsOf(stack, String(domain.state.domainName))
        .map((m) => ({ mapping: m, basePath: basePathOf(m) }))
        .filter(({ basePath }) => basePath === "" || path === `/${basePath}` || path.startsWith(`/${basePath}/`))
        .sort((a, b) => b.basePath.length - a.basePath.length);
    const chosen = mappings[0];
    const mappedApi = chosen && restApiById(stack, String(chosen.mapping.state.restApi));
    const stage =
        mappedApi && chosen.mapping.state.stageName !== undefined
            ? stageOf(stack, mappedApi.id, String(chosen.mapping.state.stageName))
            : undefined;
    if (!chosen || !mappedApi || !stage) {
        return forbidden();
    }
    const rest = chosen.basePath === "" ? path : path.slice(chosen.basePath.length + 1) || "/";
    return { restApi: mappedApi, stage, resourceLookupPath: rest, eventPath: path, contextPath: path };
}
