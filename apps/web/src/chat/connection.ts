import type { ServerFrame } from '@manga-assist/contracts';
import { reconnectDelayMs } from '../shared/backoff';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ChatConnectionOptions {
  /** The session to continue; the gateway issues one when absent. */
  sessionId: () => string | null;
  onFrame(frame: ServerFrame): void;
  onState(state: ConnectionState, retryInMs?: number): void;
}

const SERVER_TYPES = new Set(['ready', 'token', 'done', 'error', 'revision', 'pong']);

/**
 * The chat WebSocket (`/ws?sessionId=…` on this origin), re-opened with backoff whenever it closes,
 * each time continuing the same session.
 */
export function connectChat({ sessionId, onFrame, onState }: ChatConnectionOptions) {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const open = () => {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const id = sessionId();
    if (id) url.searchParams.set('sessionId', id);
    onState('connecting');
    const ws = new WebSocket(url);
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
      onFrame(frame as ServerFrame);
    };
    ws.onclose = () => {
      if (socket !== ws || stopped) return;
      const delay = reconnectDelayMs(attempt++);
      onState('closed', delay);
      timer = setTimeout(open, delay);
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
