/**
 * Resource matching, segment by segment down the resource tree: at each level a literal segment
 * wins over a `{param}`, which wins over a greedy `{proxy+}`; `{proxy+}` needs at least one
 * segment, so `/x/{proxy+}` does not cover `/x`. Source: "Set up a proxy integration with a proxy
 * resource" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html)
 * and "Set up API resources" (api-gateway-create-resource.html).
 */

/** The resource a path selects and the values of its path parameters. */
export interface ResourceMatch {
    readonly resourcePath: string;
    readonly pathParameters: Readonly<Record<string, string>>;
}

function decodeSegment(segment: string): string {
    try {
        return decodeURIComponent(segment);
    } catch {
        return segment;
    }
}

interface Node {
    readonly template: string;
    readonly literal: Map<string, Node>;
    param?: { readonly name: string; readonly node: Node };
    greedy?: { readonly name: string; readonly template: string };
}

function buildTree(templates: Iterable<string>): Node {
    const root: Node = { template: "/", literal: new Map() };
    for (const template of templates) {
        let node = root;
        const segments = template.split("/").filter((s) => s !== "");
        segments.forEach((segment, i) => {
            const path = `/${segments.slice(0, i + 1).join("/")}`;
            const greedy = /^\{(.+)\+\}$/.exec(segment);
            const param = /^\{(.+)\}$/.exec(segment);
            if (greedy) {
                node.greedy = { name: greedy[1], template: path };
            } else if (param) {
                node.param ??= { name: param[1], node: { template: path, literal: new Map() } };
                node = node.param.node;
            } else {
                if (!node.literal.has(segment)) {
                    node.literal.set(segment, { template: path, literal: new Map() });
                }
                node = node.literal.get(segment)!;
            }
        });
    }
    return root;
}

function walk(
    node: Node,
    segments: readonly string[],
    i: number,
    params: Record<string, string>,
    trailingSlash: boolean,
): ResourceMatch | undefined {
    if (i === segments.length) {
        return { resourcePath: node.template, pathParameters: params };
    }
    const segment = segments[i];
    const literal = node.literal.get(segment);
    const viaLiteral = literal && walk(literal, segments, i + 1, params, trailingSlash);
    if (viaLiteral) {
        return viaLiteral;
    }
    const viaParam =
        node.param &&
        segment !== "" &&
        walk(node.param.node, segments, i + 1, { ...params, [node.param.name]: segment }, trailingSlash);
    if (viaParam) {
        return viaParam;
    }
    if (node.greedy) {
        return {
            resourcePath: node.greedy.template,
            pathParameters: { ...params, [node.greedy.name]: segments.slice(i).join("/") + (trailingSlash ? "/" : "") },
        };
    }
    return undefined;
}

/**
 * The resource a request path (without the stage or base path) selects, among the API's resource
 * templates; undefined when none does. A trailing slash does not change the resource.
 */
export function matchResource(templates: Iterable<string>, path: string): ResourceMatch | undefined {
    const trimmed = path.replace(/^\/+/, "");
    const trailingSlash = trimmed.endsWith("/");
    const segments = trimmed === "" ? [] : trimmed.replace(/\/$/, "").split("/").map(decodeSegment);
    return walk(buildTree(templates), segments, 0, {}, trailingSlash);
}
