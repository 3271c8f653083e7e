import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DevConfig } from './dev-config';

export const WEBHOOK_SECRETS_FILE = 'webhook-secrets.env';

type SecretName = 'WEBHOOK_SECRET_CATALOG' | 'WEBHOOK_SECRET_REVIEWS' | 'WEBHOOK_SECRET_PAYMENTS';

/**
 * The webhook secrets of a local run: each one from its variable when set, else from
 * `<DATA_DIR>/webhook-secrets.env`, generated on first use (owner-only) so every source is enabled
 * and a local sender can sign with the same secrets. Returns them and where they are kept.
 */
export function localWebhookSecrets(config: DevConfig): { secrets: Record<SecretName, string>; file: string } {
  const file = path.join(config.DATA_DIR, WEBHOOK_SECRETS_FILE);
  const stored = new Map<string, string>();
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) stored.set(line.slice(0, at), line.slice(at + 1).trim());
    }
  }
  // Standard Webhooks secrets are base64 of random bytes; Stripe's are opaque text after whsec_.
  const generate: Record<SecretName, () => string> = {
    WEBHOOK_SECRET_CATALOG: () => `whsec_${randomBytes(24).toString('base64')}`,
    WEBHOOK_SECRET_REVIEWS: () => `whsec_${randomBytes(24).toString('base64')}`,
    WEBHOOK_SECRET_PAYMENTS: () => `whsec_${randomBytes(24).toString('hex')}`,
  };
  let changed = false;
  const secrets = {} as Record<SecretName, string>;
  for (const name of Object.keys(generate) as SecretName[]) {
    let value = config[name] ?? stored.get(name);
    if (!value) {
      value = generate[name]();
      stored.set(name, value);
      changed = true;
    }
    secrets[name] = value;
  }
  if (changed) {
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    fs.writeFileSync(file, [...stored].map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  }
  return { secrets, file };
}
