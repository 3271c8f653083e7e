// End to end with two gateway instances: a client on the second one asks a question, the model
// streams an answer that leaks a phone number, the post-processor's guardrail check catches it and
// the client receives the revised answer as a revision frame within a second of its done frame.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import type { LocalIssuerKeys } from '@manga-assist/auth';
import type { ServerFrame } from '@manga-assist/contracts';
import { EVENT_STREAM_HEADERS, converseStreamFrames, freePort, spawnProcess, startTestServer, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess, TestServer } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
const LEAKY_ANSWER = ['おすすめは『ワンピース』です。', '在庫のお問い合わせは 090-1234-5678 ', 'までどうぞ。'];

/** A chat client over a real WebSocket, with the time each frame arrived. */
async function connect(url: string, token: string) {
  const frames: { frame: ServerFrame; at: number }[] = [];
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  socket.on('message', (data) => frames.push({ frame: JSON.parse(String(data)) as ServerFrame, at: performance.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await waitFor(() => frames.some((f) => f.frame.type === 'ready'), { timeoutMs: 5000, description: 'ready frame' });
  return { socket, frames };
}

describe('a guardrail revision through a second gateway instance', () => {
  let system: PostProcessorSystem;
  let bedrock: TestServer;
  const gateways: SpawnedProcess[] = [];
  const urls: string[] = [];
  // Both gateways verify tokens from one local issuer.
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-auth-'));
  let keys: LocalIssuerKeys;

  beforeAll(async () => {
    bedrock = await startTestServer((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(converseStreamFrames.start());
      for (const text of LEAKY_ANSWER) res.write(converseStreamFrames.delta(text));
      for (const frame of [converseStreamFrames.blockStop(), converseStreamFrames.stop(), converseStreamFrames.metadata(100, 20)]) res.write(frame);
      res.end();
    });
    keys = await ensureLocalIssuerKeys(keyDir);
    system = await startPostProcessorSystem();
    system.start();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      urls.push(`http://127.0.0.1:${port}`);
      gateways.push(
        spawnProcess(process.execPath, [path.join(ROOT, 'dist/apps/chat-gateway/main.js')], {
          cwd: ROOT,
          env: {
            ...system.env,
            GATEWAY_PORT: String(port),
            POST_PROCESSOR_URL: system.url,
            AUTH_MODE: 'local',
            AUTH_LOCAL_KEY_DIR: keyDir,
            MODEL_PROVIDER: 'bedrock',
            BEDROCK_ENDPOINT: bedrock.url,
            // The index is keyed by catalog and embedder, so every run on this machine can share it.
            INDEX_DIR: path.join(os.tmpdir(), 'manga-assist-test-index'),
          },
        }),
      );
    }
    await system.ready();
    for (const [i, url] of urls.entries()) {
      await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, {
        timeoutMs: 120_000,
        intervalMs: 200,
        description: `gateway ${i + 1} ready:\n${gateways[i]!.output().slice(-3000)}`,
      });
    }
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop('SIGTERM')));
    await system?.stop();
    await bedrock?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('reaches the client on the second instance within a second of its answer, and no one else', async () => {
    const onFirst = await connect(`${urls[0]!.replace('http', 'ws')}/ws`, await mintLocalToken(keys, 'u-first'));
    const onSecond = await connect(`${urls[1]!.replace('http', 'ws')}/ws`, await mintLocalToken(keys, 'u-second'));
    onSecond.socket.send(JSON.stringify({ action: 'sendMessage', requestId: 'leaky-1', text: 'おすすめの少年マンガは？' }));

    const done = await waitFor(() => onSecond.frames.find((f) => f.frame.type === 'done'), { timeoutMs: 15_000, description: 'done frame' });
    const streamed = onSecond.frames
      .filter((f) => f.frame.type === 'token')
      .map((f) => (f.frame as { text: string }).text)
      .join('');
    expect(streamed).toContain('090-1234-5678');

    const revision = await waitFor(() => onSecond.frames.find((f) => f.frame.type === 'revision'), { timeoutMs: 1000, intervalMs: 5, description: 'a revision within a second' });
    expect(revision.frame).toEqual({ type: 'revision', requestId: 'leaky-1', text: 'おすすめは『ワンピース』です。在庫のお問い合わせは [redacted phone] までどうぞ。' });
    const ms = revision.at - done.at;
    expect(ms).toBeLessThan(1000);
    process.stdout.write(`revision reached the client on the second gateway ${Math.round(ms)} ms after its done frame\n`);

    await new Promise((r) => setTimeout(r, 200));
    expect(onFirst.frames.map((f) => f.frame.type)).toEqual(['ready']);
    onFirst.socket.close();
    onSecond.socket.close();
  });
});
