// The verifier against a real JWKS served over HTTP, and against the local issuer's key file:
// good tokens give the user id from the token; every kind of bad token is a typed AuthError.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import type { KeyLike } from 'jose';
import { startTestServer } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { AuthError, MAX_TOKEN_CHARS, authShape, createTokenVerifier, ensureLocalIssuerKeys, mintLocalToken } from '../src';
import type { AuthSettings, TokenVerifier } from '../src';

const ISSUER = 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_TEST';
const AUDIENCE = 'manga-assist-web';

function settings(overrides: Partial<AuthSettings>): AuthSettings {
  const defaults = Object.fromEntries(Object.entries(authShape).map(([k, v]) => [k, v.parse(undefined)])) as AuthSettings;
  return { ...defaults, ...overrides };
}

async function expectAuthError(promise: Promise<unknown>, code: AuthError['code']) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
  return error as AuthError;
}

describe('jwt mode against a JWKS URL', () => {
  let jwks: TestServer;
  let privateKey: KeyLike;
  let verifier: TokenVerifier;
  const kid = 'key-1';

  const sign = (claims: Record<string, unknown>, options: { exp?: number; iss?: string; aud?: string; key?: KeyLike; kid?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? kid })
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(options.key ?? privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    jwks = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    verifier = createTokenVerifier(settings({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: `${jwks.url}/.well-known/jwks.json`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }));
  });
  afterAll(() => jwks?.close());

  it('takes the user id from sub', async () => {
    const identity = await verifier.verify(await sign({ sub: 'alice' }));
    expect(identity.userId).toBe('alice');
    expect(identity.expiresAt).toBeGreaterThan(Date.now());
  });

  it("takes Cognito's username claim and client_id audience when configured", async () => {
    const cognito = createTokenVerifier(
      settings({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: `${jwks.url}/jwks`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: 'client-123', AUTH_AUDIENCE_CLAIM: 'client_id', AUTH_USER_CLAIM: 'username' }),
    );
    const token = await new SignJWT({ sub: 'uuid-1', username: 'bob', client_id: 'client-123', token_use: 'access' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await cognito.verify(token)).userId).toBe('bob');
    const other = await new SignJWT({ username: 'bob', client_id: 'client-999' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(ISSUER).setExpirationTime('5m').sign(privateKey);
    await expectAuthError(cognito.verify(other), 'unauthorized');
  });

  it('names an operator whose groups claim lists the admin group (Cognito, OIDC, or the claim and group configured)', async () => {
    expect((await verifier.verify(await sign({ sub: 'alice', 'cognito:groups': ['readers', 'admin'] }))).admin).toBe(true);
    expect((await verifier.verify(await sign({ sub: 'alice', groups: ['admin'] }))).admin).toBe(true);
    expect((await verifier.verify(await sign({ sub: 'alice', groups: ['readers'] }))).admin).toBe(false);
    expect((await verifier.verify(await sign({ sub: 'alice', admin: true }))).admin).toBe(false);
    const custom = createTokenVerifier(
      settings({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: `${jwks.url}/jwks`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_ADMIN_CLAIMS: ['roles'], AUTH_ADMIN_GROUP: 'store-ops' }),
    );
    expect((await custom.verify(await sign({ sub: 'alice', roles: 'store-ops' }))).admin).toBe(true);
    expect((await custom.verify(await sign({ sub: 'alice', groups: ['admin'] }))).admin).toBe(false);
  });

  it('refuses an expired token as token_expired', async () => {
    await expectAuthError(verifier.verify(await sign({ sub: 'alice' }, { exp: Math.floor(Date.now() / 1000) - 60 })), 'token_expired');
  });

  it('takes a token it has verified again at once, and refuses it as token_expired once it has expired', async () => {
    let clock = Date.now();
    const timed = createTokenVerifier(settings({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: `${jwks.url}/.well-known/jwks.json`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }), { now: () => clock });
    const token = await sign({ sub: 'carol' }, { exp: Math.floor(clock / 1000) + 60 });
    expect((await timed.verify(token)).userId).toBe('carol');
    clock += 30_000;
    expect((await timed.verify(token)).userId).toBe('carol');
    clock += 60_000;
    await expectAuthError(timed.verify(token), 'token_expired');
    // A tampered copy of a verified token is not taken from what was verified.
    const [header, payload] = token.split('.');
    await expectAuthError(verifier.verify(`${header}.${payload}.${'A'.repeat(20)}`), 'unauthorized');
  });

  it('refuses a wrong issuer, a wrong audience, another key and a tampered payload', async () => {
    await expectAuthError(verifier.verify(await sign({ sub: 'alice' }, { iss: 'https://evil.example' })), 'unauthorized');
    await expectAuthError(verifier.verify(await sign({ sub: 'alice' }, { aud: 'another-app' })), 'unauthorized');
    const stranger = (await generateKeyPair('RS256')).privateKey;
    await expectAuthError(verifier.verify(await sign({ sub: 'alice' }, { key: stranger })), 'unauthorized');
    const [header, , signature] = (await sign({ sub: 'bob' })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    await expectAuthError(verifier.verify(`${header}.${forged}.${signature}`), 'unauthorized');
  });

  it('refuses alg none and an HS256 token keyed with the public key', async () => {
    const unsecured = new UnsecuredJWT({ sub: 'alice' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
    await expectAuthError(verifier.verify(unsecured), 'unauthorized');
    const hs = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(privateKey))));
    await expectAuthError(verifier.verify(hs), 'unauthorized');
  });

  it('refuses a huge token before parsing it, garbage, and a token without a user id', async () => {
    const huge = await expectAuthError(verifier.verify('a'.repeat(MAX_TOKEN_CHARS + 1)), 'unauthorized');
    expect(huge.message).toContain(String(MAX_TOKEN_CHARS));
    for (const garbage of ['', 'x', 'a.b.c', '....', '\u0000\u0001.%%%.💥', 'eyJhbGciOiJub25lIn0.e30.']) {
      await expectAuthError(verifier.verify(garbage), 'unauthorized');
    }
    await expectAuthError(verifier.verify(await sign({})), 'unauthorized');
    await expectAuthError(verifier.verify(await sign({ sub: 'x'.repeat(200) })), 'unauthorized');
  });

  it('answers unavailable (not 401) when the JWKS cannot be reached', async () => {
    const down = createTokenVerifier(settings({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks', AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }));
    const error = await expectAuthError(down.verify(await sign({ sub: 'alice' })), 'unavailable');
    expect(error.status).toBe(503);
  });
});

describe('local mode', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'auth-local-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('verifies tokens minted with the key file it shares with the minter, made once', async () => {
    const [a, b] = await Promise.all([ensureLocalIssuerKeys(dir), ensureLocalIssuerKeys(dir)]);
    expect(a.privateJwk.kid).toBe(b.privateJwk.kid);
    expect(a.publicJwk.d).toBeUndefined();
    const verifier = createTokenVerifier(settings({ AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: dir }));
    expect((await verifier.verify(await mintLocalToken(a, 'carol'))).userId).toBe('carol');
    await expectAuthError(verifier.verify(await mintLocalToken(a, 'carol', { ttlSeconds: -60 })), 'token_expired');
  });

  it('refuses a token from another local issuer', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'auth-other-'));
    const verifier = createTokenVerifier(settings({ AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: dir }));
    await expectAuthError(verifier.verify(await mintLocalToken(await ensureLocalIssuerKeys(otherDir), 'mallory')), 'unauthorized');
    await rm(otherDir, { recursive: true, force: true });
  });
});
