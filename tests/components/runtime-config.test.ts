import { strict as assert } from "node:assert";
import { onlyResourceOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import type { FrontendConfig } from "../../core/frontend-config";
import { RuntimeConfig } from "../../infra/runtime-config";
import { named, runComponent } from "../support/component-harness";

const CONFIG: FrontendConfig = {
    apiPath: "/api",
    region: "eu-west-1",
    signing: {
        host: "abc.execute-api.eu-west-1.amazonaws.com",
        pathPrefix: "/prod/api",
        region: "eu-west-1",
        service: "execute-api",
    },
    auth: {
        provider: "cognito",
        authority: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab",
        clientId: "client",
        scopes: ["openid"],
    },
};

describe("RuntimeConfig", () => {
    it("uploads config.json to the site bucket: the frontend config as JSON, never cached", async () => {
        const run = await runComponent(() => new RuntimeConfig("config", { bucket: "site-bucket", config: CONFIG }));
        assert.equal(named(run, "config").type, "same-origin:runtime-config:RuntimeConfig");
        const object = onlyResourceOfType(run, TYPES.bucketObject);
        assert.equal(object.inputs.bucket, "site-bucket");
        assert.equal(object.inputs.key, "config.json");
        assert.equal(object.inputs.contentType, "application/json");
        assert.equal(object.inputs.cacheControl, "no-cache");
        assert.deepEqual(JSON.parse(object.inputs.content), CONFIG);
    });
});
