/** Captured graphs for the local stack tests: each layout captured once per test run, and broken copies. */
import * as assert from "node:assert/strict";
import { type CapturedResource, type CapturedStack, captureStack } from "../../capture/capture";

/** Capturing runs the program and bundles the site and functions: seconds each. */
export const CAPTURE_TIMEOUT_MS = 120_000;

const captured = new Map<string, Promise<CapturedStack>>();

/** The dev stack's graph with config overrides, captured once per test run (whichever test file asks first). */
export function graphOf(config: Record<string, string>): Promise<CapturedStack> {
    const key = JSON.stringify(config);
    if (!captured.has(key)) {
        captured.set(key, captureStack({ config }));
    }
    return captured.get(key)!;
}

/** A deep copy of a graph with every resource of a type changed (inputs and state alike). */
export function broken(
    graph: CapturedStack,
    type: string,
    change: (state: Record<string, any>, resource: CapturedResource) => void,
): CapturedStack {
    const copy: CapturedStack = structuredClone(graph);
    const targets = copy.resources.filter((r) => r.type === type);
    assert.ok(targets.length > 0, `the graph has no ${type}`);
    for (const resource of targets) {
        change(resource.state, resource);
        change(resource.inputs, resource);
    }
    return copy;
}
