/**
 * docs/ against the code it describes: every relative link resolves, the fidelity notes are the
 * ones local/fidelity.ts prints, the policy rules those of the pack, the deploy roles' permissions
 * cover what the program declares (and the hosted zone look-up), the flags those of the commands,
 * and the test list that of tests/. Each check is a function of the documents' text, so the tests
 * also run it on broken copies and see it fail.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CapturedResource, CapturedStack } from "../capture/capture";
import { TYPES } from "../capture/types";
import { USAGE as START_USAGE } from "../local/cli";
import { GENERAL } from "../local/fidelity";
import { policies } from "../policy/rules";
import { USAGE as SMOKE_USAGE } from "../scripts/smoke";
import { CAPTURE_TIMEOUT_MS, graphOf } from "./support/graphs";
import { codeBlocks, codeSpans, headingAnchors, linkTargets, listItems, section, tableRows } from "./support/markdown";

const ROOT = path.join(__dirname, "..");
const DOCS_DIR = path.join(ROOT, "docs");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Every Markdown document: the README and docs/. */
const DOCUMENTS = [
    "README.md",
    ...fs
        .readdirSync(DOCS_DIR)
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

/** Relative links of a document (at `file`, relative to the repository) to a missing file or heading. */
function linkProblems(file: string, text: string): string[] {
    const problems: string[] = [];
    for (const target of linkTargets(text)) {
        if (/^[a-z]+:/i.test(target)) {
            continue;
        }
        const [targetPath, anchor] = target.split("#");
        const resolved = targetPath === "" ? file : path.join(path.dirname(file), targetPath);
        if (resolved !== file && !fs.existsSync(path.join(ROOT, resolved))) {
            problems.push(`${file}: ${target}: no file ${resolved}`);
        } else if (anchor !== undefined) {
            const linked = resolved === file ? text : read(resolved);
            if (!resolved.endsWith(".md") || !headingAnchors(linked).has(anchor)) {
                problems.push(`${file}: ${target}: no heading #${anchor} in ${resolved}`);
            }
        }
    }
    return problems;
}

/** The fidelity notes for every stack as docs/local-stack.md writes them: the running Node's version as `vX.Y.Z`. */
const DOCUMENTED_GENERAL_NOTES = GENERAL.map((note) => note.replace(process.version, "vX.Y.Z"));

function fidelityProblems(localStackDoc: string): string[] {
    const listed = listItems(section(section(localStackDoc, "## Fidelity notes"), "### For every stack"));
    return [
        ...DOCUMENTED_GENERAL_NOTES.filter((note) => !listed.includes(note)).map((note) => `not listed: ${note}`),
        ...listed.filter((item) => !DOCUMENTED_GENERAL_NOTES.includes(item)).map((item) => `not a note: ${item}`),
    ];
}

/** The pack's rules in order, each `name kind`; resource rules validate one resource, stack rules the stack. */
const RULES = policies.map((rule) => `${rule.name} ${"validateResource" in rule ? "resource" : "stack"}`);

function policyTableRules(policyDoc: string): string[] {
    return tableRows(section(policyDoc, "## The rules")).map(([name, kind]) => `${name.replace(/`/g, "")} ${kind}`);
}

// ---------------------------------------------------------------------------------------------
// IAM policies written in docs/deploying.md.
// ---------------------------------------------------------------------------------------------

interface Statement {
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: unknown;
}

interface PolicyDocument {
    readonly Statement: Statement[];
}

/** The JSON policy written in the first `json` block under a heading of docs/deploying.md. */
function policyUnder(deployingDoc: string, heading: string): PolicyDocument {
    const block = codeBlocks(section(deployingDoc, heading)).find((b) => b.lang === "json");
    assert.ok(block, `a json block under "${heading}"`);
    return JSON.parse(block.body) as PolicyDocument;
}

/** IAM's wildcards: `*` any run of characters, `?` one character. */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * Whether a statement without conditions allows the action on the resource (actions match without
 * regard to case, resources with it). Conditional grants do not count: a check here means "always".
 */
function allows(policy: PolicyDocument, action: string, resource: string): boolean {
    return policy.Statement.some(
        (s) =>
            s.Effect === "Allow" &&
            s.Condition === undefined &&
            asList(s.Action).some((a) => matches(a, action, true)) &&
            asList(s.Resource).some((r) => matches(r, resource, false)),
    );
}

/**
 * The hosted zone look-up of custom-domain mode (`aws.route53.getZone` by name,
 * infra/api-custom-domain.ts): it finds the zone, reads it, and also lists the zone's tags, so a
 * role without `route53:ListTagsForResource` fails on it (shared NOTES.md, "API Gateway (REST)";
 * seen in Terraform users' reports such as github.com/cds-snc/dns/pull/403). Which list call the
 * provider makes to find the zone was not verified; both the deploy and the preview roles run it.
 */
const ZONE_LOOKUP_ACTIONS = ["route53:ListHostedZones", "route53:GetHostedZone", "route53:ListTagsForResource"];
const A_HOSTED_ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";

/**
 * The log bucket's ACL names the account's canonical user id, which `aws.s3.getCanonicalUserId`
 * reads with ListBuckets (terraform-provider-aws, data source aws_canonical_user_id): an action
 * without resource-level permissions, so granted on `*`.
 */
const CANONICAL_USER_LOOKUP_ACTION = "s3:ListAllMyBuckets";

/** A resource's own ARN, or the ARN of the bucket a bucket setting belongs to. */
const ownArn = (r: CapturedResource) => String(r.state.arn);
const bucketArnOf = (r: CapturedResource) => `arn:aws:s3:::${r.state.bucket}`;
const on = (arnOf: (r: CapturedResource) => string, actions: readonly string[]) => (r: CapturedResource) =>
    actions.map((action): [string, string] => [action, arnOf(r)]);

/** What deploying must be allowed to do to each resource the program declares, by type: actions and the ARNs they act on. */
const LIFECYCLE_ACTIONS: Readonly<Record<string, (r: CapturedResource) => [string, string][]>> = {
    [TYPES.role]: on(ownArn, [
        "iam:CreateRole",
        "iam:GetRole",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:DeleteRole",
    ]),
    [TYPES.lambdaFunction]: on(ownArn, [
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:UpdateFunctionCode",
        "lambda:DeleteFunction",
    ]),
    [TYPES.logGroup]: on(ownArn, ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup"]),
    [TYPES.bucket]: on(ownArn, ["s3:CreateBucket", "s3:PutBucketPolicy", "s3:PutObject", "s3:DeleteBucket"]),
    [TYPES.bucketPublicAccessBlock]: on(bucketArnOf, [
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ]),
    [TYPES.ownership]: on(bucketArnOf, ["s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"]),
    // CloudFront's standard logging (legacy) also needs these on its bucket (standard-logging-legacy-s3.html).
    [TYPES.bucketAcl]: on(bucketArnOf, ["s3:PutBucketAcl", "s3:GetBucketAcl"]),
    [TYPES.bucketEncryption]: on(bucketArnOf, ["s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"]),
    [TYPES.bucketLifecycle]: on(bucketArnOf, ["s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"]),
    [TYPES.bucketLogging]: on(bucketArnOf, ["s3:PutBucketLogging", "s3:GetBucketLogging"]),
    // CreateUserPool acts on no resource ("*"); the pool's own actions act on its ARN
    // (Service Authorization Reference, Amazon Cognito User Pools).
    [TYPES.userPool]: (r) => [
        ["cognito-idp:CreateUserPool", "*"],
        ...on(ownArn, ["cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool"])(r),
    ],
    [TYPES.webAcl]: on(ownArn, ["wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL"]),
    // AssociateWebACL takes both (Service Authorization Reference, AWS WAF V2).
    [TYPES.webAclAssociation]: (r) => [
        ["wafv2:AssociateWebACL", String(r.state.webAclArn)],
        ["wafv2:DisassociateWebACL", String(r.state.webAclArn)],
        ["apigateway:SetWebACL", String(r.state.resourceArn)],
    ],
};

/** A captured ARN with the docs' account placeholder in place of the mock's account id. */
const documentedArn = (arn: string) => arn.replace(/:\d{12}:/, ":<ACCOUNT_ID>:");

function deployPolicyProblems(deployingDoc: string, graphs: readonly CapturedStack[]): string[] {
    const policy = policyUnder(deployingDoc, "### Permissions of the deploying roles");
    const problems = ZONE_LOOKUP_ACTIONS.filter((action) => !allows(policy, action, A_HOSTED_ZONE)).map(
        (action) => `the zone look-up needs ${action}`,
    );
    if (!allows(policy, CANONICAL_USER_LOOKUP_ACTION, "*")) {
        problems.push(`the canonical user look-up needs ${CANONICAL_USER_LOOKUP_ACTION}`);
    }
    for (const graph of graphs) {
        for (const resource of graph.resources.filter((r) => LIFECYCLE_ACTIONS[r.type] !== undefined)) {
            for (const [action, arn] of LIFECYCLE_ACTIONS[resource.type](resource)) {
                if (!allows(policy, action, documentedArn(arn))) {
                    problems.push(`${action} on ${documentedArn(arn)} (${resource.name})`);
                }
            }
        }
    }
    return [...new Set(problems)];
}

/** The log bucket's name in the graphs (the same in each: the mock derives it from the resource's name). */
const logsBucketName = (graphs: readonly CapturedStack[]) =>
    String(graphs[0].resources.find((r) => r.type === TYPES.bucket && r.name === "logs-bucket")?.state.bucket);

/** A read: an action (or an action pattern) named Get…, List… or Describe…, or API Gateway's GET. */
const READ_ONLY_ACTION = /^[a-z0-9-]+:((Get|List|Describe)[A-Za-z]*\*?|GET)$/;

function previewPolicyProblems(deployingDoc: string): string[] {
    const policy = policyUnder(deployingDoc, "### Permissions of the prod preview role");
    return [
        ...policy.Statement.flatMap((s) => asList(s.Action))
            .filter((action) => !READ_ONLY_ACTION.test(action))
            .map((action) => `not a read: ${action}`),
        ...ZONE_LOOKUP_ACTIONS.filter((action) => !allows(policy, action, A_HOSTED_ZONE)).map(
            (action) => `the zone look-up needs ${action}`,
        ),
        ...(allows(policy, CANONICAL_USER_LOOKUP_ACTION, "*")
            ? []
            : [`the canonical user look-up needs ${CANONICAL_USER_LOOKUP_ACTION}`]),
    ];
}

// ---------------------------------------------------------------------------------------------
// Flags and files.
// ---------------------------------------------------------------------------------------------

/** The long flags a usage text names. */
const flagsOf = (usage: string) => [...new Set(usage.match(/--[a-z][a-z-]*/g))];

/** The flags of a usage text that no code span of a document names. */
function missingFlags(usage: string, doc: string): string[] {
    const spans = codeSpans(doc);
    return flagsOf(usage).filter((flag) => !spans.some((span) => new RegExp(`${flag}(?![a-z-])`).test(span)));
}

/** Every test file, relative to the repository. */
function testFiles(): string[] {
    return (fs.readdirSync(path.join(ROOT, "tests"), { recursive: true, encoding: "utf8" }) as string[])
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => `tests/${file.split(path.sep).join("/")}`)
        .sort();
}

/** Test files docs/testing.md does not link to. */
function unlistedTests(testingDoc: string): string[] {
    const linked = new Set(linkTargets(testingDoc).map((target) => path.posix.join("docs", target)));
    return testFiles().filter((file) => !linked.has(file));
}

describe("docs", () => {
    describe("links", () => {
        it("every relative link of README.md and docs/ points to a file, and an #anchor to a heading of it", () => {
            assert.ok(DOCUMENTS.length >= 6, DOCUMENTS.join(", "));
            for (const file of DOCUMENTS) {
                assert.deepEqual(linkProblems(file, read(file)), [], file);
            }
        });

        it("would notice a link to a missing file, a missing heading, or a missing heading of the same file", () => {
            const broken =
                "[a](nope.md) [b](deploying.md#nope) [c](#nope) [d](testing.md#testing) [e](https://x.invalid/y)";
            assert.deepEqual(linkProblems("docs/x.md", broken), [
                "docs/x.md: nope.md: no file docs/nope.md",
                "docs/x.md: deploying.md#nope: no heading #nope in docs/deploying.md",
                "docs/x.md: #nope: no heading #nope in docs/x.md",
            ]);
        });
    });

    describe("docs/local-stack.md", () => {
        const doc = read("docs/local-stack.md");

        it("lists every fidelity note local/fidelity.ts prints for every stack, and no other", () => {
            assert.ok(GENERAL.length > 10);
            assert.deepEqual(fidelityProblems(doc), []);
        });

        it("would notice a note missing, changed or left over", () => {
            /** The document without the list item that starts with `start`, continuation lines included. */
            const withoutItem = (start: string) => {
                const lines = doc.split("\n");
                const first = lines.findIndex((line) => line.startsWith(`- ${start}`));
                const count = lines.slice(first + 1).findIndex((line) => !line.startsWith("  ")) + 1;
                return [...lines.slice(0, first), ...lines.slice(first + count)].join("\n");
            };
            assert.deepEqual(
                fidelityProblems(withoutItem("No TLS")).map((p) => p.slice(0, 20)),
                ["not listed: No TLS: "],
            );
            const changed = doc.replace("1 s wall-clock limit", "2 s wall-clock limit");
            assert.equal(fidelityProblems(changed).length, 2, "the note not listed, and a text that is not a note");
            const leftOver = doc.replace("- No TLS", "- An old note.\n- No TLS");
            assert.deepEqual(fidelityProblems(leftOver), ["not a note: An old note."]);
        });

        it("documents every flag of npm start, and its environment", () => {
            assert.deepEqual(missingFlags(START_USAGE, doc), []);
            for (const variable of ["PORT", "PORT+1", "LATENCY_MS"]) {
                assert.ok(doc.includes(`\`${variable}\``), variable);
            }
            assert.deepEqual(missingFlags(START_USAGE, doc.replace(/--fidelity/g, "fidelity")), ["--fidelity"]);
        });
    });

    describe("docs/policy-pack.md", () => {
        const doc = read("docs/policy-pack.md");

        it("has a row for every rule of the pack, in its order, with its kind", () => {
            assert.equal(RULES.length, 18);
            assert.deepEqual(policyTableRules(doc), RULES);
        });

        it("would notice a rule missing or of the wrong kind", () => {
            const missing = doc.replace(/^\| `rest-api-regional` .*\n/m, "");
            assert.notDeepEqual(policyTableRules(missing), RULES);
            const wrongKind = doc.replace("| `viewer-https-only` | resource |", "| `viewer-https-only` | stack |");
            assert.notDeepEqual(policyTableRules(wrongKind), RULES);
        });
    });

    describe("docs/deploying.md: the roles' permissions", function () {
        this.timeout(CAPTURE_TIMEOUT_MS);
        const doc = read("docs/deploying.md");
        let graphs: CapturedStack[];

        before(async () => {
            // Between them, every role, function, log group, bucket and user pool the program can declare.
            const configs: Record<string, string>[] = [
                {},
                { pathRewriter: "lambda-edge" },
                {
                    proxyMode: "custom-domain",
                    customDomain: JSON.stringify({
                        domainName: "api.example.com",
                        hostedZoneName: "example.com",
                        basePath: "v1",
                    }),
                    waf: JSON.stringify({ enabled: true }),
                },
                // Cognito sign-in, the site's domain, a backend, partner CORS and the CloudFront Function rewriter.
                {
                    auth: JSON.stringify({ provider: "cognito" }),
                    siteDomain: JSON.stringify({ domainName: "www.example.com", hostedZoneName: "example.com" }),
                    backends: JSON.stringify([
                        { path: "/billing", url: "https://billing.example.net", stripPath: true },
                    ]),
                    cors: JSON.stringify({ allowOrigins: ["https://partner.example.com"] }),
                    pathRewriter: "cloudfront-function",
                },
            ];
            graphs = [];
            for (const config of configs) {
                // One capture at a time: the program runs once per process under the mocks.
                graphs.push(await graphOf(config));
            }
        });

        it("the deploying roles may manage every named resource the program declares, and look the zone up", () => {
            const types = new Set(graphs.flatMap((g) => g.resources.map((r) => r.type)));
            for (const type of Object.keys(LIFECYCLE_ACTIONS)) {
                assert.ok(types.has(type), `the graphs declare a ${type}`);
            }
            assert.deepEqual(deployPolicyProblems(doc, graphs), []);
        });

        it("the deploy policy grants route53:ListTagsForResource, which the zone look-up needs", () => {
            const policy = policyUnder(doc, "### Permissions of the deploying roles");
            assert.ok(allows(policy, "route53:ListTagsForResource", A_HOSTED_ZONE));
        });

        it("the prod preview role only reads, and may look the zone up", () => {
            assert.deepEqual(previewPolicyProblems(doc), []);
        });

        it("would notice a missing action, a role name that changed, and a write in the preview role", () => {
            const withoutTags = doc.replace(' "route53:ListTagsForResource",', "");
            assert.deepEqual(deployPolicyProblems(withoutTags, graphs), [
                "the zone look-up needs route53:ListTagsForResource",
            ]);
            const renamed = doc.replace(/role\/api-echo-role-\*/g, "role/api-echo-*-role");
            assert.ok(deployPolicyProblems(renamed, graphs).some((p) => p.startsWith("iam:CreateRole on ")));
            const noLogs = doc.replace(
                '"Resource": "arn:aws:logs:*:<ACCOUNT_ID>:log-group:/same-origin/*"',
                '"Resource": "arn:aws:logs:*:<ACCOUNT_ID>:log-group:/aws/*"',
            );
            assert.ok(deployPolicyProblems(noLogs, graphs).some((p) => p.startsWith("logs:CreateLogGroup on ")));
            const noWaf = doc.replace(
                '"arn:aws:wafv2:*:<ACCOUNT_ID>:*/webacl/same-origin-*/*"',
                '"arn:aws:wafv2:*:<ACCOUNT_ID>:*/ipset/*"',
            );
            assert.ok(deployPolicyProblems(noWaf, graphs).some((p) => p.startsWith("wafv2:CreateWebACL on ")));
            assert.ok(deployPolicyProblems(noWaf, graphs).some((p) => p.startsWith("wafv2:AssociateWebACL on ")));
            const noSignIn = doc.replace(
                '"Resource": "arn:aws:cognito-idp:*:<ACCOUNT_ID>:userpool/*"',
                '"Resource": "*:nothing"',
            );
            assert.ok(
                deployPolicyProblems(noSignIn, graphs).some((p) => p.startsWith("cognito-idp:DeleteUserPool on ")),
            );
            const noLogBucket = doc.replace(/"arn:aws:s3:::logs-bucket-\*",/g, "");
            assert.ok(
                deployPolicyProblems(noLogBucket, graphs).includes(
                    "s3:PutBucketAcl on arn:aws:s3:::" + logsBucketName(graphs) + " (logs-acl)",
                ),
            );
            const noOwnerLookup = doc.replace(/"s3:ListAllMyBuckets"/g, '"s3:ListBucket"');
            assert.ok(
                deployPolicyProblems(noOwnerLookup, graphs).includes(
                    "the canonical user look-up needs s3:ListAllMyBuckets",
                ),
            );
            assert.ok(
                previewPolicyProblems(noOwnerLookup).includes("the canonical user look-up needs s3:ListAllMyBuckets"),
            );
            const writes = doc.replace('"route53:Get*", "route53:List*"', '"route53:Get*", "route53:*"');
            assert.deepEqual(previewPolicyProblems(writes), ["not a read: route53:*"]);
            const noList = doc.replace('"route53:Get*", "route53:List*"', '"route53:Get*"');
            assert.deepEqual(previewPolicyProblems(noList), [
                "the zone look-up needs route53:ListHostedZones",
                "the zone look-up needs route53:ListTagsForResource",
            ]);
        });
    });

    describe("docs/testing.md", () => {
        const doc = read("docs/testing.md");

        it("links to every test file", () => {
            assert.ok(testFiles().includes("tests/docs.test.ts"));
            assert.deepEqual(unlistedTests(doc), []);
            assert.deepEqual(unlistedTests(doc.replace("(../tests/bench.test.ts)", "")), ["tests/bench.test.ts"]);
        });

        it("documents every flag of npm run smoke", () => {
            assert.deepEqual(missingFlags(SMOKE_USAGE, doc), []);
            assert.deepEqual(missingFlags(SMOKE_USAGE, doc.replace(/--no-browser/g, "no browser")), ["--no-browser"]);
        });
    });
});
