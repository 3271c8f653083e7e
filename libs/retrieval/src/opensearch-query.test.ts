import { buildKnnQuery, filterClauses, openSearchProductMapping, PRODUCT_SOURCE_FIELDS } from './opensearch-vector-index';

describe('buildKnnQuery', () => {
  const vector = Float32Array.from([0.5, -0.25, 0.125]);

  it('asks for k neighbours and only the product summary fields', () => {
    expect(buildKnnQuery(vector, 5)).toEqual({
      size: 5,
      _source: ['id', 'title', 'creator', 'priceJpy', 'inStock', 'demographic', 'nextVolumeDate'],
      query: { knn: { embedding: { vector: [0.5, -0.25, 0.125], k: 5 } } },
    });
  });

  it('puts the filters inside the knn clause (efficient filtering)', () => {
    const body = buildKnnQuery(vector, 3, { inStock: true, maxPriceJpy: 800, demographic: 'shojo' }, 'vec');
    expect(body.query.knn.vec).toEqual({
      vector: [0.5, -0.25, 0.125],
      k: 3,
      filter: {
        bool: {
          filter: [{ term: { inStock: true } }, { range: { priceJpy: { lte: 800 } } }, { term: { demographic: 'shojo' } }],
        },
      },
    });
  });
});

describe('filterClauses', () => {
  it('maps every product filter to a clause over the mapped fields', () => {
    expect(
      filterClauses({
        category: 'manga',
        language: 'ja',
        inStock: true,
        minPriceJpy: 500,
        maxPriceJpy: 900,
        demographic: 'seinen',
        genre: 'sports',
        upcomingRelease: true,
      }),
    ).toEqual([
      { term: { category: 'manga' } },
      { term: { language: 'ja' } },
      { term: { inStock: true } },
      { range: { priceJpy: { gte: 500, lte: 900 } } },
      { term: { demographic: 'seinen' } },
      { term: { genre: 'sports' } },
      { exists: { field: 'nextVolumeDate' } },
    ]);
    const mapped = Object.keys(openSearchProductMapping(384).mappings.properties);
    for (const field of ['category', 'language', 'inStock', 'priceJpy', 'demographic', 'genre', 'nextVolumeDate', ...PRODUCT_SOURCE_FIELDS]) {
      expect(mapped).toContain(field);
    }
  });

  it('treats false flags as no constraint, like the local filters', () => {
    expect(filterClauses({ inStock: false, upcomingRelease: false })).toEqual([]);
  });
});
