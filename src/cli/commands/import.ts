import { Command } from 'commander';
import { DEFAULT_SOURCE_TIMEZONE, exitCodeOf, importLegacy, renderDiagnostics, renderTable } from '../../import/importLegacy';
import { importDataDir } from '../../import/dataDir';
import { addDatabaseOption, configuredDatabaseUrl, printJson, reportError, resolveDatabaseUrl } from '../output';

/**
 * `govdb import PATH…`: the legacy importer (docs/import.md). The summary table (or, with --json,
 * the whole report) goes to stdout; notes, contradictions and reconciliation details to stderr.
 * Exit 0 done and consistent, 2 error, 3 reconciliation failed, 4 contradictions found,
 * 5 recognised data not imported (without --allow-skip).
 */
export function registerImport(program: Command): void {
  addDatabaseOption(
    program
      .command('import')
      .description('Import the legacy stores (old data/ directory or single files) into PostgreSQL + AGE: idempotent, resumable, verified')
      .argument('<paths...>', 'directories laid out like the old data/ folder, or single legacy files')
      .option('--dry-run', 'run the whole import in a transaction and roll it back (same counts as the real run; without a database: parse and validate only)')
      .option('--resume', 'continue an interrupted import from its checkpoint')
      .option('--source-timezone <tz>', `zone of naive legacy timestamps: offset or IANA name (default ${DEFAULT_SOURCE_TIMEZONE})`)
      .option('--report <file>', 'write the JSON report to this file (checkpoint and quarantine default to files next to it)')
      .option('--json', 'print the JSON report on stdout instead of the table')
      .option('--quarantine <file>', `JSON lines of rejected records (default: next to --report, else ${importDataDir()}/quarantine.jsonl)`)
      .option('--checkpoint <file>', `checkpoint file (default: next to --report, else ${importDataDir()}/checkpoint.json)`)
      .option('--allow-skip', 'accept recognised files or tables that are not imported (otherwise exit 5)')
      .option('--batch-size <n>', 'audit / tool-usage records per database call (default 2000)'),
  ).action(async (paths: string[], opts: { dryRun?: boolean; resume?: boolean; sourceTimezone?: string; report?: string; json?: boolean; quarantine?: string; checkpoint?: string; allowSkip?: boolean; batchSize?: string; databaseUrl?: string }) => {
    try {
      const report = await importLegacy({
        paths,
        databaseUrl: opts.dryRun ? opts.databaseUrl || configuredDatabaseUrl() : resolveDatabaseUrl(opts),
        dryRun: !!opts.dryRun,
        resume: !!opts.resume,
        sourceTimezone: opts.sourceTimezone,
        reportFile: opts.report,
        quarantineFile: opts.quarantine,
        checkpointFile: opts.checkpoint,
        allowSkip: !!opts.allowSkip,
        batchSize: opts.batchSize ? Number(opts.batchSize) : undefined,
      });
      process.stderr.write(renderDiagnostics(report));
      if (opts.json) printJson(report);
      else process.stdout.write(renderTable(report));
      process.exitCode = exitCodeOf(report);
    } catch (err) {
      reportError(err, !!opts.json, 2);
    }
  });
}
