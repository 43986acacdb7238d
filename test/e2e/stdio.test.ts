import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { runStdioFlow } from './stdioFlow';

describe('the built server over stdio', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it('runs the governance flow on PostgreSQL + AGE', async () => {
    const result = await runStdioFlow({
      DB_POSTGRES_URL: db.url,
      REDIS_URL: process.env.GOVDB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `stdio${process.pid}:`,
      GOVDB_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'govdb-stdio-')),
    });
    expect(result.steps[0]).toBe('onboard');
    expect(result.steps).toContain('health_check');
    const rows = await db.pool.query(`select count(*)::int as n from core.agent_state`);
    expect(rows.rows[0].n).toBe(3);
  });

  it('runs the same flow on the embedded store when DB_POSTGRES_URL is unset', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govdb-embedded-'));
    const result = await runStdioFlow({ GOVDB_DATA_DIR: dataDir });
    expect(result.stderr).toMatch(/EMBEDDED store/);
    expect(result.stderr).toMatch(/embedded store migrated/);
    expect(result.steps).toContain('health_check');
  }, 180_000);

  it('exits non-zero with one clear line when DB_POSTGRES_URL is unreachable', async () => {
    const { execFile } = await import('child_process');
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'govdb.js'), 'serve', '--stdio'], {
        env: { PATH: process.env.PATH, DB_POSTGRES_URL: 'postgres://postgres@127.0.0.1:1/none', GOVDB_DATA_DIR: os.tmpdir() },
      }, (err, _stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stderr }));
    });
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/cannot start: DB_UNREACHABLE: Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/none/);
  });
});
