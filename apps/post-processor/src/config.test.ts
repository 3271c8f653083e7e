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

  it('needs the shared control token', () => {
    expect(() => loadConfig(postProcessorConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});
