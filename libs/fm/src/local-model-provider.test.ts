import type { Intent, ModelProfile, ProductSummary } from '@manga-assist/contracts';
import { INTENTS } from '@manga-assist/contracts';
import { collect } from '../test/support/collect';
import { JAPANESE_KANA, PRODUCTS, quotedTitles, yenAmounts } from '../test/support/products';
import { assemblePrompt } from './assemble-prompt';
import type { LocalModelProviderOptions } from './local-model-provider';
import { createLocalModelProvider, DEFAULT_LOCAL_PROFILES } from './local-model-provider';
import type { ModelRequest } from './model-provider';
import { ModelStreamError } from './model-stream-error';

const FAST: LocalModelProviderOptions['profiles'] = {
  haiku: { firstTokenMs: 0, perTokenMs: 0 },
  sonnet: { firstTokenMs: 0, perTokenMs: 0 },
};

function request(userText: string, intent: Intent, products: ProductSummary[], profile: ModelProfile = 'haiku'): ModelRequest {
  const prompt = assemblePrompt({ userText, intent, history: [], products });
  return { profile, system: prompt.system, messages: prompt.messages, grounding: prompt.grounding };
}

async function answer(userText: string, intent: Intent, products: ProductSummary[]): Promise<string> {
  const result = await collect(createLocalModelProvider({ profiles: FAST }).stream(request(userText, intent, products)));
  expect(result.error).toBeUndefined();
  expect(result.end?.stopReason).toBe('end_turn');
  return result.text;
}

describe('local model provider: answers', () => {
  const given = PRODUCTS.slice(0, 3);
  const allowedPrices = new Set(given.flatMap((a) => [a.priceJpy, ...given.map((b) => Math.abs(a.priceJpy - b.priceJpy))]));

  it.each(INTENTS.flatMap((intent) => [[intent, 'en'] as const, [intent, 'ja'] as const]))(
    'mention only the products they were given (%s, %s)',
    async (intent, language) => {
      const text = await answer(language === 'ja' ? 'おすすめの漫画を教えて' : 'Any manga you would suggest?', intent, given);
      for (const title of quotedTitles(text)) expect(given.map((p) => p.title)).toContain(title);
      for (const yen of yenAmounts(text)) expect(allowedPrices).toContain(yen);
      // Titles that exist in the catalog but were not retrieved for this request never appear.
      for (const other of PRODUCTS.slice(3)) expect(text).not.toContain(other.title);
    },
  );

  it('answer in Japanese when the user writes Japanese, in English otherwise', async () => {
    const ja = await answer('今人気の漫画は？', 'trending', PRODUCTS);
    expect(ja).toMatch(/^当店でいま人気の作品です。/);
    expect(ja).toContain('『葬送のフリーレン』（山田鐘人）：572円・在庫あり');

    const en = await answer("what's trending?", 'trending', PRODUCTS);
    expect(en).toMatch(/^Here is what is popular in our store right now:/);
    expect(en).toContain('“葬送のフリーレン” by 山田鐘人: ¥572, in stock');
    // Outside the quoted titles and creators, the English answer has no kana.
    const outsideTitles = en.replace(/“[^”]*”/g, '').replace(/ by [^:]+:/g, '');
    expect(outsideTitles).not.toMatch(JAPANESE_KANA);
  });

  it('list new releases soonest first, with their dates', async () => {
    const text = await answer('new releases?', 'new_releases', PRODUCTS.slice(0, 5));
    const order = quotedTitles(text);
    expect(order.slice(0, 3)).toEqual(['ONE PIECE', 'キングダム', '葬送のフリーレン']);
    expect(text).toContain('next volume on 2025-11-04');
    expect(await answer('新刊は？', 'new_releases', [PRODUCTS[0]!])).toContain('次巻は2025年12月18日発売予定');
  });

  it('compare two products field by field', async () => {
    const text = await answer('Compare Berserk and Kingdom', 'comparison', [PRODUCTS[1]!, PRODUCTS[3]!]);
    expect(text).toContain('Comparing “ベルセルク” and “キングダム”:');
    expect(text).toContain('- Price: ¥759 vs ¥1,210 (“ベルセルク” is ¥451 cheaper)');
    expect(text).toContain('- Stock: in stock vs out of stock');
    expect(text).toContain('- Next volume: not announced vs 2025-11-19');
  });

  it('give a recommendation a reason taken from the product fields', async () => {
    const text = await answer('何かおすすめある？', 'recommendation', [PRODUCTS[2]!, PRODUCTS[1]!]);
    // In stock first; the reason is demographic, stock and price, nothing else.
    expect(text).toContain('1. 『ベルセルク』（三浦建太郎）：青年向け・在庫あり・759円');
    expect(text).toContain('2. 『ちはやふる』（末次由紀）：女性向け・在庫切れ・495円');
  });

  it('say plainly that orders are not visible here, without naming products', async () => {
    const en = await answer('Where is my order #123?', 'order_status', PRODUCTS);
    expect(en).toContain("can't see orders");
    expect(quotedTitles(en)).toEqual([]);
    expect(await answer('注文はいつ届きますか', 'order_status', PRODUCTS)).toContain('注文状況を確認できません');
  });

  it('admit when nothing was found instead of inventing a title', async () => {
    const text = await answer('Do you have Dragon Ball?', 'title_lookup', []);
    expect(text).toContain("couldn't find that title");
    expect(quotedTitles(text)).toEqual([]);
  });

  it('answer a request without grounding as small talk, with no facts', async () => {
    const provider = createLocalModelProvider({ profiles: FAST });
    const result = await collect(provider.stream({ profile: 'haiku', system: '', messages: [{ role: 'user', text: 'ping' }] }));
    expect(result.text).toMatch(/^Hi!/);
    expect(yenAmounts(result.text)).toEqual([]);
  });
});

describe('local model provider: streaming', () => {
  it('sends tokens one by one, the first after the first-token delay', async () => {
    const provider = createLocalModelProvider({
      profiles: { haiku: { firstTokenMs: 15, perTokenMs: 3 }, sonnet: DEFAULT_LOCAL_PROFILES.sonnet },
    });
    const started = performance.now();
    const result = await collect(provider.stream(request('trending?', 'trending', PRODUCTS)));
    const tokenTimes = result.events.filter((e) => e.event.type === 'token').map((e) => e.at);
    expect(tokenTimes.length).toBeGreaterThan(20);
    // Timers may fire up to a millisecond early against performance.now().
    expect(tokenTimes[0]! - started).toBeGreaterThanOrEqual(14);
    // Paced, not one burst: the last token is due (n-1) × 3 ms after the first (a token delayed by a
    // busy machine lets the next ones catch up, so the spacing itself is only checked loosely).
    expect(tokenTimes.at(-1)! - started).toBeGreaterThanOrEqual(15 + (tokenTimes.length - 1) * 3 - 2);
    expect(tokenTimes.at(-1)! - tokenTimes[0]!).toBeGreaterThanOrEqual(30);
    expect(result.end?.usage?.outputTokens).toBe(tokenTimes.length);
    expect(result.end?.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('splits Japanese into a few characters per token and English into words', async () => {
    const provider = createLocalModelProvider({ profiles: FAST });
    const ja = await collect(provider.stream(request('人気の漫画は？', 'trending', PRODUCTS)));
    expect(ja.tokens.filter((t) => JAPANESE_KANA.test(t)).every((t) => [...t.trim()].length <= 3)).toBe(true);
    const en = await collect(provider.stream(request('popular?', 'trending', PRODUCTS)));
    expect(en.tokens).toContain('popular ');
  });

  it('is slower to start on Sonnet than on Haiku, per the timing profiles', async () => {
    const provider = createLocalModelProvider({
      profiles: { haiku: { firstTokenMs: 5, perTokenMs: 0 }, sonnet: { firstTokenMs: 40, perTokenMs: 0 } },
    });
    const firstToken = async (profile: ModelProfile) => {
      const started = performance.now();
      for await (const event of provider.stream(request('hi', 'chit_chat', [], profile))) {
        if (event.type === 'token') return performance.now() - started;
      }
      throw new Error('no token');
    };
    const [haiku, sonnet] = [await firstToken('haiku'), await firstToken('sonnet')];
    expect(sonnet).toBeGreaterThanOrEqual(39);
    expect(haiku).toBeLessThan(sonnet);
  });

  it('stops at maxTokens and says so', async () => {
    const provider = createLocalModelProvider({ profiles: FAST });
    const result = await collect(provider.stream({ ...request('trending?', 'trending', PRODUCTS), maxTokens: 4 }));
    expect(result.tokens).toHaveLength(4);
    expect(result.end?.stopReason).toBe('max_tokens');
  });

  it('stops promptly when aborted, without an end event', async () => {
    const provider = createLocalModelProvider({
      profiles: { haiku: { firstTokenMs: 0, perTokenMs: 200 }, sonnet: DEFAULT_LOCAL_PROFILES.sonnet },
    });
    const controller = new AbortController();
    const stream = provider.stream({ ...request('trending?', 'trending', PRODUCTS), signal: controller.signal });
    const seen: string[] = [];
    const started = performance.now();
    const reading = (async () => {
      for await (const event of stream) {
        seen.push(event.type);
        if (seen.length === 1) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(100);
    expect(seen).toEqual(['token']);
  });

  it('stops promptly when aborted while waiting for the next token', async () => {
    const provider = createLocalModelProvider({
      profiles: { haiku: { firstTokenMs: 0, perTokenMs: 300 }, sonnet: DEFAULT_LOCAL_PROFILES.sonnet },
    });
    const controller = new AbortController();
    const stream = provider.stream({ ...request('trending?', 'trending', PRODUCTS), signal: controller.signal });
    const seen: string[] = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 30);
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(200);
    expect(seen).toEqual(['token']);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const provider = createLocalModelProvider({ profiles: FAST });
    const result = await collect(provider.stream({ ...request('hi', 'chit_chat', []), signal: AbortSignal.abort() }));
    expect(result.events).toEqual([]);
    expect(result.error).toMatchObject({ name: 'AbortError' });
  });
});

describe('local model provider: injected faults', () => {
  it('break Sonnet mid-stream with a ModelStreamError after the planned tokens, leaving Haiku alone', async () => {
    const provider = createLocalModelProvider({ profiles: FAST, failures: { sonnet: { breakAfterTokens: 3 } } });
    const broken = await collect(provider.stream(request('trending?', 'trending', PRODUCTS, 'sonnet')));
    expect(broken.tokens).toHaveLength(3);
    expect(broken.end).toBeUndefined();
    expect(broken.error).toBeInstanceOf(ModelStreamError);
    expect(broken.error).toMatchObject({ code: 'interrupted', retryable: true, profile: 'sonnet', tokensSent: 3, provider: 'local' });

    const fine = await collect(provider.stream(request('trending?', 'trending', PRODUCTS, 'haiku')));
    expect(fine.error).toBeUndefined();
    expect(fine.end?.stopReason).toBe('end_turn');
  });

  it('fail every Nth call before the first token', async () => {
    const provider = createLocalModelProvider({ profiles: FAST, failures: { sonnet: { failEvery: 2, code: 'throttled' } } });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await collect(provider.stream(request('hi', 'chit_chat', [], 'sonnet')));
      outcomes.push(result.error instanceof ModelStreamError ? `${result.error.code}/${result.tokens.length}` : 'ok');
    }
    expect(outcomes).toEqual(['ok', 'throttled/0', 'ok', 'throttled/0']);
  });

  it('fail a share of calls by rate, and can be cleared', async () => {
    const rolls = [0.1, 0.9, 0.3, 0.7];
    const provider = createLocalModelProvider({
      profiles: FAST,
      failures: { sonnet: { failRate: 0.5 } },
      random: () => rolls.shift() ?? 1,
    });
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await collect(provider.stream(request('hi', 'chit_chat', [], 'sonnet')));
      codes.push(result.error instanceof ModelStreamError ? result.error.code : 'ok');
    }
    expect(codes).toEqual(['unavailable', 'ok', 'unavailable', 'ok']);

    provider.setFailures(undefined);
    expect((await collect(provider.stream(request('hi', 'chit_chat', [], 'sonnet')))).error).toBeUndefined();
  });

  it('never let a planned break past a short answer look complete', async () => {
    const provider = createLocalModelProvider({ profiles: FAST, failures: { haiku: { breakAfterTokens: 10_000 } } });
    const result = await collect(provider.stream(request('hi', 'chit_chat', [])));
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.end).toBeUndefined();
    expect(result.error).toMatchObject({ code: 'interrupted', tokensSent: result.tokens.length });
  });
});

describe('local model provider: long analyses', () => {
  it('spreads an analysis over LOCAL_MODEL_ANALYSIS_MS, whatever the chat timing', async () => {
    const model = createLocalModelProvider({ profiles: FAST, analysisMs: 400 });
    const req: ModelRequest = { ...request('この2作品を比較して', 'comparison', PRODUCTS.slice(0, 2), 'sonnet'), purpose: 'analysis' };
    const started = performance.now();
    const arrivals: number[] = [];
    for await (const event of model.stream(req)) if (event.type === 'token') arrivals.push(performance.now() - started);
    expect(arrivals.length).toBeGreaterThan(5);
    // The last token comes at the configured time (timers never fire early), the first long before it.
    expect(arrivals.at(-1)!).toBeGreaterThanOrEqual(395);
    expect(arrivals[0]!).toBeLessThan(200);
    // The same request as a chat answer streams at the chat profile's pace (here: at once).
    const chat = performance.now();
    const result = await collect(model.stream({ ...req, purpose: 'chat' }));
    expect(performance.now() - chat).toBeLessThan(200);
    expect(result.text.length).toBeGreaterThan(0);
  });
});
