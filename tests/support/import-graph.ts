/**
 * The static import graph of the repository's TypeScript: which files and packages a module
 * reaches through `import ... from`, `export ... from`, `import("...")` and `require("...")`,
 * type-only imports included (a type import of a component still couples the importer to it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** What a module reaches: repository files (relative, posix) and package names. */
export interface Reach {
    readonly files: ReadonlySet<string>;
    readonly packages: ReadonlySet<string>;
}

/** `@scope/name/deep` -> `@scope/name`, `name/deep` -> `name`; Node built-ins are not packages. */
function packageName(specifier: string): string | undefined {
    if (specifier.startsWith("node:")) {
        return undefined;
    }
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function resolveFile(from: string, specifier: string): string {
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
            return candidate;
        }
    }
    throw new Error(`${from}: cannot resolve "${specifier}"`);
}

/** Everything `entries` reach, following relative imports; `root` anchors the relative names. */
export function reach(root: string, entries: readonly string[]): Reach {
    const files = new Set<string>();
    const packages = new Set<string>();
    const pending = entries.map((entry) => path.resolve(root, entry));
    while (pending.length > 0) {
        const file = pending.pop()!;
        const name = path.relative(root, file).split(path.sep).join("/");
        if (files.has(name)) {
            continue;
        }
        files.add(name);
        const source = fs.readFileSync(file, "utf8");
        // TypeScript's own pre-parser: imports, exports, import() and require(), not look-alikes in strings.
        for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
            if (specifier.startsWith(".")) {
                pending.push(resolveFile(file, specifier));
            } else {
                const pkg = packageName(specifier);
                if (pkg !== undefined) {
                    packages.add(pkg);
                }
            }
        }
    }
    return { files, packages };
}

/** The reached files outside the allowed folders, and the reached packages not allowed. */
export function layerViolations(
    reached: Reach,
    allowedFolders: readonly string[],
    allowedPackages: readonly string[],
): string[] {
    const outside = [...reached.files].filter((f) => !allowedFolders.some((folder) => f.startsWith(`${folder}/`)));
    const packages = [...reached.packages].filter((p) => !allowedPackages.includes(p));
    return [...outside.map((f) => `file ${f}`), ...packages.map((p) => `package ${p}`)].sort();
}
