import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appBundlePath } from '../src/test-system';

describe('appBundlePath', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('names the missing bundle and the build command instead of waiting for a process that cannot start', () => {
    expect(() => appBundlePath('chat-gateway', root)).toThrow(/dist\/apps\/chat-gateway\/main\.js does not exist: build the apps first \(npx nx run-many -t build\)/);
  });

  it('returns the bundle once it is built', () => {
    mkdirSync(path.join(root, 'dist/apps/chat-gateway'), { recursive: true });
    writeFileSync(path.join(root, 'dist/apps/chat-gateway/main.js'), '');
    expect(appBundlePath('chat-gateway', root)).toBe(path.join(root, 'dist/apps/chat-gateway/main.js'));
  });
});
