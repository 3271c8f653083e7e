import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK, KeyLike } from 'jose';

export const LOCAL_ISSUER = 'urn:manga-assist:local-issuer';
export const LOCAL_AUDIENCE = 'manga-assist';
export const LOCAL_ALGORITHM = 'ES256';
const KEY_FILE = 'local-issuer.jwk.json';

/** The local issuer's key pair, as JWKs (the public one is what the gateway verifies against). */
export interface LocalIssuerKeys {
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * The local issuer's key pair under `dir`, made on first use. The file appears whole or not at all
 * (a hard link from a temporary file fails if another process made it first; that one is used).
 */
export async function ensureLocalIssuerKeys(dir: string): Promise<LocalIssuerKeys> {
  const file = path.join(dir, KEY_FILE);
  try {
    return keysFrom(JSON.parse(await fs.readFile(file, 'utf8')) as JWK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: cannot read the local issuer's key (${(error as Error).message})`);
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(LOCAL_ALGORITHM, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: LOCAL_ALGORITHM, use: 'sig' };
  const temporary = `${file}.${process.pid}.${randomUUID()}`;
  await fs.writeFile(temporary, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600 });
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  return keysFrom(JSON.parse(await fs.readFile(file, 'utf8')) as JWK);
}

function keysFrom(privateJwk: JWK): LocalIssuerKeys {
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

export interface MintOptions {
  /** Seconds the token is valid (default one hour); negative makes an already expired token (tests). */
  ttlSeconds?: number;
  /** Other claims to carry, or standard ones to override (tests of a wrong issuer or audience). */
  claims?: Record<string, unknown>;
}

/** A token from the local issuer for `userId`: what `npm run token`, the chat page and the tests use. */
export async function mintLocalToken(keys: LocalIssuerKeys, userId: string, options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = (await importJWK(keys.privateJwk, LOCAL_ALGORITHM)) as KeyLike;
  const claims = { sub: userId, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now, exp: now + (options.ttlSeconds ?? 3600), ...options.claims };
  return new SignJWT(claims).setProtectedHeader({ alg: LOCAL_ALGORITHM, kid: keys.privateJwk.kid, typ: 'JWT' }).sign(key);
}
