import { promises as fs } from 'fs';
import path from 'path';
import { Pool } from 'pg';
import { AuditLog } from '../../src/audit/auditLog';
import { AuditMirror } from '../../src/audit/auditMirror';
import { startAuditTrail } from '../../src/audit';
import { checkpointPath } from '../../src/audit/logFiles';
import { verifyChain } from '../../src/audit/verify';
import { createPool } from '../../src/db/pool';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { handMadeLine, logFilePaths, readLines, removeLogDir, tempLogPath, waitFor } from './helpers/audit';
import { TcpProxy } from './helpers/tcpProxy';

describe('audit mirror: audit_log.jsonl → audit.events', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let mirrorPool: Pool;
  let logPath: string;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    proxy = await TcpProxy.start(db.url);
    // the mirror reaches PostgreSQL only through the proxy; the test checks rows directly
    mirrorPool = createPool(proxy.url(db.url), { max: 2, connectTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await mirrorPool.end();
    await proxy.close();
    await db.drop();
  });
  beforeEach(async () => {
    await proxy.up();
    await db.pool.query('truncate audit.events, audit.event_hashes');
    logPath = await tempLogPath();
  });
  afterEach(async () => {
    await removeLogDir(logPath);
  });

  const rows = async () =>
    (await db.pool.query<{ content_hash: string; prev_hash: string | null }>('select content_hash, prev_hash from audit.events order by id')).rows;

  const fastRetry = { retryInitialMs: 20, retryMaxMs: 200, pollIntervalMs: 50 };

  it('N concurrent audited calls give N chained lines and N rows with the same hashes', async () => {
    const trail = await startAuditTrail(mirrorPool, { path: logPath, mirror: { batchSize: 50, ...fastRetry } });
    try {
      const N = 200;
      const receipts = await Promise.all(
        Array.from({ length: N }, (_, i) => trail.log.record({ agentId: `agent_${i % 7}`, sessionId: `s${i}`, eventType: 'tool_call', confidence: 0.9, details: { i } })),
      );
      await trail.log.flush();
      await trail.mirror.caughtUp();

      const verified = await verifyChain(await logFilePaths(logPath));
      expect(verified).toMatchObject({ ok: true, lines: N, anchor: null });
      const lines = await readLines(logPath);
      expect(lines.map((l) => l.hash)).toEqual(receipts.map((r) => r.hash));
      const stored = await rows();
      expect(stored.map((r) => r.content_hash)).toEqual(lines.map((l) => l.hash));
      expect(stored.map((r) => r.prev_hash)).toEqual(lines.map((l) => l.prev_hash));
      expect(trail.state().mirror).toMatchObject({ lagLines: 0, rowsInserted: N, duplicatesSkipped: 0, lastError: null });
    } finally {
      await trail.close();
    }
  });

  it('PostgreSQL unavailable during the calls: rows appear when it returns, none lost, none duplicated', async () => {
    const trail = await startAuditTrail(mirrorPool, { path: logPath, mirror: { batchSize: 40, ...fastRetry } });
    try {
      const call = (i: number) => trail.log.append({ agentId: 'agent_x', eventType: 'decision', details: { i } });
      await Promise.all(Array.from({ length: 100 }, (_, i) => call(i)));
      await trail.mirror.caughtUp();
      expect(await rows()).toHaveLength(100);

      await proxy.down();
      await Promise.all(Array.from({ length: 150 }, (_, i) => call(100 + i)));
      await waitFor('the mirror to fail and retry', () => trail.mirror.state().consecutiveFailures >= 2);
      await waitFor('the lag to count the new lines', () => trail.mirror.state().lagLines === 150);
      expect(trail.mirror.state().lastError).toMatchObject({ message: expect.any(String) });
      expect(await rows()).toHaveLength(100);

      await proxy.up();
      await trail.mirror.caughtUp();
      const stored = await rows();
      const lines = await readLines(logPath);
      expect(stored).toHaveLength(250);
      expect(new Set(stored.map((r) => r.content_hash)).size).toBe(250);
      expect(stored.map((r) => r.content_hash)).toEqual(lines.map((l) => l.hash));
      expect(trail.mirror.state()).toMatchObject({ lagLines: 0, consecutiveFailures: 0, batchLines: 0 });
    } finally {
      await trail.close();
    }
  });

  it('back-pressure: with PostgreSQL down and small bounds, producers wait, memory stays bounded, nothing is dropped', async () => {
    await proxy.down();
    const trail = await startAuditTrail(mirrorPool, { path: logPath, maxBufferedLines: 8, mirror: { batchSize: 16, ...fastRetry } });
    try {
      const N = 500;
      const receipts = await Promise.all(Array.from({ length: N }, (_, i) => trail.log.record({ eventType: 'tool_call', details: { i } })));
      expect(new Set(receipts.map((r) => r.hash)).size).toBe(N);
      const logState = trail.log.state();
      expect(logState.producerWaits).toBeGreaterThan(0); // producers were slowed …
      expect(logState.highWaterBufferedLines).toBeLessThanOrEqual(8); // … instead of the buffer growing
      await trail.log.flush();
      expect(trail.log.state().linesWritten).toBe(N); // the file is the spill

      await waitFor('the mirror to see the whole backlog', () => trail.mirror.state().lagLines === N);
      const mirrorState = trail.mirror.state();
      expect(mirrorState.highWaterBatchLines).toBeLessThanOrEqual(16);
      expect(mirrorState.batchLines).toBeLessThanOrEqual(16);
      expect(mirrorState.lagSeconds).toBeGreaterThanOrEqual(0);
      expect(await rows()).toHaveLength(0);

      await proxy.up();
      await trail.mirror.caughtUp();
      expect((await rows()).map((r) => r.content_hash)).toEqual(receipts.map((r) => r.hash));
    } finally {
      await trail.close();
    }
  });

  it('rotation keeps the chain across files; a restarted mirror resumes across renamed files exactly once', async () => {
    const log = await AuditLog.open({ path: logPath, maxFileBytes: 2048, flushIntervalMs: 5 });
    const first = new AuditMirror(mirrorPool, { logPath, writer: log, batchSize: 5, ...fastRetry });
    first.start();
    const group = async (g: number) => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => log.record({ eventType: 'calibration.update', details: { g, i } })));
      await log.flush();
    };
    try {
      for (let g = 0; g < 2; g++) await group(g);
      await first.caughtUp();
      await first.stop(); // its checkpoint names a file that the next rotations rename
      for (let g = 2; g < 6; g++) await group(g);
      expect(log.state().rotations).toBe(6);

      const files = await logFilePaths(logPath);
      expect(files).toHaveLength(7);
      const verified = await verifyChain(files);
      expect(verified).toMatchObject({ ok: true, lines: 60, anchor: null });
      const lines = await readLines(logPath);
      // the first line of each new file chains to the last line of the previous one
      for (let i = 1; i < lines.length; i++) expect(lines[i]!.prev_hash).toBe(lines[i - 1]!.hash);

      const second = new AuditMirror(mirrorPool, { logPath, batchSize: 7, ...fastRetry });
      second.start();
      await second.caughtUp();
      await second.stop();
      expect(second.state()).toMatchObject({ resumeProblem: null, rowsInserted: 40, duplicatesSkipped: 0 });
      expect((await rows()).map((r) => r.content_hash)).toEqual(lines.map((l) => l.hash));

      // a lost checkpoint costs a re-read, never a duplicate row
      await fs.rm(checkpointPath(logPath));
      const third = new AuditMirror(mirrorPool, { logPath, batchSize: 25, ...fastRetry });
      third.start();
      await third.caughtUp();
      await third.stop();
      expect(third.state()).toMatchObject({ rowsInserted: 0, duplicatesSkipped: 60 });
      expect(await rows()).toHaveLength(60);
    } finally {
      await first.stop();
      await log.close();
    }
  });

  it('a torn last line is not mirrored; reopening the log moves it aside and records that in the chain', async () => {
    const log = await AuditLog.open({ path: logPath });
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append({ eventType: 'tool_call', details: { i } })));
    await log.close();
    const completeBytes = (await fs.stat(logPath)).size;
    const torn = '{"ts":"2026-01-01T00:00:00.000Z","agent_id":"half';
    await fs.appendFile(logPath, torn);

    const mirror = new AuditMirror(mirrorPool, { logPath, ...fastRetry });
    mirror.start();
    await mirror.caughtUp();
    expect(await rows()).toHaveLength(5);
    expect(await verifyChain([logPath])).toMatchObject({ ok: true, lines: 5, tornTail: { line: 6, bytes: torn.length } });

    const reopened = await AuditLog.open({ path: logPath });
    try {
      expect(reopened.state().tornTail).toMatchObject({ file: 'audit_log.jsonl', offset: completeBytes, bytes: torn.length });
      await reopened.append({ eventType: 'tool_call', details: { i: 5 } });
      const lines = await readLines(logPath);
      expect(lines.map((l) => l.event_type)).toEqual(['tool_call', 'tool_call', 'tool_call', 'tool_call', 'tool_call', 'audit.torn_tail_discarded', 'tool_call']);
      const saved = lines[5]!.details.savedTo as string;
      expect(await fs.readFile(path.join(path.dirname(logPath), saved), 'utf8')).toBe(torn);
      expect(await verifyChain([logPath])).toEqual(expect.objectContaining({ ok: true, lines: 7 }));
      expect((await verifyChain([logPath])).tornTail).toBeUndefined();
      mirror.wake();
      await mirror.caughtUp();
      expect((await rows()).map((r) => r.content_hash)).toEqual(lines.map((l) => l.hash));
    } finally {
      await mirror.stop();
      await reopened.close();
    }
  });

  it('records a damaged line and a line PostgreSQL refuses in audit.mirror_rejects and goes on with the next lines', async () => {
    await db.pool.query('truncate audit.mirror_rejects');
    const log = await AuditLog.open({ path: logPath });
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.record({ eventType: 'tool_call', details: { i } })));
    await log.close();
    // line 3 tampered; line 6 a correctly hashed line with a lone surrogate (as older writers wrote it:
    // the pause_agent {"reason": "lone \ud800 surrogate"}); line 7 a good line after them
    const text = (await fs.readFile(logPath, 'utf8')).replace('{"i":2}', '{"i":42}');
    const poison = handMadeLine({ reason: 'lone \ud800 surrogate' }, '2026-01-01T00:00:06.000Z');
    const after = handMadeLine({ i: 7 }, '2026-01-01T00:00:07.000Z');
    await fs.writeFile(logPath, `${text}${poison}\n${after}\n`);
    const mirror = new AuditMirror(mirrorPool, { logPath, ...fastRetry });
    mirror.start();
    try {
      await mirror.caughtUp(20_000);
      expect(await rows()).toHaveLength(5); // lines 1, 2, 4, 5, 7
      expect(mirror.state()).toMatchObject({ line: 7, lagLines: 0, rejectedLines: 2, lastError: null, lastReject: { file: 'audit_log.jsonl', line: 6 } });
      const rejects = (await db.pool.query('select file_name, line_no, reason from audit.mirror_rejects order by line_no')).rows;
      expect(rejects).toEqual([
        { file_name: 'audit_log.jsonl', line_no: 3, reason: expect.stringMatching(/^not a valid audit line \(hash mismatch/) },
        { file_name: 'audit_log.jsonl', line_no: 6, reason: expect.stringMatching(/^PostgreSQL cannot load it: .*unpaired surrogate \\ud800/) },
      ]);
      const snap = (await db.pool.query('select mirror_rejects, last_mirror_reject from core.health_snapshot()')).rows[0];
      expect(snap).toMatchObject({ mirror_rejects: '2', last_mirror_reject: { file_name: 'audit_log.jsonl', line_no: 6 } });
    } finally {
      await mirror.stop();
    }
    // a restarted mirror neither reloads nor re-records anything
    const again = new AuditMirror(mirrorPool, { logPath, ...fastRetry });
    again.start();
    try {
      await again.caughtUp(20_000);
      expect(await rows()).toHaveLength(5);
      expect((await db.pool.query('select count(*)::int as n from audit.mirror_rejects')).rows[0].n).toBe(2);
    } finally {
      await again.stop();
    }
  });

  it('refuses a second writer on the same file', async () => {
    const log = await AuditLog.open({ path: logPath });
    try {
      await expect(AuditLog.open({ path: logPath })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already open for writing by process \d+ \(this process\)/) });
    } finally {
      await log.close();
    }
  });
});
