// Builds the CDK app's stack from its context (cdk.json, `-c key=value`): the one place main.ts and
// the tests share, so the tests check exactly what `cdk synth` writes.
import path from 'node:path';
import { Aspects, aws_ecs as ecs } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MangaAssistStack } from './manga-assist-stack';
import { addNagSuppressions } from './nag-suppressions';
import { readSettings } from './settings';

export const REPOSITORY_ROOT = path.resolve(__dirname, '../..');

export interface BuildOptions {
  /** false: leave cdk-nag's accepted findings unsuppressed (the tests check they are still real). */
  suppressAcceptedFindings?: boolean;
}

export function buildStack(app: App, { suppressAcceptedFindings = true }: BuildOptions = {}): MangaAssistStack {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const image = settings.image
    ? ecs.ContainerImage.fromRegistry(settings.image)
    : ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, { file: 'Dockerfile' });
  const stack = new MangaAssistStack(app, 'MangaAssist', {
    env: { region: settings.region },
    settings,
    image,
    description:
      'MangaAssist edge: the four apps on ECS Fargate behind a load balancer, VPC endpoints instead of NAT, ElastiCache, DynamoDB, Kinesis, OpenSearch Serverless, alarms',
  });
  if (suppressAcceptedFindings) addNagSuppressions(stack);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}
