import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { cognitoIssuer } from "../core/auth";

/** Where the local console runs (`npm start`), a callback and sign-out URL of every client. */
export const LOCAL_CONSOLE_URL = "http://localhost:8080/";

export interface CognitoSignInArgs {
    /**
     * The site's URL; the app client sends users back to `<siteUrl>/` after sign-in and sign-out.
     * @example site.url
     */
    readonly siteUrl: pulumi.Input<string>;
    /**
     * Every scope the API uses (`auth.scopes` and the routes' own: `apiScopes` in core/routes.ts),
     * `<resource server>/<scope>`: a resource server is created for each identifier, and the
     * client may ask for them.
     * @default []
     * @example ["orders/read"]
     */
    readonly scopes?: readonly string[];
    /**
     * The hosted sign-in domain's prefix.
     * @default `same-origin-<stack>-<8 random hex digits>`
     * @example "my-app-login"
     */
    readonly domainPrefix?: string;
    /**
     * The region of the user pool (the stack's).
     * @example "eu-west-1"
     */
    readonly region: string;
}

/** The scopes grouped by resource server identifier: `orders/read` -> `{ orders: ["read"] }`. */
export function scopesByResourceServer(scopes: readonly string[]): Map<string, string[]> {
    const servers = new Map<string, string[]>();
    for (const scope of scopes) {
        const slash = scope.indexOf("/");
        const [identifier, name] = [scope.slice(0, slash), scope.slice(slash + 1)];
        servers.set(identifier, [...(servers.get(identifier) ?? []), name]);
    }
    return servers;
}

/**
 * `same-origin-<stack>-<hex>`, kept to what a Cognito domain prefix allows: lower-case letters,
 * digits and inner hyphens, at most 63 characters.
 */
export function defaultDomainPrefix(stack: string, hex: string): string {
    const stackPart = stack
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return `same-origin-${stackPart}`.slice(0, 63 - hex.length - 1).replace(/-+$/, "") + `-${hex}`;
}

/**
 * Sign-in with Amazon Cognito for the SPA: a user pool (sign-in by email, a strong password policy,
 * optional TOTP MFA, accounts created by an administrator only), a public app client (no secret;
 * authorization code flow only, which the hosted UI runs with PKCE when the client sends a
 * challenge), resource servers for the API's scopes, and a hosted sign-in domain.
 */
export class CognitoSignIn extends pulumi.ComponentResource {
    /** The token issuer, `https://cognito-idp.<region>.amazonaws.com/<pool id>`, also the OIDC authority. */
    readonly issuer: pulumi.Output<string>;
    /** The SPA's app client id. */
    readonly clientId: pulumi.Output<string>;
    readonly userPoolId: pulumi.Output<string>;
    /** The hosted UI's sign-out endpoint, `https://<domain>/logout` (not in Cognito's discovery document). */
    readonly logoutEndpoint: pulumi.Output<string>;

    constructor(name: string, args: CognitoSignInArgs, opts?: pulumi.ComponentResourceOptions) {
        super("same-origin:cognito-sign-in:CognitoSignIn", name, {}, opts);
        const pool = this.createUserPool(name);
        const resourceServers = this.createResourceServers(name, pool, args.scopes ?? []);
        const client = this.createClient(name, pool, args, resourceServers);
        const domain = this.createDomain(name, pool, args.domainPrefix);

        this.userPoolId = pool.id;
        this.issuer = pool.id.apply((id) => cognitoIssuer(args.region, id));
        this.clientId = client.id;
        this.logoutEndpoint = pulumi.interpolate`https://${domain.domain}.auth.${args.region}.amazoncognito.com/logout`;
        this.registerOutputs({
            issuer: this.issuer,
            clientId: this.clientId,
            userPoolId: this.userPoolId,
            logoutEndpoint: this.logoutEndpoint,
        });
    }

    private createUserPool(name: string): aws.cognito.UserPool {
        return new aws.cognito.UserPool(
            `${name}-users`,
            {
                usernameAttributes: ["email"],
                autoVerifiedAttributes: ["email"],
                // NIST SP 800-63B favours length; Cognito's own default is 8 with every class required.
                passwordPolicy: {
                    minimumLength: 12,
                    requireLowercase: true,
                    requireUppercase: true,
                    requireNumbers: true,
                    requireSymbols: true,
                    temporaryPasswordValidityDays: 3,
                },
                mfaConfiguration: "OPTIONAL",
                softwareTokenMfaConfiguration: { enabled: true },
                // No self sign-up: the first user is created by an administrator (docs/security.md).
                adminCreateUserConfig: { allowAdminCreateUserOnly: true },
                accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
                userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
            },
            { parent: this },
        );
    }

    private createResourceServers(
        name: string,
        pool: aws.cognito.UserPool,
        scopes: readonly string[],
    ): aws.cognito.ResourceServer[] {
        return [...scopesByResourceServer(scopes)].map(
            ([identifier, names]) =>
                new aws.cognito.ResourceServer(
                    `${name}-scopes-${identifier}`,
                    {
                        userPoolId: pool.id,
                        identifier,
                        name: identifier,
                        scopes: names.map((scopeName) => ({
                            scopeName,
                            scopeDescription: `${identifier}/${scopeName}`,
                        })),
                    },
                    { parent: this },
                ),
        );
    }

    private createClient(
        name: string,
        pool: aws.cognito.UserPool,
        args: CognitoSignInArgs,
        resourceServers: aws.cognito.ResourceServer[],
    ): aws.cognito.UserPoolClient {
        const returnUrls = pulumi.output(args.siteUrl).apply((url) => [`${url}/`, LOCAL_CONSOLE_URL]);
        return new aws.cognito.UserPoolClient(
            `${name}-spa-client`,
            {
                userPoolId: pool.id,
                generateSecret: false,
                allowedOauthFlowsUserPoolClient: true,
                allowedOauthFlows: ["code"],
                allowedOauthScopes: ["openid", "email", ...(args.scopes ?? [])],
                supportedIdentityProviders: ["COGNITO"],
                callbackUrls: returnUrls,
                logoutUrls: returnUrls,
                // Tokens come from the hosted UI's code flow only; no password reaches the SPA.
                explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
                preventUserExistenceErrors: "ENABLED",
                enableTokenRevocation: true,
                accessTokenValidity: 60,
                idTokenValidity: 60,
                refreshTokenValidity: 1,
                tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
            },
            // The client may only ask for scopes once their resource servers exist.
            { parent: this, dependsOn: resourceServers },
        );
    }

    private createDomain(
        name: string,
        pool: aws.cognito.UserPool,
        prefix: string | undefined,
    ): aws.cognito.UserPoolDomain {
        const domain =
            prefix ??
            new random.RandomId(`${name}-domain-suffix`, { byteLength: 4 }, { parent: this }).hex.apply((hex) =>
                defaultDomainPrefix(pulumi.getStack(), hex),
            );
        return new aws.cognito.UserPoolDomain(`${name}-domain`, { userPoolId: pool.id, domain }, { parent: this });
    }
}
