// Builds the catalog's HNSW index into a directory (the image's /app/index), so a container loads
// it in seconds instead of building it for tens of seconds on every start.
import { loadRetrieval } from '@manga-assist/retrieval';

async function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: build-index.ts <index directory>');
  const started = Date.now();
  const line = (prefix: string) => (fields: unknown, message?: string) =>
    process.stdout.write(`${prefix}${message ?? (typeof fields === 'string' ? fields : JSON.stringify(fields))}\n`);
  await loadRetrieval({ indexDir: dir, log: { info: line(''), warn: line('WARN: ') } });
  process.stdout.write(`index ready in ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build-index: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
