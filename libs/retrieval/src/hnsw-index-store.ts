import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Catalog } from '@manga-assist/catalog';
import { HierarchicalNSW } from 'hnswlib-node';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

import type { Embedder } from './embedder';
import { ExactVectorIndex } from './exact-vector-index';
import { readHnswVectors } from './hnsw-file-layout';
import { HnswVectorIndex } from './hnsw-vector-index';
import { QuantizedVectorRows } from './quantized-vector-rows';
import type { HnswSearchOptions } from './hnsw-vector-index';
import { itemEmbeddingText } from './item-text';
import type { RetrievalLogger } from './logger';
import { isZeroVector } from './vector-math';

export interface LoadOrBuildHnswIndexOptions extends HnswSearchOptions {
  catalog: Catalog;
  embedder: Embedder;
  /** Where index files live (the apps pass `.data/index`); created if missing. */
  dir: string;
  log: RetrievalLogger;
  /** Graph degree (hnswlib `M`). */
  m?: number;
  /** Build-time candidate list size (hnswlib `efConstruction`). */
  efConstruction?: number;
  /** Texts per `embedder.embed` call while building. */
  embedBatchSize?: number;
}

export interface HnswIndexFiles {
  graph: string;
  sidecar: string;
}

const FORMAT = 1;
const SPACE = 'cosine';
const RANDOM_SEED = 100;
// Inserting is synchronous native work (~1 ms per item); yield between slices so a process
// building its index still answers health checks.
const INSERT_SLICE = 256;
const SAFE_FILE_PART = /^[A-Za-z0-9._-]+$/;

/** What the graph file holds, written beside it; the graph is only trusted when all of this matches. */
const SidecarSchema = z.object({
  format: z.literal(FORMAT),
  catalogHash: z.string(),
  embedderId: z.string(),
  dimensions: z.number().int().positive(),
  space: z.literal(SPACE),
  m: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  /** Size and sha1 of the graph file: a truncated or altered file is rebuilt, never handed to hnswlib. */
  graphBytes: z.number().int().positive(),
  graphSha1: z.string().regex(/^[0-9a-f]{40}$/),
  /** Graph label i is `ids[i]`. */
  ids: z.array(z.string()),
  builtAt: z.string(),
  buildMs: z.number(),
});
type Sidecar = z.infer<typeof SidecarSchema>;

/** File names keyed by catalog and embedder, so a new catalog or model never reuses stale vectors. */
export function hnswIndexFiles(dir: string, catalogHash: string, embedderId: string): HnswIndexFiles {
  if (!SAFE_FILE_PART.test(embedderId)) throw new Error(`embedder id ${JSON.stringify(embedderId)} cannot be part of a file name`);
  const base = path.join(dir, `hnsw-${catalogHash.slice(0, 16)}-${embedderId}`);
  return { graph: `${base}.bin`, sidecar: `${base}.json` };
}

const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');

/** Writes via a temp file and a rename, so readers see the old file or the new one, never half of one. */
async function writeAtomically(target: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

class StaleIndexError extends Error {}

async function readSidecar(file: string): Promise<Sidecar | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
  const parsed = SidecarSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new StaleIndexError(`sidecar does not match format ${FORMAT}`);
  return parsed.data;
}

/**
 * Spot-checks the rows read from the file against what hnswlib itself loaded: each must lie within
 * its recorded quantization error of hnswlib's vector, the bound that exact scoring relies on.
 */
function assertSameVectors(graph: HierarchicalNSW, quantized: QuantizedVectorRows): void {
  const labels = graph.getIdsList();
  for (const label of [labels[0], labels[labels.length >> 1], labels[labels.length - 1]]) {
    if (label === undefined) continue;
    const fromGraph = graph.getPoint(label);
    const fromFile = quantized.dequantize(label);
    let errorSquared = 0;
    for (let i = 0; i < quantized.dimensions; i++) errorSquared += (fromGraph[i] - fromFile[i]) ** 2;
    if (quantized.isZero(label) || Math.sqrt(errorSquared) > quantized.errorNorms[label] + 1e-6) {
      throw new StaleIndexError(`vector of label ${label} differs between hnswlib and the file`);
    }
  }
}

// Float rows kept at hand for re-scoring: ~1.5 KB each, 3 MB in all. A search re-scores a handful
// of rows, mostly the same popular titles; fetching one from hnswlib builds a 384-number JS array
// (~25 µs), which profiled as the largest single cost of a chat question before these were kept.
const HOT_FLOAT_ROWS = 2048;

/**
 * Int8 rows for the scan, re-scored with hnswlib's own float vectors: no second full float copy is
 * held, only the most recently re-scored rows.
 */
function exactIndex(ids: readonly string[], quantized: QuantizedVectorRows, graph: HierarchicalNSW): ExactVectorIndex {
  const hot = new LRUCache<number, Float32Array>({ max: HOT_FLOAT_ROWS });
  const floatRow = (label: number): Float32Array => {
    let row = hot.get(label);
    if (row === undefined) {
      row = Float32Array.from(graph.getPoint(label));
      hot.set(label, row);
    }
    return row;
  };
  return new ExactVectorIndex(ids, { quantized, floatRow }, quantized.dimensions);
}

async function loadIndex(
  files: HnswIndexFiles,
  sidecar: Sidecar,
  options: LoadOrBuildHnswIndexOptions,
  started: number,
): Promise<HnswVectorIndex> {
  const { catalog, embedder } = options;
  if (sidecar.catalogHash !== catalog.hash) throw new StaleIndexError('built from another catalog');
  if (sidecar.embedderId !== embedder.id || sidecar.dimensions !== embedder.dimensions) {
    throw new StaleIndexError('built with another embedder');
  }
  if (sidecar.ids.length !== catalog.items.length) throw new StaleIndexError('id count differs from the catalog');
  const size = (await stat(files.graph)).size;
  if (size !== sidecar.graphBytes) throw new StaleIndexError(`graph file is ${size} bytes, expected ${sidecar.graphBytes}`);

  // hnswlib reads the file on a libuv thread while this thread reads and checksums it: loading only
  // allocates and copies (hnswlib checks the sizes it reads), and the graph is searched — trusting
  // the links in it — only after the checksum matched.
  const graph = new HierarchicalNSW(SPACE, sidecar.dimensions);
  const [bytes] = await Promise.all([readFile(files.graph), graph.readIndex(files.graph)]);
  if (sha1(bytes) !== sidecar.graphSha1) throw new StaleIndexError('graph file checksum mismatch');
  const quantized = readHnswVectors(bytes, sidecar.ids.length, sidecar.dimensions);
  assertSameVectors(graph, quantized);
  return new HnswVectorIndex(graph, exactIndex(sidecar.ids, quantized, graph), { source: 'loaded', ms: performance.now() - started, path: files.graph }, options);
}

async function embedCatalog(options: LoadOrBuildHnswIndexOptions): Promise<Float32Array[]> {
  const { catalog, embedder } = options;
  const batch = options.embedBatchSize ?? 512;
  const vectors: Float32Array[] = [];
  for (let start = 0; start < catalog.items.length; start += batch) {
    const texts = catalog.items.slice(start, start + batch).map(itemEmbeddingText);
    const embedded = await embedder.embed(texts);
    if (embedded.length !== texts.length) throw new Error(`${embedder.id} returned ${embedded.length} vectors for ${texts.length} texts`);
    vectors.push(...embedded);
  }
  return vectors;
}

async function persist(
  files: HnswIndexFiles,
  graph: HierarchicalNSW,
  meta: Omit<Sidecar, 'graphBytes' | 'graphSha1'>,
): Promise<void> {
  await mkdir(path.dirname(files.graph), { recursive: true });
  let graphBytes = 0;
  let graphSha1 = '';
  await writeAtomically(files.graph, async (temp) => {
    await graph.writeIndex(temp);
    const written = await readFile(temp);
    graphBytes = written.length;
    graphSha1 = sha1(written);
  });
  // The sidecar goes last: until it lands, the new graph file is not trusted by anyone.
  const sidecar: Sidecar = { ...meta, graphBytes, graphSha1 };
  await writeAtomically(files.sidecar, (temp) => writeFile(temp, JSON.stringify(sidecar)));
}

async function buildIndex(files: HnswIndexFiles, options: LoadOrBuildHnswIndexOptions, started: number): Promise<HnswVectorIndex> {
  const { catalog, embedder, log } = options;
  const m = options.m ?? 16;
  const efConstruction = options.efConstruction ?? 200;
  const ids = catalog.items.map((item) => item.id);
  const vectors = await embedCatalog(options);
  const embedMs = performance.now() - started;

  const graph = new HierarchicalNSW(SPACE, embedder.dimensions);
  graph.initIndex(Math.max(1, ids.length), m, efConstruction, RANDOM_SEED);
  let skipped = 0;
  for (let label = 0; label < vectors.length; label++) {
    // A text with nothing to embed has no direction; leaving it out keeps NaN out of the graph.
    if (isZeroVector(vectors[label])) skipped += 1;
    else graph.addPoint(Array.from(vectors[label]), label);
    if (label % INSERT_SLICE === INSERT_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  const exact = exactIndex(ids, QuantizedVectorRows.fromVectors(vectors, embedder.dimensions), graph);
  const buildMs = performance.now() - started;

  try {
    await persist(files, graph, {
      format: FORMAT,
      catalogHash: catalog.hash,
      embedderId: embedder.id,
      dimensions: embedder.dimensions,
      space: SPACE,
      m,
      efConstruction,
      ids,
      builtAt: new Date().toISOString(),
      buildMs: Math.round(buildMs),
    });
  } catch (error) {
    // The index in memory is complete; failing to save it only means the next start builds again.
    log.warn({ path: files.graph, error: (error as Error).message }, 'could not persist the vector index');
  }

  const ms = performance.now() - started;
  log.info(
    { items: ids.length, skipped, embedMs: Math.round(embedMs), buildMs: Math.round(buildMs), ms: Math.round(ms), path: files.graph },
    'vector index built',
  );
  return new HnswVectorIndex(graph, exact, { source: 'built', ms, path: files.graph }, options);
}

/**
 * Loads the HNSW index for this catalog and embedder from `dir`, or builds and persists it when
 * there is none or the persisted one does not verify (another catalog, another embedder, a
 * truncated or altered file). A restart therefore costs a file read, not a rebuild.
 */
export async function loadOrBuildHnswIndex(options: LoadOrBuildHnswIndexOptions): Promise<HnswVectorIndex> {
  const { catalog, embedder, dir, log } = options;
  const files = hnswIndexFiles(dir, catalog.hash, embedder.id);
  const started = performance.now();
  let reason = 'no persisted index';
  try {
    const sidecar = await readSidecar(files.sidecar);
    if (sidecar) {
      const index = await loadIndex(files, sidecar, options, started);
      log.info({ items: index.size, ms: Math.round(index.origin.ms), path: files.graph }, 'vector index loaded');
      return index;
    }
  } catch (error) {
    reason = (error as Error).message;
    log.warn({ path: files.graph, reason }, 'persisted vector index unusable; rebuilding');
  }
  log.info({ items: catalog.items.length, embedder: embedder.id, reason }, 'building vector index');
  return buildIndex(files, options, performance.now());
}
