/**
 * `npm start` (local/cli.ts): argument parsing, and the real command started as a process: what it
 * prints at start, the request log, --quiet, --fidelity and --host, a clean stop on SIGTERM; a
 * config error, a PORT out of range and a port in use each fail with a message and a non-zero exit
 * code.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { captureStack } from "../capture/capture";
import { configDifferences, parseArgs, UsageError } from "../local/cli";
import { startLocalStack, urlHost } from "../local/server";
import { startRecordingServer } from "./support/recording-server";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const START_TIMEOUT_MS = 120_000;

/** What `npm start` with no arguments runs: the dev stack, no delays, no backends, loopback. */
const NO_ARGUMENTS = {
    stack: "dev",
    config: {},
    latencyMs: undefined,
    viewerLatencyMs: undefined,
    originLatencyMs: undefined,
    backends: [],
    host: undefined,
    quiet: false,
    fidelity: false,
    help: false,
};

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
            { ...NO_ARGUMENTS, stack: "prod", config: { apiPath: "/v2", "aws:region": "us-east-1" }, latencyMs: 100 },
        );
        assert.deepEqual(
            parseArgs([
                "--viewer-latency",
                "20",
                "--origin-latency=150",
                "--backend",
                "/billing=http://127.0.0.1:9001",
                "--backend=/v2/orders=http://localhost:9002/",
            ]),
            {
                ...NO_ARGUMENTS,
                viewerLatencyMs: 20,
                originLatencyMs: 150,
                backends: [
                    { path: "/billing", url: "http://127.0.0.1:9001" },
                    { path: "/v2/orders", url: "http://localhost:9002" },
                ],
            },
        );
        assert.deepEqual(parseArgs(["--config", 'customDomain={"domainName":"a.example.com"}']).config, {
            customDomain: '{"domainName":"a.example.com"}',
        });
        assert.deepEqual(parseArgs([]), NO_ARGUMENTS);
    });

    it("reads --host (an IP address or a host name), --quiet and --fidelity", () => {
        for (const host of ["0.0.0.0", "127.0.0.1", "::", "::1", "localhost", "my-host.local"]) {
            assert.equal(parseArgs(["--host", host]).host, host);
        }
        assert.equal(parseArgs(["--host=0.0.0.0"]).host, "0.0.0.0");
        const flags = parseArgs(["--quiet", "--fidelity"]);
        assert.equal(flags.quiet, true);
        assert.equal(flags.fidelity, true);
        for (const bad of ["http://0.0.0.0", "0.0.0.0:8080", "a b", ""]) {
            assert.throws(
                () => parseArgs(["--host", bad]),
                (error: Error) =>
                    error instanceof UsageError &&
                    error.message.includes(`--host takes an address`) &&
                    error.message.includes(`"${bad}"`),
                bad,
            );
        }
    });

    it("lists the config values that differ from infra/config.ts's defaults, in the table's order", () => {
        assert.deepEqual(
            configDifferences({
                "aws:region": "eu-west-1",
                "same-origin:proxyMode": "direct-stage",
                "same-origin:apiPath": "/v2",
                "same-origin:stageName": "dev",
                "same-origin:authorizerCacheTtl": "0",
                "same-origin:priceClass": "PriceClass_100",
                // An object equal to the default once read, though written shorter.
                "same-origin:auth": '{"provider":"cognito"}',
            }),
            ["apiPath=/v2", "stageName=dev"],
        );
        assert.deepEqual(
            configDifferences({
                "aws:region": "eu-west-1",
                "same-origin:proxyMode": "custom-domain",
                "same-origin:customDomain": '{"domainName":"a.example.com","hostedZoneName":"example.com"}',
                "same-origin:authorizerCacheTtl": "300",
                "same-origin:auth": '{"provider":"demo"}',
            }),
            [
                "proxyMode=custom-domain",
                'customDomain={"domainName":"a.example.com","hostedZoneName":"example.com"}',
                "authorizerCacheTtl=300",
                'auth={"provider":"demo"}',
            ],
        );
    });

    it("refuses what it does not understand", () => {
        assert.throws(() => parseArgs(["--config", "novalue"]), UsageError);
        assert.throws(() => parseArgs(["--latency", "fast"]), UsageError);
        assert.throws(() => parseArgs(["--viewer-latency", "-5"]), /--viewer-latency takes a whole number/);
        assert.throws(() => parseArgs(["--origin-latency", "1.5"]), /--origin-latency takes a whole number/);
        for (const mapping of [
            "billing=http://127.0.0.1:9001",
            "/billing",
            "/billing=https://x.example.com",
            "/b=http://h:1/p",
        ]) {
            assert.throws(() => parseArgs(["--backend", mapping]), /--backend takes <path>=<local http URL/, mapping);
        }
        assert.throws(() => parseArgs(["--stack"]), UsageError);
        assert.throws(() => parseArgs(["--port", "1"]), /Unknown argument "--port"/);
        assert.throws(() => parseArgs(["--host"]), /--host needs a value/);
    });
});

describe("local CLI: PORT and --host", () => {
    /** Runs `body` with PORT set to `value`, restoring the environment afterwards. */
    async function withPort(value: string, body: () => Promise<void>): Promise<void> {
        const saved = process.env.PORT;
        process.env.PORT = value;
        try {
            await body();
        } finally {
            if (saved === undefined) {
                delete process.env.PORT;
            } else {
                process.env.PORT = saved;
            }
        }
    }

    const refused: [port: string, problem: RegExp][] = [
        [
            "70000",
            /^Error: PORT is "70000": it must be a port number from 1 to 65535 \(0 picks free ports\)\. Fix: PORT=8080 npm start$/,
        ],
        ["-1", /^Error: PORT is "-1": it must be a port number from 1 to 65535/],
        ["8080x", /^Error: PORT is "8080x": it must be a port number/],
        ["", /^Error: PORT is "": it must be a port number/],
        [
            "65535",
            /^Error: PORT is "65535": API Gateway's own endpoint listens on PORT\+1 and the stand-in issuer on PORT\+2 = 65537, past the last port \(65535\)\. Fix: a PORT from 1 to 65533, e\.g\. PORT=8080 npm start$/,
        ],
    ];
    for (const [port, problem] of refused) {
        it(`PORT="${port}" is refused before the program is captured`, async () => {
            // No graph is given: a refusal after the capture would take seconds and name something else.
            await withPort(port, () => assert.rejects(startLocalStack({}), problem));
        });
    }

    it("the port options are checked too", async () => {
        await assert.rejects(
            startLocalStack({ port: 65536 }),
            /^Error: The port option is 65536: ports go from 1 to 65535/,
        );
        await assert.rejects(
            startLocalStack({ port: 65535 }),
            /The port option \+ 1 \(the direct listener's port\) is 65536/,
        );
        await assert.rejects(startLocalStack({ port: 0, directPort: -2 }), /The directPort option is -2/);
    });

    it("prints URLs with localhost for loopback and every-interface addresses, others as they are", () => {
        for (const address of ["127.0.0.1", "0.0.0.0", "::", "::1", "localhost"]) {
            assert.equal(urlHost(address), "localhost", address);
        }
        assert.equal(urlHost("192.0.2.10"), "192.0.2.10");
        assert.equal(urlHost("fe80::1"), "[fe80::1]");
    });

    it("an address that is not this machine's fails naming --host and the fix", async function () {
        this.timeout(120_000);
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): no interface here has it. Binding
        // to it fails locally; nothing is sent.
        await assert.rejects(
            startLocalStack({ graph: await captureStack({}), port: 0, host: "192.0.2.1" }),
            /--host 192\.0\.2\.1: no network interface of this machine has that address \(EADDRNOTAVAIL\)\. Fix: --host 127\.0\.0\.1/,
        );
    });
});

/** A CLI run: its output so far (`output()` keeps growing while it runs) and its end. */
interface CliRun {
    readonly child: ChildProcess;
    readonly stdout: string;
    readonly stderr: string;
    /** The exit code, or null while it runs. */
    readonly code: number | null;
    output(): string;
    /** Resolves with the exit code once the process ended and all its output was read. */
    readonly closed: Promise<number | null>;
}

/** Runs the CLI; resolves once `until` matches stdout, or once it ended. */
function run(args: string[], env: Record<string, string>, until?: RegExp): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(TSX, [path.join(ROOT, "local", "cli.ts"), ...args], {
            cwd: ROOT,
            env: { ...process.env, ...env },
        });
        let stdout = "";
        let stderr = "";
        const closed = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
        const result = (code: number | null): CliRun => ({ child, stdout, stderr, code, output: () => stdout, closed });
        child.stdout.on("data", (chunk) => {
            stdout += chunk;
            if (until?.test(stdout)) {
                resolve(result(null));
            }
        });
        child.stderr.on("data", (chunk) => {
            stderr += chunk;
        });
        child.on("error", reject);
        void closed.then((code) => resolve(result(code)));
    });
}

const READY =
    /same-origin local stack ready: (http:\/\/localhost:(\d+)) \(API Gateway direct: (http:\/\/localhost:\d+)\)\n/;

describe("local CLI: process", function () {
    this.timeout(START_TIMEOUT_MS);

    /** Stops a started CLI with SIGTERM; resolves with its exit code once all its output was read. */
    function stop(started: CliRun): Promise<number | null> {
        started.child.kill("SIGTERM");
        return started.closed;
    }

    /** Resolves once `pattern` appears in the CLI's stdout. */
    function waitForOutput(started: CliRun, pattern: RegExp): Promise<void> {
        return new Promise((resolve, reject) => {
            const check = () => {
                if (pattern.test(started.output())) {
                    started.child.stdout!.off("data", check);
                    resolve();
                }
            };
            started.child.stdout!.on("data", check);
            void started.closed.then(() => reject(new Error(`ended before printing ${pattern}:\n${started.output()}`)));
            check();
        });
    }

    it("prints the stack, the config that differs, the latency, the URLs and the notes' count; logs each request; stops on SIGTERM", async () => {
        const started = await run([], { PORT: "0", LATENCY_MS: "0" }, READY);
        try {
            const stdout = started.stdout;
            const match = READY.exec(stdout);
            assert.ok(match, `no ready line:\n${stdout}\n${started.stderr}`);
            assert.equal(stdout.match(/same-origin local stack ready/g)?.length, 1);
            assert.match(stdout, /^same-origin local stack: stack "dev" \(Pulumi\.dev\.yaml\), region eu-west-1$/m);
            // Pulumi.dev.yaml sets stageName (default prod); its other values are the defaults.
            assert.match(
                stdout,
                /^ {2}config that differs from the defaults: stageName=dev, auth=\{"provider":"demo"\}$/m,
            );
            assert.match(stdout, /^ {2}latency: none added/m);
            assert.match(stdout, new RegExp(`^ {2}site \\(CloudFront\\): +${match[1]}/$`, "m"));
            assert.match(
                stdout,
                new RegExp(
                    `^ {2}API Gateway's own endpoint: +${match[3]}/dev/ \\(cross-origin, permissive CORS; 403 Forbidden without the API key CloudFront sends: originLockdown\\)$`,
                    "m",
                ),
            );
            assert.match(stdout, /AKIALOCALSTACK000000 \/ local-secret-key/);
            assert.match(stdout, /^ {2}\d+ fidelity notes: npm start -- --fidelity lists them$/m);
            assert.doesNotMatch(stdout, /No TLS/, "the notes themselves are listed only with --fidelity");

            assert.equal((await fetch(`${match[1]}/config.json`)).status, 200);
            assert.equal((await fetch(`${match[3]}/dev/api/hello`)).status, 403, "locked down: no API key");
            await waitForOutput(started, /^direct .*\n/m);
            assert.match(
                started.output(),
                /^cloudfront GET \/config\.json \[\*\] -> site \S+\/config\.json, answered by S3: 200 in \d+ ms$/m,
            );
            assert.match(
                started.output(),
                /^direct {5}GET \/dev\/api\/hello -> \S+\/dev\/api\/hello, answered by API Gateway: 403 in \d+ ms$/m,
            );
        } finally {
            assert.equal(await stop(started), 0);
        }
    });

    it("--fidelity lists the notes, --quiet logs no request, --latency and --host 0.0.0.0 are reported", async () => {
        const started = await run(
            ["--fidelity", "--quiet", "--latency", "5", "--host", "0.0.0.0"],
            { PORT: "0" },
            READY,
        );
        const stdout = started.stdout;
        const match = READY.exec(stdout);
        try {
            assert.ok(match, `no ready line:\n${stdout}\n${started.stderr}`);
            assert.match(stdout, /^ {2}\d+ fidelity notes \(what this local stack does differently from AWS\):$/m);
            assert.match(stdout, /^ {4}- No TLS: /m);
            assert.match(stdout, /^ {2}latency: 5 ms on every request \(--latency \/ LATENCY_MS\)$/m);
            assert.match(stdout, /^ {2}listening on 0\.0\.0\.0 \(every interface\)$/m);
            assert.match(stdout, /^ {2}request log: off \(--quiet\)$/m);
            // Bound to every interface, the printed localhost URLs still reach it.
            assert.equal((await fetch(`${match[1]}/config.json`)).status, 200);
        } finally {
            assert.equal(await stop(started), 0);
        }
        // Every line written before the exit has been read by now: none is a request's.
        assert.match(started.output(), /SIGTERM: closing the local stack/);
        assert.doesNotMatch(started.output(), /^cloudfront /m);
    });

    it("a PORT out of range fails before anything starts, naming PORT, the value and the fix", async () => {
        const result = await run([], { PORT: "70000" }, READY);
        if (result.code === null) {
            await stop(result);
            assert.fail(`started with PORT=70000:\n${result.stdout}`);
        }
        assert.equal(result.code, 1, result.stderr);
        assert.match(
            result.stderr,
            /^PORT is "70000": it must be a port number from 1 to 65535 \(0 picks free ports\)\. Fix: PORT=8080 npm start$/m,
        );
        assert.doesNotMatch(result.stderr, /options\.port/, "not Node's own message");
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

    const BILLING = 'backends=[{"path":"/billing","url":"https://billing.example.com/prod","stripPath":true}]';

    it("--backend: the banner lists the mapping, and the backend's requests reach the local server", async () => {
        const backend = await startRecordingServer(() => ({ status: 200, body: "from billing" }));
        const started = await run(["--config", BILLING, "--backend", `/billing=${backend.url}`], { PORT: "0" }, READY);
        try {
            const match = READY.exec(started.stdout);
            assert.ok(match, `no ready line:\n${started.stdout}\n${started.stderr}`);
            assert.match(
                started.stdout,
                new RegExp(
                    `^ {2}backend /billing: served by ${backend.url.replace(/\./g, "\\.")} \\(--backend\\)$`,
                    "m",
                ),
            );
            const reply = await fetch(`${match[1]}/billing/invoices`);
            assert.equal(reply.status, 200);
            assert.equal(await reply.text(), "from billing");
            assert.deepEqual(
                backend.received.map((r) => `${r.method} ${r.headers.host}${r.url}`),
                ["GET billing.example.com/prod/invoices"],
            );
            await waitForOutput(started, /^cloudfront GET \/billing\/invoices .*\n/m);
            assert.match(started.output(), /answered by the local backend http:\/\/127\.0\.0\.1:\d+: 200 in \d+ ms$/m);
        } finally {
            assert.equal(await stop(started), 0);
            await backend.close();
        }
    });

    it("a --backend the stack does not serve fails with status 1, naming the flag and the fix", async () => {
        const result = await run(
            ["--config", BILLING, "--backend", "/payments=http://127.0.0.1:9001"],
            {
                PORT: "0",
            },
            READY,
        );
        if (result.code === null) {
            await stop(result);
            assert.fail(`started with an unknown --backend:\n${result.stdout}`);
        }
        assert.equal(result.code, 1, result.stderr);
        assert.match(
            result.stderr,
            /^--backend \/payments=http:\/\/127\.0\.0\.1:9001: the distribution has no behavior for \/payments \(its prefixes: \/api, \/billing\); add the backend with --config/m,
        );
    });
});
