import { AuthError } from './auth-error';
import { createSessionTokens } from './session-token';

const tokens = createSessionTokens({ secret: 's'.repeat(32), ttlSeconds: 60 });

function codeOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
  throw new Error('expected an AuthError');
}

describe('anonymous session tokens', () => {
  it('open the session they were issued for', () => {
    const { token } = tokens.issue('6f1c2a7e-0000-4000-8000-000000000001');
    expect(tokens.verify(token).sessionId).toBe('6f1c2a7e-0000-4000-8000-000000000001');
  });

  it('refuse a bare session id, a tampered session id or signature, and another secret', () => {
    const { token } = tokens.issue('alice-session');
    const [v, , exp, mac] = token.split('.');
    expect(codeOf(() => tokens.verify('alice-session'))).toBe('unauthorized');
    expect(codeOf(() => tokens.verify(`${v}.bob-session.${exp}.${mac}`))).toBe('unauthorized');
    expect(codeOf(() => tokens.verify(`${v}.alice-session.${Number(exp) + 1000}.${mac}`))).toBe('unauthorized');
    expect(codeOf(() => tokens.verify(`${token.slice(0, -2)}AA`))).toBe('unauthorized');
    expect(codeOf(() => tokens.verify(`${v}.alice-session.${exp}.`))).toBe('unauthorized');
    const other = createSessionTokens({ secret: 't'.repeat(32), ttlSeconds: 60 });
    expect(codeOf(() => other.verify(token))).toBe('unauthorized');
  });

  it('refuse an expired token as token_expired, and huge or malformed input', () => {
    const expired = createSessionTokens({ secret: 's'.repeat(32), ttlSeconds: -1 }).issue('old');
    expect(codeOf(() => tokens.verify(expired.token))).toBe('token_expired');
    for (const bad of ['', 'v1...', 'v2.a.1.b', `v1.${'a'.repeat(600)}.1.b`, 'v1.a b.1.c', 'v1.a.1e9.c']) expect(codeOf(() => tokens.verify(bad))).toBe('unauthorized');
  });
});
