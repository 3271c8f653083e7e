import { streamDefinitions, tableDefinitions } from './index';

describe('resource definitions', () => {
  it('prefix every name, manga-assist- by default', () => {
    expect(Object.values(tableDefinitions()).map((t) => t.TableName)).toEqual([
      'manga-assist-sessions',
      'manga-assist-turns',
      'manga-assist-products',
      'manga-assist-meta',
      'manga-assist-operations',
    ]);
    expect(streamDefinitions('dev-').analytics).toEqual({ StreamName: 'dev-analytics', ShardCount: 2 });
  });

  it('bill on demand', () => {
    for (const table of Object.values(tableDefinitions('x-'))) expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  });
});
