/**
 * The console's runtime config, `/config.json`, written by the Pulumi program from stack outputs
 * (and by the local emulator, which adds `local` credentials).
 */
import { type FrontendConfig, frontendConfigProblems, isObject } from "../../core/frontend-config";

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

/** The problems with a would-be config: the frontend config's, then the local credentials'. */
function configProblems(value: unknown): string[] {
    const problems = frontendConfigProblems(value);
    const local = isObject(value) ? value.local : undefined;
    if (
        local !== undefined &&
        !(isObject(local) && typeof local.accessKeyId === "string" && typeof local.secretAccessKey === "string")
    ) {
        problems.push("local (accessKeyId and secretAccessKey strings)");
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
