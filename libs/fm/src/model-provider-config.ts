import http from 'node:http';
import https from 'node:https';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsRequestHandler } from '@manga-assist/pools';
import type { ConnectionPool } from '@manga-assist/pools';
import { createBedrockModelProvider } from './bedrock-model-provider';
import type { FaultPlans } from './fault-plan';
import type { LocalTimingProfile } from './local-model-provider';
import { createLocalModelProvider } from './local-model-provider';
import type { ModelProvider, ModelProfiles } from './model-provider';
import { createOpenAICompatibleProvider } from './openai-compatible-provider';

export interface LocalModelConfig {
  provider: 'local';
  profiles?: Partial<ModelProfiles<LocalTimingProfile>>;
  failures?: FaultPlans;
  /** How long a request marked `purpose: 'analysis'` takes from start to its last token. */
  analysisMs?: number;
}

export interface BedrockModelConfig {
  provider: 'bedrock';
  region: string;
  /** A local or private endpoint; production leaves it out. */
  endpoint?: string;
  modelIds: ModelProfiles<string>;
  maxTokens: number;
  /** Static credentials; without them the SDK's default chain (task role, profile) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call; 1 by default, since retries belong to the caller's resilience policy. */
  maxAttempts?: number;
  /** Keep-alive sockets to Bedrock; 10 matches the expected concurrency per task. */
  maxSockets?: number;
  connectionTimeoutMs?: number;
}

export interface OpenAIModelConfig {
  provider: 'openai';
  baseURL: string;
  apiKey?: string;
  models: ModelProfiles<string>;
  maxTokens?: number;
  maxRetries?: number;
  timeoutMs?: number;
}

export type ModelProviderConfig = LocalModelConfig | BedrockModelConfig | OpenAIModelConfig;

export interface ConfiguredModelProvider extends ModelProvider {
  /** Releases what the factory opened (the Bedrock client's sockets). */
  close(): void;
}

export interface ModelProviderDeps {
  /**
   * The `model` connection pool for Bedrock (sockets, connect and idle timeouts, metrics shared with
   * other Bedrock clients) instead of the client's own agents; `maxSockets` and
   * `connectionTimeoutMs` must then be left out. `close()` leaves its sockets to `pool.destroy()`.
   * The local and OpenAI-compatible providers do not use it (the latter runs on fetch).
   */
  pool?: ConnectionPool;
}

/** The model provider the app's validated config asks for; reads nothing from the environment itself. */
export function createModelProviderFromConfig(config: ModelProviderConfig, deps: ModelProviderDeps = {}): ConfiguredModelProvider {
  switch (config.provider) {
    case 'local':
      return withClose(createLocalModelProvider({ profiles: config.profiles, failures: config.failures, analysisMs: config.analysisMs }), () => undefined);
    case 'openai':
      return withClose(createOpenAICompatibleProvider(config), () => undefined);
    case 'bedrock': {
      const client = createBedrockClient(config, deps.pool);
      return withClose(
        createBedrockModelProvider({ client, modelIds: config.modelIds, maxTokens: config.maxTokens }),
        () => client.destroy(),
      );
    }
  }
}

function withClose<P extends ModelProvider>(provider: P, close: () => void): P & ConfiguredModelProvider {
  return { ...provider, close };
}

function createBedrockClient(config: BedrockModelConfig, pool: ConnectionPool | undefined): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    maxAttempts: config.maxAttempts ?? 1,
    // The client defaults to HTTP/2, which a plain HTTP/1.1 endpoint (local or proxy) refuses with
    // "Protocol error"; ConverseStream works over HTTP/1.1, and a keep-alive pool keeps TLS
    // handshakes off the critical path.
    requestHandler: pool === undefined ? ownRequestHandler(config) : pooledRequestHandler(config, pool),
  });
}

function ownRequestHandler(config: BedrockModelConfig): NodeHttpHandler {
  const maxSockets = config.maxSockets ?? 10;
  const agent = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  return new NodeHttpHandler({
    httpAgent: new http.Agent(agent),
    httpsAgent: new https.Agent(agent),
    connectionTimeout: config.connectionTimeoutMs ?? 1_000,
  });
}

// No request timeout: a streamed answer legitimately runs long; the pool's idle timeout catches a stalled one.
function pooledRequestHandler(config: BedrockModelConfig, pool: ConnectionPool): NodeHttpHandler {
  if (config.maxSockets !== undefined || config.connectionTimeoutMs !== undefined) {
    throw new Error(`maxSockets and connectionTimeoutMs come from the pool "${pool.name}"; leave them out when passing a pool`);
  }
  return awsRequestHandler(pool);
}
