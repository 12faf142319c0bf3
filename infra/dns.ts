/**
 * Route 53 and ACM steps the API's custom domain and the site's domain share: finding the zone,
 * a DNS-validated certificate, alias records. Each creates its resources under `parent`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DomainConfig } from "./config";

/** The Route 53 zone of a domain: given by id, looked up by name, or none (DNS managed elsewhere). */
export function hostedZoneId(domain: DomainConfig, parent: pulumi.Resource): pulumi.Output<string> | undefined {
    if (domain.hostedZoneId !== undefined) {
        return pulumi.output(domain.hostedZoneId);
    }
    if (domain.hostedZoneName !== undefined) {
        return aws.route53.getZoneOutput({ name: domain.hostedZoneName, privateZone: false }, { parent }).zoneId;
    }
    return undefined;
}

/**
 * An ACM certificate for `domainName` in `region` (the provider's when absent), validated through
 * a DNS record in the zone; its ARN once validated. RSA 2048, the key ACM.2 asks for at least
 * (Security Hub, "ACM.2 RSA certificates managed by ACM should use a key length of at least 2,048
 * bits"), and the one every CloudFront and API Gateway client accepts.
 */
export function validatedCertificate(
    name: string,
    args: { readonly domainName: string; readonly zoneId: pulumi.Input<string>; readonly region?: string },
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const region = args.region === undefined ? {} : { region: args.region };
    const certificate = new aws.acm.Certificate(
        `${name}-certificate`,
        { ...region, domainName: args.domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048" },
        { parent },
    );
    const option = certificate.domainValidationOptions[0];
    const record = new aws.route53.Record(
        `${name}-certificate-validation-record`,
        {
            zoneId: args.zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        },
        { parent },
    );
    const validation = new aws.acm.CertificateValidation(
        `${name}-certificate-validation`,
        { ...region, certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
        { parent },
    );
    return validation.certificateArn;
}

/** Where an alias record points: a CloudFront distribution or an API Gateway domain. */
export interface AliasTarget {
    readonly name: pulumi.Input<string>;
    readonly zoneId: pulumi.Input<string>;
}

/**
 * Route 53 alias records of `types` for `domainName` in the zone: `${name}-alias` (A; the name it
 * always had, so existing stacks keep their record) and `${name}-alias-aaaa`.
 */
export function aliasRecords(
    name: string,
    args: {
        readonly zoneId: pulumi.Input<string>;
        readonly domainName: string;
        readonly target: AliasTarget;
        readonly types: readonly ("A" | "AAAA")[];
    },
    parent: pulumi.Resource,
): aws.route53.Record[] {
    return args.types.map(
        (type) =>
            new aws.route53.Record(
                type === "A" ? `${name}-alias` : `${name}-alias-aaaa`,
                {
                    zoneId: args.zoneId,
                    name: args.domainName,
                    type,
                    aliases: [{ name: args.target.name, zoneId: args.target.zoneId, evaluateTargetHealth: false }],
                },
                { parent },
            ),
    );
}
