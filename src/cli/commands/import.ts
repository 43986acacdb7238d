import { Command } from 'commander';
import { DEFAULT_CHECKPOINT_FILE, DEFAULT_QUARANTINE_FILE, DEFAULT_SOURCE_TIMEZONE, importLegacy, renderTable } from '../../import/importLegacy';
import { addDatabaseOption, reportError, resolveDatabaseUrl } from '../output';

/** `govdb import PATH…`: the legacy importer (docs/import.md). Exit 0 done and reconciled, 3 reconciliation failed, 2 error. */
export function registerImport(program: Command): void {
  addDatabaseOption(
    program
      .command('import')
      .description('Import the legacy stores (old data/ directory or single files) into PostgreSQL + AGE: idempotent, resumable, verified')
      .argument('<paths...>', 'directories laid out like the old data/ folder, or single legacy files')
      .option('--dry-run', 'parse and validate everything, write nothing (no database, no checkpoint)')
      .option('--resume', 'continue an interrupted import from its checkpoint')
      .option('--source-timezone <tz>', `zone of naive legacy timestamps: offset or IANA name (default ${DEFAULT_SOURCE_TIMEZONE})`)
      .option('--report <file>', 'write the JSON report to this file')
      .option('--quarantine <file>', `JSON lines of rejected records (default ${DEFAULT_QUARANTINE_FILE}; none on --dry-run unless given)`)
      .option('--checkpoint <file>', `checkpoint file (default ${DEFAULT_CHECKPOINT_FILE})`)
      .option('--batch-size <n>', 'audit / tool-usage records per database call (default 2000)'),
  ).action(async (paths: string[], opts: { dryRun?: boolean; resume?: boolean; sourceTimezone?: string; report?: string; quarantine?: string; checkpoint?: string; batchSize?: string; databaseUrl?: string }) => {
    try {
      const report = await importLegacy({
        paths,
        databaseUrl: opts.dryRun ? opts.databaseUrl || process.env.DB_POSTGRES_URL : resolveDatabaseUrl(opts),
        dryRun: !!opts.dryRun,
        resume: !!opts.resume,
        sourceTimezone: opts.sourceTimezone,
        reportFile: opts.report,
        quarantineFile: opts.quarantine,
        checkpointFile: opts.checkpoint,
        batchSize: opts.batchSize ? Number(opts.batchSize) : undefined,
      });
      process.stderr.write(renderTable(report));
      if (report.reconciliation && !report.reconciliation.ok) process.exitCode = 3;
    } catch (err) {
      reportError(err, false, 2);
    }
  });
}
