import type { EndpointSpec } from './endpoint-spec';
import { DEFAULT_EXPECTED, applyEndpointInput } from './endpoint-spec';

/**
 * The AWS endpoints the apps call, with the seeds' figures: expected DNS and connect maxima per
 * endpoint and the NAT gateway baseline (the p95 network overhead measured via NAT before the VPC
 * endpoints). TLS: a new HTTPS connection should cost 30-50 ms in all, so the handshake gets 35.
 * Kinesis has no figures in the seeds: it is held to the interface endpoints' 5/10 ms and the top of
 * the 10-20 ms NAT overhead.
 *
 * DynamoDB and S3 use gateway endpoints: their names resolve to public addresses and the route
 * table sends the traffic to the endpoint, so only the interface endpoints must resolve private.
 */
export function awsEndpoints({ region, opensearchHost }: { region: string; opensearchHost?: string }): EndpointSpec[] {
  const aws = (name: string, host: string, dnsMs: number, connectMs: number, natBaselineMs: number, expectPrivate: boolean) =>
    applyEndpointInput({
      name,
      host,
      port: 443,
      tls: true,
      expectPrivate,
      expected: { ...DEFAULT_EXPECTED, dnsMs, connectMs },
      natBaselineMs,
    });
  return [
    aws('bedrock-runtime', `bedrock-runtime.${region}.amazonaws.com`, 5, 10, 45, true),
    aws('dynamodb', `dynamodb.${region}.amazonaws.com`, 2, 5, 18, false),
    aws('opensearch', opensearchHost ?? `manga-assist-collection.${region}.aoss.amazonaws.com`, 5, 10, 72, true),
    aws('s3', `s3.${region}.amazonaws.com`, 2, 5, 15, false),
    aws('logs', `logs.${region}.amazonaws.com`, 5, 10, 12, true),
    aws('kinesis', `kinesis.${region}.amazonaws.com`, 5, 10, 20, true),
  ];
}

export interface LocalEndpointsOptions {
  redisUrl: string;
  dynamodbEndpoint: string;
  kinesisEndpoint: string;
  gatewayUrl: string;
}

function fromUrl(name: string, url: string, defaultPort: number) {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'rediss:';
  // URL keeps the brackets of an IPv6 host.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { name, host, port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : defaultPort, tls: secure };
}

/**
 * `npm start`'s stack: the local Redis, dynalite, kinesalite and the gateway, all on this machine.
 * Loopback needs well under a millisecond per phase; the maxima leave room for a busy laptop.
 */
export function localEndpoints(options: LocalEndpointsOptions): EndpointSpec[] {
  const expected = { dnsMs: 20, connectMs: 20, tlsMs: 50, httpMs: 200 };
  return [
    applyEndpointInput({ ...fromUrl('redis', options.redisUrl, 6379), expected: { ...expected, httpMs: null } }),
    applyEndpointInput({ ...fromUrl('dynamodb', options.dynamodbEndpoint, 80), http: { path: '/' }, expected }),
    applyEndpointInput({ ...fromUrl('kinesis', options.kinesisEndpoint, 80), http: { path: '/' }, expected }),
    applyEndpointInput({
      ...fromUrl('chat-gateway', options.gatewayUrl, 80),
      http: { path: '/healthz', expectStatus: [200] },
      expected: { ...expected, httpMs: 100 },
    }),
  ];
}
