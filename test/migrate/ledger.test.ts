import { execFile } from 'child_process';
import { promises as fs, readdirSync } from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { migrate } from '../../src/db/migrate/migrate';
import { GovdbError } from '../../src/errors';
import { createEmptyDatabase, TestDatabase } from '../helpers/db';

const run = promisify(execFile);
/** The SQL schema version this checkout defines: the number of its last committed migration. */
const SQL_MIGRATIONS = readdirSync(path.resolve(__dirname, '..', '..', 'migrations', 'committed')).filter((f) => /^\d+.*\.sql$/.test(f)).sort();
const SCHEMA_VERSION = parseInt(SQL_MIGRATIONS[SQL_MIGRATIONS.length - 1]!, 10);
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'govdb.js');

async function copyLedger(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-ledger-'));
  for (const entry of ['migrations', 'cypher', 'sql', '.gmrc']) {
    await fs.cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('govdb migrate: the ledger', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createEmptyDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('migrates an empty database: every SQL migration, the Cypher graph and the function set, then reports nothing pending', async () => {
    const first = await cli(['migrate', '--json', '--database-url', db.url]);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    const kinds = result.applied.map((a: { kind: string }) => a.kind);
    expect(kinds.filter((k: string) => k === 'sql')).toHaveLength(SQL_MIGRATIONS.length);
    expect(kinds.filter((k: string) => k === 'cypher').length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k: string) => k === 'function').length).toBeGreaterThanOrEqual(1);
    expect(kinds.indexOf('cypher')).toBeGreaterThan(kinds.lastIndexOf('sql'));
    expect(kinds.indexOf('function')).toBeGreaterThan(kinds.lastIndexOf('cypher'));

    // the seed's operator queries keep their meaning
    const version = await db.pool.query('SELECT MAX(version) FROM core.schema_migrations');
    expect(version.rows[0].max).toBe(SCHEMA_VERSION);
    const history = await db.pool.query('SELECT * FROM core.schema_migrations ORDER BY id');
    expect(history.rows.slice(0, 2).map((r) => [r.version, r.name, r.kind])).toEqual([
      [1, 'initial_schema', 'sql'],
      [2, 'knowledge_schema', 'sql'],
    ]);
    for (const row of history.rows) {
      expect(row.checksum).toMatch(/^(sha1|sha256):[0-9a-f]+$/);
      expect(row.applied_at).toBeInstanceOf(Date);
    }

    const status = await cli(['status', '--json', '--database-url', db.url]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.pending).toEqual({ sql: 0, cypher: 0, function: 0 });
    expect(parsed.sqlVersion).toBe(SCHEMA_VERSION);

    const labels = await db.pool.query(
      `select l.name, l.kind from ag_catalog.ag_label l join ag_catalog.ag_graph g on g.graphid = l.graph
        where g.name = 'governance_graph' and l.name not like '\\_ag%' order by l.name`);
    expect(labels.rows.map((r) => r.name)).toEqual([
      'AUTHORED', 'Agent', 'DialecticSession', 'Discovery', 'RELATED_TO', 'RESPONDS_TO', 'SPAWNED', 'SUPERSEDES', 'TAGGED', 'Tag',
    ].sort());
  });

  it('reports pending items with exit code 1 before migrating, and a re-run is a no-op', async () => {
    const before = await cli(['status', '--json', '--database-url', db.url]);
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout).pending.sql).toBe(SQL_MIGRATIONS.length);
    const dry = await cli(['migrate', '--dry-run', '--json', '--database-url', db.url]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).planned.length).toBeGreaterThanOrEqual(4);
    expect((await db.pool.query(`select to_regclass('core.agents') as t`)).rows[0].t).toBeNull();

    await migrate(db.url);
    const rows = (await db.pool.query('select count(*)::int as n from core.schema_migrations')).rows[0].n;
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect((await db.pool.query('select count(*)::int as n from core.schema_migrations')).rows[0].n).toBe(rows);
  });

  it('serializes two concurrent migrate processes: every item is applied exactly once', async () => {
    const [a, b] = await Promise.all([
      cli(['migrate', '--json', '--database-url', db.url]),
      cli(['migrate', '--json', '--database-url', db.url]),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const appliedCounts = [JSON.parse(a.stdout).applied.length, JSON.parse(b.stdout).applied.length].sort();
    expect(appliedCounts[0]).toBe(0);
    const dupes = await db.pool.query(`select kind, file, count(*) from core.schema_migrations group by 1, 2 having count(*) > 1`);
    expect(dupes.rows).toEqual([]);
  });

  it('fails clearly when the lock is held longer than the timeout', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [(0x676f7664_62n).toString()]);
      await expect(migrate(db.url, { lockTimeoutMs: 200 })).rejects.toMatchObject({ code: 'MIGRATION_LOCK_TIMEOUT' });
    } finally {
      await holder.query('select pg_advisory_unlock_all()');
      holder.release();
    }
  });

  it('refuses an edited applied SQL migration, naming the file and both checksums', async () => {
    const root = await copyLedger();
    await migrate(db.url, { root });
    const file = path.join(root, 'migrations/committed/000002-knowledge-schema.sql');
    await fs.appendFile(file, '\ncreate table knowledge.sneaky (id int);\n');
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err).toBeInstanceOf(GovdbError);
    expect(err.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(err.message).toContain('migrations/committed/000002-knowledge-schema.sql');
    expect(err.message).toMatch(/applied checksum sha1:[0-9a-f]{40}, file checksum sha1:[0-9a-f]{40}/);
    expect((await db.pool.query(`select to_regclass('knowledge.sneaky') as t`)).rows[0].t).toBeNull();
  });

  it('refuses an edited applied Cypher migration and exits 2 from status', async () => {
    const root = await copyLedger();
    await migrate(db.url, { root });
    await fs.appendFile(path.join(root, 'cypher/0001_governance_graph.cypher'), '//! create vlabel Extra\n');
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(err.message).toContain('cypher/0001_governance_graph.cypher');
    expect(err.message).toMatch(/applied checksum sha256:[0-9a-f]{64}, file checksum sha256:[0-9a-f]{64}/);
  });

  it('re-applies an edited function file and records its new checksum', async () => {
    const root = await copyLedger();
    const fnFile = path.join(root, 'sql/functions/zz_probe.sql');
    await fs.writeFile(fnFile, `create or replace function public.zz_probe() returns int language sql as $$ select 1 $$;\n`);
    await migrate(db.url, { root });
    expect((await db.pool.query('select public.zz_probe() as v')).rows[0].v).toBe(1);
    await fs.writeFile(fnFile, `create or replace function public.zz_probe() returns int language sql as $$ select 2 $$;\n`);
    const second = await migrate(db.url, { root });
    expect(second.applied.map((a) => a.file)).toEqual(['sql/functions/zz_probe.sql']);
    expect((await db.pool.query('select public.zz_probe() as v')).rows[0].v).toBe(2);
    const rows = await db.pool.query(`select checksum from core.schema_migrations where file = 'sql/functions/zz_probe.sql' order by id`);
    expect(rows.rows).toHaveLength(2);
    expect(rows.rows[0].checksum).not.toBe(rows.rows[1].checksum);
    expect((await migrate(db.url, { root })).applied).toEqual([]);
  });

  it('rolls back a failing Cypher migration: no ledger row and no labels remain', async () => {
    const root = await copyLedger();
    await migrate(db.url, { root });
    await fs.writeFile(path.join(root, 'cypher/0099_broken.cypher'),
      '//! graph governance_graph\n//! create vlabel Broken\n//! create elabel BROKEN_EDGE\nCREATE (n:Broken {id: 1});\nTHIS IS NOT CYPHER;\n');
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('cypher/0099_broken.cypher');
    expect(err.message).toContain('line 5');
    const labels = await db.pool.query(`select name from ag_catalog.ag_label where name in ('Broken', 'BROKEN_EDGE')`);
    expect(labels.rows).toEqual([]);
    const ledger = await db.pool.query(`select * from core.schema_migrations where file = 'cypher/0099_broken.cypher'`);
    expect(ledger.rows).toEqual([]);
  });

  it('rolls back a failing SQL migration and shows file, line and caret', async () => {
    const root = await copyLedger();
    await migrate(db.url, { root });
    // graphile-migrate's committed format: Previous/Hash headers computed over the body
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
    const { calculateHash } = require('graphile-migrate/dist/hash');
    const prev = (await db.pool.query(`select hash from graphile_migrate.migrations order by filename desc limit 1`)).rows[0].hash;
    const body = 'create table core.half_done (id int);\nselect nonexistent_column from core.agents;\n';
    await fs.writeFile(path.join(root, 'migrations/committed/000900-broken.sql'),
      `--! Previous: ${prev}\n--! Hash: ${calculateHash(body, prev)}\n--! Message: broken\n\n${body}`);
    const err = await migrate(db.url, { root }).catch((e) => e);
    expect(err.code).toBe('MIGRATION_FAILED');
    // the file's line: three headers and a blank line come before the body
    expect(err.message).toContain('migrations/committed/000900-broken.sql:6:8');
    expect((await db.pool.query(`select to_regclass('core.half_done') as t`)).rows[0].t).toBeNull();
    expect((await db.pool.query('SELECT MAX(version) FROM core.schema_migrations')).rows[0].max).toBe(SCHEMA_VERSION);
  });
  it('does not record a no-transaction migration whose concurrent index a failed run left INVALID (if not exists accepts it)', async () => {
    const root = await copyLedger();
    await migrate(db.url, { root });
    await db.pool.query(`insert into core.agents (id) values ('zz-a'), ('zz-b')`);  // two of status 'active': the unique build fails
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
    const { calculateHash } = require('graphile-migrate/dist/hash');
    const prev = (await db.pool.query(`select hash from graphile_migrate.migrations order by filename desc limit 1`)).rows[0].hash;
    const body = '--! no-transaction\ncreate unique index concurrently if not exists zz_agents_status_idx on core.agents (status);\n';
    await fs.writeFile(path.join(root, 'migrations/committed/000900-zz-index.sql'),
      `--! Previous: ${prev}\n--! Hash: ${calculateHash(body, prev)}\n--! Message: zz-index\n\n${body}`);
    const valid = async () => (await db.pool.query(`select i.indisvalid as v from pg_index i where i.indexrelid = to_regclass('core.zz_agents_status_idx')`)).rows[0]?.v;
    const recorded = async () => (await db.pool.query(`select count(*)::int as n from core.schema_migrations where file = 'migrations/committed/000900-zz-index.sql'`)).rows[0].n;
    const first = await migrate(db.url, { root }).catch((e) => e);
    expect(first.code).toBe('MIGRATION_FAILED');
    expect(await valid()).toBe(false);
    // the rerun: the body's `if not exists` skips the INVALID index; the migration must not count as applied
    const rerun = await migrate(db.url, { root }).catch((e) => e);
    expect(rerun).toBeInstanceOf(GovdbError);
    expect(rerun.code).toBe('MIGRATION_FAILED');
    expect(rerun.message).toContain('drop index concurrently core.zz_agents_status_idx;');
    expect(rerun.message).toMatch(/^SQL migration migrations\/committed\/000900-zz-index.sql was not recorded: it leaves an INVALID index core.zz_agents_status_idx/);
    expect(await recorded()).toBe(0);
    // the documented recovery: drop it, fix the cause, migrate again
    await db.pool.query('drop index concurrently core.zz_agents_status_idx');
    await db.pool.query(`delete from core.agents where id = 'zz-b'`);
    await db.pool.query(`update core.agents set status = 'paused' where id <> 'zz-a' and status = 'active'`);
    const last = await migrate(db.url, { root });
    expect(last.applied.map((a) => a.file)).toEqual(['migrations/committed/000900-zz-index.sql']);
    expect(await valid()).toBe(true);
    expect(await recorded()).toBe(1);
  });
});
