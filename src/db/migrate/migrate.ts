import { Client } from 'pg';
import { GovdbError, SQLSTATE, sqlState } from '../../errors';
import { connectClient, redactUrl } from '../pool';
import { checkPostgresServer } from '../serverRequirements';
import { renderStep } from './cypherScript';
import { defaultProjectRoot, LedgerFiles, loadLedgerFiles } from './ledgerFiles';
import { readLedgerStatus, LedgerStatus, LedgerItem } from './status';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gmMigration = require('graphile-migrate/dist/migration');

/** Key of the session advisory lock that serializes `govdb migrate` runs ("govdb" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x676f7664_62n;

export interface MigrateOptions {
  root?: string;
  dryRun?: boolean;
  lockTimeoutMs?: number;
  /** check the server's version and extensions before applying (default true; the embedded store bundles them) */
  preflight?: boolean;
  /** called before each item is applied (for progress output) */
  onItem?: (item: LedgerItem) => void;
}

export interface AppliedItem {
  kind: LedgerItem['kind'];
  name: string;
  file: string;
  checksum: string;
  ms: number;
}

export interface MigrateResult {
  dryRun: boolean;
  applied: AppliedItem[];
  /** in dry-run: what would run, in order */
  planned: LedgerItem[];
  sqlVersion: number | null;
}

export async function migrate(connectionString: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const root = options.root ?? defaultProjectRoot();
  const files = await loadLedgerFiles(root, connectionString);
  const client = await connectClient(connectionString);
  try {
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      // Read the state only once the lock is held: a run that waited sees what the other one applied.
      const status = await readLedgerStatus(client, files);
      assertLedgerConsistent(status);
      const planned = status.items.filter((i) => i.state === 'pending' || i.state === 'changed');
      if (planned.length && options.preflight !== false) await checkPostgresServer(client, redactUrl(connectionString));
      if (options.dryRun) return { dryRun: true, applied: [], planned, sqlVersion: status.sqlVersion };
      const applied: AppliedItem[] = [];
      try {
        for (const item of planned) {
          options.onItem?.(item);
          const started = process.hrtime.bigint();
          if (item.kind === 'sql') await applySql(client, files, item);
          else if (item.kind === 'cypher') await applyCypher(client, files, item);
          else await applyFunction(client, files, item);
          applied.push({ kind: item.kind, name: item.name, file: item.file, checksum: item.fileChecksum!, ms: Number(process.hrtime.bigint() - started) / 1e6 });
        }
      } catch (err) {
        // a failed FIRST migration leaves nothing behind: graphile-migrate creates its bookkeeping
        // schema outside the (rolled back) migration transaction
        if (status.sqlVersion === null) await dropEmptyGraphileSchema(client).catch(() => undefined);
        throw err;
      }
      const after = await readLedgerStatus(client, files);
      return { dryRun: false, applied, planned, sqlVersion: after.sqlVersion };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropEmptyGraphileSchema(client: Client): Promise<void> {
  const exists = await client.query(`select to_regclass('graphile_migrate.migrations') is not null as present`);
  if (exists.rows[0].present) {
    const rows = await client.query(`select count(*)::int as n from graphile_migrate.migrations`);
    if (rows.rows[0].n !== 0) return;
  }
  // With AGE in shared_preload_libraries, a database without the extension refuses every DROP
  // (AGE's utility hook looks up ag_catalog): then the empty schema stays (harmless: the next
  // migrate uses it). The missing-extension case itself never gets here (preflight).
  await client.query('drop schema if exists graphile_migrate cascade');
}

async function acquireMigrationLock(client: Client, timeoutMs: number): Promise<void> {
  await client.query(`select set_config('lock_timeout', $1, false)`, [`${timeoutMs}ms`]);
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
  } catch (err) {
    if (sqlState(err) === SQLSTATE.LOCK_NOT_AVAILABLE) {
      throw new GovdbError('MIGRATION_LOCK_TIMEOUT', `Another govdb migrate held the migration lock for more than ${timeoutMs} ms; nothing was applied.`, {
        hint: 'Wait for the other run to finish, or raise GOVDB_MIGRATE_LOCK_TIMEOUT_MS / --lock-timeout.',
      });
    }
    throw err;
  } finally {
    await client.query(`select set_config('lock_timeout', '0', false)`).catch(() => undefined);
  }
}

/** Refuses to run when an applied versioned file changed, vanished or sits out of order. */
export function assertLedgerConsistent(status: LedgerStatus): void {
  if (status.problems.length) {
    const first = status.problems[0]!;
    throw new GovdbError(first.code, status.problems.map((p) => p.message).join('\n'), {
      hint: 'Applied migrations are immutable: revert the file to its applied content and put the change in a new migration.',
      problems: status.problems,
    });
  }
}

function describeSqlError(err: unknown, file: string, body: string): string {
  const e = err as { message?: string; position?: string };
  let where = '';
  const pos = e.position ? parseInt(e.position, 10) : NaN;
  if (Number.isFinite(pos) && pos > 0) {
    const before = body.slice(0, pos - 1);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n') - 1;
    const text = body.split('\n')[line - 1] ?? '';
    where = `\n  at ${file}:${line}:${col}\n    ${text}\n    ${' '.repeat(Math.max(0, col - 1))}^`;
  }
  return `${e.message ?? String(err)}${where}`;
}

async function applySql(client: Client, files: LedgerFiles, item: LedgerItem): Promise<void> {
  const migration = files.sql.find((m) => m.file === item.file)!;
  await gmMigration._migrateMigrationSchema(client, files.gmSettings);
  // read by the core.record_sql_migration trigger, which writes the ledger row in the migration's transaction
  await client.query(`select set_config('govdb.migration_name', $1, false), set_config('govdb.migration_file', $2, false)`, [migration.name, migration.file]);
  const database = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  try {
    const started = process.hrtime.bigint();
    await gmMigration.runCommittedMigration(client, files.gmSettings, { database }, migration.gm, '');
    await finishItem(client, item, started);
  } catch (err) {
    throw new GovdbError('MIGRATION_FAILED', `SQL migration ${migration.file} failed and was rolled back: ${describeSqlError(err, migration.file, migration.gm.body)}`, { cause: err, file: migration.file });
  } finally {
    await client.query(`select set_config('govdb.migration_name', '', false), set_config('govdb.migration_file', '', false)`).catch(() => undefined);
  }
}

async function inTransaction(client: Client, fn: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await fn();
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

async function recordItem(client: Client, item: LedgerItem): Promise<void> {
  // Inserted first: a unique violation here means another process applied the same item.
  await client.query(
    `insert into core.schema_migrations (version, name, kind, file, checksum) values (null, $1, $2, $3, $4)`,
    [item.name, item.kind, item.file, item.fileChecksum],
  );
}

async function finishItem(client: Client, item: LedgerItem, started: bigint): Promise<void> {
  await client.query(
    `update core.schema_migrations set execution_ms = $1
      where id = (select max(id) from core.schema_migrations where kind = $2 and file = $3)`,
    [Math.round(Number(process.hrtime.bigint() - started) / 1e6), item.kind, item.file],
  );
}

async function applyCypher(client: Client, files: LedgerFiles, item: LedgerItem): Promise<void> {
  const migration = files.cypher.find((m) => m.file === item.file)!;
  const started = process.hrtime.bigint();
  try {
    await inTransaction(client, async () => {
      await client.query(`load 'age'`);
      await client.query(`set local search_path = ag_catalog, "$user", public`);
      await recordItem(client, item);
      for (const step of migration.script.steps) {
        for (const statement of renderStep(migration.script.graph, step)) {
          try {
            await client.query(statement);
          } catch (err) {
            const where = step.kind === 'cypher' ? `statement at line ${step.line}` : `directive ${step.kind}${'label' in step ? ` ${step.label}` : ''}`;
            throw new GovdbError('MIGRATION_FAILED', `Cypher migration ${migration.file} failed at ${where} and was rolled back: ${(err as Error).message}`, { cause: err, file: migration.file });
          }
        }
      }
      await finishItem(client, item, started);
    });
  } catch (err) {
    if (err instanceof GovdbError) throw err;
    throw new GovdbError('MIGRATION_FAILED', `Cypher migration ${migration.file} failed and was rolled back: ${(err as Error).message}`, { cause: err, file: migration.file });
  }
}

async function applyFunction(client: Client, files: LedgerFiles, item: LedgerItem): Promise<void> {
  const fn = files.functions.find((f) => f.file === item.file)!;
  const started = process.hrtime.bigint();
  try {
    await inTransaction(client, async () => {
      // functions of one file may call functions of a file applied later
      await client.query(`set local check_function_bodies = off`);
      await recordItem(client, item);
      await client.query(fn.text);
      await finishItem(client, item, started);
    });
  } catch (err) {
    throw new GovdbError('MIGRATION_FAILED', `Function file ${fn.file} failed and was rolled back: ${describeSqlError(err, fn.file, fn.text)}`, { cause: err, file: fn.file });
  }
}
