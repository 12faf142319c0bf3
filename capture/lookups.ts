/**
 * Look-ups over the captured resource graph. The local stack and the tests know nothing about the
 * program but what these functions find in the graph: each one follows a reference the way AWS
 * resolves it (an association's ARN, an origin's domain name, a stage's REST API id).
 */
import type { CapturedResource, CapturedStack } from "./capture";
import { TYPES } from "./types";

/** Every resource of a type. */
export function resourcesOfType(stack: CapturedStack, type: string): CapturedResource[] {
    return stack.resources.filter((r) => r.type === type);
}

/** The one resource of a type; throws when there are none or several, naming what was found. */
export function onlyResourceOfType(stack: CapturedStack, type: string): CapturedResource {
    const found = resourcesOfType(stack, type);
    if (found.length !== 1) {
        throw new Error(`Expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** The stack's one CloudFront distribution; the local stack emulates exactly one. */
export function theDistribution(stack: CapturedStack): CapturedResource {
    const found = resourcesOfType(stack, TYPES.distribution);
    if (found.length !== 1) {
        throw new Error(`The local stack emulates exactly one CloudFront distribution; the graph has ${found.length}`);
    }
    return found[0];
}

/** The AWS region the program deploys to (`aws:region`). */
export function stackRegion(stack: CapturedStack): string {
    const region = stack.config["aws:region"];
    if (!region) {
        throw new Error("The captured stack has no aws:region config");
    }
    return region;
}

/** The account id, read from an ARN the program's resources carry. */
export function stackAccount(stack: CapturedStack): string {
    for (const resource of stack.resources) {
        const match = /^arn:aws[a-z-]*:[^:]+:[^:]*:(\d{12}):/.exec(
            String(resource.state.arn ?? resource.state.executionArn ?? ""),
        );
        if (match) {
            return match[1];
        }
    }
    throw new Error("No resource of the captured stack carries an ARN with an account id");
}

/** The CloudFront Function whose ARN a `functionAssociations` entry names. */
export function cloudFrontFunctionByArn(stack: CapturedStack, arn: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.cloudFrontFunction).find((f) => f.state.arn === arn);
}

/** The Lambda function version a Lambda@Edge association names (qualified ARN, as CloudFront requires). */
export function lambdaByQualifiedArn(stack: CapturedStack, qualifiedArn: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.lambdaFunction).find((f) => f.state.qualifiedArn === qualifiedArn);
}

/**
 * The Lambda function an API Gateway integration or authorizer URI points at: the URI is the
 * function's invoke ARN, `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`.
 */
export function lambdaByInvocationUri(stack: CapturedStack, uri: string): CapturedResource | undefined {
    const match = /\/functions\/(.+)\/invocations$/.exec(uri);
    if (!match) {
        return undefined;
    }
    const target = match[1];
    return resourcesOfType(stack, TYPES.lambdaFunction).find(
        (f) => f.state.arn === target || f.state.qualifiedArn === target,
    );
}

/** The bucket an S3 origin domain (`{bucket}.s3.{region}.amazonaws.com`) resolves to. */
export function bucketByRegionalDomain(stack: CapturedStack, domainName: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.bucket).find((b) => b.state.bucketRegionalDomainName === domainName);
}

/** True when a resource's `bucket` input names the bucket (by name or id). */
function inBucket(resource: CapturedResource, bucket: CapturedResource): boolean {
    return resource.state.bucket === bucket.state.bucket || resource.state.bucket === bucket.id;
}

/** The objects uploaded to a bucket, by key. */
export function bucketObjects(stack: CapturedStack, bucket: CapturedResource): Map<string, CapturedResource> {
    return new Map(
        resourcesOfType(stack, TYPES.bucketObject)
            .filter((o) => inBucket(o, bucket))
            .map((o) => [String(o.state.key), o]),
    );
}

/** The bucket policies attached to a bucket. */
export function bucketPolicies(stack: CapturedStack, bucket: CapturedResource): CapturedResource[] {
    return resourcesOfType(stack, TYPES.bucketPolicy).filter((p) => inBucket(p, bucket));
}

/** The REST API with an id. */
export function restApiById(stack: CapturedStack, id: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.restApi).find((api) => api.id === id);
}

/** A deployed stage of a REST API. */
export function stageOf(stack: CapturedStack, restApiId: string, stageName: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.stage).find(
        (s) => s.state.restApi === restApiId && s.state.stageName === stageName,
    );
}

/** The custom domain with a name. */
export function customDomainByName(stack: CapturedStack, domainName: string): CapturedResource | undefined {
    return resourcesOfType(stack, TYPES.domainName).find((d) => d.state.domainName === domainName);
}

/** The base path mappings of a custom domain. */
export function basePathMappingsOf(stack: CapturedStack, domainName: string): CapturedResource[] {
    return resourcesOfType(stack, TYPES.basePathMapping).filter((m) => m.state.domainName === domainName);
}

/** `{restApiId}.execute-api.{region}.amazonaws.com`: the default endpoint's host. */
export function executeApiHost(restApiId: string, region: string): string {
    return `${restApiId}.execute-api.${region}.amazonaws.com`;
}

/** The usage plans bound to a stage: their `apiStages` name the REST API and the stage. */
export function usagePlansOfStage(stack: CapturedStack, restApiId: string, stageName: string): CapturedResource[] {
    return resourcesOfType(stack, TYPES.usagePlan).filter((plan) =>
        ((plan.state.apiStages ?? []) as { apiId?: string; stage?: string }[]).some(
            (s) => s.apiId === restApiId && s.stage === stageName,
        ),
    );
}

/** The API keys a usage plan holds, through its usage plan keys (`keyId`, type API_KEY). */
export function apiKeysOfUsagePlan(stack: CapturedStack, plan: CapturedResource): CapturedResource[] {
    const keyIds = resourcesOfType(stack, TYPES.usagePlanKey)
        .filter((k) => k.state.usagePlanId === plan.id && k.state.keyType === "API_KEY")
        .map((k) => k.state.keyId);
    return resourcesOfType(stack, TYPES.apiKey).filter((key) => keyIds.includes(key.id));
}

/** A stage's method settings (`aws.apigateway.MethodSettings`), by method path (`*\/*`, `res/path/GET`). */
export function methodSettingsOf(
    stack: CapturedStack,
    restApiId: string,
    stageName: string,
): Map<string, Record<string, any>> {
    return new Map(
        resourcesOfType(stack, TYPES.methodSettings)
            .filter((m) => m.state.restApi === restApiId && m.state.stageName === stageName)
            .map((m) => [String(m.state.methodPath), m.state.settings ?? {}]),
    );
}
