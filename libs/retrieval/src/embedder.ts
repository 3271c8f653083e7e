/** Turns text into L2-normalized vectors, so a dot product is the cosine similarity. */
export interface Embedder {
  /** Names the model and its output size; part of persisted index keys, so change it when vectors change. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** An embedder cheap enough to call inline on the chat path, once per message. */
export interface SyncEmbedder extends Embedder {
  embedSync(text: string): Float32Array;
}
