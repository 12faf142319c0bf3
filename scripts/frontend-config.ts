/**
 * Writes the SPA's runtime config (the stack output `frontendConfig`) to a file, by default
 * `site/public/config.json`, for running the SPA against a stack.
 *
 *     npm run frontend-config -- --stack dev [--out path] [--offline]
 *
 * The values come from the deployed stack (`pulumi stack output --json --stack <stack>`) when the
 * `pulumi` CLI is on PATH. When the CLI is there but fails (not logged in, another backend, no such
 * stack), the script exits non-zero with the CLI's error and writes nothing: a file of placeholder
 * values would look like a deployed stack's. The offline graph (the program run under mocks with
 * `Pulumi.<stack>.yaml`, capture/capture.ts; its ids and hosts are the mock's placeholders) is used only
 * when the CLI is not on PATH or when `--offline` is given. stderr says which source was used.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig, type ConsoleConfig } from "../site/src/config";

/** The project root: where Pulumi.yaml is, and where the CLI must run. */
const PROJECT_DIR = path.resolve(__dirname, "..");
const DEFAULT_OUT = path.join(PROJECT_DIR, "site", "public", "config.json");
const USAGE = "usage: npm run frontend-config -- --stack <stack> [--out <path>] [--offline]";
/** How long `pulumi stack output` may take (it may log in to the backend) before it counts as failed. */
const CLI_TIMEOUT_MS = 60_000;

export interface Options {
    readonly stack: string;
    /** Absolute path of the file to write. */
    readonly out: string;
    /** Use the offline graph even when the pulumi CLI is on PATH. */
    readonly offline: boolean;
}

/** Parses `--stack <name> [--out <path>] [--offline]`; throws with the usage on anything else. */
export function parseArgs(argv: readonly string[], cwd = process.cwd()): Options {
    const values: Record<string, string> = {};
    let offline = false;
    for (let i = 0; i < argv.length; i += 1) {
        const flag = argv[i];
        if (flag === "--offline") {
            offline = true;
            continue;
        }
        const value = argv[i + 1];
        if ((flag !== "--stack" && flag !== "--out") || value === undefined || value.startsWith("--")) {
            throw new Error(`unexpected argument "${flag}"; ${USAGE}`);
        }
        values[flag.slice(2)] = value;
        i += 1;
    }
    if (values.stack === undefined) {
        throw new Error(`--stack is required; ${USAGE}`);
    }
    return {
        stack: values.stack,
        out: values.out === undefined ? DEFAULT_OUT : path.resolve(cwd, values.out),
        offline,
    };
}

/** The first executable called `name` on a PATH-style list, or undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ""): string | undefined {
    for (const dir of searchPath.split(path.delimiter).filter((d) => d !== "")) {
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // Not there, or not executable: keep looking.
        }
    }
    return undefined;
}

/** Where the outputs come from: the deployed stack through the CLI, or the offline graph (and why). */
export type OutputsSource =
    { readonly kind: "cli"; readonly pulumi: string } | { readonly kind: "offline"; readonly reason: string };

/**
 * The offline graph when asked for (`--offline`) or when the CLI is not installed, else the CLI.
 * Whether the CLI can reach the stack is known only once it has run; if it cannot, that is an error.
 */
export function chooseSource(pulumi: string | undefined, offline = false): OutputsSource {
    if (offline) {
        return { kind: "offline", reason: "--offline was given" };
    }
    return pulumi === undefined
        ? { kind: "offline", reason: "the pulumi CLI is not on PATH" }
        : { kind: "cli", pulumi };
}

/** What to do when the CLI is installed but cannot read the stack. */
export const CLI_FAILURE_HINT =
    "Log in to the stack's backend (pulumi login, PULUMI_ACCESS_TOKEN) and check the stack " +
    "name, or pass --offline to write the offline graph's config instead (placeholder hosts, not a deployed stack's).";

/** The `frontendConfig` output of `pulumi stack output --json` text; throws when there is none. */
export function extractFrontendConfig(outputsJson: string): unknown {
    let outputs: unknown;
    try {
        outputs = JSON.parse(outputsJson);
    } catch {
        throw new Error(`stack outputs are not JSON: ${JSON.stringify(outputsJson.slice(0, 200))}`);
    }
    if (typeof outputs !== "object" || outputs === null || !("frontendConfig" in outputs)) {
        throw new Error("the stack has no frontendConfig output; deploy the current program (pulumi up) first");
    }
    return (outputs as { frontendConfig: unknown }).frontendConfig;
}

/** Validates the config as the SPA itself does when it loads /config.json (site/src/config.ts). */
export function validateFrontendConfig(value: unknown): ConsoleConfig {
    return parseConfig(value);
}

/** Runs `pulumi stack output --json --stack <stack>`; returns its stdout, or why it failed. */
export function readStackOutputs(
    pulumi: string,
    stack: string,
): { readonly json: string } | { readonly failure: string } {
    const result = spawnSync(pulumi, ["stack", "output", "--json", "--stack", stack], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: CLI_TIMEOUT_MS,
    });
    if (result.error !== undefined) {
        const timedOut = (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
        return {
            failure: timedOut
                ? `${pulumi} stack output --stack ${stack} did not finish within ${CLI_TIMEOUT_MS / 1000} s`
                : `running ${pulumi} failed: ${result.error.message}`,
        };
    }
    if (result.status !== 0) {
        const error = result.stderr.trim() || `exit code ${result.status ?? result.signal}`;
        return { failure: `pulumi stack output --stack ${stack} failed: ${error}` };
    }
    return { json: result.stdout };
}

/** The frontendConfig of the offline graph. Loaded lazily: it runs the whole program under mocks. */
async function offlineFrontendConfig(stack: string): Promise<unknown> {
    const { captureStack } = await import("../capture/capture");
    const captured = await captureStack({ stack });
    return captured.outputs.frontendConfig;
}

/**
 * Reads the frontend config from the chosen source. A failing CLI is an error (with its message and
 * {@link CLI_FAILURE_HINT}), never a reason to fall back to the offline graph's placeholders.
 */
export async function readFrontendConfig(
    stack: string,
    source: OutputsSource,
    log: (line: string) => void,
): Promise<ConsoleConfig> {
    if (source.kind === "cli") {
        const outputs = readStackOutputs(source.pulumi, stack);
        if ("failure" in outputs) {
            throw new Error(`${outputs.failure}\n${CLI_FAILURE_HINT}`);
        }
        log(`frontend-config: read stack "${stack}" with ${source.pulumi} (pulumi stack output)`);
        return validateFrontendConfig(extractFrontendConfig(outputs.json));
    }
    log(
        `frontend-config: ${source.reason}; using the offline graph of Pulumi.${stack}.yaml (capture/capture.ts). ` +
            "Its ids and hosts are the mock's placeholders, not a deployed stack's.",
    );
    return validateFrontendConfig(await offlineFrontendConfig(stack));
}

/** Writes the config as pretty JSON, creating the folder. */
export function writeConfig(out: string, config: ConsoleConfig): void {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(config, null, 2)}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
    const options = parseArgs(argv);
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const config = await readFrontendConfig(options.stack, chooseSource(findOnPath("pulumi"), options.offline), log);
    writeConfig(options.out, config);
    const relative = path.relative(process.cwd(), options.out);
    log(`frontend-config: wrote ${relative.startsWith("..") ? options.out : relative}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // After an offline capture, Pulumi's mock runtime keeps the process alive for seconds more.
        () => process.exit(0),
        (error: unknown) => {
            process.stderr.write(`frontend-config: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
