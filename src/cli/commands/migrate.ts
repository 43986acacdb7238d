import { Command } from 'commander';
import { migrate } from '../../db/migrate/migrate';
import { ItemPreview } from '../../db/migrate/preview';
import { DEFAULT_TIMEOUTS } from '../../db/migrate/timeouts';
import { loadConfig } from '../../config';
import { GovdbError } from '../../errors';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

function nonNegativeInt(value: string, name: string, maxDigits = 6): number {
  if (!new RegExp(`^\\d{1,${maxDigits}}$`).test(value)) throw new GovdbError('CONFIG_INVALID', `${name} must be a non-negative integer, got ${JSON.stringify(value)}.`);
  return Number(value);
}

function printPreview(preview: ItemPreview[]): void {
  if (!preview.length) process.stdout.write('Nothing to apply: the database is up to date.\n');
  for (const p of preview) {
    process.stdout.write(`would apply ${p.kind.padEnd(8)} ${p.file}${p.state === 'changed' ? ' (changed)' : ''}: `
      + `${p.transaction ? 'one transaction' : 'NO transaction'}, lock_timeout ${p.timeouts.lockTimeout}, statement_timeout ${p.timeouts.statementTimeout}, `
      + `strongest lock ${p.strongestLock ?? 'none'}\n`);
    for (const s of p.statements) {
      const first = s.text.split('\n')[0]!;
      const text = first.length > 100 || s.text.includes('\n') ? `${first.slice(0, 100)} …` : first;
      const lock = s.lock ? `${s.lock}${s.table ? ` on ${s.table}` : ''}` : s.note ?? 'no table lock';
      process.stdout.write(`  ${(s.line ? String(s.line) : '-').padStart(5)}  ${lock.padEnd(44)} ${text}\n`);
    }
  }
  if (preview.length) process.stdout.write('Locks are estimated from each statement\'s kind (see README, "The ledger").\n');
}

export function registerMigrate(program: Command): void {
  addDatabaseOption(
    program
      .command('migrate')
      .description('Apply the ledger in order under one lock: committed SQL migrations, then cypher/*.cypher, then changed sql/functions/*.sql')
      .option('--dry-run', 'apply nothing; print per pending item the statements it runs and the strongest table lock each takes (estimate)')
      .option('--json', 'machine-readable output on stdout')
      .option('--lock-timeout <ms>', 'how long to wait for a concurrent migrate (default $GOVDB_MIGRATE_LOCK_TIMEOUT_MS or 60000)')
      .option('--lock-wait <duration>', `lock_timeout of every statement unless its file sets one (default $GOVDB_MIGRATE_LOCK_WAIT or ${DEFAULT_TIMEOUTS.lockTimeout})`)
      .option('--statement-timeout <duration>', `statement_timeout of every statement unless its file sets one (default $GOVDB_MIGRATE_STATEMENT_TIMEOUT or ${DEFAULT_TIMEOUTS.statementTimeout})`)
      .option('--retry-lock <n>', 'retry an item whose lock wait timed out up to N times, with exponential backoff (1 s, 2 s, 4 s … ±50%, at most 30 s)', '0'),
  ).action(async (opts: { dryRun?: boolean; json?: boolean; lockTimeout?: string; lockWait?: string; statementTimeout?: string; retryLock: string; databaseUrl?: string }) => {
    try {
      const url = resolveDatabaseUrl(opts);
      const config = loadConfig();
      const lockTimeoutMs = opts.lockTimeout !== undefined ? nonNegativeInt(opts.lockTimeout, '--lock-timeout', 7) : config.migrateLockTimeoutMs;
      const result = await migrate(url, {
        dryRun: !!opts.dryRun,
        lockTimeoutMs,
        timeouts: { lockTimeout: opts.lockWait ?? config.migrateTimeouts.lockTimeout, statementTimeout: opts.statementTimeout ?? config.migrateTimeouts.statementTimeout },
        retryLock: nonNegativeInt(opts.retryLock, '--retry-lock'),
        onItem: opts.json || opts.dryRun ? undefined : (item) => process.stderr.write(`applying ${item.kind} ${item.file}\n`),
        onRetry: (item, attempt, delayMs) => process.stderr.write(`govdb: ${item.file}: lock wait timed out; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s\n`),
      });
      if (opts.json) {
        printJson({ ok: true, ...result });
        return;
      }
      if (result.dryRun) {
        printPreview(result.preview ?? []);
        return;
      }
      for (const a of result.applied) process.stdout.write(`applied ${a.kind.padEnd(8)} ${a.file} (${a.ms.toFixed(0)} ms)\n`);
      process.stdout.write(`${result.applied.length ? `${result.applied.length} item(s) applied` : 'Already up to date'}; SQL schema version ${result.sqlVersion ?? 'none'}.\n`);
    } catch (err) {
      reportError(err, !!opts.json, 2);
    }
  });
}
