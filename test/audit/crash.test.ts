import { ChildProcess, spawn } from 'child_process';
import path from 'path';
import { startAuditTrail } from '../../src/audit';
import { verifyChain } from '../../src/audit/verify';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { logFilePaths, readLines, removeLogDir, tempLogPath, waitFor } from './helpers/audit';

const FIXTURE = path.join(__dirname, 'fixtures', 'burstWriter.js');
const MAX_BUFFERED = 64;

describe('audit log crash: a writer killed with SIGKILL mid-burst', () => {
  let db: TestDatabase;
  let logPath: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    logPath = await tempLogPath();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await removeLogDir(logPath);
    await db.drop();
  });

  it('loses at most the buffered window, keeps every durable line, and a restart mirrors every line exactly once', async () => {
    child = spawn(process.execPath, [FIXTURE, logPath, db.url, String(MAX_BUFFERED)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const last: Record<string, number> = { R: -1, D: -1, M: -1 };
    let carry = '';
    let done = false;
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      const parts = (carry + d.toString()).split('\n');
      carry = parts.pop()!;
      for (const p of parts) {
        const [tag, n] = p.split(' ');
        if (tag === 'DONE') done = true;
        else if (tag && n !== undefined) last[tag] = Math.max(last[tag] ?? -1, Number(n));
      }
    });
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => child!.on('exit', () => resolve()));

    // mid-burst: lines are durable and the child's own mirror has committed some of them
    await waitFor('the child to write and mirror', () => (last.D! >= 2000 && last.M! >= 100) || done || stderr !== '', 60_000);
    child.kill('SIGKILL');
    await exited;
    expect({ done, stderr, last }).toEqual({ done: false, stderr: '', last: expect.anything() });
    const recorded = last.R!;
    const durable = last.D!;

    const lines = await readLines(logPath);
    const verified = await verifyChain(await logFilePaths(logPath));
    expect(verified).toMatchObject({ ok: true, lines: lines.length, anchor: null });
    // the file holds a gap-free prefix of the burst, in order
    expect(lines.map((l) => l.details.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i));
    const written = lines.length;
    expect(durable).toBeLessThan(written); // every acknowledged-durable line is there
    expect(recorded - (written - 1)).toBeLessThanOrEqual(MAX_BUFFERED); // lost: at most the buffer bound

    // restart: the writer takes over the stale lock (and cuts a torn tail, if the kill left one);
    // the mirror resumes from the child's checkpoint, which may lag behind what it committed
    const trail = await startAuditTrail(db.pool, { path: logPath, mirror: { batchSize: 200, pollIntervalMs: 20 } });
    try {
      await trail.log.flush();
      await trail.mirror.caughtUp(60_000);
      const all = await readLines(logPath);
      expect(all.length).toBe(written + (verified.tornTail ? 1 : 0));
      const stored = await db.pool.query<{ content_hash: string }>('select content_hash from audit.events order by id');
      expect(stored.rows.map((r) => r.content_hash)).toEqual(all.map((l) => l.hash));
      expect(trail.state().mirror).toMatchObject({ lagLines: 0, lastError: null });
    } finally {
      await trail.close();
    }
  });
});
