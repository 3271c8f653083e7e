// What holds the data: the sessions, turns and operations tables (definitions from libs/aws, the ones the apps
// create locally), the analytics stream, the exports bucket and the audit log group. Tables, bucket
// and audit log are kept when the stack is deleted.
import { aws_dynamodb as dynamodb, aws_kinesis as kinesis, aws_logs as logs, aws_s3 as s3, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OPERATION_TTL_ATTRIBUTE, TTL_ATTRIBUTE, streamDefinitions, tableDefinitions } from '@manga-assist/aws';
import type { TableDefinition } from '@manga-assist/aws';

/** How long audit events are kept (AUDIT_SINK=cloudwatch writes to `<prefix>audit`). */
export const AUDIT_RETENTION = logs.RetentionDays.THIRTEEN_MONTHS;

const attributeType = (name: string, definition: TableDefinition) => {
  const type = definition.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
  return type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
};

export class DataStores extends Construct {
  readonly sessions: dynamodb.TableV2;
  readonly turns: dynamodb.TableV2;
  /** Long analyses (status monitors), deleted by TTL 24 h after they were created. */
  readonly operations: dynamodb.TableV2;
  readonly analytics: kinesis.Stream;
  readonly exports: s3.Bucket;
  readonly auditLog: logs.LogGroup;

  constructor(scope: Construct, id: string, props: { prefix: string }) {
    super(scope, id);
    const definitions = tableDefinitions(props.prefix);
    const table = (name: string, definition: TableDefinition, ttlAttribute = TTL_ATTRIBUTE) => {
      const key = (type: 'HASH' | 'RANGE') => {
        const attribute = definition.KeySchema.find((k) => k.KeyType === type)?.AttributeName;
        return attribute ? { name: attribute, type: attributeType(attribute, definition) } : undefined;
      };
      const partitionKey = key('HASH');
      if (!partitionKey) throw new Error(`${definition.TableName} has no hash key`);
      return new dynamodb.TableV2(this, name, {
        tableName: definition.TableName,
        partitionKey,
        sortKey: key('RANGE'),
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: ttlAttribute,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    };
    this.sessions = table('SessionsTable', definitions.sessions);
    this.turns = table('TurnsTable', definitions.turns);
    this.operations = table('OperationsTable', definitions.operations, OPERATION_TTL_ATTRIBUTE);

    const stream = streamDefinitions(props.prefix).analytics;
    this.analytics = new kinesis.Stream(this, 'AnalyticsStream', {
      streamName: stream.StreamName,
      shardCount: stream.ShardCount,
      retentionPeriod: Duration.hours(24),
      encryption: kinesis.StreamEncryption.MANAGED,
    });

    // Catalog exports are handed out as pre-signed URLs and are worth nothing after a week.
    this.exports = new s3.Bucket(this, 'ExportsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.auditLog = new logs.LogGroup(this, 'AuditLogGroup', {
      logGroupName: `${props.prefix}audit`,
      retention: AUDIT_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
