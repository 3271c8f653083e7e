import { fromAttributeMap, toAttributeMap } from './attribute-map';

describe('attribute maps', () => {
  it('round-trip a catalog-like item, nulls, lists and nested maps included', () => {
    const item = {
      productId: 'C87818',
      title: '鬼滅の刃',
      titleKana: null,
      madbIds: ['C87818', 'C90001'],
      synthetic: { priceJpy: 484, stock: 0, nextVolumeDate: null, inStock: false },
      empty: [],
    };
    const map = toAttributeMap(item);
    expect(map.madbIds).toEqual({ L: [{ S: 'C87818' }, { S: 'C90001' }] });
    expect(map.titleKana).toEqual({ NULL: true });
    expect(map.synthetic?.M?.priceJpy).toEqual({ N: '484' });
    expect(fromAttributeMap(map)).toEqual(item);
  });

  it('leave out undefined properties and refuse numbers DynamoDB cannot hold', () => {
    expect(toAttributeMap({ a: 'x', b: undefined })).toEqual({ a: { S: 'x' } });
    expect(() => toAttributeMap({ nested: { price: Number.NaN } })).toThrow('nested.price: DynamoDB cannot store NaN');
  });
});
