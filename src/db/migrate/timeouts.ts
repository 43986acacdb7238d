import { GovdbError } from '../../errors';

/**
 * PostgreSQL timeouts every ledger item runs with, so that a migration waiting for a table lock
 * fails fast instead of queueing every application query behind it (a waiting ACCESS EXCLUSIVE
 * request blocks all later lockers of the table).
 *
 * Values are PostgreSQL durations: an integer with an optional unit ms, s, min, h or d (no unit =
 * milliseconds); 0 disables the timeout.
 */
export interface MigrationTimeouts {
  /** lock_timeout: longest wait for any one lock (default 5s) */
  lockTimeout: string;
  /** statement_timeout: longest run of any one statement (default 15min: index builds can be slow) */
  statementTimeout: string;
}

export const DEFAULT_TIMEOUTS: MigrationTimeouts = { lockTimeout: '5s', statementTimeout: '15min' };

const DURATION = /^(\d{1,9})\s*(ms|s|min|h|d)?$/;

/** Milliseconds of a PostgreSQL duration, or null when it is not one. */
export function durationMs(value: string): number | null {
  const m = DURATION.exec(value.trim());
  if (!m) return null;
  const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * factor;
}

/**
 * Checks a duration given in a header, directive, option or variable; `where` names it for the
 * error, `code` is MIGRATION_FILE_INVALID for files and CONFIG_INVALID for options and variables.
 */
export function parseDuration(value: string, where: string, code: 'MIGRATION_FILE_INVALID' | 'CONFIG_INVALID' = 'MIGRATION_FILE_INVALID'): string {
  const trimmed = value.trim();
  if (durationMs(trimmed) === null) {
    throw new GovdbError(code, `${where}: ${JSON.stringify(value)} is not a duration.`, {
      hint: 'Write an integer with an optional unit ms, s, min, h or d, e.g. 5s or 10min; 0 disables the timeout.',
    });
  }
  return trimmed.replace(/\s+/g, '');
}

/** Defaults overridden by GOVDB_MIGRATE_LOCK_WAIT / GOVDB_MIGRATE_STATEMENT_TIMEOUT, then by `given`. */
export function resolveTimeouts(given: Partial<MigrationTimeouts> = {}, env: NodeJS.ProcessEnv = process.env): MigrationTimeouts {
  const pick = (value: string | undefined, name: string, fallback: string) => (value === undefined || value === '' ? fallback : parseDuration(value, name, 'CONFIG_INVALID'));
  const base = {
    lockTimeout: pick(env.GOVDB_MIGRATE_LOCK_WAIT, 'GOVDB_MIGRATE_LOCK_WAIT', DEFAULT_TIMEOUTS.lockTimeout),
    statementTimeout: pick(env.GOVDB_MIGRATE_STATEMENT_TIMEOUT, 'GOVDB_MIGRATE_STATEMENT_TIMEOUT', DEFAULT_TIMEOUTS.statementTimeout),
  };
  return {
    lockTimeout: pick(given.lockTimeout, 'lock timeout', base.lockTimeout),
    statementTimeout: pick(given.statementTimeout, 'statement timeout', base.statementTimeout),
  };
}
