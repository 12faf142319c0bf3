/**
 * The API console's pure logic: which header values a browser can send, how sent headers are
 * shown, what the summary takes from a response; and the WCAG contrast arithmetic the browser
 * tests judge the status colours with.
 */
import { strict as assert } from "node:assert";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { DEMO_IDENTITY } from "../functions/authorizer";
import { handler as echo } from "../functions/echo";
import { type CallInputs, inputProblem, requestFor } from "../site/src/calls";
import { shownHeaderValue, unsendableCharacters } from "../site/src/headers";
import { responseSummary, sentFacts } from "../site/src/summary";
import { contrastRatio, parseComputedColor } from "./browser/contrast";
import { CONSOLE_CONFIG as CONFIG } from "./support/console-config";

const INPUTS: CallInputs = {
    token: "allow",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
};
const DATE = new Date("2024-05-06T07:08:09.123Z");

/** Whether Node's `Headers` (the Fetch standard, as undici implements it) takes `value`. */
function fetchAccepts(value: string): boolean {
    try {
        new Headers({ Authorization: value });
        return true;
    } catch {
        return false;
    }
}

describe("site/src/headers: values a browser can send", () => {
    it("names each character fetch refuses, once, with its code point", () => {
        assert.deepEqual(unsendableCharacters("tökén✓"), ["✓ (U+2713)"]);
        assert.deepEqual(unsendableCharacters("😀 and 😀 and Ā"), ["😀 (U+1F600)", "Ā (U+0100)"]);
        assert.deepEqual(unsendableCharacters("a\u0000b\nc\rd"), ["U+0000", "U+000A", "U+000D"]);
        assert.deepEqual(unsendableCharacters("byte order mark\ufeff"), ["\ufeff (U+FEFF)"]);
        assert.deepEqual(unsendableCharacters("Latin-1: ÿ é ß \u00a0 \u007f, tab\tinside"), []);
        assert.deepEqual(unsendableCharacters(" \t line breaks at the edges are stripped \r\n"), []);
    });

    it("refuses exactly what the Fetch standard's Headers refuses, over Latin-1 and beyond", () => {
        const codePoints = [...Array.from({ length: 0x200 }, (_, i) => i), 0x2028, 0xfeff, 0xfffd, 0x1f600];
        const disagreements = codePoints
            .flatMap((codePoint) => {
                const character = String.fromCodePoint(codePoint);
                return [`a${character}b`, `${character}edge`];
            })
            .filter((value) => (unsendableCharacters(value).length === 0) !== fetchAccepts(value))
            .map((value) => JSON.stringify(value));
        assert.deepEqual(disagreements, []);
        assert.equal(fetchAccepts("a✓b"), false, "the oracle refuses something");
    });
});

describe("site/src/calls: input checked before sending", () => {
    it("names the field whose value cannot go in a header, and the characters", () => {
        assert.deepEqual(inputProblem("authorized", { ...INPUTS, token: "tökén✓" }), {
            field: "token",
            message:
                "The token contains characters a browser cannot send in a header (only Latin-1, no NUL, CR or LF): ✓ (U+2713). Remove them.",
        });
        const credentials = INPUTS.credentials;
        assert.equal(
            inputProblem("iam", { ...INPUTS, credentials: { ...credentials, accessKeyId: "ключ" } })?.field,
            "access-key-id",
        );
        assert.match(
            inputProblem("iam", { ...INPUTS, credentials: { ...credentials, sessionToken: "x✓" } })?.message ?? "",
            /^The session token contains .*: ✓ \(U\+2713\)\. Remove them\.$/,
        );
    });

    it("lets through what is sent fine: Latin-1 values, a secret key (only hashed), calls that read no field", () => {
        assert.equal(inputProblem("authorized", { ...INPUTS, token: "tökén" }), undefined);
        const credentials = { ...INPUTS.credentials, secretAccessKey: "sécret✓" };
        assert.equal(inputProblem("iam", { ...INPUTS, credentials }), undefined);
        assert.doesNotThrow(() => requestFor("iam", CONFIG, { ...INPUTS, credentials }, DATE));
        for (const id of ["public-get", "public-post"] as const) {
            assert.equal(inputProblem(id, { ...INPUTS, token: "✓" }), undefined);
        }
    });
});

describe("site/src/summary: what was sent", () => {
    it("masks a token to its first characters and its length, keeping a Bearer scheme", () => {
        assert.equal(shownHeaderValue("Authorization", "allow"), "a… (5 characters)");
        assert.equal(shownHeaderValue("authorization", "ab"), "… (2 characters)");
        const jwt = `eyJr${"x".repeat(796)}`;
        assert.equal(shownHeaderValue("Authorization", `Bearer ${jwt}`), "Bearer eyJr… (800 characters)");
        for (let length = 1; length <= 40; length++) {
            const secret = "s".repeat(length - 1) + "!";
            assert.ok(!shownHeaderValue("Authorization", secret).includes("!"), `length ${length}`);
        }
    });

    it("shows the method, path, headers (SigV4 signature cut short, session token only as present) and body", () => {
        assert.deepEqual(sentFacts(requestFor("public-post", CONFIG, INPUTS)), [
            ["Request", "POST /api/echo"],
            ["Content-Type", "application/json"],
            ["Body", '{"hello":"world"}'],
        ]);
        assert.deepEqual(sentFacts(requestFor("public-get", CONFIG, INPUTS)), [
            ["Request", "GET /api/hello?from=console"],
        ]);

        const sessionToken = "FwoGZXIvYXdzEJr//////////wEaDM+token=";
        const request = requestFor(
            "iam",
            CONFIG,
            { ...INPUTS, credentials: { ...INPUTS.credentials, sessionToken } },
            DATE,
        );
        const facts = Object.fromEntries(sentFacts(request));
        assert.equal(facts.Request, "GET /api/iam/whoami?x=1");
        assert.equal(facts["X-Amz-Date"], "20240506T070809Z");
        assert.equal(facts["X-Amz-Security-Token"], `present (${sessionToken.length} characters)`);
        const signature = /Signature=([0-9a-f]{64})$/.exec(request.headers.Authorization)?.[1];
        assert.ok(signature, request.headers.Authorization);
        assert.equal(
            facts.Authorization,
            request.headers.Authorization.replace(signature, `${signature.slice(0, 8)}…`),
            "everything but the signature's tail",
        );
        assert.ok(!JSON.stringify(facts).includes(sessionToken) && !JSON.stringify(facts).includes(signature));
    });
});

/** A proxy event with what the echo reads; `requestContext` as API Gateway fills it for the route. */
function eventWith(requestContext: Record<string, unknown>, body: string | null = null): APIGatewayProxyEvent {
    return {
        resource: "/api/{proxy+}",
        path: "/api/x",
        httpMethod: body === null ? "GET" : "POST",
        headers: {},
        pathParameters: null,
        queryStringParameters: null,
        body,
        isBase64Encoded: false,
        requestContext: { stage: "dev", path: "/dev/api/x", resourcePath: "/api/{proxy+}", ...requestContext },
    } as unknown as APIGatewayProxyEvent;
}

/** What the echo Lambda answers for `event`, as the page receives it. */
async function echoed(event: APIGatewayProxyEvent): Promise<string> {
    return (await echo(event)).body;
}

describe("site/src/summary: what matters in a response", () => {
    it("takes the authorizer context from the echo of the token route", async () => {
        const body = await echoed(
            eventWith({ authorizer: { principalId: DEMO_IDENTITY.sub, ...DEMO_IDENTITY, integrationLatency: 12 } }),
        );
        assert.deepEqual(responseSummary("authorized", 200, body), {
            facts: [
                [
                    "Authorizer context",
                    "principalId: demo-user\nsub: demo-user\nusername: demo-user\nscope: console\nintegrationLatency: 12",
                ],
                ["Echoed body", "none"],
            ],
        });
    });

    it("takes accessKey, user, userArn and caller from the echo of the IAM route", async () => {
        const identity = {
            accessKey: "AKIALOCAL",
            accountId: "123456789012",
            caller: "AIDACALLER",
            user: "AIDAUSER",
            userArn: "arn:aws:iam::123456789012:user/local",
            sourceIp: "127.0.0.1",
            cognitoIdentityId: null,
        };
        assert.deepEqual(responseSummary("iam", 200, await echoed(eventWith({ identity }))).facts, [
            [
                "IAM identity",
                "accessKey: AKIALOCAL\nuser: AIDAUSER\nuserArn: arn:aws:iam::123456789012:user/local\ncaller: AIDACALLER",
            ],
            ["Echoed body", "none"],
        ]);
        assert.deepEqual(responseSummary("iam", 200, await echoed(eventWith({ identity: { accessKey: "A" } }))).facts, [
            ["IAM identity", "accessKey: A\nuser: null\nuserArn: null\ncaller: null"],
            ["Echoed body", "none"],
        ]);
    });

    it("shows the echoed body, and for a public call no request context", async () => {
        const body = await echoed(eventWith({ authorizer: null, identity: { accessKey: "A" } }, '{"hello":"world"}'));
        assert.deepEqual(responseSummary("public-post", 200, body), { facts: [["Echoed body", '{"hello":"world"}']] });
        assert.deepEqual(responseSummary("authorized", 200, body).facts[0], ["Authorizer context", "none"]);
    });

    it("shows an error response's message, and nothing else", () => {
        for (const [status, message] of [
            [401, "Unauthorized"],
            [403, "User is not authorized to access this resource with an explicit deny"],
            [404, "Missing Authentication Token"],
            [429, "Too Many Requests"],
            [502, "Internal server error"],
        ] as const) {
            const body = JSON.stringify({ message }, null, 2);
            assert.deepEqual(responseSummary("authorized", status, body), { message, facts: [] });
        }
    });

    it("sums up nothing it does not recognise, so the raw body is all there is", () => {
        const unrecognised: ReadonlyArray<readonly [number, string]> = [
            [500, "Internal Server Error"],
            [503, '{"Message":null}'],
            [200, '{"ok":true}'],
            [200, "<!doctype html><title>console</title>"],
            [200, "[1,2]"],
            [200, ""],
            [401, '{"error":"Unauthorized"}'],
        ];
        for (const [status, body] of unrecognised) {
            assert.deepEqual(responseSummary("authorized", status, body), { facts: [] }, body);
        }
    });
});

describe("tests/browser/contrast: WCAG contrast ratio", () => {
    const white = parseComputedColor("rgb(255, 255, 255)");

    it("gives WCAG's extremes and the known ratios around the AA threshold", () => {
        assert.equal(contrastRatio(parseComputedColor("rgb(0, 0, 0)"), white), 21);
        assert.equal(contrastRatio(white, white), 1);
        // WebAIM's contrast checker: #767676 on white is 4.54:1 (passes AA), #777777 is 4.48:1 (fails).
        assert.equal(contrastRatio(parseComputedColor("rgb(118, 118, 118)"), white).toFixed(2), "4.54");
        assert.equal(contrastRatio(white, parseComputedColor("rgb(119, 119, 119)")).toFixed(2), "4.48");
        assert.ok(contrastRatio(parseComputedColor("rgb(119, 119, 119)"), white) < 4.5, "a broken colour fails");
    });

    it("reads Chromium's computed colours and refuses forms it does not handle", () => {
        assert.deepEqual(parseComputedColor("rgba(29, 33, 38, 0.5)"), { r: 29, g: 33, b: 38, a: 0.5 });
        assert.deepEqual(parseComputedColor("rgb(29, 122, 58)"), { r: 29, g: 122, b: 58, a: 1 });
        assert.throws(() => parseComputedColor("color(srgb 1 0 0)"), /color\(srgb 1 0 0\)/);
    });
});
