import fs from 'node:fs';
import { TTL_ATTRIBUTE, streamDefinitions, tableDefinitions } from '@manga-assist/aws';
import { TEMPLATE_FILE, buildTemplate, renderTemplate } from './deployment-template';
import { readPolicy } from './iam-policy';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

const template = buildTemplate() as unknown as { Parameters: Record<string, { Default: string }>; Resources: Record<string, Resource> };

/** Resolves `{"Fn::Sub": "${ResourcePrefix}…"}` the way CloudFormation would, for the given prefix. */
function resolve(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, prefix));
  if (value && typeof value === 'object') {
    const sub = (value as Record<string, unknown>)['Fn::Sub'];
    if (typeof sub === 'string') return sub.split('${ResourcePrefix}').join(prefix);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, prefix)]));
  }
  return value;
}

describe('deployment template (ops/aws/manga-assist.template.json)', () => {
  it('is up to date with the code (npm run aws:template writes it)', () => {
    expect(fs.readFileSync(TEMPLATE_FILE, 'utf8')).toBe(renderTemplate());
  });

  it('creates the tables the apps use, with TTL on the attribute their items expire by', () => {
    const definitions = tableDefinitions('stage-');
    for (const [id, definition] of [
      ['SessionsTable', definitions.sessions],
      ['TurnsTable', definitions.turns],
    ] as const) {
      const resource = resolve(template.Resources[id], 'stage-') as Resource;
      expect(resource.Type).toBe('AWS::DynamoDB::Table');
      expect(resource.Properties).toMatchObject({
        TableName: definition.TableName,
        KeySchema: definition.KeySchema,
        AttributeDefinitions: definition.AttributeDefinitions,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      });
    }
    const stream = resolve(template.Resources['AnalyticsStream'], 'stage-') as Resource;
    expect(stream.Properties).toMatchObject({ Name: streamDefinitions('stage-').analytics.StreamName, ShardCount: 2 });
    // The group the post-processor's CloudWatch audit sink writes to by default (<TABLE_PREFIX>audit).
    const logGroup = resolve(template.Resources['AuditLogGroup'], 'stage-') as Resource;
    expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'stage-audit', RetentionInDays: expect.any(Number) } });
  });

  it("grants each app's policy from ops/aws/iam, renamed with the stack's prefix", () => {
    const apps = { ChatGatewayPolicy: 'chat-gateway', PostProcessorPolicy: 'post-processor', PrefetchSchedulerPolicy: 'prefetch-scheduler' };
    for (const [id, app] of Object.entries(apps)) {
      const resource = template.Resources[id]!;
      expect(resource.Type).toBe('AWS::IAM::ManagedPolicy');
      // With the default prefix the policy is the file itself; with another, only the names move.
      expect(resolve(resource.Properties['PolicyDocument'], template.Parameters['ResourcePrefix']!.Default)).toEqual(readPolicy(app));
      const staged = JSON.stringify(resolve(resource.Properties['PolicyDocument'], 'stage-'));
      expect(staged).not.toContain('manga-assist-');
      if (app !== 'prefetch-scheduler') expect(staged).toContain('stage-sessions');
    }
  });

  it('substitutes nothing but the prefix parameter', () => {
    const subs = JSON.stringify(template).match(/\$\{[^}]*\}/g) ?? [];
    expect(new Set(subs)).toEqual(new Set(['${ResourcePrefix}']));
  });
});
