/**
 * API keys and throttling, from the graph's ApiKey, UsagePlan, UsagePlanKey and MethodSettings.
 *
 * A method that requires an API key answers only a key that is enabled and held by a usage plan bound
 * to the stage ("Usage plans and API keys for REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).
 *
 * Throttling is a token bucket per limit: `burstLimit` tokens, refilled at `rateLimit` per second,
 * one taken per request ("the burst is the maximum bucket size": "Throttle requests to your REST APIs
 * for better throughput in API Gateway", api-gateway-request-throttling.html). The limits apply in
 * that page's order: the usage plan's for the method, else the plan's own (per API key); then the
 * stage's for the method, else its default `*\/*` ("default per-method limits": each method has a
 * bucket of its own). Account-level and Regional throttling (10,000 requests per second) are not
 * emulated. That all of this runs after authorization and the API key check is the page's order
 * read literally (the usage plan's limits need the key); no AWS page says where throttling sits
 * relative to the authorizer.
 */
import { ALL_METHODS_PATH } from "../../core/api-gateway";
import type { CapturedResource, CapturedStack } from "../../capture/capture";
import { apiKeysOfUsagePlan, methodSettingsOf, usagePlansOfStage } from "../../capture/lookups";

/** A rate (tokens per second) and a burst (bucket size). */
export interface ThrottleLimits {
    readonly rateLimit: number;
    readonly burstLimit: number;
}

/** A token bucket, full at first. */
export class TokenBucket {
    private tokens: number;
    private last: number;

    constructor(
        private readonly limits: ThrottleLimits,
        now: number,
    ) {
        this.tokens = limits.burstLimit;
        this.last = now;
    }

    /** Takes a token if there is one (`now` in milliseconds). */
    take(now: number): boolean {
        const elapsedSeconds = Math.max(0, now - this.last) / 1000;
        this.tokens = Math.min(this.limits.burstLimit, this.tokens + elapsedSeconds * this.limits.rateLimit);
        this.last = now;
        if (this.tokens < 1) {
            return false;
        }
        this.tokens -= 1;
        return true;
    }
}

/** The limits in settings, when both are set (AWS reports -1 for "not set"). */
function limitsOf(rateLimit: unknown, burstLimit: unknown): ThrottleLimits | undefined {
    return typeof rateLimit === "number" && typeof burstLimit === "number" && rateLimit >= 0 && burstLimit >= 0
        ? { rateLimit, burstLimit }
        : undefined;
}

/** The method a request matched: its resource template and method (`ANY` for the catch-all method). */
export interface MatchedMethod {
    readonly resourcePath: string;
    readonly httpMethod: string;
}

/** An API key a request presented, and the usage plans of the stage that hold it. */
export interface PresentedKey {
    readonly key: CapturedResource;
    readonly plans: readonly CapturedResource[];
}

export class UsagePlans {
    private readonly buckets = new Map<string, TokenBucket>();

    constructor(
        private readonly stack: CapturedStack,
        private readonly now: () => number,
    ) {}

    /** The enabled API key with this value held by a usage plan of the stage, or undefined. */
    keyFor(restApiId: string, stageName: string, value: string | undefined): PresentedKey | undefined {
        if (value === undefined || value === "") {
            return undefined;
        }
        const plans = usagePlansOfStage(this.stack, restApiId, stageName);
        for (const plan of plans) {
            const key = apiKeysOfUsagePlan(this.stack, plan).find(
                (k) => k.state.value === value && k.state.enabled !== false,
            );
            if (key) {
                return { key, plans: plans.filter((p) => apiKeysOfUsagePlan(this.stack, p).includes(key)) };
            }
        }
        return undefined;
    }

    /** Whether a request may go on, taking a token from each bucket that limits it. */
    admit(restApiId: string, stageName: string, method: MatchedMethod, presented?: PresentedKey): boolean {
        const limits: [bucket: string, limits: ThrottleLimits][] = [];
        for (const plan of presented?.plans ?? []) {
            const stage = ((plan.state.apiStages ?? []) as any[]).find(
                (s) => s.apiId === restApiId && s.stage === stageName,
            );
            const perMethod = ((stage?.throttles ?? []) as any[]).find(
                (t) => t.path === `${method.resourcePath}/${method.httpMethod}`,
            );
            const forMethod = perMethod && limitsOf(perMethod.rateLimit, perMethod.burstLimit);
            const forPlan = limitsOf(plan.state.throttleSettings?.rateLimit, plan.state.throttleSettings?.burstLimit);
            const keyId = presented!.key.id;
            if (forMethod) {
                limits.push([`plan ${plan.id} key ${keyId} ${method.resourcePath} ${method.httpMethod}`, forMethod]);
            } else if (forPlan) {
                limits.push([`plan ${plan.id} key ${keyId}`, forPlan]);
            }
        }
        const settings = methodSettingsOf(this.stack, restApiId, stageName);
        const own = settings.get(`${method.resourcePath.replace(/^\//, "")}/${method.httpMethod}`);
        const stageLimits =
            limitsOf(own?.throttlingRateLimit, own?.throttlingBurstLimit) ??
            limitsOf(
                settings.get(ALL_METHODS_PATH)?.throttlingRateLimit,
                settings.get(ALL_METHODS_PATH)?.throttlingBurstLimit,
            );
        if (stageLimits) {
            limits.push([`stage ${restApiId}/${stageName} ${method.resourcePath} ${method.httpMethod}`, stageLimits]);
        }
        const now = this.now();
        return limits.every(([name, l]) => {
            let bucket = this.buckets.get(name);
            if (!bucket) {
                bucket = new TokenBucket(l, now);
                this.buckets.set(name, bucket);
            }
            return bucket.take(now);
        });
    }
}
