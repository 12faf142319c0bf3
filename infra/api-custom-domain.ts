import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CustomDomainConfig } from "./config";

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
 * region), the domain, a base path mapping to the stage and, when a zone is given, the Route 53
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

        const zoneId = this.zoneId(domain);
        const certificateArn = domain.certificateArn ?? this.validatedCertificate(name, domain.domainName, zoneId!);
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
        const alias =
            zoneId === undefined
                ? undefined
                : new aws.route53.Record(
                      `${name}-alias`,
                      {
                          zoneId,
                          name: domain.domainName,
                          type: "A",
                          aliases: [
                              {
                                  name: apiDomain.regionalDomainName,
                                  zoneId: apiDomain.regionalZoneId,
                                  evaluateTargetHealth: false,
                              },
                          ],
                      },
                      { parent: this },
                  );

        // Read through the mapping and the alias record, so whatever uses the domain (CloudFront's
        // origin, config.json) waits until requests to it reach the stage. Both are inputs of
        // those resources, so the value stays known during a preview.
        this.domainName = pulumi.all([mapping.domainName, alias?.name]).apply(([domainName]) => domainName);
        this.url = pulumi.output(customDomainUrl(domain.domainName, domain.basePath));
        this.target = apiDomain.regionalDomainName;
        this.registerOutputs({ domainName: this.domainName, url: this.url, target: this.target });
    }

    /** The Route 53 zone: given by id, looked up by name, or none (DNS managed elsewhere). */
    private zoneId(domain: CustomDomainConfig): pulumi.Output<string> | undefined {
        if (domain.hostedZoneId !== undefined) {
            return pulumi.output(domain.hostedZoneId);
        }
        if (domain.hostedZoneName !== undefined) {
            return aws.route53.getZoneOutput({ name: domain.hostedZoneName, privateZone: false }, { parent: this })
                .zoneId;
        }
        return undefined;
    }

    /** An ACM certificate in the API's region, validated through a DNS record in the zone. */
    private validatedCertificate(
        name: string,
        domainName: string,
        zoneId: pulumi.Output<string>,
    ): pulumi.Output<string> {
        const certificate = new aws.acm.Certificate(
            `${name}-certificate`,
            {
                domainName,
                validationMethod: "DNS",
            },
            { parent: this },
        );
        const option = certificate.domainValidationOptions[0];
        const record = new aws.route53.Record(
            `${name}-certificate-validation-record`,
            {
                zoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                allowOverwrite: true,
            },
            { parent: this },
        );
        const validation = new aws.acm.CertificateValidation(
            `${name}-certificate-validation`,
            {
                certificateArn: certificate.arn,
                validationRecordFqdns: [record.fqdn],
            },
            { parent: this },
        );
        return validation.certificateArn;
    }
}
