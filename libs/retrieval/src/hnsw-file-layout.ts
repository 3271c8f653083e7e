// Reads the vectors back out of a file written by hnswlib's `saveIndex` (hnswlib 0.8, bundled with
// hnswlib-node 3): the graph file already holds every vector, so no second copy is persisted.
// Layout (host byte order, little-endian on every platform we run): a 96-byte header, then `count`
// fixed-size level-0 records [link count u32 | maxM0 links u32 | vector f32 × dim | label u64],
// then the upper-level links.

import { QuantizedVectorRows } from './quantized-vector-rows';

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

/**
 * The stored vectors of a graph file, quantized to int8 rows indexed by label; rows whose label was
 * never inserted are zero. The rows are copied out, so nothing keeps `file` (a 47 MB Buffer on the
 * full catalog) alive after this returns. Throws `HnswFileLayoutError` when the header does not
 * describe exactly this shape, so a file from another hnswlib version is rebuilt rather than misread.
 */
export function readHnswVectors(file: Buffer, rows: number, dimensions: number): QuantizedVectorRows {
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

  const quantized = new QuantizedVectorRows(rows, dimensions);
  // One record's vector at a time, copied to an aligned scratch row (records need not be 4-aligned).
  const scratch = new Float32Array(dimensions);
  const scratchBytes = new Uint8Array(scratch.buffer);
  const seen = new Uint8Array(rows);
  for (let i = 0; i < count; i++) {
    const record = HEADER_BYTES + i * perElement;
    const label = u64(record + labelOffset);
    if (label >= rows) throw new HnswFileLayoutError(`element ${i} has label ${label}`);
    if (seen[label]) throw new HnswFileLayoutError(`label ${label} appears twice`);
    seen[label] = 1;
    file.copy(scratchBytes, 0, record + dataOffset, record + dataOffset + vectorBytes);
    quantized.set(label, scratch);
  }
  return quantized;
}
