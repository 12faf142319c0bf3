/**
 * The slice of Node's legacy `url` module that aws4 uses, for the browser bundle: `parse`, which aws4
 * calls when it is handed a URL string instead of a request object. It returns the fields aws4 reads
 * (`host`, `hostname`, `port`, `path`) with the other common ones, shaped like Node's `Url`.
 */

/** The parts of a URL, named as in Node's legacy `url.parse` result. */
export interface ParsedUrl {
    readonly protocol: string | null;
    readonly slashes: boolean | null;
    readonly auth: string | null;
    readonly host: string | null;
    readonly port: string | null;
    readonly hostname: string | null;
    readonly hash: string | null;
    readonly search: string | null;
    readonly query: string | null;
    readonly pathname: string | null;
    readonly path: string | null;
    readonly href: string;
}

// scheme://authority, path, ?query, #fragment (RFC 3986 appendix B); like Node, "//x" with no
// scheme is a path, not an authority.
const URL_PATTERN = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*:)(?:\/\/([^/?#]*))?)?([^?#]*)(\?[^#]*)?(#.*)?$/;

/** Schemes whose empty path Node's parser turns into "/". */
const SLASHED_PROTOCOLS = new Set(["http:", "https:", "ftp:", "gopher:", "file:", "ws:", "wss:"]);

interface Authority {
    /** The user info as written, for `href`. */
    readonly rawAuth: string | null;
    readonly auth: string | null;
    readonly host: string;
    readonly hostname: string;
    readonly port: string | null;
}

function splitAuthority(authority: string): Authority {
    const at = authority.lastIndexOf("@");
    const rawAuth = at < 0 ? null : authority.slice(0, at);
    const host = authority.slice(at + 1).toLowerCase();
    const portMatch = /:(\d*)$/.exec(host);
    const hostname = portMatch ? host.slice(0, portMatch.index) : host;
    const port = portMatch && portMatch[1] !== "" ? portMatch[1] : null;
    return {
        rawAuth,
        auth: rawAuth === null ? null : decodeURIComponent(rawAuth),
        host: port === null ? hostname : `${hostname}:${port}`,
        hostname,
        port,
    };
}

/** Splits a URL string into its parts (no query parsing), like Node's `url.parse(url)`. */
export function parse(url: string): ParsedUrl {
    const match = URL_PATTERN.exec(url.trim());
    if (!match) {
        throw new TypeError(`url shim: cannot parse "${url}"`);
    }
    const [, scheme, authority, rawPath, search, hash] = match;
    const protocol = scheme ? scheme.toLowerCase() : null;
    const parts = authority === undefined ? null : splitAuthority(authority);
    const pathname = rawPath === "" && parts && protocol && SLASHED_PROTOCOLS.has(protocol) ? "/" : rawPath || null;
    const path = pathname === null && search === undefined ? null : `${pathname ?? ""}${search ?? ""}`;
    const authPrefix = parts?.rawAuth ? `${parts.rawAuth}@` : "";
    return {
        protocol,
        slashes: parts ? true : null,
        auth: parts?.auth ?? null,
        host: parts?.host ?? null,
        port: parts?.port ?? null,
        hostname: parts?.hostname ?? null,
        hash: hash ?? null,
        search: search ?? null,
        query: search === undefined ? null : search.slice(1),
        pathname,
        path,
        href: `${protocol ?? ""}${parts ? `//${authPrefix}${parts.host}` : ""}${path ?? ""}${hash ?? ""}`,
    };
}
