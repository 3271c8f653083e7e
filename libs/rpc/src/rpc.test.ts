import Fastify from 'fastify';
import { TRPCClientError } from '@trpc/client';
import type { ModelFaultPlans, ProfileReport, ServiceStatus } from '@manga-assist/contracts';
import {
  createCallerFactory,
  createGatewayRouter,
  createServiceClient,
  serveRpc,
} from './index';
import type { LogLevel, GatewayRouter } from './index';

const TOKEN = 'control-token-for-tests-0123456789';

function makeDeps() {
  const levels: LogLevel[] = [];
  const status: ServiceStatus = {
    app: 'chat-gateway',
    version: '0.1.0',
    ready: true,
    reason: null,
    degraded: [],
    uptimeSeconds: 1,
    pid: process.pid,
    checks: [],
  };
  const faults: ModelFaultPlans[] = [];
  const profile: ProfileReport = { generatedAt: new Date().toISOString(), windowMs: 60_000, tolerance: 0.2, requests: 0, segments: {}, bottleneck: { owned: null, overall: null } };
  return {
    levels,
    faults,
    deps: {
      status: () => status,
      setLogLevel: (l: LogLevel) => void levels.push(l),
      profile: () => profile,
      downstreams: () => [],
      setModelFaults: (plans: ModelFaultPlans) => faults.push(plans) > 0 && plans.sonnet?.failRate !== 0.5,
    },
  };
}

describe('service router through createCaller', () => {
  it('answers status to anyone and refuses control calls without the token', async () => {
    const { deps, levels } = makeDeps();
    const createCaller = createCallerFactory(createGatewayRouter(deps));
    const anonymous = createCaller({ authorized: false });
    expect((await anonymous.status()).app).toBe('chat-gateway');
    await expect(anonymous.setLogLevel({ level: 'debug' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(levels).toEqual([]);
    await createCaller({ authorized: true }).setLogLevel({ level: 'debug' });
    expect(levels).toEqual(['debug']);
  });
});

describe('gateway drills', () => {
  it('injects model faults only with the token, and says when the provider cannot take them', async () => {
    const { deps, faults } = makeDeps();
    const createCaller = createCallerFactory(createGatewayRouter(deps));
    await expect(createCaller({ authorized: false }).setModelFaults({ sonnet: {} })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(faults).toEqual([]);
    await expect(createCaller({ authorized: true }).setModelFaults({ sonnet: { failRate: 1 } })).resolves.toEqual({ applied: true });
    await expect(createCaller({ authorized: true }).setModelFaults({ sonnet: { failRate: 0.5 } })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(createCaller({ authorized: true }).setModelFaults({ sonnet: { failRate: 2 } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('service router over HTTP', () => {
  const { deps, levels } = makeDeps();
  const server = Fastify();
  let baseUrl = '';

  beforeAll(async () => {
    await serveRpc(server, createGatewayRouter(deps), TOKEN);
    baseUrl = await server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('serves status through the typed client', async () => {
    const client = createServiceClient<GatewayRouter>({ baseUrl });
    const status = await client.status.query();
    expect(status).toMatchObject({ app: 'chat-gateway', ready: true });
  });

  it('answers a control call without the token with HTTP 401', async () => {
    const res = await fetch(`${baseUrl}/trpc/setLogLevel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'debug' }),
    });
    expect(res.status).toBe(401);
    const wrong = createServiceClient<GatewayRouter>({ baseUrl, controlToken: 'wrong-token-wrong-token' });
    const error = await wrong.setLogLevel.mutate({ level: 'debug' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<GatewayRouter>).data?.httpStatus).toBe(401);
    expect(levels).toEqual([]);
  });

  it('carries out a control call with the token', async () => {
    const client = createServiceClient<GatewayRouter>({ baseUrl, controlToken: TOKEN });
    await expect(client.setLogLevel.mutate({ level: 'warn' })).resolves.toEqual({ level: 'warn' });
    expect(levels).toEqual(['warn']);
  });

  it('rejects bad input with a typed error and changes nothing', async () => {
    const client = createServiceClient<GatewayRouter>({ baseUrl, controlToken: TOKEN });
    const error = await client.setLogLevel
      // @ts-expect-error: a level the schema does not know
      .mutate({ level: 'loud' })
      .catch((e: unknown) => e);
    expect((error as TRPCClientError<GatewayRouter>).data?.code).toBe('BAD_REQUEST');
    expect(levels).toEqual(['warn']);
  });

  it('gives up on an app that does not answer', async () => {
    const silent = require('node:net').createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const client = createServiceClient<GatewayRouter>({
      baseUrl: `http://127.0.0.1:${silent.address().port}`,
      timeoutMs: 100,
    });
    const started = Date.now();
    await expect(client.status.query()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    silent.close();
  });
});
