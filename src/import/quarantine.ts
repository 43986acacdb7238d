import { promises as fs } from 'fs';
import { scrubSecrets } from './canonical';
import { scrubText } from './sources/jsonlSource';
import { Entity, Locator } from './types';

/** One line of the quarantine file: a record that was not imported (or a reference that was dropped). */
export interface QuarantineEntry {
  source_file: string;
  /** 'file' when a whole file could not be read */
  entity: Entity | 'file';
  locator: Locator;
  reason: string;
  disposition: 'rejected' | 'kept_without_link';
  /** the source record with every credential replaced by "[redacted]" */
  raw: unknown;
}

/** Appends JSON lines; the file is truncated at the start of a fresh run and appended to on --resume. */
export class QuarantineFile {
  private pending: string[] = [];
  count = 0;

  constructor(private readonly file: string | undefined) {}

  async start(append: boolean): Promise<void> {
    if (this.file && !append) await fs.writeFile(this.file, '');
  }

  add(entry: QuarantineEntry): void {
    this.pending.push(this.format(entry));
  }

  /** The JSON line of an entry (credentials scrubbed); counted as quarantined. */
  format(entry: QuarantineEntry): string {
    this.count++;
    const raw = typeof entry.raw === 'string' ? scrubText(entry.raw) : scrubSecrets(entry.raw);
    return JSON.stringify({ ...entry, raw });
  }

  /** The entries added since the last call: they belong to the batch being cut. */
  takePending(): string[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Writes entries, together with the checkpoint, after their batch committed. */
  async append(lines: string[]): Promise<void> {
    if (!lines.length || !this.file) return;
    await fs.appendFile(this.file, lines.join('\n') + '\n');
  }

  /** Writes every pending entry. */
  async flush(): Promise<void> {
    await this.append(this.takePending());
  }
}
