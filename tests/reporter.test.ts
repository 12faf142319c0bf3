import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

describe("summary reporter", function () {
    this.timeout(60_000);

    it("counts a test whose afterEach fails as failed, once, and not as passed", () => {
        const run = spawnSync(
            path.join(ROOT, "node_modules", ".bin", "mocha"),
            ["--config", path.join(ROOT, ".mocharc.json"), "tests/fixtures/reporter/after-each-fails.fixture.ts"],
            { cwd: ROOT, encoding: "utf8" },
        );
        assert.notEqual(run.status, 0);
        assert.match(run.stdout, /^1 passed, 2 failed$/m, run.stdout);
    });
});
