import { Command } from 'commander';
import { migrate } from '../../db/migrate/migrate';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

export function registerMigrate(program: Command): void {
  addDatabaseOption(
    program
      .command('migrate')
      .description('Apply the ledger in order under one lock: committed SQL migrations, then cypher/*.cypher, then changed sql/functions/*.sql')
      .option('--dry-run', 'list what would be applied, apply nothing')
      .option('--json', 'machine-readable output on stdout')
      .option('--lock-timeout <ms>', 'how long to wait for a concurrent migrate (default $GOVDB_MIGRATE_LOCK_TIMEOUT_MS or 60000)'),
  ).action(async (opts: { dryRun?: boolean; json?: boolean; lockTimeout?: string; databaseUrl?: string }) => {
    try {
      const url = resolveDatabaseUrl(opts);
      const lockTimeoutMs = Number(opts.lockTimeout ?? process.env.GOVDB_MIGRATE_LOCK_TIMEOUT_MS ?? 60_000);
      const result = await migrate(url, {
        dryRun: !!opts.dryRun,
        lockTimeoutMs,
        onItem: opts.json || opts.dryRun ? undefined : (item) => process.stderr.write(`applying ${item.kind} ${item.file}\n`),
      });
      if (opts.json) {
        printJson({ ok: true, ...result });
        return;
      }
      if (result.dryRun) {
        if (!result.planned.length) process.stdout.write('Nothing to apply: the database is up to date.\n');
        for (const item of result.planned) {
          process.stdout.write(`would apply ${item.kind.padEnd(8)} ${item.file}${item.state === 'changed' ? ' (changed)' : ''}\n`);
        }
        return;
      }
      for (const a of result.applied) process.stdout.write(`applied ${a.kind.padEnd(8)} ${a.file} (${a.ms.toFixed(0)} ms)\n`);
      process.stdout.write(`${result.applied.length ? `${result.applied.length} item(s) applied` : 'Already up to date'}; SQL schema version ${result.sqlVersion ?? 'none'}.\n`);
    } catch (err) {
      reportError(err, !!opts.json, 2);
    }
  });
}
