import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import fc from 'fast-check';
import { runBackup } from '../../src/backup/dump';
import { CHECKSUM_FILE, Manifest, MANIFEST_FILE } from '../../src/backup/manifest';
import { findPgTool, parseToolMajor } from '../../src/backup/pgTools';
import { verifyBackup } from '../../src/backup/verify';
import { startAuditTrail } from '../../src/audit';
import { core } from '../../src/db/generated/functions';
import { isGovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

jest.setTimeout(120_000);

let db: TestDatabase;
let tmp: string;
let dir: string;
let manifest: Manifest;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-backup-verify-'));
  db = await createMigratedDatabase();
  await core.onboardAgent(db.pool, { agentId: 'verify-a' });
  const logPath = path.join(tmp, 'audit', 'audit_log.jsonl');
  const trail = await startAuditTrail(db.pool, { path: logPath, maxFileBytes: 1_500 });
  for (let i = 0; i < 12; i++) await trail.log.record({ agentId: 'verify-a', eventType: 'tool_call', details: { i } });
  await trail.close(10_000);
  // a torn (unterminated) last line, as a crash mid-write leaves it: not part of the backup
  await fs.appendFile(logPath, '{"ts":"2026-11-30T00:00:00.000Z","agent_id":"verify-a"');
  dir = path.join(tmp, 'backup');
  manifest = await runBackup({ databaseUrl: db.url, outDir: dir, auditLogPath: logPath });
});
afterAll(async () => {
  await db?.drop();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copy(name: string): Promise<string> {
  const to = path.join(tmp, name);
  await fs.rm(to, { recursive: true, force: true });
  await fs.cp(dir, to, { recursive: true });
  return to;
}

it('a fresh backup verifies; the torn tail of the active log was left out', async () => {
  const report = await verifyBackup(dir);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(manifest.audit!.lines).toBe(12);
  expect(manifest.audit!.files.length).toBeGreaterThan(1);
});

it('any changed byte of any file fails verify (property: file × offset × xor mask)', async () => {
  const sizes = new Map<string, number>();
  for (const f of [...manifest.files.map((x) => x.path), MANIFEST_FILE, CHECKSUM_FILE]) sizes.set(f, (await fs.stat(path.join(dir, f))).size);
  const files = [...sizes.keys()].filter((f) => sizes.get(f)! > 0); // an empty active log has no byte to change
  const target = await copy('flip');
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...files), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), async (file, at, mask) => {
      const full = path.join(target, file);
      const original = await fs.readFile(full);
      const offset = Math.floor(at * sizes.get(file)!);
      const changed = Buffer.from(original);
      changed[offset] = changed[offset]! ^ mask;
      await fs.writeFile(full, changed);
      try {
        const report = await verifyBackup(target);
        expect(report.ok).toBe(false);
      } finally {
        await fs.writeFile(full, original);
      }
    }),
    { numRuns: 25, seed: 20261130 },
  );
  expect((await verifyBackup(target)).ok).toBe(true);
});

it('a missing file, an extra file and a path leaving the directory each fail verify', async () => {
  const missing = await copy('missing');
  await fs.rm(path.join(missing, 'audit', manifest.audit!.files[0]!.path));
  expect((await verifyBackup(missing)).checks.find((c) => c.name === 'files')).toMatchObject({ ok: false, detail: expect.stringContaining('missing') });

  const extra = await copy('extra');
  await fs.writeFile(path.join(extra, 'notes.txt'), 'x');
  expect((await verifyBackup(extra)).checks.find((c) => c.name === 'files')).toMatchObject({ ok: false, detail: expect.stringContaining('notes.txt: not in the manifest') });

  const escape = await copy('escape');
  const m = JSON.parse(await fs.readFile(path.join(escape, MANIFEST_FILE), 'utf8')) as Manifest;
  m.files.push({ path: '../../etc/passwd', bytes: 1, sha256: '0'.repeat(64) });
  await fs.writeFile(path.join(escape, MANIFEST_FILE), JSON.stringify(m));
  expect((await verifyBackup(escape)).checks.find((c) => c.name === 'files')).toMatchObject({ ok: false, detail: expect.stringContaining('leaves the backup directory') });
});

it('a manifest that is missing, not JSON or of another format fails with the manifest check', async () => {
  const bad = await copy('bad-manifest');
  await fs.writeFile(path.join(bad, MANIFEST_FILE), '{"format":"something-else"}');
  expect((await verifyBackup(bad)).checks).toEqual([expect.objectContaining({ name: 'manifest', ok: false, detail: expect.stringContaining('govdb-backup') })]);
  await fs.rm(path.join(bad, MANIFEST_FILE));
  await fs.rm(path.join(bad, CHECKSUM_FILE));
  expect((await verifyBackup(bad)).ok).toBe(false);
});

it('counts that contradict each other inside the manifest fail verify', async () => {
  const inconsistent = await copy('inconsistent');
  const m = JSON.parse(await fs.readFile(path.join(inconsistent, MANIFEST_FILE), 'utf8')) as Manifest;
  m.graph.labels.find((l) => l.label === 'Agent')!.count += 1;
  await fs.writeFile(path.join(inconsistent, MANIFEST_FILE), JSON.stringify(m));
  expect((await verifyBackup(inconsistent)).checks.find((c) => c.name === 'graph')).toMatchObject({ ok: false, detail: expect.stringContaining('governance_graph.Agent') });
});

describe('pg_dump / pg_restore of the server\'s major version', () => {
  it('reads the major of --version lines', () => {
    expect(parseToolMajor('pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)')).toBe(17);
    expect(parseToolMajor('pg_restore (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toBe(15);
    expect(parseToolMajor('pg_dump (PostgreSQL) 18beta1')).toBe(18);
    expect(parseToolMajor('something else')).toBeNull();
  });

  it('finds the server major\'s pg_dump, and refuses (TOOL_VERSION_MISMATCH) rather than use another major', () => {
    const major = Math.floor(manifest.versions.serverVersionNum / 10000);
    expect(findPgTool('pg_dump', major).version).toMatch(new RegExp(`\\(PostgreSQL\\) ${major}\\.`));
    let error: unknown;
    try {
      findPgTool('pg_dump', 99);
    } catch (err) {
      error = err;
    }
    expect(isGovdbError(error) && error.code).toBe('TOOL_VERSION_MISMATCH');
    expect((error as Error).message).toMatch(/No pg_dump of PostgreSQL 99/);
  });
});
