/** A Lambda function ARN, `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
export interface LambdaArn {
    readonly region: string;
    /** The ARN without its qualifier. */
    readonly functionArn: string;
    /** A version number, `$LATEST` or an alias name; absent for an unqualified ARN. */
    readonly qualifier?: string;
}

const LAMBDA_ARN = /^(arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;

/** Parses a Lambda function ARN; undefined when the text is not one. */
export function parseLambdaArn(arn: string): LambdaArn | undefined {
    const match = LAMBDA_ARN.exec(arn);
    if (!match) {
        return undefined;
    }
    return { functionArn: match[1], region: match[2], qualifier: match[3] };
}

/** A published version: CloudFront associates only numbered versions with a behavior. */
export function isVersionNumber(qualifier: string | undefined): boolean {
    return qualifier !== undefined && /^[0-9]+$/.test(qualifier);
}
