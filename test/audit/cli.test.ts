import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { AuditLog } from '../../src/audit/auditLog';
import { AuditMirror } from '../../src/audit/auditMirror';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { handMadeLine, removeLogDir, tempLogPath } from './helpers/audit';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '..', '..', 'bin', 'govdb.js');
// In the repository: the legacy server's audit_log shape {timestamp (naive, server zone UTC-07:00),
// agent_id, event_type, confidence, details}, as in the sample shipped with the legacy system.
const LEGACY_SAMPLE = path.join(__dirname, 'fixtures', 'legacy_audit_log_sample.jsonl');

async function govdb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { env: { ...process.env, DB_POSTGRES_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function writeLog(logPath: string, n: number, options: { maxFileBytes?: number } = {}): Promise<void> {
  const log = await AuditLog.open({ path: logPath, ...options });
  for (let i = 0; i < n; i++) await log.record({ agentId: 'agent_v', eventType: 'tool_call', confidence: 0.5, details: { i } });
  await log.close();
}

describe('govdb audit verify', () => {
  let logPath: string;
  beforeEach(async () => {
    logPath = await tempLogPath();
  });
  afterEach(async () => {
    await removeLogDir(logPath);
  });

  it('reports OK for an intact chain, also across rotated files', async () => {
    await writeLog(logPath, 30, { maxFileBytes: 2048 });
    const dir = path.dirname(logPath);
    const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
    expect(names.length).toBeGreaterThan(1); // rotated at least once
    const ok = await govdb(['audit', 'verify', '--log', logPath]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK 30 lines in \d+ file\(s\), chain from genesis/) });
  });

  it('reports the first tampered line with its file and line number (exit 1)', async () => {
    await writeLog(logPath, 10);
    const lines = (await fs.readFile(logPath, 'utf8')).split('\n');
    lines[4] = lines[4]!.replace('"confidence":0.5', '"confidence":0.9');
    await fs.writeFile(logPath, lines.join('\n'));
    const broken = await govdb(['audit', 'verify', logPath]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BAD ${logPath}:5: [invalid] hash mismatch`);
    expect(broken.stdout).toContain('BROKEN 1 bad line(s); 10 lines'); // the chain goes on from the hash line 5 states

    // a removed line breaks the chain at the line after the gap
    const intact = lines.map((l, i) => (i === 4 ? l.replace('"confidence":0.9', '"confidence":0.5') : l));
    await fs.writeFile(logPath, intact.filter((_, i) => i !== 6).join('\n'));
    const gap = await govdb(['audit', 'verify', '--json', logPath]);
    expect(gap.code).toBe(1);
    expect(JSON.parse(gap.stdout)).toMatchObject({ ok: false, lines: 9, broken: { file: logPath, line: 7, kind: 'chain', reason: expect.stringMatching(/^chain broken/) } });
    expect(JSON.parse(gap.stdout).problems).toHaveLength(1);
  });

  it('reports every bad line with its number and carries on: damaged, unreadable, and not loadable by PostgreSQL (exit 1)', async () => {
    await writeLog(logPath, 6);
    const lines = (await fs.readFile(logPath, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('"confidence":0.5', '"confidence":0.9'); // line 2: content changed
    lines[3] = '{"ts": not json'; // line 4: unreadable
    const last = JSON.parse(lines[5]!) as { hash: string };
    lines.splice(6, 0, handMadeLine({ reason: 'lone \ud800 surrogate' }, '2026-01-01T00:00:00.000Z', last.hash)); // line 7: the issue's poison line
    await fs.writeFile(logPath, lines.join('\n'));
    const out = await govdb(['audit', 'verify', '--json', logPath]);
    expect(out.code).toBe(1);
    const result = JSON.parse(out.stdout);
    expect(result.problems.map((p: { line: number; kind: string }) => [p.line, p.kind])).toEqual([[2, 'invalid'], [4, 'invalid'], [7, 'unloadable']]);
    expect(result.lines).toBe(7);
    const text = await govdb(['audit', 'verify', logPath]);
    expect(text.stdout).toMatch(new RegExp(`BAD ${logPath}:7: \\[unloadable\\] PostgreSQL cannot load this line: .*unpaired surrogate`));
  });

  it('reports a torn last line as a warning, not a broken chain (exit 0)', async () => {
    await writeLog(logPath, 3);
    await fs.appendFile(logPath, '{"ts":"2026-');
    const torn = await govdb(['audit', 'verify', logPath]);
    expect(torn).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK 3 lines/) });
    expect(torn.stderr).toContain(`warning: ${logPath}:4: torn last line (12 bytes without a newline`);
  });
});

describe('govdb audit backfill and maintain', () => {
  let db: TestDatabase;
  let logPath: string;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    logPath = await tempLogPath();
  });
  afterAll(async () => {
    await removeLogDir(logPath);
    await db.drop();
  });

  it('loads legacy lines idempotently, reading naive timestamps in --source-timezone', async () => {
    const legacy = path.join(path.dirname(logPath), 'legacy_audit.jsonl');
    const repeated = '{"timestamp": "2025-11-27T16:23:40.485963", "agent_id": "old_agent", "event_type": "auto_attest", "confidence": 0.8, "details": {"x": 1}}';
    await fs.writeFile(
      legacy,
      [
        repeated,
        repeated, // the same line twice is one event (the importer's rule, so both tools agree)
        '{"timestamp": "2025-11-28T01:00:00Z", "agent_id": "old_agent", "event_type": "lifecycle_paused", "confidence": null, "details": {}, "metadata": {"host": "h1"}}',
        '{"timestamp": "not a time", "agent_id": "old_agent", "event_type": "x", "confidence": 0.1, "details": {}}',
      ].join('\n') + '\n',
    );
    const first = await govdb(['audit', 'backfill', '--database-url', db.url, LEGACY_SAMPLE, legacy]);
    expect(first.code).toBe(1); // one line rejected …
    expect(first.stderr).toContain(`rejected ${legacy}:4: legacy line: timestamp "not a time" is not a timestamp`);
    expect(first.stdout).toContain(`${legacy}: 4 lines (0 audit_log, 3 legacy): 2 inserted, 1 already present, 1 rejected`);

    const rows = await db.pool.query(`select occurred_at, event_type, details from audit.events where source = 'legacy' order by id`);
    expect(rows.rows.map((r) => [r.occurred_at.toISOString(), r.event_type, r.details])).toEqual([
      ['2025-12-12T07:00:00.000Z', 'auto_attest', { x: 1 }], // the sample's naive time read at UTC-07:00
      ['2025-11-27T23:23:40.485Z', 'auto_attest', { x: 1 }],
      ['2025-11-28T01:00:00.000Z', 'lifecycle_paused', { _legacy: { metadata: { host: 'h1' } } }],
    ]);
    const micro = await db.pool.query(`select to_char(occurred_at, 'US') as us from audit.events where agent_id = 'old_agent' and event_type = 'auto_attest'`);
    expect(micro.rows[0].us).toBe('485963'); // microseconds survive

    const again = await govdb(['audit', 'backfill', '--json', '--source-timezone', '-07:00', '--database-url', db.url, LEGACY_SAMPLE, legacy]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).files.map((f: { inserted: number; duplicates: number }) => [f.inserted, f.duplicates])).toEqual([[0, 1], [0, 3]]);
    expect((await db.pool.query(`select count(*)::int as n from audit.events where source = 'legacy'`)).rows[0].n).toBe(3);
  });

  it('backfill names every line PostgreSQL cannot load and loads the others (exit 1)', async () => {
    const file = path.join(path.dirname(logPath), 'poisoned.jsonl');
    const good1 = handMadeLine({ n: 1 }, '2026-02-01T00:00:01.000Z');
    const poison = handMadeLine({ reason: 'lone \ud800 surrogate' }, '2026-02-01T00:00:02.000Z');
    const good2 = handMadeLine({ n: 3 }, '2026-02-01T00:00:03.000Z');
    const legacyNul = '{"timestamp": "2026-02-01T00:00:04Z", "agent_id": "a", "event_type": "x", "confidence": null, "details": {"s": "\\u0000"}}';
    await fs.writeFile(file, [good1, poison, good2, legacyNul, 'garbage'].join('\n') + '\n');
    const out = await govdb(['audit', 'backfill', '--json', '--database-url', db.url, file]);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout).files[0];
    expect(report).toMatchObject({ lines: 5, inserted: 2 });
    expect(report.rejected.map((r: { line: number }) => r.line)).toEqual([2, 4, 5]);
    expect(report.rejected[0].reason).toMatch(/PostgreSQL cannot load it: .*unpaired surrogate/);
  });

  it('verify --db compares the log with audit.events: missing, different and extra rows (exit 3), OK when equal (exit 0)', async () => {
    const own = path.join(path.dirname(logPath), 'compare', 'audit_log.jsonl');
    await writeLog(own, 6);
    const mirror = new AuditMirror(db.pool, { logPath: own, pollIntervalMs: 20 });
    mirror.start();
    await mirror.caughtUp();
    await mirror.stop();
    const same = await govdb(['audit', 'verify', '--db', '--log', own, '--database-url', db.url]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/DB OK: 6 lines compared, 6 matching, 0 missing, 0 different, 0 extra/);
    const hashes = (await fs.readFile(own, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).hash as string);
    await db.pool.query(`update audit.events set details = '{"i": 99}' where content_hash = $1`, [hashes[1]]);
    await db.pool.query('delete from audit.events where content_hash = $1', [hashes[3]]);
    const other = handMadeLine({ stray: true }, '2026-03-01T00:00:00.000Z');
    const strayHash = JSON.parse(other).hash as string;
    await db.pool.query(`select audit.insert_events(jsonb_build_array(jsonb_build_object('occurred_at', '2026-03-01T00:00:00Z', 'event_type', 'agent_paused', 'content_hash', $1::text)), 'server')`, [strayHash]);
    const out = await govdb(['audit', 'verify', '--db', '--json', '--log', own, '--database-url', db.url]);
    expect(out.code).toBe(3);
    const cmp = JSON.parse(out.stdout).database;
    expect(cmp.counts).toEqual({ missing: 1, different: 1, extra: 1 });
    expect(cmp.differences).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'different', line: 2, reason: expect.stringMatching(/differs in details/) }),
      expect.objectContaining({ kind: 'missing', line: 4 }),
      expect.objectContaining({ kind: 'extra', content_hash: strayHash }),
    ]));
    await fs.rm(path.dirname(own), { recursive: true, force: true });
  });

  it('loads our own log once, whether by backfill or by the mirror', async () => {
    await writeLog(logPath, 25, { maxFileBytes: 2048 });
    const loaded = await govdb(['audit', 'backfill', '--json', '--log', logPath, '--database-url', db.url]);
    expect(loaded.code).toBe(0);
    const files = JSON.parse(loaded.stdout).files as Array<{ ours: number; inserted: number }>;
    expect(files.reduce((n, f) => n + f.inserted, 0)).toBe(25);

    const mirror = new AuditMirror(db.pool, { logPath, pollIntervalMs: 20 });
    mirror.start();
    await mirror.caughtUp();
    await mirror.stop();
    expect(mirror.state()).toMatchObject({ rowsInserted: 0, duplicatesSkipped: 25 });
    expect((await db.pool.query(`select count(*)::int as n from audit.events where source = 'backfill' and agent_id = 'agent_v'`)).rows[0].n).toBe(25);
  });

  it('maintain drops monthly partitions older than --keep and refuses a non-positive retention', async () => {
    await db.pool.query(`select * from audit.insert_events($1::jsonb)`, [
      JSON.stringify([{ occurred_at: '1999-01-15T00:00:00Z', event_type: 'old_event', content_hash: 'c'.repeat(64) }]),
    ]);
    const done = await govdb(['audit', 'maintain', '--keep', '1 year', '--database-url', db.url]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('created audit.events_1999_01');
    expect(done.stdout).toContain('dropped audit.events_1999_01');
    expect((await db.pool.query(`select count(*)::int as n from audit.events where event_type = 'old_event'`)).rows[0].n).toBe(0);
    // its dedup key went with it, so the month can be backfilled again from the JSONL archive
    expect((await db.pool.query(`select count(*)::int as n from audit.event_hashes where content_hash = $1`, ['c'.repeat(64)])).rows[0].n).toBe(0);

    const refused = await govdb(['audit', 'maintain', '--keep', '0 days', '--database-url', db.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`govdb: INVALID_INPUT: Retention must be a positive interval, got '00:00:00'`);
  });

  it('insert_events names the first invalid element of a refused batch and inserts nothing of it', async () => {
    const good = { occurred_at: '2026-01-03T00:00:00Z', event_type: 'fine_event', content_hash: 'e'.repeat(64) };
    await expect(db.pool.query(`select * from audit.insert_events($1::jsonb)`, [JSON.stringify([good, { ...good, event_type: 'Bad Type', content_hash: 'f'.repeat(64) }])])).rejects.toMatchObject({
      code: 'GV400',
      message: `Audit event #2 of the batch is invalid: event_type 'Bad Type' does not match ^[a-z][a-z0-9_.:-]{0,63}$`,
    });
    await expect(db.pool.query(`select * from audit.insert_events($1::jsonb)`, [JSON.stringify([good, 7])])).rejects.toMatchObject({
      code: 'GV400',
      message: 'Audit event #2 of the batch is invalid: expected an object, got number',
    });
    expect((await db.pool.query(`select count(*)::int as n from audit.event_hashes where content_hash = $1`, ['e'.repeat(64)])).rows[0].n).toBe(0);
  });

  it('insert_tool_usage deduplicates tool usage rows by content hash', async () => {
    const row = { occurred_at: '2026-01-02T00:00:00Z', tool_name: 'process_agent_update', agent_id: 'a', success: true, latency_ms: 3.5, content_hash: 'd'.repeat(64) };
    const first = await db.pool.query(`select * from audit.insert_tool_usage($1::jsonb, 'legacy')`, [JSON.stringify([row, row])]);
    expect(first.rows[0]).toEqual({ inserted: 1, duplicates: 1 });
    const second = await db.pool.query(`select * from audit.insert_tool_usage($1::jsonb)`, [JSON.stringify([row])]);
    expect(second.rows[0]).toEqual({ inserted: 0, duplicates: 1 });
    await expect(db.pool.query(`select * from audit.insert_tool_usage($1::jsonb)`, [JSON.stringify([{ ...row, success: 'yes' }])])).rejects.toMatchObject({
      code: 'GV400',
      message: 'Tool usage row #1 of the batch is invalid: success is yes, expected true or false',
    });
    // only a JSON boolean: a string or number PostgreSQL could cast is refused too, and a bad element
    // refuses the batch even after a good copy of its hash
    await expect(db.pool.query(`select * from audit.insert_tool_usage($1::jsonb)`, [JSON.stringify([row, { ...row, success: 'true' }])])).rejects.toMatchObject({
      code: 'GV400',
      message: 'Tool usage row #2 of the batch is invalid: success is true, expected true or false',
    });
    await expect(db.pool.query(`select * from audit.insert_tool_usage($1::jsonb)`, [JSON.stringify([{ ...row, content_hash: 'e'.repeat(64), success: 1 }])])).rejects.toMatchObject({
      code: 'GV400',
      message: 'Tool usage row #1 of the batch is invalid: success is 1, expected true or false',
    });
    expect((await db.pool.query(`select count(*)::int n from audit.tool_usage where content_hash = $1`, ['e'.repeat(64)])).rows[0].n).toBe(0);
  });
});
