/**
 * Resource matching: API Gateway's choice of a resource for a path is one model, shared with the
 * authorizer (which finds the route a method ARN names) in core/routes.ts.
 */
export { matchResource, type ResourceMatch } from "../../core/routes";
