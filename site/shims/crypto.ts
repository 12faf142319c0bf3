/**
 * The slice of Node's `crypto` that aws4 uses, for the browser bundle: SHA-256 (FIPS 180-4) and
 * HMAC-SHA-256 (RFC 2104). aws4 hashes strings as UTF-8, chains HMACs by passing one digest's raw
 * bytes as the next key, and asks for hex at the end, so that is all this supports. The Web Crypto
 * API cannot stand in: it is asynchronous and aws4's signer is synchronous.
 */

/** Input aws4 passes to `update` and as an HMAC key: a UTF-8 string or raw bytes. */
export type BinaryLike = string | Uint8Array;

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const ROUND_CONSTANTS = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
const INITIAL_HASH = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const BLOCK_BYTES = 64;

function rotr(x: number, n: number): number {
    return (x >>> n) | (x << (32 - n));
}

/** FIPS 180-4 §5.1.1: append 0x80, zeros, and the message length in bits as a 64-bit big-endian integer. */
function pad(message: Uint8Array): DataView {
    const length = Math.ceil((message.length + 9) / BLOCK_BYTES) * BLOCK_BYTES;
    const padded = new Uint8Array(length);
    padded.set(message);
    padded[message.length] = 0x80;
    const view = new DataView(padded.buffer);
    const bits = message.length * 8;
    // Split because bit counts pass 2^32 at 512 MiB and DataView has no exact 64-bit number setter.
    view.setUint32(length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(length - 4, bits >>> 0);
    return view;
}

/** FIPS 180-4 §6.2.2: folds one 64-byte block into the hash state. */
function compress(state: Uint32Array, block: DataView, offset: number, schedule: Uint32Array): void {
    for (let t = 0; t < 16; t++) {
        schedule[t] = block.getUint32(offset + t * 4);
    }
    for (let t = 16; t < 64; t++) {
        const w15 = schedule[t - 15];
        const w2 = schedule[t - 2];
        const sigma0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
        const sigma1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
        schedule[t] = schedule[t - 16] + sigma0 + schedule[t - 7] + sigma1;
    }
    let [a, b, c, d, e, f, g, h] = state;
    for (let t = 0; t < 64; t++) {
        const bigSigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const choose = (e & f) ^ (~e & g);
        const t1 = (h + bigSigma1 + choose + ROUND_CONSTANTS[t] + schedule[t]) | 0;
        const bigSigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const majority = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (bigSigma0 + majority) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
    }
    // Uint32Array stores modulo 2^32, which is the spec's addition.
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

/** The SHA-256 digest of `message`. */
export function sha256(message: Uint8Array): Uint8Array {
    const padded = pad(message);
    const state = Uint32Array.from(INITIAL_HASH);
    const schedule = new Uint32Array(64);
    for (let offset = 0; offset < padded.byteLength; offset += BLOCK_BYTES) {
        compress(state, padded, offset, schedule);
    }
    const digest = new Uint8Array(32);
    const view = new DataView(digest.buffer);
    state.forEach((word, i) => view.setUint32(i * 4, word));
    return digest;
}

/** RFC 2104 with SHA-256: H((K ^ opad) || H((K ^ ipad) || message)). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
    const blockKey = new Uint8Array(BLOCK_BYTES);
    blockKey.set(key.length > BLOCK_BYTES ? sha256(key) : key);
    const inner = new Uint8Array(BLOCK_BYTES + message.length);
    const outer = new Uint8Array(BLOCK_BYTES + 32);
    for (let i = 0; i < BLOCK_BYTES; i++) {
        inner[i] = blockKey[i] ^ 0x36;
        outer[i] = blockKey[i] ^ 0x5c;
    }
    inner.set(message, BLOCK_BYTES);
    outer.set(sha256(inner), BLOCK_BYTES);
    return sha256(outer);
}

const utf8 = new TextEncoder();

function toBytes(data: BinaryLike, encoding?: string): Uint8Array {
    if (typeof data !== "string") {
        return data;
    }
    if (encoding !== undefined && encoding !== "utf8" && encoding !== "utf-8") {
        throw new Error(`crypto shim: unsupported input encoding "${encoding}"`);
    }
    return utf8.encode(data);
}

function toHex(bytes: Uint8Array): string {
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function requireSha256(algorithm: string): void {
    if (algorithm.toLowerCase() !== "sha256") {
        throw new Error(`crypto shim: unsupported algorithm "${algorithm}" (only sha256)`);
    }
}

/** A Node-style hash or HMAC: buffers updates, digests once. */
export class Digest {
    private readonly chunks: Uint8Array[] = [];
    private finished = false;

    constructor(private readonly finish: (message: Uint8Array) => Uint8Array) {}

    /** Adds `data` (a string is encoded as UTF-8, as Node does by default). */
    update(data: BinaryLike, encoding?: string): this {
        this.chunks.push(toBytes(data, encoding));
        return this;
    }

    /** The raw digest bytes, or their hex form: the two results aws4 asks for. */
    digest(): Uint8Array;
    digest(encoding: "hex"): string;
    digest(encoding?: string): Uint8Array | string;
    digest(encoding?: string): Uint8Array | string {
        if (this.finished) {
            throw new Error("crypto shim: digest already called");
        }
        this.finished = true;
        const bytes = this.finish(concat(this.chunks));
        if (encoding === undefined) {
            return bytes;
        }
        if (encoding !== "hex") {
            throw new Error(`crypto shim: unsupported digest encoding "${encoding}"`);
        }
        return toHex(bytes);
    }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
    }
    return out;
}

/** `crypto.createHash("sha256")`. */
export function createHash(algorithm: string): Digest {
    requireSha256(algorithm);
    return new Digest(sha256);
}

/** `crypto.createHmac("sha256", key)`; the key is a UTF-8 string or a previous digest's bytes. */
export function createHmac(algorithm: string, key: BinaryLike): Digest {
    requireSha256(algorithm);
    const keyBytes = toBytes(key);
    return new Digest((message) => hmacSha256(keyBytes, message));
}
