// The IAM policies in ops/aws/iam, and the AWS calls an app made, in IAM's terms: enough of
// IAM's evaluation (Allow statements, `*` and `?` wildcards in actions and resources) to check
// that a policy grants every call the app was seen to make.
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedRequest } from '@manga-assist/testing';

export const IAM_DIR = path.resolve(__dirname, '../../ops/aws/iam');

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** A call in IAM's terms: `dynamodb:GetItem` on `arn:aws:dynamodb:…:table/manga-assist-sessions`. */
export interface AwsCall {
  action: string;
  resource: string;
}

export function readPolicy(app: string): PolicyDocument {
  return JSON.parse(fs.readFileSync(path.join(IAM_DIR, `${app}.json`), 'utf8')) as PolicyDocument;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** IAM's wildcard match: `*` any run of characters, `?` one; actions compare without case. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** Whether the policy allows the call: some Allow statement matches it and no Deny does. */
export function allows(policy: PolicyDocument, call: AwsCall): boolean {
  const matches = (s: PolicyStatement) =>
    list(s.Action).some((a) => wildcardMatch(a, call.action, true)) && list(s.Resource).some((r) => wildcardMatch(r, call.resource));
  return policy.Statement.some((s) => s.Effect === 'Allow' && matches(s)) && !policy.Statement.some((s) => s.Effect === 'Deny' && matches(s));
}

export interface CallContext {
  region: string;
  account: string;
  /** The resource-name prefix the app ran with, and the one the policies are written for. */
  prefix: { actual: string; policy: string };
}

const rename = (name: string, { prefix }: CallContext) => (name.startsWith(prefix.actual) ? prefix.policy + name.slice(prefix.actual.length) : name);

/** The DynamoDB, Kinesis or CloudWatch Logs calls in requests to a JSON-protocol endpoint (X-Amz-Target). */
export function jsonProtocolCalls(requests: RecordedRequest[], context: CallContext): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const request of requests) {
    const target = String(request.headers['x-amz-target'] ?? '');
    const [service, operation] = target.split('.') as [string, string | undefined];
    if (!operation) throw new Error(`not a JSON-protocol AWS call: ${request.method} ${request.url} (x-amz-target "${target}")`);
    const body = JSON.parse(request.body || '{}') as {
      TableName?: string;
      RequestItems?: Record<string, unknown>;
      StreamName?: string;
      StreamARN?: string;
      logGroupName?: string;
      logStreamName?: string;
    };
    if (service.startsWith('DynamoDB_')) {
      const tables = body.TableName ? [body.TableName] : Object.keys(body.RequestItems ?? {});
      for (const table of tables) {
        calls.push({ action: `dynamodb:${operation}`, resource: `arn:aws:dynamodb:${context.region}:${context.account}:table/${rename(table, context)}` });
      }
    } else if (service.startsWith('Kinesis_')) {
      const stream = body.StreamName ?? body.StreamARN?.split('/').pop() ?? '';
      calls.push({ action: `kinesis:${operation}`, resource: `arn:aws:kinesis:${context.region}:${context.account}:stream/${rename(stream, context)}` });
    } else if (service.startsWith('Logs_')) {
      // CreateLogStream acts on the group, PutLogEvents on a stream of it.
      const group = `arn:aws:logs:${context.region}:${context.account}:log-group:${rename(body.logGroupName ?? '', context)}`;
      calls.push({ action: `logs:${operation}`, resource: operation === 'PutLogEvents' ? `${group}:log-stream:${body.logStreamName}` : group });
    } else {
      throw new Error(`unknown AWS service in x-amz-target "${target}"`);
    }
  }
  return calls;
}

/**
 * The Bedrock runtime calls in requests to a Bedrock endpoint (`/model/{id}/converse-stream`,
 * `/model/{id}/invoke`, `/guardrail/{id}/version/{version}/apply`).
 */
export function bedrockCalls(requests: RecordedRequest[], context: CallContext): AwsCall[] {
  const actions: Record<string, string> = {
    'converse-stream': 'bedrock:InvokeModelWithResponseStream',
    converse: 'bedrock:InvokeModel',
    invoke: 'bedrock:InvokeModel',
    'invoke-with-response-stream': 'bedrock:InvokeModelWithResponseStream',
  };
  return requests.map((request) => {
    const guardrail = /^\/guardrail\/([^/]+)\/version\/[^/]+\/apply$/.exec(request.url.split('?')[0] ?? '');
    if (guardrail) {
      return { action: 'bedrock:ApplyGuardrail', resource: `arn:aws:bedrock:${context.region}:${context.account}:guardrail/${decodeURIComponent(guardrail[1]!)}` };
    }
    const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(request.url.split('?')[0] ?? '');
    const action = match ? actions[match[2]!] : undefined;
    if (!match || !action) throw new Error(`not a Bedrock runtime call: ${request.method} ${request.url}`);
    const model = decodeURIComponent(match[1]!);
    return { action, resource: `arn:aws:bedrock:${context.region}::foundation-model/${model}` };
  });
}
