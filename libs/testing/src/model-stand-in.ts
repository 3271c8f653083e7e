import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { EVENT_STREAM_HEADERS, exceptionFrame, frames } from './converse-stream-frames';

export interface ModelStandInOptions {
  /** Time from the request's arrival to the first token. */
  firstTokenMs?: number;
  /** Time between tokens after the first. */
  perTokenMs?: number;
  /** Tokens in every answer. */
  tokens?: number;
  /** Port to listen on (127.0.0.1); 0 or none: a free one. */
  port?: number;
}

export interface ModelStandInStats {
  /** Model calls answered or failed since the last reset, by API. */
  openai: number;
  bedrock: number;
  /** Streams open right now, and the most open at once since the last reset. */
  inFlight: number;
  maxInFlight: number;
}

export interface ModelStandIn {
  url: string;
  stats(): ModelStandInStats;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A question containing this marker is refused the way the API refuses a throttled call, at the
 * moment its first token was due: HTTP 429 (OpenAI) or a throttlingException frame (Bedrock).
 */
export const STAND_IN_THROTTLE_MARKER = '[stand-in:throttle]';

/**
 * The answer the stand-in streams for a question: deterministic, different per question, split
 * into `count` tokens. Exported so tests can compare what arrived with what was sent.
 */
export function standInAnswer(question: string, count: number): string[] {
  const digest = createHash('sha1').update(question).digest('hex').slice(0, 8);
  return Array.from({ length: count }, (_, i) => (i === 0 ? `Answer ${digest}:` : ` w${i}`));
}

interface Streamer {
  head(res: ServerResponse): void;
  token(res: ServerResponse, text: string): void;
  end(res: ServerResponse, outputTokens: number): void;
  throttle(res: ServerResponse): void;
}

const openaiChunk = (delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', created: 0, model: 'stand-in', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

const openai: Streamer = {
  head: (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(openaiChunk({ role: 'assistant' }));
  },
  token: (res, text) => res.write(openaiChunk({ content: text })),
  end: (res, outputTokens) => {
    const usage = { prompt_tokens: 1, completion_tokens: outputTokens, total_tokens: 1 + outputTokens };
    res.write(openaiChunk({}, 'stop'));
    res.end(`data: ${JSON.stringify({ id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', created: 0, model: 'stand-in', choices: [], usage })}\n\ndata: [DONE]\n\n`);
  },
  throttle: (res) => {
    res.writeHead(429, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'Rate limit reached (stand-in)', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }));
  },
};

const bedrock: Streamer = {
  head: (res) => {
    res.writeHead(200, EVENT_STREAM_HEADERS);
    res.write(frames.start());
  },
  token: (res, text) => res.write(frames.delta(text)),
  end: (res, outputTokens) => {
    res.write(frames.blockStop());
    res.write(frames.stop());
    res.end(frames.metadata(1, outputTokens));
  },
  throttle: (res) => {
    res.writeHead(200, EVENT_STREAM_HEADERS);
    res.end(exceptionFrame('throttlingException', 'Too many requests (stand-in)'));
  },
};

/** The last user message of an OpenAI or ConverseStream request body. */
function lastUserText(api: 'openai' | 'bedrock', body: string): string {
  const parsed = JSON.parse(body) as { messages?: { role: string; content: unknown }[] };
  const user = (parsed.messages ?? []).filter((m) => m.role === 'user').at(-1);
  if (!user) return '';
  if (api === 'openai') return typeof user.content === 'string' ? user.content : JSON.stringify(user.content);
  return ((user.content as { text?: string }[]) ?? []).map((c) => c.text ?? '').join('');
}

/**
 * A model server on loopback speaking OpenAI's streaming chat completions
 * (`POST /v1/chat/completions`) and Bedrock's ConverseStream (`POST /model/{id}/converse-stream`),
 * with a fixed first-token delay and per-token pace. Each token is due at an absolute time from the
 * request's arrival (first + k × per-token), and a late timer sends every token already due: timer
 * drift never stretches an answer. `GET /stats` reports the calls made; `POST /stats/reset` zeroes them.
 */
export async function startModelStandIn(options: ModelStandInOptions = {}): Promise<ModelStandIn> {
  const firstTokenMs = options.firstTokenMs ?? 100;
  const perTokenMs = options.perTokenMs ?? 1;
  const tokenCount = Math.max(1, options.tokens ?? 30);
  const stats: ModelStandInStats = { openai: 0, bedrock: 0, inFlight: 0, maxInFlight: 0 };

  const stream = (api: 'openai' | 'bedrock', body: string, arrived: number, res: ServerResponse) => {
    const streamer = api === 'openai' ? openai : bedrock;
    stats[api]++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      stats.inFlight--;
    };
    res.once('close', finish);
    let question: string;
    try {
      question = lastUserText(api, body);
    } catch {
      finish();
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'body is not JSON' }));
      return;
    }
    const tokens = standInAnswer(question, tokenCount);
    const due = (k: number) => arrived + firstTokenMs + k * perTokenMs;
    let next = 0;
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    res.once('close', () => clearTimeout(timer));
    const tick = () => {
      if (res.destroyed) return;
      if (question.includes(STAND_IN_THROTTLE_MARKER)) {
        streamer.throttle(res);
        return;
      }
      if (!started) {
        started = true;
        streamer.head(res);
      }
      const now = performance.now();
      // Every token already due goes out now, together (a timer may also fire a little early: then none).
      res.cork();
      while (next < tokens.length && due(next) <= now) streamer.token(res, tokens[next++]!);
      if (next === tokens.length) streamer.end(res, tokens.length);
      process.nextTick(() => res.uncork());
      if (next < tokens.length) timer = setTimeout(tick, Math.max(0, due(next) - performance.now()));
    };
    timer = setTimeout(tick, Math.max(0, due(0) - performance.now()));
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && url === '/v1/chat/completions') return stream('openai', body, arrived, res);
      if (req.method === 'POST' && /^\/model\/[^/]+\/converse-stream$/.test(url)) return stream('bedrock', body, arrived, res);
      if (req.method === 'GET' && url === '/stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      if (req.method === 'POST' && url === '/stats/reset') {
        Object.assign(stats, { openai: 0, bedrock: 0, maxInFlight: stats.inFlight });
        return void res.writeHead(204).end();
      }
      // Anything else (a pool warm-up GET, a probe) gets a cheap answer on a kept-alive socket.
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
  });
  server.keepAliveTimeout = 65_000;
  const listening = await listenOn(server, options.port ?? 0);
  return {
    url: listening.url,
    stats: () => ({ ...stats }),
    reset: () => Object.assign(stats, { openai: 0, bedrock: 0, maxInFlight: stats.inFlight }),
    close: listening.close,
  };
}

async function listenOn(server: http.Server, port: number): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
