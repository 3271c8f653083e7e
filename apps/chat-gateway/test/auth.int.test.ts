// Who may talk to the gateway: a verified token on the WebSocket upgrade and on every HTTP chat
// call, the user id from the token only, a socket closed when its token expires, and (anonymous
// mode) a session reopened only with the signed token it came with. Hostile tokens get typed
// errors and the gateway keeps serving.
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { WebSocket } from 'ws';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '@manga-assist/auth';
import type { ErrorFrame } from '@manga-assist/contracts';
import { ChatClient, TEST_CONTROL_TOKEN, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { waitFor } from '@manga-assist/testing';

jest.setTimeout(120_000);

interface Refused {
  status: number;
  body: ErrorFrame;
}

/** An upgrade attempt: the open socket, or the HTTP answer that refused it. */
function upgrade(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<{ socket: WebSocket } | { refused: Refused }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += String(chunk)));
      response.on('end', () => resolve({ refused: { status: response.statusCode ?? 0, body: JSON.parse(text) as ErrorFrame } }));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

async function refusal(url: string, options: Parameters<typeof upgrade>[1] = {}): Promise<Refused> {
  const result = await upgrade(url, options);
  if ('socket' in result) {
    result.socket.close();
    throw new Error('the upgrade was accepted');
  }
  return result.refused;
}

describe('authentication (AUTH_MODE=local)', () => {
  let system: TestSystem;
  let base: string;
  let ws: string;

  beforeAll(async () => {
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'] });
    base = system.urls['chat-gateway']!;
    ws = `${base.replace('http', 'ws')}/ws`;
  });
  afterAll(() => system?.stop());

  it('answers 401 before the socket opens when the upgrade has no token', async () => {
    expect(await refusal(ws)).toEqual({ status: 401, body: { type: 'error', code: 'unauthorized', message: expect.stringContaining('bearer token is required') } });
    // A user id in the URL is not a credential.
    expect((await refusal(`${ws}?userId=alice&sessionId=s-1`)).status).toBe(401);
  });

  it('takes the token from the Authorization header, the bearer subprotocol or access_token', async () => {
    const token = await system.token('alice');
    const viaHeader = await ChatClient.connect(ws, { token });
    expect(viaHeader.ready.type).toBe('ready');
    viaHeader.close();
    const viaProtocol = await upgrade(ws, { protocols: ['bearer', token] });
    if (!('socket' in viaProtocol)) throw new Error(`refused: ${JSON.stringify(viaProtocol.refused)}`);
    expect(viaProtocol.socket.protocol).toBe('bearer');
    viaProtocol.socket.close();
    const viaQuery = await upgrade(`${ws}?access_token=${token}`);
    expect('socket' in viaQuery).toBe(true);
    if ('socket' in viaQuery) viaQuery.socket.close();
  });

  it('refuses hostile tokens with typed 401s and keeps serving', async () => {
    const { privateKey: strangerKey } = await generateKeyPair('ES256');
    const forged = (claims: { iss?: string; aud?: string }) =>
      new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(claims.iss ?? LOCAL_ISSUER)
        .setAudience(claims.aud ?? LOCAL_AUDIENCE)
        .setExpirationTime('5m')
        .sign(strangerKey);
    const good = await system.token('alice');
    const [header, , signature] = good.split('.');
    const hostile: Record<string, string> = {
      garbage: 'not-a-jwt',
      'alg none': new UnsecuredJWT({ sub: 'alice' }).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('5m').encode(),
      'another key': await forged({}),
      'tampered payload': `${header}.${Buffer.from(JSON.stringify({ sub: 'mallory', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: 9_999_999_999 })).toString('base64url')}.${signature}`,
      huge: `${good}${'A'.repeat(9000)}`,
      'wrong issuer': await system.token('alice', { claims: { iss: 'https://evil.example' } }),
      'wrong audience': await system.token('alice', { claims: { aud: 'another-app' } }),
    };
    for (const [name, token] of Object.entries(hostile)) {
      const refused = await refusal(ws, { headers: { authorization: `Bearer ${token}` } }).catch((error: Error) => { throw new Error(`${name}: ${error.message}`); });
      expect({ name, ...refused }).toMatchObject({ name, status: 401, body: { type: 'error', code: 'unauthorized' } });
      const http = await fetch(`${base}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: 'hi' }) });
      expect({ name, status: http.status, code: ((await http.json()) as ErrorFrame).code }).toEqual({ name, status: 401, code: 'unauthorized' });
    }
    const expired = await refusal(ws, { headers: { authorization: `Bearer ${await system.token('alice', { ttlSeconds: -60 })}` } });
    expect(expired).toMatchObject({ status: 401, body: { code: 'token_expired' } });
    // Still serving.
    const client = await ChatClient.connect(ws, { token: good });
    expect((await client.ask('trending manga')).at(-1)).toMatchObject({ type: 'done' });
    client.close();
  });

  it('sends a typed token_expired frame and closes the socket when the token expires mid-connection', async () => {
    const client = await ChatClient.connect(ws, { token: await system.token('alice', { ttlSeconds: 2 }) });
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(client.frames.at(-1)).toMatchObject({ type: 'error', code: 'token_expired' });
  });

  it('needs the bearer token on POST /v1/chat and on the OpenAI-compatible API', async () => {
    const chat = await fetch(`${base}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ text: 'trending manga', userId: 'alice' }) });
    expect(chat.status).toBe(401);
    expect(await chat.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
    const completions = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'manga-assist', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(completions.status).toBe(401);
    expect(await completions.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    expect((await fetch(`${base}/v1/models`)).status).toBe(401);
    const token = await system.token('alice');
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('shows the ops status only with the control token, not to a signed-in user', async () => {
    const status = (authorization?: string) => fetch(`${base}/v1/ops/status`, { headers: authorization ? { authorization } : {} });
    expect((await status()).status).toBe(401);
    expect((await status(`Bearer ${await system.token('alice')}`)).status).toBe(401);
    expect((await status(`Bearer ${TEST_CONTROL_TOKEN}x`)).status).toBe(401);
    expect((await status(`Bearer ${TEST_CONTROL_TOKEN}`)).status).toBe(200);
  });

  it('hands out local tokens for a typed-in user id, and refuses a bad one', async () => {
    const res = await fetch(`${base}/v1/auth/local-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dana' }) });
    const { access_token: token, token_type: type } = (await res.json()) as { access_token: string; token_type: string };
    expect(type).toBe('Bearer');
    const client = await ChatClient.connect(ws, { token });
    client.close();
    for (const body of [{ userId: '' }, { userId: 'a b' }, { userId: 'x'.repeat(200) }, {}]) {
      const bad = await fetch(`${base}/v1/auth/local-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(bad.status).toBe(400);
    }
  });

  it("keeps a session private: bob with alice's session id gets forbidden and none of her history", async () => {
    const alice = await ChatClient.connect(ws, { token: await system.token('alice') });
    const secret = 'where is my order number 4242 for the secret gift?';
    expect((await alice.ask(secret)).at(-1)).toMatchObject({ type: 'done' });
    const sessionId = alice.ready.sessionId;
    alice.close();
    const bob = await system.token('bob');
    const asBob = { headers: { authorization: `Bearer ${bob}` } };
    // Once the post-processor has stored alice's turn, the session is hers.
    await waitFor(
      async () => {
        const result = await upgrade(`${ws}?sessionId=${sessionId}`, asBob);
        if ('socket' in result) result.socket.close();
        return 'refused' in result;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "alice's session stored with its owner" },
    );
    expect(await refusal(`${ws}?sessionId=${sessionId}`, asBob)).toEqual({ status: 403, body: { type: 'error', code: 'forbidden', message: 'this session belongs to another user' } });
    const http = await fetch(`${base}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${bob}` },
      body: JSON.stringify({ sessionId, text: 'what did I ask before?' }),
    });
    const httpBody = await http.text();
    expect({ status: http.status, code: (JSON.parse(httpBody) as ErrorFrame).code }).toEqual({ status: 403, code: 'forbidden' });
    expect(httpBody).not.toContain('4242');
    const openai = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'x-session-id': sessionId },
      body: JSON.stringify({ model: 'manga-assist', messages: [{ role: 'user', content: 'what did I ask before?' }] }),
    });
    expect(openai.status).toBe(403);
    expect(await openai.text()).not.toContain('4242');
    // Alice herself goes on with her session.
    const again = await ChatClient.connect(`${ws}?sessionId=${sessionId}`, { token: await system.token('alice') });
    expect(again.ready.sessionId).toBe(sessionId);
    again.close();
  });

  describe('AUTH_MODE=anonymous', () => {
    let anonymous: string;
    beforeAll(async () => {
      const started = await system.spawn('chat-gateway', { AUTH_MODE: 'anonymous', AUTH_SESSION_SECRET: 'anonymous-session-secret-for-tests-0123456789' });
      anonymous = `${started.url.replace('http', 'ws')}/ws`;
    });

    it('issues a signed session token with a new session; only that token reopens it', async () => {
      const first = await ChatClient.connect(anonymous);
      const ready = first.ready;
      expect(ready.sessionToken).toMatch(/^v1\./);
      first.close();

      // A bare session id is never enough.
      expect(await refusal(`${anonymous}?sessionId=${ready.sessionId}`)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
      // A token whose session id or signature was changed is refused.
      const [v, sid, exp, mac] = ready.sessionToken!.split('.');
      for (const tampered of [`${v}.${sid}x.${exp}.${mac}`, `${v}.${sid}.${Number(exp) + 1}.${mac}`, `${v}.${sid}.${exp}.${mac!.slice(0, -2)}AA`, `${v}.${sid}.${exp}`]) {
        expect(await refusal(anonymous, { headers: { authorization: `Bearer ${tampered}` } })).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
      }
      // The token reopens its session, and no other.
      const again = await ChatClient.connect(`${anonymous}?sessionId=${ready.sessionId}`, { token: ready.sessionToken });
      expect(again.ready.sessionId).toBe(ready.sessionId);
      again.close();
      expect(await refusal(`${anonymous}?sessionId=someone-else`, { headers: { authorization: `Bearer ${ready.sessionToken}` } })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    });
  });
});
