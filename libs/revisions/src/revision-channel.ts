/**
 * The legacy route, for connections no instance has registered (gateways from before the
 * connection registry): one pub/sub channel per connection, `<keyPrefix>revisions:<connectionId>`;
 * such a gateway listens to all of them through one pattern and delivers the revisions for the
 * connections it holds.
 */
export function revisionChannel(keyPrefix: string, connectionId: string): string {
  return `${keyPrefix}revisions:${connectionId}`;
}

/** The PSUBSCRIBE pattern matching every revision channel under `keyPrefix`. */
export function revisionPattern(keyPrefix: string): string {
  return `${escapeGlob(keyPrefix)}revisions:*`;
}

/** The connection id a message arrived for, or null for a channel that is not a revision channel. */
export function connectionIdOf(keyPrefix: string, channel: string): string | null {
  const head = `${keyPrefix}revisions:`;
  return channel.startsWith(head) && channel.length > head.length ? channel.slice(head.length) : null;
}

// Pattern subscriptions are globs: a prefix holding `*`, `?`, `[`, `]` or `\` must match only itself.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
