import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, ensureTables, fromAttributeMap, tableDefinitions } from '@manga-assist/aws';
import { createTestLogger, startDynalite } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { importCatalog, readCatalogMarker } from '../src';
import type { CatalogRow } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const item = (n: number, title = `作品${n}`): CatalogRow => ({
  id: `C${100000 + n}`,
  title,
  titleKana: n % 2 ? 'サクヒン' : null,
  madbIds: [`C${100000 + n}`],
  synthetic: { priceJpy: 500 + n, stock: n % 3, nextVolumeDate: null },
});

describe('importCatalog into dynalite', () => {
  const { products, meta } = tableDefinitions('imp-');
  let engine: LocalEngine;
  let client: DynamoDBClient;

  beforeEach(async () => {
    engine = await startDynalite();
    client = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
    await ensureTables(client, [products, meta]);
  });
  afterEach(async () => {
    client.destroy();
    await engine.stop();
  });

  const getProduct = async (id: string) => {
    const { Item } = await client.send(new GetItemCommand({ TableName: products.TableName, Key: { productId: { S: id } } }));
    return Item && fromAttributeMap(Item);
  };

  it('writes every item (more than one batch) readable by productId, then skips the same catalog', async () => {
    const items = Array.from({ length: 60 }, (_, i) => item(i));
    const log = createTestLogger();
    const first = await importCatalog(client, products.TableName, items, 'hash-a', { metaTable: meta.TableName, log });
    expect(first).toMatchObject({ status: 'imported', written: 60, deleted: 0 });
    expect(await getProduct('C100007')).toEqual({ ...items[7], productId: 'C100007' });
    expect(await getProduct('C100059')).toEqual({ ...items[59], productId: 'C100059' });
    expect(await readCatalogMarker(client, { productsTable: products.TableName, metaTable: meta.TableName })).toMatchObject({
      hash: 'hash-a',
      itemCount: 60,
    });

    const second = await importCatalog(client, products.TableName, items, 'hash-a', { metaTable: meta.TableName, log });
    expect(second).toMatchObject({ status: 'skipped', written: 0 });
    expect(log.messages()).toEqual(['catalog imported', 'catalog already imported']);
  });

  it('re-imports a changed catalog and removes products it no longer has', async () => {
    await importCatalog(client, products.TableName, [item(1), item(2), item(3)], 'v1', { metaTable: meta.TableName });
    const result = await importCatalog(client, products.TableName, [item(1), item(2, '改題')], 'v2', {
      metaTable: meta.TableName,
    });
    expect(result).toMatchObject({ status: 'imported', written: 2, deleted: 1 });
    expect(await getProduct('C100002')).toMatchObject({ title: '改題' });
    expect(await getProduct('C100003')).toBeUndefined();
  });
});
