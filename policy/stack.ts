/**
 * Looking resources up across a stack, for the stack validation policies: by type, and the
 * CloudFront policies a behavior may reference by id.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyResource } from "@pulumi/policy";
import type { PolicyCatalog } from "./cloudfront";

/** Every resource of a class, with its props typed as the class's outputs. */
export function ofType<TResource extends pulumi.Resource>(
    resources: readonly PolicyResource[],
    resourceClass: { new (...rest: any[]): TResource },
) {
    return resources.flatMap((resource) => {
        const props = resource.asType(resourceClass);
        return props === undefined ? [] : [{ resource, props }];
    });
}

/** The cache and origin request policies declared in the stack, by id. */
export function policyCatalog(resources: readonly PolicyResource[]): PolicyCatalog {
    return {
        cachePolicies: new Map(ofType(resources, aws.cloudfront.CachePolicy).map(({ props }) => [props.id, props])),
        originRequestPolicies: new Map(
            ofType(resources, aws.cloudfront.OriginRequestPolicy).map(({ props }) => [props.id, props]),
        ),
    };
}
