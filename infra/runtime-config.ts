import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, type FrontendConfig } from "../core/frontend-config";

export interface RuntimeConfigArgs {
    /**
     * The site bucket.
     * @example site.bucketName
     */
    readonly bucket: pulumi.Input<string>;
    /**
     * The document the SPA reads.
     * @example frontendConfig({ ... })
     */
    readonly config: pulumi.Input<FrontendConfig>;
}

/**
 * `/config.json`, the SPA's runtime config, uploaded next to the site. Apart from the site's files
 * because it is written last: it holds the sign-in client's id, and the client needs the site's URL.
 * `no-cache`: every deployment rewrites it under the same name.
 */
export class RuntimeConfig extends pulumi.ComponentResource {
    constructor(name: string, args: RuntimeConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:runtime-config:RuntimeConfig", name, {}, opts);
        new aws.s3.BucketObjectv2(
            `${name}-object`,
            {
                bucket: args.bucket,
                key: CONFIG_KEY,
                content: pulumi.jsonStringify(args.config),
                contentType: "application/json",
                cacheControl: "no-cache",
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
