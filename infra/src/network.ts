// The VPC of seed 001's table: three zones, tasks and Redis in isolated subnets with no route to
// the internet, AWS services reached through VPC endpoints (no NAT gateway on any path); public
// subnets hold only the load balancer.
import { aws_ec2 as ec2, aws_logs as logs, aws_opensearchserverless as aoss, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface NetworkProps {
  availabilityZones: string[];
  prefix: string;
}

/** Interface endpoints by the name the health checker and the docs use. */
const INTERFACE_ENDPOINTS = {
  BedrockRuntime: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
  Kinesis: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  // The gateway reads the user pool's signing keys (JWKS) from Cognito.
  CognitoIdp: ec2.InterfaceVpcEndpointAwsService.COGNITO_IDP,
} as const;

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  readonly opensearchEndpoint: aoss.CfnVpcEndpoint;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: props.availabilityZones,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        // ECR image layers come from S3 too.
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'HTTPS from the app tasks to the interface endpoints (the stack adds the rule)',
      allowAllOutbound: false,
    });
    const subnets = { subnetGroupName: 'tasks' };
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(name, { service, subnets, securityGroups: [this.endpointSecurityGroup], privateDnsEnabled: true, open: false });
    }
    this.opensearchEndpoint = new aoss.CfnVpcEndpoint(this, 'OpenSearchEndpoint', {
      name: `${props.prefix}aoss`.slice(0, 32),
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.selectSubnets(subnets).subnetIds,
      securityGroupIds: [this.endpointSecurityGroup.securityGroupId],
    });
  }
}
