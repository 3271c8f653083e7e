import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const workspace = path.resolve(root, '../..');

// Two pages in one build (chat at /, ops at /ops), everything bundled: the machine that serves them
// may have no internet. Preact's JSX through Vite's own transform (no plugin needed).
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: { '@manga-assist/profiler/budgets': path.join(workspace, 'libs/profiler/src/budgets.ts') },
  },
  build: {
    outDir: path.join(workspace, 'dist/apps/web'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    rolldownOptions: {
      input: { chat: path.join(root, 'index.html'), ops: path.join(root, 'ops/index.html') },
    },
  },
});
