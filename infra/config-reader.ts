/**
 * Reading config values into typed ones while collecting every problem: each problem names the
 * key (with the path of a field inside an object key), the value seen, what it must be, and the
 * fix. How a fix is phrased depends on where the value came from: `pulumi config set ...` for a
 * stack file, `--config key=value` for `npm start -- --config`. Pure: the program, the local CLI
 * and the tests read config through it.
 */

/** What fixes a problem: set a key (or a field, `ns:key.field[0].x`) to a value, remove it, or do something else. */
export type ConfigFix =
    { readonly set: string; readonly value: string } | { readonly rm: string } | { readonly text: string };

/** One problem with the config. */
export interface ConfigProblem {
    /** The qualified key, with the path of a field inside an object key: `same-origin:customDomain.basePath`. */
    readonly key: string;
    /** What is wrong, starting with the key and the value seen. */
    readonly message: string;
    readonly fix: ConfigFix;
}

/** Where a top-level key's value came from, for phrasing its fix. */
export type ConfigSource = "stack" | "command-line";

/** The top-level key of a key path: `same-origin:customDomain.basePath` -> `same-origin:customDomain`. */
export function topLevelKey(keyPath: string): string {
    return /^[^.[]+/.exec(keyPath)![0];
}

const SHELL_SAFE = /^[A-Za-z0-9_./:@=+,-]+$/;
const shellQuote = (text: string) => (SHELL_SAFE.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** `customDomain.basePath` / `backends[0].path` -> path steps. */
function pathSteps(fieldPath: string): (string | number)[] {
    return [...fieldPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

/** A copy of `document` with the value at `steps` set (or removed when `value` is undefined). */
function withPath(document: unknown, steps: readonly (string | number)[], value: unknown): unknown {
    if (steps.length === 0) {
        return value;
    }
    const [step, ...rest] = steps;
    const container: any = Array.isArray(document)
        ? [...document]
        : typeof document === "object" && document !== null
          ? { ...document }
          : typeof step === "number"
            ? []
            : {};
    const next = withPath(container[step], rest, value);
    if (next === undefined) {
        if (Array.isArray(container)) {
            container.splice(Number(step), 1);
        } else {
            delete container[step];
        }
    } else {
        container[step] = next;
    }
    return container;
}

/** A value typed as a string on a command line: strings as they are, others as JSON. */
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * The fix as a command. `values` holds the top-level values as the program saw them (objects
 * parsed), so a command-line fix to one field can give the whole new value.
 */
export function fixCommand(
    fix: ConfigFix,
    source: (topKey: string) => ConfigSource,
    values: (topKey: string) => unknown,
    namespace: string,
): string {
    if ("text" in fix) {
        return fix.text;
    }
    const keyPath = "set" in fix ? fix.set : fix.rm;
    const top = topLevelKey(keyPath);
    const fieldPath = keyPath.slice(top.length).replace(/^\./, "");
    if (source(top) === "command-line") {
        const short = top.startsWith(`${namespace}:`) ? top.slice(namespace.length + 1) : top;
        const value = "set" in fix ? fix.value : undefined;
        if (fieldPath === "") {
            return value === undefined ? `drop --config ${short}=...` : `--config ${shellQuote(`${short}=${value}`)}`;
        }
        const parsed = value === undefined ? undefined : /^(true|false|-?\d+)$/.test(value) ? JSON.parse(value) : value;
        const document = withPath(values(top), pathSteps(fieldPath), parsed);
        return `--config ${shellQuote(`${short}=${asText(document)}`)}`;
    }
    // A --path key is always quoted: `[0]` in one is a shell glob.
    const pathFlag = fieldPath === "" ? "" : "--path ";
    const target = fieldPath === "" ? keyPath : `'${keyPath}'`;
    return "set" in fix
        ? `pulumi config set ${pathFlag}${target} ${shellQuote(fix.value)}`
        : `pulumi config rm ${pathFlag}${target}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** The known name closest to a mistyped one (case-insensitively), when it is close enough to be meant. */
export function closestName(name: string, known: readonly string[]): string | undefined {
    const scored = known
        .map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) }))
        .sort((a, b) => a.d - b.d);
    const best = scored[0];
    return best !== undefined && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

export const show = (value: unknown) => JSON.stringify(value);

/**
 * A value being read, with its qualified key path. Its methods return the typed value, or
 * undefined after reporting the problem.
 */
export class ConfigValue {
    constructor(
        private readonly problems: ConfigProblem[],
        /** `same-origin:customDomain.basePath`. */
        readonly key: string,
        readonly value: unknown,
    ) {}

    get isSet(): boolean {
        return this.value !== undefined;
    }

    /** The field `name` of this (object) value. */
    field(name: string): ConfigValue {
        const record =
            typeof this.value === "object" && this.value !== null ? (this.value as Record<string, unknown>) : {};
        return new ConfigValue(this.problems, `${this.key}.${name}`, record[name]);
    }

    /** Reports a problem with this value: `<key> is <value>; <must>.` */
    invalid(must: string, fix: ConfigFix | string): undefined {
        return this.report(`${this.key} is ${show(this.value)}; ${must}`, fix);
    }

    /** Reports a problem in words of its own (the message should name the key and the value). */
    report(message: string, fix: ConfigFix | string): undefined {
        this.problems.push({
            key: this.key,
            message,
            fix: typeof fix === "string" ? { set: this.key, value: fix } : fix,
        });
        return undefined;
    }

    /** A non-empty string, checked by `valid` (a pattern or a predicate) when given. */
    string(options: {
        valid?: RegExp | ((value: string) => boolean);
        must?: string;
        example: string;
    }): string | undefined {
        if (typeof this.value !== "string" || this.value === "") {
            return this.invalid(options.must ?? "it must be a non-empty string", options.example);
        }
        const { valid } = options;
        const ok = valid === undefined || (typeof valid === "function" ? valid(this.value) : valid.test(this.value));
        if (!ok) {
            return this.invalid(options.must ?? `it must match ${String(valid)}`, options.example);
        }
        return this.value;
    }

    /** One of `allowed`. */
    oneOf<T extends string>(allowed: readonly T[], example: T): T | undefined {
        if (typeof this.value === "string" && (allowed as readonly string[]).includes(this.value)) {
            return this.value as T;
        }
        return this.invalid(`accepted values: ${allowed.map(show).join(", ")}`, example);
    }

    /** A whole number in [min, max]; a config string of digits counts. */
    integer(min: number, max: number, must: string, example: number): number | undefined {
        const text =
            typeof this.value === "number"
                ? String(this.value)
                : typeof this.value === "string"
                  ? this.value.trim()
                  : "";
        const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(n) || n < min || n > max) {
            return this.invalid(must, String(example));
        }
        return n;
    }

    /** `true` or `false`; the config strings "true" and "false" count. */
    boolean(example: boolean): boolean | undefined {
        if (this.value === true || this.value === "true") {
            return true;
        }
        if (this.value === false || this.value === "false") {
            return false;
        }
        return this.invalid("it must be true or false", String(example));
    }

    /** The value, a JSON string parsed (config hands objects and lists over as JSON); undefined after reporting bad JSON. */
    private parsed(kind: "object" | "list", example: string): unknown {
        if (typeof this.value !== "string") {
            return this.value;
        }
        try {
            return JSON.parse(this.value);
        } catch {
            return this.invalid(`it must be a JSON ${kind} like ${example}`, {
                text: `set it to a ${kind} like ${example}`,
            });
        }
    }

    /**
     * An object with only `knownFields`; a JSON string (as config hands objects over) is parsed. An
     * unknown field is reported with the known field it most likely means.
     */
    object(knownFields: readonly string[], example: string): ConfigValue | undefined {
        const value = this.parsed("object", example);
        if (value === undefined) {
            return undefined;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            return this.invalid(`it must be an object like ${example}`, {
                text: `set it to an object like ${example}`,
            });
        }
        const record = value as Record<string, unknown>;
        for (const name of Object.keys(record)) {
            if (!knownFields.includes(name)) {
                const meant = closestName(name, knownFields);
                this.field(name).report(
                    `${this.key}.${name} is not a known field${meant ? `; did you mean ${meant}?` : ""} ` +
                        `Known fields: ${knownFields.join(", ")}`,
                    { rm: `${this.key}.${name}` },
                );
            }
        }
        return new ConfigValue(this.problems, this.key, record);
    }

    /** The elements of a list; a JSON string is parsed. */
    list(example: string): ConfigValue[] | undefined {
        const value = this.parsed("list", example);
        if (value === undefined) {
            return undefined;
        }
        if (!Array.isArray(value)) {
            return this.invalid(`it must be a list like ${example}`, { text: `set it to a list like ${example}` });
        }
        return value.map((element, i) => new ConfigValue(this.problems, `${this.key}[${i}]`, element));
    }
}
