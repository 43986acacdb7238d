import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import path from 'path';
import { GovdbError } from '../errors';
import { AuditEventInput, AuditLine, buildLine, checkLine, normaliseEvent } from './auditLine';
import { acquirePidLock } from './fileLock';
import { completeEnd, fsyncDir, lineEndingAt, listLogFiles, lockPath, nextRotationSeq, rotatedPath, tornTailPath } from './logFiles';

export interface AuditLogOptions {
  /** The active file, e.g. `${GOVDB_DATA_DIR}/audit_log.jsonl`; created with its directory if missing. */
  path: string;
  /** Longest time a recorded line waits before its group is written and fsynced (default 20 ms). */
  flushIntervalMs?: number;
  /** Lines accepted but not yet written (buffered + being written). A record() beyond it waits (default 10 000). */
  maxBufferedLines?: number;
  /** Rotate the active file once a flush leaves it at least this large (default 64 MiB). */
  maxFileBytes?: number;
}

export interface AuditReceipt {
  hash: string;
  ts: string;
}

/** A torn (unterminated) last line found when the log was opened, moved aside and recorded in the chain. */
export interface TornTailRecovery {
  file: string;
  offset: number;
  bytes: number;
  sha256: string;
  savedTo: string;
}

export interface AuditLogState {
  path: string;
  fileBytes: number;
  bufferedLines: number;
  maxBufferedLines: number;
  /** The most lines ever held in memory at once: never above maxBufferedLines. */
  highWaterBufferedLines: number;
  waitingProducers: number;
  /** How many record()/append() calls had to wait for buffer space (back-pressure). */
  producerWaits: number;
  linesWritten: number;
  flushes: number;
  lastFlushAt: string | null;
  lastFsyncMs: number | null;
  rotations: number;
  /** Set when a write or fsync failed: the log refuses further events (see docs/audit.md). */
  failed: string | null;
  tornTail: TornTailRecovery | null;
}

interface Pending {
  text: string;
  durable?: Deferred;
  receipt: AuditReceipt;
}

interface Deferred {
  resolve(receipt: AuditReceipt): void;
  reject(err: unknown): void;
}

interface Waiter extends Deferred {
  fields: ReturnType<typeof normaliseEvent>;
  ts: string;
  untilDurable: boolean;
}

/**
 * The writer of audit_log.jsonl: one JSON object a line, each chained to the previous by hash.
 *
 * Group commit: record() computes the line (hash chain in memory, in call order) and buffers it;
 * the buffer is written and fdatasync'ed as one group at most flushIntervalMs after its first line,
 * or at once when it is full. append() resolves only once its line is durable: it starts a group at
 * once when no write is in progress, else its line joins the next group, which starts as soon as
 * the current one is synced. So a lone append costs one write + fdatasync, and N concurrent
 * appends share about two syncs (no timer is waited on: the added latency is the disk's). The buffer is bounded (maxBufferedLines): when it is full,
 * record() waits for the next flush instead of growing memory (back-pressure, nothing dropped).
 */
export class AuditLog {
  private buffer: Pending[] = [];
  /** Lines in `buffer` whose producer waits for durability (append()): they start a group at once. */
  private durableWaiting = 0;
  private inFlight = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private flushWaiters: Array<{ target: number; resolve(): void; reject(err: unknown): void }> = [];
  /** Since open: events taken from the queue (chained, or refused as too long), and those settled (durable or refused). flush() waits for the second to reach the first. */
  private admitted = 0;
  private settled = 0;
  private durableListeners = new Set<() => void>();
  private failure: GovdbError | null = null;
  /** Bytes of the active file known to be on disk (written and fdatasync'ed). */
  private durableSize: number;
  private closed = false;
  private stats = { highWater: 0, producerWaits: 0, linesWritten: 0, flushes: 0, lastFlushAt: null as string | null, lastFsyncMs: null as number | null, rotations: 0 };

  private constructor(
    private readonly file: string,
    private handle: fs.FileHandle,
    private ino: number,
    private size: number,
    private lastHash: string | null,
    private readonly releaseLock: () => Promise<void>,
    private readonly flushIntervalMs: number,
    private readonly maxBufferedLines: number,
    private readonly maxFileBytes: number,
    private readonly tornTail: TornTailRecovery | null,
  ) {
    this.durableSize = size;
  }

  /**
   * Opens (or creates) the log, takes the single-writer lock and finds the chain head: the last
   * complete line of the active file, or of the newest rotated file when the active one is empty.
   * An unterminated last line (a write cut short by a crash; never acknowledged as durable) is moved
   * to `<file>.torn-<time>`, cut off, and recorded as an `audit.torn_tail_discarded` event.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const file = path.resolve(options.path);
    const flushIntervalMs = options.flushIntervalMs ?? 20;
    const maxBufferedLines = options.maxBufferedLines ?? 10_000;
    const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    if (!(flushIntervalMs >= 0 && flushIntervalMs <= 1000) || !(maxBufferedLines >= 1) || !(maxFileBytes >= 1024)) {
      throw new GovdbError('CONFIG_INVALID', `Audit log options out of range: flushIntervalMs ${flushIntervalMs} (0-1000), maxBufferedLines ${maxBufferedLines} (>= 1), maxFileBytes ${maxFileBytes} (>= 1024)`);
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    const release = await acquirePidLock(lockPath(file), `Audit log ${file}`);
    try {
      const handle = await fs.open(file, 'a+');
      try {
        const { size, tornTail } = await cutTornTail(file, handle);
        const lastHash = await chainHead(file, handle, size);
        const ino = (await handle.stat()).ino;
        await fsyncDir(path.dirname(file));
        const log = new AuditLog(file, handle, ino, size, lastHash, release, flushIntervalMs, maxBufferedLines, maxFileBytes, tornTail);
        if (tornTail) {
          await log.append({ eventType: 'audit.torn_tail_discarded', details: { ...tornTail } });
        }
        return log;
      } catch (err) {
        await handle.close();
        throw err;
      }
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** Accepts an event into the chain; resolves once it is buffered (waits only when the buffer is full). */
  record(event: AuditEventInput): Promise<AuditReceipt> {
    return this.enqueue(event, false);
  }

  /** Like record(), but resolves only once the line is written and fsynced. */
  append(event: AuditEventInput): Promise<AuditReceipt> {
    return this.enqueue(event, true);
  }

  /** Resolves once every line accepted so far (including producers waiting for buffer space) is durable. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const target = this.admitted + this.waiters.length;
    if (this.settled >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.flushWaiters.push({ target, resolve, reject });
      this.startFlush();
    });
  }

  /** Flushes, then releases the file and the lock. Later calls of record() fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.handle.close().catch(() => undefined);
    await this.releaseLock();
  }

  /** Called after every durable group (and rotation): the mirror uses it to wake up. */
  onDurable(listener: () => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** Identity and durable length of the active file: the mirror never reads past it. */
  durableMark(): { ino: number; offset: number } {
    return { ino: this.ino, offset: this.durableSize };
  }

  get path(): string {
    return this.file;
  }

  state(): AuditLogState {
    return {
      path: this.file,
      fileBytes: this.size,
      bufferedLines: this.buffer.length + this.inFlight,
      maxBufferedLines: this.maxBufferedLines,
      highWaterBufferedLines: this.stats.highWater,
      waitingProducers: this.waiters.length,
      producerWaits: this.stats.producerWaits,
      linesWritten: this.stats.linesWritten,
      flushes: this.stats.flushes,
      lastFlushAt: this.stats.lastFlushAt,
      lastFsyncMs: this.stats.lastFsyncMs,
      rotations: this.stats.rotations,
      failed: this.failure?.message ?? null,
      tornTail: this.tornTail,
    };
  }

  private enqueue(event: AuditEventInput, untilDurable: boolean): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new GovdbError('INVALID_STATE', `Audit log ${this.file} is closed`));
    if (this.failure) return Promise.reject(this.failure);
    let fields: ReturnType<typeof normaliseEvent>;
    try {
      fields = normaliseEvent(event);
    } catch (err) {
      return Promise.reject(err);
    }
    const ts = new Date().toISOString();
    return new Promise<AuditReceipt>((resolve, reject) => {
      if (!this.waiters.length && this.buffered() < this.maxBufferedLines) {
        this.admit({ fields, ts, untilDurable, resolve, reject });
      } else {
        this.stats.producerWaits++;
        this.waiters.push({ fields, ts, untilDurable, resolve, reject });
        this.startFlush();
      }
    });
  }

  private buffered(): number {
    return this.buffer.length + this.inFlight;
  }

  private admit(w: Waiter): void {
    this.admitted++;
    let built: { line: AuditLine; text: string };
    try {
      built = buildLine(w.fields, w.ts, this.lastHash);
    } catch (err) {
      this.settled++;
      w.reject(err);
      return;
    }
    this.lastHash = built.line.hash;
    const receipt = { hash: built.line.hash, ts: built.line.ts };
    this.buffer.push({ text: `${built.text}\n`, receipt, durable: w.untilDurable ? w : undefined });
    this.stats.highWater = Math.max(this.stats.highWater, this.buffered());
    if (w.untilDurable) this.durableWaiting++;
    else w.resolve(receipt);
    if (this.buffered() >= this.maxBufferedLines || this.durableWaiting) this.startFlush();
    else if (!this.timer && !this.flushing) this.timer = setTimeout(() => this.startFlush(), this.flushIntervalMs);
  }

  private startFlush(): void {
    if (this.flushing || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushGroup().finally(() => {
      this.flushing = null;
      this.admitWaiters();
      if (this.failure) this.rejectAll(this.failure);
      if (this.buffer.length) {
        if (this.waiters.length || this.durableWaiting || this.buffered() >= this.maxBufferedLines) this.startFlush();
        else if (!this.timer) this.timer = setTimeout(() => this.startFlush(), this.flushIntervalMs);
      }
      const reached = this.flushWaiters.filter((w) => this.settled >= w.target);
      this.flushWaiters = this.flushWaiters.filter((w) => this.settled < w.target);
      for (const w of reached) w.resolve();
      if (this.failure) for (const w of this.flushWaiters.splice(0)) w.reject(this.failure);
      else if (this.flushWaiters.length && this.buffer.length) this.startFlush();
    });
  }

  private admitWaiters(): void {
    // one splice per round, not shift() per waiter: shifting a long queue (a burst of producers)
    // moves the whole array each time, quadratic in the burst
    while (this.waiters.length && this.buffered() < this.maxBufferedLines && !this.failure) {
      const taken = this.waiters.splice(0, Math.min(this.waiters.length, this.maxBufferedLines - this.buffered()));
      for (const w of taken) this.admit(w);
    }
  }

  private async flushGroup(): Promise<void> {
    const group = this.buffer;
    if (!group.length) return;
    this.buffer = [];
    this.durableWaiting = 0;
    this.inFlight = group.length;
    try {
      const data = Buffer.from(group.map((p) => p.text).join(''), 'utf8');
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await this.handle.write(data, done, data.length - done);
        done += bytesWritten;
      }
      this.size += data.length;
      const started = process.hrtime.bigint();
      await this.handle.datasync();
      this.stats.lastFsyncMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.durableSize = this.size;
      this.settled += group.length;
      this.stats.linesWritten += group.length;
      this.stats.flushes++;
      this.stats.lastFlushAt = new Date().toISOString();
      this.inFlight = 0;
      for (const p of group) p.durable?.resolve(p.receipt);
      if (this.size >= this.maxFileBytes) await this.rotate();
      for (const l of this.durableListeners) l();
    } catch (err) {
      // After a failed write or fsync the file's state on disk is unknown (a retried fsync can report
      // success for lost pages), so the log stops rather than chain onto something it cannot vouch for.
      this.inFlight = 0;
      this.failure = new GovdbError('UNAVAILABLE', `Audit log ${this.file} failed to write or sync: ${(err as Error).message}; it accepts no more events`, {
        hint: 'Check the disk (space, permissions), run `govdb audit verify`, then restart the process.',
        cause: err,
      });
      for (const p of group) p.durable?.reject(this.failure);
    }
  }

  private rejectAll(err: GovdbError): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const p of this.buffer.splice(0)) p.durable?.reject(err);
    this.durableWaiting = 0;
  }

  /** The active file is complete and synced: rename it to the next number and start an empty one. */
  private async rotate(): Promise<void> {
    await this.handle.close();
    await fs.rename(this.file, rotatedPath(this.file, await nextRotationSeq(this.file)));
    this.handle = await fs.open(this.file, 'a+');
    this.ino = (await this.handle.stat()).ino;
    this.size = 0;
    this.durableSize = 0;
    await fsyncDir(path.dirname(this.file));
    this.stats.rotations++;
  }
}

async function cutTornTail(file: string, handle: fs.FileHandle): Promise<{ size: number; tornTail: TornTailRecovery | null }> {
  const size = (await handle.stat()).size;
  const end = await completeEnd(handle, size);
  if (end === size) return { size, tornTail: null };
  const torn = Buffer.alloc(size - end);
  await handle.read(torn, 0, torn.length, end);
  const savedTo = tornTailPath(file, new Date());
  await fs.writeFile(savedTo, torn, { flush: true });
  await handle.truncate(end);
  await handle.sync();
  return { size: end, tornTail: { file: path.basename(file), offset: end, bytes: torn.length, sha256: createHash('sha256').update(torn).digest('hex'), savedTo: path.basename(savedTo) } };
}

async function chainHead(file: string, handle: fs.FileHandle, size: number): Promise<string | null> {
  let source = file;
  let text: string | null;
  if (size > 0) text = await lineEndingAt(handle, size);
  else {
    const rotated = (await listLogFiles(file)).filter((f) => f.seq !== null);
    const newest = rotated[rotated.length - 1];
    if (!newest) return null;
    source = newest.path;
    const h = await fs.open(newest.path, 'r');
    try {
      text = await lineEndingAt(h, (await h.stat()).size);
    } finally {
      await h.close();
    }
    if (text === null && (await fs.stat(newest.path)).size === 0) return null;
  }
  const check = text === null ? { ok: false as const, reason: 'the file does not end with a complete line' } : checkLine(text);
  if (!check.ok) {
    throw new GovdbError('INVALID_STATE', `Cannot continue the audit chain: the last line of ${source} is not a valid audit line (${check.reason})`, {
      hint: `Run \`govdb audit verify\` to find where the log broke; move the damaged file aside to start a new chain.`,
    });
  }
  return check.line.hash;
}
