/** HTTP facts the program and the local stack share. Pure. */

/**
 * One character of an HTTP token, the syntax of a method and of a field (header) name: RFC 9110,
 * section 5.6.2, "tchar" (https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2).
 */
export const TOKEN_CHAR = "[!#$%&'*+.^_`|~0-9A-Za-z-]";

/** A whole HTTP token: a method (`GET`) or a header name (`content-type`). */
export const HTTP_TOKEN = new RegExp(`^${TOKEN_CHAR}+$`);
