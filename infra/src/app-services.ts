// The four apps as ECS Fargate services of one image (APP= picks the shape), in the isolated task
// subnets: the gateway behind a public load balancer, the others reachable by name inside the VPC
// (Cloud Map). Each task role carries exactly its app's policy from ops/aws/iam.
import type {
  aws_secretsmanager as secretsmanager} from 'aws-cdk-lib';
import {
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_logs as logs,
  aws_s3 as s3,
  aws_servicediscovery as servicediscovery,
  Duration,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { APPS, policyForPrefix, policyWithExportsBucket, readPolicy } from './iam-policies';
import type { AppName } from './iam-policies';

/** Size, replicas and port variable of each shape (seed 004: 0.25-2 vCPU per task, scale on CPU 60 %). */
export const SHAPES: Record<AppName, { cpu: number; memoryMiB: number; minTasks: number; maxTasks: number; portVariable: string }> = {
  'chat-gateway': { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 10, portVariable: 'GATEWAY_PORT' },
  'post-processor': { cpu: 256, memoryMiB: 512, minTasks: 2, maxTasks: 6, portVariable: 'POST_PROCESSOR_PORT' },
  'prefetch-scheduler': { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2, portVariable: 'SCHEDULER_PORT' },
  'health-checker': { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2, portVariable: 'HEALTH_CHECKER_PORT' },
};

export const CPU_TARGET_PERCENT = 60;
/** API Gateway WebSocket's idle limit (10 min): the web client's pings keep a socket open past it. */
export const LOAD_BALANCER_IDLE_TIMEOUT = Duration.minutes(10);

export interface AppServicesProps {
  vpc: ec2.IVpc;
  image: ecs.ContainerImage;
  prefix: string;
  /** Variables every app gets (REDIS_URL, AWS_REGION, …). */
  environment: Record<string, string>;
  /** Variables of one app on top of the shared ones. */
  appEnvironment: Record<AppName, Record<string, string>>;
  controlToken: secretsmanager.ISecret;
  /** Task secrets of one app on top of CONTROL_TOKEN (the gateway's webhook signing secrets). */
  appSecrets?: Partial<Record<AppName, Record<string, secretsmanager.ISecret>>>;
  certificateArn?: string;
  /** The catalog exports bucket, in place of its name in the policy files (the gateway writes and reads its exports). */
  exportsBucketArn: string;
}

export class AppServices extends Construct {
  readonly cluster: ecs.Cluster;
  readonly services = {} as Record<AppName, ecs.FargateService>;
  readonly taskRoles = {} as Record<AppName, iam.Role>;
  readonly logGroups = {} as Record<AppName, logs.LogGroup>;
  readonly containers = {} as Record<AppName, ecs.ContainerDefinition>;
  readonly securityGroup: ec2.SecurityGroup;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: AppServicesProps) {
    super(scope, id);
    const { vpc } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: 'manga-assist.internal', type: servicediscovery.NamespaceType.DNS_PRIVATE, vpc },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', { vpc, description: 'MangaAssist app tasks' });
    // The gateway asks the other apps for their status over tRPC.
    this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.tcpRange(3000, 3003), 'the apps call each other');

    const internalUrl = (app: AppName) => `http://${app}.manga-assist.internal:${DEFAULT_PORTS[app]}`;
    const peers: Record<string, string> = {
      SCHEDULER_URL: internalUrl('prefetch-scheduler'),
      POST_PROCESSOR_URL: internalUrl('post-processor'),
      HEALTH_CHECKER_URL: internalUrl('health-checker'),
    };

    for (const app of APPS) {
      const shape = SHAPES[app];
      const port = DEFAULT_PORTS[app];
      const taskRole = new iam.Role(this, `${app}-task-role`, {
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
        description: `MangaAssist ${app}: the AWS calls it makes (ops/aws/iam/${app}.json)`,
        inlinePolicies: { [app]: iam.PolicyDocument.fromJson(policyWithExportsBucket(policyForPrefix(readPolicy(app), props.prefix), props.prefix, props.exportsBucketArn)) },
      });
      this.taskRoles[app] = taskRole;
      const logGroup = new logs.LogGroup(this, `${app}-logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
      this.logGroups[app] = logGroup;
      const task = new ecs.FargateTaskDefinition(this, `${app}-task`, {
        cpu: shape.cpu,
        memoryLimitMiB: shape.memoryMiB,
        taskRole,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
      this.containers[app] = task.addContainer('app', {
        image: props.image,
        essential: true,
        portMappings: [{ containerPort: port, name: 'http' }],
        environment: {
          ...props.environment,
          APP: app,
          HOST: '0.0.0.0',
          [shape.portVariable]: String(port),
          ...(app === 'chat-gateway' ? peers : {}),
          ...props.appEnvironment[app],
        },
        secrets: {
          CONTROL_TOKEN: ecs.Secret.fromSecretsManager(props.controlToken),
          ...Object.fromEntries(Object.entries(props.appSecrets?.[app] ?? {}).map(([name, secret]) => [name, ecs.Secret.fromSecretsManager(secret)])),
        },
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: app }),
        // The image's own HEALTHCHECK, which ECS does not read: same script, same port variable.
        healthCheck: {
          command: ['CMD', 'node', '/app/healthcheck.cjs'],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          startPeriod: Duration.seconds(30),
          retries: 3,
        },
        // An init process as PID 1 passes SIGTERM on to node and reaps children.
        linuxParameters: new ecs.LinuxParameters(this, `${app}-linux`, { initProcessEnabled: true }),
        stopTimeout: Duration.seconds(30),
      });
      const service = new ecs.FargateService(this, `${app}-service`, {
        cluster: this.cluster,
        serviceName: `${props.prefix}${app}`,
        taskDefinition: task,
        desiredCount: shape.minTasks,
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        vpcSubnets: { subnetGroupName: 'tasks' },
        securityGroups: [this.securityGroup],
        assignPublicIp: false,
        circuitBreaker: { enable: true, rollback: true },
        cloudMapOptions: { name: app, dnsRecordType: servicediscovery.DnsRecordType.A, dnsTtl: Duration.seconds(10) },
        enableExecuteCommand: false,
      });
      service
        .autoScaleTaskCount({ minCapacity: shape.minTasks, maxCapacity: shape.maxTasks })
        .scaleOnCpuUtilization('cpu', { targetUtilizationPercent: CPU_TARGET_PERCENT, scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) });
      this.services[app] = service;
    }

    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    const albSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc, description: 'MangaAssist public load balancer' });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: albSecurityGroup,
      idleTimeout: LOAD_BALANCER_IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    const gatewayPort = DEFAULT_PORTS['chat-gateway'];
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'GatewayTargets', {
      vpc,
      port: gatewayPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.services['chat-gateway']],
      // Ready means warm: a task gets traffic once its pools are open and each downstream answered.
      healthCheck: { path: '/readyz', healthyHttpCodes: '200', interval: Duration.seconds(10), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
      // Long enough for open WebSockets to finish their answer; the gateway drains on SIGTERM.
      deregistrationDelay: Duration.seconds(30),
    });
    if (props.certificateArn) {
      this.loadBalancer.addListener('Https', {
        port: 443,
        certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.targetGroup],
      });
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    } else {
      this.loadBalancer.addListener('Http', { port: 80, defaultTargetGroups: [this.targetGroup] });
    }
    this.securityGroup.connections.allowFrom(albSecurityGroup, ec2.Port.tcp(gatewayPort), 'the load balancer reaches the gateway');
  }
}
