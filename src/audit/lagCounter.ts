import { promises as fs } from 'fs';
import { listLogFiles } from './logFiles';
import { LogPosition } from './logReader';

const NEWLINE = 0x0a;
const CHUNK = 256 * 1024;

/**
 * Counts the complete lines not yet mirrored: newlines of the mirror's file past its position plus
 * those of every later file. Each byte is scanned once (counts are kept per inode and extended as
 * files grow), so a long outage costs one pass over the backlog, not one per health check.
 */
export class LagCounter {
  private counted = new Map<number, { scanned: number; newlines: number }>();

  constructor(private readonly activePath: string) {}

  async lagLines(pos: LogPosition): Promise<number> {
    const files = await listLogFiles(this.activePath);
    const stat = (i: number) => fs.stat(files[i]!.path).catch(() => null);
    // the position's file: by name, unless a rotation renamed it (then by inode, newest first);
    // only the files from there on are looked at, however long the archive is
    let from = files.findIndex((f) => f.name === pos.file);
    if (from >= 0 && pos.ino && (await stat(from))?.ino !== pos.ino) {
      from = -1;
      for (let i = files.length - 1; i >= 0 && from < 0; i--) if ((await stat(i))?.ino === pos.ino) from = i;
    }
    if (from < 0) from = files.length;
    const keep = new Set<number>();
    let lag = 0;
    for (let i = from; i < files.length; i++) {
      const st = await stat(i);
      if (!st) continue;
      keep.add(st.ino);
      const entry = this.counted.get(st.ino) ?? { scanned: 0, newlines: 0 };
      if (st.size < entry.scanned) Object.assign(entry, { scanned: 0, newlines: 0 }); // cut (torn tail) or replaced
      if (st.size > entry.scanned) await this.scan(files[i]!.path, entry, st.size);
      this.counted.set(st.ino, entry);
      lag += entry.newlines - (i === from ? pos.line : 0);
    }
    for (const ino of this.counted.keys()) if (!keep.has(ino)) this.counted.delete(ino);
    return Math.max(0, lag);
  }

  private async scan(file: string, entry: { scanned: number; newlines: number }, size: number): Promise<void> {
    const handle = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(CHUNK);
      while (entry.scanned < size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - entry.scanned), entry.scanned);
        if (bytesRead === 0) break;
        for (let i = buf.indexOf(NEWLINE, 0); i >= 0 && i < bytesRead; i = buf.indexOf(NEWLINE, i + 1)) entry.newlines++;
        entry.scanned += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
}
