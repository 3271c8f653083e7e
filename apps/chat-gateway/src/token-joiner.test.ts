import { createTokenJoiner } from './token-joiner';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token joiner', () => {
  it('sends the first token at once and joins the ones after it', async () => {
    const sent: string[] = [];
    const joiner = createTokenJoiner((text) => sent.push(text), 20);
    joiner.token('今週');
    expect(sent).toEqual(['今週']);
    joiner.token('の');
    joiner.token('人気');
    expect(sent).toEqual(['今週']);
    await sleep(40);
    expect(sent).toEqual(['今週', 'の人気']);
  });

  it('sends what waits when flushed, once, and nothing when nothing waits', async () => {
    const sent: string[] = [];
    const joiner = createTokenJoiner((text) => sent.push(text), 20);
    joiner.token('a');
    joiner.token('b');
    joiner.flush();
    joiner.flush();
    await sleep(40);
    expect(sent).toEqual(['a', 'b']);
  });

  it('joins only the tokens of one turn of the event loop with 0', async () => {
    const sent: string[] = [];
    const joiner = createTokenJoiner((text) => sent.push(text), 0);
    joiner.token('a');
    joiner.token('b');
    joiner.token('c');
    await new Promise((resolve) => setImmediate(resolve));
    joiner.token('d');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['a', 'bc', 'd']);
  });
});
