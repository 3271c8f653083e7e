// Reads the vectors back out of a file written by hnswlib's `saveIndex` (hnswlib 0.8, bundled with
// hnswlib-node 3): the graph file already holds every vector, so no second copy is persisted.
// Layout (host byte order, little-endian on every platform we run): a 96-byte header, then `count`
// fixed-size level-0 records [link count u32 | maxM0 links u32 | vector f32 × dim | label u64],
// then the upper-level links.

import type { ExactVectorIndex } from './exact-vector-index';

const HEADER_BYTES = 96;
const OFFSET_CUR_COUNT = 16;
const OFFSET_SIZE_PER_ELEMENT = 24;
const OFFSET_LABEL = 32;
const OFFSET_DATA = 40;
const OFFSET_MAX_M0 = 64;

export class HnswFileLayoutError extends Error {
  constructor(detail: string) {
    super(`unexpected hnswlib file layout: ${detail}`);
    this.name = 'HnswFileLayoutError';
  }
}

/** Rows for `ExactVectorIndex`: `matrix` plus where row i starts (`offset + i * stride`). */
export interface HnswVectorRows {
  matrix: Float32Array;
  layout: NonNullable<ConstructorParameters<typeof ExactVectorIndex>[3]>;
}

/**
 * The stored vectors of a graph file as rows indexed by label; rows whose label was never inserted
 * are zero. When every label 0..rows-1 sits in its own slot (the way this lib builds), the rows are
 * a strided view into `file` — no copy, which matters on a 45 MB matrix. Throws
 * `HnswFileLayoutError` when the header does not describe exactly this shape, so a file from
 * another hnswlib version is rebuilt rather than misread.
 */
export function readHnswVectors(file: Buffer, rows: number, dimensions: number): HnswVectorRows {
  if (file.length < HEADER_BYTES) throw new HnswFileLayoutError(`${file.length} bytes is shorter than the header`);
  const u64 = (offset: number): number => {
    const low = file.readUInt32LE(offset);
    const high = file.readUInt32LE(offset + 4);
    if (high !== 0) throw new HnswFileLayoutError(`64-bit field at ${offset} is out of range`);
    return low;
  };
  const count = u64(OFFSET_CUR_COUNT);
  const perElement = u64(OFFSET_SIZE_PER_ELEMENT);
  const labelOffset = u64(OFFSET_LABEL);
  const dataOffset = u64(OFFSET_DATA);
  const maxM0 = u64(OFFSET_MAX_M0);
  const vectorBytes = dimensions * 4;
  if (count > rows) throw new HnswFileLayoutError(`${count} elements for ${rows} ids`);
  if (dataOffset !== 4 + maxM0 * 4 || labelOffset !== dataOffset + vectorBytes || perElement !== labelOffset + 8) {
    throw new HnswFileLayoutError(
      `record of ${perElement} bytes (data at ${dataOffset}, label at ${labelOffset}) does not fit ${dimensions} dimensions`,
    );
  }
  if (file.length < HEADER_BYTES + count * perElement) throw new HnswFileLayoutError('file shorter than its records');

  const labels = new Uint32Array(count);
  let inOrder = count === rows;
  for (let i = 0; i < count; i++) {
    labels[i] = u64(HEADER_BYTES + i * perElement + labelOffset);
    if (labels[i] >= rows) throw new HnswFileLayoutError(`element ${i} has label ${labels[i]}`);
    if (labels[i] !== i) inOrder = false;
  }
  const start = file.byteOffset + HEADER_BYTES + dataOffset;
  if (inOrder && count > 0 && start % 4 === 0 && perElement % 4 === 0) {
    const stride = perElement / 4;
    return { matrix: new Float32Array(file.buffer, start, (count - 1) * stride + dimensions), layout: { offset: 0, stride } };
  }

  const matrix = new Float32Array(rows * dimensions);
  const bytes = new Uint8Array(matrix.buffer);
  const seen = new Uint8Array(rows);
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (seen[label]) throw new HnswFileLayoutError(`label ${label} appears twice`);
    seen[label] = 1;
    const record = HEADER_BYTES + i * perElement;
    file.copy(bytes, label * vectorBytes, record + dataOffset, record + dataOffset + vectorBytes);
  }
  return { matrix, layout: { offset: 0, stride: dimensions } };
}
