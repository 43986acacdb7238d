import { readCheckpointFile, writeCheckpointFile } from '../util/checkpoint';
import { HASH_PATTERN } from './auditLine';

/**
 * How far the mirror got: every line before `offset` of `file` (and of every earlier file) is
 * committed in PostgreSQL. Written only after the batch's transaction committed, through
 * src/util/checkpoint.ts (durable, atomic), so after a crash it can only lag behind PostgreSQL, never
 * run ahead; lines sent again are dropped by the content-hash dedup.
 */
export interface Checkpoint {
  version: 1;
  /** Basename of the file, as named when the checkpoint was written. */
  file: string;
  ino: number;
  /** Byte offset just past the last committed line. */
  offset: number;
  /** Number of committed lines of that file. */
  line: number;
  /** Hash of the line ending at offset (null at offset 0, or when that line was not a valid audit line). */
  last_hash: string | null;
  /** sha256 of the text of the line ending at offset: identifies the file again after a rename (any line, valid or rejected). Absent in checkpoints of older versions, which match by last_hash. */
  last_line_sha256?: string | null;
  updated_at: string;
}

/** The checkpoint, or null with the reason when there is none or it cannot be used. */
export async function readCheckpoint(file: string): Promise<{ checkpoint: Checkpoint | null; problem?: string }> {
  const read = await readCheckpointFile(file);
  if (!read.found) return { checkpoint: null };
  if ('value' in read && isCheckpoint(read.value)) return { checkpoint: read.value };
  return { checkpoint: null, problem: `checkpoint ${file} is not a valid checkpoint; starting from the oldest file (PostgreSQL drops lines it already has)` };
}

function isCheckpoint(v: unknown): v is Checkpoint {
  const cp = v as Partial<Checkpoint> | null;
  return !!cp && typeof cp === 'object' && cp.version === 1 && typeof cp.file === 'string' && !cp.file.includes('/') &&
    Number.isInteger(cp.offset) && cp.offset! >= 0 && Number.isInteger(cp.line) && cp.line! >= 0 &&
    (cp.last_hash === null || (typeof cp.last_hash === 'string' && HASH_PATTERN.test(cp.last_hash))) &&
    (cp.last_line_sha256 === undefined || cp.last_line_sha256 === null || (typeof cp.last_line_sha256 === 'string' && HASH_PATTERN.test(cp.last_line_sha256)));
}

/** Writes the mirror's checkpoint durably (src/util/checkpoint.ts). */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeCheckpointFile(file, checkpoint);
}
