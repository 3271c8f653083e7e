import { z } from 'zod';
import { isCidr } from '@manga-assist/dns-cache';

export interface TlsSpec {
  /** SNI and the name the certificate must match; default: the host. */
  serverName: string | null;
  /** An untrusted certificate makes the endpoint unhealthy. */
  verify: boolean;
  /** A CA (PEM) trusted in addition to the system's. */
  ca: string | null;
}

export interface HttpSpec {
  path: string;
  /** Statuses that count as working; null: any status below 500. */
  expectStatus: number[] | null;
}

export interface ExpectedMaxima {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  httpMs: number | null;
}

/** One endpoint to probe, with what it is held to. */
export interface EndpointSpec {
  name: string;
  host: string;
  port: number;
  tls: TlsSpec | null;
  http: HttpSpec | null;
  /** The host must resolve to private addresses (an interface VPC endpoint). */
  expectPrivate: boolean;
  /** Extra CIDRs that count as private for this endpoint. */
  privateCidrs: string[];
  expected: ExpectedMaxima;
  /** DNS + connect through the NAT gateway (ms); null: no baseline. */
  natBaselineMs: number | null;
  /** Resolve only: no connection is opened. */
  dnsOnly: boolean;
}

const ms = z.number().positive();
const TlsInputSchema = z
  .object({ serverName: z.string().min(1).nullable(), verify: z.boolean(), ca: z.string().nullable() })
  .partial()
  .strict();
const HttpInputSchema = z
  .object({
    path: z.string().startsWith('/', 'must start with /'),
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).nullable(),
  })
  .partial()
  .strict();

/**
 * An endpoint as configured (HEALTH_ENDPOINTS): every field but the name is optional, so an entry
 * can adjust a default endpoint ("enabled": false removes it) or add a new one (host and port needed).
 */
export const EndpointInputSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, . _ or -'),
    enabled: z.boolean().optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    tls: z.union([z.boolean(), TlsInputSchema]).nullable().optional(),
    http: z.union([z.boolean(), HttpInputSchema]).nullable().optional(),
    expectPrivate: z.boolean().optional(),
    privateCidrs: z.array(z.string().refine(isCidr, 'must be a CIDR block like 10.0.0.0/16')).optional(),
    expected: z
      .object({ dnsMs: ms, connectMs: ms, tlsMs: ms, httpMs: ms.nullable() })
      .partial()
      .strict()
      .optional(),
    natBaselineMs: ms.nullable().optional(),
    dnsOnly: z.boolean().optional(),
  })
  .strict();
export type EndpointInput = z.infer<typeof EndpointInputSchema>;

export const DEFAULT_EXPECTED: ExpectedMaxima = { dnsMs: 5, connectMs: 10, tlsMs: 35, httpMs: null };

function tlsFrom(input: EndpointInput['tls'], base: TlsSpec | null): TlsSpec | null {
  if (input === undefined) return base;
  if (input === null || input === false) return null;
  const start = base ?? { serverName: null, verify: true, ca: null };
  return input === true ? start : { ...start, ...input };
}

function httpFrom(input: EndpointInput['http'], base: HttpSpec | null): HttpSpec | null {
  if (input === undefined) return base;
  if (input === null || input === false) return null;
  const start = base ?? { path: '/', expectStatus: null };
  return input === true ? start : { ...start, ...input };
}

/** Applies an input over a base spec (or builds a new one, which needs host and port). */
export function applyEndpointInput(input: EndpointInput, base?: EndpointSpec): EndpointSpec {
  const host = input.host ?? base?.host;
  const port = input.port ?? base?.port;
  if (host === undefined || port === undefined) {
    throw new Error(`endpoint "${input.name}" is not a default one, so it needs "host" and "port"`);
  }
  return {
    name: input.name,
    host,
    port,
    tls: tlsFrom(input.tls, base?.tls ?? null),
    http: httpFrom(input.http, base?.http ?? null),
    expectPrivate: input.expectPrivate ?? base?.expectPrivate ?? false,
    privateCidrs: input.privateCidrs ?? base?.privateCidrs ?? [],
    expected: { ...(base?.expected ?? DEFAULT_EXPECTED), ...input.expected },
    natBaselineMs: input.natBaselineMs !== undefined ? input.natBaselineMs : (base?.natBaselineMs ?? null),
    dnsOnly: input.dnsOnly ?? base?.dnsOnly ?? false,
  };
}

/** The default endpoints with the configured entries applied, in order (new ones last). */
export function mergeEndpoints(defaults: readonly EndpointSpec[], inputs: readonly EndpointInput[]): EndpointSpec[] {
  const merged = new Map(defaults.map((spec) => [spec.name, spec]));
  for (const input of inputs) {
    if (input.enabled === false) {
      merged.delete(input.name);
      continue;
    }
    merged.set(input.name, applyEndpointInput(input, merged.get(input.name)));
  }
  return [...merged.values()];
}
