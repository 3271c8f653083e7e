import { createHmac } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactPersonalData } from '@manga-assist/pii';
import type { QueueSet } from '@manga-assist/queue';
import { tokenMatches } from '@manga-assist/rpc';
import type { AppServer } from '@manga-assist/server';

export const BOARD_PATH = '/queues';
export const CONTROL_BOARD_PATH = '/queues/control';
const COOKIE = 'ma_queue_board';

export interface QueueBoardOptions {
  queues: QueueSet;
  controlToken: string;
  /** A bearer token besides the control token that opens the controls (an admin's), if tokens can be verified here. */
  isOperator?(token: string): Promise<boolean>;
}

/** Every string in a job's data with personal data redacted, for the board anyone may open. */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactPersonalData(value).text;
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * The queue UI (bull-board), twice: read-only under /queues for anyone who can reach the port
 * (mutating calls answer 405; personal data in job payloads is redacted), and with every action
 * under /queues/control for holders of the control token or an admin's token. The token comes as a bearer header,
 * or once as `?token=` in a browser, which then gets an HttpOnly cookie holding an HMAC of the
 * token (never the token itself) and is sent back to the same page without it in the URL.
 */
export async function registerQueueBoard(server: AppServer, { queues, controlToken, isOperator }: QueueBoardOptions): Promise<void> {
  const operator = async (token: string | undefined) => token !== undefined && isOperator !== undefined && (await isOperator(token));
  const session = createHmac('sha256', controlToken).update('queue-board').digest('base64url');

  const readOnly = new FastifyAdapter();
  readOnly.setBasePath(BOARD_PATH);
  const readOnlyQueues = queues.all().map((q) => {
    const adapter = new BullMQAdapter(q, { readOnlyMode: true, allowRetries: false });
    adapter.setFormatter('data', redactDeep);
    return adapter;
  });
  createBullBoard({ queues: readOnlyQueues, serverAdapter: readOnly, options: { uiConfig: { boardTitle: 'MangaAssist queues (read-only)' } } });
  await server.register(readOnly.registerPlugin(), { prefix: BOARD_PATH });

  const control = new FastifyAdapter();
  control.setBasePath(CONTROL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((q) => new BullMQAdapter(q, { readOnlyMode: false, allowRetries: true })),
    serverAdapter: control,
    options: { uiConfig: { boardTitle: 'MangaAssist queues (control)' } },
  });
  await server.register(
    async (scope) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const header = request.headers.authorization;
        const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
        if (tokenMatches(bearer, controlToken) || (await operator(bearer))) return;
        if (tokenMatches(cookieValue(request.headers.cookie, COOKIE), session)) return;
        const url = new URL(request.url, 'http://board');
        const token = url.searchParams.get('token') ?? undefined;
        if (tokenMatches(token, controlToken) || (await operator(token))) {
          url.searchParams.delete('token');
          return reply
            .header('set-cookie', `${COOKIE}=${session}; Path=${CONTROL_BOARD_PATH}; HttpOnly; SameSite=Strict`)
            .redirect(url.pathname + url.search, 303);
        }
        return reply
          .code(401)
          .type('text/plain; charset=utf-8')
          .send(`The queue controls need the control token or an admin's token: open ${CONTROL_BOARD_PATH}?token=… (or send it as a bearer token). Read-only view: ${BOARD_PATH}`);
      });
      await scope.register(control.registerPlugin());
    },
    { prefix: CONTROL_BOARD_PATH },
  );
}
