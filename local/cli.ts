/**
 * `npm start`: runs the whole system locally from the program's resource graph.
 *
 *   npm start -- [--stack NAME] [--config key=value]... [--latency MS]
 *
 * Environment: PORT (CloudFront listener, default 8080; API Gateway's own endpoint is PORT+1) and
 * LATENCY_MS (delay added to every request).
 */
import { ProgramError } from "../capture/capture";
import { qualify } from "../capture/stack-config";
import { topLevelKey } from "../infra/config-reader";
import { renderConfigProblems } from "../infra/config";
import { StackConfigError } from "../infra/stack-config";
import { type LocalStack, startLocalStack } from "./server";

export interface CliOptions {
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly latencyMs?: number;
    readonly help: boolean;
}

export const USAGE = `Usage: npm start -- [--stack NAME] [--config key=value]... [--latency MS]

  --stack NAME         read Pulumi.NAME.yaml (default: dev)
  --config key=value   override a config value; key in the project namespace unless written ns:key
                       (repeatable; objects as JSON, e.g. customDomain='{"domainName":"api.example.com"}')
  --latency MS         delay every request by MS milliseconds (default: LATENCY_MS or 0)

Environment: PORT (default 8080; API Gateway's own endpoint listens on PORT+1), LATENCY_MS.`;

/** A command line the CLI does not understand. */
export class UsageError extends Error {}

/** Parses the command line (without `node` and the script). Accepts `--flag value` and `--flag=value`. */
export function parseArgs(argv: readonly string[]): CliOptions {
    let stack = "dev";
    let latencyMs: number | undefined;
    let help = false;
    const config: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] =
            argv[i].startsWith("--") && argv[i].includes("=")
                ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
                : [argv[i], undefined];
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined) {
                throw new UsageError(`${flag} needs a value`);
            }
            return v;
        };
        switch (flag) {
            case "--stack":
                stack = value();
                break;
            case "--config": {
                const pair = value();
                const eq = pair.indexOf("=");
                if (eq <= 0) {
                    throw new UsageError(`--config takes key=value, got "${pair}"`);
                }
                config[pair.slice(0, eq)] = pair.slice(eq + 1);
                break;
            }
            case "--latency": {
                const text = value();
                latencyMs = Number(text);
                if (!/^\d+$/.test(text)) {
                    throw new UsageError(`--latency takes a whole number of milliseconds, got "${text}"`);
                }
                break;
            }
            case "--help":
            case "-h":
                help = true;
                break;
            default:
                throw new UsageError(`Unknown argument "${argv[i]}"`);
        }
    }
    return { stack, config, latencyMs, help };
}

async function main(): Promise<void> {
    let options: CliOptions;
    try {
        options = parseArgs(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
        process.exit(2);
    }
    if (options.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    let stack: LocalStack;
    try {
        stack = await startLocalStack({
            stack: options.stack,
            config: options.config,
            latencyMs: options.latencyMs,
            log: (line) => process.stdout.write(`${line}\n`),
        });
    } catch (error) {
        process.stderr.write(`same-origin local stack failed to start:\n${startFailure(error, options.config)}\n`);
        process.exit(1);
    }
    process.stdout.write("Fidelity warnings (what this local stack does differently from AWS):\n");
    for (const warning of stack.warnings) {
        process.stdout.write(`  - ${warning}\n`);
    }
    process.stdout.write(`same-origin local stack ready: ${stack.url} (API Gateway direct: ${stack.directUrl})\n`);
    let closing = false;
    const shutdown = (signal: string) => {
        if (closing) {
            return;
        }
        closing = true;
        process.stdout.write(`${signal}: closing the local stack\n`);
        stack.close().then(
            () => process.exit(0),
            (error) => {
                process.stderr.write(`${(error as Error).message}\n`);
                process.exit(1);
            },
        );
    };
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("SIGTERM", () => shutdown("SIGTERM"));
}

/**
 * Why the stack did not start. A config error is phrased for where each value came from: a value
 * given with `--config` gets a `--config key=value` fix, one from the stack file a `pulumi config` one.
 */
export function startFailure(error: unknown, overrides: Readonly<Record<string, string>>): string {
    const cause = error instanceof ProgramError ? error.cause : error;
    if (cause instanceof StackConfigError) {
        const given = new Set(Object.keys(overrides).map(qualify));
        return renderConfigProblems(cause.problems, cause.values, (key) =>
            given.has(topLevelKey(key)) ? "command-line" : "stack",
        );
    }
    return error instanceof Error ? error.message : String(error);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(
            `same-origin local stack failed:\n${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
    });
}
