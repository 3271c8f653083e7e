import type { OpsSnapshot } from '@manga-assist/contracts';
import { reconnectDelayMs } from '../shared/backoff';
import { createSseParser } from '../shared/sse';

export type FeedState = { state: 'connecting' } | { state: 'live' } | { state: 'unauthorized' } | { state: 'retrying'; inMs: number; why: string };

/**
 * GET /v1/ops/stream with the control token, read with fetch() (EventSource cannot send a
 * header), re-opened with backoff when it ends; a refused token stops it.
 */
export function openFeed(token: string, onSnapshot: (s: OpsSnapshot) => void, onState: (s: FeedState) => void) {
  let attempt = 0;
  let stopped = false;
  let abort: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = (why: string) => {
    if (stopped) return;
    const inMs = reconnectDelayMs(attempt++);
    onState({ state: 'retrying', inMs, why });
    timer = setTimeout(run, inMs);
  };

  async function run() {
    abort = new AbortController();
    onState({ state: 'connecting' });
    try {
      const response = await fetch('/v1/ops/stream', { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
      if (response.status === 401) {
        onState({ state: 'unauthorized' });
        return;
      }
      if (!response.ok || !response.body) return retry(`the gateway answered ${response.status}`);
      const parser = createSseParser(({ event, data }) => {
        if (event !== 'snapshot') return;
        try {
          const snapshot = JSON.parse(data) as OpsSnapshot;
          if (typeof snapshot.at !== 'string' || !snapshot.profile) return;
          attempt = 0;
          onState({ state: 'live' });
          onSnapshot(snapshot);
        } catch {
          // A malformed event is skipped; the next one comes within a second.
        }
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      retry('the feed ended');
    } catch (error) {
      if (!stopped) retry(error instanceof Error ? error.message : String(error));
    }
  }
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    abort?.abort();
  };
}
