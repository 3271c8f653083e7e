import { z } from 'zod';
import { httpUrl, positiveInt } from './fields';

const nonNegativeMs = (defaultMs: number) =>
  z
    .string()
    .default(String(defaultMs))
    .transform((value, ctx) => {
      if (!/^\d+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number of milliseconds' });
        return z.NEVER;
      }
      return Number(value);
    });

/** Which foundation model answers, and how to reach it (gateway and scheduler). */
export const modelShape = {
  MODEL_PROVIDER: z.enum(['local', 'bedrock', 'openai'], { error: 'must be local, bedrock or openai' }).default('local'),
  LOCAL_HAIKU_FIRST_TOKEN_MS: nonNegativeMs(180),
  LOCAL_HAIKU_TOKEN_MS: nonNegativeMs(8),
  LOCAL_SONNET_FIRST_TOKEN_MS: nonNegativeMs(450),
  LOCAL_SONNET_TOKEN_MS: nonNegativeMs(15),
  BEDROCK_ENDPOINT: httpUrl().optional(),
  BEDROCK_HAIKU_MODEL_ID: z.string().min(1).default('anthropic.claude-3-5-haiku-20241022-v1:0'),
  BEDROCK_SONNET_MODEL_ID: z.string().min(1).default('anthropic.claude-3-5-sonnet-20241022-v2:0'),
  MODEL_MAX_TOKENS: positiveInt(1024),
  OPENAI_BASE_URL: httpUrl('http://127.0.0.1:11434/v1'),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_HAIKU_MODEL: z.string().min(1).default('llama3.2:1b'),
  OPENAI_SONNET_MODEL: z.string().min(1).default('llama3.1:8b'),
  /** MODEL_PROVIDER=local: how long one long analysis (the `analysis` queue) takes from start to last token. */
  LOCAL_MODEL_ANALYSIS_MS: nonNegativeMs(3000),
};

/** Retrieval and the response cache (gateway, scheduler, post-processor). */
export const retrievalShape = {
  CATALOG_PATH: z.string().min(1).optional(),
  INDEX_DIR: z.string().min(1).default('.data/index'),
  KEY_PREFIX: z.string().min(1).default('ma:'),
  QUEUE_PREFIX: z.string().regex(/^[\w.-]+$/, 'may contain only letters, digits, _ . and -').default('ma'),
  CACHE_SIMILARITY_THRESHOLD: z
    .string()
    .default('0.85')
    .transform((value, ctx) => {
      const n = Number(value);
      if (!(n > 0 && n <= 1)) {
        ctx.addIssue({ code: 'custom', message: 'must be a number in (0, 1]' });
        return z.NEVER;
      }
      return n;
    }),
};

/**
 * Where product search runs (gateway and scheduler): the embedded HNSW index over the local catalog,
 * or an OpenSearch Serverless collection (SigV4, service `aoss`) whose documents carry the product
 * fields and an `embedding` made by SEARCH_EMBEDDER.
 */
export const searchShape = {
  VECTOR_INDEX: z.enum(['hnsw', 'opensearch'], { error: 'must be hnsw or opensearch' }).default('hnsw'),
  OPENSEARCH_ENDPOINT: httpUrl().optional(),
  /** A collection's name instead of its endpoint: found with BatchGetCollection at start, used once ACTIVE. */
  OPENSEARCH_COLLECTION: z.string().regex(/^[a-z][a-z0-9-]{2,31}$/, 'must be a collection name (3-32 lowercase letters, digits and -)').optional(),
  /** How often a collection that is not ACTIVE yet is asked about again (ms). */
  OPENSEARCH_COLLECTION_POLL_MS: positiveInt(10_000),
  /** The OpenSearch Serverless control plane; unset: AWS's for AWS_REGION (a stand-in in tests). */
  OPENSEARCH_SERVERLESS_ENDPOINT: httpUrl().optional(),
  OPENSEARCH_INDEX: z.string().min(1).default('manga-products'),
  SEARCH_EMBEDDER: z.enum(['hashed', 'titan'], { error: 'must be hashed or titan' }).default('hashed'),
  TITAN_EMBED_MODEL_ID: z.string().min(1).default('amazon.titan-embed-text-v2:0'),
  TITAN_EMBED_DIMENSIONS: z
    .enum(['256', '512', '1024'], { error: 'must be 256, 512 or 1024' })
    .default('512')
    .transform((value) => Number(value) as 256 | 512 | 1024),
};

/** The combinations of search variables that cannot work, each reported on the variable to change. */
export function checkSearchSettings(
  config: { VECTOR_INDEX: string; OPENSEARCH_ENDPOINT?: string; OPENSEARCH_COLLECTION?: string; SEARCH_EMBEDDER: string },
  ctx: z.RefinementCtx,
): void {
  if (config.VECTOR_INDEX === 'opensearch' && !config.OPENSEARCH_ENDPOINT && !config.OPENSEARCH_COLLECTION) {
    ctx.addIssue({ code: 'custom', path: ['OPENSEARCH_ENDPOINT'], message: 'or OPENSEARCH_COLLECTION is required when VECTOR_INDEX=opensearch' });
  }
  if (config.OPENSEARCH_ENDPOINT && config.OPENSEARCH_COLLECTION) {
    ctx.addIssue({ code: 'custom', path: ['OPENSEARCH_COLLECTION'], message: 'names a collection to look up; leave it out when OPENSEARCH_ENDPOINT is given' });
  }
  if (config.VECTOR_INDEX === 'hnsw' && config.SEARCH_EMBEDDER === 'titan') {
    ctx.addIssue({
      code: 'custom',
      path: ['SEARCH_EMBEDDER'],
      message: 'titan needs VECTOR_INDEX=opensearch: the embedded HNSW index is built with the hashed embedder',
    });
  }
}

/** The validated model variables, as every consumer of `modelShape` sees them. */
export type ModelSettings = z.output<z.ZodObject<typeof modelShape>>;
/** The validated search variables, as every consumer of `searchShape` sees them. */
export type SearchSettings = z.output<z.ZodObject<typeof searchShape>>;

/**
 * The managed guardrail (post-processor and scheduler: every writer of the shared response cache).
 * `bedrock` runs Bedrock's ApplyGuardrail after the in-process tiers.
 */
export const guardrailShape = {
  GUARDRAIL_PROVIDER: z.enum(['local', 'bedrock'], { error: 'must be local or bedrock' }).default('local'),
  /** The guardrail's id or ARN (required with GUARDRAIL_PROVIDER=bedrock). */
  BEDROCK_GUARDRAIL_ID: z.string().min(1).optional(),
  /** A published version number, or DRAFT. */
  BEDROCK_GUARDRAIL_VERSION: z.string().regex(/^(DRAFT|[1-9][0-9]*)$/, 'must be DRAFT or a version number').default('DRAFT'),
  /** Time allowed to one ApplyGuardrail call; past it the in-process verdict stands alone. */
  BEDROCK_GUARDRAIL_TIMEOUT_MS: positiveInt(2_000),
};
export type GuardrailSettings = z.output<z.ZodObject<typeof guardrailShape>>;

export function checkGuardrailSettings(config: { GUARDRAIL_PROVIDER: string; BEDROCK_GUARDRAIL_ID?: string }, ctx: z.RefinementCtx): void {
  if (config.GUARDRAIL_PROVIDER === 'bedrock' && !config.BEDROCK_GUARDRAIL_ID) {
    ctx.addIssue({ code: 'custom', path: ['BEDROCK_GUARDRAIL_ID'], message: 'is required when GUARDRAIL_PROVIDER=bedrock' });
  }
}
