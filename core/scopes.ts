/** What an OAuth scope looks like: the config's `auth.scopes` and the route table's own scopes. */

/** An OAuth scope token (RFC 6749 section 3.3): printable ASCII but space, `"` and `\`. */
export const OAUTH_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A Cognito resource server's scope: `<identifier>/<name>` (Cognito Developer Guide, "Scopes, M2M, and resource servers"). */
export const COGNITO_SCOPE = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+\/[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/;
