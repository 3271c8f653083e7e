import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';

import type { Embedder } from './embedder';
import { normalizeInPlace } from './vector-math';

/** Output sizes Titan Text Embeddings V2 accepts; anything else is a ValidationException at call time. */
export const TITAN_V2_DIMENSIONS = [256, 512, 1024] as const;
export type TitanV2Dimensions = (typeof TITAN_V2_DIMENSIONS)[number];

export interface TitanEmbedderOptions {
  /** A client whose credentials, region and request handler the caller owns. */
  client: BedrockRuntimeClient;
  modelId?: string;
  /** 512 keeps about 99% of the 1024-dimension accuracy at half the index size. */
  dimensions?: TitanV2Dimensions;
  /** Titan embeds one text per request; this many requests run at once while embedding a batch. */
  concurrency?: number;
}

const TitanResponseSchema = z.object({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().int().nonnegative().optional(),
});

/** The production embedder: Amazon Titan Text Embeddings V2 on Bedrock, through InvokeModel. */
export function createTitanEmbedder(options: TitanEmbedderOptions): Embedder {
  const { client } = options;
  const modelId = options.modelId ?? 'amazon.titan-embed-text-v2:0';
  const dimensions = options.dimensions ?? 512;
  const concurrency = options.concurrency ?? 8;
  if (!TITAN_V2_DIMENSIONS.includes(dimensions)) {
    throw new Error(`createTitanEmbedder: dimensions must be one of ${TITAN_V2_DIMENSIONS.join(', ')}, got ${dimensions}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`createTitanEmbedder: concurrency must be a positive integer, got ${concurrency}`);
  }

  const embedOne = async (text: string): Promise<Float32Array> => {
    // Titan rejects an empty inputText; a text with nothing in it has no direction anyway.
    if (text.trim() === '') return new Float32Array(dimensions);
    const response = await client.send(
      new InvokeModelCommand({
        modelId,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText: text, dimensions, normalize: true }),
      }),
    );
    const parsed = TitanResponseSchema.parse(JSON.parse(new TextDecoder().decode(response.body)));
    if (parsed.embedding.length !== dimensions) {
      throw new Error(`${modelId} returned ${parsed.embedding.length} dimensions, expected ${dimensions}`);
    }
    // Titan normalizes already; normalizing again is cheap and makes the Embedder contract hold regardless.
    return normalizeInPlace(Float32Array.from(parsed.embedding));
  };

  return {
    // Model ids contain ':' (amazon.titan-embed-text-v2:0); the id is also a file-name part.
    id: `${modelId.replace(/[^A-Za-z0-9.-]+/g, '-')}-${dimensions}`,
    dimensions,
    async embed(texts) {
      const out = new Array<Float32Array>(texts.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < texts.length) {
          const i = next++;
          out[i] = await embedOne(texts[i]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, texts.length) }, worker));
      return out;
    },
  };
}
