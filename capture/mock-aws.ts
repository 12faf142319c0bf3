/**
 * What AWS would answer for the program's resources and data sources, in the mocked account:
 * computed attributes (ids, ARNs, hosts) derived deterministically from each resource's name and
 * inputs, in the formats AWS uses, so every URL, host and ARN the program builds from them is
 * realistic.
 */
import * as crypto from "node:crypto";
import { CLOUDFRONT_HOSTED_ZONE_ID } from "../core/cloudfront";
import { TYPES } from "./types";

/** The account id every mocked ARN carries. */
export const MOCK_ACCOUNT_ID = "123456789012";

const hex = (seed: string, length: number) => crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);

/** `length` characters drawn from `alphabet`, deterministically from `seed`. */
function drawn(seed: string, length: number, alphabet: string): string {
    let out = "";
    for (let block = 0; out.length < length; block++) {
        for (const byte of crypto.createHash("sha256").update(`${seed}:${block}`).digest()) {
            out += alphabet[byte % alphabet.length];
        }
    }
    return out.slice(0, length);
}

/**
 * The characters a `random.RandomPassword` draws from, as its inputs choose them (each class on
 * unless turned off; the provider's default special characters, or `overrideSpecial`).
 */
function passwordAlphabet(inputs: Record<string, any>): string {
    return [
        inputs.lower !== false ? "abcdefghijklmnopqrstuvwxyz" : "",
        inputs.upper !== false ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "",
        inputs.numeric !== false && inputs.number !== false ? "0123456789" : "",
        inputs.special !== false ? (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?") : "",
    ].join("");
}

/**
 * The attributes AWS computes for a resource, derived deterministically from its name and inputs,
 * in the formats AWS uses, so every URL, host and ARN the program builds from them is realistic.
 */
export function computedAttributes(
    type: string,
    name: string,
    inputs: Record<string, any>,
    region: string,
): Record<string, unknown> {
    const account = MOCK_ACCOUNT_ID;
    switch (type) {
        case TYPES.bucket: {
            const bucket = inputs.bucket ?? `${name}-${hex(name, 7)}`;
            return {
                id: bucket,
                bucket,
                arn: `arn:aws:s3:::${bucket}`,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
                region,
            };
        }
        case TYPES.lambdaFunction: {
            const fnRegion = inputs.region ?? region;
            const functionName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const arn = `arn:aws:lambda:${fnRegion}:${account}:function:${functionName}`;
            const version = inputs.publish ? "1" : "$LATEST";
            return {
                id: functionName,
                name: functionName,
                arn,
                region: fnRegion,
                version,
                qualifiedArn: `${arn}:${version}`,
                invokeArn: `arn:aws:apigateway:${fnRegion}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                qualifiedInvokeArn: `arn:aws:apigateway:${fnRegion}:lambda:path/2015-03-31/functions/${arn}:${version}/invocations`,
            };
        }
        case TYPES.userPool: {
            const id = `${region}_${hex(`pool:${name}`, 9).toUpperCase()}`;
            return {
                id,
                arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${id}`,
                endpoint: `cognito-idp.${region}.amazonaws.com/${id}`,
            };
        }
        case TYPES.userPoolClient:
            return { id: hex(`client:${name}`, 26) };
        case TYPES.userPoolDomain:
            return { id: inputs.domain, cloudfrontDistribution: `d${hex(`auth:${name}`, 13)}.cloudfront.net` };
        case TYPES.resourceServer:
            return { id: `${inputs.userPoolId}|${inputs.identifier}` };
        case TYPES.randomId: {
            const bytes = hex(`random:${name}`, 2 * Number(inputs.byteLength ?? 8));
            return { id: bytes, hex: bytes, b64Url: Buffer.from(bytes, "hex").toString("base64url") };
        }
        case TYPES.randomPassword: {
            const result = drawn(`password:${name}`, Number(inputs.length), passwordAlphabet(inputs));
            return { id: "none", result, bcryptHash: `$2a$10$${hex(`bcrypt:${name}`, 53)}` };
        }
        case TYPES.apiKey: {
            const id = hex(`apikey:${name}`, 10);
            return {
                id,
                arn: `arn:aws:apigateway:${region}::/apikeys/${id}`,
                // A key created without a value gets one from API Gateway.
                ...(inputs.value === undefined
                    ? {
                          value: drawn(
                              `apikey-value:${name}`,
                              40,
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                          ),
                      }
                    : {}),
                enabled: inputs.enabled ?? true,
                createdDate: "2024-01-01T00:00:00Z",
                lastUpdatedDate: "2024-01-01T00:00:00Z",
            };
        }
        case TYPES.usagePlan: {
            const id = hex(`usageplan:${name}`, 6);
            return { id, arn: `arn:aws:apigateway:${region}::/usageplans/${id}`, name: inputs.name ?? name };
        }
        case TYPES.usagePlanKey:
            return { id: inputs.keyId, name: `${name}-key` };
        case TYPES.methodSettings:
            return { id: `${inputs.restApi}-${inputs.stageName}-${inputs.methodPath}` };
        case TYPES.apiGatewayAccount:
            return { id: "api-gateway-account", apiKeyVersion: "4", features: ["UsagePlans"] };
        case TYPES.logGroup: {
            const groupName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const groupRegion = inputs.region ?? region;
            return {
                id: groupName,
                name: groupName,
                arn: `arn:aws:logs:${groupRegion}:${account}:log-group:${groupName}`,
            };
        }
        case TYPES.role: {
            const roleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: roleName, name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}` };
        }
        case TYPES.restApi: {
            const id = hex(`restapi:${name}`, 10);
            return {
                id,
                rootResourceId: hex(`root:${name}`, 10),
                arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
                executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
            };
        }
        case TYPES.stage:
            return {
                id: `ags-${inputs.restApi}-${inputs.stageName}`,
                invokeUrl: `https://${inputs.restApi}.execute-api.${region}.amazonaws.com/${inputs.stageName}`,
                executionArn: `arn:aws:execute-api:${region}:${account}:${inputs.restApi}/${inputs.stageName}`,
                arn: `arn:aws:apigateway:${region}::/restapis/${inputs.restApi}/stages/${inputs.stageName}`,
            };
        case TYPES.domainName:
            return {
                id: inputs.domainName,
                arn: `arn:aws:apigateway:${region}::/domainnames/${inputs.domainName}`,
                regionalDomainName: `d-${hex(inputs.domainName, 10)}.execute-api.${region}.amazonaws.com`,
                regionalZoneId: `Z${hex(`zone:${region}`, 12).toUpperCase()}`,
            };
        case TYPES.certificate: {
            const token = hex(`acm:${inputs.domainName}`, 32);
            // A certificate for CloudFront is created in us-east-1 (its `region` input).
            const arn = `arn:aws:acm:${inputs.region ?? region}:${account}:certificate/${hex(name, 8)}-${hex(name, 12)}`;
            return {
                id: arn,
                arn,
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_${token}.${inputs.domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hex(token, 32)}.acm-validations.aws.`,
                    },
                ],
            };
        }
        case TYPES.certificateValidation:
            return { id: `${inputs.certificateArn}-validation`, certificateArn: inputs.certificateArn };
        case TYPES.record:
            return {
                id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`,
                fqdn: String(inputs.name).replace(/\.$/, ""),
            };
        case TYPES.distribution: {
            const id = `E${hex(name, 13).toUpperCase()}`;
            return {
                id,
                arn: `arn:aws:cloudfront::${account}:distribution/${id}`,
                domainName: `d${hex(`cdn:${name}`, 13)}.cloudfront.net`,
                hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID,
                status: "Deployed",
                etag: hex(`etag:${name}`, 14).toUpperCase(),
            };
        }
        case TYPES.cloudFrontFunction: {
            const functionName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return {
                id: functionName,
                name: functionName,
                arn: `arn:aws:cloudfront::${account}:function/${functionName}`,
                etag: hex(`etag:${name}`, 14).toUpperCase(),
                liveStageEtag: hex(`etag:${name}`, 14).toUpperCase(),
                status: "UNASSOCIATED",
            };
        }
        case TYPES.originAccessControl:
            return { id: `E${hex(`oac:${name}`, 13).toUpperCase()}`, etag: hex(`etag:${name}`, 14).toUpperCase() };
        case TYPES.webAcl: {
            // CLOUDFRONT-scope web ACLs live in us-east-1 under `global/`, regional ones under
            // `regional/` (WAF Developer Guide, "AWS WAF API permissions", ARN formats).
            const aclRegion = inputs.region ?? region;
            const aclName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const id = [8, 4, 4, 4, 12].map((n, i) => hex(`webacl:${name}:${i}`, n)).join("-");
            const scope = inputs.scope === "CLOUDFRONT" ? "global" : "regional";
            return {
                id,
                name: aclName,
                arn: `arn:aws:wafv2:${aclRegion}:${account}:${scope}/webacl/${aclName}/${id}`,
                region: aclRegion,
                capacity: 1000,
                lockToken: hex(`lock:${name}`, 32),
            };
        }
        case TYPES.webAclAssociation:
            return { id: `${inputs.webAclArn},${inputs.resourceArn}` };
        case TYPES.bucketObject:
            return { id: inputs.key, etag: hex(`object:${name}`, 32), versionId: "" };
        default:
            return { id: `${name}-${hex(`${type}:${name}`, 8)}` };
    }
}

/** Invokes the program makes (data sources), answered as AWS would for the mocked account. */
export function mockInvoke(token: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: MOCK_ACCOUNT_ID,
                arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/deployer`,
                userId: "AIDAMOCKDEPLOYER",
                id: MOCK_ACCOUNT_ID,
            };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:s3/getCanonicalUserId:getCanonicalUserId": {
            const id = hex(`canonical:${MOCK_ACCOUNT_ID}`, 64);
            return { id, displayName: "deployer" };
        }
        case "aws:route53/getZone:getZone": {
            const zoneName = String(inputs.name ?? "").replace(/\.$/, "");
            const zoneId = inputs.zoneId ?? `Z${hex(`zone:${zoneName}`, 20).toUpperCase()}`;
            return { id: zoneId, zoneId, name: zoneName, privateZone: false, nameServers: [] };
        }
        default:
            // An invoke nobody mocked must fail loudly: a silent undefined would hang an apply.
            throw new Error(
                `capture/mock-aws.ts: the program invoked ${token}, which the mock does not answer; add it to mockInvoke`,
            );
    }
}
