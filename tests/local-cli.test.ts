/**
 * `npm start` (local/cli.ts): argument parsing, and the real command started as a process: the
 * ready line, a request, a clean stop on SIGTERM; a config error and a port in use each fail with
 * a message and a non-zero exit code.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { parseArgs, UsageError } from "../local/cli";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const START_TIMEOUT_MS = 120_000;

describe("local CLI: arguments", () => {
    it("reads --stack, repeated --config (either form) and --latency", () => {
        assert.deepEqual(
            parseArgs([
                "--stack",
                "prod",
                "--config",
                "apiPath=/v2",
                "--config=aws:region=us-east-1",
                "--latency",
                "100",
            ]),
            {
                stack: "prod",
                config: { apiPath: "/v2", "aws:region": "us-east-1" },
                latencyMs: 100,
                help: false,
            },
        );
        assert.deepEqual(parseArgs(["--config", 'customDomain={"domainName":"a.example.com"}']).config, {
            customDomain: '{"domainName":"a.example.com"}',
        });
        assert.deepEqual(parseArgs([]), { stack: "dev", config: {}, latencyMs: undefined, help: false });
    });

    it("refuses what it does not understand", () => {
        assert.throws(() => parseArgs(["--config", "novalue"]), UsageError);
        assert.throws(() => parseArgs(["--latency", "fast"]), UsageError);
        assert.throws(() => parseArgs(["--stack"]), UsageError);
        assert.throws(() => parseArgs(["--port", "1"]), /Unknown argument "--port"/);
    });
});

/** Runs the CLI; resolves with its output once `until` matches stdout, or once it exits. */
function run(
    args: string[],
    env: Record<string, string>,
    until?: RegExp,
): Promise<{ child: ChildProcess; stdout: string; stderr: string; code: number | null }> {
    return new Promise((resolve, reject) => {
        const child = spawn(TSX, [path.join(ROOT, "local", "cli.ts"), ...args], {
            cwd: ROOT,
            env: { ...process.env, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
            stdout += chunk;
            if (until?.test(stdout)) {
                resolve({ child, stdout, stderr, code: null });
            }
        });
        child.stderr.on("data", (chunk) => {
            stderr += chunk;
        });
        child.on("error", reject);
        child.on("exit", (code) => resolve({ child, stdout, stderr, code }));
    });
}

describe("local CLI: process", function () {
    this.timeout(START_TIMEOUT_MS);

    it("prints the warnings and one ready line, serves, and stops cleanly on SIGTERM", async () => {
        const ready =
            /same-origin local stack ready: (http:\/\/localhost:(\d+)) \(API Gateway direct: (http:\/\/localhost:\d+)\)\n/;
        const started = await run([], { PORT: "0", LATENCY_MS: "0" }, ready);
        try {
            const match = ready.exec(started.stdout);
            assert.ok(match, `no ready line:\n${started.stdout}\n${started.stderr}`);
            assert.equal(started.stdout.match(/same-origin local stack ready/g)?.length, 1);
            assert.match(started.stdout, /Fidelity warnings/);
            assert.match(started.stdout, /No TLS/);
            assert.equal((await fetch(`${match[1]}/config.json`)).status, 200);
            assert.equal((await fetch(`${match[3]}/dev/api/hello`)).status, 200);
        } finally {
            const exited = new Promise<number | null>((resolve) => started.child.on("exit", resolve));
            started.child.kill("SIGTERM");
            assert.equal(await exited, 0);
        }
    });

    it("fails with the config problem on stderr and a non-zero exit code", async () => {
        const result = await run(["--config", "apiPath=api"], { PORT: "0" });
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /same-origin:apiPath is "api"/);
        // The value came from the command line, so the fix is the flag to pass instead.
        assert.match(result.stderr, /Fix: --config apiPath=\/api$/m);
        assert.doesNotMatch(result.stdout, /ready/);
    });

    it("fails naming the port and PORT= when the port is in use, with a non-zero exit code", async () => {
        const blocker = net.createServer();
        await new Promise<void>((resolve, reject) => {
            blocker.once("error", reject);
            blocker.listen(0, "127.0.0.1", () => resolve());
        });
        try {
            const taken = (blocker.address() as net.AddressInfo).port;
            // Resolves on the ready line too, so a CLI that wrongly starts is stopped instead of left running.
            const result = await run([], { PORT: String(taken), LATENCY_MS: "0" }, /ready/);
            if (result.code === null) {
                result.child.kill("SIGTERM");
                assert.fail(`started on a port in use:\n${result.stdout}`);
            }
            assert.notEqual(result.code, 0, `exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
            assert.match(
                result.stderr,
                new RegExp(`Port ${taken} \\(the CloudFront listener\\) is already in use`),
                result.stderr,
            );
            assert.match(result.stderr, /PORT=\d+ npm start/, result.stderr);
            assert.doesNotMatch(result.stdout, /ready/);
        } finally {
            await new Promise<void>((resolve) => blocker.close(() => resolve()));
        }
    });
});
