import { EMPTY_SEQ_SET, MAX_GAP_RANGES, addSeq, contiguousThrough, hasSeq } from './seq-set';

describe('seq set', () => {
  it('tracks gaps as ranges and closes them as late seqs arrive', () => {
    let set = EMPTY_SEQ_SET;
    for (const seq of [1, 2, 6]) set = addSeq(set, seq);
    expect(set).toEqual({ high: 6, missing: [[3, 5]] });
    expect(contiguousThrough(set)).toBe(2);
    expect(hasSeq(set, 4)).toBe(false);

    set = addSeq(set, 4);
    expect(set.missing).toEqual([
      [3, 3],
      [5, 5],
    ]);
    set = addSeq(addSeq(set, 3), 5);
    expect(set).toEqual({ high: 6, missing: [] });
    expect(contiguousThrough(set)).toBe(6);
  });

  it('returns the same set for a seq it already holds', () => {
    const set = addSeq(addSeq(EMPTY_SEQ_SET, 1), 2);
    expect(addSeq(set, 1)).toBe(set);
  });

  it('stays bounded however many gaps open', () => {
    let set = EMPTY_SEQ_SET;
    for (let seq = 2; seq < 400; seq += 2) set = addSeq(set, seq);
    expect(set.missing).toHaveLength(MAX_GAP_RANGES);
    expect(set.missing.at(-1)).toEqual([397, 397]);
  });
});
