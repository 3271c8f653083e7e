// What the synthesized template promises an operator, checked offline (assets are not staged or
// bundled): the seeds' network, the services and their roles, Redis, the data stores, the alarms,
// and cdk-nag's AwsSolutions checks.
import fs from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { buildStack } from './app';
import { ACCEPTED_FINDINGS } from './nag-suppressions';

const INFRA = path.resolve(__dirname, '..');
const CDK_CONTEXT = (JSON.parse(fs.readFileSync(path.join(INFRA, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const APPS = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'];

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;

function synth(context: Record<string, unknown> = {}, options?: { suppressAcceptedFindings: boolean }): Stack {
  const app = new App({
    context: { ...CDK_CONTEXT, 'aws:cdk:disable-asset-staging': true, 'aws:cdk:bundling-stacks': [], ...context },
  });
  return buildStack(app, options);
}

/** Statements as sets, so the comparison does not depend on how CDK orders or collapses lists. */
/** The exports bucket's ARN in a template (`Fn::Join` of its `Fn::GetAtt` and a key pattern) as the policy files name it. */
function exportsArnAsInFiles(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const parts = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1] ?? [];
  const [bucket, ...rest] = parts;
  const logicalId = (bucket as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0] ?? '';
  if (!logicalId.startsWith('DataExportsBucket') || rest.some((p) => typeof p !== 'string')) return JSON.stringify(resource);
  return `arn:aws:s3:::manga-assist-exports${rest.join('')}`;
}

function normalize(document: { Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown }[] }) {
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as unknown[])] : [v]).map(exportsArnAsInFiles).sort();
  return document.Statement.map((s) => ({ Sid: s.Sid, Effect: s.Effect, Action: list(s.Action), Resource: list(s.Resource) })).sort((a, b) =>
    String(a.Sid).localeCompare(String(b.Sid)),
  );
}

describe('MangaAssist stack', () => {
  let stack: Stack;
  let template: Template;
  let resources: Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  beforeAll(() => {
    stack = synth();
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  it('passes cdk-nag AwsSolutions with nothing unsuppressed, and every suppression gives a reason', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-|CdkNagValidationFailure')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
    for (const finding of ACCEPTED_FINDINGS) expect(finding.reason.length).toBeGreaterThan(40);
  });

  it('suppresses only findings cdk-nag really reports (none is stale)', () => {
    const bare = synth({}, { suppressAcceptedFindings: false });
    const reported = new Set(
      Annotations.fromStack(bare)
        .findError('*', Match.stringLikeRegexp('AwsSolutions-'))
        .map((f) => `${String(f.entry.data).match(/AwsSolutions-[A-Z0-9]+/)![0]} ${f.id.replace(/^\/MangaAssist\//, '')}`),
    );
    const accepted = ACCEPTED_FINDINGS.flatMap((f) => f.paths.map((p) => `${f.id} ${p}`));
    expect([...reported].sort()).toEqual([...new Set(accepted)].sort());
  });

  it('spans three availability zones with no NAT gateway, and keeps tasks and Redis out of public subnets', () => {
    const subnets = ofType('AWS::EC2::Subnet').map(([, r]) => r.Properties);
    expect(new Set(subnets.map((s) => s['AvailabilityZone']))).toEqual(new Set(CDK_CONTEXT['availabilityZones'] as string[]));
    template.resourceCountIs('AWS::EC2::NatGateway', 0);

    // Subnets whose route table sends 0.0.0.0/0 to the internet gateway: the public ones.
    const routeTableOf = (subnetId: string) =>
      ofType('AWS::EC2::SubnetRouteTableAssociation').find(([, r]) => (r.Properties['SubnetId'] as { Ref: string }).Ref === subnetId)![1].Properties['RouteTableId'];
    const publicTables = ofType('AWS::EC2::Route')
      .filter(([, r]) => r.Properties['DestinationCidrBlock'] === '0.0.0.0/0')
      .map(([, r]) => JSON.stringify(r.Properties['RouteTableId']));
    const isPublic = (subnetId: string) => publicTables.includes(JSON.stringify(routeTableOf(subnetId)));
    expect(ofType('AWS::EC2::Subnet').filter(([id]) => isPublic(id))).toHaveLength(3);

    for (const [, service] of ofType('AWS::ECS::Service')) {
      const network = (service.Properties['NetworkConfiguration'] as { AwsvpcConfiguration: { AssignPublicIp: string; Subnets: { Ref: string }[] } }).AwsvpcConfiguration;
      expect(network.AssignPublicIp).toBe('DISABLED');
      expect(network.Subnets).toHaveLength(3);
      for (const subnet of network.Subnets) expect(isPublic(subnet.Ref)).toBe(false);
    }
    const [, subnetGroup] = ofType('AWS::ElastiCache::SubnetGroup')[0]!;
    for (const subnet of subnetGroup.Properties['SubnetIds'] as { Ref: string }[]) expect(isPublic(subnet.Ref)).toBe(false);
  });

  it('reaches AWS services through VPC endpoints: interface, gateway and OpenSearch Serverless', () => {
    const names = ofType('AWS::EC2::VPCEndpoint').map(([, r]) => ({ type: r.Properties['VpcEndpointType'], name: JSON.stringify(r.Properties['ServiceName']) }));
    const interfaces = names.filter((n) => n.type === 'Interface').map((n) => n.name);
    for (const service of ['bedrock-runtime', 'kinesis-streams', 'logs', 'ecr.api', 'ecr.dkr', 'secretsmanager', 'ssm']) {
      expect(interfaces.filter((n) => n.includes(`.${service}"`))).toHaveLength(1);
    }
    const gateways = names.filter((n) => n.type === 'Gateway').map((n) => n.name);
    for (const service of ['dynamodb', 's3']) expect(gateways.filter((n) => n.includes(`.${service}"`))).toHaveLength(1);
    template.hasResourceProperties('AWS::OpenSearchServerless::VpcEndpoint', { SubnetIds: Match.anyValue() });
    for (const [, endpoint] of ofType('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties['VpcEndpointType'] === 'Interface')) {
      expect(endpoint.Properties['PrivateDnsEnabled']).toBe(true);
    }
  });

  it('runs the four apps from one image on Fargate, with rollback on a failed deployment', () => {
    const services = ofType('AWS::ECS::Service');
    expect(services).toHaveLength(4);
    for (const [, service] of services) {
      expect(service.Properties['LaunchType']).toBe('FARGATE');
      expect(service.Properties['DeploymentConfiguration']).toMatchObject({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } });
    }
    const containers = ofType('AWS::ECS::TaskDefinition').map(([, r]) => (r.Properties['ContainerDefinitions'] as Record<string, unknown>[])[0]!);
    const images = new Set(containers.map((c) => JSON.stringify(c['Image'])));
    expect(images.size).toBe(1);
    const shapes = containers.map((c) => (c['Environment'] as { Name: string; Value: unknown }[]).find((e) => e.Name === 'APP')!.Value);
    expect(shapes.sort()).toEqual([...APPS].sort());
    for (const container of containers) {
      const env = Object.fromEntries((container['Environment'] as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      expect(env).toMatchObject({ LOCAL_STACK: 'false', HOST: '0.0.0.0', TABLE_PREFIX: 'manga-assist-' });
      expect(JSON.stringify(env['REDIS_URL'])).toContain('rediss://');
      // The control token is a task secret from Secrets Manager, never a plain variable.
      expect(env['CONTROL_TOKEN']).toBeUndefined();
      expect((container['Secrets'] as { Name: string }[]).map((s) => s.Name)).toEqual(['CONTROL_TOKEN']);
    }
  });

  it('injects webhook signing secrets into the gateway only, from the secrets an operator names', () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:manga-assist/webhooks/catalog-AbCdEf';
    const template = Template.fromStack(synth({ webhookSecretCatalog: arn })).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const containers = template.Resources;
    const secretsOf = (app: string) => {
      const task = Object.values(containers).find(
        (r) => r.Type === 'AWS::ECS::TaskDefinition' && JSON.stringify(r.Properties['ContainerDefinitions']).includes(`"Value":"${app}"`),
      )!;
      const container = (task.Properties['ContainerDefinitions'] as Record<string, unknown>[])[0]!;
      return container['Secrets'] as { Name: string; ValueFrom: unknown }[];
    };
    expect(secretsOf('chat-gateway').map((s) => s.Name).sort()).toEqual(['CONTROL_TOKEN', 'WEBHOOK_SECRET_CATALOG']);
    expect(JSON.stringify(secretsOf('chat-gateway'))).toContain(arn);
    expect(secretsOf('post-processor').map((s) => s.Name)).toEqual(['CONTROL_TOKEN']);
    expect(() => synth({ webhookSecretPayments: 'whsec_plain_value' })).toThrow(/context webhookSecretPayments/);
  });

  it('has the gateway verify its users against the stack user pool, through the cognito-idp endpoint, or an issuer named in context', () => {
    const gatewayEnv = (stack: Stack) => {
      const resources = Template.fromStack(stack).toJSON()['Resources'] as Record<string, { Type: string; Properties: Record<string, unknown> }>;
      const task = Object.values(resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition' && JSON.stringify(r.Properties['ContainerDefinitions']).includes('"Value":"chat-gateway"'))!;
      const container = (task.Properties['ContainerDefinitions'] as Record<string, unknown>[])[0]!;
      return { resources, env: Object.fromEntries((container['Environment'] as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value])) };
    };
    const own = gatewayEnv(stack);
    expect(own.env).toMatchObject({ AUTH_MODE: 'jwt', AUTH_AUDIENCE_CLAIM: 'client_id' });
    expect(JSON.stringify(own.env['AUTH_JWKS_URL'])).toContain('.well-known/jwks.json');
    expect(Object.values(own.resources).filter((r) => r.Type === 'AWS::Cognito::UserPool')).toHaveLength(1);
    const endpoints = Object.values(own.resources).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint').map((r) => JSON.stringify(r.Properties['ServiceName']));
    expect(endpoints.some((name) => name.includes('cognito-idp'))).toBe(true);

    const external = gatewayEnv(synth({ authIssuer: 'https://login.example.com/', authJwksUrl: 'https://login.example.com/jwks.json', authAudience: 'manga-chat' }));
    expect(external.env).toMatchObject({ AUTH_MODE: 'jwt', AUTH_ISSUER: 'https://login.example.com/', AUTH_AUDIENCE: 'manga-chat' });
    expect(Object.values(external.resources).filter((r) => r.Type === 'AWS::Cognito::UserPool')).toHaveLength(0);
    expect(() => synth({ authIssuer: 'https://login.example.com/' })).toThrow(/authIssuer, authJwksUrl and authAudience go together/);
  });

  it('scales every service on 60 % CPU, with at least two gateway and two post-processor tasks', () => {
    const targets = ofType('AWS::ApplicationAutoScaling::ScalableTarget').map(([id, r]) => ({ id, min: r.Properties['MinCapacity'] as number }));
    expect(targets).toHaveLength(4);
    const min = (app: string) => targets.find((t) => t.id.includes(app.replace(/-/g, '')))!.min;
    expect(min('chatgateway')).toBe(2);
    expect(min('postprocessor')).toBe(2);
    for (const [, policy] of ofType('AWS::ApplicationAutoScaling::ScalingPolicy')) {
      expect(policy.Properties['TargetTrackingScalingPolicyConfiguration']).toMatchObject({
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      });
    }
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 4);
  });

  it('puts the gateway behind a public load balancer with a WebSocket-friendly idle timeout and /readyz checks', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '600' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/readyz', Port: 3000, TargetType: 'ip' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
  });

  it("gives each app's task role exactly its checked policy from ops/aws/iam", () => {
    const roles = ofType('AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties['AssumeRolePolicyDocument']).includes('ecs-tasks.amazonaws.com'));
    for (const app of APPS) {
      const file = JSON.parse(fs.readFileSync(path.resolve(INFRA, '../ops/aws/iam', `${app}.json`), 'utf8'));
      const [, role] = roles.find(([, r]) => r.Properties['Description'] === `MangaAssist ${app}: the AWS calls it makes (ops/aws/iam/${app}.json)`)!;
      const policies = role.Properties['Policies'] as { PolicyName: string; PolicyDocument: never }[];
      expect(policies).toHaveLength(1);
      expect(role.Properties['ManagedPolicyArns']).toBeUndefined();
      expect(normalize(policies[0]!.PolicyDocument)).toEqual(normalize(file));
    }
    const taskRoleRefs = ofType('AWS::ECS::TaskDefinition').map(([, r]) => JSON.stringify(r.Properties['TaskRoleArn']));
    for (const [id] of roles.filter(([, r]) => String(r.Properties['Description'] ?? '').startsWith('MangaAssist '))) {
      expect(taskRoleRefs.filter((ref) => ref.includes(`"${id}"`))).toHaveLength(1);
    }
    // The gateway's exports go to the stack's bucket, under its prefix only, and it is told the bucket's name.
    const gateway = roles.find(([, r]) => String(r.Properties['Description']).startsWith('MangaAssist chat-gateway:'))![1];
    const exportsStatement = JSON.stringify((gateway.Properties['Policies'] as { PolicyDocument: { Statement: { Sid: string }[] } }[])[0]!.PolicyDocument.Statement.find((st) => st.Sid === 'CatalogExports'));
    expect(exportsStatement).toMatch(/"Fn::GetAtt":\["DataExportsBucket\w+","Arn"\]\},"\/catalog-exports\/\*"/);
    const gatewayTask = ofType('AWS::ECS::TaskDefinition').find(([, r]) => JSON.stringify(r.Properties['ContainerDefinitions']).includes('"APP","Value":"chat-gateway"') || JSON.stringify(r.Properties['ContainerDefinitions']).includes('"Name":"APP","Value":"chat-gateway"'))![1];
    const environment = (gatewayTask.Properties['ContainerDefinitions'] as { Environment: { Name: string; Value: unknown }[] }[])[0]!.Environment;
    expect(JSON.stringify(environment.find((e) => e.Name === 'EXPORT_BUCKET')?.Value)).toMatch(/^\{"Ref":"DataExportsBucket\w+"\}$/);
    // No statement of the stack attaches to a task role besides its inline policy.
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const [id] of roles.filter(([, r]) => String(r.Properties['Description'] ?? '').startsWith('MangaAssist '))) {
        expect(JSON.stringify(policy.Properties['Roles'])).not.toContain(`"${id}"`);
      }
    }
  });

  it('renames the policies resources with another resource prefix', () => {
    const staged = Template.fromStack(synth({ resourcePrefix: 'stage-' })).toJSON() as { Resources: Resources };
    const roles = Object.values(staged.Resources).filter((r) => r.Type === 'AWS::IAM::Role' && String(r.Properties['Description'] ?? '').startsWith('MangaAssist '));
    const text = JSON.stringify(roles);
    expect(text).toContain('table/stage-sessions');
    expect(text).not.toContain('manga-assist-');
    expect(JSON.stringify(staged.Resources)).toContain('"stage-sessions"');
  });

  it('runs node-based Redis (Valkey) with a replica, failover, TLS and noeviction', () => {
    template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { Properties: { 'maxmemory-policy': 'noeviction' } });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      CacheParameterGroupName: { Ref: Match.stringLikeRegexp('ParameterGroup') },
    });
  });

  it('keeps sessions and turns in on-demand tables with PITR and TTL on ttl, and the stream, bucket and audit log', () => {
    for (const name of ['manga-assist-sessions', 'manga-assist-turns']) {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
          Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        }),
      });
    }
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'manga-assist-turns',
      KeySchema: [
        { AttributeName: 'sessionId', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'seq', AttributeType: 'N' }]),
    });
    // Long analyses: deleted 24 h after creation by TTL on expiresAt.
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'manga-assist-operations',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'manga-assist-analytics', ShardCount: 2, StreamEncryption: Match.objectLike({ EncryptionType: 'KMS' }) });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { LogGroupName: 'manga-assist-audit', RetentionInDays: 400 } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
    });
  });

  it('creates an encrypted vector collection reachable only through the VPC endpoint, readable by the searching apps', () => {
    template.hasResourceProperties('AWS::OpenSearchServerless::Collection', { Type: 'VECTORSEARCH', Name: 'manga-assist-catalog' });
    const policies = ofType('AWS::OpenSearchServerless::SecurityPolicy').map(([, r]) => r.Properties);
    const network = policies.find((p) => p['Type'] === 'network')!;
    expect(JSON.stringify(network['Policy'])).toContain('\\"AllowFromPublic\\":false');
    expect(JSON.stringify(network['Policy'])).toContain('SourceVPCEs');
    expect(JSON.stringify(policies.find((p) => p['Type'] === 'encryption')!['Policy'])).toContain('AWSOwnedKey');
    const access = JSON.stringify(template.findResources('AWS::OpenSearchServerless::AccessPolicy'));
    expect(access).toContain('aoss:ReadDocument');
    const [collection] = Object.values(template.findResources('AWS::OpenSearchServerless::Collection'));
    expect(JSON.stringify(collection!['DependsOn'])).toMatch(/EncryptionPolicy.*NetworkPolicy|NetworkPolicy.*EncryptionPolicy/);
  });

  it('has the health checker probe the collection host and report the collection and its VPC endpoint', () => {
    const containers = ofType('AWS::ECS::TaskDefinition').map(([, r]) => (r.Properties['ContainerDefinitions'] as { Environment: { Name: string; Value: unknown }[] }[])[0]!);
    const health = containers.find((c) => c.Environment.some((e) => e.Name === 'APP' && e.Value === 'health-checker'))!;
    const env = Object.fromEntries(health.Environment.map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({ HEALTH_MODE: 'aws', OPENSEARCH_COLLECTION: 'manga-assist-catalog' });
    const [endpointId] = Object.keys(template.findResources('AWS::OpenSearchServerless::VpcEndpoint'));
    expect(env['OPENSEARCH_VPC_ENDPOINT_ID']).toEqual({ 'Fn::GetAtt': [endpointId, 'Id'] });
    expect(JSON.stringify(env['OPENSEARCH_COLLECTION_HOST'])).toContain('CollectionEndpoint');
  });

  it('has the searching apps find the collection by name, and search it with Titan when vectorIndex=opensearch', () => {
    const envOf = (t: Template, app: string) => {
      const containers = Object.values(t.findResources('AWS::ECS::TaskDefinition')).map(
        (r) => (r['Properties'] as { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[] }[] }).ContainerDefinitions[0]!,
      );
      const container = containers.find((c) => c.Environment.some((e) => e.Name === 'APP' && e.Value === app))!;
      return Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value]));
    };
    for (const app of ['chat-gateway', 'prefetch-scheduler']) {
      expect(envOf(template, app)).toMatchObject({ VECTOR_INDEX: 'hnsw', OPENSEARCH_COLLECTION: 'manga-assist-catalog' });
      expect(envOf(template, app)['OPENSEARCH_ENDPOINT']).toBeUndefined();
    }
    const opensearch = Template.fromStack(synth({ vectorIndex: 'opensearch' }));
    for (const app of ['chat-gateway', 'prefetch-scheduler']) {
      expect(envOf(opensearch, app)).toMatchObject({ VECTOR_INDEX: 'opensearch', OPENSEARCH_COLLECTION: 'manga-assist-catalog', SEARCH_EMBEDDER: 'titan' });
    }
  });

  it('has the gateway read client addresses from the ALB, and the post-processor verify admins against the users’ issuer', () => {
    const containers = ofType('AWS::ECS::TaskDefinition').map(([, r]) => (r.Properties['ContainerDefinitions'] as { Environment: { Name: string; Value: unknown }[] }[])[0]!);
    const envOf = (app: string) => Object.fromEntries(containers.find((c) => c.Environment.some((e) => e.Name === 'APP' && e.Value === app))!.Environment.map((e) => [e.Name, e.Value]));
    expect(envOf('chat-gateway')).toMatchObject({ TRUST_PROXY_HOPS: '1', AUTH_MODE: 'jwt' });
    expect(envOf('post-processor')).toMatchObject({ AUTH_MODE: 'jwt', AUTH_AUDIENCE_CLAIM: 'client_id' });
    expect(envOf('post-processor')['AUTH_ISSUER']).toEqual(envOf('chat-gateway')['AUTH_ISSUER']);
  });

  it('lets only the named catalog loaders write to the collection', () => {
    const readOnly = JSON.stringify(template.findResources('AWS::OpenSearchServerless::AccessPolicy'));
    expect(readOnly).not.toContain('aoss:WriteDocument');
    const loader = 'arn:aws:iam::123456789012:role/catalog-loader';
    const withLoader = JSON.stringify(Template.fromStack(synth({ catalogLoaders: loader })).findResources('AWS::OpenSearchServerless::AccessPolicy'));
    expect(withLoader).toContain('aoss:WriteDocument');
    expect(withLoader).toContain(loader);
  });

  it("raises the seeds' alarms with their thresholds", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const byName = (fragment: string) => alarms.filter((a) => String(a['AlarmName']).includes(fragment));
    expect(byName('5XX over 1 %')[0]).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(JSON.stringify(byName('5XX')[0]!['Metrics'])).toContain('HTTPCode_Target_5XX_Count');
    // p99 more than 20 % over the 0.9 s baseline.
    expect(byName('p99 latency')[0]).toMatchObject({ Threshold: 1.08, EvaluationPeriods: 5, ExtendedStatistic: 'p99', MetricName: 'TargetResponseTime' });
    const bedrock = byName('Bedrock invocations')[0]!;
    expect(bedrock).toMatchObject({ Threshold: 10_000, EvaluationPeriods: 1 });
    expect(JSON.stringify(bedrock['Metrics'])).toContain('"Period":300');
    expect(JSON.stringify(bedrock['Metrics'])).toContain('anthropic.claude-3-5-sonnet');
    expect(byName('dead letters present')[0]).toMatchObject({ Threshold: 0, MetricName: 'DeadLetters', Namespace: 'MangaAssist' });
    const redis = byName('Redis memory over 75 %');
    expect(redis).toHaveLength(2);
    for (const alarm of redis) expect(alarm).toMatchObject({ Threshold: 75, MetricName: 'DatabaseMemoryUsagePercentage', Namespace: 'AWS/ElastiCache' });
    expect(byName('probe failing')[0]).toMatchObject({ Threshold: 0, MetricName: 'ProbeFailures' });
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.msg = "job moved to the dead-letter queue" }' });
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.to = "unhealthy" }' });
    for (const alarm of alarms) expect(alarm['AlarmActions']).toHaveLength(1);
  });

  it('stops a synth with a bad setting, naming the context key', () => {
    expect(() => synth({ availabilityZones: ['ap-northeast-1a'] })).toThrow('context availabilityZones must name three availability zones');
    expect(() => synth({ vectorIndex: 'elastic' })).toThrow(/context vectorIndex/);
  });
});
