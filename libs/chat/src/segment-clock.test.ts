import { SegmentClock } from './segment-clock';

describe('SegmentClock', () => {
  it('times steps per segment in milliseconds and adds repeated segments up', async () => {
    const clock = new SegmentClock();
    await clock.time('session-load', () => new Promise((r) => setTimeout(r, 20)));
    clock.timeSync('stream', () => undefined);
    clock.add('stream', 1.5);
    clock.set('validate', 0.25);
    expect(clock.timings['session-load']).toBeGreaterThanOrEqual(15);
    expect(clock.timings['stream']).toBeGreaterThanOrEqual(1.5);
    expect(clock.timings['validate']).toBe(0.25);
  });

  it('records a failed step too', async () => {
    const clock = new SegmentClock();
    await expect(clock.time('vector-search', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(clock.timings).toHaveProperty('vector-search');
  });

  it('records work spread over a stream as its own time, with one span from its start to now', async () => {
    const clock = new SegmentClock();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    clock.record('stream', t0, 0.5);
    expect(clock.timings['stream']).toBe(0.5);
    expect(clock.spans).toHaveLength(1);
    expect(clock.spans[0]!.segment).toBe('stream');
    expect(clock.spans[0]!.durationMs).toBeGreaterThanOrEqual(15);
  });
});
