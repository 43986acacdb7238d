import path from 'path';
import type { Queryable } from '../db/pool';
import { GovdbError, isGovdbError } from '../errors';
import { AuditLine, checkLine, pgProblem, pgSafeText, textMayBePgUnsafe } from './auditLine';
import { sha256Hex } from './canonicalJson';
import type { AuditLog } from './auditLog';
import { EventRow, InsertResult, insertEvents, MirrorReject, recordMirrorRejects } from './auditDb';
import { Checkpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { LagCounter } from './lagCounter';
import { checkpointPath } from './logFiles';
import { LogPosition, LogReader, RawLine } from './logReader';
import { isDataError } from '../db/sqlErrors';

export interface AuditMirrorOptions {
  /** The active file of the log to mirror. */
  logPath: string;
  /** Lines per insert (one stored-function call, one transaction). Default 500. */
  batchSize?: number;
  /** How often to look for new lines when no writer in this process wakes the mirror (default 250 ms). */
  pollIntervalMs?: number;
  /** First retry delay after a failed batch; doubles per failure up to retryMaxMs (defaults 100 ms, 10 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Value of audit.events.source for mirrored rows (default 'server'). */
  source?: string;
  /** The writer of this log when it runs in this process: the mirror then reads only durable lines and wakes on each group commit. */
  writer?: AuditLog;
}

export interface AuditMirrorState {
  running: boolean;
  file: string;
  offset: number;
  line: number;
  /** Complete lines in the files not yet committed to PostgreSQL (the queue; the file is its storage). */
  lagLines: number;
  /** Age of the oldest line read but not yet committed (0 when caught up). */
  lagSeconds: number;
  /** Lines held in memory (the batch being sent); never above batchSize. */
  batchLines: number;
  batchSize: number;
  highWaterBatchLines: number;
  lastFlushAt: string | null;
  lastError: { message: string; code: string | null; at: string } | null;
  consecutiveFailures: number;
  nextRetryAt: string | null;
  /** Rows inserted per second over the last 10 s. */
  rowsPerSecond: number;
  rowsInserted: number;
  duplicatesSkipped: number;
  batchesCommitted: number;
  /** Set when the checkpoint could not be used and the mirror re-read from the start. */
  resumeProblem: string | null;
  /** Lines this process recorded in audit.mirror_rejects (not loadable) and skipped. */
  rejectedLines: number;
  /** The newest of them: where it is and why. */
  lastReject: { file: string; line: number; reason: string } | null;
}

const RATE_WINDOW_MS = 10_000;

interface Batch {
  /** every line read, loadable or not (the last one gives the checkpoint) */
  lines: RawLine[];
  rows: PositionedRow[];
  /** lines that cannot be loaded: recorded in audit.mirror_rejects, then skipped */
  rejects: MirrorReject[];
  oldestTs: string;
}

interface PendingRead {
  /** Reads are numbered: only a read started after a caughtUp() call may answer it. */
  id: number;
  result: Promise<{ batch: Batch | null; position: LogPosition }>;
}

/** Waits for a promise to settle; true when it resolved. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch {
    return false;
  }
}

/**
 * Mirrors audit_log.jsonl into audit.events: reads complete lines from its checkpoint, inserts them
 * in batches through audit.insert_events (dedup by content hash), and advances the checkpoint only
 * after the batch committed. PostgreSQL down: the batch stays in memory and is retried with
 * exponential backoff while the file keeps growing; nothing else is held in memory, so the queue is
 * bounded by the disk, not by the heap. A line that cannot be loaded (not a valid audit line, text
 * PostgreSQL refuses, or a row PostgreSQL rejects with a data error) is recorded in
 * audit.mirror_rejects (file, line number, reason) and skipped: one bad line never stalls the copy.
 */
export class AuditMirror {
  private readonly reader: LogReader;
  private readonly lag: LagCounter;
  private readonly checkpointFile: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly source: string;
  private position: LogPosition;
  private batch: Batch | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private caughtUpWaiters: Array<{ afterRead: number; resolve: () => void; reject: (err: Error) => void }> = [];
  private readsStarted = 0;
  private unsubscribe: (() => void) | null = null;
  private recent: Array<{ at: number; rows: number }> = [];
  private s = {
    lagLines: 0, highWater: 0, lastFlushAt: null as string | null, lastError: null as AuditMirrorState['lastError'],
    failures: 0, nextRetryAt: null as string | null, rowsInserted: 0, duplicates: 0, batches: 0, resumeProblem: null as string | null,
    rejected: 0, lastReject: null as AuditMirrorState['lastReject'],
  };

  constructor(private readonly db: Queryable, private readonly options: AuditMirrorOptions) {
    const logPath = path.resolve(options.logPath);
    this.reader = new LogReader(logPath);
    this.lag = new LagCounter(logPath);
    this.checkpointFile = checkpointPath(logPath);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.retryInitialMs = options.retryInitialMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
    this.source = options.source ?? 'server';
    this.position = { file: path.basename(logPath), ino: 0, offset: 0, line: 0 };
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.unsubscribe = this.options.writer?.onDurable(() => this.wake()) ?? null;
    this.loop = this.run();
  }

  /** Stops after the batch in progress (committed or not; an uncommitted one is read again next time). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
    this.loop = null;
    await this.reader.close();
    const stopped = new GovdbError('INVALID_STATE', 'Audit mirror stopped before it caught up');
    for (const w of this.caughtUpWaiters.splice(0)) w.reject(stopped);
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Resolves once the mirror found nothing left to send (for shutdown and tests); rejects after timeoutMs. */
  caughtUp(timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new GovdbError('UNAVAILABLE', `Audit mirror did not catch up within ${timeoutMs} ms (${this.s.lagLines} lines behind; last error: ${this.s.lastError?.message ?? 'none'})`)), timeoutMs);
      // only a read that starts after this call may answer it
      this.caughtUpWaiters.push({
        afterRead: this.readsStarted + 1,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.wake();
    });
  }

  state(): AuditMirrorState {
    const now = Date.now();
    this.recent = this.recent.filter((r) => now - r.at <= RATE_WINDOW_MS);
    return {
      running: this.loop !== null && !this.stopping,
      file: this.position.file,
      offset: this.position.offset,
      line: this.position.line,
      lagLines: this.s.lagLines,
      lagSeconds: this.batch ? Math.max(0, (now - Date.parse(this.batch.oldestTs)) / 1000) : 0,
      batchLines: this.batch?.lines.length ?? 0,
      batchSize: this.batchSize,
      highWaterBatchLines: this.s.highWater,
      lastFlushAt: this.s.lastFlushAt,
      lastError: this.s.lastError,
      consecutiveFailures: this.s.failures,
      nextRetryAt: this.s.nextRetryAt,
      rowsPerSecond: this.recent.reduce((sum, r) => sum + r.rows, 0) / (RATE_WINDOW_MS / 1000),
      rowsInserted: this.s.rowsInserted,
      duplicatesSkipped: this.s.duplicates,
      batchesCommitted: this.s.batches,
      resumeProblem: this.s.resumeProblem,
      rejectedLines: this.s.rejected,
      lastReject: this.s.lastReject,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const { checkpoint, problem } = await readCheckpoint(this.checkpointFile);
        const resumed = await this.reader.resume(checkpoint);
        this.position = resumed.position;
        this.s.resumeProblem = resumed.problem ?? problem ?? null;
        break;
      } catch (err) {
        await this.failed(err);
      }
    }
    // The read of the lines after the batch in flight: reading and checking them (hashing every
    // line) overlaps with PostgreSQL inserting the batch, instead of alternating with it.
    let ahead: PendingRead | null = null;
    while (!this.stopping) {
      try {
        if (!this.batch) {
          const read = ahead ?? this.startRead(this.position);
          ahead = null;
          const { batch, position } = await read.result;
          if (!batch) {
            this.position = position; // nothing is in flight: where reading ended is committed too
            this.s.lagLines = await this.lag.lagLines(this.position);
            const answered = this.caughtUpWaiters.filter((w) => w.afterRead <= read.id);
            this.caughtUpWaiters = this.caughtUpWaiters.filter((w) => w.afterRead > read.id);
            for (const w of answered) w.resolve();
            await this.sleep(this.pollIntervalMs, true);
            continue;
          }
          this.batch = batch;
        }
        const batch = this.batch;
        const last = batch.lines[batch.lines.length - 1]!;
        this.s.lagLines = await this.lag.lagLines(this.position);
        ahead = this.startRead(last.next);
        let result: InsertResult;
        try {
          result = await this.load(batch);
        } finally {
          if (!(await settled(ahead.result))) ahead = null; // a failed read ahead is done again from the committed position
        }
        const checkpoint: Checkpoint = {
          version: 1, file: last.next.file, ino: last.next.ino, offset: last.next.offset, line: last.next.line,
          last_hash: batch.rows.at(-1)?.position.line === last.line ? batch.rows.at(-1)!.content_hash : null,
          last_line_sha256: sha256Hex(last.text),
          updated_at: new Date().toISOString(),
        };
        await writeCheckpoint(this.checkpointFile, checkpoint);
        this.position = last.next;
        this.s.rowsInserted += result.inserted;
        this.s.duplicates += result.duplicates;
        this.s.batches++;
        this.s.lastFlushAt = checkpoint.updated_at;
        this.s.failures = 0;
        this.s.nextRetryAt = null;
        this.recent.push({ at: Date.now(), rows: result.inserted });
        this.batch = null;
        this.s.lagLines = await this.lag.lagLines(this.position);
      } catch (err) {
        // the batch stays for the retry; lines read ahead of it are read again after it commits
        ahead = null;
        await this.failed(err);
      }
    }
  }

  private startRead(from: LogPosition): PendingRead {
    const result = this.nextBatch(from);
    result.catch(() => undefined); // awaited later; a rejection must not count as unhandled meanwhile
    return { id: ++this.readsStarted, result };
  }

  /** Reads the lines after `from`; lines that cannot be loaded become rejects of the batch. */
  private async nextBatch(from: LogPosition): Promise<{ batch: Batch | null; position: LogPosition }> {
    const writer = this.options.writer;
    const { lines, position } = await this.reader.read(from, this.batchSize, writer && (() => writer.durableMark()));
    const rows: PositionedRow[] = [];
    const rejects: MirrorReject[] = [];
    for (const raw of lines) {
      const check = checkLine(raw.text);
      const unsafe = check.ok && textMayBePgUnsafe(raw.text) ? pgProblem(check.line) : null;
      if (!check.ok) rejects.push(rejectOf(raw, `not a valid audit line (${check.reason})`));
      else if (unsafe) rejects.push(rejectOf(raw, `PostgreSQL cannot load it: ${unsafe}`));
      else rows.push(toRow(check.line, raw));
    }
    if (!lines.length) return { batch: null, position };
    this.s.highWater = Math.max(this.s.highWater, lines.length);
    return { batch: { lines, rows, rejects, oldestTs: rows[0]?.occurred_at ?? new Date().toISOString() }, position };
  }

  /**
   * Loads a batch: its rows in one call; when PostgreSQL refuses the batch with a data error (not an
   * outage), row by row, and each refused row becomes a reject. Rejects are recorded before the
   * checkpoint moves past them (idempotent per file, line and content, so a crash records nothing twice).
   */
  private async load(batch: Batch): Promise<InsertResult> {
    let result: InsertResult = { inserted: 0, duplicates: 0 };
    if (batch.rows.length) {
      try {
        result = await insertEvents(this.db, batch.rows.map(stripPosition), this.source);
      } catch (err) {
        if (!isDataError(err)) throw err;
        result = { inserted: 0, duplicates: 0 };
        for (const row of batch.rows) {
          try {
            const one = await insertEvents(this.db, [stripPosition(row)], this.source);
            result.inserted += one.inserted;
            result.duplicates += one.duplicates;
          } catch (rowErr) {
            if (!isDataError(rowErr)) throw rowErr;
            const raw = batch.lines.find((l) => l.line === row.position.line && l.file === row.position.file)!;
            batch.rejects.push(rejectOf(raw, `PostgreSQL refused the row: ${(rowErr as Error).message}`));
          }
        }
      }
    }
    if (batch.rejects.length) {
      await recordMirrorRejects(this.db, batch.rejects);
      this.s.rejected += batch.rejects.length;
      const newest = batch.rejects[batch.rejects.length - 1]!;
      this.s.lastReject = { file: newest.file_name, line: newest.line_no, reason: newest.reason };
    }
    return result;
  }

  private async failed(err: unknown): Promise<void> {
    this.s.failures++;
    this.s.lastError = {
      message: (err as Error)?.message ?? String(err),
      code: isGovdbError(err) ? err.code : ((err as { code?: string })?.code ?? null),
      at: new Date().toISOString(),
    };
    const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.s.failures - 1)) * (0.5 + Math.random() / 2);
    this.s.nextRetryAt = new Date(Date.now() + delay).toISOString();
    await this.sleep(delay, false);
  }

  /** Sleeps; wake() ends the sleep early only when wakeable (a backoff ignores new lines), stop() always. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (this.wakeUp === onWake) this.wakeUp = null;
        resolve();
      }, ms);
      const onWake = (): void => {
        if (wakeable || this.stopping) {
          clearTimeout(timer);
          resolve();
        } else {
          this.wakeUp = onWake; // a backoff is not cut short by new lines
        }
      };
      this.wakeUp = onWake;
    });
  }
}


const EXCERPT_CHARS = 200;

function rejectOf(raw: RawLine, reason: string): MirrorReject {
  const bytes = Buffer.byteLength(raw.text) + 1;
  return {
    file_name: raw.file,
    line_no: raw.line,
    byte_offset: raw.next.offset - bytes,
    line_sha256: sha256Hex(raw.text),
    reason: pgSafeText(reason),
    excerpt: pgSafeText(raw.text.slice(0, EXCERPT_CHARS)),
  };
}

type PositionedRow = EventRow & { position: { file: string; line: number } };

function stripPosition({ position: _position, ...row }: PositionedRow): EventRow {
  return row;
}

function toRow(line: AuditLine, raw: RawLine): PositionedRow {
  return {
    position: { file: raw.file, line: raw.line },
    occurred_at: line.ts,
    agent_id: line.agent_id,
    session_id: line.session_id,
    event_type: line.event_type,
    confidence: line.confidence,
    details: line.details,
    content_hash: line.hash,
    prev_hash: line.prev_hash,
  };
}
