import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { dot } from './vector-math';

const embedder = createHashedNgramEmbedder();
const norm = (v: Float32Array): number => Math.sqrt(dot(v, v));
const cosine = (a: string, b: string): number => dot(embedder.embedSync(a), embedder.embedSync(b));

describe('createHashedNgramEmbedder', () => {
  it('returns unit vectors of the configured size under an id that names both', () => {
    const small = createHashedNgramEmbedder({ dimensions: 64 });
    expect(small.id).toBe('hashed-ngram-v1-64');
    expect(embedder.id).toBe('hashed-ngram-v1-384');
    const v = small.embedSync('進撃の巨人');
    expect(v).toHaveLength(64);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('gives katakana, hiragana, half-width and full-width spellings the same vector', () => {
    expect(embedder.embedSync('シンゲキノキョジン')).toEqual(embedder.embedSync('しんげきのきょじん'));
    expect(embedder.embedSync('ｼﾝｹﾞｷﾉｷｮｼﾞﾝ')).toEqual(embedder.embedSync('しんげきのきょじん'));
    expect(embedder.embedSync('ＯＮＥ　ＰＩＥＣＥ')).toEqual(embedder.embedSync('one piece'));
    expect(embedder.embedSync('ONE PIECE!')).toEqual(embedder.embedSync('one piece'));
  });

  it('is deterministic across instances, so persisted vectors stay valid after a restart', () => {
    expect(createHashedNgramEmbedder().embedSync('ドラゴンボール 鳥山明')).toEqual(embedder.embedSync('ドラゴンボール 鳥山明'));
  });

  it('puts texts that share words or characters closer than unrelated ones', () => {
    expect(cosine('進撃の巨人', '進撃の巨人 LOST GIRLS')).toBeGreaterThan(cosine('進撃の巨人', 'ONE PIECE'));
    expect(cosine('one piece', 'ONE PIECE PARTY')).toBeGreaterThan(cosine('one piece', 'DRAGON BALL'));
    expect(cosine('naruto', 'NARUTO-ナルト-')).toBeGreaterThan(0.5);
    expect(cosine('進撃の巨人', '進撃の巨人')).toBeCloseTo(1, 5);
  });

  it('maps text with nothing to embed to the zero vector', () => {
    for (const text of ['', '   ', '？！…']) expect(norm(embedder.embedSync(text))).toBe(0);
  });

  it('embeds a batch exactly as one text at a time', async () => {
    const texts = ['進撃の巨人', 'one piece', ''];
    expect(await embedder.embed(texts)).toEqual(texts.map((t) => embedder.embedSync(t)));
  });

  it('rejects a dimension count it cannot use', () => {
    expect(() => createHashedNgramEmbedder({ dimensions: 0 })).toThrow('dimensions must be an integer in 8..65536, got 0');
    expect(() => createHashedNgramEmbedder({ dimensions: 12.5 })).toThrow('got 12.5');
  });
});
