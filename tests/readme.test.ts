import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../infra/config";
import { LOCAL_CREDENTIALS } from "../local/apigateway/gateway";

const ROOT = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The commands in the README's "The two commands" block. */
function setupCommands(): string[] {
    const section = readme.split("## The two commands")[1]?.split("\n## ")[0] ?? "";
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    return block
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter((line) => line !== "");
}

describe("README", () => {
    it("states exactly two set-up commands: run locally, run every test", () => {
        assert.deepEqual(setupCommands(), ["npm ci && npm start", "npm ci && npm test"]);
    });

    it("is what .ci/run runs, verbatim, after installing what a fresh machine lacks", () => {
        const ci = fs
            .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
            .split("\n")
            .map((line) => line.trim());
        assert.equal(ci.filter((line) => line !== "" && !line.startsWith("#")).pop(), setupCommands()[1]);
        assert.ok(ci.some((line) => line.includes("apt-get install -y chromium")));
    });

    it("documents every config key and every stack output", () => {
        for (const key of CONFIG_KEYS) {
            assert.match(readme, new RegExp(`\\| \`${key}\` \\|`), key);
        }
        const outputs = fs.readFileSync(path.join(ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm);
        for (const [, output] of outputs) {
            assert.ok(readme.includes(`\`${output}\``), output);
        }
    });

    it("gives the IAM credentials the local API Gateway accepts", () => {
        assert.ok(readme.includes(`\`${LOCAL_CREDENTIALS.accessKeyId}\``), LOCAL_CREDENTIALS.accessKeyId);
        assert.ok(readme.includes(`\`${LOCAL_CREDENTIALS.secretAccessKey}\``), LOCAL_CREDENTIALS.secretAccessKey);
    });
});
