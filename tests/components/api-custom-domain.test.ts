import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { resolveOutput, UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { ApiCustomDomain } from "../../infra/api-custom-domain";
import type { CustomDomainConfig } from "../../infra/config";
import { ComponentRun, named, runComponent } from "../support/component-harness";

const REST_API_ID = "a1b2c3d4e5";
const GIVEN_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const ZONE_ID = "Z0123456789ABCDEFGHIJ";

function runDomain(domain: CustomDomainConfig, preview = false) {
    return runComponent(() => new ApiCustomDomain("api-domain", { domain, restApiId: REST_API_ID, stageName: "dev" }), {
        preview,
    });
}

/** The URNs of the resources an Output carries, i.e. what a resource reading it waits for. */
async function resourcesBehind(output: pulumi.Output<unknown>): Promise<string[]> {
    const resources = await (output as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources();
    return Promise.all([...resources].map(async (r) => (await resolveOutput(r.urn)) as string));
}

const records = (run: ComponentRun<unknown>) => resourcesOfType(run, TYPES.record);

describe("ApiCustomDomain", () => {
    describe("with a zone by name and a base path (up)", () => {
        let run: ComponentRun<ApiCustomDomain>;
        before(async () => {
            run = await runDomain({ domainName: "api.example.com", hostedZoneName: "example.com", basePath: "v1" });
        });

        it("is a same-origin:api-custom-domain:ApiCustomDomain holding every resource it creates", () => {
            const component = named(run, "api-domain");
            assert.equal(component.type, "same-origin:api-custom-domain:ApiCustomDomain");
            for (const r of run.resources.filter((r) => r !== component)) {
                assert.equal(r.parent, component.urn, r.name);
                assert.match(r.name, /^api-domain-/);
            }
        });

        it("looks the public zone up by name", () => {
            assert.deepEqual(
                run.invokes.map(({ token, inputs }) => ({ token, inputs })),
                [{ token: "aws:route53/getZone:getZone", inputs: { name: "example.com", privateZone: false } }],
            );
        });

        it("requests a DNS-validated RSA 2048 ACM certificate for the domain and validates it through a record in the zone", () => {
            const certificate = onlyResourceOfType(run, TYPES.certificate);
            assert.deepEqual(certificate.inputs, {
                domainName: "api.example.com",
                validationMethod: "DNS",
                keyAlgorithm: "RSA_2048",
            });
            const [option] = certificate.state.domainValidationOptions;
            const record = named(run, "api-domain-certificate-validation-record").inputs;
            assert.equal(record.zoneId, run.invokes[0].result.zoneId, "in the zone the look-up found");
            assert.equal(record.name, option.resourceRecordName);
            assert.equal(record.type, option.resourceRecordType);
            assert.deepEqual(record.records, [option.resourceRecordValue]);
            assert.equal(record.ttl, 300);
            const validation = onlyResourceOfType(run, TYPES.certificateValidation).inputs;
            assert.equal(validation.certificateArn, certificate.state.arn);
            assert.deepEqual(validation.validationRecordFqdns, [
                named(run, "api-domain-certificate-validation-record").state.fqdn,
            ]);
        });

        it("creates a REGIONAL domain with TLS 1.2, on the certificate once it is validated", () => {
            const domain = onlyResourceOfType(run, TYPES.domainName).inputs;
            assert.equal(domain.domainName, "api.example.com");
            assert.deepEqual(domain.endpointConfiguration, { types: "REGIONAL" });
            assert.equal(domain.securityPolicy, "TLS_1_2");
            assert.equal(
                domain.regionalCertificateArn,
                onlyResourceOfType(run, TYPES.certificateValidation).state.certificateArn,
            );
            assert.ok(
                named(run, "api-domain-domain").dependencies.includes(
                    onlyResourceOfType(run, TYPES.certificateValidation).urn,
                ),
                "the domain waits for the validation",
            );
        });

        it("maps the base path to the stage of the REST API", () => {
            const mapping = onlyResourceOfType(run, TYPES.basePathMapping).inputs;
            assert.deepEqual(mapping, {
                domainName: "api.example.com",
                restApi: REST_API_ID,
                stageName: "dev",
                basePath: "v1",
            });
        });

        it("points an A alias record in the zone at the domain's regional endpoint", () => {
            const alias = named(run, "api-domain-alias").inputs;
            const domain = onlyResourceOfType(run, TYPES.domainName).state;
            assert.deepEqual(alias, {
                zoneId: run.invokes[0].result.zoneId,
                name: "api.example.com",
                type: "A",
                aliases: [
                    { name: domain.regionalDomainName, zoneId: domain.regionalZoneId, evaluateTargetHealth: false },
                ],
            });
        });

        it("reports the domain, its URL with the base path, and the regional host its DNS points at", () => {
            assert.deepEqual(run.outputs, {
                domainName: "api.example.com",
                url: "https://api.example.com/v1",
                target: onlyResourceOfType(run, TYPES.domainName).state.regionalDomainName,
            });
            assert.match(String(run.outputs.target), /^d-[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com$/);
        });

        // A request to the domain reaches the stage only once the mapping and the DNS record exist,
        // so whatever reads domainName (CloudFront's origin, config.json) must wait for both.
        it("hands out domainName only through the base path mapping and the alias record", async () => {
            assert.deepEqual((await resourcesBehind(run.value.domainName)).sort(), [
                onlyResourceOfType(run, TYPES.basePathMapping).urn,
                named(run, "api-domain-alias").urn,
            ]);
        });
    });

    it("in a preview, knows the domain and its URL (config values) but not the regional target", async () => {
        const run = await runDomain(
            { domainName: "api.example.com", hostedZoneName: "example.com", basePath: "v1" },
            true,
        );
        assert.deepEqual(run.outputs, {
            domainName: "api.example.com",
            url: "https://api.example.com/v1",
            target: UNKNOWN,
        });
        assert.equal(onlyResourceOfType(run, TYPES.domainName).inputs.regionalCertificateArn, UNKNOWN);
    });

    it("with a zone id, uses that zone without looking anything up", async () => {
        const run = await runDomain({ domainName: "api.example.com", hostedZoneId: ZONE_ID });
        assert.deepEqual(run.invokes, []);
        assert.deepEqual(
            records(run).map((r) => r.inputs.zoneId),
            [ZONE_ID, ZONE_ID],
        );
    });

    it("without a base path, maps the domain's root and reports a URL without a path", async () => {
        const run = await runDomain({ domainName: "api.example.com", hostedZoneId: ZONE_ID });
        assert.equal(onlyResourceOfType(run, TYPES.basePathMapping).inputs.basePath, undefined);
        assert.equal(run.outputs.url, "https://api.example.com");
    });

    it("with a certificate and a zone, uses the certificate and still creates the alias record", async () => {
        const run = await runDomain({
            domainName: "api.example.com",
            hostedZoneId: ZONE_ID,
            certificateArn: GIVEN_CERTIFICATE,
        });
        assert.deepEqual(resourcesOfType(run, TYPES.certificate), []);
        assert.deepEqual(resourcesOfType(run, TYPES.certificateValidation), []);
        assert.deepEqual(
            records(run).map((r) => r.name),
            ["api-domain-alias"],
        );
        assert.equal(onlyResourceOfType(run, TYPES.domainName).inputs.regionalCertificateArn, GIVEN_CERTIFICATE);
    });

    describe("with a certificate and no zone (DNS managed elsewhere)", () => {
        for (const preview of [false, true]) {
            it(`uses the given certificate, creating no certificate and no DNS record (${preview ? "preview" : "up"})`, async () => {
                const run = await runDomain(
                    { domainName: "api.example.org", certificateArn: GIVEN_CERTIFICATE },
                    preview,
                );
                assert.deepEqual(run.invokes, []);
                assert.deepEqual(
                    [...resourcesOfType(run, TYPES.certificate), ...resourcesOfType(run, TYPES.certificateValidation)],
                    [],
                );
                assert.deepEqual(records(run), []);
                assert.equal(
                    onlyResourceOfType(run, TYPES.domainName).inputs.regionalCertificateArn,
                    GIVEN_CERTIFICATE,
                );
                assert.equal(run.outputs.domainName, "api.example.org");
                assert.deepEqual(await resourcesBehind(run.value.domainName), [
                    onlyResourceOfType(run, TYPES.basePathMapping).urn,
                ]);
                assert.equal(
                    run.outputs.target,
                    preview ? UNKNOWN : onlyResourceOfType(run, TYPES.domainName).state.regionalDomainName,
                    "the host to point the domain's DNS at",
                );
            });
        }
    });
});
