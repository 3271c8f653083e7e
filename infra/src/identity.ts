import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** How the gateway verifies its users' tokens (the AUTH_* variables of AUTH_MODE=jwt). */
export interface GatewayAuth {
  environment: Record<string, string>;
}

/**
 * The store's users: a Cognito user pool and the app client the chat UIs sign in with. The gateway
 * verifies their access tokens against the pool's JWKS (reached through the cognito-idp VPC
 * endpoint: the tasks have no route to the internet) with `client_id` as the audience.
 */
export class Identity extends Construct implements GatewayAuth {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, { prefix }: { prefix: string }) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${prefix}users`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('ChatClient', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
    });
    const issuer = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`;
    this.environment = {
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: issuer,
      AUTH_JWKS_URL: `${issuer}/.well-known/jwks.json`,
      AUTH_AUDIENCE: this.client.userPoolClientId,
      AUTH_AUDIENCE_CLAIM: 'client_id',
      AUTH_USER_CLAIM: 'sub',
    };
  }
}

/** An OIDC issuer of the operator's own instead of the stack's user pool. */
export function externalAuth({ issuer, jwksUrl, audience }: { issuer: string; jwksUrl: string; audience: string }): GatewayAuth {
  return { environment: { AUTH_MODE: 'jwt', AUTH_ISSUER: issuer, AUTH_JWKS_URL: jwksUrl, AUTH_AUDIENCE: audience, AUTH_USER_CLAIM: 'sub' } };
}
