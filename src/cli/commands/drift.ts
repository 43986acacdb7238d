import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import path from 'path';
import { Command } from 'commander';
import { defaultProjectRoot } from '../../db/migrate/ledgerFiles';
import { DRIFT_EXIT, DriftOptions, DriftReport, runDrift } from '../../drift/drift';
import { buildExpectedModel } from '../../drift/expected';
import { renderDriftReport } from '../../drift/report';
import { checkSnapshot, SNAPSHOT_COMMAND, snapshotPaths, writeSnapshot } from '../../drift/snapshot';
import { GovdbError } from '../../errors';
import { addDatabaseOption, configuredDatabaseUrl, printJson, reportError } from '../output';

interface DriftCliOptions {
  against?: string;
  againstSnapshot?: boolean;
  fromSnapshot?: boolean;
  scratchUrl?: string;
  databaseUrl?: string;
  json?: boolean;
  strict?: boolean;
  extensionVersions?: boolean;
  checkCodegen?: boolean;
}

function invalid(message: string): GovdbError {
  return new GovdbError('INVALID_INPUT', message, { hint: 'See `govdb drift --help` and docs/ci.md.' });
}

/** Which databases the command talks to, from the options; all problems are collected first. */
function driftOptions(opts: DriftCliOptions): DriftOptions {
  const problems: string[] = [];
  if (opts.against && opts.againstSnapshot) problems.push('Cannot use both --against URL and --against-snapshot.');
  if (opts.fromSnapshot && opts.againstSnapshot) problems.push('Cannot use both --from-snapshot and --against-snapshot: that compares the snapshot with itself.');
  const target = opts.against || opts.databaseUrl || configuredDatabaseUrl();
  if (!opts.againstSnapshot && !target) problems.push('No database to check: pass --against URL (or --database-url URL, or set DB_POSTGRES_URL), or --against-snapshot.');
  const scratch = opts.scratchUrl || opts.databaseUrl || configuredDatabaseUrl() || opts.against;
  if ((!opts.fromSnapshot || opts.checkCodegen) && !scratch) problems.push('No server for the scratch database: pass --scratch-url URL (or --database-url URL, or set DB_POSTGRES_URL).');
  if (problems.length) throw invalid(problems.join('\n'));
  return {
    expected: opts.fromSnapshot ? { source: 'snapshot' } : { source: 'migrate', serverUrl: scratch! },
    actual: opts.againstSnapshot ? { source: 'snapshot' } : { source: 'database', url: target! },
    strict: !!opts.strict,
    extensionVersions: !!opts.extensionVersions,
    codegenServerUrl: opts.checkCodegen ? scratch : undefined,
  };
}

/** The server for `drift snapshot`: like `npm run codegen`, it falls back to the project's dev server. */
function snapshotServer(opts: { scratchUrl?: string; databaseUrl?: string }): string {
  const url = opts.scratchUrl || opts.databaseUrl || configuredDatabaseUrl() || process.env.GOVDB_TEST_DATABASE_URL;
  if (url) return url;
  const script = path.join(defaultProjectRoot(), 'scripts', 'db', 'pg-age.sh');
  if (!existsSync(script)) throw invalid('No server for the scratch database: pass --scratch-url URL or set DB_POSTGRES_URL.');
  return execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function registerDrift(program: Command): void {
  const drift = addDatabaseOption(
    program
      .command('drift')
      .description('Compare a database (or the committed snapshot) with the schema the ledger produces, object by object. Exit 0 no drift, 1 drift, 2 could not compare')
      .option('--against <url>', 'database to check (default: --database-url / $DB_POSTGRES_URL)')
      .option('--against-snapshot', 'check the committed schema/snapshot.json instead of a database')
      .option('--from-snapshot', 'take the expected schema from schema/snapshot.json instead of migrating a scratch database')
      .option('--scratch-url <url>', 'server (any database URL on it) where the scratch database is created (default: --database-url / $DB_POSTGRES_URL / --against)')
      .option('--strict', 'also fail when objects of kinds the check does not model exist')
      .option('--extension-versions', 'compare extension versions too (database against database only)')
      .option('--check-codegen', 'also check that the generated types are fresh (runs the built codegen --check)')
      .option('--json', 'machine-readable report on stdout'),
  ).action(async (opts: DriftCliOptions) => {
    let report: DriftReport;
    try {
      report = await runDrift(driftOptions(opts));
    } catch (err) {
      reportError(err, !!opts.json, DRIFT_EXIT.CANNOT_COMPARE);
      return;
    }
    if (opts.json) printJson(report);
    else (report.exitCode === DRIFT_EXIT.CANNOT_COMPARE ? process.stderr : process.stdout).write(renderDriftReport(report));
    process.exitCode = report.exitCode;
  });

  addDatabaseOption(
    drift
      .command('snapshot')
      .description(`Write (--write) or verify (--check) the committed schema snapshot (schema/snapshot.json, schema/schema.sql) from a fresh migrate. --check exits 1 when stale, 2 when it cannot run`)
      .option('--write', 'regenerate the snapshot files')
      .option('--check', 'fail when the committed snapshot differs from a fresh migrate')
      .option('--scratch-url <url>', 'server where the scratch database is created (default: --database-url / $DB_POSTGRES_URL / the dev server)')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (opts: { write?: boolean; check?: boolean; scratchUrl?: string; databaseUrl?: string; json?: boolean }) => {
    try {
      if (!!opts.write === !!opts.check) throw invalid('Pass exactly one of --write or --check.');
      const root = defaultProjectRoot();
      const fresh = await buildExpectedModel(snapshotServer(opts), { root });
      if (opts.write) {
        const paths = await writeSnapshot(root, fresh);
        if (opts.json) printJson({ ok: true, written: [paths.json, paths.sql].map((p) => path.relative(root, p)) });
        else process.stdout.write(`wrote ${path.relative(root, paths.json)} and ${path.relative(root, paths.sql)}\n`);
        return;
      }
      const check = await checkSnapshot(root, fresh);
      if (opts.json) printJson(check);
      else {
        const out = check.ok ? process.stdout : process.stderr;
        if (!check.ok && check.comparison.groups.length) {
          out.write(renderDriftReport({
            ok: false, exitCode: 1, strict: false,
            expected: `the committed ${path.relative(root, snapshotPaths(root).json)}`, actual: 'a fresh migrate of this checkout',
            summary: { ...check.comparison.summary, objects: check.comparison.groups.length, notCompared: 0 },
            objects: check.comparison.groups, notCompared: [],
            checks: { ledger: { status: 'skipped', reason: 'snapshot check' }, codegen: { status: 'skipped' } },
          }).split('\n').filter((l) => !/^(ledger|generated types|Drift):/.test(l)).join('\n'));
        }
        out.write(`govdb drift snapshot: ${check.message}\n`);
      }
      process.exitCode = check.ok ? 0 : 1;
    } catch (err) {
      reportError(err, !!opts.json, DRIFT_EXIT.CANNOT_COMPARE);
      if (!opts.json) process.stderr.write(`(the snapshot is written by \`${SNAPSHOT_COMMAND}\`)\n`);
    }
  });
}
