/**
 * Reading resource properties as the policy analyzer hands them over. During `pulumi preview` a
 * value that is not known yet is a sentinel behind a proxy that throws when the value is read;
 * @pulumi/policy turns that throw into an advisory "can't run during preview" note. The helpers
 * here let a rule ask whether a property is set without reading it, so a rule that only needs
 * presence still runs during preview.
 */

/**
 * Whether `key` is set on `props`: not absent, undefined, null, or the empty string (the provider
 * stores an unset string attribute as ""). An unknown value counts as set: the property descriptor
 * is read from the proxy's target, which does not trigger the unknown check.
 */
export function isSet(props: object, key: string): boolean {
    const value: unknown = Object.getOwnPropertyDescriptor(props, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

/**
 * A property that the provider models as one string in one version and a list in another
 * (API Gateway's `endpointConfiguration.types` is a string in @pulumi/aws 7, a list before).
 */
export function asList<T>(value: T | readonly T[] | undefined): readonly T[] {
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? value : [value as T];
}

/** Case-insensitive membership, for HTTP header names. */
export function includesHeader(headers: readonly string[] | undefined, header: string): boolean {
    return (headers ?? []).some((h) => h.toLowerCase() === header.toLowerCase());
}
