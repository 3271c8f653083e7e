import { z } from 'zod';

/** An endpoint's verdict: healthy, degraded (slower or routed worse than it should be), unhealthy (broken). */
export const ProbeStatusSchema = z.enum(['healthy', 'degraded', 'unhealthy']);
export type ProbeStatus = z.infer<typeof ProbeStatusSchema>;

/** Why an address counts as private (inside the VPC) or not. */
export const AddressRangeSchema = z.enum(['rfc1918', 'shared', 'link-local', 'unique-local', 'expected', 'loopback', 'public']);

export const ResolvedAddressSchema = z.object({
  address: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  private: z.boolean(),
  range: AddressRangeSchema,
});
export type ResolvedAddress = z.infer<typeof ResolvedAddressSchema>;

/** The expected maxima (ms) and NAT baseline an endpoint is held to. */
export const ProbeExpectationsSchema = z.object({
  dnsMs: z.number().positive(),
  connectMs: z.number().positive(),
  tlsMs: z.number().positive(),
  httpMs: z.number().positive().nullable(),
  /** DNS + connect through the NAT gateway; a VPC endpoint slower than this is not doing its job. */
  natBaselineMs: z.number().positive().nullable(),
  expectPrivate: z.boolean(),
});
export type ProbeExpectations = z.infer<typeof ProbeExpectationsSchema>;

const ms = z.number().nonnegative().nullable();
const error = z.string().nullable();

export const DnsPhaseSchema = z.object({
  ms,
  /** resolver: queried name servers (with TTLs); system: getaddrinfo; literal: an IP address, no lookup. */
  source: z.enum(['resolver', 'system', 'literal']),
  ttlSeconds: z.number().nonnegative().nullable(),
  addresses: z.array(ResolvedAddressSchema),
  error,
});

export const TcpPhaseSchema = z.object({ ms, error });

export const TlsPhaseSchema = z.object({
  ms,
  protocol: z.string().nullable(),
  serverName: z.string().nullable(),
  authorized: z.boolean().nullable(),
  authorizationError: z.string().nullable(),
  certSubject: z.string().nullable(),
  certNotAfter: z.iso.datetime().nullable(),
  certDaysLeft: z.number().nullable(),
  error,
});

export const HttpPhaseSchema = z.object({
  path: z.string(),
  /** Request sent until response headers received. */
  ms,
  statusCode: z.number().int().nullable(),
  error,
});

/** What the apps' DNS cache would hand an outgoing connection for this host at probe time. */
export const DnsCacheViewSchema = z.object({
  addresses: z.array(z.string()),
  source: z.enum(['cache', 'query', 'stale']),
  keptPrivate: z.boolean(),
  error,
});

export const EndpointResultSchema = z.object({
  endpoint: z.string(),
  host: z.string(),
  port: z.number().int(),
  status: ProbeStatusSchema,
  /** Why the status is what it is, in words an operator acts on; empty when all checks passed. */
  notes: z.array(z.string()),
  checkedAt: z.iso.datetime(),
  az: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  dns: DnsPhaseSchema,
  /** The address connected to (the first one resolved). */
  address: z.string().nullable(),
  /** Every resolved address is private; null when nothing resolved. */
  allPrivate: z.boolean().nullable(),
  tcp: TcpPhaseSchema.nullable(),
  tls: TlsPhaseSchema.nullable(),
  http: HttpPhaseSchema.nullable(),
  /** DNS + TCP connect: the network path the NAT baseline is compared with. */
  networkMs: z.number().nonnegative().nullable(),
  /** NAT baseline minus networkMs; negative means slower than going through NAT. */
  baselineMarginMs: z.number().nullable(),
  expected: ProbeExpectationsSchema,
  dnsCache: DnsCacheViewSchema.nullable(),
});
export type EndpointResult = z.infer<typeof EndpointResultSchema>;

/** An OpenSearch Serverless collection or the VPC endpoint it is reached through, as AWS reports it. */
export const SearchResourceStatusSchema = z.object({
  kind: z.enum(['collection', 'vpc-endpoint']),
  /** The collection's name or the endpoint's id. */
  name: z.string(),
  /** ACTIVE, CREATING, FAILED, … as the service says; NOT_FOUND; UNKNOWN when it could not be asked. */
  status: z.string(),
  active: z.boolean(),
  /** The collection's endpoint, or why the status is not known. */
  detail: z.string().nullable(),
  checkedAt: z.iso.datetime(),
});
export type SearchResourceStatus = z.infer<typeof SearchResourceStatusSchema>;

export const HealthReportSchema = z.object({
  generatedAt: z.iso.datetime(),
  mode: z.enum(['local', 'aws']),
  region: z.string().nullable(),
  az: z.string().nullable(),
  /** Rounds run since start (1 for the first). */
  round: z.number().int().nonnegative(),
  /** The worst endpoint status. */
  status: ProbeStatusSchema,
  counts: z.object({ healthy: z.number().int(), degraded: z.number().int(), unhealthy: z.number().int() }),
  endpoints: z.array(EndpointResultSchema),
  /** The search collections and their VPC endpoints (health checker with OPENSEARCH_COLLECTION). */
  search: z.array(SearchResourceStatusSchema).optional(),
});
export type HealthReport = z.infer<typeof HealthReportSchema>;

export const StatusTransitionSchema = z.object({
  endpoint: z.string(),
  at: z.iso.datetime(),
  /** null for the first result. */
  from: ProbeStatusSchema.nullable(),
  to: ProbeStatusSchema,
  notes: z.array(z.string()),
});
export type StatusTransition = z.infer<typeof StatusTransitionSchema>;

export const HistoryQuerySchema = z.object({
  endpoint: z.string().min(1),
  limit: z.number().int().min(1).max(1000).default(20),
});
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const EndpointHistorySchema = z.object({
  endpoint: z.string(),
  /** How many results the ring keeps. */
  capacity: z.number().int().positive(),
  /** Newest first. */
  results: z.array(EndpointResultSchema),
  /** Newest first. */
  transitions: z.array(StatusTransitionSchema),
});
export type EndpointHistory = z.infer<typeof EndpointHistorySchema>;
