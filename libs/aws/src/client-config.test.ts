process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { createDynamoClient, createKinesisClient, isLocalStandIn } from './index';

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

describe('isLocalStandIn', () => {
  it('gives local credentials only to a non-AWS endpoint under LOCAL_STACK', () => {
    expect(isLocalStandIn(true, 'http://127.0.0.1:4599')).toBe(true);
    expect(isLocalStandIn(true, 'https://logs.internal.example:8443')).toBe(true);
    expect(isLocalStandIn(false, 'http://127.0.0.1:4599')).toBe(false);
    expect(isLocalStandIn(true, undefined)).toBe(false);
  });

  it('never to an AWS endpoint, whatever LOCAL_STACK says', () => {
    expect(isLocalStandIn(true, 'https://bedrock-runtime.ap-northeast-1.amazonaws.com')).toBe(false);
    expect(isLocalStandIn(true, 'https://abc123.ap-northeast-1.aoss.amazonaws.com')).toBe(false);
    expect(isLocalStandIn(true, 'https://logs.cn-north-1.amazonaws.com.cn')).toBe(false);
  });
});
