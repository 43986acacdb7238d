import { execFile } from 'child_process';
import { mkdtemp, readFile, rm } from 'fs/promises';
import os from 'os';
import path from 'path';
import { buildExpectedModel } from '../../src/drift/expected';
import { introspectUrl } from '../../src/drift/introspect';
import { SchemaModel } from '../../src/drift/model';
import { checkSnapshot, renderSnapshot, writeSnapshot } from '../../src/drift/snapshot';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '..', '..');

function govdb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin', 'govdb.js'), ...args], { cwd: ROOT, env: { ...process.env, DB_POSTGRES_URL: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('schema snapshot', () => {
  let db: TestDatabase;
  let expected: SchemaModel;
  let tmp: string;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    expected = await buildExpectedModel(process.env.GOVDB_TEST_DATABASE_URL!);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'govdb-snapshot-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('the committed snapshot matches a fresh migrate of this checkout (else run `npm run snapshot`)', async () => {
    const check = await checkSnapshot(ROOT, expected);
    if (!check.ok) throw new Error(check.message);
    expect(check.ok).toBe(true);
  });

  it('is the same text for two databases migrated at different times under different names', async () => {
    // the test database is a clone of a template migrated earlier, the expected one was just built
    const other = renderSnapshot(await introspectUrl(db.url));
    const mine = renderSnapshot(expected);
    expect(other.json).toBe(mine.json);
    expect(other.sql).toBe(mine.sql);
    expect(mine.json).not.toMatch(/govdb_(test|drift|tpl)_/);
    expect(mine.json).not.toMatch(/_20[0-9]{2}_[0-9]{2}\b/);
    expect(mine.json).not.toMatch(/"(oid|graphid|version)"/);
    expect(mine.sql).toContain('select ag_catalog.create_vlabel(\'governance_graph\', \'Agent\');');
  });

  it('check passes on what write produced and names the command when stale', async () => {
    await writeSnapshot(tmp, expected);
    expect((await checkSnapshot(tmp, expected)).ok).toBe(true);
    const changed: SchemaModel = JSON.parse(JSON.stringify(expected));
    changed.objects.column['core.agents.nickname'] = { group: 'table core.agents', attrs: { type: 'text', notNull: false, position: 99 } };
    const stale = await checkSnapshot(tmp, changed);
    expect(stale.ok).toBe(false);
    expect(stale.staleFiles).toEqual(['schema/snapshot.json', 'schema/schema.sql']);
    expect(stale.message).toContain('run `npm run snapshot`');
    expect(stale.comparison.groups).toEqual([
      { object: 'table core.agents', differences: [expect.objectContaining({ kind: 'column', name: 'core.agents.nickname', change: 'extra' })] },
    ]);
    expect(await readFile(path.join(tmp, 'schema', 'schema.sql'), 'utf8')).toContain('DO NOT EDIT');
  });
});

describe('govdb drift CLI (needs `npx tsc -p tsconfig.build.json`)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('exits 0 with an empty JSON report for a migrated database, then 1 after a column is added', async () => {
    const admin = process.env.GOVDB_TEST_DATABASE_URL!;
    const clean = await govdb(['drift', '--against', db.url, '--scratch-url', admin, '--json']);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, exitCode: 0, objects: [], checks: { ledger: { status: 'ok' } } });

    await db.pool.query(`alter table core.agents add column nickname text`);
    const drifted = await govdb(['drift', '--against', db.url, '--scratch-url', admin]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('table core.agents\n  + column core.agents.nickname (extra)');
  });

  it('exits 2 when it cannot compare', async () => {
    const both = await govdb(['drift', '--against', db.url, '--against-snapshot']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Cannot use both --against URL and --against-snapshot');
    const unreachable = await govdb(['drift', '--against', 'postgres://nobody@127.0.0.1:1/none', '--scratch-url', process.env.GOVDB_TEST_DATABASE_URL!, '--json']);
    expect(unreachable.code).toBe(2);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'DB_UNREACHABLE' } });
  });
});
