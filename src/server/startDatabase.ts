import type { DbPool } from '../db/types';
import { Config } from '../config';
import { startEmbeddedStore, EmbeddedStore } from '../db/embedded';
import { migrate } from '../db/migrate/migrate';
import { defaultProjectRoot, LedgerFiles, loadLedgerFiles } from '../db/migrate/ledgerFiles';
import { itemsToApply, readLedgerStatus } from '../db/migrate/status';
import { connectClient, createPool, redactUrl } from '../db/pool';
import { GovdbError } from '../errors';
import { checkPostgresServer, ensureWritableDir, notMigratedError } from './preflight';

export interface DatabaseRuntime {
  pool: DbPool;
  store: 'postgres' | 'embedded';
  ledger: LedgerFiles;
  embedded?: EmbeddedStore;
  close(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** apply pending ledger items instead of refusing to start (always true for the embedded store) */
  migrate?: boolean;
  /** where human-readable start-up notes go (stderr; never stdout, which stdio MCP owns) */
  log: (line: string) => void;
}

/**
 * DB_POSTGRES_URL set: connect (5 s), check the ledger, refuse to start when PostgreSQL is unreachable
 * or the schema is behind (unless migrate). Never falls back to another store.
 * DB_POSTGRES_URL unset: the embedded PGlite + AGE store under the data folder, announced loudly.
 */
export async function startDatabase(config: Config, options: StartDatabaseOptions): Promise<DatabaseRuntime> {
  if (config.postgresUrl) {
    const url = config.postgresUrl;
    const probe = await connectClient(url, 5000);
    try {
      // preflight, in order: version, extensions, then the ledger (each one line with its fix)
      await checkPostgresServer(probe, redactUrl(url));
      const ledger = await loadLedgerFiles(defaultProjectRoot(), url);
      const status = await readLedgerStatus(probe, ledger);
      if (status.problems.length) {
        throw new GovdbError('MIGRATION_CHECKSUM_MISMATCH', `The ledger of ${redactUrl(url)} disagrees with this checkout: ${status.problems[0]!.message}`);
      }
      const pending = itemsToApply(status).length;
      if (status.sqlVersion === null && !options.migrate) throw notMigratedError(redactUrl(url));
      if (pending && !options.migrate) {
        throw new GovdbError('SCHEMA_BEHIND', `The schema of ${redactUrl(url)} is behind: ${pending} ledger item(s) pending (SQL version ${status.sqlVersion ?? 'none'}).`, {
          hint: 'Run `govdb migrate`, or start the server with --migrate.',
        });
      }
      await probe.end();
      if (pending) {
        // never through a transaction pooler: the ledger holds a session advisory lock for the run
        const result = await migrate(config.postgresDirectUrl ?? url, { root: ledger.root, lockTimeoutMs: config.migrateLockTimeoutMs, timeouts: config.migrateTimeouts });
        options.log(`govdb: applied ${result.applied.length} ledger item(s); SQL schema version ${result.sqlVersion}`);
      }
      const pool = createPool(url, { max: 10, idleTimeoutMs: config.poolIdleMs, namedStatements: config.namedStatements, sessionSetup: config.postgresPooler !== 'transaction' });
      return { pool, store: 'postgres', ledger, close: () => pool.end() };
    } finally {
      await probe.end().catch(() => undefined);
    }
  }

  options.log('govdb: ================================================================');
  options.log('govdb: DB_POSTGRES_URL is not set: running on the EMBEDDED store');
  options.log(`govdb: (PGlite + Apache AGE, data in ${config.dataDir}/pglite).`);
  options.log('govdb: For production set DB_POSTGRES_URL to a PostgreSQL with AGE.');
  options.log('govdb: ================================================================');
  ensureWritableDir(config.dataDir);
  const embedded = await startEmbeddedStore(config.dataDir);
  try {
    const ledger = await loadLedgerFiles(defaultProjectRoot(), embedded.url);
    const result = await migrate(embedded.url, { root: ledger.root, preflight: false, lockTimeoutMs: config.migrateLockTimeoutMs, timeouts: config.migrateTimeouts });
    if (result.applied.length) options.log(`govdb: embedded store migrated (${result.applied.length} item(s), SQL schema version ${result.sqlVersion})`);
    // PGlite has one backend session shared by all clients: one connection keeps transactions apart,
    // and it is never closed for idleness (a replacement would land in the same session, see pool.ts)
    const pool = createPool(embedded.url, { max: 1, idleTimeoutMs: config.poolIdleMs ?? 0, namedStatements: config.namedStatements });
    return {
      pool,
      store: 'embedded',
      ledger,
      embedded,
      async close() {
        await pool.end();
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop().catch(() => undefined);
    throw err;
  }
}
