import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toAuditRecord } from './audit-record';
import type { AuditRecord } from './audit-record';
import { createJsonlAuditSink } from './jsonl-audit-sink';

const record = (n: number): AuditRecord =>
  toAuditRecord(
    {
      traceId: n.toString(16).padStart(32, '0'),
      sessionId: 's-1',
      requestId: `r${n}`,
      question: `question ${n}`,
      answer: `answer ${n}`,
      model: 'haiku',
      at: '2025-01-01T00:00:00.000Z',
    },
    new Date('2025-01-01T00:00:01.000Z'),
  );

const lines = (dir: string) =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as AuditRecord);

describe('JSON-lines audit sink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one line per record, in one write for records that arrive together', async () => {
    const sink = createJsonlAuditSink({ dir, now: () => new Date('2025-01-02T10:00:00Z') });
    await Promise.all([1, 2, 3].map((n) => sink.append(record(n))));
    await sink.close();
    expect(readdirSync(dir)).toEqual(['audit-2025-01-02.0001.jsonl']);
    expect(lines(dir).map((r) => r.requestId)).toEqual(['r1', 'r2', 'r3']);
  });

  it('rotates past the size limit and at the day boundary, and a restart continues the newest file', async () => {
    let now = new Date('2025-01-02T23:59:59Z');
    const size = Buffer.byteLength(`${JSON.stringify(record(1))}\n`);
    const sink = createJsonlAuditSink({ dir, maxFileBytes: size * 2, now: () => now });
    for (const n of [1, 2, 3]) await sink.append(record(n));
    now = new Date('2025-01-03T00:00:01Z');
    await sink.append(record(4));
    await sink.close();
    expect(readdirSync(dir).sort()).toEqual(['audit-2025-01-02.0001.jsonl', 'audit-2025-01-02.0002.jsonl', 'audit-2025-01-03.0001.jsonl']);

    const again = createJsonlAuditSink({ dir, maxFileBytes: size * 2, now: () => now });
    await again.append(record(5));
    await again.close();
    expect(readFileSync(path.join(dir, 'audit-2025-01-03.0001.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(lines(dir).map((r) => r.requestId)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('reports a directory it cannot write as not ready', async () => {
    // A directory that cannot exist: its parent is a file.
    writeFileSync(path.join(dir, 'not-a-dir'), '');
    const sink = createJsonlAuditSink({ dir: path.join(dir, 'not-a-dir', 'audit') });
    await expect(sink.check()).rejects.toThrow();
    await expect(sink.append(record(1))).rejects.toThrow();
    await sink.close();
  });

  it('keeps personal data out of the record', () => {
    const r = toAuditRecord({
      traceId: '0'.repeat(32),
      sessionId: 's',
      requestId: 'r',
      question: '注文の確認は taro@example.jp と 090-1234-5678 に',
      answer: 'カード 4111 1111 1111 1111 で決済済みです',
      model: 'cache',
      at: '2025-01-01T00:00:00.000Z',
    });
    expect(r.question).toBe('注文の確認は [redacted email] と [redacted phone] に');
    expect(r.answer).toBe('カード [redacted card] で決済済みです');
    expect(r.redactions).toEqual({ email: 1, phone: 1, card: 1 });
  });
});

describe('JSON-lines audit sink after a crash', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one record per trace id, also when a job runs again after the process died', async () => {
    const first = createJsonlAuditSink({ dir });
    await first.append(record(1));
    await Promise.all([first.append(record(2)), first.append(record(2))]);
    // The process dies here: records 1 and 2 are on disk, their jobs not acknowledged.
    const restarted = createJsonlAuditSink({ dir });
    await Promise.all([restarted.append(record(1)), restarted.append(record(2)), restarted.append(record(3))]);
    await restarted.close();
    await first.close();
    expect(lines(dir).map((r) => r.requestId)).toEqual(['r1', 'r2', 'r3']);
  });
});
