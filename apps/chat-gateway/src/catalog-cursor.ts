import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque page cursors for the catalog search: `base64url(offset.queryDigest).signature`, signed
 * with a key every gateway instance derives from the shared control token, so a page can be asked
 * of any instance. A cursor tampered with, made up, or taken from another query does not open.
 */
export interface CatalogCursors {
  issue(query: string, offset: number): string;
  /** The offset a cursor stands for, or an error saying why it cannot be used for this query. */
  open(query: string, cursor: string): { ok: true; offset: number } | { ok: false; message: string };
}

const SIGNATURE_BYTES = 16;

export function createCatalogCursors(secret: string): CatalogCursors {
  // A key of its own, so a cursor's signature says nothing about the control token.
  const key = createHmac('sha256', secret).update('manga-assist catalog cursor v1').digest();
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, SIGNATURE_BYTES);
  return {
    issue(query, offset) {
      const payload = Buffer.from(`${offset}.${queryDigest(query)}`).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    open(query, cursor) {
      const [payload, signature, extra] = cursor.split('.');
      if (!payload || !signature || extra !== undefined) return { ok: false, message: 'cursor is not one this endpoint issued' };
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, message: 'cursor is not one this endpoint issued (or was changed)' };
      const [offsetText, digest] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
      if (digest !== queryDigest(query)) return { ok: false, message: 'cursor belongs to another query: send the same q as the page it came from' };
      const offset = Number(offsetText);
      if (!Number.isSafeInteger(offset) || offset < 0) return { ok: false, message: 'cursor is not one this endpoint issued' };
      return { ok: true, offset };
    },
  };
}

/** The query as the search sees it: surrounding spaces do not make another query. */
function queryDigest(query: string): string {
  return createHash('sha256').update(query.trim()).digest('base64url').slice(0, 22);
}
