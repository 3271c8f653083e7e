import { z } from 'zod';
import type { AppServer } from '@manga-assist/server';
import type { CallerAuth } from './caller-auth';

const LocalTokenRequestSchema = z.object({
  userId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.:-]+$/, 'may contain only letters, digits and _ . : -'),
});

/**
 * POST /v1/auth/local-token `{ "userId": "alice" }` → a bearer token from the local issuer: how the
 * chat page signs in under `npm start`. Registered only with AUTH_MODE=local (never in production).
 */
export function registerLocalTokenHttp(server: AppServer, localToken: NonNullable<CallerAuth['localToken']>): void {
  server.post('/v1/auth/local-token', { bodyLimit: 1024 }, async (request, reply) => {
    const parsed = LocalTokenRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reply.code(400).send({ type: 'error', code: 'invalid_frame', message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
    }
    const { token, expiresAt } = await localToken(parsed.data.userId);
    return { access_token: token, token_type: 'Bearer', expires_in: Math.floor((expiresAt - Date.now()) / 1000), userId: parsed.data.userId };
  });
}
