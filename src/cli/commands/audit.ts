import { Command } from 'commander';
import path from 'path';
import { backfillFiles } from '../../audit/backfill';
import { maintainPartitions } from '../../audit/auditDb';
import { checkpointPath, listLogFiles } from '../../audit/logFiles';
import { readCheckpoint } from '../../audit/checkpoint';
import { verifyChain, VerifyResult } from '../../audit/verify';
import { DbComparison, verifyAgainstDatabase } from '../../audit/verifyDb';
import { loadConfig } from '../../config';
import { parseSourceZone } from '../../import/timezone';
import { createPool, redactUrl } from '../../db/pool';
import { GovdbError } from '../../errors';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

/** Files given on the command line, else the configured log's files in chain order. */
async function filesOf(files: string[], log: string | undefined): Promise<string[]> {
  if (files.length) return files;
  const active = log ?? loadConfig().auditLogPath;
  const found = (await listLogFiles(path.resolve(active))).map((f) => f.path);
  if (!found.length) {
    throw new GovdbError('NOT_FOUND', `No audit log files found for ${active}`, { hint: 'Pass files, or --log PATH (default $GOVDB_AUDIT_LOG or $GOVDB_DATA_DIR/audit_log.jsonl).' });
  }
  return found;
}

/** Exit codes of `govdb audit verify` (docs/audit.md). */
export const VERIFY_EXIT = { ok: 0, fileProblems: 1, error: 2, databaseDiffers: 3 } as const;

function registerVerify(audit: Command): void {
  addDatabaseOption(
    audit
      .command('verify [files...]')
      .description('Check the hash chain of audit log files (in the order given; default: the configured log, rotated files first), reporting every bad line; with --db also compare with audit.events. Exit 0 OK, 1 bad lines or broken chain, 2 error, 3 files OK but audit.events differs')
      .option('--log <path>', 'active log file whose rotated files are verified with it (default $GOVDB_AUDIT_LOG)')
      .option('--db', 'also compare every line with audit.events (missing, different and extra rows; lines after the mirror checkpoint count as pending)')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (files: string[], opts: { log?: string; db?: boolean; json?: boolean; databaseUrl?: string }) => {
    try {
      const targets = await filesOf(files, opts.log);
      let result: VerifyResult;
      let database: DbComparison | null = null;
      if (opts.db) {
        const url = resolveDatabaseUrl(opts);
        const pool = createPool(url, { max: 1, applicationName: 'govdb audit verify' });
        try {
          await pool.query('select 1').catch((err: Error) => {
            throw new GovdbError('DB_UNREACHABLE', `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${err.message}`, { cause: err });
          });
          // the mirror's checkpoint (of the configured or given log) tells which lines it has passed
          const active = files.length ? null : path.resolve(opts.log ?? loadConfig().auditLogPath);
          const checkpoint = active ? (await readCheckpoint(checkpointPath(active))).checkpoint : null;
          const both = await verifyAgainstDatabase(pool, targets, checkpoint, targets.map((f) => path.basename(f)));
          result = both.chain;
          database = both.database;
        } finally {
          await pool.end();
        }
      } else {
        result = await verifyChain(targets);
      }
      if (opts.json) printJson(database ? { ...result, database } : result);
      else {
        for (const p of result.problems) process.stdout.write(`BAD ${p.file}:${p.line}: [${p.kind}] ${p.reason}\n`);
        const summary = `${result.lines} lines in ${result.files.length} file(s), chain from ${result.anchor === null ? 'genesis' : `anchor ${result.anchor}`} to ${result.lastHash ?? '(empty)'}`;
        process.stdout.write(result.ok ? `OK ${summary}\n` : `BROKEN ${result.problems.length} bad line(s); ${summary}\n`);
        if (database) {
          for (const d of database.differences) process.stdout.write(`DB ${d.kind.toUpperCase()} ${d.file ? `${d.file}:${d.line}` : `row ${d.row_id}`}: ${d.reason}\n`);
          const c = database.counts;
          process.stdout.write(`${database.ok ? 'DB OK' : 'DB DIFFERS'}: ${database.compared} lines compared, ${database.matching} matching, ${c.missing} missing, ${c.different} different, ${c.extra} extra, ${database.pending} pending (after the mirror checkpoint)\n`);
        }
      }
      if (result.tornTail && !opts.json) {
        const t = result.tornTail;
        process.stderr.write(`warning: ${t.file}:${t.line}: torn last line (${t.bytes} bytes without a newline at byte ${t.offset}): an interrupted write, not part of the chain; the writer moves it aside when it next opens the log\n`);
      }
      process.exitCode = !result.ok ? VERIFY_EXIT.fileProblems : database && !database.ok ? VERIFY_EXIT.databaseDiffers : VERIFY_EXIT.ok;
    } catch (err) {
      reportError(err, !!opts.json, VERIFY_EXIT.error);
    }
  });
}

function registerBackfill(audit: Command): void {
  addDatabaseOption(
    audit
      .command('backfill [files...]')
      .description('Load JSONL audit files (audit_log.jsonl lines and the legacy {timestamp, agent_id, event_type, confidence, details, metadata?} shape) into audit.events; idempotent. Exit 0 all loaded, 1 some lines rejected, 2 error')
      .option('--log <path>', 'active log file to load with its rotated files when no files are given (default $GOVDB_AUDIT_LOG)')
      .option('--source-timezone <zone>', 'zone of legacy timestamps without one: a UTC offset (-07:00, UTC-07:00) or an IANA name', 'UTC-07:00')
      .option('--batch-size <n>', 'rows per insert', '1000')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (files: string[], opts: { log?: string; sourceTimezone: string; batchSize: string; json?: boolean; databaseUrl?: string }) => {
    try {
      // the legacy README writes the zone as UTC-07:00; the importer's parser takes -07:00
      const sourceZone = parseSourceZone(opts.sourceTimezone.trim().replace(/^(?:UTC|GMT)(?=[+-])/i, ''));
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
        throw new GovdbError('INVALID_INPUT', `--batch-size ${JSON.stringify(opts.batchSize)} must be an integer between 1 and 50000`);
      }
      const targets = await filesOf(files, opts.log);
      const url = resolveDatabaseUrl(opts);
      const pool = createPool(url, { max: 1, applicationName: 'govdb audit backfill' });
      try {
        await pool.query('select 1').catch((err: Error) => {
          throw new GovdbError('DB_UNREACHABLE', `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${err.message}`, { cause: err });
        });
        const reports = await backfillFiles(pool, targets, { sourceZone, batchSize });
        const rejected = reports.reduce((n, r) => n + r.rejected.length, 0);
        if (opts.json) printJson({ ok: rejected === 0, sourceTimezone: sourceZone.name, files: reports });
        else {
          for (const r of reports) {
            process.stdout.write(`${r.file}: ${r.lines} lines (${r.ours} audit_log, ${r.legacy} legacy): ${r.inserted} inserted, ${r.duplicates} already present, ${r.rejected.length} rejected\n`);
            for (const x of r.rejected) process.stderr.write(`  rejected ${r.file}:${x.line}: ${x.reason}\n`);
            if (r.tornTail) process.stderr.write(`  warning ${r.file}:${r.tornTail.line}: torn last line (${r.tornTail.bytes} bytes without a newline) skipped\n`);
          }
        }
        process.exitCode = rejected ? 1 : 0;
      } finally {
        await pool.end();
      }
    } catch (err) {
      reportError(err, !!opts.json, 2);
    }
  });
}

function registerMaintain(audit: Command): void {
  addDatabaseOption(
    audit
      .command('maintain')
      .description('Retention job: move default-partition rows into monthly partitions, create the next months, detach and drop partitions older than --keep (the JSONL archive remains the long-term record)')
      .requiredOption('--keep <interval>', "PostgreSQL interval to keep, e.g. '13 months'")
      .option('--months-ahead <n>', 'monthly partitions to create in advance', '3')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (opts: { keep: string; monthsAhead: string; json?: boolean; databaseUrl?: string }) => {
    try {
      const monthsAhead = Number(opts.monthsAhead);
      if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120) {
        throw new GovdbError('INVALID_INPUT', `--months-ahead ${JSON.stringify(opts.monthsAhead)} must be an integer between 0 and 120`);
      }
      const url = resolveDatabaseUrl(opts);
      const pool = createPool(url, { max: 1, applicationName: 'govdb audit maintain' });
      try {
        const actions = await maintainPartitions(pool, opts.keep, monthsAhead);
        if (opts.json) printJson({ ok: true, actions });
        else {
          for (const a of actions) process.stdout.write(`${a.action} audit.${a.partition_name}\n`);
          process.stdout.write(`${actions.filter((a) => a.action === 'created').length} partition(s) created, ${actions.filter((a) => a.action === 'dropped').length} dropped (keep ${opts.keep}).\n`);
        }
      } finally {
        await pool.end();
      }
    } catch (err) {
      reportError(err, !!opts.json, 2);
    }
  });
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('The audit trail: verify audit_log.jsonl, backfill it into PostgreSQL, partition retention');
  registerVerify(audit);
  registerBackfill(audit);
  registerMaintain(audit);
}
