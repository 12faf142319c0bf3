import * as pulumi from "@pulumi/pulumi";
import { EDGE_REGION } from "../core/cloudfront";
import type { DomainConfig } from "./config";
import { hostedZoneId, validatedCertificate } from "./dns";

export interface SiteDomainArgs {
    /**
     * The site's domain, zone and certificate from the stack config (`siteDomain`).
     * @example { domainName: "www.example.com", hostedZoneName: "example.com" }
     */
    readonly domain: DomainConfig;
}

/**
 * The site's own domain, before the distribution exists: the certificate CloudFront presents
 * (given, or requested in us-east-1, the only region CloudFront takes certificates from, and
 * validated through DNS in the zone) and the zone the distribution's alias records go in. The
 * distribution (infra/site-distribution.ts) takes the domain as an alias and creates the records.
 */
export class SiteDomain extends pulumi.ComponentResource {
    /** `www.example.com`. */
    readonly domainName: string;
    /** The certificate's ARN in us-east-1, once validated. */
    readonly certificateArn: pulumi.Output<string>;
    /** The Route 53 zone for the alias records; undefined when DNS is managed elsewhere. */
    readonly zoneId: pulumi.Output<string> | undefined;

    constructor(name: string, args: SiteDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:site-domain:SiteDomain", name, {}, opts);
        const { domain } = args;

        this.domainName = domain.domainName;
        this.zoneId = hostedZoneId(domain, this);
        this.certificateArn =
            domain.certificateArn === undefined
                ? validatedCertificate(
                      name,
                      // Config validation guarantees a zone when no certificate is given.
                      { domainName: domain.domainName, zoneId: this.zoneId!, region: EDGE_REGION },
                      this,
                  )
                : pulumi.output(domain.certificateArn);
        this.registerOutputs({ domainName: this.domainName, certificateArn: this.certificateArn, zoneId: this.zoneId });
    }
}
