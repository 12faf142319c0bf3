/**
 * The config a Pulumi program sees for a stack, read the way the Pulumi CLI builds it: Pulumi.yaml's
 * declared defaults, then `Pulumi.<stack>.yaml`, then overrides, every value a string (objects as
 * JSON). The capture runs the program with it; the local stack and the scripts read it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE } from "../infra/config";

/** The repository root: Pulumi.yaml, the stack files and index.ts. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** `apiPath` -> `same-origin:apiPath`; a key with a namespace (`aws:region`) stays as it is. */
export const qualify = (key: string) => (key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`);

/** Reads the config block of a stack file as strings, the way the Pulumi CLI hands it to programs. */
export function readStackFile(stack: string, dir = PROJECT_DIR): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`No stack file ${file}: create it, or pass a stack that has one (Pulumi.<stack>.yaml)`);
    }
    const document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    return document.config ?? {};
}

/** The defaults declared in Pulumi.yaml's `config:` schema, which the CLI applies before the program runs. */
export function projectConfigDefaults(dir = PROJECT_DIR): Record<string, unknown> {
    const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    const defaults: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries<any>(project.config ?? {})) {
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            defaults[qualify(key)] = declaration.default;
        }
    }
    return defaults;
}

/** Merges defaults, stack file and overrides into the string map Pulumi programs read. */
export function resolveConfig(
    stackValues: Record<string, unknown>,
    overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
    const merged: Record<string, unknown> = { ...projectConfigDefaults() };
    for (const [key, value] of Object.entries(stackValues)) {
        merged[qualify(key)] = value;
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete merged[qualify(key)];
        } else {
            merged[qualify(key)] = value;
        }
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(merged)) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}
