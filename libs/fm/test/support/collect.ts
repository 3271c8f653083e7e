import type { ModelEvent } from '../../src/model-provider';

export interface TimedEvent {
  event: ModelEvent;
  at: number;
}

export interface Collected {
  tokens: string[];
  text: string;
  end?: Extract<ModelEvent, { type: 'end' }>;
  events: TimedEvent[];
  error?: unknown;
}

/** Reads a model stream to its end or its error, noting when each event arrived. */
export async function collect(stream: AsyncIterable<ModelEvent>): Promise<Collected> {
  const events: TimedEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) events.push({ event, at: performance.now() });
  } catch (e) {
    error = e;
  }
  const tokens = events.flatMap(({ event }) => (event.type === 'token' ? [event.text] : []));
  const last = events.at(-1)?.event;
  return { tokens, text: tokens.join(''), end: last?.type === 'end' ? last : undefined, events, error };
}
