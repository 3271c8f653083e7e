import { createCatalogCursors } from './catalog-cursor';

describe('catalog cursors', () => {
  const cursors = createCatalogCursors('control-token-for-tests-0123456789');

  it('opens a cursor it issued for the same query, at its offset', () => {
    expect(cursors.open('ワンピース', cursors.issue('ワンピース', 20))).toEqual({ ok: true, offset: 20 });
    expect(cursors.open(' ワンピース ', cursors.issue('ワンピース', 20))).toEqual({ ok: true, offset: 20 });
  });

  it('refuses a cursor of another query, a changed one, one signed with another key, and garbage', () => {
    const cursor = cursors.issue('ワンピース', 10);
    expect(cursors.open('ナルト', cursor)).toMatchObject({ ok: false, message: expect.stringContaining('another query') });
    const [payload, signature] = cursor.split('.') as [string, string];
    const shifted = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(/^10/, '90')).toString('base64url');
    expect(cursors.open('ワンピース', `${shifted}.${signature}`)).toMatchObject({ ok: false });
    expect(createCatalogCursors('another-control-token-0123456789').open('ワンピース', cursor)).toMatchObject({ ok: false });
    for (const junk of ['', 'abc', 'a.b.c', '...', `${payload}.`]) expect(cursors.open('ワンピース', junk)).toMatchObject({ ok: false });
  });
});
