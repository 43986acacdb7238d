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
/** True when an error says the govdb schemas are missing: the database was never migrated. */
function isUnmigrated(err: unknown): boolean {
  const states = [err, (err as { cause?: unknown })?.cause, (err as { details?: { cause?: unknown } })?.details?.cause].map((e) => (e as { code?: unknown })?.code);
  if (states.includes('3F000')) return true;
  return /schema "(core|audit|knowledge|ag_catalog)" does not exist/.test((err as Error)?.message ?? '');
}

export function reportError(err: unknown, json: boolean, exitCode = 2): void {
  let e = isGovdbError(err) ? err : new GovdbError('INTERNAL', (err as Error)?.message ?? String(err), { cause: err });
  // every command that needs a migrated database says so the same way
  if (isUnmigrated(err)) {
    e = new GovdbError('SCHEMA_MISSING', `The database has no govdb schema (${e.message.split('\n')[0]}): run \`govdb migrate\` first.`, {
      hint: 'govdb migrate applies the ledger (migrations, Cypher, functions) to the database.',
      cause: err,
    });
  }
  if (json) printJson({ ok: false, error: e.toJSON() });
  else {
    process.stderr.write(`govdb: ${e.code}: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
  }
  process.exitCode = exitCode;
}
