/**
 * The console's runtime config, `/config.json`, written by the Pulumi program from stack outputs
 * (and by the local emulator, which adds `local` credentials).
 */
import type { FrontendConfig } from "../../infra/frontend-config";

/** IAM credentials the local emulator hands out, to prefill the form. */
export interface LocalCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

/** The parsed, validated `/config.json`: the stack's frontend config, plus `local` when served locally. */
export interface ConsoleConfig extends FrontendConfig {
    readonly local?: LocalCredentials;
}

/** Thrown when `/config.json` cannot be fetched or does not have the expected shape. */
export class ConsoleConfigError extends Error {
    override readonly name = "ConsoleConfigError";
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
    return typeof value === "string" && value !== "";
}

/** "" or a path like "/prod/api": anything else would produce a malformed signed path. */
function isPathPrefix(value: unknown): value is string {
    return value === "" || (isNonEmptyString(value) && value.startsWith("/") && !value.endsWith("/"));
}

/** The problems with a would-be config, as field names with what is wrong. */
function configProblems(value: unknown): string[] {
    if (!isObject(value)) {
        return ["the document is not a JSON object"];
    }
    const problems: string[] = [];
    const check = (ok: boolean, problem: string): void => {
        if (!ok) {
            problems.push(problem);
        }
    };
    check(isPathPrefix(value.apiPath) && value.apiPath !== "", 'apiPath (a path like "/api")');
    check(isNonEmptyString(value.region), "region");
    const signing = value.signing;
    if (isObject(signing)) {
        check(isNonEmptyString(signing.host), "signing.host");
        check(isPathPrefix(signing.pathPrefix), 'signing.pathPrefix ("" or a path like "/prod/api")');
        check(isNonEmptyString(signing.region), "signing.region");
        check(signing.service === "execute-api", 'signing.service ("execute-api")');
    } else {
        check(false, "signing");
    }
    const local = value.local;
    if (local !== undefined) {
        check(
            isObject(local) && typeof local.accessKeyId === "string" && typeof local.secretAccessKey === "string",
            "local (accessKeyId and secretAccessKey strings)",
        );
    }
    return problems;
}

/** Validates a parsed `/config.json`; throws a {@link ConsoleConfigError} naming every bad or missing field. */
export function parseConfig(value: unknown): ConsoleConfig {
    const problems = configProblems(value);
    if (problems.length > 0) {
        throw new ConsoleConfigError(`config.json is missing or has invalid fields: ${problems.join(", ")}`);
    }
    return value as unknown as ConsoleConfig;
}

/** Fetches and validates the config from the page's own origin. */
export async function loadConfig(url = "/config.json"): Promise<ConsoleConfig> {
    let response: Response;
    try {
        // no-cache: the program rewrites config.json on every deployment under the same name.
        response = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
    } catch (error) {
        throw new ConsoleConfigError(`could not fetch ${url}: ${errorMessage(error)}`);
    }
    if (!response.ok) {
        throw new ConsoleConfigError(`could not load ${url}: HTTP ${response.status}`);
    }
    let json: unknown;
    try {
        json = await response.json();
    } catch (error) {
        throw new ConsoleConfigError(`${url} is not valid JSON: ${errorMessage(error)}`);
    }
    return parseConfig(json);
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
