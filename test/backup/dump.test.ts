import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { startAuditTrail } from '../../src/audit';
import { runBackup } from '../../src/backup/dump';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { govdb } from './helpers';

jest.setTimeout(60_000);

/** Backups that must not be written: each fails with a stable code and leaves no directory behind. */
let db: TestDatabase;
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-backup-refused-'));
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db?.drop();
  await fs.rm(tmp, { recursive: true, force: true });
});

const leftovers = async () => (await fs.readdir(tmp)).filter((n) => n.startsWith('out'));

it('refuses an audit log whose chain is broken (BACKUP_FAILED, nothing written)', async () => {
  const logPath = path.join(tmp, 'audit', 'audit_log.jsonl');
  const trail = await startAuditTrail(db.pool, { path: logPath });
  for (let i = 0; i < 3; i++) await trail.log.record({ eventType: 'tool_call', details: { i } });
  await trail.close(5_000);
  const lines = (await fs.readFile(logPath, 'utf8')).split('\n');
  await fs.writeFile(logPath, [lines[0], lines[2], ''].join('\n')); // a line removed
  await expect(runBackup({ databaseUrl: db.url, outDir: path.join(tmp, 'out-broken'), auditLogPath: logPath })).rejects.toMatchObject({
    code: 'BACKUP_FAILED', message: expect.stringContaining('chain broken'),
  });
  expect(await leftovers()).toEqual([]);
});

it('an unreachable server is exit 2 with DB_UNREACHABLE, nothing written', async () => {
  const out = await govdb(['backup', '--database-url', 'postgres://postgres@127.0.0.1:1/none', '--out', path.join(tmp, 'out-unreachable'), '--no-audit-log', '--quiet']);
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/DB_UNREACHABLE/);
  expect(await leftovers()).toEqual([]);
});

it('a missing audit log directory is exit 2 with NOT_FOUND and a hint to pass --audit-log or --no-audit-log', async () => {
  const out = await govdb(['backup', '--database-url', db.url, '--out', path.join(tmp, 'out-noaudit'), '--audit-log', path.join(tmp, 'nowhere', 'audit_log.jsonl'), '--quiet']);
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/NOT_FOUND: .*nowhere/);
  expect(out.stderr).toMatch(/--no-audit-log/);
  expect(await leftovers()).toEqual([]);
});
