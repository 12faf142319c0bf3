import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../capture/stack-config";
import {
    chooseSource,
    extractFrontendConfig,
    findOnPath,
    parseArgs,
    validateFrontendConfig,
} from "../scripts/frontend-config";

const SCRIPT = path.join(PROJECT_DIR, "scripts", "frontend-config.ts");

/** A deployed stack's config, as the fake CLI prints it (different from the offline graph's). */
const DEPLOYED_CONFIG = {
    apiPath: "/api",
    region: "us-west-2",
    signing: {
        host: "a1b2c3d4e5.execute-api.us-west-2.amazonaws.com",
        pathPrefix: "/dev/api",
        region: "us-west-2",
        service: "execute-api",
    },
    auth: {
        provider: "cognito",
        authority: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEfGhI",
        clientId: "4f1a2b3c4d5e6f7g8h9i0j1k2l",
        scopes: ["openid"],
        logoutEndpoint: "https://same-origin-dev-0a1b2c3d.auth.us-west-2.amazoncognito.com/logout",
    },
};

let tempDir: string;

/** Writes an executable file into the temp dir and returns its path. */
function executable(dir: string, name: string, body: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, body, { mode: 0o755 });
    return file;
}

/**
 * A fake `pulumi` that records its arguments next to itself, then either prints stack outputs
 * as `pulumi stack output --json` does or fails as it does for a stack it cannot reach.
 */
function fakePulumi(dir: string, behavior: { outputs: object } | { failure: string }): string {
    const body =
        "outputs" in behavior
            ? `cat <<'JSON'\n${JSON.stringify(behavior.outputs, null, 2)}\nJSON\n`
            : `cat >&2 <<'ERROR'\n${behavior.failure}\nERROR\nexit 255\n`;
    return executable(dir, "pulumi", `#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\n${body}`);
}

/** Runs the script as `npm run frontend-config` would, with a PATH of `pathDirs` plus node and the system tools. */
function spawnScript(args: readonly string[], pathDirs: readonly string[]) {
    const searchPath = [...pathDirs, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
    return spawnSync(process.execPath, [require.resolve("tsx/cli"), SCRIPT, ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, PATH: searchPath },
        timeout: 90_000,
    });
}

/** {@link spawnScript}, which must succeed. */
function runScript(args: readonly string[], pathDirs: readonly string[]) {
    const result = spawnScript(args, pathDirs);
    assert.equal(result.status, 0, `frontend-config failed:\n${result.stderr}`);
    return result;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

describe("frontend-config", function () {
    this.timeout(120_000);

    beforeEach(() => {
        tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "frontend-config-"));
    });

    afterEach(() => {
        fs.rmSync(tempDir, { recursive: true, force: true });
    });

    describe("arguments", () => {
        it("writes site/public/config.json unless --out says otherwise", () => {
            assert.deepEqual(parseArgs(["--stack", "dev"]), {
                stack: "dev",
                out: path.join(PROJECT_DIR, "site", "public", "config.json"),
                offline: false,
            });
            assert.deepEqual(parseArgs(["--stack", "prod", "--out", "x/config.json"], "/work"), {
                stack: "prod",
                out: "/work/x/config.json",
                offline: false,
            });
        });

        it("takes --offline anywhere, without a value", () => {
            assert.equal(parseArgs(["--offline", "--stack", "dev"]).offline, true);
            assert.deepEqual(parseArgs(["--stack", "prod", "--offline", "--out", "x/config.json"], "/work"), {
                stack: "prod",
                out: "/work/x/config.json",
                offline: true,
            });
        });

        it("requires --stack and rejects anything else, with the usage", () => {
            assert.throws(
                () => parseArgs([]),
                /--stack is required; usage: npm run frontend-config -- --stack <stack>.*\[--offline\]/,
            );
            assert.throws(() => parseArgs(["--stack"]), /unexpected argument "--stack"/);
            assert.throws(() => parseArgs(["--stack", "dev", "--json"]), /unexpected argument "--json"/);
        });
    });

    describe("choosing the source", () => {
        it("finds an executable pulumi on PATH, skipping one that is not executable", () => {
            const notExecutable = path.join(tempDir, "a");
            fs.mkdirSync(notExecutable);
            fs.writeFileSync(path.join(notExecutable, "pulumi"), "", { mode: 0o644 });
            const real = fakePulumi(path.join(tempDir, "b"), { outputs: {} });
            const searchPath = [notExecutable, path.dirname(real)].join(path.delimiter);
            assert.equal(findOnPath("pulumi", searchPath), real);
            assert.equal(findOnPath("pulumi", notExecutable), undefined);
        });

        it("uses the CLI when it is installed, else the offline graph; --offline skips the CLI", () => {
            assert.deepEqual(chooseSource("/usr/local/bin/pulumi"), { kind: "cli", pulumi: "/usr/local/bin/pulumi" });
            assert.deepEqual(chooseSource(undefined), { kind: "offline", reason: "the pulumi CLI is not on PATH" });
            assert.deepEqual(chooseSource("/usr/local/bin/pulumi", true), {
                kind: "offline",
                reason: "--offline was given",
            });
            assert.deepEqual(chooseSource(undefined, true), { kind: "offline", reason: "--offline was given" });
        });
    });

    describe("reading the outputs", () => {
        it("extracts frontendConfig from `pulumi stack output --json`", () => {
            const json = JSON.stringify({ siteUrl: "https://d1.cloudfront.net", frontendConfig: DEPLOYED_CONFIG });
            assert.deepEqual(extractFrontendConfig(json), DEPLOYED_CONFIG);
        });

        it("says when the outputs have no frontendConfig, or are not JSON", () => {
            assert.throws(() => extractFrontendConfig("{}"), /no frontendConfig output; deploy the current program/);
            assert.throws(() => extractFrontendConfig("error: no stack"), /stack outputs are not JSON/);
        });

        it("validates the shape the SPA expects, naming each bad field", () => {
            assert.deepEqual(validateFrontendConfig(DEPLOYED_CONFIG), DEPLOYED_CONFIG);
            const broken = { ...DEPLOYED_CONFIG, signing: { ...DEPLOYED_CONFIG.signing, host: "" } };
            assert.throws(() => validateFrontendConfig(broken), /signing\.host/);
            assert.throws(() => validateFrontendConfig({ region: "eu-west-1" }), /apiPath.*signing/);
        });
    });

    describe("end to end", () => {
        it("without the CLI, writes the offline graph's config and says so", () => {
            const out = path.join(tempDir, "nested", "config.json");
            const { stderr } = runScript(["--stack", "dev", "--out", out], []);
            // Pulumi.dev.yaml: eu-west-1, direct-stage, stage "dev", apiPath "/api"; the mock's REST API id.
            const written = readJson(out);
            assert.match(written.signing.host, /^[0-9a-f]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
            assert.deepEqual(written, {
                apiPath: "/api",
                region: "eu-west-1",
                signing: {
                    host: written.signing.host,
                    pathPrefix: "/dev/api",
                    region: "eu-west-1",
                    service: "execute-api",
                },
                // Pulumi.dev.yaml signs in with the demo tokens.
                auth: { provider: "demo" },
            });
            assert.match(stderr, /the pulumi CLI is not on PATH; using the offline graph of Pulumi\.dev\.yaml/);
            assert.match(stderr, /the mock's placeholders/);
        });

        it("with the CLI on PATH, reads the stack's outputs through it", () => {
            const bin = path.join(tempDir, "bin");
            fakePulumi(bin, { outputs: { siteUrl: "https://d1.cloudfront.net", frontendConfig: DEPLOYED_CONFIG } });
            const out = path.join(tempDir, "config.json");
            const { stderr } = runScript(["--stack", "dev", "--out", out], [bin]);
            assert.equal(fs.readFileSync(path.join(bin, "args"), "utf8").trim(), "stack output --json --stack dev");
            assert.deepEqual(readJson(out), DEPLOYED_CONFIG);
            assert.match(stderr, /read stack "dev" with .*pulumi \(pulumi stack output\)/);
            assert.doesNotMatch(stderr, /offline graph/);
        });

        it("fails, writing nothing, when the CLI is installed but cannot read the stack", () => {
            const bin = path.join(tempDir, "bin");
            fakePulumi(bin, { failure: "error: no stack named 'prod' found" });
            const out = path.join(tempDir, "config.json");
            const { status, stderr } = spawnScript(["--stack", "prod", "--out", out], [bin]);
            assert.notEqual(status, 0, `frontend-config succeeded:\n${stderr}`);
            assert.equal(fs.readFileSync(path.join(bin, "args"), "utf8").trim(), "stack output --json --stack prod");
            assert.match(stderr, /pulumi stack output --stack prod failed: error: no stack named 'prod' found/);
            assert.match(stderr, /pass --offline to write the offline graph's config instead/);
            assert.doesNotMatch(stderr, /using the offline graph/);
            assert.equal(fs.existsSync(out), false, "no config file written");
        });

        it("with --offline, uses the offline graph even with the CLI on PATH", () => {
            const bin = path.join(tempDir, "bin");
            fakePulumi(bin, { outputs: { frontendConfig: DEPLOYED_CONFIG } });
            const out = path.join(tempDir, "config.json");
            const { stderr } = runScript(["--stack", "prod", "--offline", "--out", out], [bin]);
            assert.equal(fs.existsSync(path.join(bin, "args")), false, "the CLI is not run");
            assert.match(stderr, /--offline was given; using the offline graph of Pulumi\.prod\.yaml/);
            assert.equal(readJson(out).signing.host, "api.example.com", "the prod stack's custom domain");
        });
    });
});
