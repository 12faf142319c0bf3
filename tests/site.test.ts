import { strict as assert } from "node:assert";
import * as nodeCrypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as nodeQuerystring from "node:querystring";
import * as nodeUrl from "node:url";
import * as vm from "node:vm";
import aws4 from "aws4";
import { buildSync } from "esbuild";
import {
    BUILD_WORKING_DIR,
    buildSite,
    contentTypeFor,
    gzipBytes,
    IMMUTABLE_CACHE_CONTROL,
    NODE_SHIM_ALIASES,
    REVALIDATE_CACHE_CONTROL,
    type SiteFile,
} from "../site/build";
import * as shimCrypto from "../site/shims/crypto";
import * as shimQuerystring from "../site/shims/querystring";
import * as shimUrl from "../site/shims/url";
import { CALL_IDS, describeCall, requestFor } from "../site/src/calls";
import { type ConsoleConfig, parseConfig } from "../site/src/config";
import { prettyBody } from "../site/src/http";
import { amzDate, apiGatewayRequest, type Credentials, signRequest } from "../site/src/sign";
import { CONSOLE_CONFIG as CONFIG } from "./support/console-config";

const MAX_GZIP_BYTES = 40 * 1024;

const CREDENTIALS: Credentials = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const DATE = new Date("2024-05-06T07:08:09.123Z");

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const nodeSha256Hex = (data: string | Uint8Array): string => nodeCrypto.createHash("sha256").update(data).digest("hex");
const nodeHmacHex = (key: string | Uint8Array, data: string | Uint8Array): string =>
    nodeCrypto.createHmac("sha256", key).update(data).digest("hex");

/** Deterministic pseudo-random bytes, so a failure reproduces. */
function bytes(length: number, seed: number): Uint8Array {
    const out = new Uint8Array(length);
    let state = seed >>> 0 || 1;
    for (let i = 0; i < length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        out[i] = state & 0xff;
    }
    return out;
}

const TEXTS = [
    "",
    "a",
    "abc",
    "The quick brown fox jumps over the lazy dog",
    "€uro ünïcödé 日本語 😀 𝄞",
    "lone \ud800 surrogate",
    "\u0000\u0001\n\r\t",
    "x".repeat(55),
    "x".repeat(56),
    "x".repeat(63),
    "x".repeat(64),
    "x".repeat(65),
    "y".repeat(119),
    "y".repeat(120),
    "z".repeat(10_000),
    "AWS4-HMAC-SHA256\n20240506T070809Z",
];

describe("site/shims/crypto", () => {
    it("matches the FIPS 180-4 example vectors", () => {
        const vectors: ReadonlyArray<readonly [string, string]> = [
            ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
            ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
            [
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ],
            [
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ],
            ["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
        ];
        for (const [message, expected] of vectors) {
            assert.equal(
                shimCrypto.createHash("sha256").update(message).digest("hex"),
                expected,
                `"${message.slice(0, 20)}"`,
            );
        }
    });

    it("matches the RFC 4231 HMAC-SHA-256 vectors, including a key longer than a block", () => {
        assert.equal(
            shimCrypto.createHmac("sha256", new Uint8Array(20).fill(0x0b)).update("Hi There").digest("hex"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        );
        assert.equal(
            shimCrypto.createHmac("sha256", "Jefe").update("what do ya want for nothing?").digest("hex"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        );
        assert.equal(
            shimCrypto
                .createHmac("sha256", new Uint8Array(131).fill(0xaa))
                .update("Test Using Larger Than Block-Size Key - Hash Key First")
                .digest("hex"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        );
    });

    it("hashes strings (UTF-8, unicode, lone surrogates) like Node", () => {
        for (const text of TEXTS) {
            assert.equal(
                shimCrypto.createHash("sha256").update(text, "utf8").digest("hex"),
                nodeSha256Hex(text),
                `"${text.slice(0, 20)}"`,
            );
        }
    });

    it("hashes every length across block boundaries like Node", () => {
        for (let length = 0; length <= 300; length++) {
            const data = bytes(length, length + 1);
            assert.equal(
                shimCrypto.createHash("sha256").update(data).digest("hex"),
                nodeSha256Hex(data),
                `length ${length}`,
            );
        }
    });

    it("computes HMACs like Node for keys shorter than, equal to and longer than a block", () => {
        for (const keyLength of [0, 1, 20, 32, 63, 64, 65, 100, 200]) {
            const key = bytes(keyLength, keyLength + 7);
            for (const text of TEXTS) {
                assert.equal(
                    shimCrypto.createHmac("sha256", key).update(text).digest("hex"),
                    nodeHmacHex(key, text),
                    `key ${keyLength}`,
                );
            }
        }
        for (const text of TEXTS) {
            assert.equal(
                shimCrypto.createHmac("sha256", `AWS4${text}`).update(text).digest("hex"),
                nodeHmacHex(`AWS4${text}`, text),
            );
        }
    });

    it("returns raw bytes from digest() that chain as the next HMAC key, as aws4 uses them", () => {
        const shimKey = shimCrypto.createHmac("sha256", "AWS4secret").update("20240506").digest();
        const nodeKey = nodeCrypto.createHmac("sha256", "AWS4secret").update("20240506").digest();
        assert.deepEqual(Array.from(shimKey), Array.from(nodeKey));
        assert.equal(
            shimCrypto.createHmac("sha256", shimKey).update("eu-west-1").digest("hex"),
            nodeHmacHex(nodeKey, "eu-west-1"),
        );
    });

    it("concatenates several updates and refuses what it does not implement", () => {
        assert.equal(
            shimCrypto.createHash("sha256").update("ab").update(utf8("c")).digest("hex"),
            nodeSha256Hex("abc"),
        );
        assert.throws(() => shimCrypto.createHash("md5"), /md5/);
        assert.throws(() => shimCrypto.createHash("sha256").digest("base64"), /base64/);
        const hash = shimCrypto.createHash("sha256");
        hash.digest();
        assert.throws(() => hash.digest(), /already/);
    });
});

describe("site/shims/querystring and url", () => {
    it("parses queries like Node", () => {
        const queries = [
            "",
            "a",
            "a=",
            "=b",
            "=",
            "&&",
            "a=1&&b=2",
            "a=1=2",
            "+a+=+b+",
            "%zz=%E2%82",
            "a=1&a=2&a=3",
            "__proto__=x",
            "&a",
            "a&",
            "%E2%82%AC=%F0%9F%98%80",
            "%EF%BB%BFx=%",
            "a=%4g%4",
            "x=1",
            "b=2&a=1&a=0&c=%20x+y",
            `${"&".repeat(999)}a=1&b=2`,
            Array.from({ length: 1200 }, (_, i) => `k${i}=${i}`).join("&"),
        ];
        for (const query of queries) {
            assert.deepEqual(
                { ...shimQuerystring.parse(query) },
                { ...nodeQuerystring.parse(query) },
                query.slice(0, 40),
            );
        }
    });

    it("stringifies like Node", () => {
        const objects: Array<Record<string, string | number | boolean | null | string[]>> = [
            { a: "1", b: ["x", "y z"], c: [], d: 5, e: true, f: null, g: Number.NaN, "h i": "!'()*~", "€": "😀" },
            { "X-Amz-Date": "20240506T070809Z", empty: "" },
        ];
        for (const object of objects) {
            assert.equal(shimQuerystring.stringify(object), nodeQuerystring.stringify(object));
        }
    });

    it("parses URLs into the fields Node's url.parse gives", () => {
        const urls = [
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/api/iam/whoami?x=1",
            "HTTPS://User:p%40ss@Example.COM:8443/a/b?c=d#f",
            "http://host",
            "/relative/path?q=1",
            "https://host:443",
            "//host/x",
            "path?x",
            "https://h?x#y",
        ];
        const fields = [
            "protocol",
            "slashes",
            "auth",
            "host",
            "port",
            "hostname",
            "hash",
            "search",
            "query",
            "pathname",
            "path",
            "href",
        ] as const;
        for (const url of urls) {
            const expected = nodeUrl.parse(url);
            const actual = shimUrl.parse(url);
            for (const field of fields) {
                assert.equal(actual[field], expected[field], `${url} ${field}`);
            }
        }
    });
});

/** The signing module bundled exactly as the site bundles it (shims aliased), run where there is no Node. */
function loadShimmedSigner(): typeof import("../site/src/sign") {
    const result = buildSync({
        absWorkingDir: BUILD_WORKING_DIR,
        entryPoints: ["site/src/sign.ts"],
        bundle: true,
        format: "cjs",
        platform: "browser",
        alias: { ...NODE_SHIM_ALIASES },
        write: false,
        logLevel: "silent",
    });
    const module = { exports: {} };
    // Only what a browser has: no require, no Buffer, no process, so a Node built-in slipping in fails.
    const sandbox = vm.createContext({ module, exports: module.exports, TextEncoder, TextDecoder });
    vm.runInContext(result.outputFiles[0].text, sandbox, { filename: "sign.bundle.js" });
    return module.exports as typeof import("../site/src/sign");
}

/** Plain data, so values from the sandbox's realm compare with this realm's. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** What aws4 lists after SignedHeaders= in an Authorization header. */
function signedHeaderNames(authorization: string): string[] {
    const match = /SignedHeaders=([^,]+)/.exec(authorization);
    assert.ok(match, authorization);
    return match[1].split(";");
}

describe("site/src/sign: IAM signing", () => {
    const shimmed = loadShimmedSigner();

    const configs: ConsoleConfig[] = [
        CONFIG,
        { ...CONFIG, signing: { ...CONFIG.signing, pathPrefix: "" } },
        {
            ...CONFIG,
            apiPath: "/backend",
            signing: { ...CONFIG.signing, host: "api.example.com", pathPrefix: "/v1", region: "us-east-1" },
        },
    ];
    const viewerSuffixes = [
        "/iam/whoami?x=1",
        "",
        "/iam",
        "/iam/whoami?b=2&a=1&a=0&c=%20x+y&empty=",
        "/iam/caf%C3%A9/a%20b",
        "/iam/ünï/😀?q=ü",
        "/iam/a//b/./c/../d",
    ];
    const credentialSets: Credentials[] = [
        CREDENTIALS,
        { ...CREDENTIALS, sessionToken: "FwoGZXIvYXdzEJr//////////wEaDM+token=" },
    ];
    const dates = [DATE, new Date("1999-12-31T23:59:59Z")];

    it("produces byte-for-byte the Authorization header of real aws4 with Node's crypto", () => {
        let compared = 0;
        for (const config of configs) {
            for (const suffix of viewerSuffixes) {
                const viewerPath = `${config.apiPath}${suffix}`;
                for (const credentials of credentialSets) {
                    for (const date of dates) {
                        const real = aws4.sign(apiGatewayRequest(config, "GET", viewerPath, date), credentials);
                        const browser = plain(shimmed.signRequest(config, "GET", viewerPath, credentials, date));
                        assert.equal(browser.Authorization, real.headers?.Authorization, viewerPath);
                        assert.deepEqual(browser, plain(signRequest(config, "GET", viewerPath, credentials, date)));
                        compared++;
                    }
                }
            }
        }
        assert.equal(compared, configs.length * viewerSuffixes.length * credentialSets.length * dates.length);
    });

    it("signs API Gateway's host and the mapped path, with the query kept", () => {
        const request = apiGatewayRequest(CONFIG, "GET", "/api/iam/whoami?x=1", DATE);
        assert.equal(request.host, "abc123.execute-api.eu-west-1.amazonaws.com");
        assert.equal(request.path, "/prod/api/iam/whoami?x=1");
        const canonical = new aws4.RequestSigner(request, CREDENTIALS).canonicalString().split("\n");
        assert.equal(canonical[0], "GET");
        assert.equal(canonical[1], "/prod/api/iam/whoami");
        assert.equal(canonical[2], "x=1");
        assert.equal(canonical[3], "host:abc123.execute-api.eu-west-1.amazonaws.com");
        assert.equal(canonical[4], "x-amz-date:20240506T070809Z");
    });

    it('signs "/" when the signing prefix is empty and the viewer path is the bare API path', () => {
        const config = { ...CONFIG, signing: { ...CONFIG.signing, pathPrefix: "" } };
        assert.equal(apiGatewayRequest(config, "GET", "/api/iam", DATE).path, "/iam");
        assert.equal(apiGatewayRequest(config, "GET", "/api", DATE).path, "/");
        assert.equal(
            new aws4.RequestSigner(apiGatewayRequest(config, "GET", "/api", DATE), CREDENTIALS)
                .canonicalString()
                .split("\n")[1],
            "/",
        );
    });

    it("scopes the credential to the signing region and service at the given date", () => {
        const headers = signRequest(CONFIG, "GET", "/api/iam/whoami?x=1", CREDENTIALS, DATE);
        assert.match(
            headers.Authorization,
            /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240506\/eu-west-1\/execute-api\/aws4_request, /,
        );
        assert.equal(headers["X-Amz-Date"], "20240506T070809Z");
        assert.equal(amzDate(DATE), "20240506T070809Z");
        assert.throws(() => signRequest(CONFIG, "GET", "/elsewhere/iam", CREDENTIALS, DATE), /not under the API path/);
    });

    it("sends exactly the signed headers but Host, which CloudFront sets to the signing host", () => {
        for (const credentials of credentialSets) {
            const headers = signRequest(CONFIG, "GET", "/api/iam/whoami?x=1", credentials, DATE);
            const sent = Object.keys(headers)
                .map((name) => name.toLowerCase())
                .filter((name) => name !== "authorization")
                .sort();
            const signed = signedHeaderNames(headers.Authorization);
            assert.deepEqual(signed, ["host", ...sent].sort());
            assert.ok(!("Host" in headers) && !("host" in headers));
            assert.deepEqual(
                signed,
                credentials.sessionToken ? ["host", "x-amz-date", "x-amz-security-token"] : ["host", "x-amz-date"],
            );
        }
    });

    it("verifies when API Gateway recomputes it from the request it receives", () => {
        const sessionCredentials = credentialSets[1];
        const headers = signRequest(CONFIG, "GET", "/api/iam/whoami?x=1", sessionCredentials, DATE);
        // API Gateway's view: CloudFront's Host, the origin path in front, the headers the page sent.
        const received = {
            host: CONFIG.signing.host,
            path: "/prod/api/iam/whoami?x=1",
            method: "GET",
            service: "execute-api",
            region: "eu-west-1",
            headers: { ...headers, Host: CONFIG.signing.host },
        };
        const { Authorization, ...withoutSignature }: Record<string, string> = received.headers;
        const recomputed = new aws4.RequestSigner({ ...received, headers: withoutSignature }, sessionCredentials);
        recomputed.prepareRequest();
        assert.equal(recomputed.authHeader(), Authorization);
    });
});

describe("site/src: config and calls", () => {
    it("accepts the documented config, with and without local credentials", () => {
        const local = { accessKeyId: "AKIALOCALSTACK000000", secretAccessKey: "local-secret-key" };
        assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(CONFIG))), CONFIG);
        assert.deepEqual(parseConfig({ ...CONFIG, local }).local, local);
    });

    it("names every missing or malformed field", () => {
        assert.throws(() => parseConfig(null), /not a JSON object/);
        assert.throws(() => parseConfig([]), /not a JSON object/);
        assert.throws(
            () => parseConfig({ apiPath: "api/", signing: { host: "", pathPrefix: "prod/", region: "r" } }),
            (error: Error) =>
                ["apiPath", "region", "signing.host", "signing.pathPrefix", "signing.service"].every((field) =>
                    error.message.includes(field),
                ) && !error.message.includes("signing.region"),
        );
        assert.throws(() => parseConfig({ ...CONFIG, signing: "x" }), /signing/);
        assert.throws(() => parseConfig({ ...CONFIG, local: { accessKeyId: 1 } }), /local/);
    });

    it("builds each call's same-origin request", () => {
        const inputs = { token: "allow", credentials: CREDENTIALS };
        assert.deepEqual(requestFor("public-get", CONFIG, inputs), {
            method: "GET",
            path: "/api/hello?from=console",
            headers: {},
        });
        assert.deepEqual(requestFor("public-post", CONFIG, inputs), {
            method: "POST",
            path: "/api/echo",
            headers: { "Content-Type": "application/json" },
            body: '{"hello":"world"}',
        });
        assert.deepEqual(requestFor("authorized", CONFIG, inputs).headers, { Authorization: "allow" });
        assert.deepEqual(requestFor("authorized", CONFIG, { ...inputs, token: "" }).headers, {});
        const iam = requestFor("iam", CONFIG, inputs, DATE);
        assert.equal(iam.path, "/api/iam/whoami?x=1");
        assert.deepEqual(iam.headers, signRequest(CONFIG, "GET", "/api/iam/whoami?x=1", CREDENTIALS, DATE));
        assert.deepEqual(
            CALL_IDS.map((id) => describeCall(CONFIG, id)),
            ["GET /api/hello?from=console", "POST /api/echo", "GET /api/authorized/profile", "GET /api/iam/whoami?x=1"],
        );
    });

    it("pretty-prints JSON bodies and leaves others alone", () => {
        assert.equal(prettyBody('{"a":[1]}', "application/json; charset=utf-8"), '{\n  "a": [\n    1\n  ]\n}');
        assert.equal(prettyBody('{"a":1}', null), '{\n  "a": 1\n}');
        assert.equal(prettyBody("{not json", "application/json"), "{not json");
        assert.equal(prettyBody("Forbidden", "text/plain"), "Forbidden");
    });
});

describe("site/build: buildSite", () => {
    let outDir: string;
    let files: SiteFile[];

    before(() => {
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "site-build-"));
        fs.writeFileSync(path.join(outDir, "stale.bin"), "left from an earlier build");
        files = buildSite({ outDir });
    });

    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    const byKey = (key: string): SiteFile | undefined => files.find((file) => file.key === key);

    it("clears outDir of other files and returns every file written", () => {
        assert.equal(byKey("stale.bin"), undefined);
        assert.equal(fs.existsSync(path.join(outDir, "stale.bin")), false);
        const onDisk = fs
            .readdirSync(outDir, { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile())
            .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
        assert.deepEqual(new Set(files.map((file) => file.key)), new Set(onDisk));
        assert.equal(files.length, onDisk.length);
    });

    it("returns the files sorted by key", () => {
        // The build's files, in the order written out here: by key, "assets/..." before "index.html".
        const expectedOrder = [
            /^assets\/favicon-[A-Z0-9]{8}\.svg$/,
            /^assets\/main-[A-Z0-9]{8}\.js$/,
            /^assets\/styles-[A-Z0-9]{8}\.css$/,
            /^index\.html$/,
        ];
        assert.equal(files.length, expectedOrder.length, files.map((file) => file.key).join(", "));
        files.forEach((file, i) => assert.match(file.key, expectedOrder[i]));
    });

    it("writes content-hashed assets, each referenced by index.html", () => {
        const assets = files.filter((file) => file.key !== "index.html");
        assert.ok(
            assets.some((file) => /^assets\/main-[A-Z0-9]{8}\.js$/.test(file.key)),
            "a hashed main bundle",
        );
        assert.ok(
            assets.some((file) => /^assets\/styles-[A-Z0-9]{8}\.css$/.test(file.key)),
            "a hashed stylesheet",
        );
        const html = fs.readFileSync(path.join(outDir, "index.html"), "utf8");
        for (const asset of assets) {
            assert.match(asset.key, /^assets\/[a-z]+-[A-Z0-9]{8}\.[a-z]+$/);
            assert.ok(html.includes(`"/${asset.key}"`), `index.html references ${asset.key}`);
        }
        assert.doesNotMatch(html, /"src\//, "no source reference is left");
        assert.match(html, /<script type="module" src="\/assets\/main-[A-Z0-9]{8}\.js"><\/script>/);
    });

    it("bundles the shims instead of Node built-ins and ships no source maps", () => {
        assert.ok(!files.some((file) => file.key.endsWith(".map")));
        const js = fs.readFileSync(files.find((file) => file.key.endsWith(".js"))!.absolutePath, "utf8");
        assert.doesNotMatch(js, /sourceMappingURL|require\(/);
        assert.match(js, /AWS4-HMAC-SHA256/);
    });

    it("sets content types and cache headers", () => {
        const expectedTypes: Record<string, string> = {
            ".html": "text/html; charset=utf-8",
            ".js": "text/javascript; charset=utf-8",
            ".css": "text/css; charset=utf-8",
            ".svg": "image/svg+xml",
        };
        for (const file of files) {
            assert.equal(file.contentType, expectedTypes[path.extname(file.key)], file.key);
            assert.equal(
                file.cacheControl,
                file.key === "index.html" ? REVALIDATE_CACHE_CONTROL : IMMUTABLE_CACHE_CONTROL,
                file.key,
            );
        }
        assert.equal(byKey("index.html")?.cacheControl, "no-cache");
        assert.equal(
            files.find((file) => file.key.endsWith(".js"))?.cacheControl,
            "public, max-age=31536000, immutable",
        );
        assert.equal(contentTypeFor("data/x.json"), "application/json");
        assert.equal(contentTypeFor("favicon.ICO"), "image/x-icon");
        assert.throws(() => contentTypeFor("assets/font.woff2"), /assets\/font\.woff2/);
    });

    it("keeps every file inside outDir", () => {
        for (const file of files) {
            assert.ok(!file.key.split("/").includes("..") && !path.isAbsolute(file.key), file.key);
            assert.equal(file.absolutePath, path.join(outDir, ...file.key.split("/")));
            assert.ok(fs.statSync(file.absolutePath).isFile());
        }
    });

    it(`stays under ${MAX_GZIP_BYTES} bytes gzipped`, () => {
        const total = files.reduce((sum, file) => sum + gzipBytes(file), 0);
        console.log(`      site: ${files.length} files, ${total} bytes gzipped`);
        assert.ok(total < MAX_GZIP_BYTES, `${total} bytes`);
    });

    it("names assets by content: the same sources give the same keys", () => {
        const again = buildSite({ outDir, minify: true });
        assert.deepEqual(
            again.map((file) => file.key),
            files.map((file) => file.key),
        );
        const unminified = buildSite({ outDir, minify: false });
        assert.notDeepEqual(
            unminified.map((file) => file.key),
            files.map((file) => file.key),
        );
    });
});
