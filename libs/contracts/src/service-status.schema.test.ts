import { OpsStatusSchema, ServiceStatusSchema } from './service-status.schema';

describe('service status contract', () => {
  const status = {
    app: 'post-processor',
    version: '0.1.0',
    ready: false,
    reason: 'redis: connect ECONNREFUSED 127.0.0.1:6379',
    degraded: [],
    uptimeSeconds: 12.5,
    pid: 42,
    checks: [{ name: 'redis', ok: false, latencyMs: 1, detail: 'connect ECONNREFUSED', checkedAt: new Date().toISOString() }],
  };

  it('accepts a status an app reports', () => {
    expect(ServiceStatusSchema.parse(status)).toEqual(status);
  });

  it('rejects an unknown app name', () => {
    expect(ServiceStatusSchema.safeParse({ ...status, app: 'billing' }).success).toBe(false);
  });

  it('lets an unreachable app be reported without a status', () => {
    const ops = {
      ready: false,
      checkedAt: new Date().toISOString(),
      apps: [{ app: 'health-checker', url: 'http://127.0.0.1:3003', reachable: false, status: null, error: 'fetch failed' }],
    };
    expect(OpsStatusSchema.parse(ops).apps[0]?.reachable).toBe(false);
  });
});
