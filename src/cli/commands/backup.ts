import path from 'path';
import { Command } from 'commander';
import { runBackup } from '../../backup/dump';
import { Check, verifyBackup } from '../../backup/verify';
import { RESTORE_EXIT, runRestore } from '../../backup/restore';
import { loadConfig } from '../../config';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

/** Exit codes of `govdb backup`: 0 written and self-checked, 1 written but its check failed, 2 error (nothing written). */
export const BACKUP_EXIT = { OK: 0, CHECK_FAILED: 1, ERROR: 2 } as const;

function defaultOutDir(now = new Date()): string {
  return `govdb-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

function printChecks(title: string, checks: Check[], ok: boolean): void {
  process.stdout.write(`${title}\n`);
  for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(20)} ${c.detail}\n`);
  process.stdout.write(ok ? 'OK\n' : 'FAILED\n');
}

export function registerBackup(program: Command): void {
  const backup = addDatabaseOption(
    program
      .command('backup')
      .description('Back up a live server: one consistent pg_dump (custom format, the server\'s own pg_dump), the audit log with its chain head, the ledger, and manifest.json (versions, checksums, row and graph counts, sha256 of every file). Exit 0 written and checked, 1 written but its check failed, 2 error')
      .option('--out <dir>', 'new directory to write (default ./govdb-backup-<UTC time>)')
      .option('--audit-log <path>', 'active audit log file (default $GOVDB_AUDIT_LOG or $GOVDB_DATA_DIR/audit_log.jsonl)')
      .option('--no-audit-log', 'back up the database only')
      .option('--quiet', 'no progress on stderr')
      .option('--json', 'machine-readable summary on stdout'),
  ).action(async (opts: { out?: string; auditLog?: string | false; quiet?: boolean; json?: boolean; databaseUrl?: string }) => {
    try {
      const outDir = path.resolve(opts.out ?? defaultOutDir());
      const auditLogPath = opts.auditLog === false ? null : (opts.auditLog ?? loadConfig().auditLogPath);
      const manifest = await runBackup({
        databaseUrl: resolveDatabaseUrl(opts), outDir, auditLogPath,
        progress: opts.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      const check = await verifyBackup(outDir);
      const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
      if (opts.json) printJson({ ok: check.ok, dir: outDir, bytes, durationMs: manifest.durationMs, snapshotAt: manifest.snapshotAt, checks: check.checks });
      else {
        process.stdout.write(`${outDir}\n`);
        process.stdout.write(`  snapshot ${manifest.snapshotAt}, ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows in ${manifest.tables.length} tables, ${manifest.graph.labels.reduce((n, l) => n + l.count, 0)} graph elements, audit head ${manifest.audit?.head ?? '(no audit log)'}\n`);
        process.stdout.write(`  ${manifest.files.length} files, ${bytes} bytes (database ${manifest.database.bytes} bytes on disk), ${((manifest.durationMs ?? 0) / 1000).toFixed(1)} s\n`);
        if (!check.ok) printChecks('self-check of the written backup:', check.checks, false);
      }
      process.exitCode = check.ok ? BACKUP_EXIT.OK : BACKUP_EXIT.CHECK_FAILED;
    } catch (err) {
      reportError(err, !!opts.json, BACKUP_EXIT.ERROR);
    }
  });

  backup
    .command('verify <dir>')
    .description('Check a backup without restoring it: sha256 and size of every file, the dump\'s table of contents (data for every counted table, AGE catalog rows), graph and ledger consistency, the audit chain and its head. Exit 0 OK, 1 a check failed, 2 error')
    .option('--json', 'machine-readable report on stdout')
    .action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
      // `--json` after `backup verify DIR` is parsed by the parent `backup` command, which has one too
      opts = { ...opts, json: opts.json || !!cmd.parent?.opts().json };
      try {
        const report = await verifyBackup(path.resolve(dir));
        if (opts.json) printJson({ ok: report.ok, dir: report.dir, checks: report.checks });
        else printChecks(`backup ${report.dir}:`, report.checks, report.ok);
        process.exitCode = report.ok ? RESTORE_EXIT.OK : RESTORE_EXIT.VERIFY_FAILED;
      } catch (err) {
        reportError(err, !!opts.json, RESTORE_EXIT.ERROR);
      }
    });
}

export function registerRestore(program: Command): void {
  program
    .command('restore <dir>')
    .description('Restore a backup into a database (an empty one, or any with --replace), repair AGE\'s catalog oids, restore the audit log, then verify: ledger checksums, drift against the committed snapshot, graph verify, a Cypher query per label, row and graph counts, audit chain and audit.events. Exit 0 verified, 1 a check failed, 2 error (e.g. a non-empty target without --replace)')
    .requiredOption('--database-url <url>', 'the target database (it must exist)')
    .option('--replace', 'empty a non-empty target first: graphs through AGE drop_graph, then schemas and extensions (never pg_restore --clean); also overwrites the audit log at --audit-log')
    .option('--audit-log <path>', 'where the audit log is restored (active file; default $GOVDB_AUDIT_LOG or $GOVDB_DATA_DIR/audit_log.jsonl)')
    .option('--no-audit-log', 'do not restore the audit log (audit.events is still checked against the manifest)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable report on stdout')
    .action(async (dir: string, opts: { databaseUrl: string; replace?: boolean; auditLog?: string | false; quiet?: boolean; json?: boolean }) => {
      try {
        const auditLogPath = opts.auditLog === false ? null : (opts.auditLog ?? loadConfig().auditLogPath);
        const report = await runRestore({
          dir: path.resolve(dir), databaseUrl: opts.databaseUrl, replace: !!opts.replace, auditLogPath,
          progress: opts.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
        });
        if (opts.json) printJson(report);
        else {
          const repairs = report.ageRepairs.map((r) => `graph ${r.graph} graphid ${r.oldGraphid} -> ${r.newGraphid}`).join(', ');
          printChecks(`restore of ${report.dir} into ${report.target}${report.replaced ? ' (replaced)' : ''}${repairs ? `; AGE catalog repaired: ${repairs}` : ''}, ${(report.durationMs / 1000).toFixed(1)} s:`, report.checks, report.ok);
        }
        process.exitCode = report.ok ? RESTORE_EXIT.OK : RESTORE_EXIT.VERIFY_FAILED;
      } catch (err) {
        reportError(err, !!opts.json, RESTORE_EXIT.ERROR);
      }
    });
}
