import { execFile } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { createServer, Server } from 'net';
import { Client } from 'pg';
import { checkPostgresServer } from '../../src/db/serverRequirements';
import { freePort } from '../cache/redisServer';
import { BIN, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { createEmptyDatabase, createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Finding 7 of issue 13: start-up says the real cause, one line with its fix, checked in order
 * (PostgreSQL version, extensions, ledger, port before the audit-log lock, data directory); a
 * failed first migrate leaves nothing behind.
 */
function govdb(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 }, (err, _out, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr, ms: Date.now() - t0 }),
    );
  });
}
const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('start-up preflight (built CLI)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it('port taken: one line naming the port, before the audit lock (same data dir as the running server)', async () => {
    const env = servedEnv(db.url, { REDIS_URL: '' });
    const first = await startBuiltHttpServer(env);
    try {
      const second = await govdb(['serve', '--port', String(first.port)], env);
      expect(second.code).toBe(1);
      expect(lines(second.stderr)).toEqual([expect.stringMatching(new RegExp(`^govdb: cannot start: PORT_IN_USE: Port ${first.port} on 127\\.0\\.0\\.1 is already in use.*--port`))]);
      expect(second.stderr).not.toMatch(/lock/i);
    } finally {
      await first.stop();
    }
    // a foreign process on the port
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await govdb(['serve', '--port', String(port)], servedEnv(db.url, { REDIS_URL: '' }));
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/PORT_IN_USE/)]);
    } finally {
      squatter.close();
    }
  });

  it('a data directory that cannot be written: one line naming it', async () => {
    // a regular file where a directory should be (permissions do not stop root, which CI may be)
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'govdb-notdir-')), 'a-file');
    writeFileSync(file, '');
    const r = await govdb(['serve', '--stdio'], servedEnv(db.url, { REDIS_URL: '', GOVDB_DATA_DIR: path.join(file, 'data') }));
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/DATA_DIR_NOT_WRITABLE: The data directory .*a-file\/data is not writable \(ENOTDIR\).*GOVDB_DATA_DIR/)]);
  });

  it('an unmigrated database: serve says run `govdb migrate` first', async () => {
    const empty = await createEmptyDatabase();
    try {
      const r = await govdb(['serve', '--stdio'], servedEnv(empty.url, { REDIS_URL: '' }));
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/SCHEMA_MISSING: .*run `govdb migrate` first/)]);
      // and so does any other command that needs the schema (was: DB_ERROR 3F000 schema "core" does not exist)
      const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-unmigrated-'));
      writeFileSync(path.join(dir, 'agent_metadata.json'), '{}');
      const imp = await govdb(['import', dir, '--database-url', empty.url, '--checkpoint', path.join(dir, 'cp.json'), '--quarantine', path.join(dir, 'q.jsonl')], {});
      expect(imp.code).toBe(2);
      expect(imp.stderr).toMatch(/SCHEMA_MISSING: .*run `govdb migrate` first/);
    } finally {
      await empty.drop();
    }
  });

  it('a failed first migrate leaves nothing behind (no graphile_migrate schema)', async () => {
    const empty = await createEmptyDatabase();
    try {
      // an object in the way of migration 1 (AGE present: with AGE preloaded, a database without
      // the extension refuses every DROP, see migrate.ts)
      await empty.pool.query(`create extension age; create schema core; create table core.agents (in_the_way int)`);
      const r = await govdb(['migrate', '--database-url', empty.url], {});
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/MIGRATION_FAILED/);
      const schemas = await empty.pool.query(`select nspname from pg_namespace where nspname in ('graphile_migrate', 'audit', 'knowledge')`);
      expect(r.stderr).toMatch(/relation "agents" already exists/);
      expect(schemas.rows).toEqual([]);
    } finally {
      await empty.drop();
    }
  });

  describe('PostgreSQL 15 without AGE (GOVDB_TEST_PG15_URL, default postgres://postgres@127.0.0.1:5432/postgres)', () => {
    const pg15 = process.env.GOVDB_TEST_PG15_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const scratch = `govdb_pre_${process.pid}`;
    let scratchUrl = '';
    let available = false;
    beforeAll(async () => {
      const c = new Client({ connectionString: pg15, connectionTimeoutMillis: 2000 });
      try {
        await c.connect();
        await c.query(`create database ${scratch}`);
        const u = new URL(pg15);
        u.pathname = `/${scratch}`;
        scratchUrl = u.toString();
        available = true;
      } catch {
        available = false;
      } finally {
        await c.end().catch(() => undefined);
      }
    });
    afterAll(async () => {
      if (!available) return;
      const c = new Client({ connectionString: pg15 });
      await c.connect();
      await c.query(`drop database if exists ${scratch} with (force)`);
      await c.end();
    });

    it('migrate and serve name the version, one line, and nothing is created', async () => {
      if (!available) return console.warn(`skipped: no PostgreSQL at ${pg15}`);
      const m = await govdb(['migrate', '--database-url', scratchUrl], {});
      expect(m.code).not.toBe(0);
      expect(m.stderr).toMatch(/POSTGRES_TOO_OLD: PostgreSQL at .* is version 15\.\d+.*; govdb needs 16 or newer/);
      const s = await govdb(['serve', '--stdio'], servedEnv(scratchUrl, { REDIS_URL: '' }));
      expect(lines(s.stderr)).toEqual([expect.stringMatching(/cannot start: POSTGRES_TOO_OLD/)]);
      const c = new Client({ connectionString: scratchUrl });
      await c.connect();
      try {
        const left = await c.query(`select nspname from pg_namespace where nspname in ('graphile_migrate', 'core', 'audit', 'knowledge')`);
        expect(left.rows).toEqual([]);
      } finally {
        await c.end();
      }
    });

    it('the extension check names what is missing (age) with the fix', async () => {
      if (!available) return console.warn(`skipped: no PostgreSQL at ${pg15}`);
      const c = new Client({ connectionString: scratchUrl });
      await c.connect();
      try {
        await expect(checkPostgresServer(c, 'pg15', 15)).rejects.toMatchObject({ code: 'EXTENSION_MISSING', details: { missing: ['age'] } });
        await expect(checkPostgresServer(c, 'pg15', 15)).rejects.toThrow(/lacks the extension\(s\) age; nothing was changed/);
      } finally {
        await c.end();
      }
    });
  });
});
