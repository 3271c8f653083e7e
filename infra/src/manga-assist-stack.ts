// The whole deployment in one stack: network, data stores, Redis, the search collection, the four
// services and their alarms. Environment-agnostic in account and lookup-free, so `cdk synth` runs
// offline with no credentials.
import { aws_ec2 as ec2, aws_secretsmanager as secretsmanager, Aws, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import type { StackProps , aws_ecs as ecs} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms';
import { AppServices } from './app-services';
import { CacheCluster, REDIS_PORT } from './cache-cluster';
import { DataStores } from './data-stores';
import { externalAuth, Identity } from './identity';
import { Network } from './network';
import { SearchCollection } from './search-collection';
import type { Settings } from './settings';

export interface MangaAssistStackProps extends StackProps {
  settings: Settings;
  /** The container image of the four apps (built from the repository's Dockerfile by default). */
  image: ecs.ContainerImage;
}

/** Where the image keeps the catalog and the prebuilt HNSW index (see Dockerfile). */
export const IMAGE_CATALOG_PATH = '/app/data/catalog/catalog.jsonl.gz';
export const IMAGE_INDEX_DIR = '/app/index';

export class MangaAssistStack extends Stack {
  constructor(scope: Construct, id: string, props: MangaAssistStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const prefix = settings.resourcePrefix;

    const network = new Network(this, 'Network', { availabilityZones: settings.availabilityZones, prefix });
    const data = new DataStores(this, 'Data', { prefix });
    const cache = new CacheCluster(this, 'Redis', { vpc: network.vpc, nodeType: settings.cacheNodeType, prefix });
    const controlToken = new secretsmanager.Secret(this, 'ControlToken', {
      description: 'MangaAssist CONTROL_TOKEN: the bearer token of control calls, shared by the four apps',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });

    // Webhook signing secrets are issued by the publisher or Stripe, so they are referenced, not generated.
    const webhookSecrets: Record<string, secretsmanager.ISecret> = {};
    for (const [name, arn] of [
      ['WEBHOOK_SECRET_CATALOG', settings.webhookSecretCatalog],
      ['WEBHOOK_SECRET_REVIEWS', settings.webhookSecretReviews],
      ['WEBHOOK_SECRET_PAYMENTS', settings.webhookSecretPayments],
    ] as const) {
      if (arn) webhookSecrets[name] = secretsmanager.Secret.fromSecretCompleteArn(this, name, arn);
    }

    // Who the gateway's users are: the stack's Cognito user pool, or an issuer the operator names.
    const auth =
      settings.authIssuer && settings.authJwksUrl && settings.authAudience
        ? externalAuth({ issuer: settings.authIssuer, jwksUrl: settings.authJwksUrl, audience: settings.authAudience })
        : new Identity(this, 'Identity', { prefix });

    const collectionName = `${prefix}catalog`.slice(0, 32);
    const search = (): Record<string, string> => ({
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_HAIKU_MODEL_ID: settings.haikuModelId,
      BEDROCK_SONNET_MODEL_ID: settings.sonnetModelId,
      CATALOG_PATH: IMAGE_CATALOG_PATH,
      INDEX_DIR: IMAGE_INDEX_DIR,
      VECTOR_INDEX: settings.vectorIndex,
    });
    const services = new AppServices(this, 'Apps', {
      vpc: network.vpc,
      image: props.image,
      prefix,
      controlToken,
      appSecrets: { 'chat-gateway': webhookSecrets },
      certificateArn: settings.certificateArn,
      exportsBucketArn: data.exports.bucketArn,
      environment: {
        LOCAL_STACK: 'false',
        AWS_REGION: Aws.REGION,
        TABLE_PREFIX: prefix,
        REDIS_URL: cache.url,
        LOG_LEVEL: 'info',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      appEnvironment: {
        // Behind the ALB: the client's address is the X-Forwarded-For entry the ALB appends (fair limits per IP).
        'chat-gateway': { ...search(), ...auth.environment, TRUST_PROXY_HOPS: '1', EXPORT_BUCKET: data.exports.bucketName },
        'prefetch-scheduler': search(),
        // The users' issuer, as the gateway's (an admin's token opens the queue controls); its analysis queue calls Sonnet on Bedrock.
        'post-processor': { AUDIT_SINK: 'cloudwatch', CATALOG_PATH: IMAGE_CATALOG_PATH, INDEX_DIR: IMAGE_INDEX_DIR, ...auth.environment, MODEL_PROVIDER: 'bedrock', BEDROCK_HAIKU_MODEL_ID: settings.haikuModelId, BEDROCK_SONNET_MODEL_ID: settings.sonnetModelId },
        'health-checker': { HEALTH_MODE: 'aws' },
      },
    });
    cache.securityGroup.addIngressRule(services.securityGroup, ec2.Port.tcp(REDIS_PORT), 'the app tasks');
    network.endpointSecurityGroup.addIngressRule(services.securityGroup, ec2.Port.tcp(443), 'the app tasks');

    const collection = new SearchCollection(this, 'Search', {
      name: collectionName,
      vpcEndpointId: network.opensearchEndpoint.attrId,
      readers: [services.taskRoles['chat-gateway'], services.taskRoles['prefetch-scheduler']],
      loaders: settings.catalogLoaders,
    });
    // Health checker: the collection's own host, so it probes the VPC endpoint path the apps take.
    const collectionHost = Fn.select(1, Fn.split('//', collection.collection.attrCollectionEndpoint));
    services.containers['health-checker'].addEnvironment('OPENSEARCH_COLLECTION_HOST', collectionHost);
    // …and reports the collection's and its VPC endpoint's status beside the probes.
    services.containers['health-checker'].addEnvironment('OPENSEARCH_COLLECTION', collectionName);
    services.containers['health-checker'].addEnvironment('OPENSEARCH_VPC_ENDPOINT_ID', network.opensearchEndpoint.attrId);
    // The searching apps find the collection by name and wait, not ready, until it is ACTIVE.
    for (const app of ['chat-gateway', 'prefetch-scheduler'] as const) {
      const container = services.containers[app];
      container.addEnvironment('OPENSEARCH_COLLECTION', collectionName);
      if (settings.vectorIndex === 'opensearch') container.addEnvironment('SEARCH_EMBEDDER', 'titan');
    }

    const alarms = new Alarms(this, 'Alarms', {
      loadBalancer: services.loadBalancer,
      postProcessorLogs: services.logGroups['post-processor'],
      healthCheckerLogs: services.logGroups['health-checker'],
      redisNodeIds: cache.nodeIds,
      p99BaselineSeconds: settings.p99BaselineSeconds,
      bedrockModelIds: [settings.haikuModelId, settings.sonnetModelId],
      bedrockInvocationsPer5Min: settings.bedrockInvocationsPer5Min,
      email: settings.alarmEmail,
    });

    new CfnOutput(this, 'ChatUrl', { value: `${settings.certificateArn ? 'https' : 'http'}://${services.loadBalancer.loadBalancerDnsName}/v1/chat` });
    new CfnOutput(this, 'ControlTokenSecret', { value: controlToken.secretArn });
    new CfnOutput(this, 'CollectionEndpoint', { value: collection.collection.attrCollectionEndpoint });
    new CfnOutput(this, 'ExportsBucket', { value: data.exports.bucketName });
    new CfnOutput(this, 'AlarmTopic', { value: alarms.topic.topicArn });
  }
}
