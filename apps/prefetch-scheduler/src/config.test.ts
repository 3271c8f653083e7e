import { loadConfig } from '@manga-assist/config';
import { schedulerConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('prefetch-scheduler configuration', () => {
  it('listens on 3001 by default', () => {
    expect(loadConfig(schedulerConfigSchema, { CONTROL_TOKEN }).SCHEDULER_PORT).toBe(3001);
  });

  it('stops at start on a bad port, naming SCHEDULER_PORT', () => {
    expect(() => loadConfig(schedulerConfigSchema, { CONTROL_TOKEN, SCHEDULER_PORT: 'abc' })).toThrow(
      'SCHEDULER_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('pre-computes with the same search settings as the gateway, checked the same way', () => {
    expect(loadConfig(schedulerConfigSchema, { CONTROL_TOKEN }).VECTOR_INDEX).toBe('hnsw');
    expect(() => loadConfig(schedulerConfigSchema, { CONTROL_TOKEN, VECTOR_INDEX: 'opensearch' })).toThrow('OPENSEARCH_ENDPOINT or OPENSEARCH_COLLECTION is required when VECTOR_INDEX=opensearch');
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(schedulerConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});
