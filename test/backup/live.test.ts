import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { startAuditTrail } from '../../src/audit';
import { readManifest } from '../../src/backup/manifest';
import { createKnowledgeService } from '../../src/domain/knowledge';
import { core } from '../../src/db/generated/functions';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { emptyDatabase, govdb, secondCluster } from './helpers';

jest.setTimeout(240_000);

/**
 * A backup of a server that keeps writing: knowledge writes (relational rows + Cypher projection in
 * one transaction) and audit lines (a rotating log mirrored into audit.events) run during the
 * whole backup. The restore's checks compare the dump with the manifest's counts, so a dump and a
 * manifest taken at different moments would fail them.
 */
let db: TestDatabase;
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-live-backup-'));
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db?.drop();
  await fs.rm(tmp, { recursive: true, force: true });
});

it('backs up a server under writes; the restore on another cluster matches the manifest exactly', async () => {
  const cluster2 = secondCluster();
  await core.onboardAgent(db.pool, { agentId: 'live-a' });
  const kg = createKnowledgeService(db.pool);
  const logPath = path.join(tmp, 'audit', 'audit_log.jsonl');
  const trail = await startAuditTrail(db.pool, { path: logPath, maxFileBytes: 4_000, mirror: { pollIntervalMs: 10 } });
  let stop = false;
  let written = 0;
  const writer = (async () => {
    let previous: string | undefined;
    while (!stop) {
      const d = await kg.store({ agentId: 'live-a', summary: `live write ${written}`, tags: ['live'], relatedTo: previous ? [previous] : [] });
      await trail.log.record({ agentId: 'live-a', eventType: 'tool_call', details: { discovery: d.id } });
      previous = d.id;
      written++;
    }
  })();
  try {
    while (written < 20) await new Promise((r) => setTimeout(r, 20));
    const backupDir = path.join(tmp, 'backup');
    const out = await govdb(['backup', '--database-url', db.url, '--out', backupDir, '--audit-log', logPath, '--quiet']);
    const duringBackup = written;
    while (written < duringBackup + 10) await new Promise((r) => setTimeout(r, 20));
    expect(out.code).toBe(0);
    const manifest = await readManifest(backupDir);
    const discoveries = manifest.tables.find((t) => t.schema === 'knowledge' && t.table === 'discoveries')!.rows;
    expect(discoveries).toBeGreaterThanOrEqual(20);
    expect(discoveries).toBeLessThan(written); // the writer went on after the snapshot

    const target = await emptyDatabase(cluster2);
    try {
      const restore = await govdb(['restore', backupDir, '--database-url', target.url, '--audit-log', path.join(tmp, 'restored', 'audit_log.jsonl'), '--json', '--quiet']);
      const report = JSON.parse(restore.stdout);
      if (!report.checks) throw new Error(`restore did not report checks: ${restore.stdout} ${restore.stderr}`);
      expect({ code: restore.code, failed: report.checks.filter((c: { ok: boolean }) => !c.ok) }).toEqual({ code: 0, failed: [] });
    } finally {
      await target.drop();
    }
  } finally {
    stop = true;
    await writer;
    await trail.close(10_000);
  }
});
