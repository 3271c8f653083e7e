import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ProductSummary } from '@manga-assist/contracts';
import { connectChat } from './connection';
import type { ConnectionState } from './connection';
import { answering, applyFrame, ask, createTranscriptStore, failUnfinished } from './conversation';
import type { AssistantMessage, Message } from './conversation';
import { describeDegraded, formatMs, formatPriceJpy, formatReleaseDate, waterfallRows } from './format';
import { shouldSend } from './ime';

/** Shown on a first visit: one question per kind of browsing the store is asked most. */
export const SUGGESTIONS = ['今週の人気マンガは？', '来月の新刊を教えて', 'おすすめの少女マンガは？', 'recommend a shonen manga under 1000 yen'];

let counter = 0;
const newRequestId = () => `r${Date.now().toString(36)}${(counter++).toString(36)}`;

export function ChatApp() {
  const store = useMemo(() => createTranscriptStore(localStorage), []);
  const [sessionId, setSessionId] = useState<string | null>(() => store.sessionId());
  const [messages, setMessages] = useState<Message[]>(() => (sessionId ? store.load(sessionId) : []));
  const [connection, setConnection] = useState<{ state: ConnectionState; retryInMs?: number }>({ state: 'connecting' });
  const [notice, setNotice] = useState<string | null>(null);
  const chat = useRef<ReturnType<typeof connectChat>>();
  const sessionRef = useRef(sessionId);

  useEffect(() => {
    chat.current = connectChat({
      sessionId: () => sessionRef.current,
      onState: (state, retryInMs) => {
        setConnection({ state, retryInMs });
        if (state === 'closed') setMessages(failUnfinished);
      },
      onFrame: (frame) => {
        if (frame.type === 'ready') {
          sessionRef.current = frame.sessionId;
          store.setSessionId(frame.sessionId);
          setSessionId(frame.sessionId);
          return;
        }
        if (frame.type === 'error' && !frame.requestId) setNotice('A message could not be understood by the server. Please try again.');
        setMessages((current) => applyFrame(current, frame));
      },
    });
    return () => chat.current?.close();
  }, [store]);

  useEffect(() => {
    if (sessionId) store.save(sessionId, messages);
  }, [store, sessionId, messages]);

  // The newest text stays in view while it streams, unless the reader has scrolled up to read.
  const list = useRef<HTMLElement>(null);
  const following = useRef(true);
  const count = messages.length;
  useEffect(() => {
    following.current = true;
  }, [count]);
  useEffect(() => {
    const el = list.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = (text: string) => {
    const trimmed = text.trim();
    if (!trimmed) return false;
    const requestId = newRequestId();
    if (!chat.current?.send({ action: 'sendMessage', requestId, text: trimmed })) {
      setNotice('Not connected yet: your message was kept, please send it again in a moment.');
      return false;
    }
    setNotice(null);
    setMessages((current) => ask(current, requestId, trimmed));
    return true;
  };

  const newConversation = () => {
    if (sessionId) store.forget(sessionId);
    location.reload();
  };

  return (
    <div class="chat">
      <header class="topbar">
        <h1>MangaAssist <span class="subtitle">マンガ案内</span></h1>
        <ConnectionBadge {...connection} />
        {messages.length > 0 && (
          <button type="button" class="link" onClick={newConversation}>
            New conversation
          </button>
        )}
      </header>
      <main
        class="messages"
        aria-live="polite"
        ref={list}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
        }}
      >
        {messages.length === 0 && <Suggestions onPick={send} disabled={connection.state !== 'open'} />}
        {messages.map((m) => (m.role === 'user' ? <UserBubble key={`u-${m.requestId}`} text={m.text} /> : <Answer key={`a-${m.requestId}`} message={m} />))}
      </main>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Composer onSend={send} disabled={connection.state !== 'open'} busy={answering(messages)} />
    </div>
  );
}

function ConnectionBadge({ state, retryInMs }: { state: ConnectionState; retryInMs?: number }) {
  const words = state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : `reconnecting in ${Math.ceil((retryInMs ?? 0) / 1000)} s`;
  return (
    <span class={`connection ${state}`} data-state={state}>
      {words}
    </span>
  );
}

function Suggestions({ onPick, disabled }: { onPick(text: string): void; disabled: boolean }) {
  return (
    <section class="welcome">
      <p>Ask about manga in Japanese or English. 日本語でも英語でも質問できます。</p>
      <div class="suggestions">
        {SUGGESTIONS.map((s) => (
          <button type="button" class="suggestion" key={s} disabled={disabled} onClick={() => onPick(s)}>
            {s}
          </button>
        ))}
      </div>
    </section>
  );
}

function UserBubble({ text }: { text: string }) {
  return (
    <div class="bubble user" data-role="user">
      {text}
    </div>
  );
}

function Answer({ message }: { message: AssistantMessage }) {
  const { done } = message;
  return (
    <article class={`bubble assistant ${message.state}`} data-role="assistant" data-state={message.state} data-request-id={message.requestId}>
      {message.revised && <p class="revised">This answer was revised after a safety check.</p>}
      <div class="answer-text">{message.text || (message.state === 'waiting' ? '…' : '')}</div>
      {message.error && (
        <p class="error" data-code={message.error.code}>
          {message.error.text}
        </p>
      )}
      {done && <Badges model={done.model} cached={done.cached} degraded={done.degraded ?? []} />}
      {done?.products && done.products.length > 0 && (
        <ul class="products">
          {done.products.map((p) => (
            <ProductCard key={p.id} product={p} />
          ))}
        </ul>
      )}
      {done && <Waterfall timings={done.timings} model={done.model} />}
    </article>
  );
}

function Badges({ model, cached, degraded }: { model: string; cached: boolean; degraded: string[] }) {
  return (
    <div class="badges">
      {cached && <span class="badge cached">cached</span>}
      <span class={`badge model ${model}`}>{model}</span>
      {degraded.map((reason) => (
        <span class="badge degraded" key={reason} title={reason}>
          {describeDegraded(reason)}
        </span>
      ))}
    </div>
  );
}

function ProductCard({ product }: { product: ProductSummary }) {
  const next = formatReleaseDate(product.nextVolumeDate);
  return (
    <li class="product" data-product-id={product.id}>
      <strong class="title">{product.title}</strong>
      {product.creator && <span class="creator">{product.creator}</span>}
      <span class="price">{formatPriceJpy(product.priceJpy)}</span>
      <span class={product.inStock ? 'stock in' : 'stock out'}>{product.inStock ? 'In stock · 在庫あり' : 'Out of stock · 在庫なし'}</span>
      {next && <span class="next">Next volume 次巻: {next}</span>}
    </li>
  );
}

function Waterfall({ timings, model }: { timings: Record<string, number>; model: string }) {
  const rows = waterfallRows(timings, model);
  const sum = rows.reduce((end, r) => Math.max(end, r.startMs + r.ms), 0);
  // Bars on a 0–100 axis spanning the whole request.
  const scale = (ms: number) => Math.min(100, (ms / Math.max(sum, 0.001)) * 100);
  return (
    <details class="waterfall">
      <summary>Timing: {formatMs(sum)}</summary>
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.segment} class={r.over ? 'over' : ''}>
              <th scope="row">{r.segment}</th>
              <td class="track">
                <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={`${r.segment} ${formatMs(r.ms)}`}>
                  <rect x={scale(r.startMs)} y="1" width={Math.max(0.4, scale(r.ms))} height="8" />
                </svg>
              </td>
              <td class="num">{formatMs(r.ms)}</td>
              <td class="num budget">{r.budgetMs === null ? '—' : `/ ${formatMs(r.budgetMs)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Composer({ onSend, disabled, busy }: { onSend(text: string): boolean; disabled: boolean; busy: boolean }) {
  const [text, setText] = useState('');
  const submit = () => {
    if (onSend(text)) setText('');
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        aria-label="Your question"
        placeholder="質問を入力… / Ask a question…"
        rows={2}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (shouldSend(e)) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" disabled={disabled || !text.trim()} aria-busy={busy}>
        Send
      </button>
    </form>
  );
}
