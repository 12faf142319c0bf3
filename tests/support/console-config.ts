import type { ConsoleConfig } from "../../site/src/config";

/** A deployed console's config (direct-stage mode, demo sign-in), as the SPA tests read it. */
export const CONSOLE_CONFIG: ConsoleConfig = {
    apiPath: "/api",
    region: "eu-west-1",
    signing: {
        host: "abc123.execute-api.eu-west-1.amazonaws.com",
        pathPrefix: "/prod/api",
        region: "eu-west-1",
        service: "execute-api",
    },
    auth: { provider: "demo" },
};
