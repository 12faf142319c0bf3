import * as pulumi from "@pulumi/pulumi";
import type { ConfigProblem } from "./config-reader";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigError, RawStackConfig, StackConfig, validateStackConfig } from "./config";

/**
 * A config error as the Pulumi CLI prints it: the message alone, without a stack trace of the
 * program. It keeps the problems, so `npm start` can phrase each fix as a command-line flag.
 */
export class StackConfigError extends pulumi.RunError {
    constructor(
        readonly problems: readonly ConfigProblem[],
        readonly values: Readonly<Record<string, unknown>>,
        message: string,
    ) {
        super(message);
    }
}

/**
 * Reads the stack config through Pulumi and validates it. Runs before any resource is declared,
 * so a bad value fails `pulumi preview` with the full list of problems and creates nothing.
 */
export function readStackConfig(): StackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const all = pulumi.runtime.allConfig();
    const known = new Set<string>(CONFIG_KEYS);
    const unknownKeys = Object.keys(all).filter((k) => k.startsWith(prefix) && !known.has(k.slice(prefix.length)));
    const raw: Record<string, unknown> = { region: new pulumi.Config("aws").get("region") };
    for (const name of CONFIG_KEYS) {
        raw[name] = all[`${prefix}${name}`];
    }
    try {
        return validateStackConfig(raw as RawStackConfig, unknownKeys);
    } catch (error) {
        if (error instanceof ConfigError) {
            throw new StackConfigError(error.problems, error.values, error.message);
        }
        throw error;
    }
}
