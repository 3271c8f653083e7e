import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

import { CatalogItemSchema } from './catalog-item.schema';
import type { CatalogItem } from './catalog-item.schema';

export interface Catalog {
  /** Works in file order (sorted by ID). */
  items: CatalogItem[];
  /** Works by `id`, their first MADB ID; the other IDs in `madbIds` are not keys. */
  byId: Map<string, CatalogItem>;
  /** sha256 of the file's bytes, hex: the same value `catalogHash` gives. */
  hash: string;
}

/** A catalog file that cannot be read, or a line of it that is not a valid catalog item. */
export class CatalogLoadError extends Error {
  constructor(
    readonly filePath: string,
    readonly lineNumber: number | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${lineNumber === null ? filePath : `${filePath}:${lineNumber}`}: ${detail}`, options);
    this.name = 'CatalogLoadError';
  }
}

export const CATALOG_RELATIVE_PATH = path.join('data', 'catalog', 'catalog.jsonl.gz');

/**
 * Finds data/catalog/catalog.jsonl.gz in `startDir` or the nearest parent that has it. Walking up
 * works both from libs/catalog/src (tests, tsx) and from dist/apps/<app>/main.js (esbuild bundle).
 */
export function defaultCatalogPath(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, CATALOG_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `${CATALOG_RELATIVE_PATH} not found in ${startDir} or any parent directory; build it with npm run catalog:build`,
  );
}

/** sha256 of the file's bytes, hex. Keys persisted indexes and imports to one exact catalog. */
export async function catalogHash(filePath: string = defaultCatalogPath()): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path.map(String).join('.') || '(line)'}: ${issue.message}`);
  return shown.join('; ') + (issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '');
}

function parseLine(text: string, filePath: string, lineNumber: number): CatalogItem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogLoadError(filePath, lineNumber, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = CatalogItemSchema.safeParse(json);
  if (!result.success) {
    throw new CatalogLoadError(filePath, lineNumber, `not a catalog item: ${describeIssues(result.error.issues)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Streams a gzip'd JSON-lines catalog, validating every line. Throws `CatalogLoadError` naming the
 * first bad line, so a corrupt or hand-edited file fails at startup rather than mid-conversation.
 */
export async function loadCatalog(filePath: string = defaultCatalogPath()): Promise<Catalog> {
  const hash = createHash('sha256');
  const source = createReadStream(filePath);
  const gunzip = createGunzip();
  // Hash the compressed bytes on the way through, so the file is read once.
  source.on('data', (chunk) => hash.update(chunk as Buffer));
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  gunzip.setEncoding('utf8');

  const items: CatalogItem[] = [];
  const byId = new Map<string, CatalogItem>();
  let pending = '';
  let lineNumber = 0;
  const take = (line: string): void => {
    lineNumber += 1;
    if (line.trim() === '') throw new CatalogLoadError(filePath, lineNumber, 'empty line');
    const item = parseLine(line, filePath, lineNumber);
    if (byId.has(item.id)) throw new CatalogLoadError(filePath, lineNumber, `duplicate id ${item.id}`);
    items.push(item);
    byId.set(item.id, item);
  };

  try {
    for await (const chunk of gunzip) {
      const lines = (pending + (chunk as string)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) take(line);
    }
  } catch (error) {
    source.destroy();
    if (error instanceof CatalogLoadError) throw error;
    throw new CatalogLoadError(filePath, null, `cannot read catalog (${(error as Error).message})`, { cause: error });
  }
  // The file ends with a newline; anything after the last one is a final line without it.
  if (pending !== '') take(pending);

  return { items, byId, hash: hash.digest('hex') };
}
