import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';

/** Secrets of the shapes each source expects (Standard Webhooks: base64; Stripe: any whsec_ text). */
export function webhookSecrets(): { standard: string; stripe: string; otherStandard: string } {
  return {
    standard: `whsec_${randomBytes(24).toString('base64')}`,
    otherStandard: `whsec_${randomBytes(24).toString('base64')}`,
    stripe: `whsec_${randomBytes(24).toString('hex')}`,
  };
}

/** A Standard Webhooks delivery's headers, signed the way a sender signs (the package's own `sign`). */
export function standardWebhookHeaders(secret: string, id: string, body: string, at: Date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** A Stripe delivery's headers, signed with the stripe package's own test helper. */
export function stripeWebhookHeaders(secret: string, body: string, at: Date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(at.getTime() / 1000) }),
  };
}

/** A Stripe event body as Stripe sends it (the fields a receiver reads). */
export function stripeEventBody(id: string, type = 'payment_intent.succeeded', amount = 1200): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object: { id: `pi_${id}`, object: 'payment_intent', amount, currency: 'jpy', status: 'succeeded' } },
  });
}
