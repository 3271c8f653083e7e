import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

/** One ConverseStream event frame (messageStart, contentBlockDelta, messageStop, metadata, …). */
export function eventFrame(eventType: string, body: object): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(eventType), ':content-type': str('application/json') },
    body: fromUtf8(JSON.stringify(body)),
  });
}

/** An exception frame inside the stream, e.g. throttlingException; the SDK throws it from the iteration. */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('exception'),
      ':exception-type': str(exceptionType),
      ':content-type': str('application/json'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

export const EVENT_STREAM_HEADERS = { 'content-type': 'application/vnd.amazon.eventstream' };

export const frames = {
  start: () => eventFrame('messageStart', { role: 'assistant' }),
  delta: (text: string) => eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }),
  blockStop: () => eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
  stop: (stopReason = 'end_turn') => eventFrame('messageStop', { stopReason }),
  metadata: (inputTokens: number, outputTokens: number) =>
    eventFrame('metadata', {
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: 1 },
    }),
};
