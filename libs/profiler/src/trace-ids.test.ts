import { fromXRayTraceId, newTraceId, normalizeTraceId, toXRayTraceId } from './trace-ids';

describe('trace ids', () => {
  it('makes 32 hex digits whose first 8 are the epoch seconds', () => {
    const at = Date.UTC(2025, 5, 1, 5, 0, 0);
    const id = newTraceId(at);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(parseInt(id.slice(0, 8), 16)).toBe(at / 1000);
    expect(newTraceId()).not.toBe(newTraceId());
  });

  it('never repeats a random part, across many refills of its random pool', () => {
    const randomParts = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newTraceId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      randomParts.add(id.slice(8));
    }
    expect(randomParts.size).toBe(2000);
  });

  it('converts to and from the X-Ray form', () => {
    const id = '5759e988bd862e3fe1be46a994272793';
    expect(toXRayTraceId(id)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(fromXRayTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe(id);
    expect(toXRayTraceId(newTraceId())).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(() => toXRayTraceId('abc')).toThrow('trace id must be 32 lowercase hex digits, got "abc"');
    expect(() => fromXRayTraceId('Root=1-5759e988-bd862e3fe1be46a994272793')).toThrow('X-Ray trace id must look like 1-<8 hex>-<24 hex>');
  });

  it('normalizes either form and refuses anything else', () => {
    expect(normalizeTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe('5759e988bd862e3fe1be46a994272793');
    expect(normalizeTraceId('5759e988bd862e3fe1be46a994272793')).toBe('5759e988bd862e3fe1be46a994272793');
    expect(normalizeTraceId('0'.repeat(32))).toBeNull();
    expect(normalizeTraceId('5759E988BD862E3FE1BE46A994272793')).toBeNull();
    expect(normalizeTraceId('req-1')).toBeNull();
  });
});
