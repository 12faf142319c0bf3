import { strict as assert } from "node:assert";
import { UNKNOWN } from "../../capture/capture";
import { onlyResourceOfType, resourcesOfType } from "../../capture/lookups";
import { TYPES } from "../../capture/types";
import { EDGE_REGION } from "../../core/cloudfront";
import type { DomainConfig } from "../../infra/config";
import { SiteDomain } from "../../infra/site-domain";
import { ComponentRun, named, runComponent } from "../support/component-harness";

const GIVEN_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
const ZONE_ID = "Z0123456789ABCDEFGHIJ";

const runDomain = (domain: DomainConfig, preview = false) =>
    runComponent(() => new SiteDomain("site-domain", { domain }), { preview });

describe("SiteDomain", () => {
    describe("with a zone by name (up)", () => {
        let run: ComponentRun<SiteDomain>;
        before(async () => {
            run = await runDomain({ domainName: "www.example.com", hostedZoneName: "example.com" });
        });

        it("is a same-origin:site-domain:SiteDomain holding every resource it creates", () => {
            const component = named(run, "site-domain");
            assert.equal(component.type, "same-origin:site-domain:SiteDomain");
            for (const r of run.resources.filter((r) => r !== component)) {
                assert.equal(r.parent, component.urn, r.name);
                assert.match(r.name, /^site-domain-/);
            }
        });

        // CloudFront takes viewer certificates from ACM in us-east-1 only ("Requirements for using
        // SSL/TLS certificates with CloudFront", cnames-and-https-requirements.html).
        it("requests a DNS-validated RSA 2048 certificate in us-east-1, whatever the stack's region", () => {
            const certificate = onlyResourceOfType(run, TYPES.certificate);
            assert.deepEqual(certificate.inputs, {
                region: EDGE_REGION,
                domainName: "www.example.com",
                validationMethod: "DNS",
                keyAlgorithm: "RSA_2048",
            });
            assert.equal(onlyResourceOfType(run, TYPES.certificateValidation).inputs.region, EDGE_REGION);
        });

        it("validates it through a record in the zone the look-up found", () => {
            const [option] = onlyResourceOfType(run, TYPES.certificate).state.domainValidationOptions;
            const record = named(run, "site-domain-certificate-validation-record").inputs;
            assert.equal(record.zoneId, run.invokes[0].result.zoneId);
            assert.deepEqual(
                [record.name, record.type, record.records],
                [option.resourceRecordName, option.resourceRecordType, [option.resourceRecordValue]],
            );
        });

        it("hands out the domain, the validated certificate's ARN (in us-east-1) and the zone", () => {
            assert.equal(run.value.domainName, "www.example.com");
            assert.deepEqual(run.outputs, {
                certificateArn: onlyResourceOfType(run, TYPES.certificateValidation).state.certificateArn,
                zoneId: run.invokes[0].result.zoneId,
            });
            assert.match(String(run.outputs.certificateArn), /^arn:aws:acm:us-east-1:/);
        });
    });

    it("uses a given certificate and zone id: no certificate, no look-up, no record", async () => {
        const run = await runDomain({
            domainName: "www.example.com",
            hostedZoneId: ZONE_ID,
            certificateArn: GIVEN_CERTIFICATE,
        });
        assert.deepEqual(resourcesOfType(run, TYPES.certificate), []);
        assert.deepEqual(resourcesOfType(run, TYPES.record), []);
        assert.deepEqual(run.invokes, []);
        assert.deepEqual(run.outputs, {
            certificateArn: GIVEN_CERTIFICATE,
            zoneId: ZONE_ID,
        });
    });

    it("without a zone (DNS managed elsewhere) hands out no zone", async () => {
        const run = await runDomain({ domainName: "www.example.com", certificateArn: GIVEN_CERTIFICATE });
        assert.equal(run.value.zoneId, undefined);
        assert.deepEqual(resourcesOfType(run, TYPES.record), []);
    });

    it("in a preview, the certificate's ARN is unknown until it is validated", async () => {
        const run = await runDomain({ domainName: "www.example.com", hostedZoneName: "example.com" }, true);
        assert.equal(run.outputs.certificateArn, UNKNOWN);
        assert.equal(run.value.domainName, "www.example.com");
    });
});
