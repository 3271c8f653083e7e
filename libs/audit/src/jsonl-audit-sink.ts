import { constants } from 'node:fs';
import { access, mkdir, open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AuditRecord } from './audit-record';
import type { AuditSink } from './audit-sink';

export interface JsonlAuditSinkOptions {
  /** Directory of the audit files (created if missing), e.g. `.data/audit`. */
  dir: string;
  /** A file that would grow past this starts the next one. */
  maxFileBytes?: number;
  /** fdatasync after each group of appends: a record counts as stored only once it is on disk. */
  fsync?: boolean;
  /** Trace ids remembered as written (the end of the newest file is read back at start). */
  rememberRecords?: number;
  now?: () => Date;
}

interface Pending {
  traceId: string;
  line: string;
  resolve(): void;
  reject(error: Error): void;
}

interface OpenFile {
  day: string;
  seq: number;
  handle: FileHandle;
  size: number;
}

const FILE = /^audit-(\d{4}-\d{2}-\d{2})\.(\d{4})\.jsonl$/;
const TRACE_ID = /"traceId":"([^"]+)"/;
/** How much of the newest file a start reads back: the records a crash may have left unacknowledged. */
const TAIL_BYTES = 4 * 1024 * 1024;
export const auditFileName = (day: string, seq: number) => `audit-${day}.${String(seq).padStart(4, '0')}.jsonl`;

/**
 * Append-only JSON lines, one file per UTC day, rotated to the next numbered file past
 * `maxFileBytes`; a restart continues the newest file of the day. Appends that arrive together
 * share one write and one fsync (group commit), so durability costs one disk flush per batch,
 * not per record. One record per trace id: the ids written recently are remembered, and a start
 * reads them back from the end of the newest file, so a job that runs again after a crash (its
 * record written, the job not yet acknowledged) does not write its record twice.
 */
export function createJsonlAuditSink({
  dir,
  maxFileBytes = 64 * 1024 * 1024,
  fsync = true,
  rememberRecords = 50_000,
  now = () => new Date(),
}: JsonlAuditSinkOptions): AuditSink {
  const written = new Set<string>();
  let primed = false;
  let queue: Pending[] = [];
  let writing: Promise<void> | null = null;
  let current: OpenFile | null = null;
  let lastError: Error | null = null;
  let closed = false;

  /** The file the next `bytes` go to: today's, unless they would take it past the size limit. */
  async function openFor(day: string, bytes: number): Promise<OpenFile> {
    const fits = (size: number) => size === 0 || size + bytes <= maxFileBytes;
    if (current && current.day === day && fits(current.size)) return current;
    let seq = 1;
    if (current && current.day === day) {
      seq = current.seq + 1;
    } else {
      // A restart continues the day's newest file.
      await mkdir(dir, { recursive: true });
      const seqs = (await readdir(dir)).flatMap((f) => {
        const m = FILE.exec(f);
        return m?.[1] === day ? [Number(m[2])] : [];
      });
      if (seqs.length > 0) seq = Math.max(...seqs);
    }
    await current?.handle.close();
    current = null;
    for (;; seq++) {
      const file = path.join(dir, auditFileName(day, seq));
      const size = await stat(file).then((s) => s.size, () => 0);
      if (fits(size)) {
        current = { day, seq, handle: await open(file, 'a'), size };
        return current;
      }
    }
  }

  const remember = (traceId: string) => {
    written.add(traceId);
    // A Set iterates in insertion order: the oldest ids go first.
    for (const old of written) {
      if (written.size <= rememberRecords) break;
      written.delete(old);
    }
  };

  /** Reads back the trace ids at the end of the newest audit file. */
  async function prime(): Promise<void> {
    await mkdir(dir, { recursive: true });
    const newest = (await readdir(dir)).filter((f) => FILE.test(f)).sort().at(-1);
    if (newest) {
      const file = await open(path.join(dir, newest), 'r');
      try {
        const { size } = await file.stat();
        const length = Math.min(size, TAIL_BYTES);
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, size - length);
        for (const line of buffer.toString('utf8').split('\n')) {
          const id = TRACE_ID.exec(line)?.[1];
          if (id) remember(id);
        }
      } finally {
        await file.close();
      }
    }
    primed = true;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      let group = queue;
      queue = [];
      try {
        if (!primed) await prime();
        // Already written (before a crash, or twice in this group): acknowledged without writing.
        const fresh: Pending[] = [];
        const inGroup = new Set<string>();
        for (const p of group) {
          if (written.has(p.traceId) || inGroup.has(p.traceId)) {
            p.resolve();
          } else {
            inGroup.add(p.traceId);
            fresh.push(p);
          }
        }
        group = fresh;
        if (group.length === 0) continue;
        const data = Buffer.from(group.map((p) => p.line).join(''));
        const file = await openFor(now().toISOString().slice(0, 10), data.length);
        await file.handle.appendFile(data);
        file.size += data.length;
        if (fsync) await file.handle.datasync();
        lastError = null;
        for (const p of group) {
          remember(p.traceId);
          p.resolve();
        }
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        // A failed write may have left the file half-written: start clean on the next group.
        await current?.handle.close().catch(() => undefined);
        current = null;
        for (const p of group) p.reject(lastError);
      }
    }
  }

  const kick = () => {
    writing ??= drain().finally(() => {
      writing = null;
      if (queue.length > 0) kick();
    });
    return writing;
  };

  return {
    append(record: AuditRecord) {
      if (closed) return Promise.reject(new Error('audit sink is closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ traceId: record.traceId, line: `${JSON.stringify(record)}\n`, resolve, reject });
        void kick();
      });
    },
    async check() {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      if (lastError) throw new Error(`last audit write failed: ${lastError.message}`);
    },
    async close() {
      closed = true;
      while (writing || queue.length > 0) await kick();
      await current?.handle.close();
      current = null;
    },
  };
}
