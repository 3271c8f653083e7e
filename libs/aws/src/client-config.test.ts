process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { createDynamoClient, createKinesisClient } from './index';

describe('AWS clients', () => {
  it('use placeholder credentials for a local endpoint', async () => {
    const client = createDynamoClient({ region: 'ap-northeast-1', endpoint: 'http://127.0.0.1:8000' });
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe('local');
    expect(await client.config.region()).toBe('ap-northeast-1');
    client.destroy();
  });

  it('leave credentials to the default provider chain without an endpoint', () => {
    const client = createKinesisClient({ region: 'ap-northeast-1' });
    // The chain is resolved lazily, on the first request, so nothing is read here.
    expect(client.config.endpoint).toBeUndefined();
    client.destroy();
  });
});
