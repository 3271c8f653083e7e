import { isLocalStandIn } from './local-credentials';

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
