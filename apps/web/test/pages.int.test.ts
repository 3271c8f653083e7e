// The chat page and the ops page in a real browser (Debian's Chromium driven by playwright-core)
// against the real running system: the four apps as built, Redis, dynalite and kinesalite.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ChatClient, TEST_CONTROL_TOKEN, appBundlePath, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { createServiceClient } from '@manga-assist/rpc';
import type { GatewayRouter } from '@manga-assist/rpc';
import { chromiumLaunchOptions, spawnProcess, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '../../..');
const SCREENSHOTS = path.join(ROOT, '.data/screenshots');
// Routed to Sonnet (two questions) and never cached (an order question is high-risk).
const SONNET_QUESTION = 'Where is my order? When will it be delivered?';

const gatewayUrl = (system: TestSystem) => system.urls['chat-gateway']!;

describe('the chat page and the ops page', () => {
  let system: TestSystem;
  let scheduler: SpawnedProcess | undefined;
  let userDataDir: string;
  let context: BrowserContext;
  let chat: Page;
  const cspErrors: string[] = [];
  const pageErrors: string[] = [];

  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) cspErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Tokens spaced out so that streaming can be seen; a short Sonnet cooldown for the drill.
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor', 'health-checker'],
      env: {
        LOCAL_HAIKU_FIRST_TOKEN_MS: '40',
        LOCAL_HAIKU_TOKEN_MS: '12',
        LOCAL_SONNET_FIRST_TOKEN_MS: '60',
        LOCAL_SONNET_TOKEN_MS: '4',
        SONNET_BREAKER_COOLDOWN_MS: '1500',
        SONNET_BREAKER_FAILURES: '5',
        SONNET_BREAKER_SUCCESSES: '3',
      },
    });
    userDataDir = await mkdtemp(path.join(os.tmpdir(), 'manga-assist-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      ...chromiumLaunchOptions(),
      viewport: { width: 1100, height: 900 },
      locale: 'ja-JP',
    });
    chat = await context.newPage();
    watch(chat);
  });
  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await scheduler?.stop('SIGTERM', { killAfterMs: 10_000 });
    await system?.stop();
  });

  const lastAnswer = () => chat.locator('[data-role=assistant]').last();
  const askOnPage = async (text: string) => {
    const before = await chat.locator('[data-role=assistant]').count();
    await chat.getByLabel('Your question').fill(text);
    await chat.getByLabel('Your question').press('Enter');
    await chat.locator('[data-role=assistant]').nth(before).waitFor();
    await chat.locator('[data-role=assistant]').nth(before).and(chat.locator('[data-state=done], [data-state=failed]')).waitFor({ timeout: 30_000 });
    return chat.locator('[data-role=assistant]').nth(before);
  };

  it('serves the pages with caching headers and a strict Content-Security-Policy', async () => {
    const page = await fetch(`${gatewayUrl(system)}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${gatewayUrl(system)}${asset}`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Compressed once at start; fetch decodes it.
    expect(script.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(await script.text()).toMatch(/^(import|const|var|let|function|\(|!)/);
    expect((await fetch(`${gatewayUrl(system)}/`, { headers: { 'if-none-match': page.headers.get('etag')! } })).status).toBe(304);
    expect((await fetch(`${gatewayUrl(system)}/ops`)).status).toBe(200);
    expect((await fetch(`${gatewayUrl(system)}/assets/nothing-here.js`)).status).toBe(404);
    // The ops feed is never open.
    expect((await fetch(`${gatewayUrl(system)}/v1/ops/stream`)).status).toBe(401);
    expect((await fetch(`${gatewayUrl(system)}/v1/ops/stream`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
  });

  it('streams a Japanese answer with product cards, then an English one', async () => {
    await chat.goto(`${gatewayUrl(system)}/`);
    await chat.locator('.connection[data-state=open]').waitFor();
    await expect(chat.getByRole('button', { name: '今週の人気マンガは？' }).isVisible()).resolves.toBe(true);

    await chat.getByLabel('Your question').fill('今週の人気マンガは？');
    await chat.getByLabel('Your question').press('Enter');
    // Seen part-way: some text while the answer is still streaming, more once it is done.
    const streaming = chat.locator('[data-role=assistant][data-state=streaming] .answer-text');
    await streaming.waitFor();
    const partial = (await streaming.textContent()) ?? '';
    await lastAnswer().and(chat.locator('[data-state=done]')).waitFor();
    const full = (await lastAnswer().locator('.answer-text').textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(full.length).toBeGreaterThan(partial.length);
    expect(full.startsWith(partial)).toBe(true);

    const cards = lastAnswer().locator('.product');
    expect(await cards.count()).toBeGreaterThan(0);
    const first = cards.first();
    expect(((await first.locator('.title').textContent()) ?? '').length).toBeGreaterThan(0);
    expect(await first.locator('.price').textContent()).toMatch(/^[¥￥][\d,]+$/);
    expect(await first.locator('.stock').textContent()).toMatch(/在庫/);
    expect(await lastAnswer().locator('.badge.model').textContent()).toBe('haiku');
    expect(await lastAnswer().locator('.badge.cached').count()).toBe(0);

    const english = await askOnPage('recommend a shonen manga under 1000 yen');
    const prices = await english.locator('.product .price').allTextContents();
    expect(prices.length).toBeGreaterThan(0);
    for (const price of prices) expect(Number(price.replace(/[^\d]/g, ''))).toBeLessThanOrEqual(1000);
  });

  it('shows the timing waterfall of an answer against its budgets', async () => {
    const answer = lastAnswer();
    await answer.locator('.waterfall summary').click();
    const rows = answer.locator('.waterfall tr');
    const segments = await rows.locator('th').allTextContents();
    expect(segments).toEqual(expect.arrayContaining(['intent', 'cache-lookup', 'vector-search', 'fm-total']));
    const fmTotal = answer.locator('.waterfall tr', { has: chat.locator('th', { hasText: /^fm-total$/ }) });
    expect(await fmTotal.locator('.budget').textContent()).toBe('/ 300 ms');
    await chat.locator('.messages').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await chat.screenshot({ path: path.join(SCREENSHOTS, 'chat.png') });
  });

  it('answers a repeated question from the cache, with the cached badge', async () => {
    // The cache write goes through the post-processor: ask until it has landed.
    let cached = false;
    const deadline = Date.now() + 30_000;
    while (!cached && Date.now() < deadline) {
      const again = await askOnPage('今週の人気マンガは？');
      cached = (await again.locator('.badge.cached').count()) === 1;
      if (!cached) await new Promise((r) => setTimeout(r, 300));
    }
    expect(cached).toBe(true);
    expect(await lastAnswer().locator('.badge.model').textContent()).toBe('cache');
    expect(((await lastAnswer().locator('.answer-text').textContent()) ?? '').length).toBeGreaterThan(0);
  });

  it('continues the same conversation after a reload', async () => {
    const sessionBefore = await chat.evaluate(() => localStorage.getItem('manga-assist.sessionId'));
    const questionsBefore = await chat.locator('[data-role=user]').allTextContents();
    await chat.reload();
    await chat.locator('.connection[data-state=open]').waitFor();
    expect(await chat.locator('[data-role=user]').allTextContents()).toEqual(questionsBefore);
    expect(await chat.evaluate(() => localStorage.getItem('manga-assist.sessionId'))).toBe(sessionBefore);
    // The model's reply to thanks differs once the session has earlier turns: the server continued it.
    const thanks = await askOnPage('ありがとう');
    expect(await thanks.locator('.answer-text').textContent()).toMatch(/どういたしまして/);
    await chat.screenshot({ path: path.join(SCREENSHOTS, 'chat-reloaded.png') });
  });

  it('does not send while an IME is composing, and sends on the confirming Enter after it', async () => {
    const box = chat.getByLabel('Your question');
    await box.fill('しんかん');
    const before = await chat.locator('[data-role=user]').count();
    // The Enter that picks a kanji candidate arrives with isComposing set (keyCode 229).
    await box.dispatchEvent('keydown', { key: 'Enter', isComposing: true, keyCode: 229, bubbles: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(await chat.locator('[data-role=user]').count()).toBe(before);
    expect(await box.inputValue()).toBe('しんかん');
    await box.fill('新刊');
    await box.press('Enter');
    await chat.locator('[data-role=user]').nth(before).waitFor();
    expect(await chat.locator('[data-role=user]').nth(before).textContent()).toBe('新刊');
    await lastAnswer().and(chat.locator('[data-state=done], [data-state=failed]')).waitFor();
  });

  it('answers a message over the size limit with a polite error, and keeps answering', async () => {
    const tooLong = await askOnPage('あ'.repeat(1500)); // 4.5 KB of UTF-8, over the 4 KB limit
    expect(await tooLong.getAttribute('data-state')).toBe('failed');
    expect(await tooLong.locator('.error').textContent()).toBe('That message is too long (4 KB at most). Please shorten it.');
    expect(await (await askOnPage('新刊')).getAttribute('data-state')).toBe('done');
  });

  describe('the ops page', () => {
    let ops: Page;
    const stat = (name: string) => ops.locator(`[data-stat=${name}] .value`);
    const breaker = (downstream: string) => ops.locator(`[data-downstream=${downstream}] [data-breaker]`);

    beforeAll(async () => {
      // The scheduler starts only now: its pre-computed answers would have made the first
      // questions above cache hits.
      scheduler = spawnProcess(process.execPath, [appBundlePath('prefetch-scheduler')], { cwd: ROOT, env: system.env });
      await waitFor(async () => (await fetch(`${system.env['SCHEDULER_URL']}/readyz`).catch(() => null))?.status === 200, {
        timeoutMs: 120_000,
        intervalMs: 200,
        description: 'the scheduler ready',
      });
      ops = await context.newPage();
      watch(ops);
    });

    it('asks for the control token and refuses a wrong one', async () => {
      await ops.goto(`${gatewayUrl(system)}/ops`);
      await ops.getByLabel('Control token').fill('definitely-not-the-control-token');
      await ops.getByRole('button', { name: 'Open the dashboard' }).click();
      await ops.getByText('That token was not accepted.').waitFor();
      await ops.getByLabel('Control token').fill(TEST_CONTROL_TOKEN);
      await ops.getByRole('button', { name: 'Open the dashboard' }).click();
      await ops.locator('.feed[data-state=live]').waitFor();
      await ops.locator('[data-app=prefetch-scheduler] .ok').waitFor();
      for (const app of ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker']) {
        expect(await ops.locator(`[data-app=${app}]`).textContent()).toContain('ready');
      }
    });

    it('shows numbers moving after chats', async () => {
      const answered = Number(await stat('answered').textContent());
      expect(answered).toBeGreaterThanOrEqual(5);
      const totalCount = Number(await ops.locator('[data-segment=total] td').first().textContent());
      const client = await ChatClient.connect(`${gatewayUrl(system).replace('http', 'ws')}/ws`, { token: await system.token('u-web') });
      try {
        await client.ask('おすすめの青年マンガは？');
        await client.ask('recommend a seinen manga in stock');
      } finally {
        client.close();
      }
      await waitFor(async () => Number(await stat('answered').textContent()) >= answered + 2, { timeoutMs: 10_000, intervalMs: 100, description: 'the answered count up by two' });
      await waitFor(async () => Number(await ops.locator('[data-segment=total] td').first().textContent()) >= totalCount + 2, {
        timeoutMs: 10_000,
        intervalMs: 100,
        description: 'the total segment counted both',
      });
      expect(Number(await stat('exact').textContent()) + Number(await stat('semantic').textContent())).toBeGreaterThanOrEqual(1);
      // A question the scheduler answered ahead (it started just before this page) is counted apart.
      const precomputed = Number(await stat('precomputed').textContent());
      // A user with no history yet: their answers are not personalized, so the shared cache answers.
      const client2 = await ChatClient.connect(`${gatewayUrl(system).replace('http', 'ws')}/ws`, { token: await system.token('u-web-new') });
      try {
        await client2.ask('best selling manga');
      } finally {
        client2.close();
      }
      await waitFor(async () => Number(await stat('precomputed').textContent()) === precomputed + 1, {
        timeoutMs: 10_000,
        intervalMs: 100,
        description: 'the pre-computed hit counted',
      });
      expect(await ops.locator('[data-bottleneck]').textContent()).not.toBe('—');
      // The health-checker's probes and the queues behind the post-processor are listed.
      expect(await ops.locator('[data-panel=probes] tbody tr').count()).toBeGreaterThan(0);
      await waitFor(async () => Number((await ops.locator('[data-queue=answered-batch] [data-completed]').textContent()) ?? 0) > 0, {
        timeoutMs: 10_000,
        intervalMs: 100,
        description: 'handed-over answers counted in their queue',
      });
    });

    it('shows the Sonnet breaker open during a model-fault drill, then closed again', async () => {
      const control = createServiceClient<GatewayRouter>({ baseUrl: gatewayUrl(system), controlToken: TEST_CONTROL_TOKEN });
      expect(await breaker('sonnet').textContent()).toBe('closed');
      await control.setModelFaults.mutate({ sonnet: { code: 'unavailable' } });
      const client = await ChatClient.connect(`${gatewayUrl(system).replace('http', 'ws')}/ws`, { token: await system.token('u-web') });
      try {
        for (let i = 0; i < 5; i++) await client.ask(SONNET_QUESTION);
        await ops.locator('[data-downstream=sonnet] [data-breaker=open]').waitFor({ timeout: 10_000 });

        // Meanwhile the chat page says, in words, that Haiku answered instead.
        const fallback = await askOnPage(SONNET_QUESTION);
        expect(await fallback.locator('.badge.degraded').textContent()).toBe('Sonnet could not answer, so Haiku did');
        await ops.screenshot({ path: path.join(SCREENSHOTS, 'ops-drill.png'), fullPage: true });

        await control.setModelFaults.mutate({});
        await ops.locator('[data-downstream=sonnet] [data-breaker=half-open]').waitFor({ timeout: 15_000 });
        for (let i = 0; i < 3; i++) await client.ask(SONNET_QUESTION);
        await ops.locator('[data-downstream=sonnet] [data-breaker=closed]').waitFor({ timeout: 10_000 });
        expect(Number(await ops.locator('[data-downstream=sonnet] td.num').last().textContent())).toBeGreaterThanOrEqual(3);
      } finally {
        client.close();
        await control.setModelFaults.mutate({});
      }
      await ops.screenshot({ path: path.join(SCREENSHOTS, 'ops.png'), fullPage: true });
    });

    it('ran both pages without a Content-Security-Policy violation or a script error', () => {
      expect(cspErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });
});
