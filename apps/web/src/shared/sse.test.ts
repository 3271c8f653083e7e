import { createSseParser } from './sse';
import type { SseEvent } from './sse';

const parse = (...chunks: string[]) => {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const chunk of chunks) parser.push(chunk);
  return events;
};

describe('createSseParser', () => {
  it('reads named events and joins multi-line data', () => {
    expect(parse('event: snapshot\ndata: {"a":1}\n\n: keep-alive\n\ndata: one\ndata: two\n\n')).toEqual([
      { event: 'snapshot', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('puts together an event split across chunks, even inside a CRLF', () => {
    expect(parse('event: snap', 'shot\r', '\ndata: {"at":"x', '"}\r\n\r\n')).toEqual([{ event: 'snapshot', data: '{"at":"x"}' }]);
  });

  it('emits nothing for an event whose blank line has not arrived yet', () => {
    expect(parse('event: snapshot\ndata: {}\n')).toEqual([]);
  });
});
