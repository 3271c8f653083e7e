// Builds data/catalog/catalog.jsonl.gz and its README from the Media Arts Database CSVs in data/madb.
//   npm run catalog:build
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { renderCatalogReadme } from './catalog-readme';
import { buildCatalog } from './madb-import';

const root = path.resolve(__dirname, '../..');
const inputDir = path.join(root, 'data/madb');
const outputDir = path.join(root, 'data/catalog');

async function main(): Promise<void> {
  const started = Date.now();
  const report = await buildCatalog({ inputDir, outputFile: path.join(outputDir, 'catalog.jsonl.gz') });
  await writeFile(path.join(outputDir, 'README.md'), renderCatalogReadme(report));
  const excluded = Object.entries(report.excluded)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  console.log(
    [
      `catalog: ${report.items} works from ${report.sourceRows} rows (excluded: ${excluded}; merged duplicates ${report.mergedDuplicates})`,
      `wrote data/catalog/catalog.jsonl.gz (${report.bytes} bytes, sha256 ${report.sha256}) and data/catalog/README.md in ${Date.now() - started} ms`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
