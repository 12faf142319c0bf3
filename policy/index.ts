/**
 * The same-origin policy pack. Run it with the Pulumi CLI from the repository root:
 * `pulumi preview --policy-pack policy` (see docs/policy-pack.md). The rules live in rules.ts so
 * tests can import them without starting the pack's gRPC server, which this module does.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("same-origin", { policies });
