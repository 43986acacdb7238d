import { promises as fs } from 'fs';
import path from 'path';

/**
 * The files of one audit log: the active file (e.g. `audit_log.jsonl`) and the files rotated out of
 * it, `audit_log.000001.jsonl`, `audit_log.000002.jsonl`, … (numbers only grow; a rotated file is
 * never written again). Chain order is rotated files by number, then the active file.
 */
export interface LogFile {
  path: string;
  name: string;
  /** Rotation number; null for the active file. */
  seq: number | null;
}

function split(activePath: string): { dir: string; stem: string; ext: string } {
  const base = path.basename(activePath);
  const ext = path.extname(base);
  return { dir: path.dirname(activePath), stem: ext ? base.slice(0, -ext.length) : base, ext };
}

export function rotatedPath(activePath: string, seq: number): string {
  const { dir, stem, ext } = split(activePath);
  return path.join(dir, `${stem}.${String(seq).padStart(6, '0')}${ext}`);
}

export function checkpointPath(activePath: string): string {
  return `${activePath}.checkpoint`;
}

export function lockPath(activePath: string): string {
  return `${activePath}.lock`;
}

/** Where an unterminated last line found at startup is kept for inspection. */
export function tornTailPath(activePath: string, at: Date): string {
  return `${activePath}.torn-${at.toISOString().replace(/[:.]/g, '')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The log's files in chain order; the active file is included only when it exists. */
export async function listLogFiles(activePath: string): Promise<LogFile[]> {
  const { dir, stem, ext } = split(activePath);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{6,})${escapeRegExp(ext)}$`);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const rotated: LogFile[] = [];
  let active: LogFile | undefined;
  for (const name of entries) {
    const m = pattern.exec(name);
    if (m) rotated.push({ path: path.join(dir, name), name, seq: Number(m[1]) });
    else if (name === path.basename(activePath)) active = { path: activePath, name, seq: null };
  }
  rotated.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return active ? [...rotated, active] : rotated;
}

export async function nextRotationSeq(activePath: string): Promise<number> {
  const files = await listLogFiles(activePath);
  return files.reduce((max, f) => Math.max(max, f.seq ?? 0), 0) + 1;
}

export { fsyncDir } from '../util/checkpoint';

const NEWLINE = 0x0a;
const CHUNK = 256 * 1024;

/** Offset just past the last newline of the first `size` bytes (0 when there is none). */
export async function completeEnd(handle: fs.FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const idx = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (idx >= 0) return start + idx + 1;
    end = start;
  }
  return 0;
}

/** The text (without newline) of the line that ends at `end` (end is just past its newline). */
export async function lineEndingAt(handle: fs.FileHandle, end: number): Promise<string | null> {
  if (end <= 0) return null;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, end - 1);
  if (last[0] !== NEWLINE) return null;
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(CHUNK);
  for (let stop = end - 1; stop > 0; ) {
    const start = Math.max(0, stop - buf.length);
    const { bytesRead } = await handle.read(buf, 0, stop - start, start);
    const chunk = buf.subarray(0, bytesRead);
    const idx = chunk.lastIndexOf(NEWLINE);
    if (idx >= 0) {
      parts.unshift(Buffer.from(chunk.subarray(idx + 1)));
      break;
    }
    parts.unshift(Buffer.from(chunk));
    stop = start;
  }
  return Buffer.concat(parts).toString('utf8');
}

export interface FileLines {
  /** Number of complete (newline-terminated) lines. */
  lines: number;
  /** Bytes after the last newline: an unterminated (torn) last line, if > 0. */
  tailBytes: number;
  tailOffset: number;
}

/**
 * Calls fn for each complete line of a file, in order, with its 1-based number and the offset just
 * past its newline; stops early when fn returns false. Memory stays bounded by the longest line.
 */
export async function forEachLine(file: string, fn: (text: string, line: number, end: number) => boolean | void | Promise<boolean | void>): Promise<FileLines> {
  const handle = await fs.open(file, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let line = 0;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const dataStart = offset - carry.length;
      offset += bytesRead;
      let from = 0;
      for (let idx = data.indexOf(NEWLINE, from); idx >= 0; idx = data.indexOf(NEWLINE, from)) {
        line++;
        const go = await fn(data.subarray(from, idx).toString('utf8'), line, dataStart + idx + 1);
        if (go === false) return { lines: line, tailBytes: 0, tailOffset: dataStart + idx + 1 };
        from = idx + 1;
      }
      carry = Buffer.from(data.subarray(from));
    }
    return { lines: line, tailBytes: carry.length, tailOffset: offset - carry.length };
  } finally {
    await handle.close();
  }
}
