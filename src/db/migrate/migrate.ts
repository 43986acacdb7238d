import { Client } from 'pg';
import { GovdbError, SQLSTATE, sqlState } from '../../errors';
import { connectClient, redactUrl } from '../pool';
import { checkPostgresServer } from '../serverRequirements';
import { renderStep } from './cypherScript';
import { defaultProjectRoot, LedgerFiles, loadLedgerFiles, SqlMigrationFile } from './ledgerFiles';
import { assertTransactionMode, ItemPreview, previewItem } from './preview';
import { itemsToApply, readLedgerStatus, LedgerStatus, LedgerItem } from './status';
import { MigrationTimeouts, resolveTimeouts } from './timeouts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmMigration = require('graphile-migrate/dist/migration');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmPgReal = require('graphile-migrate/dist/pgReal');

/** Key of the session advisory lock that serializes `govdb migrate` runs ("govdb" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x676f7664_62n;

export interface MigrateOptions {
  root?: string;
  dryRun?: boolean;
  /** how long to wait for a concurrent `govdb migrate` (the migration advisory lock), in ms */
  lockTimeoutMs?: number;
  /**
   * lock_timeout / statement_timeout of every item, over the defaults (5s / 15min) and the
   * GOVDB_MIGRATE_LOCK_WAIT / GOVDB_MIGRATE_STATEMENT_TIMEOUT variables; a file's own header or
   * directive wins over these.
   */
  timeouts?: Partial<MigrationTimeouts>;
  /** retries of an item whose lock wait timed out (transactional items only), default 0 */
  retryLock?: number;
  /** first backoff delay in ms (doubled per retry, with jitter; default 1000, capped at 30 s) */
  retryBaseMs?: number;
  /** check the server's version and extensions before applying (default true; the embedded store bundles them) */
  preflight?: boolean;
  /** called before each item is applied (for progress output) */
  onItem?: (item: LedgerItem) => void;
  /** called when an item's lock wait timed out and it will be retried after `delayMs` */
  onRetry?: (item: LedgerItem, attempt: number, delayMs: number) => void;
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
  /** in dry-run: per planned item, its statements and the strongest table lock each takes (an estimate) */
  preview?: ItemPreview[];
  sqlVersion: number | null;
}

export async function migrate(connectionString: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const root = options.root ?? defaultProjectRoot();
  const files = await loadLedgerFiles(root, connectionString);
  const defaults = resolveTimeouts(options.timeouts);
  const client = await connectClient(connectionString);
  try {
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      // Read the state only once the lock is held: a run that waited sees what the other one applied.
      const status = await readLedgerStatus(client, files);
      assertLedgerConsistent(status);
      const planned = itemsToApply(status);
      if (planned.length && options.preflight !== false) await checkPostgresServer(client, redactUrl(connectionString));
      // refuse, before anything is applied, what PostgreSQL would refuse for its transaction mode
      for (const item of planned.filter((i) => i.kind === 'sql')) {
        const m = files.sql.find((x) => x.file === item.file)!;
        await assertTransactionMode(m.gm.body, m.file, m.transaction);
      }
      if (options.dryRun) {
        const database = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
        const preview = [];
        for (const item of planned) preview.push(await previewItem(files, item, timeoutsOf(files, item, defaults), database));
        return { dryRun: true, applied: [], planned, preview, sqlVersion: status.sqlVersion };
      }
      const applied: AppliedItem[] = [];
      try {
        for (const item of planned) {
          options.onItem?.(item);
          const started = process.hrtime.bigint();
          const timeouts = timeoutsOf(files, item, defaults);
          const retryable = item.kind !== 'sql' || files.sql.find((m) => m.file === item.file)!.transaction;
          for (let attempt = 0; ; attempt++) {
            try {
              if (item.kind === 'sql') await applySql(client, files, item, timeouts);
              else if (item.kind === 'cypher') await applyCypher(client, files, item, timeouts);
              else await applyFunction(client, files, item, timeouts);
              break;
            } catch (err) {
              const waited = err instanceof GovdbError && err.code === 'MIGRATION_LOCK_TIMEOUT';
              if (!waited || !retryable || attempt >= (options.retryLock ?? 0)) throw err;
              const base = options.retryBaseMs ?? 1000;
              const delayMs = Math.min(30_000, base * 2 ** attempt) * (0.5 + Math.random() / 2);
              options.onRetry?.(item, attempt + 1, delayMs);
              await new Promise((resolve) => setTimeout(resolve, delayMs));
            }
          }
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

/**
 * Takes the session advisory lock by polling `pg_try_advisory_lock` (every 50–250 ms up to `timeoutMs`)
 * rather than blocking in `pg_advisory_lock`: a blocked statement is an open transaction, and a
 * `CREATE INDEX CONCURRENTLY` in the running migration waits for every older transaction to end,
 * so a waiting second run would stall the first until its own timeout.
 */
async function acquireMigrationLock(client: Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(250, delay * 2)) {
    const got = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [MIGRATION_LOCK_KEY.toString()]);
    if (got.rows[0]!.ok) return;
    if (Date.now() + delay > deadline) {
      throw new GovdbError('MIGRATION_LOCK_TIMEOUT', `Another govdb migrate held the migration lock for more than ${timeoutMs} ms; nothing was applied.`, {
        hint: 'Wait for the other run to finish, or raise GOVDB_MIGRATE_LOCK_TIMEOUT_MS / --lock-timeout.',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
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

const NO_TRANSACTION_UNDONE = 'it ran without a transaction (PostgreSQL rolled back its one query, but a failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it before retrying)';

/** The timeouts an item runs with: the file's own over `defaults`. */
export function timeoutsOf(files: LedgerFiles, item: LedgerItem, defaults: MigrationTimeouts): MigrationTimeouts {
  const own = item.kind === 'sql' ? files.sql.find((m) => m.file === item.file)?.timeouts
    : item.kind === 'cypher' ? files.cypher.find((m) => m.file === item.file)?.script.timeouts : undefined;
  return { ...defaults, ...(own ?? {}) };
}

async function setTimeouts(client: Client, timeouts: MigrationTimeouts, local: boolean): Promise<void> {
  await client.query(`select set_config('lock_timeout', $1, $3), set_config('statement_timeout', $2, $3)`, [timeouts.lockTimeout, timeouts.statementTimeout, local]);
}

/** Back to the session's defaults (which a role or database setting may have set). */
async function resetTimeouts(client: Client): Promise<void> {
  await client.query('reset lock_timeout; reset statement_timeout').catch(() => undefined);
}

/**
 * A lock wait or statement cut short by the item's timeouts becomes MIGRATION_LOCK_TIMEOUT /
 * MIGRATION_STATEMENT_TIMEOUT naming the file, the limit and the way out; other errors give null.
 */
function timeoutError(err: unknown, file: string, timeouts: MigrationTimeouts, transactional: boolean): GovdbError | null {
  const undone = transactional ? 'it was rolled back, nothing of it was applied' : NO_TRANSACTION_UNDONE;
  if (sqlState(err) === SQLSTATE.LOCK_NOT_AVAILABLE) {
    return new GovdbError('MIGRATION_LOCK_TIMEOUT', `${file} waited longer than lock_timeout ${timeouts.lockTimeout} for a table lock held by another session; ${undone}. Application queries waited behind it for at most that long.`, {
      file, lock: 'table', lockTimeout: timeouts.lockTimeout, cause: err,
      hint: 'Retry at a quieter moment or with `govdb migrate --retry-lock N`; find the blocker with pg_blocking_pids(); raise the file\'s limit with a `--! LockTimeout: 30s` header (Cypher: `//! lock_timeout 30s`) only if waiting is acceptable.',
    });
  }
  if (sqlState(err) === SQLSTATE.QUERY_CANCELED && /statement timeout/i.test((err as Error).message)) {
    return new GovdbError('MIGRATION_STATEMENT_TIMEOUT', `${file} ran a statement longer than statement_timeout ${timeouts.statementTimeout}; ${undone}.`, {
      file, statementTimeout: timeouts.statementTimeout, cause: err,
      hint: 'Raise the file\'s limit with a `--! StatementTimeout: 2h` header (Cypher: `//! statement_timeout 2h`) or --statement-timeout, or split the work.',
    });
  }
  return null;
}

/** `firstLine`: the file line on which `body` starts (SQL migrations run their body, after the headers). */
function describeSqlError(err: unknown, file: string, body: string, firstLine = 1): string {
  const e = err as { message?: string; position?: string };
  let where = '';
  const pos = e.position ? parseInt(e.position, 10) : NaN;
  if (Number.isFinite(pos) && pos > 0) {
    const before = body.slice(0, pos - 1);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n') - 1;
    const text = body.split('\n')[line - 1] ?? '';
    where = `\n  at ${file}:${line + firstLine - 1}:${col}\n    ${text}\n    ${' '.repeat(Math.max(0, col - 1))}^`;
  }
  return `${e.message ?? String(err)}${where}`;
}

/**
 * Runs one committed SQL migration the way graphile-migrate's runner does (placeholders, its
 * advisory lock, `--! no-transaction`, the graphile_migrate.migrations row whose insert fires the
 * core.record_sql_migration trigger that writes our ledger row), plus the item's timeouts, and
 * records the body's checksum for an AllowInvalidHash migration (the trigger records the Hash header).
 * With a transaction all of it commits or rolls back together; without one, the ledger rows are
 * written in one transaction after the body ran.
 */
async function applySql(client: Client, files: LedgerFiles, item: LedgerItem, timeouts: MigrationTimeouts): Promise<void> {
  const migration = files.sql.find((m) => m.file === item.file)!;
  if (migration.hashProblem) throw new GovdbError('MIGRATION_FILE_INVALID', migration.hashProblem, { file: migration.file });
  await gmMigration._migrateMigrationSchema(client, files.gmSettings);
  // read by the core.record_sql_migration trigger, which writes the ledger row in the migration's transaction
  await client.query(`select set_config('govdb.migration_name', $1, false), set_config('govdb.migration_file', $2, false)`, [migration.name, migration.file]);
  const database = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  const sql: string = gmMigration.generatePlaceholderReplacement(files.gmSettings, { database })(migration.gm.body);
  const started = process.hrtime.bigint();
  try {
    await gmPgReal.withAdvisoryLock(client, async () => {
      if (migration.transaction) {
        await inTransaction(client, async () => {
          await setTimeouts(client, timeouts, true);
          await client.query(sql);
          await recordSql(client, migration, item, started);
        });
      } else {
        await setTimeouts(client, timeouts, false);
        try {
          await client.query(sql);
        } finally {
          await resetTimeouts(client);
        }
        await assertNoInvalidIndex(client, migration.file, sql);
        await inTransaction(client, () => recordSql(client, migration, item, started));
      }
    });
  } catch (err) {
    if (err instanceof GovdbError && err.code === 'MIGRATION_FAILED') throw err;  // assertNoInvalidIndex: says it all
    const timedOut = timeoutError(err, migration.file, timeouts, migration.transaction);
    if (timedOut) throw timedOut;
    const undone = migration.transaction ? 'was rolled back' : `failed: ${NO_TRANSACTION_UNDONE}`;
    throw new GovdbError('MIGRATION_FAILED', `SQL migration ${migration.file} ${migration.transaction ? 'failed and ' : ''}${undone}: ${describeSqlError(err, migration.file, sql, migration.bodyLine)}`, { cause: err, file: migration.file });
  } finally {
    await client.query(`select set_config('govdb.migration_name', '', false), set_config('govdb.migration_file', '', false)`).catch(() => undefined);
  }
}

/**
 * After a `--! no-transaction` body: an INVALID index that the body names (a failed `CREATE INDEX
 * CONCURRENTLY` of an earlier run, which the `if not exists` squawk requires then accepts as done)
 * fails the migration before it is recorded, with the command that clears it. Without this check the
 * rerun recorded the migration as applied, `govdb status` said up to date and only `govdb drift`
 * showed the index (valid: true -> false).
 */
async function assertNoInvalidIndex(client: Client, file: string, sql: string): Promise<void> {
  const { rows } = await client.query<{ name: string; relname: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name, c.relname
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where not i.indisvalid and position(lower(c.relname) in lower($1)) > 0
      order by 1`, [sql]);
  // the name as a whole word of the body (position() above only narrows the candidates)
  const word = (name: string) => new RegExp('(^|[^a-z0-9_$])' + name.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&') + '($|[^a-z0-9_$])', 'i');
  const named = rows.filter((r) => word(r.relname).test(sql));
  if (named.length === 0) return;
  throw new GovdbError('MIGRATION_FAILED',
    `SQL migration ${file} was not recorded: it leaves ${named.length === 1 ? 'an INVALID index' : 'INVALID indexes'} ${named.map((r) => r.name).join(', ')} ` +
    `(a failed CREATE INDEX CONCURRENTLY, which \`if not exists\` accepts): ${named.map((r) => `drop index concurrently ${r.name};`).join(' ')} then run govdb migrate again`,
    { file });
}

async function recordSql(client: Client, migration: SqlMigrationFile, item: LedgerItem, started: bigint): Promise<void> {
  const { hash, previousHash, filename } = migration.gm;
  await client.query('insert into graphile_migrate.migrations (hash, previous_hash, filename) values ($1, $2, $3)', [hash, previousHash, filename]);
  if (migration.checksum !== hash) {
    // AllowInvalidHash: the ledger keeps the body's checksum, the one status compares with
    await client.query(`update core.schema_migrations set checksum = $1 where kind = 'sql' and version = $2`, [migration.checksum, migration.version]);
  }
  await finishItem(client, item, started);
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

async function applyCypher(client: Client, files: LedgerFiles, item: LedgerItem, timeouts: MigrationTimeouts): Promise<void> {
  const migration = files.cypher.find((m) => m.file === item.file)!;
  const started = process.hrtime.bigint();
  try {
    await inTransaction(client, async () => {
      await setTimeouts(client, timeouts, true);
      await client.query(`load 'age'`);
      await client.query(`set local search_path = ag_catalog, "$user", public`);
      await recordItem(client, item);
      for (const step of migration.script.steps) {
        for (const statement of renderStep(migration.script.graph, step)) {
          try {
            await client.query(statement);
          } catch (err) {
            const timedOut = timeoutError(err, migration.file, timeouts, true);
            if (timedOut) throw timedOut;
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

async function applyFunction(client: Client, files: LedgerFiles, item: LedgerItem, timeouts: MigrationTimeouts): Promise<void> {
  const fn = files.functions.find((f) => f.file === item.file)!;
  const started = process.hrtime.bigint();
  try {
    await inTransaction(client, async () => {
      await setTimeouts(client, timeouts, true);
      // functions of one file may call functions of a file applied later
      await client.query(`set local check_function_bodies = off`);
      await recordItem(client, item);
      await client.query(fn.text);
      await finishItem(client, item, started);
    });
  } catch (err) {
    const timedOut = timeoutError(err, fn.file, timeouts, true);
    if (timedOut) throw timedOut;
    throw new GovdbError('MIGRATION_FAILED', `Function file ${fn.file} failed and was rolled back: ${describeSqlError(err, fn.file, fn.text)}`, { cause: err, file: fn.file });
  }
}
