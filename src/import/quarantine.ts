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
    this.count++;
    const raw = typeof entry.raw === 'string' ? scrubText(entry.raw) : scrubSecrets(entry.raw);
    this.pending.push(JSON.stringify({ ...entry, raw }));
  }

  /** Written together with the checkpoint, after the batch committed. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    if (this.file) await fs.appendFile(this.file, text);
  }
}
