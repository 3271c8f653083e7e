// Redis for the cache, queues, pub/sub and locks: node-based ElastiCache (BullMQ's scripts are
// refused by the serverless flavour), a primary and a replica in two zones with automatic failover,
// TLS in transit, and `noeviction` so a full Redis refuses writes instead of dropping queued jobs.
import { aws_ec2 as ec2, aws_elasticache as elasticache } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const REDIS_PORT = 6379;

export interface CacheClusterProps {
  vpc: ec2.IVpc;
  nodeType: string;
  prefix: string;
}

export class CacheCluster extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly parameterGroup: elasticache.CfnParameterGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** `rediss://host:port`, the apps' REDIS_URL. */
  readonly url: string;
  /** The ids of the member nodes (CloudWatch's CacheClusterId), for per-node alarms. */
  readonly nodeIds: string[];

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: reachable from the app tasks only',
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'MangaAssist Redis in the isolated data subnets',
      subnetIds: props.vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds,
    });
    this.parameterGroup = new elasticache.CfnParameterGroup(this, 'ParameterGroup', {
      cacheParameterGroupFamily: 'valkey8',
      description: 'MangaAssist: noeviction (BullMQ queues must never lose a key)',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const groupId = `${props.prefix}redis`.slice(0, 40);
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: groupId,
      replicationGroupDescription: 'MangaAssist cache, queues, pub/sub and locks',
      engine: 'valkey',
      engineVersion: '8.0',
      cacheNodeType: props.nodeType,
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      port: REDIS_PORT,
      cacheParameterGroupName: this.parameterGroup.ref,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: 1,
    });
    this.url = `rediss://${this.replicationGroup.attrPrimaryEndPointAddress}:${this.replicationGroup.attrPrimaryEndPointPort}`;
    this.nodeIds = [1, 2].map((n) => `${groupId}-00${n}`);
  }
}
