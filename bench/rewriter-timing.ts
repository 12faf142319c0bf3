/**
 * Times the path rewriters' code per call, exactly as the program deploys it (taken from the
 * captured graph): the API behavior's viewer-request CloudFront Function (`pathRewriter:
 * cloudfront-function`) and its Lambda@Edge origin-request handler (`pathRewriter: lambda-edge`),
 * each loaded once and called with an event of the shape CloudFront builds (the viewer's headers
 * stand in for the origin request's: the rewriter reads only the URI).
 *
 * What it measures: how long the code itself runs, in this machine's Node.js (V8). Not CloudFront
 * Functions' own runtime (a different JavaScript engine), and none of what Lambda@Edge adds around
 * the handler: the invocation, cold starts, the billed duration (docs/benchmark.md says more).
 */
import type { CapturedResource, CapturedStack } from "../capture/capture";
import { cloudFrontFunctionByArn, lambdaByQualifiedArn, theDistribution } from "../capture/lookups";
import { qualify } from "../capture/stack-config";
import { type BehaviorTable, type CacheBehavior, selectBehavior } from "../local/cloudfront/behaviors";
import { originRequestEvent, type OriginTarget } from "../local/cloudfront/edge-lambda";
import { type FunctionEvent, functionRequest } from "../local/cloudfront/viewer-function";
import type { HeaderList } from "../local/http";
import { archiveFile, loadLambdaHandler, loadViewerRequestFunction } from "../tests/support/deployed-code";
import { percentile } from "./stats";

/** Calls made untimed first (so V8 has compiled and optimized the code), then timed. */
export interface CallCounts {
    readonly warmUp: number;
    readonly calls: number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
    return (
        value !== null &&
        (typeof value === "object" || typeof value === "function") &&
        typeof (value as PromiseLike<unknown>).then === "function"
    );
}

/**
 * The duration of each of `counts.calls` calls of `call`, in microseconds, each on a fresh input
 * made outside the timing (rewriters change the request they are given). A call that returns a
 * promise is timed until it settles, as Lambda waits for an async handler.
 */
export async function timePerCall<I>(
    call: (input: I) => unknown,
    nextInput: () => I,
    counts: CallCounts,
): Promise<number[]> {
    for (let i = 0; i < counts.warmUp; i++) {
        const returned = call(nextInput());
        if (isThenable(returned)) {
            await returned;
        }
    }
    const samplesUs: number[] = [];
    for (let i = 0; i < counts.calls; i++) {
        const input = nextInput();
        const started = process.hrtime.bigint();
        const returned = call(input);
        if (isThenable(returned)) {
            await returned;
        }
        samplesUs.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    return samplesUs;
}

/** One function's per-call timing. */
export interface FunctionTiming {
    readonly name: string;
    /** What runs it, on which event. */
    readonly runs: string;
    readonly calls: number;
    readonly p50Us: number;
    readonly p99Us: number;
}

/** The timing row for samples in microseconds: nearest-rank p50 and p99 (bench/stats.ts). */
export function functionTiming(name: string, runs: string, samplesUs: readonly number[]): FunctionTiming {
    return {
        name,
        runs,
        calls: samplesUs.length,
        p50Us: percentile(samplesUs, 50),
        p99Us: percentile(samplesUs, 99),
    };
}

/** The path the rewriters get, under the API's prefix. */
const ROUTE = "/authorized/item/42";

/** The viewer's headers on that call, as Chromium sends a token call from the console on the site. */
function viewerHeaders(site: string): HeaderList {
    return [
        ["Host", site],
        [
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
        ],
        ["Accept", "*/*"],
        ["Accept-Encoding", "gzip, deflate, br, zstd"],
        ["Accept-Language", "en-US,en;q=0.9"],
        ["Authorization", "allow"],
        ["Referer", `https://${site}/`],
        ["Sec-Fetch-Dest", "empty"],
        ["Sec-Fetch-Mode", "cors"],
        ["Sec-Fetch-Site", "same-origin"],
    ];
}

/** What the events say about the distribution and the viewer. */
interface EventContext {
    readonly distributionDomainName: string;
    readonly distributionId: string;
    readonly requestId: string;
    readonly clientIp: string;
}

function apiPathOf(graph: CapturedStack): string {
    const apiPath = graph.config[qualify("apiPath")];
    if (apiPath === undefined) {
        throw new Error("the captured stack has no apiPath config");
    }
    return apiPath;
}

/** The API call as CloudFront sees it: the behavior it picks, the uri, the headers, the event's context. */
function apiCall(graph: CapturedStack): {
    behavior: CacheBehavior;
    uri: string;
    headers: HeaderList;
    context: EventContext;
} {
    const distribution = theDistribution(graph);
    const uri = `${apiPathOf(graph)}${ROUTE}`;
    const site = String(distribution.state.domainName);
    return {
        behavior: selectBehavior(distribution.state as BehaviorTable, uri),
        uri,
        headers: viewerHeaders(site),
        context: {
            distributionDomainName: site,
            distributionId: distribution.id,
            requestId: "bench",
            clientIp: "203.0.113.1",
        },
    };
}

/** Fails the run unless the rewriter stripped the API's prefix: a broken rewriter's time means nothing. */
function checkRewritten(name: string, returned: unknown): void {
    const uri = (returned as { uri?: unknown } | null)?.uri;
    if (uri !== ROUTE) {
        throw new Error(`${name} returned uri ${JSON.stringify(uri)} for the API call, not ${ROUTE}`);
    }
}

/** The API behavior's viewer-request CloudFront Function (a graph captured with `pathRewriter: cloudfront-function`). */
export async function timeViewerFunction(graph: CapturedStack, counts: CallCounts): Promise<FunctionTiming> {
    const { behavior, uri, headers, context } = apiCall(graph);
    const arn = behavior.functionAssociations?.find((a) => a.eventType === "viewer-request")?.functionArn;
    const fn = arn === undefined ? undefined : cloudFrontFunctionByArn(graph, arn);
    if (fn === undefined) {
        throw new Error(`the behavior serving ${uri} has no viewer-request CloudFront Function`);
    }
    const handler = loadViewerRequestFunction(String(fn.state.code));
    const event: FunctionEvent = {
        version: "1.0",
        context: {
            distributionDomainName: context.distributionDomainName,
            distributionId: context.distributionId,
            eventType: "viewer-request",
            requestId: context.requestId,
        },
        viewer: { ip: context.clientIp },
        request: functionRequest({ method: "GET", path: uri, query: "", headers }),
    };
    checkRewritten(fn.name, handler(structuredClone(event)));
    const samplesUs = await timePerCall(handler, () => structuredClone(event), counts);
    return functionTiming(fn.name, "CloudFront Function, viewer request", samplesUs);
}

/** The origin the API behavior sends to, as the origin-request event describes it. */
function apiOrigin(graph: CapturedStack, behavior: CacheBehavior): OriginTarget {
    const origins: { originId: string; domainName: string; originPath?: string }[] =
        theDistribution(graph).state.origins ?? [];
    const origin = origins.find((o) => o.originId === behavior.targetOriginId);
    if (origin === undefined) {
        throw new Error(`the distribution has no origin ${behavior.targetOriginId}`);
    }
    // API Gateway is a custom origin reached over HTTPS: the fields the rewriter does not read are fixed.
    return {
        kind: "custom",
        domainName: origin.domainName,
        path: origin.originPath ?? "",
        protocol: "https",
        port: 443,
        sslProtocols: ["TLSv1.2"],
        customHeaders: [],
    };
}

/** The API behavior's Lambda@Edge origin-request handler (a graph captured with `pathRewriter: lambda-edge`). */
export async function timeEdgeFunction(graph: CapturedStack, counts: CallCounts): Promise<FunctionTiming> {
    const { behavior, uri, headers, context } = apiCall(graph);
    const arn = behavior.lambdaFunctionAssociations?.find((a) => a.eventType === "origin-request")?.lambdaArn;
    const fn: CapturedResource | undefined = arn === undefined ? undefined : lambdaByQualifiedArn(graph, arn);
    if (fn === undefined) {
        throw new Error(`the behavior serving ${uri} has no Lambda@Edge origin-request function`);
    }
    const handler = loadLambdaHandler(archiveFile(fn.state.code));
    const event = originRequestEvent(
        { method: "GET", uri, query: "", headers, body: Buffer.alloc(0) },
        apiOrigin(graph, behavior),
        { ...context, includeBody: false },
    );
    checkRewritten(fn.name, await handler(structuredClone(event)));
    const samplesUs = await timePerCall(handler, () => structuredClone(event), counts);
    return functionTiming(fn.name, "Lambda@Edge handler, origin request", samplesUs);
}

/**
 * The harness's own floor: empty functions timed the same way, a plain one (as the CloudFront
 * Function is called) and an async one (as the Lambda@Edge handler is awaited).
 */
export async function timeEmptyFunctions(counts: CallCounts): Promise<FunctionTiming[]> {
    const input = () => ({});
    return [
        functionTiming(
            "(empty function)",
            "the harness's floor, plain",
            await timePerCall(() => undefined, input, counts),
        ),
        functionTiming(
            "(empty async function)",
            "the harness's floor, awaited",
            await timePerCall(async () => undefined, input, counts),
        ),
    ];
}
