import { Command } from 'commander';
import { loadConfig } from '../config';
import { GovdbError, isGovdbError } from '../errors';

/** DB_POSTGRES_URL, from the validated configuration (src/config.ts); undefined when unset. */
export function configuredDatabaseUrl(): string | undefined {
  return loadConfig().postgresUrl;
}

/** Shared CLI plumbing: URL resolution, JSON/human output and exit on error. */
export function resolveDatabaseUrl(opts: { databaseUrl?: string }): string {
  const url = opts.databaseUrl || configuredDatabaseUrl();
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

/** True when an error says the govdb schemas are missing: the database was never migrated. */
function isUnmigrated(err: unknown): boolean {
  const states = [err, (err as { cause?: unknown })?.cause, (err as { details?: { cause?: unknown } })?.details?.cause].map((e) => (e as { code?: unknown })?.code);
  if (states.includes('3F000')) return true;
  return /schema "(core|audit|knowledge|ag_catalog)" does not exist/.test((err as Error)?.message ?? '');
}

/** Any thrown value as the GovdbError the CLI prints: unknown errors become INTERNAL, a missing schema SCHEMA_MISSING. */
export function toCliError(err: unknown): GovdbError {
  const e = isGovdbError(err) ? err : new GovdbError('INTERNAL', (err as Error)?.message ?? String(err), { cause: err });
  // every command that needs a migrated database says so the same way
  if (!isUnmigrated(err)) return e;
  return new GovdbError('SCHEMA_MISSING', `The database has no govdb schema (${e.message.split('\n')[0]}): run \`govdb migrate\` first.`, {
    hint: 'govdb migrate applies the ledger (migrations, Cypher, functions) to the database.',
    cause: err,
  });
}

export interface ReportErrorOptions {
  /**
   * One line, `govdb: <context>: CODE: message (hint)`, newlines folded: for `govdb serve`, whose
   * start-up failures are one line each (docs/operations.md) so supervisors can grep them.
   */
  context?: string;
}

/**
 * The one error printer of every command. With `json`: `{ ok: false, error: { code, message, hint?, ... } }`
 * on stdout. Else on stderr: `govdb: CODE: message` and, when there is one, `hint: ...` on the
 * next line (or the one-line form of `options.context`). Sets process.exitCode to `exitCode`.
 */
export function reportError(err: unknown, json: boolean, exitCode = 2, options: ReportErrorOptions = {}): void {
  const e = toCliError(err);
  if (json) printJson({ ok: false, error: e.toJSON() });
  else if (options.context) {
    process.stderr.write(`govdb: ${options.context}: ${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`.replace(/\n\s*/g, ' ') + '\n');
  } else {
    process.stderr.write(`govdb: ${e.code}: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
  }
  process.exitCode = exitCode;
}
