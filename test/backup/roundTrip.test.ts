import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { Manifest, readManifest, writeManifest, fileEntry, DUMP_FILE } from '../../src/backup/manifest';
import { connectionArgs, findPgTool, runTool } from '../../src/backup/pgTools';
import { verifyRestored } from '../../src/backup/restore';
import { verifyGraph } from '../../src/domain/graph';
import { createPool } from '../../src/db/pool';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { BuiltHttpServer, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { emptyDatabase, govdb, queryOne, secondCluster, seedEverything } from './helpers';

jest.setTimeout(240_000);

const EDGE_LABELS = ['AUTHORED', 'RESPONDS_TO', 'RELATED_TO', 'TAGGED', 'SUPERSEDES', 'SPAWNED'];
/** DialecticSession is a label without projected vertices (nothing writes it yet): counted, but 0 */
const VERTEX_LABELS = ['Agent', 'Discovery', 'Tag'];
/** Every check `govdb restore` must report (besides the backup.* pre-checks). */
const RESTORE_CHECKS = ['tables', 'ledger', 'age-catalog', 'graph-counts', 'cypher', 'graph-verify', 'drift', 'audit'];

let source: TestDatabase;
let tmp: string;
let backupDir: string;
let manifest: Manifest;
let discoveryIds: string[];
let cluster2: string;
const drops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-backup-test-'));
  cluster2 = secondCluster();
  source = await createMigratedDatabase();
  discoveryIds = await seedEverything(source, path.join(tmp, 'source-audit', 'audit_log.jsonl'));
  backupDir = path.join(tmp, 'backup');
  const out = await govdb(['backup', '--database-url', source.url, '--out', backupDir, '--audit-log', path.join(tmp, 'source-audit', 'audit_log.jsonl'), '--json']);
  if (out.code !== 0) throw new Error(`backup failed (${out.code}):\n${out.stdout}\n${out.stderr}`);
  manifest = await readManifest(backupDir);
});

afterAll(async () => {
  for (const drop of drops.reverse()) await drop().catch(() => undefined);
  await source?.drop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function freshTarget(): Promise<string> {
  const db = await emptyDatabase(cluster2);
  drops.push(db.drop);
  return db.url;
}

describe('govdb backup', () => {
  it('writes a manifest describing every kind of seeded data, with progress on stderr', async () => {
    const count = (label: string) => manifest.graph.labels.find((l) => l.label === label)?.count ?? 0;
    for (const label of [...EDGE_LABELS, ...VERTEX_LABELS]) expect([label, count(label) > 0]).toEqual([label, true]);
    expect(manifest.graph.labels.map((l) => l.label)).toContain('DialecticSession');
    const rows = (t: string) => manifest.tables.find((x) => `${x.schema}.${x.table}` === t)?.rows ?? 0;
    for (const t of ['core.agents', 'core.agent_state', 'core.agent_lifecycle_events', 'core.dialectic_sessions', 'core.dialectic_messages',
      'core.ground_truth', 'core.calibration', 'knowledge.discoveries', 'knowledge.discovery_edges', 'knowledge.discovery_tags',
      'knowledge.discovery_notes', 'audit.event_hashes', 'ag_catalog.ag_graph', 'ag_catalog.ag_label']) {
      expect([t, rows(t) > 0]).toEqual([t, true]);
    }
    expect(manifest.audit!.lines).toBe(20);
    expect(manifest.audit!.files.length).toBeGreaterThan(1); // rotated files are included
    expect(manifest.audit!.events.server).toBe(20);
    // the dump was written by the server's own major version
    expect(manifest.versions.pgDump).toContain(`(PostgreSQL) ${manifest.versions.server.split('.')[0]}.`);
    expect(manifest.ledger.items.length).toBeGreaterThan(0);
    expect(manifest.files.length).toBeGreaterThan(0);
    for (const f of manifest.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await govdb(['backup', 'verify', backupDir])).code).toBe(0);
  });

  it('refuses an existing non-empty output directory (exit 2, nothing written)', async () => {
    const out = await govdb(['backup', '--database-url', source.url, '--out', backupDir, '--no-audit-log', '--quiet']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/INVALID_INPUT: .* not empty/);
  });
});

describe('govdb restore onto a second cluster', () => {
  let target: string;
  let server: BuiltHttpServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('restores, repairs AGE oids, and every verification passes', async () => {
    target = await freshTarget();
    const auditLog = path.join(tmp, 'restored-audit', 'audit_log.jsonl');
    const out = await govdb(['restore', backupDir, '--database-url', target, '--audit-log', auditLog, '--json']);
    const report = JSON.parse(out.stdout);
    expect({ code: out.code, failed: report.checks.filter((c: { ok: boolean }) => !c.ok) }).toEqual({ code: 0, failed: [] });
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(RESTORE_CHECKS));
    expect(out.stderr).toMatch(/restore: \[\d+\/\d+\] /); // progress
    const graph = await queryOne<{ ok: boolean; ns: string }>(target, `select graphid = namespace::oid as ok, namespace::oid::text as ns from ag_catalog.ag_graph where name = 'governance_graph'`);
    expect(graph.ok).toBe(true);
    // the dump carried the source's bare oid; where the target's namespace oid differs, restore repaired it
    const src = await queryOne<{ graphid: string }>(source.url, `select graphid::text as graphid from ag_catalog.ag_graph where name = 'governance_graph'`);
    expect(report.ageRepairs).toEqual(src.graphid === graph.ns ? [] : [{ graph: 'governance_graph', oldGraphid: Number(src.graphid), newGraphid: Number(graph.ns), labels: manifest.tables.find((t) => t.schema === 'ag_catalog' && t.table === 'ag_label')!.rows }]);
    // the restored log verifies with the CLI users run
    const audit = await govdb(['audit', 'verify', '--log', auditLog]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(manifest.audit!.head!);
  });

  it('serves the MCP flow on the restored database: Cypher writes and reads', async () => {
    server = await startBuiltHttpServer(servedEnv(target));
    const client = await server.connect();
    const onboarded = await client.call('onboard', { label: 'after restore' });
    expect(onboarded.isError).toBe(false);
    const update = await client.call('process_agent_update', { complexity: 0.4, confidence: 0.8, response_length: 900 });
    expect(update.isError).toBe(false);
    const restoredId = discoveryIds[1]!;
    const stored = await client.call('store_knowledge', { summary: 'Written after the restore', details: 'links to a restored discovery', tags: ['restored'], related_to: [restoredId] });
    expect(stored.isError).toBe(false);
    const newId = (stored.data.ids as string[])[0]!;
    const found = await client.call('search_knowledge', { query: 'Written after the restore' });
    expect((found.data.hits as Array<{ id: string }>).map((h) => h.id)).toContain(newId);
    const related = await client.call('related_discoveries', { id: newId, max_hops: 1 });
    expect(related.isError).toBe(false);
    expect((related.data.related as Array<{ id: string }>).map((r) => r.id)).toContain(restoredId);
    const pool = createPool(target, { max: 1 });
    try {
      expect((await verifyGraph(pool)).ok).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('refuses the now non-empty target without --replace (exit 2, unchanged), and replaces it with --replace', async () => {
    const before = await queryOne<{ n: string }>(target, 'select count(*) as n from core.agents');
    expect(Number(before.n)).toBe(manifest.tables.find((t) => t.table === 'agents' && t.schema === 'core')!.rows + 1);
    const auditLog = path.join(tmp, 'restored-audit', 'audit_log.jsonl');
    const refused = await govdb(['restore', backupDir, '--database-url', target, '--audit-log', auditLog, '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/TARGET_NOT_EMPTY: .* is not empty .*nothing was changed/);
    expect((await queryOne<{ n: string }>(target, 'select count(*) as n from core.agents')).n).toBe(before.n);

    await server?.stop();
    server = undefined;
    const replaced = await govdb(['restore', backupDir, '--database-url', target, '--audit-log', auditLog, '--replace', '--json', '--quiet']);
    const report = JSON.parse(replaced.stdout);
    expect({ code: replaced.code, replaced: report.replaced, failed: report.checks.filter((c: { ok: boolean }) => !c.ok) }).toEqual({ code: 0, replaced: true, failed: [] });
    expect(Number((await queryOne<{ n: string }>(target, 'select count(*) as n from core.agents')).n)).toBe(Number(before.n) - 1);
  });
});

describe('govdb restore refuses to overwrite an audit log', () => {
  it('an existing log at --audit-log is refused without --replace, before the database is touched', async () => {
    const target = await freshTarget();
    const existing = path.join(tmp, 'existing-audit', 'audit_log.jsonl');
    await fs.mkdir(path.dirname(existing), { recursive: true });
    await fs.writeFile(existing, '');
    const out = await govdb(['restore', backupDir, '--database-url', target, '--audit-log', existing, '--quiet']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/TARGET_NOT_EMPTY: The audit log .* already exists/);
    expect((await queryOne<{ n: string }>(target, `select count(*) as n from pg_namespace where nspname = 'core'`)).n).toBe('0');
  });
});

describe('broken backups', () => {
  async function copyBackup(name: string): Promise<string> {
    const dir = path.join(tmp, name);
    await fs.cp(backupDir, dir, { recursive: true });
    return dir;
  }

  it('a flipped byte in the dump fails `backup verify` (exit 1) and the restore (exit 1, target untouched)', async () => {
    const dir = await copyBackup('tampered-dump');
    const file = path.join(dir, DUMP_FILE);
    const bytes = await fs.readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    await fs.writeFile(file, bytes);
    const out = await govdb(['backup', 'verify', dir, '--json']);
    expect(out.code).toBe(1);
    const files = JSON.parse(out.stdout).checks.find((c: { name: string }) => c.name === 'files');
    expect(files).toMatchObject({ ok: false, detail: expect.stringContaining(`${DUMP_FILE}: sha256`) });
    const target = await freshTarget();
    const restore = await govdb(['restore', dir, '--database-url', target, '--no-audit-log', '--quiet']);
    expect(restore.code).toBe(1);
    expect((await queryOne<{ n: string }>(target, `select count(*) as n from pg_namespace where nspname = 'core'`)).n).toBe('0');
  });

  it('an edited audit line fails `backup verify` even with the sha256 recomputed (chain check)', async () => {
    const dir = await copyBackup('tampered-audit');
    const first = manifest.audit!.files[0]!;
    const file = path.join(dir, 'audit', first.path);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('"tool":"store_knowledge"', '"tool":"delete_everything"'));
    const m = await readManifest(dir);
    m.files = await Promise.all(m.files.map((f) => fileEntry(dir, f.path)));
    await writeManifest(dir, m);
    const out = await govdb(['backup', 'verify', dir, '--json']);
    expect(out.code).toBe(1);
    const checks = JSON.parse(out.stdout).checks as Array<{ name: string; ok: boolean; detail: string }>;
    expect(checks.find((c) => c.name === 'files')!.ok).toBe(true);
    expect(checks.find((c) => c.name === 'audit')).toMatchObject({ ok: false, detail: expect.stringContaining('hash') });
  });

  describe('a dump without the AGE catalog rows (ag_graph, ag_label)', () => {
    let dir: string;
    let noCatalogManifest: Manifest;
    beforeAll(async () => {
      dir = await copyBackup('no-age-catalog');
      const pgDump = findPgTool('pg_dump', Math.floor(manifest.versions.serverVersionNum / 10000));
      const { dbname, env } = connectionArgs(source.url);
      const dumped = await runTool(pgDump, ['--format=custom', '--exclude-table-data=ag_catalog.ag_graph', '--exclude-table-data=ag_catalog.ag_label', `--dbname=${dbname}`], { stdoutFile: path.join(dir, DUMP_FILE), env });
      expect(dumped.code).toBe(0);
      noCatalogManifest = await readManifest(dir);
      noCatalogManifest.files = await Promise.all(noCatalogManifest.files.map((f) => fileEntry(dir, f.path)));
      await writeManifest(dir, noCatalogManifest); // consistent sha256: only the content checks can notice
    });

    it('fails `backup verify` and `govdb restore` (exit 1), naming the AGE catalog', async () => {
      const out = await govdb(['backup', 'verify', dir]);
      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(/FAIL dump .*ag_catalog\.ag_graph, ag_catalog\.ag_label/);
      const target = await freshTarget();
      const restore = await govdb(['restore', dir, '--database-url', target, '--no-audit-log', '--quiet']);
      expect(restore.code).toBe(1);
      expect(restore.stdout).toMatch(/FAIL backup\.dump .*AGE/);
    });

    it('restored anyway (by hand with pg_restore), fails the post-restore verification: no graph, no Cypher', async () => {
      const target = await freshTarget();
      const pgRestore = findPgTool('pg_restore', Math.floor(manifest.versions.serverVersionNum / 10000));
      const { dbname, env } = connectionArgs(target);
      const restored = await runTool(pgRestore, ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`], { stdinFile: path.join(dir, DUMP_FILE), env });
      expect(restored.code).toBe(0);
      const checks = await verifyRestored(target, noCatalogManifest, null);
      const failed = checks.filter((c) => !c.ok).map((c) => c.name);
      expect(failed).toEqual(expect.arrayContaining(['tables', 'age-catalog', 'graph-counts', 'cypher']));
      expect(checks.find((c) => c.name === 'age-catalog')!.detail).toMatch(/governance_graph is not in ag_catalog\.ag_graph/);
    });
  });
});
