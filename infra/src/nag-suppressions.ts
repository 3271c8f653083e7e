// The cdk-nag AwsSolutions findings this design accepts, each on the resources it concerns and with
// its reason in one line. Anything else fails `cdk synth` and the tests.
import { NagSuppressions } from 'cdk-nag';
import type { Stack } from 'aws-cdk-lib';
import { APPS } from './iam-policies';

export interface AcceptedFinding {
  id: string;
  reason: string;
  /** Construct paths below the stack. */
  paths: string[];
}

export const ACCEPTED_FINDINGS: AcceptedFinding[] = [
  {
    id: 'AwsSolutions-IAM5',
    reason: 'Task roles carry the checked least-privilege files of ops/aws/iam, whose wildcards stand for region, account, model family, log stream or an API with no resource-level permission.',
    paths: APPS.map((app) => `Apps/${app}-task-role/Resource`),
  },
  {
    id: 'AwsSolutions-IAM5',
    reason: 'CDK-generated execution roles: ecr:GetAuthorizationToken exists only on "*".',
    paths: APPS.map((app) => `Apps/${app}-task/ExecutionRole/DefaultPolicy/Resource`),
  },
  {
    id: 'AwsSolutions-ECS2',
    reason: 'Environment variables hold non-secret settings only; the control token is a Secrets Manager task secret.',
    paths: APPS.map((app) => `Apps/${app}-task/Resource`),
  },
  { id: 'AwsSolutions-SMG4', reason: 'The apps read the control token only at start; it is rotated by putting a new value and redeploying.', paths: ['ControlToken/Resource'] },
  { id: 'AwsSolutions-EC23', reason: 'The public load balancer is the chat endpoint and accepts clients from anywhere.', paths: ['Apps/LoadBalancerSecurityGroup/Resource'] },
  {
    id: 'AwsSolutions-S1',
    reason: 'A log bucket (load-balancer access logs) and a bucket of week-old public catalog exports: a second access log would add cost, not evidence.',
    paths: ['Apps/LoadBalancerLogs/Resource', 'Data/ExportsBucket/Resource'],
  },
  {
    id: 'AwsSolutions-AEC6',
    reason: 'Redis takes connections only from the app tasks security group, over TLS; the apps REDIS_URL carries no AUTH token yet.',
    paths: ['Redis/ReplicationGroup'],
  },
  {
    id: 'AwsSolutions-COG8',
    reason: 'The Plus feature plan (threat protection) is billed per monthly active user; MFA is required and passwords are strong, and the plan is one setting away.',
    paths: ['Identity/Users/Resource'],
  },
];

export function addNagSuppressions(stack: Stack): void {
  for (const finding of ACCEPTED_FINDINGS) {
    // A resource the settings left out (the user pool, with an issuer of the operator's own) has nothing to suppress.
    const paths = finding.paths.filter((p) => stack.node.tryFindChild(p.split('/')[0]!) !== undefined);
    if (paths.length === 0) continue;
    NagSuppressions.addResourceSuppressionsByPath(
      stack,
      paths.map((p) => `/${stack.stackName}/${p}`),
      [{ id: finding.id, reason: finding.reason }],
    );
  }
}
