import { mkdirSync, rmSync, writeFileSync } from 'fs';
import type { Server } from 'http';
import path from 'path';
import { GovdbError } from '../errors';
export { checkPostgresServer, MIN_POSTGRES_MAJOR, REQUIRED_EXTENSIONS } from '../db/serverRequirements';

/**
 * Start-up checks, each with one line that names the cause and the fix (issue 13: "start-up says
 * the real cause"). Order when serving: PostgreSQL version → extensions → ledger state → port →
 * data directory. Each throws a GovdbError; callers print `code: message (hint)` on one line.
 */

/** The one message for commands that need a migrated database. */
export function notMigratedError(where: string, cause?: unknown): GovdbError {
  return new GovdbError('SCHEMA_MISSING', `The database at ${where} has no govdb schema: run \`govdb migrate\` first.`, {
    hint: 'govdb migrate applies the ledger (migrations, Cypher, functions) to DB_POSTGRES_URL.',
    cause,
  });
}

/**
 * Creates `dir` when missing and proves it writable by writing and removing a probe file.
 * @throws GovdbError DATA_DIR_NOT_WRITABLE
 */
export function ensureWritableDir(dir: string): void {
  const probe = path.join(dir, `.govdb-write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new GovdbError('DATA_DIR_NOT_WRITABLE', `The data directory ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      hint: 'Set GOVDB_DATA_DIR to a directory this user can write, or fix its permissions.',
      cause: err,
    });
  }
}

/**
 * Binds `server` to host:port; a taken port or a refused address becomes one line with the fix.
 * @throws GovdbError PORT_IN_USE or PORT_UNAVAILABLE
 */
export async function listenOrExplain(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new GovdbError('PORT_IN_USE', `Port ${port} on ${host} is already in use (another govdb serve?).`, { hint: 'Stop the other process, or choose another port with --port or PORT.', cause: err }));
      } else {
        reject(new GovdbError('PORT_UNAVAILABLE', `Cannot listen on ${host}:${port}: ${err.code ?? err.message}.`, { hint: 'Check --host/HOST and --port/PORT (ports below 1024 need privileges).', cause: err }));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
