/**
 * The Pulumi type tokens of the AWS resources the program declares, spelled once: the capture's
 * mock, the local stack and the tests look resources up by these.
 */
export const TYPES = {
    // CloudFront
    distribution: "aws:cloudfront/distribution:Distribution",
    cloudFrontFunction: "aws:cloudfront/function:Function",
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    originRequestPolicy: "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    responseHeadersPolicy: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    originAccessControl: "aws:cloudfront/originAccessControl:OriginAccessControl",
    // S3
    bucket: "aws:s3/bucket:Bucket",
    bucketObject: "aws:s3/bucketObjectv2:BucketObjectv2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    // Lambda and IAM
    lambdaFunction: "aws:lambda/function:Function",
    permission: "aws:lambda/permission:Permission",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    // API Gateway
    restApi: "aws:apigateway/restApi:RestApi",
    stage: "aws:apigateway/stage:Stage",
    domainName: "aws:apigateway/domainName:DomainName",
    basePathMapping: "aws:apigateway/basePathMapping:BasePathMapping",
    gatewayResponse: "aws:apigateway/response:Response",
    deployment: "aws:apigateway/deployment:Deployment",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    apiGatewayAccount: "aws:apigateway/account:Account",
    // Cognito
    userPool: "aws:cognito/userPool:UserPool",
    userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
    userPoolDomain: "aws:cognito/userPoolDomain:UserPoolDomain",
    resourceServer: "aws:cognito/resourceServer:ResourceServer",
    // AWS WAF
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    // Random values
    randomId: "random:index/randomId:RandomId",
    randomPassword: "random:index/randomPassword:RandomPassword",
    // DNS and certificates
    record: "aws:route53/record:Record",
    certificate: "aws:acm/certificate:Certificate",
    certificateValidation: "aws:acm/certificateValidation:CertificateValidation",
} as const;
