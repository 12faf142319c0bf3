/** Header values as a browser can send them and as the console shows them. */

/**
 * The characters of `value` that `fetch` refuses in a header value, each once, as `✓ (U+2713)`.
 * The Fetch standard (https://fetch.spec.whatwg.org/#concept-header-value) takes header values as
 * byte strings, so a code point above U+00FF throws a TypeError, and refuses NUL, CR and LF inside
 * a value; leading and trailing HTTP whitespace (tab, CR, LF, space: not all that `String#trim`
 * removes) it strips first.
 */
export function unsendableCharacters(value: string): string[] {
    const found = new Set<string>();
    for (const character of value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "")) {
        const codePoint = character.codePointAt(0) ?? 0;
        if (codePoint > 0xff || codePoint === 0x00 || codePoint === 0x0a || codePoint === 0x0d) {
            const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
            found.add(codePoint < 0x20 ? code : `${character} (${code})`);
        }
    }
    return [...found];
}

/** A secret cut to its first few characters (none of a short one) and its length: `eyJr… (812 characters)`. */
function masked(secret: string): string {
    return `${secret.slice(0, Math.min(4, Math.floor(secret.length / 4)))}… (${secret.length} characters)`;
}

/**
 * A sent header's value as the console shows it: a token masked (its `Bearer ` scheme kept), a
 * SigV4 signature cut short, a session token only as present; any other value as it is.
 */
export function shownHeaderValue(name: string, value: string): string {
    switch (name.toLowerCase()) {
        case "authorization": {
            if (value.startsWith("AWS4-HMAC-SHA256 ")) {
                return value.replace(/Signature=([0-9a-f]{8})[0-9a-f]+/, "Signature=$1…");
            }
            const scheme = /^Bearer\s+/i.exec(value)?.[0] ?? "";
            return `${scheme}${masked(value.slice(scheme.length))}`;
        }
        case "x-amz-security-token":
            return `present (${value.length} characters)`;
        default:
            return value;
    }
}
