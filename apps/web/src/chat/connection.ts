import type { ServerFrame } from '@manga-assist/contracts';
import { reconnectDelayMs } from '../shared/backoff';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ChatConnectionOptions {
  /** The session to continue; the gateway issues one when absent. */
  sessionId: () => string | null;
  onFrame(frame: ServerFrame): void;
  onState(state: ConnectionState, retryInMs?: number): void;
}

const SERVER_TYPES = new Set(['ready', 'token', 'done', 'error', 'revision', 'pong', 'reconnect']);
const USER_KEY = 'manga-assist-user';

/**
 * A token for this browser's user from the local issuer (AUTH_MODE=local, as under `npm start`);
 * the user id is kept in localStorage so a reload continues as the same user.
 */
async function localToken(): Promise<string> {
  let userId = localStorage.getItem(USER_KEY);
  if (!userId) {
    userId = `guest-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem(USER_KEY, userId);
  }
  const res = await fetch('/v1/auth/local-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  if (!res.ok) throw new Error(`sign-in failed (${res.status})`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * The chat WebSocket (`/ws?sessionId=…` on this origin), re-opened with backoff whenever it closes,
 * each time continuing the same session.
 */
export function connectChat({ sessionId, onFrame, onState }: ChatConnectionOptions) {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // A server about to shut down says when to come back (its `reconnect` frame before close 1001):
  // that delay replaces the backoff once, so a deploy's clients return spread out, not all at 0.5 s.
  let toldRetryMs: number | undefined;

  const open = () => {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const id = sessionId();
    if (id) url.searchParams.set('sessionId', id);
    onState('connecting');
    void localToken().then(
      (token) => {
        if (!stopped) attach(new WebSocket(url, ['bearer', token]));
      },
      () => retry(),
    );
  };
  const retry = () => {
    const delay = toldRetryMs ?? reconnectDelayMs(attempt++);
    toldRetryMs = undefined;
    onState('closed', delay);
    timer = setTimeout(open, delay);
  };
  // The token goes in the subprotocol: a browser cannot set headers on a WebSocket.
  const attach = (ws: WebSocket) => {
    socket = ws;
    ws.onmessage = (event) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null || !SERVER_TYPES.has((frame as { type?: string }).type ?? '')) return;
      if ((frame as ServerFrame).type === 'ready') {
        attempt = 0;
        onState('open');
      }
      if ((frame as { type: string }).type === 'reconnect') {
        toldRetryMs = Math.max(0, Number((frame as { retryAfterMs?: number }).retryAfterMs) || 0);
        return;
      }
      onFrame(frame as ServerFrame);
    };
    ws.onclose = () => {
      if (socket !== ws || stopped) return;
      retry();
    };
  };
  open();

  return {
    send(frame: { action: 'sendMessage'; requestId: string; text: string }): boolean {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
