import { promises as fs } from 'fs';
import path from 'path';
import { GovdbError } from '../errors';
import { checkLine } from './auditLine';
import { sha256Hex } from './canonicalJson';
import { Checkpoint } from './checkpoint';
import { LogFile, lineEndingAt, listLogFiles } from './logFiles';

/** A place in the log: `line` complete lines (ending at `offset`) of `file` have been consumed. */
export interface LogPosition {
  file: string;
  ino: number;
  offset: number;
  line: number;
}

export interface RawLine {
  file: string;
  /** 1-based line number in its file. */
  line: number;
  text: string;
  /** The position just past this line. */
  next: LogPosition;
}

const NEWLINE = 0x0a;
const CHUNK = 256 * 1024;
const MAX_SCAN = 4 * 1024 * 1024; // > MAX_LINE_BYTES: a longer run without newline is damage

/**
 * Reads complete lines of an audit log in chain order, following rotations: at the end of a
 * file that will not grow again (a rotated file, or the active file once it was renamed) it moves
 * to the next file. Only newline-terminated lines are returned; a torn tail of the active file is
 * left alone until the writer cuts it.
 */
export class LogReader {
  private handle: fs.FileHandle | null = null;
  private handleIno = -1;
  private readonly activeName: string;

  constructor(private readonly activePath: string) {
    this.activeName = path.basename(activePath);
  }

  /** Where to resume: the checkpoint's line found again (possibly in a renamed file), else the start. */
  async resume(checkpoint: Checkpoint | null): Promise<{ position: LogPosition; problem?: string }> {
    const files = await listLogFiles(this.activePath);
    const start = async (): Promise<LogPosition> => {
      const first = files[0];
      return { file: first?.name ?? this.activeName, ino: first ? (await fs.stat(first.path)).ino : 0, offset: 0, line: 0 };
    };
    if (!checkpoint) return { position: await start() };
    const named = files.find((f) => f.name === checkpoint.file);
    const candidates: LogFile[] = named ? [named] : [];
    if (checkpoint.file === this.activeName) candidates.push(...files.filter((f) => f.seq !== null).reverse());
    for (const f of candidates) {
      const handle = await fs.open(f.path, 'r');
      try {
        const st = await handle.stat();
        if (st.size < checkpoint.offset) continue;
        const text = await lineEndingAt(handle, checkpoint.offset);
        let matches: boolean;
        if (checkpoint.offset === 0) matches = checkpoint.last_hash === null;
        else if (checkpoint.last_line_sha256) matches = text !== null && sha256Hex(text) === checkpoint.last_line_sha256;
        else {
          const check = text === null ? null : checkLine(text);
          matches = check?.ok === true && check.line.hash === checkpoint.last_hash;
        }
        if (matches) return { position: { file: f.name, ino: st.ino, offset: checkpoint.offset, line: checkpoint.line } };
      } finally {
        await handle.close();
      }
    }
    return {
      position: await start(),
      problem: `checkpoint (${checkpoint.file} at byte ${checkpoint.offset}, line ${checkpoint.line}) matches no file; re-reading from the oldest file (PostgreSQL drops lines it already has)`,
    };
  }

  /**
   * Up to maxLines complete lines from pos. `limit` gives the writer's active file and how many of
   * its bytes are durable; nothing beyond them is read. `position` is where reading ended when no line
   * was found (possibly the start of a later file, or pos under the file's current name).
   */
  async read(pos: LogPosition, maxLines: number, limit?: () => { ino: number; offset: number }): Promise<{ lines: RawLine[]; position: LogPosition }> {
    let cur = pos;
    for (let hops = 0; hops < 10_000; hops++) {
      const handle = await this.open(cur);
      if (!handle) return { lines: [], position: cur };
      cur = { ...cur, file: handle.name, ino: handle.ino };
      const lines = await this.readFrom(handle.fh, cur, maxLines, limit);
      if (lines.length) return { lines, position: cur };
      const next = await this.nextFile(cur, handle.fh);
      if (!next) return { lines: [], position: cur };
      cur = next;
    }
    throw new GovdbError('INTERNAL', `Audit log reader went through 10000 empty files after ${pos.file}`);
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    this.handleIno = -1;
  }

  /** Opens the file of pos, by inode: after a rotation the active name points at another file. */
  private async open(pos: LogPosition): Promise<{ fh: fs.FileHandle; name: string; ino: number } | null> {
    if (this.handle && pos.ino && this.handleIno === pos.ino) return { fh: this.handle, name: pos.file, ino: pos.ino };
    await this.close();
    const dir = path.dirname(this.activePath);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(path.join(dir, pos.file), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (pos.file === this.activeName && pos.offset === 0) return null; // not created yet
      return this.openByIno(pos);
    }
    const ino = (await fh.stat()).ino;
    if (pos.ino && ino !== pos.ino) {
      await fh.close();
      return this.openByIno(pos);
    }
    this.handle = fh;
    this.handleIno = ino;
    return { fh, name: pos.file, ino };
  }

  private async openByIno(pos: LogPosition): Promise<{ fh: fs.FileHandle; name: string; ino: number }> {
    for (const f of (await listLogFiles(this.activePath)).reverse()) {
      const st = await fs.stat(f.path).catch(() => null);
      if (st && st.ino === pos.ino) {
        this.handle = await fs.open(f.path, 'r');
        this.handleIno = st.ino;
        return { fh: this.handle, name: f.name, ino: st.ino };
      }
    }
    throw new GovdbError('INVALID_STATE', `Audit log file ${pos.file} (inode ${pos.ino}) is gone; the mirror was at its line ${pos.line}`, {
      hint: 'Rotated files must be kept until mirrored. Restore the file, or delete the checkpoint to re-read all files.',
    });
  }

  /**
   * `limit` is asked after the file's size was read: if the writer's active file is another inode
   * by then, this file is either rotated (complete and synced) or a new active file that was still
   * empty when its size was read (the writer switches its mark before writing to a new file).
   */
  private async readFrom(fh: fs.FileHandle, pos: LogPosition, maxLines: number, limit?: () => { ino: number; offset: number }): Promise<RawLine[]> {
    const fileSize = (await fh.stat()).size;
    const mark = limit?.();
    const size = mark && mark.ino === pos.ino ? Math.min(fileSize, mark.offset) : fileSize;
    const lines: RawLine[] = [];
    let offset = pos.offset;
    let line = pos.line;
    let want = CHUNK;
    while (lines.length < maxLines && offset < size) {
      const buf = Buffer.alloc(Math.min(want, size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      const data = buf.subarray(0, bytesRead);
      let from = 0;
      for (let idx = data.indexOf(NEWLINE); idx >= 0 && lines.length < maxLines; idx = data.indexOf(NEWLINE, from)) {
        line++;
        const next = { file: pos.file, ino: pos.ino, offset: offset + idx + 1, line };
        lines.push({ file: pos.file, line, text: data.subarray(from, idx).toString('utf8'), next });
        from = idx + 1;
      }
      if (from === 0) {
        if (bytesRead < want) break; // an unterminated tail: not a line yet
        if (want >= MAX_SCAN) {
          throw new GovdbError('INVALID_STATE', `Audit log ${pos.file} has more than ${MAX_SCAN} bytes without a newline after line ${line} (byte ${offset}): the file is damaged`, {
            hint: 'Run `govdb audit verify` to see where.',
          });
        }
        want *= 4;
        continue;
      }
      offset += from;
      want = CHUNK;
    }
    return lines;
  }

  /**
   * At the end of the file of pos: the next file's start, when this one is finished (rotated), else
   * null. The active file counts as finished once the active name points at another inode, and only
   * after it was read to its end once more (the writer may have appended before renaming).
   */
  private async nextFile(pos: LogPosition, fh: fs.FileHandle): Promise<LogPosition | null> {
    const files = await listLogFiles(this.activePath);
    const active = files.find((f) => f.seq === null);
    let name = pos.file;
    if (name === this.activeName) {
      const activeIno = active ? (await fs.stat(active.path).catch(() => null))?.ino : undefined;
      if (activeIno === undefined || activeIno === pos.ino) return null; // still the active file
      // renamed by a rotation: anything appended before the rename is read first
      const more = await this.readFrom(fh, pos, 1);
      if (more.length) return pos;
      const renamed = await this.nameOfIno(files, pos.ino);
      if (!renamed) return null;
      name = renamed;
    }
    const size = (await fh.stat()).size;
    if (size > pos.offset) {
      throw new GovdbError('INVALID_STATE', `Rotated audit log file ${name} ends with ${size - pos.offset} bytes that are not a complete line (after line ${pos.line})`, {
        hint: 'Run `govdb audit verify`; a rotated file is complete by construction, so this is damage.',
      });
    }
    const seq = files.find((f) => f.name === name)?.seq ?? null;
    const next = files.find((f) => f.seq !== null && seq !== null && f.seq > seq) ?? active;
    if (!next || next.name === name) return null;
    const st = await fs.stat(next.path).catch(() => null);
    if (!st) return null;
    return { file: next.name, ino: st.ino, offset: 0, line: 0 };
  }

  private async nameOfIno(files: LogFile[], ino: number): Promise<string | null> {
    for (const f of [...files].reverse()) {
      if (f.seq !== null && (await fs.stat(f.path).catch(() => null))?.ino === ino) return f.name;
    }
    return null;
  }
}
