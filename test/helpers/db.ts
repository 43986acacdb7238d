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

async function create(template: string | undefined): Promise<TestDatabase> {
  const name = `govdb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`));
  const url = databaseUrl(name);
  const pool = createPool(url, { max: 5 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
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
