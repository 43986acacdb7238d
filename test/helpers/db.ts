import { randomBytes } from 'crypto';
import { Client, Pool } from 'pg';
import { createPool } from '../../src/db/pool';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.GOVDB_TEST_DATABASE_URL;
  if (!url) throw new Error('GOVDB_TEST_DATABASE_URL is not set: run tests through `npm test` (jest globalSetup)');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Backends other than the caller's still connected to a database, as `application_name (pid N, state)`
 * strings. Polled for up to 2 s: a backend exits a moment after its client closes the socket.
 */
async function lingeringBackends(c: Client, name: string): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const { rows } = await c.query<{ who: string }>(
      `select coalesce(nullif(application_name, ''), backend_type) || ' (pid ' || pid || ', ' || coalesce(state, '?') || ')' as who
         from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
    if (!rows.length || attempt >= 40) return rows.map((r) => r.who);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Hands a leak to the leak guard (test/setup/leakGuardEnvironment.js), which reports it for this file. */
function reportLeak(message: string): void {
  const g = globalThis as { __govdbLeaks?: string[] };
  (g.__govdbLeaks ??= []).push(message);
}

async function create(template: string | undefined): Promise<TestDatabase> {
  const name = `govdb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`));
  const url = databaseUrl(name);
  // the tests' own reads (fingerprints, counts) share the server with files that create databases
  // and take checkpoints; the product's 5 s connect timeout made them fail on a busy CI machine
  // (wireFuzz: "Connection terminated due to connection timeout" in 2 of 5 full runs)
  const pool = createPool(url, { max: 5, connectTimeoutMs: 30_000 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await admin(async (c) => {
        // everything the file opened on its database (pools, servers it started) must be closed by now;
        // `with (force)` would otherwise end those connections silently
        const left = await lingeringBackends(c, name);
        if (left.length) reportLeak(`${left.length} connection(s) still open on its test database at drop: ${left.join(', ')}`);
        await c.query(`drop database if exists "${name}" with (force)`);
      });
    },
  };
}

/** A fresh database with the whole ledger applied (cloned from the template the real CLI migrated). */
export function createMigratedDatabase(): Promise<TestDatabase> {
  const template = process.env.GOVDB_TEST_TEMPLATE_DB;
  if (!template) throw new Error('GOVDB_TEST_TEMPLATE_DB is not set: run tests through `npm test`');
  return create(template);
}

/** A fresh empty database (for migration tests). */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return create(undefined);
}

export function redisUrl(): string {
  return process.env.GOVDB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
