/**
 * The seams between folders: shared knowledge flows one way. core/ is pure (no component, no
 * bundler, no Pulumi runtime) and everything may import it; the policy pack and the SPA import
 * nothing else of the repository; the capture layer and the components never reach the emulator.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../capture/stack-config";
import { layerViolations, reach } from "./support/import-graph";

const filesIn = (folder: string) =>
    fs
        .readdirSync(path.join(PROJECT_DIR, folder), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `${folder}/${f}`);

describe("layers", () => {
    it("core/ reaches nothing outside core/, and no package", () => {
        assert.deepEqual(layerViolations(reach(PROJECT_DIR, filesIn("core")), ["core"], []), []);
    });

    it("the policy pack loads only policy/ and core/: no component, no bundler, nothing of the local stack", () => {
        const reached = reach(PROJECT_DIR, ["policy/index.ts"]);
        assert.deepEqual(
            layerViolations(reached, ["policy", "core"], ["@pulumi/policy", "@pulumi/aws", "@pulumi/pulumi"]),
            [],
        );
        assert.ok(reached.files.has("core/cloudfront-policies.ts"), "it judges by the shared policy model");
    });

    it("the SPA bundles only site/src/ and core/", () => {
        const reached = reach(PROJECT_DIR, ["site/src/main.ts"]);
        assert.deepEqual(layerViolations(reached, ["site/src", "core"], ["aws4", "oidc-client-ts"]), []);
    });

    it("the capture layer and the components never reach the local stack, the pack or the tests", () => {
        for (const folder of ["capture", "infra"]) {
            const reached = reach(PROJECT_DIR, filesIn(folder));
            const forbidden = [...reached.files].filter((f) => /^(local|policy|tests|scripts|bench)\//.test(f));
            assert.deepEqual(forbidden, [], folder);
        }
    });

    it("would catch a core module that imports a component", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
        try {
            fs.mkdirSync(path.join(root, "core"));
            fs.mkdirSync(path.join(root, "infra"));
            fs.writeFileSync(path.join(root, "core", "a.ts"), 'import type { B } from "../infra/b";\n');
            fs.writeFileSync(
                path.join(root, "infra", "b.ts"),
                'import * as esbuild from "esbuild";\nexport type B = 1;\n',
            );
            assert.deepEqual(layerViolations(reach(root, ["core/a.ts"]), ["core"], []), [
                "file infra/b.ts",
                "package esbuild",
            ]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
