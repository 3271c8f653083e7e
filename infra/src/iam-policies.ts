// The least-privilege policy of each app's task role, read from ops/aws/iam: the same files the
// IAM test checks against the calls the apps make, so the deployed roles cannot drift from them.
import fs from 'node:fs';
import path from 'node:path';

export const IAM_DIR = path.resolve(__dirname, '../../ops/aws/iam');

export const APPS = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'] as const;
export type AppName = (typeof APPS)[number];

export interface PolicyDocumentJson {
  Version: string;
  Statement: { Sid?: string; Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }[];
}

export function readPolicy(app: AppName): PolicyDocumentJson {
  return JSON.parse(fs.readFileSync(path.join(IAM_DIR, `${app}.json`), 'utf8')) as PolicyDocumentJson;
}

/** The policy for a stack whose resource names start with `prefix` instead of the files' default. */
export function policyForPrefix(policy: PolicyDocumentJson, prefix: string, filePrefix = 'manga-assist-'): PolicyDocumentJson {
  const rename = (r: string) => r.split(filePrefix).join(prefix);
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Resource: Array.isArray(s.Resource) ? s.Resource.map(rename) : rename(s.Resource) })),
  };
}

/**
 * The exports bucket's name in the files (`<prefix>exports`, as `npm start` names its local one):
 * the stack's bucket is named by CloudFormation, so its ARN takes the place of that name.
 */
export const EXPORTS_BUCKET_IN_FILES = 'exports';

export function policyWithExportsBucket(policy: PolicyDocumentJson, prefix: string, exportsBucketArn: string): PolicyDocumentJson {
  const named = `arn:aws:s3:::${prefix}${EXPORTS_BUCKET_IN_FILES}`;
  const place = (r: string) => (r === named || r.startsWith(`${named}/`) ? exportsBucketArn + r.slice(named.length) : r);
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Resource: Array.isArray(s.Resource) ? s.Resource.map(place) : place(s.Resource) })),
  };
}
