import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'fs';
import os from 'os';
import path from 'path';
import { exitCodeOf } from '../../src/import/report';
import { importLegacy, ImportOptions } from '../../src/import/importLegacy';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { agent, message, session, stateDoc, writeGovernanceDb, writeJson, writeJsonl } from './fixtures/generate';

/** Issue 22: each finding as a synthetic fixture with its exact counts. */
describe('govdb import fidelity (issue 22)', () => {
  const tmp: string[] = [];
  const dbs: TestDatabase[] = [];
  const dir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-f-'));
    tmp.push(d);
    return d;
  };
  const freshDb = async () => {
    const db = await createMigratedDatabase();
    dbs.push(db);
    return db;
  };
  const run = (db: TestDatabase | undefined, src: string, o: Partial<ImportOptions> = {}) => {
    const out = dir();
    return importLegacy({ paths: [src], databaseUrl: db?.url, progress: false, reportFile: path.join(out, 'r.json'), ...o });
  };
  const rows = async (db: TestDatabase, sql: string) => (await db.pool.query(sql)).rows;
  afterAll(async () => {
    for (const db of dbs) await db.drop();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  it('finding 1: self-review, resolution in synthesis, 0/1 agrees and "failed" entries are stored with anomalies, not quarantined', async () => {
    const src = dir();
    writeJson(src, 'agent_metadata.json', { paused_a: agent('paused_a'), reviewer_b: agent('reviewer_b') });
    writeJson(src, 'dialectic_sessions/1111111111111111.json', session('1111111111111111', {
      reviewer_agent_id: 'paused_a', transcript: [message('thesis', 'paused_a', 1), message('antithesis', 'paused_a', 2), message('synthesis', 'paused_a', 3, { agrees: true })],
    }));
    writeJson(src, 'dialectic_sessions/2222222222222222.json', session('2222222222222222', {
      phase: 'synthesis', resolution: { action: 'resume', timestamp: '2025-12-10T12:00:09' },
      transcript: [message('thesis', 'paused_a', 1), message('synthesis', 'paused_a', 3, { agrees: 1 }), message('synthesis', 'reviewer_b', 4, { agrees: 0 })],
    }));
    writeJson(src, 'dialectic_sessions/3333333333333333.json', session('3333333333333333', {
      phase: 'failed', transcript: [message('thesis', 'paused_a', 1), message('antithesis', 'reviewer_b', 2), message('failed', 'reviewer_b', 5)],
    }));
    writeJson(src, 'dialectic_sessions/4444444444444444.json', session('4444444444444444', { phase: 'complete', resolution: { action: 'resume' }, transcript: [] }));
    const db = await freshDb();
    const r = await run(db, src);
    expect(r.totals.dialectic_sessions).toEqual({ read: 4, inserted: 4, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.totals.dialectic_messages).toEqual({ read: 9, inserted: 9, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.quarantined).toBe(0);
    expect(r.anomalies.dialectic_sessions).toEqual({ self_review: 1, resolution_before_resolved: 1, phase_mapped: 1 });
    expect(r.anomalies.dialectic_messages).toEqual({ message_phase_mapped: 1, system_message_with_agent: 1 });
    expect(r.consistency).toEqual({ ok: true, contradictions: [] });
    expect(exitCodeOf(r)).toBe(0);
    const sessions = await rows(db, `select id, phase, status, origin, anomalies, legacy_original ->> 'phase' as legacy_phase from core.dialectic_sessions order by id`);
    expect(sessions).toEqual([
      { id: '1111111111111111', phase: 'antithesis', status: 'active', origin: 'legacy', anomalies: ['self_review'], legacy_phase: null },
      { id: '2222222222222222', phase: 'synthesis', status: 'active', origin: 'legacy', anomalies: ['resolution_before_resolved'], legacy_phase: null },
      { id: '3333333333333333', phase: 'failed', status: 'failed', origin: 'legacy', anomalies: [], legacy_phase: null },
      { id: '4444444444444444', phase: 'resolved', status: 'resolved', origin: 'legacy', anomalies: ['phase_mapped'], legacy_phase: 'complete' },
    ]);
    const msgs = await rows(db, `select session_id, seq, message_type, agent_id, agrees, legacy_original from core.dialectic_messages where session_id in ('2222222222222222', '3333333333333333') order by 1, 2`);
    expect(msgs).toEqual([
      { session_id: '2222222222222222', seq: 1, message_type: 'thesis', agent_id: 'paused_a', agrees: null, legacy_original: null },
      { session_id: '2222222222222222', seq: 2, message_type: 'synthesis', agent_id: 'paused_a', agrees: true, legacy_original: { agrees: 1 } },
      { session_id: '2222222222222222', seq: 3, message_type: 'synthesis', agent_id: 'reviewer_b', agrees: false, legacy_original: { agrees: 0 } },
      { session_id: '3333333333333333', seq: 1, message_type: 'thesis', agent_id: 'paused_a', agrees: null, legacy_original: null },
      { session_id: '3333333333333333', seq: 2, message_type: 'antithesis', agent_id: 'reviewer_b', agrees: null, legacy_original: null },
      { session_id: '3333333333333333', seq: 3, message_type: 'system', agent_id: 'reviewer_b', agrees: null, legacy_original: { phase: 'failed' } },
    ]);
    // live writes still obey today's invariants
    await expect(db.pool.query(`insert into core.dialectic_sessions (id, paused_agent_id, reviewer_agent_id) values ('live_self', 'paused_a', 'paused_a')`))
      .rejects.toMatchObject({ constraint: 'dialectic_reviewer_not_paused' });
    await expect(db.pool.query(`insert into core.dialectic_sessions (id, paused_agent_id, origin, anomalies) values ('live_anom', 'paused_a', 'live', '{self_review}')`))
      .rejects.toMatchObject({ constraint: 'dialectic_sessions_anomalies_legacy_only' });
  });

  it('finding 2: every entry of every history is a row; missing times derived from the record and flagged; re-import of touched files changes nothing', async () => {
    const src = dir();
    writeJson(src, 'agent_metadata.json', { nots_agent: agent('nots_agent', { last_update: '2025-12-05T08:00:00.000005' }), short_agent: agent('short_agent'), sql_agent: agent('sql_agent') });
    writeJson(src, 'agents/nots_agent_state.json', stateDoc(5, 0));
    writeJson(src, 'agents/short_agent_state.json', stateDoc(11, 6));
    writeJson(src, 'agents/nobody_agent_state.json', stateDoc(2, 0)); // no time anywhere, no agent: quarantined
    writeGovernanceDb(path.join(src, 'governance.db'), {
      states: [{ agent_id: 'sql_agent', E: 0.5, I: 0.6, S: 0.2, V: 0, coherence: 0.5, regime: 'x', update_count: 4, void_active: 0, state_json: JSON.stringify(stateDoc(4, 0)), updated_at: '2025-12-06T09:00:00' }],
    });
    const db = await freshDb();
    const r = await run(db, src);
    expect(r.totals.agent_states).toEqual({ read: 22, inserted: 20, updated: 0, already_present: 0, quarantined: 2 });
    expect(r.anomalies.agent_states).toEqual({ recorded_at_derived: 5 + 5 + 4 }); // of the rows stored
    expect(await rows(db, `select count(*)::int n from core.agents where id = 'nobody_agent'`)).toEqual([{ n: 0 }]);
    const counts = await rows(db, `select agent_id, count(*)::int n, count(*) filter (where 'recorded_at_derived' = any(anomalies))::int derived,
        bool_and(origin = 'legacy') legacy from core.agent_state group by 1 order by 1`);
    expect(counts).toEqual([
      { agent_id: 'nots_agent', n: 5, derived: 5, legacy: true },
      { agent_id: 'short_agent', n: 11, derived: 5, legacy: true },
      { agent_id: 'sql_agent', n: 4, derived: 4, legacy: true },
    ]);
    // derived times: from the record (agent's last update, first timestamp, row's updated_at), one microsecond apart, in order
    const times = await rows(db, `select agent_id, seq, to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') t, energy from core.agent_state order by agent_id, seq`);
    const of = (id: string) => times.filter((x) => x.agent_id === id).map((x) => x.t);
    expect(of('nots_agent')).toEqual(['2025-12-05T15:00:00.000001', '2025-12-05T15:00:00.000002', '2025-12-05T15:00:00.000003', '2025-12-05T15:00:00.000004', '2025-12-05T15:00:00.000005']);
    expect(of('short_agent').slice(4, 7)).toEqual(['2025-12-12T11:10:00.000000', '2025-12-12T11:10:00.000001', '2025-12-12T11:11:00.000001']);
    expect(of('sql_agent')[3]).toBe('2025-12-06T16:00:00.000000');
    expect(times.filter((x) => x.agent_id === 'short_agent').map((x) => x.energy)).toEqual(Array.from({ length: 11 }, (_, i) => 0.5 + i / 100));
    // touch every file (a copy or checkout): nothing changes
    const later = new Date('2030-01-01T00:00:00Z');
    for (const f of ['agents/nots_agent_state.json', 'agents/short_agent_state.json', 'governance.db', 'agent_metadata.json']) utimesSync(path.join(src, f), later, later);
    const before = await rows(db, `select agent_id, seq, recorded_at, state from core.agent_state order by 1, 2`);
    const again = await run(db, src);
    expect(again.totals.agent_states).toEqual({ read: 22, inserted: 0, updated: 0, already_present: 20, quarantined: 2 });
    expect(await rows(db, `select agent_id, seq, recorded_at, state from core.agent_state order by 1, 2`)).toEqual(before);
  });

  it('finding 3: later snapshots merge by evidence in any file order; the consistency check fails on a planted contradiction', async () => {
    const snapActive = { x: agent('x', { status: 'active' }), y: agent('y', { status: 'archived', archived_at: '2025-12-02T09:00:00', lifecycle_events: [{ event: 'archived', timestamp: '2025-12-02T09:00:00', reason: 'old' }] }) };
    const snapArchived = {
      x: agent('x', { status: 'archived', archived_at: '2025-12-03T09:00:00', lifecycle_events: [{ event: 'created', timestamp: '2025-12-01T10:00:00.000001', reason: null }, { event: 'archived', timestamp: '2025-12-03T09:00:00', reason: 'done' }] }),
      y: agent('y', { status: 'active', lifecycle_events: [{ event: 'resumed', timestamp: '2025-12-04T09:00:00', reason: 'back' }] }),
    };
    const results: unknown[] = [];
    for (const [first, second] of [[snapActive, snapArchived], [snapArchived, snapActive]]) {
      const src = dir();
      writeJson(src, 'a_agent_metadata.json', first);
      writeJson(src, 'b_agent_metadata.json', second);
      const db = await freshDb();
      const r = await run(db, src);
      expect(r.consistency).toEqual({ ok: true, contradictions: [] });
      results.push(await rows(db, `select id, status, to_char(archived_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') archived_at from core.agents order by id`));
      if (results.length === 2) {
        // plant contradictions: the function finds each kind
        // (behind the back of core.transition_agent: session_replication_role = replica skips its guard trigger)
        await db.pool.query(`begin; set local session_replication_role = replica;
          update core.agents set status = 'active', archived_at = null where id = 'x';
          update core.agents set status = 'active' where id = 'y';
          update core.agents set archived_at = '2025-12-05T00:00:00Z' where id = 'y';
          commit`);
        const found = await rows(db, `select kind, subject from core.import_consistency_check()`);
        expect(found).toEqual([
          { kind: 'agent_archived_at_vs_status', subject: 'y' },
          { kind: 'agent_status_vs_events', subject: 'x' },
        ]);
        // and a run fails on a contradiction it cannot settle (exit code 4)
        await db.pool.query(`insert into core.dialectic_sessions (id, paused_agent_id, phase, status, resolution, origin) values ('planted', 'x', 'thesis', 'active', '{}', 'legacy')`);
        const failed = await run(db, src);
        expect(failed.consistency!.contradictions.map((c) => [c.kind, c.subject])).toEqual([['dialectic_phase_vs_status', 'planted']]);
        expect(exitCodeOf(failed)).toBe(4);
      }
    }
    expect(results[0]).toEqual([
      { id: 'x', status: 'archived', archived_at: '2025-12-03T16:00:00' },
      { id: 'y', status: 'active', archived_at: null },
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  it('finding 4: SQLite dialectic tables are imported; a recognised table that is not imported fails the run unless allowed', async () => {
    const src = dir();
    writeGovernanceDb(path.join(src, 'governance.db'), {
      agents: [{ agent_id: 'p1', api_key: 'PLAINTEXT-SQLITE-KEY-000001', created_at: '2025-12-01T10:00:00', updated_at: '2025-12-01T10:00:00' }],
      sessions: [
        { session_id: 'sq00000000000001', paused_agent_id: 'p1', reviewer_agent_id: 'r1', phase: 'resolved', status: 'resolved', created_at: '2025-12-10T10:00:00', resolution_json: '{"action": "resume"}', session_type: 'exploration', topic: 't' },
        { session_id: 'sq00000000000002', paused_agent_id: 'p1', reviewer_agent_id: 'p1', phase: 'thesis', status: 'active', created_at: '2025-12-11T10:00:00' },
      ],
      messages: [
        { session_id: 'sq00000000000001', agent_id: 'p1', message_type: 'thesis', timestamp: '2025-12-10T10:01:00', root_cause: 'x', proposed_conditions_json: '["a"]' },
        { session_id: 'sq00000000000001', agent_id: 'r1', message_type: 'synthesis', timestamp: '2025-12-10T10:02:00', agrees: 1 },
        { session_id: 'sq00000000000002', agent_id: 'p1', message_type: 'thesis', timestamp: '2025-12-11T10:01:00', agrees: 0 },
      ],
      unknownTable: true,
    });
    const db = await freshDb();
    const r = await run(db, src);
    expect(r.totals.dialectic_sessions).toEqual({ read: 2, inserted: 2, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.totals.dialectic_messages).toEqual({ read: 3, inserted: 3, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.files[0]!.tables!.filter((t) => t.name.startsWith('dialectic')).map((t) => [t.name, t.shape, t.imported])).toEqual([
      ['dialectic_messages', 'dialectic_messages/sqlite_backend', true], ['dialectic_sessions', 'dialectic_sessions/sqlite_backend', true],
    ]);
    expect(r.not_imported).toEqual([expect.stringMatching(/\/governance\.db: SQLite table mystery_things \(2 rows\) matches no known legacy shape$/)]);
    expect(exitCodeOf(r)).toBe(5);
    expect(await rows(db, `select session_id, seq, message_type, agrees from core.dialectic_messages order by 1, 2`)).toEqual([
      { session_id: 'sq00000000000001', seq: 1, message_type: 'thesis', agrees: null },
      { session_id: 'sq00000000000001', seq: 2, message_type: 'synthesis', agrees: true },
      { session_id: 'sq00000000000002', seq: 1, message_type: 'thesis', agrees: false },
    ]);
    const allowed = await run(db, src, { allowSkip: true });
    expect(exitCodeOf(allowed)).toBe(0);
    expect(allowed.totals.dialectic_messages).toMatchObject({ read: 3, inserted: 0, already_present: 3 });
  });

  it('finding 5: a UTF-8 byte order mark does not cost the first line (JSON lines) or the document (JSON)', async () => {
    const src = dir();
    writeJsonl(src, 'tool_usage.jsonl', [
      { timestamp: '2025-11-27T16:23:40', tool_name: 'health_check', agent_id: 'a', success: true, error_type: null },
      { timestamp: '2025-11-27T16:23:41', tool_name: 'list_agents', agent_id: 'a', success: true, error_type: null },
    ], { bom: true });
    writeJson(src, 'calibration_state.json', { bins: { '0.0-0.1': { count: 1, predicted_correct: 0, actual_correct: 0, confidence_sum: 0.05 } } }, { bom: true });
    const db = await freshDb();
    const r = await run(db, src);
    expect(r.totals.tool_usage).toEqual({ read: 2, inserted: 2, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.totals.calibration_bins).toEqual({ read: 1, inserted: 1, updated: 0, already_present: 0, quarantined: 0 });
  });

  it('finding 6: broken tool lines, history exports, wrapped agents, last_updated, placeholder times, shell-accident ids', async () => {
    const src = dir();
    writeJsonl(src, 'tool_usage.jsonl', [
      { timestamp: '2025-11-27T16:23:40', tool_name: 'health_check', agent_id: '--help', success: true, error_type: null },
      '{"timestamp": "2025-11-27T16:23:41", "tool_name": "health_check", "succ',
    ]);
    writeJson(src, 'exports/export_of_agent.json', { agent_id: 'exported_agent', history: { ...stateDoc(3, 3) } });
    writeJson(src, 'agent_metadata.json', {
      wrapped_agent: { agent_id: 'wrapped_agent', metadata: { created_at: '2025-12-01T10:00:00', status: 'paused', last_update: '2025-12-02T10:00:00' } },
      lu_agent: { agent_id: 'lu_agent', status: 'active', created_at: '2025-12-01T10:00:00', last_updated: '2025-12-09T10:00:00' },
      'brand_new_agent_$(date +%s)': agent('brand_new_agent_$(date +%s)'),
      '--help': agent('--help'),
    });
    writeJson(src, 'knowledge_graph.json', { version: '1.0', indexes: {}, nodes: {
      '2025-12-01T10:00:00.000009': { id: '2025-12-01T10:00:00.000009', agent_id: '--help', type: 'insight', summary: 's', details: 'd', tags: [], severity: 'low', timestamp: '2025-12-01T10:00:00.000009', status: 'open', related_to: [], references_files: [] },
    } });
    writeJson(src, 'dialectic_sessions/5555555555555555.json', session('5555555555555555', {
      paused_agent_id: 'ghost_paused', reviewer_agent_id: 'ghost_reviewer', created_at: '2025-12-10T12:00:00',
      transcript: [message('thesis', 'ghost_paused', 1), message('antithesis', 'ghost_reviewer', 7)],
    }));
    const db = await freshDb();
    const r = await run(db, src);
    const file = (name: string) => r.files.find((f) => f.path.endsWith(name))!;
    expect(file('tool_usage.jsonl').entities).toEqual({ tool_usage: { read: 2, inserted: 1, updated: 0, already_present: 0, quarantined: 1 } });
    expect(file('export_of_agent.json').entities.agent_states).toEqual({ read: 3, inserted: 3, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.totals.agents).toEqual({ read: 4, inserted: 4, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.anomalies.agents).toEqual({ agent_id_format: 2 });
    expect(r.totals.discoveries).toEqual({ read: 1, inserted: 1, updated: 0, already_present: 0, quarantined: 0 });
    expect(r.reconciliation!.checks.filter((c) => !c.ok)).toEqual([]); // the AGE projection takes such ids too
    const agents = await rows(db, `select id, status, origin, anomalies, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') created,
        to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') updated from core.agents order by id`);
    expect(agents).toEqual([
      { id: '--help', status: 'active', origin: 'legacy', anomalies: ['agent_id_format'], created: '2025-12-01T17:00:00', updated: '2025-12-02T17:00:00' },
      { id: 'brand_new_agent_$(date +%s)', status: 'active', origin: 'legacy', anomalies: ['agent_id_format'], created: '2025-12-01T17:00:00', updated: '2025-12-02T17:00:00' },
      { id: 'exported_agent', status: 'active', origin: 'legacy', anomalies: [], created: '2025-12-12T11:10:00', updated: '2025-12-12T11:12:00' },
      { id: 'ghost_paused', status: 'active', origin: 'legacy', anomalies: [], created: '2025-12-10T19:00:00', updated: '2025-12-10T19:00:01' },
      { id: 'ghost_reviewer', status: 'active', origin: 'legacy', anomalies: [], created: '2025-12-10T19:00:00', updated: '2025-12-10T19:00:07' },
      { id: 'lu_agent', status: 'active', origin: 'legacy', anomalies: [], created: '2025-12-01T17:00:00', updated: '2025-12-09T17:00:00' },
      { id: 'wrapped_agent', status: 'paused', origin: 'legacy', anomalies: [], created: '2025-12-01T17:00:00', updated: '2025-12-02T17:00:00' },
    ]);
    // a live write still obeys the id format
    await expect(db.pool.query(`insert into core.agents (id) values ('--live')`)).rejects.toMatchObject({ constraint: 'agents_id_format' });
  });

  it('finding 7: --dry-run gives the counts of the real run and writes nothing; files go next to the report, never the cwd', async () => {
    const src = dir();
    writeJson(src, 'agent_metadata.json', { a: agent('a'), b: agent('b', { status: 'bogus' }) });
    writeJson(src, 'dialectic_sessions/6666666666666666.json', session('6666666666666666', { discovery_id: 'no-such-discovery' }));
    writeJsonl(src, 'tool_usage.jsonl', [{ timestamp: 'nope', tool_name: 'x', success: true }, { timestamp: '2025-11-27T16:23:41', tool_name: 'x', success: true }]);
    const db = await freshDb();
    const cwdBefore = readdirSync(process.cwd()).sort();
    const dry = await run(db, src, { dryRun: true });
    expect(await rows(db, `select count(*)::int n from core.agents`)).toEqual([{ n: 0 }]);
    const real = await run(db, src);
    expect(dry.dry_run_in_database).toBe(true);
    expect(dry.totals).toEqual(real.totals);
    expect({ q: dry.quarantined, p: dry.placeholder_agents_created, d: dry.dangling_links, a: dry.anomalies }).toEqual({ q: real.quarantined, p: real.placeholder_agents_created, d: real.dangling_links, a: real.anomalies });
    expect(real.quarantine_file).toBe(path.join(path.dirname(real.checkpoint_file!), 'r.quarantine.jsonl'));
    expect(readdirSync(process.cwd()).sort()).toEqual(cwdBefore);
  });
});
