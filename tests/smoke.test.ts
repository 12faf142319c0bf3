/**
 * `npm run smoke` (scripts/smoke.ts) as a process against the local stack: every check passes,
 * checks that cannot run are listed as NOT RUN (never as passes), and the table and exit code turn
 * to failure against broken targets: a site answering the app for the API, a graph whose API
 * behavior caches, a wrong secret. `--stack` through a fake pulumi CLI; the arguments; and the
 * Chromium observation seeing a preflight when there is one.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { TYPES } from "../capture/types";
import { CACHE_POLICIES } from "../core/cloudfront-policies";
import { type LocalStack, startLocalStack } from "../local/server";
import { iamCredentials, parseArgs, UsageError } from "../scripts/smoke";
import { launchChromium } from "./browser/chromium";
import { fetchFromPage } from "./browser/page-fetch";
import { preflightVerdict, recordRequests } from "./checks/browser-check";
import { CheckFailure } from "./checks/http-checks";
import { BROWSER_CHECK_NAME, checkNames } from "./checks/run";

/** The rows of a run against the local dev stack, which signs in with the demo tokens. */
const CHECK_NAMES = checkNames("demo");
import { fetchSiteConfig, frontendConfigOf } from "./checks/target";
import { broken, CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";

const ROOT = path.resolve(__dirname, "..");
const SCRIPT = path.join(ROOT, "scripts", "smoke.ts");
const LOCAL_KEY = { accessKeyId: "AKIALOCALSTACK000000", secretAccessKey: "local-secret-key" };
const LOCAL_KEY_FLAGS = ["--access-key-id", LOCAL_KEY.accessKeyId, "--secret-access-key", LOCAL_KEY.secretAccessKey];

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** This process's environment without AWS credentials, so that only what a test sets is seen. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
    return { ...env, ...extra };
}

/**
 * Runs the command as a process. Asynchronously: the local stack under test answers from this
 * very process. `npm` runs it as `npm run smoke`, else tsx runs the script directly.
 */
function runSmoke(args: readonly string[], options: { env?: NodeJS.ProcessEnv; npm?: boolean } = {}): Promise<Run> {
    const [command, commandArgs] = options.npm
        ? ["npm", ["run", "--silent", "smoke", "--", ...args]]
        : [process.execPath, [require.resolve("tsx/cli"), SCRIPT, ...args]];
    return new Promise((resolve, reject) => {
        const child = spawn(command, commandArgs, { cwd: ROOT, env: options.env ?? cleanEnv() });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

interface Row {
    readonly name: string;
    readonly outcome: string;
    readonly detail: string;
}

/** The table's rows, cut at the header's column positions. */
function tableRows(run: Run): Row[] {
    const lines = run.stdout.split("\n");
    const headerAt = lines.findIndex((line) => /^CHECK\s+RESULT\s+DETAIL$/.test(line));
    assert.ok(headerAt >= 0, `no table in the output:\n${run.stdout}\n${run.stderr}`);
    const header = lines[headerAt];
    const [outcomeAt, detailAt] = [header.indexOf("RESULT"), header.indexOf("DETAIL")];
    const end = lines.indexOf("", headerAt);
    return lines.slice(headerAt + 1, end).map((line) => ({
        name: line.slice(0, outcomeAt).trim(),
        outcome: line.slice(outcomeAt, detailAt).trim(),
        detail: line.slice(detailAt),
    }));
}

function row(run: Run, name: string): Row {
    const found = tableRows(run).find((r) => r.name === name);
    assert.ok(found, `no row "${name}":\n${run.stdout}`);
    return found;
}

/** The names of the rows with an outcome. */
function rowsWith(run: Run, outcome: string): string[] {
    return tableRows(run)
        .filter((r) => r.outcome === outcome)
        .map((r) => r.name);
}

const describeRun = (run: Run) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`;

/** Starts an HTTP server on an ephemeral port; resolves with its URL and a way to stop it. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
            new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

describe("npm run smoke: arguments", () => {
    const url = "https://d111111abcdef8.cloudfront.net";

    it("takes --url (the site's root) or --stack, and the switches", () => {
        assert.deepEqual(parseArgs(["--url", `${url}/`, "--no-browser"]), {
            target: { url },
            accessKeyId: undefined,
            secretAccessKey: undefined,
            sessionToken: undefined,
            accessToken: undefined,
            noIam: false,
            noBrowser: true,
        });
        assert.deepEqual(parseArgs(["--stack", "prod", "--no-iam"]), {
            target: { stack: "prod" },
            accessKeyId: undefined,
            secretAccessKey: undefined,
            sessionToken: undefined,
            accessToken: undefined,
            noIam: true,
            noBrowser: false,
        });
        assert.equal(parseArgs(["--help"]), "help");
    });

    it("refuses bad arguments, naming the flag, the value and the fix", () => {
        const refuses = (argv: string[], message: RegExp) =>
            assert.throws(
                () => parseArgs(argv),
                (e: Error) => e instanceof UsageError && message.test(e.message),
            );
        refuses([], /give the target: --url https:\/\/<site> or --stack <name>/);
        refuses(
            ["--url", url, "--stack", "dev"],
            /--url "https:\/\/d111111abcdef8\.cloudfront\.net" and --stack "dev" both given/,
        );
        refuses(
            ["--url", `${url}/index.html`],
            /--url is "https:\/\/d111111abcdef8\.cloudfront\.net\/index\.html"; give the site's root without a path or query, e\.g\. https:\/\/d111111abcdef8\.cloudfront\.net$/,
        );
        refuses(["--url", "d111111abcdef8.cloudfront.net"], /--url is "d111111abcdef8\.cloudfront\.net", not a URL/);
        refuses(["--url", "ftp://example.com"], /--url is "ftp:\/\/example\.com"; it must be an http\(s\) URL/);
        refuses(["--stack"], /--stack needs a value, got nothing/);
        refuses(["--stack", "--no-iam"], /--stack needs a value, got "--no-iam"/);
        refuses(["--stack", "dev", "--stack", "prod"], /--stack is given twice \("dev", "prod"\)/);
        refuses(["--stack", "dev", "--profile", "x"], /unknown argument "--profile"/);
    });

    it("signs with the flags, else AWS_* variables, else not at all; --no-iam turns it off", () => {
        const env = {
            AWS_ACCESS_KEY_ID: "AKIAENV",
            AWS_SECRET_ACCESS_KEY: "env-secret",
            AWS_SESSION_TOKEN: "env-token",
        };
        const options = (argv: string[]) =>
            parseArgs(["--stack", "dev", ...argv]) as Exclude<ReturnType<typeof parseArgs>, "help">;
        const keyFlags = ["--access-key-id", "AKIAFLAG", "--secret-access-key", "flag-secret"];
        assert.deepEqual(iamCredentials(options(keyFlags), env), {
            credentials: { accessKeyId: "AKIAFLAG", secretAccessKey: "flag-secret" },
            source: "the --access-key-id/--secret-access-key flags",
        });
        assert.deepEqual(iamCredentials(options([...keyFlags, "--session-token", "flag-token"]), {}), {
            credentials: { accessKeyId: "AKIAFLAG", secretAccessKey: "flag-secret", sessionToken: "flag-token" },
            source: "the --access-key-id/--secret-access-key flags",
        });
        assert.deepEqual(iamCredentials(options([]), env), {
            credentials: { accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token" },
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        });
        assert.match(
            (iamCredentials(options([]), {}) as { notRun: string }).notRun,
            /^no credentials; pass --access-key-id/,
        );
        assert.deepEqual(iamCredentials(options(["--no-iam"]), env), { notRun: "--no-iam was given" });
    });

    it("refuses half a key pair and contradictory IAM flags", () => {
        const options = (argv: string[]) =>
            parseArgs(["--stack", "dev", ...argv]) as Exclude<ReturnType<typeof parseArgs>, "help">;
        assert.throws(
            () => iamCredentials(options(["--access-key-id", "AKIAFLAG"]), {}),
            /--access-key-id is set but --secret-access-key is not; give both, or --no-iam/,
        );
        assert.throws(
            () => iamCredentials(options([]), { AWS_SECRET_ACCESS_KEY: "s" }),
            /AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not/,
        );
        assert.throws(
            () => iamCredentials(options(["--no-iam", "--access-key-id", "A", "--secret-access-key", "s"]), {}),
            /--no-iam and credential flags both given/,
        );
        assert.throws(() => iamCredentials(options(["--session-token", "t"]), {}), /--session-token is given without/);
    });
});

describe("npm run smoke", function () {
    this.timeout(CAPTURE_TIMEOUT_MS);
    let stack: LocalStack;

    before(async function () {
        stack = await startLocalStack({ graph: await graphOf({}), port: 0, directPort: 0 });
    });

    after(async () => {
        await stack?.close();
    });

    it("against the local stack: one PASS row per check, Chromium's included, and exit code 0", async () => {
        const run = await runSmoke(["--url", stack.url, ...LOCAL_KEY_FLAGS], { npm: true });
        assert.equal(run.code, 0, describeRun(run));
        const rows = tableRows(run);
        assert.deepEqual(
            rows.map((r) => r.name),
            CHECK_NAMES,
        );
        for (const r of rows) {
            assert.equal(r.outcome, "PASS", `${r.name}: ${r.detail}`);
        }
        assert.match(
            row(run, "IAM signed").detail,
            /-> 200 .*signed with the --access-key-id\/--secret-access-key flags/,
        );
        assert.match(
            row(run, BROWSER_CHECK_NAME).detail,
            /^4 calls, no OPTIONS sent: GET \/api\/hello, POST \/api\/echo, GET \/api\/authorized\/profile, GET \/api\/iam\/whoami from http:\/\/localhost:\d+, each 200$/,
        );
        assert.match(
            run.stdout,
            new RegExp(`\n${CHECK_NAMES.length} checks: ${CHECK_NAMES.length} passed, 0 failed, 0 not run\n$`),
        );
    });

    it("without credentials the IAM check is NOT RUN, and with --no-browser Chromium's: shown, counted apart, exit 0", async () => {
        const run = await runSmoke(["--url", stack.url, "--no-browser"]);
        assert.equal(run.code, 0, describeRun(run));
        assert.deepEqual(rowsWith(run, "NOT RUN"), ["IAM signed", BROWSER_CHECK_NAME]);
        assert.match(row(run, "IAM signed").detail, /^not run: no credentials; pass --access-key-id/);
        assert.equal(row(run, BROWSER_CHECK_NAME).detail, "not run: --no-browser was given");
        assert.deepEqual(rowsWith(run, "FAIL"), []);
        const passed = CHECK_NAMES.length - 2;
        assert.match(run.stdout, new RegExp(`${CHECK_NAMES.length} checks: ${passed} passed, 0 failed, 2 not run`));
    });

    it("signs with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; a wrong secret fails the IAM row and the exit code", async () => {
        const withSecret = (secret: string) =>
            runSmoke(["--url", stack.url, "--no-browser"], {
                env: cleanEnv({ AWS_ACCESS_KEY_ID: LOCAL_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: secret }),
            });
        const [signed, wrong] = await Promise.all([
            withSecret(LOCAL_KEY.secretAccessKey),
            withSecret("not-the-secret"),
        ]);
        assert.equal(signed.code, 0, describeRun(signed));
        assert.equal(row(signed, "IAM signed").outcome, "PASS");
        assert.match(row(signed, "IAM signed").detail, /signed with AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY/);

        assert.equal(wrong.code, 1, describeRun(wrong));
        assert.deepEqual(rowsWith(wrong, "FAIL"), ["IAM signed"]);
        assert.match(row(wrong, "IAM signed").detail, /-> 403 .*The request signature we calculated does not match/);
        assert.match(wrong.stdout, / 1 failed, 1 not run/);
    });

    it("fails row by row, Chromium's included, against a site that answers the app for everything", async () => {
        const html = await (await fetch(`${stack.url}/`)).text();
        const config = JSON.stringify(frontendConfigOf(await fetchSiteConfig(stack.url)));
        const appEverywhere = await serve((req, res) => {
            const isConfig = req.url === "/config.json";
            res.writeHead(200, { "Content-Type": isConfig ? "application/json" : "text/html; charset=utf-8" });
            res.end(isConfig ? config : html);
        });
        try {
            const run = await runSmoke(["--url", appEverywhere.url, "--no-iam"]);
            assert.equal(run.code, 1, describeRun(run));
            assert.deepEqual(rowsWith(run, "PASS"), [
                "site",
                "deep link /orders/42",
                "deep link /users/john.doe",
                "config.json",
            ]);
            assert.deepEqual(rowsWith(run, "NOT RUN"), ["IAM signed"]);
            assert.deepEqual(rowsWith(run, "FAIL"), [
                "missing asset",
                "bare API prefix (GET)",
                "bare API prefix (POST)",
                "public GET",
                "signing target",
                "public POST",
                "token allow",
                "token deny",
                "token unknown",
                "no token",
                "API 404 stays JSON",
                BROWSER_CHECK_NAME,
            ]);
            assert.match(
                row(run, "bare API prefix (GET)").detail,
                /^GET \/api -> 200 text\/html; charset=utf-8, expected 404/,
            );
            assert.match(row(run, "public GET").detail, /-> 200 text\/html; charset=utf-8, expected JSON from the API/);
            assert.match(
                row(run, BROWSER_CHECK_NAME).detail,
                /^GET \/api\/hello\?from=console from the page -> 200 text\/html; charset=utf-8, expected 200 JSON/,
            );
            assert.match(run.stdout, / 4 passed, 12 failed, 1 not run/);
        } finally {
            await appEverywhere.close();
        }
    });

    it("fails against a local stack whose API behavior caches: Authorization is dropped from GET", async () => {
        const caching = await startLocalStack({
            graph: broken(await graphOf({}), TYPES.distribution, (state) => {
                state.orderedCacheBehaviors.find((b: any) => b.pathPattern === "/api/*").cachePolicyId =
                    CACHE_POLICIES.CachingOptimized.id;
            }),
            port: 0,
            directPort: 0,
        });
        try {
            const run = await runSmoke(["--url", caching.url, "--no-browser", ...LOCAL_KEY_FLAGS]);
            assert.equal(run.code, 1, describeRun(run));
            assert.deepEqual(rowsWith(run, "FAIL"), ["token allow", "token deny", "IAM signed"]);
            assert.match(
                row(run, "token allow").detail,
                /^GET \/api\/authorized\/profile -> 401 application\/json, expected 200/,
            );
        } finally {
            await caching.close();
        }
    });

    describe("--stack", () => {
        let binDir: string;

        beforeEach(() => {
            binDir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-pulumi-"));
        });

        afterEach(() => {
            fs.rmSync(binDir, { recursive: true, force: true });
        });

        /** A fake `pulumi` that records its arguments, then prints the outputs or fails with a message. */
        function fakePulumi(behavior: { outputs: object } | { failure: string }): void {
            const body =
                "outputs" in behavior
                    ? `cat <<'JSON'\n${JSON.stringify(behavior.outputs)}\nJSON\n`
                    : `cat >&2 <<'ERROR'\n${behavior.failure}\nERROR\nexit 255\n`;
            const script = `#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\n${body}`;
            fs.writeFileSync(path.join(binDir, "pulumi"), script, { mode: 0o755 });
        }

        /** PATH with the fake CLI's folder, node's and the system's, nothing else. */
        const envWithBin = () =>
            cleanEnv({ PATH: [binDir, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter) });

        it("reads siteUrl and frontendConfig from `pulumi stack output --json --stack <name>`", async () => {
            const frontendConfig = frontendConfigOf(await fetchSiteConfig(stack.url));
            fakePulumi({ outputs: { siteUrl: stack.url, frontendConfig, bucketName: "site-bucket-1" } });
            const run = await runSmoke(["--stack", "dev", "--no-browser", "--no-iam"], { env: envWithBin() });
            assert.equal(run.code, 0, describeRun(run));
            assert.equal(fs.readFileSync(path.join(binDir, "args"), "utf8").trim(), "stack output --json --stack dev");
            assert.match(run.stderr, new RegExp(`stack "dev" \\(pulumi stack output\\): ${stack.url}`));
            assert.deepEqual(rowsWith(run, "FAIL"), []);
            assert.equal(row(run, "IAM signed").detail, "not run: --no-iam was given");
        });

        it("judges the served config.json and what API Gateway sees against the stack's frontendConfig", async () => {
            const frontendConfig = frontendConfigOf(await fetchSiteConfig(stack.url));
            const elsewhere = { ...frontendConfig, signing: { ...frontendConfig.signing, host: "other.example.com" } };
            fakePulumi({ outputs: { siteUrl: stack.url, frontendConfig: elsewhere } });
            const run = await runSmoke(["--stack", "dev", "--no-browser", "--no-iam"], { env: envWithBin() });
            assert.equal(run.code, 1, describeRun(run));
            assert.deepEqual(rowsWith(run, "FAIL"), ["signing target", "config.json"]);
            assert.match(row(run, "signing target").detail, /the config signs other\.example\.com/);
        });

        it("stops before any check, exit code 2, when pulumi fails or is not installed, saying what to do", async () => {
            fakePulumi({ failure: "error: no stack named 'dev' found" });
            const failing = await runSmoke(["--stack", "dev"], { env: envWithBin() });
            assert.equal(failing.code, 2, describeRun(failing));
            assert.match(failing.stderr, /no stack named 'dev' found/);
            assert.match(failing.stderr, /pulumi login.*or pass --url/s);
            assert.doesNotMatch(failing.stdout, /CHECK/);

            fs.rmSync(path.join(binDir, "pulumi"));
            const missing = await runSmoke(["--stack", "dev"], { env: envWithBin() });
            assert.equal(missing.code, 2, describeRun(missing));
            assert.match(
                missing.stderr,
                /--stack dev reads the stack's outputs with the pulumi CLI, which is not on PATH/,
            );
        });
    });

    it("stops with exit code 2 when the site has no valid config.json", async () => {
        const noConfig = await serve((_req, res) => {
            res.writeHead(404, { "Content-Type": "text/plain" });
            res.end("nothing here");
        });
        try {
            const run = await runSmoke(["--url", noConfig.url]);
            assert.equal(run.code, 2, describeRun(run));
            assert.match(run.stderr, new RegExp(`GET ${noConfig.url}/config.json answered 404: nothing here`));
        } finally {
            await noConfig.close();
        }
    });

    describe("the Chromium observation", () => {
        it("fails the verdict for a call Chromium did not report: an incomplete recording proves nothing", () => {
            assert.throws(
                () => preflightVerdict([], [{ method: "GET", url: "https://site.example/api/hello" }]),
                /Chromium reported no request for GET https:\/\/site\.example\/api\/hello/,
            );
        });

        it("sees the preflight of a cross-origin call, which fails the verdict; same-origin calls pass it", async () => {
            const browser = await launchChromium();
            try {
                const context = await browser.newContext();
                const page = await context.newPage();
                const recorded = await recordRequests(context, page);
                await page.goto(`${stack.url}/`);
                const json = { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" };
                const sameOrigin = `${stack.url}/api/echo`;
                assert.equal((await fetchFromPage(page, { ...json, url: "/api/echo" })).status, 200);
                assert.match(preflightVerdict(await recorded(), [{ method: "POST", url: sameOrigin }]), /no OPTIONS/);

                const crossOrigin = `${stack.directUrl}/dev/api/echo`;
                // API Gateway refuses it (no API key: the origin lockdown), after the browser's preflight.
                assert.equal((await fetchFromPage(page, { ...json, url: crossOrigin })).status, 403);
                const seen = await recorded();
                assert.throws(
                    () => preflightVerdict(seen, [{ method: "POST", url: crossOrigin }]),
                    (error: Error) =>
                        error instanceof CheckFailure &&
                        error.message === `Chromium sent 1 preflight(s): OPTIONS ${crossOrigin}`,
                );
            } finally {
                await browser.close();
            }
        });
    });
});
