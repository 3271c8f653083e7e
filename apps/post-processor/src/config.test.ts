import { loadConfig } from '@manga-assist/config';
import { postProcessorConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('post-processor configuration', () => {
  it('listens on 3002 by default', () => {
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN }).POST_PROCESSOR_PORT).toBe(3002);
  });

  it('stops at start on a bad port, naming POST_PROCESSOR_PORT', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, POST_PROCESSOR_PORT: 'abc' })).toThrow(
      'POST_PROCESSOR_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('runs analyses on Sonnet with a 4096-token budget and a 10-minute timeout, and names a bad analysis setting', () => {
    const config = loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN });
    expect([config.ANALYSIS_MAX_TOKENS, config.ANALYSIS_TIMEOUT_MS, config.LOCAL_MODEL_ANALYSIS_MS]).toEqual([4096, 600_000, 3000]);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, LOCAL_MODEL_ANALYSIS_MS: '35s' })).toThrow(/LOCAL_MODEL_ANALYSIS_MS must be a whole number of milliseconds/);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, ANALYSIS_TIMEOUT_MS: '0' })).toThrow(/ANALYSIS_TIMEOUT_MS/);
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(postProcessorConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});

describe('post-processor guardrails', () => {
  it('runs the in-process tiers alone by default', () => {
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN }).GUARDRAIL_PROVIDER).toBe('local');
  });

  it('adds Bedrock ApplyGuardrail with its id, version and timeout', () => {
    const config = loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, GUARDRAIL_PROVIDER: 'bedrock', BEDROCK_GUARDRAIL_ID: 'gr-123', BEDROCK_GUARDRAIL_VERSION: '4' });
    expect([config.GUARDRAIL_PROVIDER, config.BEDROCK_GUARDRAIL_ID, config.BEDROCK_GUARDRAIL_VERSION, config.BEDROCK_GUARDRAIL_TIMEOUT_MS]).toEqual(['bedrock', 'gr-123', '4', 2000]);
  });

  it('stops at start on a Bedrock guardrail without an id, or a bad version, naming the variable', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, GUARDRAIL_PROVIDER: 'bedrock' })).toThrow(
      'BEDROCK_GUARDRAIL_ID is required when GUARDRAIL_PROVIDER=bedrock',
    );
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, GUARDRAIL_PROVIDER: 'bedrock', BEDROCK_GUARDRAIL_ID: 'g', BEDROCK_GUARDRAIL_VERSION: 'v2' })).toThrow(
      /BEDROCK_GUARDRAIL_VERSION must be DRAFT or a version number/,
    );
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, GUARDRAIL_PROVIDER: 'aws' })).toThrow(/GUARDRAIL_PROVIDER must be local or bedrock/);
  });
});

describe('post-processor audit sink', () => {
  it('writes JSON-lines files by default, or CloudWatch Logs events when asked', () => {
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN }).AUDIT_SINK).toBe('jsonl');
    const config = loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, AUDIT_SINK: 'cloudwatch', AUDIT_LOG_GROUP: '/manga-assist/audit' });
    expect([config.AUDIT_SINK, config.AUDIT_LOG_GROUP]).toEqual(['cloudwatch', '/manga-assist/audit']);
  });

  it('stops at start on an unknown sink or a log group name CloudWatch would refuse, naming the variable', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, AUDIT_SINK: 's3' })).toThrow(/AUDIT_SINK must be jsonl or cloudwatch/);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, AUDIT_LOG_GROUP: 'audit log*' })).toThrow(/AUDIT_LOG_GROUP must be a CloudWatch log group name/);
  });
});

describe('post-processor queues and workers', () => {
  it('drains every queue by default, or the ones listed once each', () => {
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN }).QUEUES).toEqual(['cache-write', 'session-update', 'guardrail-check', 'analytics', 'audit', 'answered-batch', 'webhook-catalog', 'webhook-payments', 'webhook-reviews', 'analysis']);
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, QUEUES: 'audit, analytics,audit' }).QUEUES).toEqual(['audit', 'analytics', 'answered-batch']);
  });

  it('always drains the answered-batch queue, which feeds every other queue', () => {
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, QUEUES: 'session-update' }).QUEUES).toEqual(['session-update', 'answered-batch']);
    expect(loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, QUEUES: 'answered-batch' }).QUEUES).toEqual(['answered-batch']);
  });

  it('refuses the retired answered queue by name, so a deployment still listing it stops at start', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, QUEUES: 'answered' })).toThrow(/QUEUES must be "all" or a list of .*unknown: answered\b/);
  });

  it('stops at start on a queue it does not know, naming QUEUES', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, QUEUES: 'audit,dead-letter' })).toThrow(/QUEUES must be "all" or a list of .*unknown: dead-letter/);
  });

  it('keeps production-sized lock and stalled-check intervals unless told otherwise', () => {
    const config = loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN });
    expect([config.WORKER_LOCK_MS, config.WORKER_STALLED_INTERVAL_MS, config.GUARDRAIL_MAX_TOKENS, config.AUDIT_DIR]).toEqual([30_000, 30_000, 200, '.data/audit']);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, WORKER_LOCK_MS: '0' })).toThrow('WORKER_LOCK_MS must be a positive integer (got "0")');
  });
});

describe('post-processor model cost breaker', () => {
  it('allows 300 model calls per 5 minutes by default', () => {
    const config = loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN });
    expect([config.MODEL_COST_BREAKER_CALLS_PER_5M, config.MODEL_COST_BREAKER_WINDOW_MS]).toEqual([300, 300_000]);
  });

  it('stops at start on a budget that is not a positive whole number, naming the variable', () => {
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, MODEL_COST_BREAKER_CALLS_PER_5M: '0' })).toThrow(/MODEL_COST_BREAKER_CALLS_PER_5M/);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, MODEL_COST_BREAKER_CALLS_PER_5M: 'lots' })).toThrow(/MODEL_COST_BREAKER_CALLS_PER_5M/);
    expect(() => loadConfig(postProcessorConfigSchema, { CONTROL_TOKEN, MODEL_PROVIDER: 'gpt' })).toThrow(/MODEL_PROVIDER must be local, bedrock or openai/);
  });
});
