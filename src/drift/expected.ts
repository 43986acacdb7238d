import { randomBytes } from 'crypto';
import { connectClient, redactUrl } from '../db/pool';
import { migrate } from '../db/migrate/migrate';
import { GovdbError, isGovdbError } from '../errors';
import { introspectUrl, IntrospectOptions } from './introspect';
import { SchemaModel } from './model';

export interface ExpectedOptions {
  /** project root holding the ledger (default: this checkout) */
  root?: string;
  introspect?: IntrospectOptions;
}

/** The URL of database `name` on the server of `url`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * The expected schema: the ledger applied by `migrate()` to a scratch database created on the
 * server of `serverUrl` (any database URL on it; the role needs CREATEDB), introspected, then
 * dropped. The scratch database is created from template0 so nothing installed in template1 of
 * that server leaks into the expectation; its name never appears in the model.
 */
export async function buildExpectedModel(serverUrl: string, options: ExpectedOptions = {}): Promise<SchemaModel> {
  const admin = await connectClient(serverUrl);
  const name = `govdb_drift_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    try {
      await admin.query(`create database "${name}" template template0`);
    } catch (err) {
      throw new GovdbError('DRIFT_SCRATCH_UNAVAILABLE', `Cannot create the scratch database for the expected schema on ${redactUrl(serverUrl)}: ${(err as Error).message}`, {
        hint: 'Pass --scratch-url with a server where this role may CREATE DATABASE (PostgreSQL with AGE, pgcrypto and pg_trgm), or compare against the committed snapshot with --from-snapshot.',
        cause: err,
      });
    }
    const url = withDatabase(serverUrl, name);
    try {
      await migrate(url, { root: options.root });
    } catch (err) {
      throw new GovdbError('DRIFT_SCRATCH_UNAVAILABLE', `Applying the ledger to the scratch database failed: ${(err as Error).message}`, {
        hint: isGovdbError(err) ? err.hint : undefined,
        cause: err,
      });
    }
    return await introspectUrl(url, options.introspect);
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}
