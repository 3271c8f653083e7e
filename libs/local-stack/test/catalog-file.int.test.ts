import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gzipSync } from 'node:zlib';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, fromAttributeMap, tableDefinitions } from '@manga-assist/aws';
import { defaultCatalogPath } from '@manga-assist/catalog';
import { createTestLogger } from '@manga-assist/testing';
import { catalogFileSource, startLocalStack } from '../src';
import type { LocalStack } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The first `count` lines of the built catalog, as a catalog file of their own. */
async function catalogSlice(file: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(defaultCatalogPath()).pipe(createGunzip()) });
  for await (const line of reader) {
    lines.push(line);
    if (lines.length === count) break;
  }
  reader.close();
  await writeFile(file, gzipSync(lines.join('\n') + '\n'));
  return lines;
}

describe('startLocalStack with a catalog file', () => {
  let dataDir: string;
  let stack: LocalStack | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'catalog-file-'));
  });
  afterEach(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports the file, then skips it while its bytes are unchanged', async () => {
    const file = path.join(dataDir, 'catalog.jsonl.gz');
    const lines = await catalogSlice(file, 40);
    const first = JSON.parse(lines[0]!) as { id: string; title: string };
    const options = { dataDir, dynamoPort: 0, kinesisPort: 0, s3Port: 0, catalog: catalogFileSource(file), log: createTestLogger() };

    stack = await startLocalStack(options);
    expect(stack.catalogImport).toMatchObject({ status: 'imported', written: 40 });
    await stack.stop();

    stack = await startLocalStack(options);
    expect(stack.catalogImport).toMatchObject({ status: 'skipped' });
    const client = createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamoEndpoint });
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableDefinitions().products.TableName, Key: { productId: { S: first.id } } }),
    );
    client.destroy();
    expect(Item && fromAttributeMap(Item)).toEqual({ ...first, productId: first.id });
  });
});
