// The CDK app: `npx nx run infra:synth` writes the CloudFormation template (offline, no
// credentials), `npx nx run infra:deploy` deploys it. cdk-nag's AwsSolutions checks run on every
// synth, and an unsuppressed finding fails it.
import { App } from 'aws-cdk-lib';
import { buildStack } from './app';

buildStack(new App());
