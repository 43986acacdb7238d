import { GovdbError } from '../errors';
import { CheckpointRead, readCheckpointFile, writeCheckpointFile } from '../util/checkpoint';
import { Pass } from './types';

export interface PassState {
  done: boolean;
  /** items of the pass committed in PostgreSQL: resume starts at this index */
  next_index: number;
  /** byte offset after the last committed item (JSON lines) */
  next_offset?: number;
  /** line number of the last committed item (JSON lines) */
  line?: number;
}

export interface FileState {
  size: number;
  mtime_ms: number;
  passes: Partial<Record<Pass, PassState>>;
}

interface CheckpointData {
  version: 1;
  source_timezone: string;
  files: Record<string, FileState>;
}

/**
 * Per source file and pass, how far the import has committed. Written (durably and atomically,
 * src/util/checkpoint.ts) only after the batch it describes has committed in PostgreSQL, so a
 * resumed run never skips uncommitted records; records between the checkpoint and a kill are
 * written again, which the idempotent upserts absorb.
 */
export class Checkpoint {
  private data: CheckpointData;

  private constructor(private readonly file: string, zone: string, data?: CheckpointData) {
    this.data = data ?? { version: 1, source_timezone: zone, files: {} };
  }

  static fresh(file: string, zone: string): Checkpoint {
    return new Checkpoint(file, zone);
  }

  static async load(file: string, zone: string): Promise<Checkpoint> {
    let read: CheckpointRead;
    try {
      read = await readCheckpointFile(file);
    } catch (err) {
      throw new GovdbError('INVALID_INPUT', `--resume: the checkpoint file ${file} cannot be read (${(err as Error).message}).`, { cause: err, hint: 'Fix its permissions, or run without --resume; the import is idempotent.' });
    }
    if (!read.found) {
      throw new GovdbError('NOT_FOUND', `--resume: no checkpoint file at ${file}.`, { hint: 'Run without --resume to start from the beginning, or pass the --checkpoint FILE of the interrupted run.' });
    }
    if ('invalid' in read) {
      throw new GovdbError('INVALID_INPUT', `Checkpoint file ${file} is ${read.invalid}.`, { hint: 'Delete it and run without --resume; the import is idempotent.' });
    }
    const data = read.value as CheckpointData;
    if (!data || typeof data !== 'object' || data.version !== 1 || typeof data.files !== 'object' || data.files === null) {
      throw new GovdbError('INVALID_INPUT', `Checkpoint file ${file} is not a govdb import checkpoint (version 1 with files).`, { hint: 'Delete it and run without --resume; the import is idempotent.' });
    }
    if (data.source_timezone !== zone) {
      throw new GovdbError('CONFLICT', `The interrupted run interpreted naive timestamps in ${data.source_timezone}, this run in ${zone}.`, {
        hint: `Resume with --source-timezone ${data.source_timezone}, or run without --resume.`,
      });
    }
    return new Checkpoint(file, zone, data);
  }

  /** Where to start a pass of a file; a file that changed since the checkpoint starts over. */
  resumePoint(path: string, size: number, mtimeMs: number, pass: Pass): PassState | undefined {
    const f = this.data.files[path];
    if (!f || f.size !== size || f.mtime_ms !== mtimeMs) return undefined;
    return f.passes[pass];
  }

  record(path: string, size: number, mtimeMs: number, pass: Pass, state: PassState): void {
    let f = this.data.files[path];
    if (!f || f.size !== size || f.mtime_ms !== mtimeMs) f = this.data.files[path] = { size, mtime_ms: mtimeMs, passes: {} };
    f.passes[pass] = state;
  }

  /** Writes the checkpoint durably; call it only once the batches it describes have committed. */
  async save(): Promise<void> {
    await writeCheckpointFile(this.file, this.data);
  }
}
