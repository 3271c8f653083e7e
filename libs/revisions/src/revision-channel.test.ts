import { connectionIdOf, revisionChannel, revisionPattern } from './revision-channel';

describe('revision channels', () => {
  it('names one channel per connection under the key prefix, and reads the connection back', () => {
    const channel = revisionChannel('ma:', 'c-1');
    expect(channel).toBe('ma:revisions:c-1');
    expect(connectionIdOf('ma:', channel)).toBe('c-1');
    expect(connectionIdOf('ma:', 'other:revisions:c-1')).toBeNull();
    expect(connectionIdOf('ma:', 'ma:revisions:')).toBeNull();
  });

  it('escapes glob characters of the prefix in the pattern', () => {
    expect(revisionPattern('t:[x]*:')).toBe('t:\\[x\\]\\*:revisions:*');
  });
});
