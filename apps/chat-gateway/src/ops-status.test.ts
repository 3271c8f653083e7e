import type { ServiceStatus } from '@manga-assist/contracts';
import { collectOpsStatus } from './ops-status';

const status = (app: ServiceStatus['app'], ready: boolean): ServiceStatus => ({
  app,
  version: '0.1.0',
  ready,
  reason: ready ? null : 'redis: connect ECONNREFUSED',
  degraded: [],
  uptimeSeconds: 1,
  pid: 1,
  checks: [],
});

describe('collectOpsStatus', () => {
  const self = { url: 'http://127.0.0.1:3000', status: () => status('chat-gateway', true) };

  it('is ready only when every app is', async () => {
    const ops = await collectOpsStatus(self, [
      { app: 'prefetch-scheduler', url: 'http://s', status: async () => status('prefetch-scheduler', true) },
      { app: 'post-processor', url: 'http://p', status: async () => status('post-processor', false) },
    ]);
    expect(ops.ready).toBe(false);
    expect(ops.apps.map((a) => [a.app, a.status?.ready])).toEqual([
      ['chat-gateway', true],
      ['prefetch-scheduler', true],
      ['post-processor', false],
    ]);
  });

  it('reports an app that does not answer, with the error, without failing the rest', async () => {
    const ops = await collectOpsStatus(self, [
      {
        app: 'health-checker',
        url: 'http://h',
        status: async () => {
          throw new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:3003');
        },
      },
    ]);
    expect(ops.ready).toBe(false);
    expect(ops.apps[1]).toMatchObject({ app: 'health-checker', reachable: false, status: null, error: expect.stringContaining('ECONNREFUSED') });
  });
});
