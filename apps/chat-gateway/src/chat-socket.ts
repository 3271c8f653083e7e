import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { AuthError, BEARER_SUBPROTOCOL, tokenFromUpgrade } from '@manga-assist/auth';
import type { WebSocket } from 'ws';
import type { ChatContext, ChatPipeline, ChatSink } from '@manga-assist/chat';
import { AnalyzeRequestSchema } from '@manga-assist/contracts';
import type { AnalysisServerFrame, AnalyzeFrame, ErrorCode, Preferences, PreferencesPatch, ServerFrame } from '@manga-assist/contracts';
import { Gauge } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { Analyses } from './analyses';
import type { Caller, CallerAuth } from './caller-auth';
import { parseClientFrame, serializeFrames } from './frames';
import { responseBytesHistogram } from './response-size';
import { createTokenJoiner } from './token-joiner';
import type { ConnectionGate, UpgradeRefusal } from './connection-gate';

export interface ChatSocketDeps {
  pipeline: ChatPipeline;
  /** Checks the upgrade's token before the socket opens; the user id comes from it only. */
  auth: CallerAuth;
  /** Loads the session, preferences and trending list into a new connection's context. */
  prefetch(context: ChatContext): Promise<void>;
  /** Stores a change to the session's (and user's) preferences, applies it to the connection, and returns what is now in force. */
  setPreferences?(context: ChatContext, patch: PreferencesPatch): Promise<Preferences>;
  logger: Logger;
  registry: Registry;
  /** Requests one connection may have in flight; more get a `busy` error. */
  maxInFlight?: number;
  /** The first message waits at most this long for the connect-time prefetch. */
  prefetchWaitMs?: number;
  /**
   * Tokens after the first are gathered for at most this long and sent as one frame (0: only those
   * that arrive in the same turn of the event loop). About one screen refresh: the reader sees no
   * difference, the socket and the client parse one frame instead of several.
   */
  tokenFlushMs?: number;
  /** Fair limits and the Origin allowlist, checked before the upgrade and before each message (none: no limits). */
  gate?: ConnectionGate;
  /** The `analyze` action: long analyses streamed to the end (absent: the action is refused). */
  analyses?: Pick<Analyses, 'stream'>;
  /** Where this instance records the connections it holds (the connection registry), for pushes from other apps. */
  connections?: { register(connectionId: string, expiresAt?: number): void; unregister(connectionId: string): void };
}

/** A connection let in by the gate: its id, and what gives its slot back on close. */
interface Admitted {
  connectionId: string;
  release(): Promise<void>;
}

export interface DrainOptions {
  /** Answers in flight get at most this long to finish. */
  timeoutMs: number;
  /** Each client is told to reconnect after a random delay up to this. */
  retryAfterMs: number;
}

export interface ChatSocketServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Connections by id, for pushes (revisions) to the client. */
  send(connectionId: string, frame: ServerFrame): boolean;
  connections(): number;
  /**
   * Shutdown: refuses new upgrades (503) and new messages (`unavailable`), lets the answers in
   * flight finish (at most `timeoutMs`), then sends each client a `reconnect` frame and closes its
   * socket with 1001.
   */
  drain(options: DrainOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * Gives a connection's slot back when its transport closes. A module-level function so the
 * listener holds `release` only: a closure made inside the upgrade handler would keep the whole
 * handshake (request, headers, URL with its token) alive for as long as the socket is open.
 */
function releaseOnClose(socket: Duplex, release: () => Promise<void>): void {
  socket.once('close', () => void release());
}

// ws closes the connection above this; everything between 32 KB and here gets a typed error frame.
const HARD_FRAME_LIMIT = 1024 * 1024;

export function createChatSocketServer(deps: ChatSocketDeps): ChatSocketServer {
  const { pipeline, logger, maxInFlight = 4, prefetchWaitMs = 250, tokenFlushMs = 16 } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    perMessageDeflate: false,
    // A browser that sent its token as `Sec-WebSocket-Protocol: bearer, <token>` expects `bearer` back.
    handleProtocols: (protocols) => (protocols.has(BEARER_SUBPROTOCOL) ? BEARER_SUBPROTOCOL : false),
  });
  const sockets = new Map<string, WebSocket>();
  // Drain: requests in flight per connection, and who waits for a connection to have none.
  const requests = new Map<string, Map<string, AbortController>>();
  const idleWaiters = new Map<string, () => void>();
  let draining = false;
  new Gauge({
    name: 'manga_assist_ws_connections',
    help: 'Open chat WebSocket connections.',
    registers: [deps.registry],
    collect() {
      this.set(sockets.size);
    },
  });

  // Every frame's size, by frame type (frames over 128 KB are split or trimmed by serializeFrames).
  const frameBytes = responseBytesHistogram(deps.registry);
  /** The TCP socket under each WebSocket, to cork it. */
  const transports = new WeakMap<WebSocket, Duplex>();
  const corked = new WeakSet<Duplex>();
  /**
   * Frames sent in one turn of the event loop leave in one write: the transport is corked at the
   * first and uncorked on the next tick (a cached answer's token and done frames, one syscall).
   */
  const sendFrame = (socket: WebSocket, frame: ServerFrame | AnalysisServerFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    const transport = transports.get(socket);
    if (transport && !corked.has(transport)) {
      corked.add(transport);
      transport.cork();
      process.nextTick(() => {
        corked.delete(transport);
        transport.uncork();
      });
    }
    for (const json of serializeFrames(frame)) {
      frameBytes.observe({ door: 'websocket', route: frame.type }, Buffer.byteLength(json));
      socket.send(json);
    }
  };
  const sendError = (socket: WebSocket, code: ErrorCode, message: string, requestId?: string) =>
    sendFrame(socket, requestId ? { type: 'error', requestId, code, message } : { type: 'error', code, message });

  const savePreferences = async (socket: WebSocket, context: ChatContext, requestId: string, patch: PreferencesPatch) => {
    if (!deps.setPreferences) return sendError(socket, 'unknown_action', 'setPreferences is not available here', requestId);
    try {
      sendFrame(socket, { type: 'preferences', requestId, preferences: await deps.setPreferences(context, patch) });
    } catch (error) {
      logger.warn({ err: (error as Error).message, sessionId: context.sessionId }, 'preferences could not be saved');
      sendError(socket, 'unavailable', 'your preferences could not be saved; please try again', requestId);
    }
  };

  /**
   * The first token goes out at once; the ones after it are joined into one frame per
   * `tokenFlushMs` (or per turn of the event loop), and whatever is pending goes out before `done`
   * or an error. Each frame costs a socket write here and a parse in the client: a model streaming
   * a token every few milliseconds would otherwise cost more than everything else on the path.
   */
  const tokenSink = (socket: WebSocket, requestId: string): ChatSink => {
    const tokens = createTokenJoiner((text) => sendFrame(socket, { type: 'token', requestId, text }), tokenFlushMs);
    return {
      token: (text) => tokens.token(text),
      done(done) {
        tokens.flush();
        sendFrame(socket, done);
      },
      error(code, message) {
        tokens.flush();
        sendError(socket, code, message, requestId);
      },
    };
  };

  /** Progress, token (joined like a chat answer's) and done frames of one analysis, for as long as it runs. */
  const analyze = async (socket: WebSocket, context: ChatContext, frame: AnalyzeFrame, signal: AbortSignal) => {
    const request = AnalyzeRequestSchema.safeParse({ kind: frame.kind, titles: frame.titles, question: frame.question, sessionId: frame.sessionId ?? context.sessionId });
    if (!request.success) {
      const issue = request.error.issues[0]!;
      return sendError(socket, 'invalid_frame', `${issue.path.join('.') || 'frame'}: ${issue.message}`, frame.requestId);
    }
    // Over the user's analyses per hour (shared with POST /v1/analyze and every instance): told when to try again.
    const allowed = deps.gate ? await deps.gate.analysis(context.userId!) : { allowed: true as const };
    if (!allowed.allowed) {
      return sendFrame(socket, { type: 'error', requestId: frame.requestId, code: 'rate_limited', message: `too many analyses for now; try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s`, retryAfterMs: allowed.retryAfterMs });
    }
    const tokens = createTokenJoiner((text) => sendFrame(socket, { type: 'token', requestId: frame.requestId, text }), tokenFlushMs);
    try {
      await deps.analyses!.stream(context.userId!, request.data, frame.requestId, (out) => {
        if (out.type === 'token') return tokens.token(out.text);
        tokens.flush();
        sendFrame(socket, out);
      }, signal);
    } catch (error) {
      tokens.flush();
      logger.warn({ err: (error as Error).message, requestId: frame.requestId }, 'analysis could not be started');
      sendError(socket, 'unavailable', 'the analysis could not be started right now; please try again', frame.requestId);
    }
  };

  wss.on('connection', (socket: WebSocket, request: IncomingMessage, caller: Caller, admitted: Admitted) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const { connectionId } = admitted;
    const claimed = caller.sessionId ?? requestedSession(url);
    // A session id made here names a session that cannot exist yet: nothing to read (session: null).
    const context: ChatContext = claimed
      ? { sessionId: claimed, userId: caller.userId, connectionId }
      : { sessionId: randomUUID(), userId: caller.userId, connectionId, session: null };
    sockets.set(connectionId, socket);
    deps.connections?.register(connectionId, caller.expiresAt);
    // The connection lives no longer than its token: the client is told why, then the socket closes.
    const expiry = setTimeout(
      () => {
        sendError(socket, 'token_expired', 'the token has expired: sign in again and reconnect');
        socket.close(4401, 'token expired');
      },
      Math.min(Math.max(0, caller.expiresAt - Date.now()), 2 ** 31 - 1),
    );
    const inFlight = new Map<string, AbortController>();
    requests.set(connectionId, inFlight);
    const prefetched = deps.prefetch(context).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message, sessionId: context.sessionId }, 'prefetch failed');
    });
    sendFrame(socket, { type: 'ready', connectionId, sessionId: context.sessionId, ...(caller.sessionToken ? { sessionToken: caller.sessionToken } : {}) });

    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const started = performance.now();
      const parsed = parseClientFrame(data, isBinary);
      if (!parsed.ok) return sendError(socket, parsed.code, parsed.message, parsed.requestId);
      const frame = parsed.frame;
      if (frame.action === 'ping') return sendFrame(socket, frame.requestId ? { type: 'pong', requestId: frame.requestId } : { type: 'pong' });
      if (frame.action === 'setPreferences') return void savePreferences(socket, context, frame.requestId, frame.preferences);
      if (draining) return sendError(socket, 'unavailable', 'this server is shutting down: reconnect and send it again', frame.requestId);
      if (inFlight.has(frame.requestId)) return sendError(socket, 'invalid_frame', `requestId ${frame.requestId} is already in flight`, frame.requestId);
      if (inFlight.size >= maxInFlight) return sendError(socket, 'busy', `at most ${maxInFlight} requests at a time per connection`, frame.requestId);
      const validateMs = performance.now() - started;

      const abort = new AbortController();
      inFlight.set(frame.requestId, abort);
      if (frame.action === 'analyze') {
        if (!deps.analyses) {
          inFlight.delete(frame.requestId);
          return sendError(socket, 'unknown_action', 'analyze is not available here', frame.requestId);
        }
        return void analyze(socket, context, frame, abort.signal).finally(() => inFlight.delete(frame.requestId));
      }
      void (async () => {
        // The user's message rate (all doors, all instances), checked while the pipeline starts on the question.
        const decision = deps.gate?.message(caller.userId);
        // The first message finds the prefetch done (or waits a little for it, never long).
        if (context.prefetchMs === undefined) await Promise.race([prefetched, new Promise((r) => setTimeout(r, prefetchWaitMs))]);
        await pipeline.handle({ requestId: frame.requestId, text: frame.text, validateMs, admitted: decision?.then((d) => d.allowed) }, context, tokenSink(socket, frame.requestId), abort.signal);
        // Over the limit: nothing was answered; told when to try again, and the connection stays open.
        const refused = await decision;
        if (refused && !refused.allowed) {
          sendFrame(socket, { type: 'error', requestId: frame.requestId, code: 'rate_limited', message: `too many messages for now; try again in ${Math.ceil(refused.retryAfterMs / 1000)} s`, retryAfterMs: refused.retryAfterMs });
        }
      })()
        .catch((error: unknown) => {
          logger.error({ err: error, requestId: frame.requestId }, 'chat request failed');
          sendError(socket, 'internal', 'something went wrong on our side; please try again', frame.requestId);
        })
        .finally(() => {
          inFlight.delete(frame.requestId);
          if (inFlight.size === 0) idleWaiters.get(connectionId)?.();
        });
    });

    socket.on('close', () => {
      void admitted.release();
      clearTimeout(expiry);
      sockets.delete(connectionId);
      requests.delete(connectionId);
      idleWaiters.get(connectionId)?.();
      deps.connections?.unregister(connectionId);
      for (const abort of inFlight.values()) abort.abort();
    });
    socket.on('error', (error) => logger.warn({ err: error.message, connectionId }, 'websocket error'));
  });

  return {
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (draining) return refuseUpgrade(socket, shuttingDown());
      // A client that resets while its token is being checked must not take the process down.
      const onEarlyError = () => socket.destroy();
      socket.on('error', onEarlyError);
      void (async () => {
        // The Origin and the address's rate of new connections first, then the token, then a slot per user and IP.
        const early = await deps.gate?.beforeAuth(request);
        if (early) return refuseUpgrade(socket, early);
        let caller: Caller;
        try {
          caller = await deps.auth.authenticate(tokenFromUpgrade(request.headers, url), requestedSession(url));
        } catch (error) {
          if (!(error instanceof AuthError)) logger.error({ err: error }, 'upgrade authentication failed');
          return refuseUpgrade(socket, error instanceof AuthError ? error : new AuthError('unavailable', 'the token could not be checked; please try again'));
        }
        if (socket.destroyed) return;
        // The drain began while its token was being checked.
        if (draining) return refuseUpgrade(socket, shuttingDown());
        const connectionId = randomUUID();
        const admission = deps.gate ? await deps.gate.admit(request, connectionId, caller.userId) : { allowed: true as const, release: async () => undefined };
        if (!admission.allowed) return refuseUpgrade(socket, admission.refusal);
        if (socket.destroyed) return void admission.release();
        // The slot goes back when the transport closes, also when ws refuses a malformed handshake.
        releaseOnClose(socket, admission.release);
        socket.off('error', onEarlyError);
        wss.handleUpgrade(request, socket, head, (ws) => {
          transports.set(ws, socket);
          wss.emit('connection', ws, request, caller, { connectionId, release: admission.release } satisfies Admitted);
        });
      })().catch((error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuseUpgrade(socket, new AuthError('unavailable', 'the connection could not be opened; please try again'));
      });
    },
    send(connectionId, frame) {
      const socket = sockets.get(connectionId);
      if (!socket) return false;
      sendFrame(socket, frame);
      return true;
    },
    connections: () => sockets.size,
    async drain({ timeoutMs, retryAfterMs }) {
      draining = true;
      const deadline = Date.now() + timeoutMs;
      await Promise.all(
        [...sockets.entries()].map(async ([connectionId, socket]) => {
          const idle = requests.get(connectionId)?.size ? new Promise<void>((resolve) => idleWaiters.set(connectionId, resolve)) : undefined;
          if (idle) await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
          idleWaiters.delete(connectionId);
          if (socket.readyState !== socket.OPEN) return;
          const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
          sendFrame(socket, { type: 'reconnect', retryAfterMs: Math.floor(Math.random() * (retryAfterMs + 1)), message: 'this server is shutting down: connect again to continue the session' });
          socket.close(1001, 'server shutting down: reconnect');
          // The client's close frame, or a second: the process exits after this.
          await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        }),
      );
    },
    async close() {
      for (const socket of sockets.values()) socket.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const shuttingDown = () => new AuthError('unavailable', 'this server is shutting down: connect again (the load balancer picks another)');

function requestedSession(url: URL): string | undefined {
  return url.searchParams.get('sessionId')?.slice(0, 128) || undefined;
}

/** A refused upgrade is a plain HTTP answer (401, 403, 429 or 503) with a typed error body: no socket opens. */
function refuseUpgrade(socket: Duplex, error: AuthError | UpgradeRefusal): void {
  if (socket.destroyed) return;
  const retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
  const body = JSON.stringify({ type: 'error', code: error.code, message: error.message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  const reasons: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' };
  const reason = reasons[error.status] ?? 'Error';
  const challenge = error.status === 401 ? `WWW-Authenticate: Bearer error="invalid_token"\r\n` : '';
  const retryAfter = retryAfterMs === undefined ? '' : `Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}\r\n`;
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${challenge}${retryAfter}\r\n${body}`,
  );
}
