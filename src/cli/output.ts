import { Command } from 'commander';
import { GovdbError, isGovdbError } from '../errors';

/** Shared CLI plumbing: URL resolution, JSON/human output and exit on error. */
export function resolveDatabaseUrl(opts: { databaseUrl?: string }): string {
  const url = opts.databaseUrl || process.env.DB_POSTGRES_URL;
  if (!url) {
    throw new GovdbError('CONFIG_INVALID', 'No database given: pass --database-url URL or set DB_POSTGRES_URL.', {
      hint: 'For a local PostgreSQL 17 + AGE run `bash scripts/db/pg-age.sh start`; it prints the URL.',
    });
  }
  return url;
}

export function addDatabaseOption(cmd: Command): Command {
  return cmd.option('--database-url <url>', 'PostgreSQL URL (default: $DB_POSTGRES_URL)');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints an error (JSON on stdout with --json, else one clear block on stderr) and sets the exit code. */
export function reportError(err: unknown, json: boolean, exitCode = 2): void {
  const e = isGovdbError(err) ? err : new GovdbError('INTERNAL', (err as Error)?.message ?? String(err), { cause: err });
  if (json) printJson({ ok: false, error: e.toJSON() });
  else {
    process.stderr.write(`govdb: ${e.code}: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
  }
  process.exitCode = exitCode;
}
