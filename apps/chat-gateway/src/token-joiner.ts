export interface TokenJoiner {
  /** The first token is sent at once; later ones wait to be joined with the tokens after them. */
  token(text: string): void;
  /** Sends whatever is waiting (before `done` or an error). */
  flush(): void;
}

/**
 * Joins streamed tokens into fewer sends: the first goes out at once, the ones after it at most
 * every `flushMs` (0: those of one turn of the event loop). A model streaming a token every few
 * milliseconds would otherwise cost a socket write per token, more than the rest of the path.
 */
export function createTokenJoiner(send: (text: string) => void, flushMs: number): TokenJoiner {
  let pending = '';
  let first = true;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const flush = () => {
    if (timer !== undefined) {
      if (flushMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    if (pending === '') return;
    const text = pending;
    pending = '';
    send(text);
  };
  return {
    token(text) {
      if (first) {
        first = false;
        send(text);
        return;
      }
      pending += text;
      timer ??= flushMs > 0 ? setTimeout(flush, flushMs) : setImmediate(flush);
    },
    flush,
  };
}
