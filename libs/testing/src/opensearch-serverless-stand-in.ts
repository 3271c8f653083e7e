import { startTestServer } from './http-test-server';
import type { TestServer } from './http-test-server';

export interface StandInCollection {
  name: string;
  /** ACTIVE, CREATING, DELETING, FAILED, UPDATING. */
  status: string;
  id?: string;
  /** The collection endpoint to report (a local OpenSearch stand-in); default `https://<id>.<region>.aoss.amazonaws.com`. */
  endpoint?: string;
}

export interface StandInVpcEndpoint {
  id: string;
  /** ACTIVE, PENDING, DELETING, FAILED. */
  status: string;
  name?: string;
  vpcId?: string;
}

export interface OpenSearchServerlessStandIn extends TestServer {
  /** Adds a collection or changes its status (as CreateCollection, then the service, would). */
  setCollection(collection: StandInCollection): void;
  setVpcEndpoint(endpoint: StandInVpcEndpoint): void;
  /** Answers the next `count` calls with InternalServerException (HTTP 500). */
  failNext(count: number): void;
}

const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * The OpenSearch Serverless control plane as it answers BatchGetCollection and BatchGetVpcEndpoint
 * (AWS JSON 1.0, `X-Amz-Target: OpenSearchServerless.<Operation>`, SigV4 for service `aoss`),
 * with the checks the service makes: names or ids but not both, 1 to 100 of them; an unknown name
 * or id comes back in the error details, not as a failed call. For tests through the real SDK.
 */
export async function startOpenSearchServerlessStandIn(
  options: { region?: string; collections?: StandInCollection[]; vpcEndpoints?: StandInVpcEndpoint[] } = {},
): Promise<OpenSearchServerlessStandIn> {
  const region = options.region ?? 'ap-northeast-1';
  const collections = new Map<string, StandInCollection & { id: string }>();
  const endpoints = new Map<string, StandInVpcEndpoint>();
  let failing = 0;
  const created = Math.floor(Date.now() / 1000);
  const setCollection = (c: StandInCollection) => {
    const before = collections.get(c.name);
    const id = c.id ?? before?.id ?? Math.random().toString(36).slice(2, 22).padEnd(20, '0');
    collections.set(c.name, { ...before, ...c, id });
  };
  const setVpcEndpoint = (e: StandInVpcEndpoint) => void endpoints.set(e.id, e);
  for (const c of options.collections ?? []) setCollection(c);
  for (const e of options.vpcEndpoints ?? []) setVpcEndpoint(e);

  const error = (status: number, type: string, message: string) => ({ status, type, body: { __type: type, message } });
  const listOf = (value: unknown, field: string) => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length < 1 || value.length > 100 || value.some((v) => typeof v !== 'string' || v.length < 1)) {
      throw error(400, 'ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 100`);
    }
    return value as string[];
  };

  const handle = (target: string, input: Record<string, unknown>) => {
    if (target === 'OpenSearchServerless.BatchGetCollection') {
      const names = listOf(input['names'], 'names');
      const ids = listOf(input['ids'], 'ids');
      if ((names && ids) || (!names && !ids)) throw error(400, 'ValidationException', 'You must provide either ids or names, but not both');
      const keys = names ?? ids ?? [];
      const keyOf = (c: StandInCollection & { id: string }) => (names ? c.name : c.id);
      const found = [...collections.values()].filter((c) => keys.includes(keyOf(c)));
      const missing = keys.filter((key) => !found.some((c) => keyOf(c) === key));
      return {
        collectionDetails: found.map((c) => ({
          id: c.id,
          name: c.name,
          status: c.status,
          type: 'VECTORSEARCH',
          arn: `arn:aws:aoss:${region}:123456789012:collection/${c.id}`,
          createdDate: created,
          lastModifiedDate: created,
          standbyReplicas: 'DISABLED',
          // The service assigns the endpoints when it starts creating the collection.
          ...(c.status === 'FAILED' ? {} : { collectionEndpoint: c.endpoint ?? `https://${c.id}.${region}.aoss.amazonaws.com`, dashboardEndpoint: `https://${c.id}.${region}.aoss.amazonaws.com/_dashboards` }),
        })),
        collectionErrorDetails: missing.map((key) => ({ ...(names ? { name: key } : { id: key }), errorCode: 'NOT_FOUND', errorMessage: 'The specified collection was not found' })),
      };
    }
    if (target === 'OpenSearchServerless.BatchGetVpcEndpoint') {
      const ids = listOf(input['ids'], 'ids');
      if (!ids) throw error(400, 'ValidationException', "1 validation error detected: Value null at 'ids' failed to satisfy constraint: Member must not be null");
      return {
        vpcEndpointDetails: ids.flatMap((id) => {
          const e = endpoints.get(id);
          return e ? [{ id, name: e.name ?? id, vpcId: e.vpcId ?? 'vpc-0123456789abcdef0', status: e.status, createdDate: created, subnetIds: [], securityGroupIds: [] }] : [];
        }),
        vpcEndpointErrorDetails: ids.filter((id) => !endpoints.has(id)).map((id) => ({ id, errorCode: 'NOT_FOUND', errorMessage: 'The specified VPC endpoint was not found' })),
      };
    }
    throw error(400, 'UnknownOperationException', `operation ${target} is not part of this stand-in`);
  };

  const server = await startTestServer((req, res) => {
    const reply = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': CONTENT_TYPE, ...(type ? { 'x-amzn-errortype': type } : {}) });
      res.end(JSON.stringify(body));
    };
    const authorization = String(req.headers['authorization'] ?? '');
    if (!new RegExp(`Credential=[^/]+/\\d{8}/${region}/aoss/aws4_request`).test(authorization)) {
      const e = error(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      return reply(e.status, e.body, e.type);
    }
    if (req.method !== 'POST' || req.headers['content-type'] !== CONTENT_TYPE) {
      const e = error(400, 'SerializationException', `expected POST with ${CONTENT_TYPE}`);
      return reply(e.status, e.body, e.type);
    }
    if (failing > 0) {
      failing--;
      const e = error(500, 'InternalServerException', 'Internal server error');
      return reply(e.status, e.body, e.type);
    }
    try {
      reply(200, handle(String(req.headers['x-amz-target'] ?? ''), JSON.parse(req.body || '{}') as Record<string, unknown>));
    } catch (thrown) {
      const e = thrown as ReturnType<typeof error>;
      if (typeof e?.status !== 'number') throw thrown;
      reply(e.status, e.body, e.type);
    }
  });
  return { ...server, setCollection, setVpcEndpoint, failNext: (count) => void (failing = count) };
}
