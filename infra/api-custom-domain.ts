import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CustomDomainConfig } from "./config";
import { aliasRecords, hostedZoneId, validatedCertificate } from "./dns";

export interface ApiCustomDomainArgs {
    /**
     * The domain, zone, certificate and base path from the stack config.
     * @example { domainName: "api.example.com", hostedZoneName: "example.com", basePath: "v1" }
     */
    readonly domain: CustomDomainConfig;
    /**
     * The REST API to map.
     * @example api.restApiId
     */
    readonly restApiId: pulumi.Input<string>;
    /**
     * The stage the base path mapping selects.
     * @example api.stageName
     */
    readonly stageName: pulumi.Input<string>;
}

/** The public URL of a custom domain and base path: `https://api.example.com/v1`. */
export function customDomainUrl(domainName: string, basePath: string | undefined): string {
    return `https://${domainName}${basePath ? `/${basePath}` : ""}`;
}

/**
 * A REGIONAL API Gateway custom domain: certificate (given, or DNS-validated ACM in the API's
 * region, where a regional domain takes it from), the domain, a base path mapping to the stage and, when a zone is given, the Route 53
 * alias record. CloudFront uses the domain itself as the API origin, so the Host it sends (the
 * origin's domain name) is one API Gateway knows.
 */
export class ApiCustomDomain extends pulumi.ComponentResource {
    /**
     * The custom domain name, e.g. `api.example.com`, available once its base path mapping (and,
     * with a zone, its alias record) exist.
     */
    readonly domainName: pulumi.Output<string>;
    /** `https://<domain>[/<basePath>]`. */
    readonly url: pulumi.Output<string>;
    /** The regional API Gateway host the domain's DNS record must point at. */
    readonly target: pulumi.Output<string>;

    constructor(name: string, args: ApiCustomDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:api-custom-domain:ApiCustomDomain", name, {}, opts);
        const { domain } = args;

        const zoneId = hostedZoneId(domain, this);
        const certificateArn =
            domain.certificateArn ??
            validatedCertificate(name, { domainName: domain.domainName, zoneId: zoneId! }, this);
        const apiDomain = new aws.apigateway.DomainName(
            `${name}-domain`,
            {
                domainName: domain.domainName,
                regionalCertificateArn: certificateArn,
                endpointConfiguration: { types: "REGIONAL" },
                securityPolicy: "TLS_1_2",
            },
            { parent: this },
        );
        const mapping = new aws.apigateway.BasePathMapping(
            `${name}-mapping`,
            {
                domainName: apiDomain.domainName,
                restApi: args.restApiId,
                stageName: args.stageName,
                basePath: domain.basePath,
            },
            { parent: this },
        );
        const [alias] =
            zoneId === undefined
                ? []
                : aliasRecords(
                      name,
                      {
                          zoneId,
                          domainName: domain.domainName,
                          target: { name: apiDomain.regionalDomainName, zoneId: apiDomain.regionalZoneId },
                          types: ["A"],
                      },
                      this,
                  );

        // Read through the mapping and the alias record, so whatever uses the domain (CloudFront's
        // origin, config.json) waits until requests to it reach the stage. Both are inputs of
        // those resources, so the value stays known during a preview.
        this.domainName = pulumi.all([mapping.domainName, alias?.name]).apply(([domainName]) => domainName);
        this.url = pulumi.output(customDomainUrl(domain.domainName, domain.basePath));
        this.target = apiDomain.regionalDomainName;
        this.registerOutputs({ domainName: this.domainName, url: this.url, target: this.target });
    }
}
