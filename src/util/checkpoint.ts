import { promises as fs } from 'fs';
import path from 'path';

/**
 * The one way checkpoint files are read and written: the audit mirror's position
 * (src/audit/checkpoint.ts) and the legacy import's progress (src/import/checkpoint.ts). Callers
 * write a checkpoint only after the work it describes has committed in PostgreSQL; the write is
 * durable and atomic (a temporary file written and fsynced, renamed over the checkpoint, then the
 * directory fsynced), so after a crash or power loss the file holds the previous or the new
 * checkpoint, never a torn one, and it can lag behind PostgreSQL but never run ahead of it.
 */

/** A checkpoint file as read: absent, parsed JSON (not yet checked against any shape), or not JSON. */
export type CheckpointRead =
  | { found: false }
  | { found: true; value: unknown }
  | { found: true; invalid: string };

/** Reads and parses a checkpoint file. Errors other than "no such file" (permissions, I/O) are thrown. */
export async function readCheckpointFile(file: string): Promise<CheckpointRead> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: false };
    throw err;
  }
  try {
    return { found: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { found: true, invalid: `not valid JSON (${(err as Error).message})` };
  }
}

/** Writes `value` as one line of JSON to `file`, durably and atomically (see above). */
export async function writeCheckpointFile(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(value)}\n`, { flush: true });
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** fsyncs a directory, so that a rename or a new file in it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
