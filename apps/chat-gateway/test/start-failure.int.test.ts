import { startTestSystem } from '@manga-assist/local-stack';

describe('a gateway that cannot start', () => {
  it('fails the test system at once with its exit code and what it printed, not after the ready timeout', async () => {
    const started = startTestSystem({ apps: ['chat-gateway'], env: { TOKEN_FLUSH_MS: 'soon' }, readyTimeoutMs: 120_000 });
    await expect(started).rejects.toThrow(/chat-gateway exited \(code 78, signal null\) before it was ready; its output:[\s\S]*TOKEN_FLUSH_MS/);
  }, 60_000);
});
