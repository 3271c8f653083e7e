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

  it('sign with the default credential chain for an explicit endpoint when LOCAL_STACK is false', async () => {
    // A VPC endpoint or proxy URL given with LOCAL_STACK=false must not get the placeholder keys.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIACHAINTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'chain-secret';
    try {
      for (const endpoint of ['http://127.0.0.1:8000', 'https://vpce-0abc.dynamodb.ap-northeast-1.vpce.amazonaws.com']) {
        const client = createDynamoClient({ region: 'ap-northeast-1', endpoint, localStack: false });
        expect((await client.config.credentials()).accessKeyId).toBe('AKIACHAINTEST');
        client.destroy();
      }
      // And an AWS host never gets them, even under LOCAL_STACK.
      const aws = createKinesisClient({ region: 'ap-northeast-1', endpoint: 'https://kinesis.ap-northeast-1.amazonaws.com', localStack: true });
      expect((await aws.config.credentials()).accessKeyId).toBe('AKIACHAINTEST');
      aws.destroy();
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('leave credentials to the default provider chain without an endpoint', () => {
    const client = createKinesisClient({ region: 'ap-northeast-1' });
    // The chain is resolved lazily, on the first request, so nothing is read here.
    expect(client.config.endpoint).toBeUndefined();
    client.destroy();
  });
});

