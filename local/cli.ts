/**
 * `npm start`: runs the whole system locally from the program's resource graph, prints what it
 * serves (stack, config that differs from the defaults, latency, URLs, the count of fidelity
 * notes) and then one line per request. USAGE below lists the flags and the environment.
 */
import * as net from "node:net";
import { ProgramError } from "../capture/capture";
import { resourcesOfType, stackRegion } from "../capture/lookups";
import { qualify } from "../capture/stack-config";
import { TYPES } from "../capture/types";
import { topLevelKey } from "../infra/config-reader";
import { CONFIG, CONFIG_KEYS, renderConfigProblems, validateStackConfig } from "../infra/config";
import { StackConfigError } from "../infra/stack-config";
import { LOCAL_CREDENTIALS } from "./apigateway/gateway";
import { type BackendMapping, parseBackendMapping } from "./backends";
import { LOCAL_TOKEN_PATH } from "./issuer";
import { type LocalStack, startLocalStack } from "./server";

export interface CliOptions {
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly latencyMs?: number;
    readonly viewerLatencyMs?: number;
    readonly originLatencyMs?: number;
    readonly backends: readonly BackendMapping[];
    readonly host?: string;
    /** No request log. */
    readonly quiet: boolean;
    /** Print every fidelity note at start (then serve as usual). */
    readonly fidelity: boolean;
    readonly help: boolean;
}

export const USAGE = `Usage: npm start -- [--stack NAME] [--config key=value]... [--latency MS] [--host ADDRESS]
                    [--viewer-latency MS] [--origin-latency MS] [--backend PATH=URL]... [--quiet] [--fidelity]

  --stack NAME         read Pulumi.NAME.yaml (default: dev)
  --config key=value   override a config value; key in the project namespace unless written ns:key
                       (repeatable; objects as JSON, e.g. customDomain='{"domainName":"api.example.com"}')
  --latency MS         delay every request by MS milliseconds (default: LATENCY_MS or 0)
  --viewer-latency MS  viewer to edge: delay every request reaching either listener by MS
  --origin-latency MS  edge to region: delay every request CloudFront sends an origin, and every
                       request to API Gateway's own endpoint, by MS (a cross-origin call pays both)
  --backend PATH=URL   serve the backend at PATH (config key backends) from a local server, e.g.
                       --backend /billing=http://127.0.0.1:9001; it gets the Host and path CloudFront
                       would send (repeatable; an unmapped backend answers CloudFront's 502)
  --host ADDRESS       the address both listeners bind to (default: 127.0.0.1, this machine only;
                       0.0.0.0 in a container, so that a published port reaches them)
  --quiet              no request log. By default each request prints one line: the listener
                       (cloudfront, or direct for API Gateway's own endpoint), method, path, the
                       cache behavior in [brackets], then "->" the origin and the path it reached
                       and who answered (S3, Lambda <fn>, API Gateway, TOKEN authorizer <name>,
                       CloudFront Function <fn>, CloudFront), the status and the time taken
  --fidelity           print every fidelity note (what this local stack does differently from AWS)
                       at start, then serve as usual; by default only their number is printed
  -h, --help           this text

Environment: PORT (default 8080; API Gateway's own endpoint listens on PORT+1; 0 picks free
ports), LATENCY_MS.`;

/** A command line the CLI does not understand. */
export class UsageError extends Error {}

/** Parses the command line (without `node` and the script). Accepts `--flag value` and `--flag=value`. */
export function parseArgs(argv: readonly string[]): CliOptions {
    let stack = "dev";
    let latencyMs: number | undefined;
    let viewerLatencyMs: number | undefined;
    let originLatencyMs: number | undefined;
    const backends: BackendMapping[] = [];
    let host: string | undefined;
    let quiet = false;
    let fidelity = false;
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
            case "--latency":
                latencyMs = milliseconds(flag, value());
                break;
            case "--viewer-latency":
                viewerLatencyMs = milliseconds(flag, value());
                break;
            case "--origin-latency":
                originLatencyMs = milliseconds(flag, value());
                break;
            case "--backend":
                try {
                    backends.push(parseBackendMapping(value()));
                } catch (error) {
                    throw new UsageError((error as Error).message);
                }
                break;
            case "--host": {
                host = value();
                if (net.isIP(host) === 0 && !HOSTNAME.test(host)) {
                    throw new UsageError(
                        `--host takes an address to listen on, e.g. 127.0.0.1 or 0.0.0.0; got "${host}"`,
                    );
                }
                break;
            }
            case "--quiet":
                quiet = true;
                break;
            case "--fidelity":
                fidelity = true;
                break;
            case "--help":
            case "-h":
                help = true;
                break;
            default:
                throw new UsageError(`Unknown argument "${argv[i]}"`);
        }
    }
    return { stack, config, latencyMs, viewerLatencyMs, originLatencyMs, backends, host, quiet, fidelity, help };
}

/** A flag's whole number of milliseconds, or a UsageError naming the flag. */
function milliseconds(flag: string, text: string): number {
    if (!/^\d+$/.test(text)) {
        throw new UsageError(`${flag} takes a whole number of milliseconds, got "${text}"`);
    }
    return Number(text);
}

/** A host name such as `localhost`: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The project's config values that differ from their defaults (infra/config.ts), as `key=value`
 * in the table's order; a key without a default differs whenever it is set.
 */
export function configDifferences(config: Readonly<Record<string, string>>): string[] {
    const typed = validateStackConfig({
        region: config["aws:region"],
        ...Object.fromEntries(CONFIG_KEYS.map((key) => [key, config[qualify(key)]])),
    });
    return CONFIG_KEYS.flatMap((key) => {
        const value = config[qualify(key)];
        // Compared as read, so `{"provider":"cognito"}` is the default `{ provider: "cognito", scopes: [] }`.
        return value === undefined || JSON.stringify(typed[key]) === JSON.stringify(CONFIG[key].default)
            ? []
            : [`${key}=${value}`];
    });
}

/** What `npm start` prints once the stack listens: what it serves and where, ending with the ready line. */
export function startBanner(stack: LocalStack, options: CliOptions): string {
    const graph = stack.graph;
    const differences = configDifferences(graph.config);
    const stage = resourcesOfType(graph, TYPES.stage)[0]?.state.stageName;
    const notes = stack.warnings;
    const lines = [
        `same-origin local stack: stack "${graph.stack}" (Pulumi.${graph.stack}.yaml), region ${stackRegion(graph)}`,
        `  config that differs from the defaults: ${differences.length > 0 ? differences.join(", ") : "none"}`,
        latencyLine(stack),
        ...stack.backends.map((b) => `  backend ${b.path}: served by ${b.url} (--backend)`),
        ...(["127.0.0.1", "localhost"].includes(stack.host)
            ? []
            : [`  listening on ${stack.host}${["0.0.0.0", "::"].includes(stack.host) ? " (every interface)" : ""}`]),
        `  site (CloudFront):          ${stack.url}/`,
        `  API Gateway's own endpoint: ${stack.directUrl}/${stage !== undefined ? `${stage}/` : ""} (cross-origin, permissive CORS${
            resourcesOfType(graph, TYPES.apiKey).length > 0
                ? "; 403 Forbidden without the API key CloudFront sends: originLockdown"
                : ""
        })`,
        `  local IAM credentials:      ${LOCAL_CREDENTIALS.accessKeyId} / ${LOCAL_CREDENTIALS.secretAccessKey} (for AWS_IAM routes; the site reads them from /config.json)`,
        stack.issuerUrl === undefined
            ? "  sign-in:                    demo tokens (Authorization: allow | deny)"
            : `  sign-in (stand-in issuer):  ${stack.issuerUrl}/ (a token for scripts: ${stack.issuerUrl}${LOCAL_TOKEN_PATH}?sub=alice)`,
        ...(options.fidelity
            ? [
                  `  ${notes.length} fidelity notes (what this local stack does differently from AWS):`,
                  ...notes.map((n) => `    - ${n}`),
              ]
            : [`  ${notes.length} fidelity notes: npm start -- --fidelity lists them`]),
        options.quiet
            ? "  request log: off (--quiet)"
            : "  request log: one line per request below (--quiet turns it off)",
        `same-origin local stack ready: ${stack.url} (API Gateway direct: ${stack.directUrl})`,
    ];
    return `${lines.join("\n")}\n`;
}

/** What the banner says of the delays added. */
function latencyLine(stack: LocalStack): string {
    const parts = [
        ...(stack.latencyMs > 0 ? [`${stack.latencyMs} ms on every request (--latency / LATENCY_MS)`] : []),
        ...(stack.viewerLatencyMs > 0 ? [`${stack.viewerLatencyMs} ms viewer to edge (--viewer-latency)`] : []),
        ...(stack.originLatencyMs > 0
            ? [`${stack.originLatencyMs} ms to the region, per origin request and direct call (--origin-latency)`]
            : []),
    ];
    return parts.length > 0
        ? `  latency: ${parts.join("; ")}`
        : "  latency: none added (--latency MS or LATENCY_MS adds a delay to every request)";
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
            viewerLatencyMs: options.viewerLatencyMs,
            originLatencyMs: options.originLatencyMs,
            backends: options.backends,
            host: options.host,
            log: (line) => process.stdout.write(`${line}\n`),
            requestLog: options.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
        });
    } catch (error) {
        process.stderr.write(`same-origin local stack failed to start:\n${startFailure(error, options.config)}\n`);
        process.exit(1);
    }
    process.stdout.write(startBanner(stack, options));
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
