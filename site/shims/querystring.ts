/**
 * The slice of Node's `querystring` that aws4 uses, for the browser bundle: `parse` (to split the
 * signed path's query into a canonical, sorted form) and `stringify` (to rebuild the path). The
 * semantics follow Node's so a browser signs exactly what aws4 signs in Node.
 */

/** A parsed query: repeated keys collect their values into an array, as in Node. */
export type ParsedQuery = Record<string, string | string[]>;

/** Node's default `maxKeys`: pieces past the first 1000 (empty ones count) are ignored. */
const MAX_KEYS = 1000;

/** Percent-encodes like Node's `querystring.escape`: the same unreserved set as `encodeURIComponent`. */
export function escape(value: string): string {
    return encodeURIComponent(value);
}

/**
 * Percent-decodes like Node's `querystring.unescape`: strictly when the input is well-formed,
 * otherwise byte by byte, keeping a `%` that starts no escape and replacing invalid UTF-8 with U+FFFD.
 */
export function unescape(value: string): string {
    try {
        return decodeURIComponent(value);
    } catch {
        return decodeLeniently(value);
    }
}

const utf8Encoder = new TextEncoder();
// ignoreBOM: Node's Buffer#toString keeps a leading U+FEFF, a default TextDecoder would drop it.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function decodeLeniently(value: string): string {
    const bytes: number[] = [];
    let i = 0;
    while (i < value.length) {
        const hex = value.slice(i + 1, i + 3);
        if (value[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
            bytes.push(parseInt(hex, 16));
            i += 3;
        } else {
            const char = String.fromCodePoint(value.codePointAt(i) ?? 0);
            bytes.push(...utf8Encoder.encode(char));
            i += char.length;
        }
    }
    return utf8Decoder.decode(Uint8Array.from(bytes));
}

function decodeComponent(raw: string): string {
    return unescape(raw.replace(/\+/g, " "));
}

/** Parses `a=1&b=2&a=3` into `{ a: ["1", "3"], b: "2" }`; `+` is a space, empty pairs are skipped. */
export function parse(query: string): ParsedQuery {
    // A null prototype, as in Node, so a key like "__proto__" is an ordinary own key.
    const result: ParsedQuery = Object.create(null);
    if (query === "") {
        return result;
    }
    for (const pair of query
        .split("&")
        .slice(0, MAX_KEYS)
        .filter((piece) => piece !== "")) {
        const eq = pair.indexOf("=");
        const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
        const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
        const existing = result[key];
        if (existing === undefined) {
            result[key] = value;
        } else if (Array.isArray(existing)) {
            existing.push(value);
        } else {
            result[key] = [existing, value];
        }
    }
    return result;
}

type Primitive = string | number | bigint | boolean | null | undefined;

/** Node's `stringifyPrimitive`: finite numbers, bigints and booleans as text, anything else empty. */
function primitiveText(value: Primitive): string {
    switch (typeof value) {
        case "string":
            return value;
        case "number":
            return Number.isFinite(value) ? String(value) : "";
        case "bigint":
        case "boolean":
            return String(value);
        default:
            return "";
    }
}

/** Serialises like Node's `querystring.stringify`: arrays repeat the key, an empty array adds nothing. */
export function stringify(query: Record<string, Primitive | readonly Primitive[]>): string {
    const pairs: string[] = [];
    for (const key of Object.keys(query)) {
        const value = query[key];
        const values: readonly Primitive[] = Array.isArray(value) ? value : [value as Primitive];
        for (const item of values) {
            pairs.push(`${escape(key)}=${escape(primitiveText(item))}`);
        }
    }
    return pairs.join("&");
}
