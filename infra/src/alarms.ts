// CloudWatch alarms with the seeds' thresholds. The apps' own numbers live in Prometheus; the two
// that matter here (dead letters, failed probes) come from their log lines through metric filters.
import {
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Duration,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

export const METRIC_NAMESPACE = 'MangaAssist';
export const ERROR_RATE_PERCENT = 1;
export const LATENCY_REGRESSION = 1.2;
export const REDIS_MEMORY_PERCENT = 75;

export interface AlarmsProps {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  postProcessorLogs: logs.ILogGroup;
  healthCheckerLogs: logs.ILogGroup;
  redisNodeIds: string[];
  p99BaselineSeconds: number;
  bedrockModelIds: string[];
  bedrockInvocationsPer5Min: number;
  email?: string;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'MangaAssist alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = (alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      return alarm;
    };
    const minute = Duration.minutes(1);
    const lb = props.loadBalancer.metrics;

    // Seed 004: 5XX over 1 % of requests, five minutes running.
    notify(
      new cloudwatch.MathExpression({
        expression: '100 * (targetErrors + lbErrors) / MAX([requests, 1])',
        usingMetrics: {
          targetErrors: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' }),
          lbErrors: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' }),
          requests: lb.requestCount({ period: minute, statistic: 'Sum' }),
        },
        period: minute,
        label: '5XX % of requests',
      }).createAlarm(this, 'ErrorRate', {
        alarmName: 'MangaAssist 5XX over 1 %',
        threshold: ERROR_RATE_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // Seed 004's regression gate: p99 more than 20 % over the baseline, five minutes running.
    notify(
      lb.targetResponseTime({ period: minute, statistic: 'p99' }).createAlarm(this, 'LatencyRegression', {
        alarmName: 'MangaAssist p99 latency regression over 20 %',
        threshold: props.p99BaselineSeconds * LATENCY_REGRESSION,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // Seed 003's cost breaker: more Bedrock invocations in five minutes than the threshold.
    const fiveMinutes = Duration.minutes(5);
    const invocations = Object.fromEntries(
      props.bedrockModelIds.map((modelId, i) => [
        `m${i}`,
        new cloudwatch.Metric({ namespace: 'AWS/Bedrock', metricName: 'Invocations', dimensionsMap: { ModelId: modelId }, statistic: 'Sum', period: fiveMinutes }),
      ]),
    );
    notify(
      new cloudwatch.MathExpression({ expression: Object.keys(invocations).join(' + '), usingMetrics: invocations, period: fiveMinutes, label: 'Bedrock invocations' }).createAlarm(
        this,
        'BedrockInvocations',
        {
          alarmName: 'MangaAssist Bedrock invocations over the cost threshold',
          threshold: props.bedrockInvocationsPer5Min,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
    );

    // A job that exhausted its retries is logged by the post-processor as it moves to the DLQ.
    const deadLetters = new logs.MetricFilter(this, 'DeadLetterFilter', {
      logGroup: props.postProcessorLogs,
      filterPattern: logs.FilterPattern.stringValue('$.msg', '=', 'job moved to the dead-letter queue'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'DeadLetters',
      metricValue: '1',
      defaultValue: 0,
    });
    notify(
      deadLetters.metric({ statistic: 'Sum', period: fiveMinutes }).createAlarm(this, 'DeadLetters', {
        alarmName: 'MangaAssist dead letters present',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // Seed 002: memory alarm at 75 %, not 90 %, on each node.
    props.redisNodeIds.forEach((nodeId, i) =>
      notify(
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'DatabaseMemoryUsagePercentage',
          dimensionsMap: { CacheClusterId: nodeId },
          statistic: 'Maximum',
          period: fiveMinutes,
        }).createAlarm(this, `RedisMemory${i + 1}`, {
          alarmName: `MangaAssist Redis memory over 75 % (${nodeId})`,
          threshold: REDIS_MEMORY_PERCENT,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }),
      ),
    );

    // The health checker logs each endpoint that turns unhealthy: slow or failed DNS, a public
    // address where a VPC endpoint's private one belongs, refused connections, bad TLS.
    const probeFailures = new logs.MetricFilter(this, 'ProbeFailureFilter', {
      logGroup: props.healthCheckerLogs,
      filterPattern: logs.FilterPattern.stringValue('$.to', '=', 'unhealthy'),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'ProbeFailures',
      metricValue: '1',
      defaultValue: 0,
    });
    notify(
      probeFailures.metric({ statistic: 'Sum', period: minute }).createAlarm(this, 'ProbeFailures', {
        alarmName: 'MangaAssist DNS or private-IP probe failing',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
