import net from 'node:net';
import { z } from 'zod';
import { LOCAL_DYNAMODB_ENDPOINT, LOCAL_KINESIS_ENDPOINT, httpUrl, positiveInt } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { awsEndpoints, localEndpoints } from './default-endpoints';
import type { HostResolverOptions } from './dns-phase';
import { EndpointInputSchema, mergeEndpoints } from './endpoint-spec';
import type { EndpointInput, EndpointSpec } from './endpoint-spec';

const endpointList = z
  .string()
  .optional()
  .transform((text, ctx): EndpointInput[] => {
    if (text === undefined) return [];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of endpoints' });
      return z.NEVER;
    }
    const parsed = z.array(EndpointInputSchema).safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
      ctx.addIssue({ code: 'custom', message: `must be a JSON array of endpoints (${problems.join('; ')})` });
      return z.NEVER;
    }
    return parsed.data;
  });

const nameServers = z
  .string()
  .optional()
  .transform((text, ctx): string[] | undefined => {
    if (text === undefined) return undefined;
    const servers = text.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = servers.filter((s) => net.isIP(s.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')) === 0);
    if (servers.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of name server addresses like 10.0.0.2 or 127.0.0.1:5353' });
      return z.NEVER;
    }
    return servers;
  });

/** Variables of the health checker's probes (the app and the report CLI read the same). */
export const probeSettingsShape = {
  /** local: `npm start`'s engines and the gateway; aws: the region's service endpoints. */
  HEALTH_MODE: z.enum(['local', 'aws'], { error: 'must be local or aws' }).default('local'),
  AWS_REGION: z.string().min(1).default('ap-northeast-1'),
  OPENSEARCH_COLLECTION_HOST: z.string().min(1).optional(),
  DYNAMODB_ENDPOINT: httpUrl(LOCAL_DYNAMODB_ENDPOINT),
  KINESIS_ENDPOINT: httpUrl(LOCAL_KINESIS_ENDPOINT),
  GATEWAY_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['chat-gateway']}`),
  /** JSON array: entries named like a default endpoint adjust it, others are added. */
  HEALTH_ENDPOINTS: endpointList,
  /** Name servers to query; default: getaddrinfo in local mode, the system's name servers in aws mode. */
  HEALTH_DNS_SERVERS: nameServers,
  PROBE_INTERVAL_MS: positiveInt(30_000),
  /** While an endpoint is unhealthy, rounds come this often (never less often than the interval), so a recovery shows in seconds. */
  PROBE_RECHECK_MS: positiveInt(5_000),
  PROBE_TIMEOUT_MS: positiveInt(2_000),
  DNS_TIMEOUT_MS: positiveInt(1_000),
  DNS_CACHE_MAX_TTL_S: positiveInt(60),
  CERT_WARN_DAYS: positiveInt(14),
  HEALTH_HISTORY_SIZE: positiveInt(120),
  /** The AZ label; default: from the ECS task metadata endpoint when there is one. */
  HEALTH_AZ: z.string().min(1).optional(),
  ECS_CONTAINER_METADATA_URI_V4: httpUrl().optional(),
};

export const probeSettingsSchema = z.object(probeSettingsShape);
export type ProbeSettings = z.infer<typeof probeSettingsSchema> & { REDIS_URL: string };

/** The endpoints to probe: the mode's defaults with HEALTH_ENDPOINTS applied. Throws on an incomplete new entry. */
export function endpointsFromSettings(settings: ProbeSettings): EndpointSpec[] {
  const defaults =
    settings.HEALTH_MODE === 'aws'
      ? awsEndpoints({ region: settings.AWS_REGION, opensearchHost: settings.OPENSEARCH_COLLECTION_HOST })
      : localEndpoints({
          redisUrl: settings.REDIS_URL,
          dynamodbEndpoint: settings.DYNAMODB_ENDPOINT,
          kinesisEndpoint: settings.KINESIS_ENDPOINT,
          gatewayUrl: settings.GATEWAY_URL,
        });
  return mergeEndpoints(defaults, settings.HEALTH_ENDPOINTS);
}

/** How the probes resolve names under these settings. */
export function resolverFromSettings(settings: ProbeSettings): HostResolverOptions {
  return {
    servers: settings.HEALTH_DNS_SERVERS ?? (settings.HEALTH_MODE === 'local' ? 'system' : 'resolver'),
    timeoutMs: settings.DNS_TIMEOUT_MS,
  };
}

/**
 * For a config schema's superRefine: reports an unusable HEALTH_ENDPOINTS entry at start, under
 * its variable's name.
 */
export function checkEndpointSettings(settings: ProbeSettings, ctx: z.RefinementCtx): void {
  try {
    endpointsFromSettings(settings);
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['HEALTH_ENDPOINTS'], message: error instanceof Error ? error.message : String(error) });
  }
}
