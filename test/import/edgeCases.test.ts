import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'fs';
import os from 'os';
import path from 'path';
import { importLegacy } from '../../src/import/importLegacy';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

describe('govdb import: generated edge cases', () => {
  let db: TestDatabase;
  let dir: string;
  let out: string;
  const longDetails = 'ż'.repeat(150_000);
  const tooLong = 'x'.repeat(200_001);
  const unicode = 'Ünïcödé ✓ 日本語 مرحبا 🧭 — "quoted" \\ backslash';

  beforeAll(async () => {
    db = await createMigratedDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-edge-'));
    out = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-edge-out-'));
    // a truncated JSON document (the old server died mid-write)
    writeFileSync(path.join(dir, 'agent_metadata.json'), '{"agent_a": {"agent_id": "agent_a", "status": "active", "api_key": "PLAINTEXT-KEY-123456789", "created_at": "2025-11-2');
    // bad lines between good ones
    writeFileSync(path.join(dir, 'mixed.jsonl'), [
      '{"timestamp": "2025-11-27T16:23:40.485963", "tool_name": "health_check", "agent_id": "a", "success": true, "error_type": null}',
      '{"timestamp": "2025-11-27T16:23:41", "tool_name": "health_check", "agent_id": "a", "succ',
      '{"timestamp": "2025-11-27T16:23:42", "tool_name": "list_agents", "agent_id": "a", "success": true, "error_type": null}',
      '{"timestamp": "not a time", "tool_name": "list_agents", "agent_id": "a", "success": true}',
      '',
      '{"timestamp": "2025-11-27T16:23:43", "agent_id": "a", "event_type": "auto_attest", "confidence": 0.9, "details": {"api_key": "SECRET-IN-DETAILS-987654321"}}',
    ].join('\n'));
    // duplicate ids differing only in microseconds, unicode, very long text, and text over the limit
    const node = (id: string, summary: string, details: string) => ({
      id, agent_id: 'ghost_author', type: 'insight', summary, details, tags: ['Edge', 'edge '], severity: 'low', timestamp: id,
      status: 'open', related_to: [], references_files: [], resolved_at: null, updated_at: id,
    });
    writeFileSync(path.join(dir, 'kg.json'), JSON.stringify({
      version: '1.0',
      nodes: {
        '2025-12-01T10:00:00.000001': node('2025-12-01T10:00:00.000001', unicode, longDetails),
        '2025-12-01T10:00:00.000002': node('2025-12-01T10:00:00.000002', 'second', 'short'),
        '2025-12-01T10:00:00.000003': node('2025-12-01T10:00:00.000003', 'too long', tooLong),
      },
      indexes: {},
    }));
    // a dialectic session between two agents no agent source knows
    mkdirSync(path.join(dir, 'dialectic_sessions'));
    writeFileSync(path.join(dir, 'dialectic_sessions', 'abcdef0123456789.json'), JSON.stringify({
      session_id: 'abcdef0123456789', paused_agent_id: 'unknown_paused', reviewer_agent_id: 'unknown_reviewer', phase: 'antithesis', synthesis_round: 0,
      transcript: [
        { phase: 'thesis', agent_id: 'unknown_paused', timestamp: '2025-12-10T23:51:57.511032', root_cause: 'r', observed_metrics: null, proposed_conditions: ['c'], reasoning: unicode, agrees: null, concerns: null },
        { phase: 'antithesis', agent_id: 'unknown_reviewer', timestamp: '2025-12-10T23:53:01.915975', root_cause: null, observed_metrics: {}, proposed_conditions: null, reasoning: 'no', agrees: null, concerns: ['x'] },
      ],
      resolution: null, created_at: '2025-12-10T23:51:48.190598', session_type: 'exploration',
    }));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('imports what it can, quarantines the rest with locations and reasons, and leaks no secret', async () => {
    const report = await importLegacy({
      paths: [dir], databaseUrl: db.url, progress: false, sourceTimezone: 'America/Phoenix',
      quarantineFile: path.join(out, 'q.jsonl'), reportFile: path.join(out, 'r.json'), checkpointFile: path.join(out, 'cp.json'),
    });
    const file = (name: string) => report.files.find((f) => f.path.endsWith(name))!;
    const q = readFileSync(path.join(out, 'q.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

    // truncated JSON: reported as malformed, quarantined as a file, nothing guessed
    expect(file('agent_metadata.json').status).toBe('malformed');
    expect(q.find((e) => e.entity === 'file')?.reason).toContain('invalid JSON');

    // JSONL: good lines imported, bad ones quarantined with their line numbers
    // the broken line names tool_name: it is counted as a tool call (issue 22 finding 6), not an audit event
    expect(file('mixed.jsonl').entities.tool_usage).toMatchObject({ read: 4, inserted: 2, quarantined: 2 });
    expect(file('mixed.jsonl').entities.audit_events).toMatchObject({ read: 1, inserted: 1, quarantined: 0 });
    expect(q.filter((e) => e.source_file.endsWith('mixed.jsonl')).map((e) => e.locator.line)).toEqual([2, 4]);
    expect((await db.pool.query(`select to_char(occurred_at at time zone 'UTC', 'HH24:MI:SS.US') t from audit.tool_usage order by occurred_at limit 1`)).rows[0].t).toBe('23:23:40.485963');

    // ids differing only in microseconds are both kept, exactly; unicode and long text survive
    const discoveries = (await db.pool.query(`select id, summary, length(details) len, tags from knowledge.discoveries order by id`)).rows;
    expect(discoveries.map((d) => d.id)).toEqual(['2025-12-01T10:00:00.000001', '2025-12-01T10:00:00.000002']);
    expect(discoveries[0]).toMatchObject({ summary: unicode, len: 150_000, tags: ['edge'] });
    expect(q.find((e) => e.locator.key === 'nodes.2025-12-01T10:00:00.000003')?.reason).toContain('200001 characters');

    // unknown agents become placeholder agents, never silently dropped
    const placeholders = (await db.pool.query(`select id, metadata from core.agents where metadata @> '{"placeholder": true}' order by id`)).rows;
    expect(placeholders.map((p) => p.id)).toEqual(['ghost_author', 'unknown_paused', 'unknown_reviewer']);
    expect(placeholders[1].metadata.source).toBe(path.join(path.basename(dir), 'dialectic_sessions', 'abcdef0123456789.json'));
    const messages = (await db.pool.query(`select seq, message_type, agent_id, reasoning from core.dialectic_messages order by seq`)).rows;
    expect(messages).toEqual([
      { seq: 1, message_type: 'thesis', agent_id: 'unknown_paused', reasoning: unicode },
      { seq: 2, message_type: 'antithesis', agent_id: 'unknown_reviewer', reasoning: 'no' },
    ]);

    // secrets: neither in the database nor in the quarantine file nor in the report
    const dump = (await db.pool.query(`select (select coalesce(jsonb_agg(details), '[]') from audit.events)::text as t`)).rows[0].t;
    for (const text of [dump, readFileSync(path.join(out, 'q.jsonl'), 'utf8'), readFileSync(path.join(out, 'r.json'), 'utf8')]) {
      expect(text).not.toContain('SECRET-IN-DETAILS-987654321');
      expect(text).not.toContain('PLAINTEXT-KEY-123456789');
    }
  });

  it('dry-run runs the import in a rolled-back transaction: the real counts, nothing written', async () => {
    const db2 = await createMigratedDatabase();
    try {
      const report = await importLegacy({ paths: [dir], databaseUrl: db2.url, dryRun: true, progress: false, checkpointFile: path.join(out, 'dry-cp.json') });
      expect(report.dry_run_in_database).toBe(true);
      expect(report.totals.tool_usage).toMatchObject({ read: 4, quarantined: 2, inserted: 2 });
      expect(Number((await db2.pool.query('select count(*) n from audit.tool_usage')).rows[0].n)).toBe(0);
      expect(Number((await db2.pool.query('select count(*) n from core.agents')).rows[0].n)).toBe(0);
      expect(() => readFileSync(path.join(out, 'dry-cp.json'))).toThrow();
    } finally {
      await db2.drop();
    }
  });
});
