/**
 * After a deployment, the checks the local stack tests run (tests/checks/), against the real thing:
 *
 *     npm run smoke -- --url https://d111111abcdef8.cloudfront.net [options]
 *     npm run smoke -- --stack dev [options]
 *
 * `--url` reads the frontend config from the site's own /config.json; `--stack` reads `siteUrl` and
 * `frontendConfig` from `pulumi stack output --json --stack <name>` (the CLI must be on PATH and
 * logged in; there is no offline fallback, whose placeholder hosts nothing answers).
 *
 * The IAM route is signed with `--access-key-id`/`--secret-access-key` [`--session-token`], else
 * with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY [AWS_SESSION_TOKEN]; without either, or with
 * `--no-iam`, its row says NOT RUN. `--no-browser` skips Chromium the same way. With a sign-in
 * provider, the token route is called with a user's access token from `--access-token` (or
 * SMOKE_ACCESS_TOKEN); without one, that row says NOT RUN.
 *
 * Prints one row per check (PASS, FAIL or NOT RUN, and what was seen) and a summary. Exit code: 0
 * when no check failed (NOT RUN rows are counted apart, never as passes), 1 when a check failed,
 * 2 when the arguments or the target's config are wrong and no check ran.
 */
import { findOnPath, readStackOutputs, extractFrontendConfig, validateFrontendConfig } from "./frontend-config";
import type { Credentials } from "../site/src/sign";
import { formatTable, runChecks, summaryLine } from "../tests/checks/run";
import {
    type CheckTarget,
    fetchSiteConfig,
    frontendConfigOf,
    type IamCredentials,
    type NotRun,
    siteOrigin,
} from "../tests/checks/target";

export const USAGE = [
    "usage: npm run smoke -- (--url https://<site> | --stack <name>) [options]",
    "  --access-key-id <id> --secret-access-key <key> [--session-token <token>]",
    "                 credentials for the IAM route (default: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
    "  --no-iam       do not run the IAM check (its row says NOT RUN)",
    "  --access-token <token>",
    "                 a signed-in user's access token for the token route (default: SMOKE_ACCESS_TOKEN)",
    "  --no-browser   do not run the Chromium check (its row says NOT RUN)",
].join("\n");

/** Bad arguments: the message names the flag, the value seen and the fix. */
export class UsageError extends Error {
    override readonly name = "UsageError";
}

export interface Options {
    readonly target: { readonly url: string } | { readonly stack: string };
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
    readonly sessionToken?: string;
    readonly accessToken?: string;
    readonly noIam: boolean;
    readonly noBrowser: boolean;
}

const VALUE_FLAGS = [
    "--url",
    "--stack",
    "--access-key-id",
    "--secret-access-key",
    "--session-token",
    "--access-token",
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Parses the command line (`"help"` for --help); throws a {@link UsageError} on anything it does not understand. */
export function parseArgs(argv: readonly string[]): Options | "help" {
    const values: Partial<Record<ValueFlag, string>> = {};
    const switches = { "--no-iam": false, "--no-browser": false, "--help": false };
    for (let i = 0; i < argv.length; i += 1) {
        const flag = argv[i];
        if (flag in switches) {
            switches[flag as keyof typeof switches] = true;
            continue;
        }
        if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
            throw new UsageError(`unknown argument "${flag}"\n${USAGE}`);
        }
        const value = argv[i + 1];
        if (value === undefined || value.startsWith("--") || value === "") {
            throw new UsageError(
                `${flag} needs a value, got ${value === undefined ? "nothing" : `"${value}"`}\n${USAGE}`,
            );
        }
        if (values[flag as ValueFlag] !== undefined) {
            throw new UsageError(`${flag} is given twice ("${values[flag as ValueFlag]}", "${value}"); give it once`);
        }
        values[flag as ValueFlag] = value;
        i += 1;
    }
    if (switches["--help"]) {
        return "help";
    }
    const url = values["--url"];
    const stack = values["--stack"];
    if ((url === undefined) === (stack === undefined)) {
        throw new UsageError(
            url === undefined
                ? `give the target: --url https://<site> or --stack <name>\n${USAGE}`
                : `--url "${url}" and --stack "${stack}" both given; give one of them`,
        );
    }
    return {
        target: url !== undefined ? { url: siteOriginOrUsage(url) } : { stack: stack! },
        accessKeyId: values["--access-key-id"],
        secretAccessKey: values["--secret-access-key"],
        sessionToken: values["--session-token"],
        accessToken: values["--access-token"],
        noIam: switches["--no-iam"],
        noBrowser: switches["--no-browser"],
    };
}

function siteOriginOrUsage(url: string): string {
    try {
        return siteOrigin(url, "--url");
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
}

/** Both parts of a key, or neither; `names` are how the user spells them (flags or variables). */
function keyPair(
    accessKeyId: string | undefined,
    secretAccessKey: string | undefined,
    names: readonly [string, string],
): { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined {
    if (accessKeyId === undefined && secretAccessKey === undefined) {
        return undefined;
    }
    if (accessKeyId === undefined || secretAccessKey === undefined) {
        const [given, missing] = accessKeyId === undefined ? [names[1], names[0]] : names;
        throw new UsageError(`${given} is set but ${missing} is not; give both, or --no-iam to skip the IAM check`);
    }
    return { accessKeyId, secretAccessKey };
}

/**
 * The IAM check's credentials: the flags, else the AWS_* variables, else none (the check is not
 * run). Other credential sources (profiles, SSO) are not read: export them into the environment
 * first, e.g. `eval "$(aws configure export-credentials --format env)"`.
 */
export function iamCredentials(options: Options, env: NodeJS.ProcessEnv): IamCredentials | NotRun {
    const flagged = keyPair(options.accessKeyId, options.secretAccessKey, ["--access-key-id", "--secret-access-key"]);
    if (options.noIam) {
        if (flagged !== undefined || options.sessionToken !== undefined) {
            throw new UsageError("--no-iam and credential flags both given; drop one of them");
        }
        return { notRun: "--no-iam was given" };
    }
    if (flagged !== undefined) {
        return {
            credentials: withSessionToken(flagged, options.sessionToken),
            source: "the --access-key-id/--secret-access-key flags",
        };
    }
    if (options.sessionToken !== undefined) {
        throw new UsageError(
            "--session-token is given without --access-key-id and --secret-access-key; give all three",
        );
    }
    const fromEnv = keyPair(env.AWS_ACCESS_KEY_ID || undefined, env.AWS_SECRET_ACCESS_KEY || undefined, [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ]);
    if (fromEnv !== undefined) {
        return {
            credentials: withSessionToken(fromEnv, env.AWS_SESSION_TOKEN || undefined),
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        };
    }
    return {
        notRun: "no credentials; pass --access-key-id and --secret-access-key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    };
}

function withSessionToken(
    key: { readonly accessKeyId: string; readonly secretAccessKey: string },
    sessionToken: string | undefined,
): Credentials {
    return sessionToken === undefined ? key : { ...key, sessionToken };
}

/** The access token for the token route: the flag, else SMOKE_ACCESS_TOKEN, else why there is none. */
export function bearerToken(options: Options, env: NodeJS.ProcessEnv): CheckTarget["bearer"] {
    if (options.accessToken !== undefined) {
        return { token: options.accessToken, source: "the --access-token flag" };
    }
    const fromEnv = env.SMOKE_ACCESS_TOKEN;
    if (fromEnv !== undefined && fromEnv !== "") {
        return { token: fromEnv, source: "SMOKE_ACCESS_TOKEN" };
    }
    return { notRun: "no access token; sign in and pass --access-token <token>, or set SMOKE_ACCESS_TOKEN" };
}

/** The stack's `siteUrl` and `frontendConfig` outputs, through the pulumi CLI. */
function stackTarget(stack: string, credentials: Pick<CheckTarget, "iam" | "bearer">): CheckTarget {
    const pulumi = findOnPath("pulumi");
    if (pulumi === undefined) {
        throw new Error(
            `--stack ${stack} reads the stack's outputs with the pulumi CLI, which is not on PATH; ` +
                "install it (https://www.pulumi.com/docs/iac/download-install/) or pass --url https://<siteUrl> instead",
        );
    }
    const outputs = readStackOutputs(pulumi, stack);
    if ("failure" in outputs) {
        throw new Error(
            `${outputs.failure}\nLog in to the stack's backend (pulumi login, PULUMI_ACCESS_TOKEN) and check ` +
                "the stack name, or pass --url https://<siteUrl> instead.",
        );
    }
    const config = validateFrontendConfig(extractFrontendConfig(outputs.json));
    const siteUrl = (JSON.parse(outputs.json) as { siteUrl?: unknown }).siteUrl;
    if (typeof siteUrl !== "string") {
        throw new Error(
            `the stack ${stack} has no siteUrl output (got ${String(siteUrl)}); deploy the current program first`,
        );
    }
    return {
        siteUrl: siteOrigin(siteUrl, `the siteUrl output of stack ${stack}`),
        config: frontendConfigOf(config),
        ...credentials,
    };
}

/** Resolves the target, runs every check, prints the table; resolves with the exit code. */
export async function smoke(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
    const options = parseArgs(argv);
    if (options === "help") {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const credentials = { iam: iamCredentials(options, env), bearer: bearerToken(options, env) };
    let target: CheckTarget;
    if ("stack" in options.target) {
        target = stackTarget(options.target.stack, credentials);
        process.stderr.write(`smoke: stack "${options.target.stack}" (pulumi stack output): ${target.siteUrl}\n`);
    } else {
        const config = await fetchSiteConfig(options.target.url);
        target = { siteUrl: options.target.url, config: frontendConfigOf(config), ...credentials };
        process.stderr.write(`smoke: ${target.siteUrl} (frontend config from its /config.json)\n`);
    }
    const results = await runChecks(target, {
        browser: options.noBrowser ? { notRun: "--no-browser was given" } : "run",
    });
    process.stdout.write(`${formatTable(results)}\n\n${summaryLine(results)}\n`);
    return results.some((r) => r.outcome === "FAIL") ? 1 : 0;
}

if (require.main === module) {
    smoke(process.argv.slice(2), process.env).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`smoke: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(2);
        },
    );
}
