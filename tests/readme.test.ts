/**
 * The README is the front page: short, with the two set-up commands, `curl` examples that a running
 * local stack answers as shown, and tables derived from the code (the config keys and their
 * defaults from infra/config.ts, the stack outputs from index.ts). Each check is a function of the
 * README's text, so the tests also run it on broken copies and see it fail.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CALLERS } from "../bench/latency";
import { CALLER_LABELS } from "../bench/report";
import { CONFIG, CONFIG_KEYS } from "../infra/config";
import { LOCAL_CREDENTIALS } from "../local/apigateway/gateway";
import { type LocalStack, startLocalStack } from "../local/server";
import { sigV4Headers } from "./browser/sigv4";
import { codeBlocks, section, tableRows } from "./support/markdown";

const ROOT = path.join(__dirname, "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README stays a front page; the rest lives in docs/. */
const MAX_LINES = 300;

/** Lines of a text, a final newline not counting as one more. */
function lineCount(text: string): number {
    return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** The commands in the README's "The two commands" block. */
function setupCommands(readme: string): string[] {
    const block = codeBlocks(section(readme, "## The two commands")).find((b) => b.lang === "sh");
    return (block?.body ?? "")
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter((line) => line !== "");
}

/** A config key's default as the table writes it. */
function defaultCell(key: keyof typeof CONFIG): string {
    const fallback = CONFIG[key].default;
    return fallback === undefined
        ? "(no default)"
        : `\`${typeof fallback === "object" ? JSON.stringify(fallback) : String(fallback)}\``;
}

/** The first cells of a section's table rows that name something in code: `name`. */
function namedRows(readme: string, heading: string): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const row of tableRows(section(readme, heading))) {
        const name = /^`([^`]+)`$/.exec(row[0])?.[1];
        if (name !== undefined) {
            rows.set(name, row);
        }
    }
    return rows;
}

/** What is wrong with the config table: a key of infra/config.ts missing or with another default, or a row for no key. */
function configTableProblems(readme: string): string[] {
    const rows = namedRows(readme, "## Configuration");
    const problems: string[] = [];
    for (const key of CONFIG_KEYS) {
        const row = rows.get(key);
        if (row === undefined) {
            problems.push(`no row for ${key}`);
        } else if (row[1] !== defaultCell(key)) {
            problems.push(`${key}: default ${row[1]}, infra/config.ts has ${defaultCell(key)}`);
        }
    }
    for (const name of rows.keys()) {
        if (!(CONFIG_KEYS as string[]).includes(name)) {
            problems.push(`a row for ${name}, which is not a key of infra/config.ts`);
        }
    }
    return problems;
}

/** The program's stack outputs: the `export const`s of index.ts. */
const STACK_OUTPUTS = [...fs.readFileSync(path.join(ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map(
    ([, name]) => name,
);

function outputsTableProblems(readme: string): string[] {
    const rows = [...namedRows(readme, "## Stack outputs").keys()];
    return [
        ...STACK_OUTPUTS.filter((output) => !rows.includes(output)).map((output) => `no row for ${output}`),
        ...rows
            .filter((row) => !STACK_OUTPUTS.includes(row))
            .map((row) => `a row for ${row}, not an output of index.ts`),
    ];
}

/** One `$ curl ...` of the "Try it" section, the answer shown under it and the stack's config overrides. */
interface Example {
    readonly command: string;
    readonly shown: readonly string[];
    /** The `--config key=value` of a `$ npm start` line opening the example's block; none for the default stack. */
    readonly config: Readonly<Record<string, string>>;
}

/** The overrides of an `npm start -- --config key=value ...` command line. */
function startConfig(command: string): Record<string, string> {
    return Object.fromEntries([...command.matchAll(/--config (\S+?)=(\S+)/g)].map(([, key, value]) => [key, value]));
}

function examples(readme: string): Example[] {
    const found: Example[] = [];
    for (const block of codeBlocks(section(readme, "## Try it")).filter((b) => b.lang === "console")) {
        let config: Record<string, string> = {};
        for (const line of block.body.split("\n")) {
            if (line.startsWith("$ npm start")) {
                config = startConfig(line);
            } else if (line.startsWith("$ ")) {
                found.push({ command: line.slice(2), shown: [], config });
            } else if (line.trim() !== "") {
                assert.ok(found.length > 0, `output before any command: ${line}`);
                (found[found.length - 1].shown as string[]).push(line);
            }
        }
    }
    return found;
}

/** A command line's words, with '...' quoted words (the only quoting the examples use). */
function words(command: string): string[] {
    return [...command.matchAll(/'([^']*)'|(\S+)/g)].map(([, quoted, bare]) => quoted ?? bare);
}

/** The README's hosts, and the listener of the local stack under test each one stands for. */
const README_ORIGINS = { "http://localhost:8080": "url", "http://localhost:8081": "directUrl" } as const;

/** Sends what a README curl command sends, to the stack under test (its ports in place of the README's). */
async function send(command: string, stack: LocalStack): Promise<Response> {
    const [program, ...args] = words(command);
    assert.equal(program, "curl", command);
    let url: string | undefined;
    let method: string | undefined;
    let body: string | undefined;
    let sigV4: string | undefined;
    let user: string | undefined;
    const headers: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const value = () => args[++i];
        if (arg === "-i") {
            continue;
        } else if (arg === "-X") {
            method = value();
        } else if (arg === "-H") {
            const header = value();
            headers[header.slice(0, header.indexOf(":"))] = header.slice(header.indexOf(":") + 1).trim();
        } else if (arg === "-d") {
            body = value();
        } else if (arg === "--aws-sigv4") {
            sigV4 = value();
        } else if (arg === "--user") {
            user = value();
        } else if (!arg.startsWith("-") && url === undefined) {
            const origin = Object.keys(README_ORIGINS).find((o) => arg.startsWith(o)) as keyof typeof README_ORIGINS;
            assert.ok(origin, `${command}: calls neither ${Object.keys(README_ORIGINS).join(" nor ")}`);
            url = `${stack[README_ORIGINS[origin]]}${arg.slice(origin.length)}`;
        } else {
            assert.fail(`${command}: the test does not know what curl does with ${arg}`);
        }
    }
    assert.ok(url, `${command}: no URL`);
    method ??= body === undefined ? "GET" : "POST";
    if (sigV4 !== undefined) {
        // curl --aws-sigv4 "aws:amz:<region>:<service>" --user <key id>:<secret> signs the URL it sends.
        const [, , region, service] = sigV4.split(":");
        const [accessKeyId, secretAccessKey] = (user ?? "").split(":");
        const { host, pathname, search } = new URL(url);
        Object.assign(
            headers,
            sigV4Headers(
                { host, path: `${pathname}${search}`, method, region, service, body, headers },
                {
                    accessKeyId,
                    secretAccessKey,
                },
            ),
        );
    }
    return fetch(url, { method, headers, body, redirect: "manual" });
}

/** `…` stands for anything: the shown text with everything else literal. */
function elided(shown: string): RegExp {
    return new RegExp(
        `^${shown
            .split("…")
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join("[^]*")}$`,
    );
}

/** Where a shown answer differs from what the stack answers: the status line, each header shown, the body. */
async function exampleProblems(
    readme: string,
    stackFor: (config: Readonly<Record<string, string>>) => Promise<LocalStack>,
): Promise<string[]> {
    const problems: string[] = [];
    for (const { command, shown, config } of examples(readme)) {
        const response = await send(command, await stackFor(config));
        const text = await response.text();
        const [statusLine, ...rest] = shown;
        const status = `HTTP/1.1 ${response.status} ${response.statusText}`;
        if (statusLine !== status) {
            problems.push(`${command}: shows "${statusLine}", the stack answers "${status}"`);
        }
        const shownBody = rest.pop() ?? "";
        for (const line of rest.filter((l) => l !== "…")) {
            const [, name, value] = /^([\w-]+): (.*)$/.exec(line) ?? [];
            if (name === undefined || response.headers.get(name) !== value) {
                problems.push(`${command}: shows "${line}", the stack answers ${name}: ${response.headers.get(name)}`);
            }
        }
        if (!elided(shownBody).test(text.trimEnd())) {
            problems.push(`${command}: shows the body ${shownBody}, the stack answers ${text.slice(0, 300)}`);
        }
    }
    return problems;
}

describe("README", () => {
    it(`is a front page: at most ${MAX_LINES} lines`, () => {
        assert.ok(lineCount(README) <= MAX_LINES, `${lineCount(README)} lines`);
        const longer = `${README}${"more\n".repeat(MAX_LINES + 1 - lineCount(README))}`;
        assert.equal(lineCount(longer), MAX_LINES + 1, "one line too many would be refused");
    });

    it("states exactly two set-up commands: run locally, run every test", () => {
        assert.deepEqual(setupCommands(README), ["npm ci && npm start", "npm ci && npm test"]);
        const third = README.replace("npm ci && npm test ", "npm ci && npm test\nnpm run build ");
        assert.notDeepEqual(setupCommands(third), ["npm ci && npm start", "npm ci && npm test"]);
    });

    it("is what .ci/run runs, verbatim, after installing what a fresh machine lacks", () => {
        const ci = fs
            .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
            .split("\n")
            .map((line) => line.trim());
        assert.equal(ci.filter((line) => line !== "" && !line.startsWith("#")).pop(), setupCommands(README)[1]);
        assert.ok(ci.some((line) => line.includes("apt-get install -y chromium")));
    });

    describe("the config table", () => {
        it("has a row for every key of infra/config.ts with its default, and none for anything else", () => {
            assert.deepEqual(configTableProblems(README), []);
        });

        it("would notice a key missing, a default changed, or a row for a key that does not exist", () => {
            const row = (key: string) => README.split("\n").find((line) => line.startsWith(`| \`${key}\` |`))!;
            const missing = README.replace(`${row("stageName")}\n`, "");
            assert.deepEqual(configTableProblems(missing), ["no row for stageName"]);
            const changed = README.replace(row("stageName"), row("stageName").replace("`prod`", "`dev`"));
            assert.deepEqual(configTableProblems(changed), ["stageName: default `dev`, infra/config.ts has `prod`"]);
            const noDefault = README.replace(row("customDomain"), row("customDomain").replace("(no default)", "`{}`"));
            assert.equal(configTableProblems(noDefault).length, 1);
            const extra = README.replace(row("stageName"), `${row("stageName")}\n| \`stage\` | \`prod\` | | |`);
            assert.deepEqual(configTableProblems(extra), ["a row for stage, which is not a key of infra/config.ts"]);
        });
    });

    describe("the stack outputs table", () => {
        it("has a row for every output of index.ts, and none for anything else", () => {
            assert.ok(STACK_OUTPUTS.length >= 9, `index.ts exports ${STACK_OUTPUTS.join(", ")}`);
            assert.deepEqual(outputsTableProblems(README), []);
        });

        it("would notice an output missing or one that does not exist", () => {
            const missing = README.replace(/^\| `bucketName` \|.*\n/m, "");
            assert.deepEqual(outputsTableProblems(missing), ["no row for bucketName"]);
            const renamed = README.replace("| `apiUrl` |", "| `apiURL` |");
            assert.deepEqual(outputsTableProblems(renamed), [
                "no row for apiUrl",
                "a row for apiURL, not an output of index.ts",
            ]);
        });
    });

    it("gives the IAM credentials the local API Gateway accepts", () => {
        assert.ok(README.includes(`\`${LOCAL_CREDENTIALS.accessKeyId}\``), LOCAL_CREDENTIALS.accessKeyId);
        assert.ok(README.includes(`\`${LOCAL_CREDENTIALS.secretAccessKey}\``), LOCAL_CREDENTIALS.secretAccessKey);
    });

    it("keeps one latency table with the partner rows, saying when it was measured and linking to how to refresh it", () => {
        const latency = section(README, "## Latency");
        assert.equal(README.split("\n").filter((line) => line.startsWith("| viewer / region (ms) |")).length, 1);
        assert.match(latency, /\d{4}-\d{2}-\d{2}/);
        assert.ok(latency.includes("(docs/benchmark.md)"));
        const rows = tableRows(latency);
        assert.equal(rows.length, 9, "3 latency shapes x 3 callers");
        for (const caller of CALLERS) {
            const label = CALLER_LABELS[caller];
            assert.equal(rows.filter((row) => row[1] === label).length, 3, `rows for "${label}"`);
        }
    });

    describe("Try it: the curl examples against a running local stack", function () {
        this.timeout(120_000);
        /** One running stack per config an example block starts with. */
        const stacks = new Map<string, Promise<LocalStack>>();
        const stack = (config: Readonly<Record<string, string>>) => {
            const key = JSON.stringify(config);
            if (!stacks.has(key)) {
                stacks.set(key, startLocalStack({ config: { ...config }, port: 0, directPort: 0 }));
            }
            return stacks.get(key)!;
        };

        after(async () => {
            await Promise.all([...stacks.values()].map(async (started) => (await started).close()));
        });

        it("cover every route and token of the dev stack, its direct endpoint, a JSON 404 and a deep link", () => {
            const commands = examples(README).map((e) => e.command);
            for (const expected of [
                /^curl -i http:\/\/localhost:8080\/api\/hello$/,
                /^curl -i http:\/\/localhost:8080\/api\/echo .*-d '\{/,
                /\/api\/authorized\/profile -H 'Authorization: allow'$/,
                /\/api\/authorized\/profile -H 'Authorization: deny'$/,
                /\/api\/authorized\/profile -H 'Authorization: not-a-token'$/,
                /\/api\/authorized\/profile$/,
                /^curl -i http:\/\/localhost:8080\/api\/iam\//,
                /^curl -i http:\/\/localhost:8081\/dev\/api\/hello$/,
                /^curl -i http:\/\/localhost:8081\/dev\/api\/iam\/whoami --aws-sigv4 /,
                /^curl -i http:\/\/localhost:8080\/api$/,
                /^curl -i http:\/\/localhost:8080\/orders\/42$/,
            ]) {
                assert.ok(
                    commands.some((c) => expected.test(c)),
                    `no example matching ${expected}`,
                );
            }
        });

        it("are answered as shown: status line, the headers shown, the body with … for what is cut", async () => {
            assert.deepEqual(await exampleProblems(README, stack), []);
            assert.ok(
                examples(README).some((e) => e.config.originLockdown === "false"),
                "an example runs with the lockdown off",
            );
        });

        it("would notice a status, a header or a body the stack does not answer", async () => {
            const wrongStatus = README.replace(
                "-H 'Authorization: deny'\nHTTP/1.1 403 Forbidden",
                "-H 'Authorization: deny'\nHTTP/1.1 200 OK",
            );
            assert.match((await exampleProblems(wrongStatus, stack)).join("\n"), /deny': shows "HTTP\/1.1 200 OK"/);
            const wrongHeader = README.replace(
                "x-amzn-ErrorType: AccessDeniedException",
                "x-amzn-ErrorType: UnauthorizedException",
            );
            assert.match((await exampleProblems(wrongHeader, stack)).join("\n"), /UnauthorizedException/);
            const wrongBody = README.replace('"authorizer":null', '"authorizer":{}');
            assert.match((await exampleProblems(wrongBody, stack)).join("\n"), /api\/hello: shows the body/);
            const wrongSignature = README.replace(
                "--user AKIALOCALSTACK000000:local-secret-key",
                "--user AKIALOCALSTACK000000:wrong",
            );
            assert.match(
                (await exampleProblems(wrongSignature, stack)).join("\n"),
                /iam\/whoami .*shows "HTTP\/1.1 200 OK", the stack answers "HTTP\/1.1 403/,
            );
        });
    });
});
