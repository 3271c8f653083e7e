import { OperationIdSchema } from '@manga-assist/contracts';
import { operationIdFor, requestHashOf } from './operation-id';

describe('operation ids', () => {
  it('gives the same user and Idempotency-Key the same id, and anyone else another', () => {
    const id = operationIdFor('alice', 'key-1');
    expect(OperationIdSchema.safeParse(id).success).toBe(true);
    expect(operationIdFor('alice', 'key-1')).toBe(id);
    expect(operationIdFor('bob', 'key-1')).not.toBe(id);
    expect(operationIdFor('alice', 'key-2')).not.toBe(id);
  });

  it('gives a request without a key a fresh id each time', () => {
    expect(operationIdFor('alice', undefined)).not.toBe(operationIdFor('alice', undefined));
  });

  it('fingerprints a request regardless of key order', () => {
    expect(requestHashOf({ kind: 'compare', titles: ['a', 'b'] })).toBe(requestHashOf({ titles: ['a', 'b'], kind: 'compare' }));
    expect(requestHashOf({ kind: 'compare', titles: ['a', 'b'] })).not.toBe(requestHashOf({ kind: 'compare', titles: ['b', 'a'] }));
  });
});
