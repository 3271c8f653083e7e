// `npm run -s token -- <userId> [ttlSeconds] [--admin]`: prints a bearer token from the local issuer (the
// key `npm start` keeps under DATA_DIR/auth), for curl, scripts and OpenAI SDKs against AUTH_MODE=local.
// `--admin` puts the user in the `admin` group (`groups` claim): the token opens the ops page, the ops
// status and control calls as the control token does.
import path from 'node:path';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import { loadConfigOrExit } from '@manga-assist/config';
import { devConfigSchema } from './dev-config';

const ROOT = path.resolve(__dirname, '../..');

async function main() {
  const args = process.argv.slice(2);
  const admin = args.includes('--admin');
  const [userId, ttl = '43200', ...rest] = args.filter((a) => a !== '--admin');
  if (!userId || !/^[\w.:-]{1,128}$/.test(userId) || !/^\d+$/.test(ttl) || rest.length > 0) {
    process.stderr.write('usage: npm run -s token -- <userId> [ttlSeconds] [--admin]   (userId: letters, digits and _ . : -, at most 128)\n');
    process.exit(2);
  }
  const config = loadConfigOrExit('token', devConfigSchema);
  const keys = await ensureLocalIssuerKeys(path.join(path.resolve(ROOT, config.DATA_DIR), 'auth'));
  process.stdout.write(`${await mintLocalToken(keys, userId, { ttlSeconds: Number(ttl), ...(admin ? { claims: { groups: ['admin'] } } : {}) })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
