import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { importLegacy } from '../../src/import/importLegacy';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { agent, message, session, stateDoc, writeGovernanceDb, writeJson } from './fixtures/generate';

/**
 * Property (issue 22, "merge by evidence"): importing any mix of legacy snapshots gives the same
 * database whatever order the files are read in. The files are passed as single paths in a random
 * order, so the file names (and with them every legacy_source) stay the same between the runs.
 */
describe('govdb import: any mix of snapshots in any file order gives the same database', () => {
  let dir: string;
  const files: string[] = [];
  const dbs: TestDatabase[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-prop-'));
    const ev = (event: string, timestamp: string, reason: string | null = null) => ({ event, timestamp, reason });
    const created = ev('created', '2025-12-01T10:00:00.000001');
    // the base snapshot: always part of the mix (the agents the others refer to)
    files.push(writeJson(dir, 's0/agent_metadata.json', { x: agent('x'), y: agent('y'), z: agent('z', { status: 'paused', paused_at: '2025-12-02T09:00:00' }) }));
    // same last_update, different status / archived_at / events (the old server archived without touching last_update)
    files.push(writeJson(dir, 's1/agent_metadata.json', { x: agent('x', { status: 'archived', archived_at: '2025-12-02T08:00:00', lifecycle_events: [created, ev('archived', '2025-12-02T08:00:00', 'done')] }) }));
    files.push(writeJson(dir, 's2/agent_metadata.json', { x: agent('x', { status: 'active', lifecycle_events: [created, ev('resumed', '2025-12-02T09:30:00', 'again')] }), y: agent('y', { notes: 'other copy' }) }));
    files.push(writeJson(dir, 's3/agent_metadata.json', { y: agent('y', { status: 'archived', last_update: '2025-12-04T10:00:00', lifecycle_events: [created, ev('archived', '2025-12-04T10:00:00')] }) }));
    // state histories of one agent that grew between snapshots, with and without timestamps
    files.push(writeJson(dir, 's4/x_state.json', stateDoc(3, 3)));
    files.push(writeJson(dir, 's5/x_state.json', stateDoc(5, 3)));
    files.push(writeJson(dir, 's6/y_state.json', stateDoc(4, 0)));
    // one dialectic session seen at two moments, and once more in the SQLite store
    const s = session('7777777777777777', { paused_agent_id: 'x', reviewer_agent_id: 'y', transcript: [message('thesis', 'x', 1)] });
    files.push(writeJson(dir, 's7/7777777777777777.json', s));
    files.push(writeJson(dir, 's8/7777777777777777.json', { ...s, phase: 'synthesis', updated_at: '2025-12-10T12:00:30', transcript: [message('thesis', 'x', 1), message('antithesis', 'y', 2), message('synthesis', 'x', 3, { agrees: 1 })] }));
    // the same discovery in two knowledge graphs with the same updated_at but different content
    const node = (summary: string, tags: string[]) => ({ id: '2025-12-01T10:00:00.000001', agent_id: 'x', type: 'insight', summary, details: 'd', tags, severity: 'low',
      timestamp: '2025-12-01T10:00:00.000001', updated_at: '2025-12-02T10:00:00', status: 'open', related_to: [], references_files: [] });
    files.push(writeJson(dir, 's10/knowledge_graph.json', { version: '1.0', indexes: {}, nodes: { '2025-12-01T10:00:00.000001': node('first copy', ['a', 'b']) } }));
    files.push(writeJson(dir, 's11/knowledge_graph.json', { version: '1.0', indexes: {}, nodes: { '2025-12-01T10:00:00.000001': node('second copy', ['b', 'c']) } }));
    files.push(writeGovernanceDb(path.join(dir, 's9/governance.db'), {
      agents: [{ agent_id: 'z', api_key: 'PLAINTEXT-PROP-KEY-0000001', created_at: '2025-12-01T10:00:00.000001', updated_at: '2025-12-02T10:00:00.000001', status: 'archived', lifecycle_events_json: JSON.stringify([ev('archived', '2025-12-02T10:00:00.000001')]) }],
      sessions: [{ session_id: '7777777777777777', paused_agent_id: 'x', reviewer_agent_id: 'y', phase: 'synthesis', status: 'active', created_at: '2025-12-10T12:00:00.000001', updated_at: '2025-12-10T12:00:30' }],
      messages: [{ session_id: '7777777777777777', agent_id: 'x', message_type: 'thesis', timestamp: '2025-12-10T12:00:01.000001', root_cause: 'r', reasoning: 'thesis by x', proposed_conditions_json: '["c"]' }],
    }));
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every imported row, without surrogate ids, in a stable order. */
  async function dump(db: TestDatabase): Promise<unknown> {
    const q = async (sql: string) => (await db.pool.query(sql)).rows;
    return {
      agents: await q(`select a.id, a.status, a.origin, a.anomalies, a.metadata, a.created_at, a.updated_at, a.paused_at, a.archived_at, a.deleted_at, x.update_count, x.last_activity_at, a.notes, a.api_key_hash from core.agents a left join core.agent_activity x on x.agent_id = a.id order by a.id`),
      events: await q(`select agent_id, event, reason, occurred_at, details from core.agent_lifecycle_events order by agent_id, occurred_at, details ->> 'import_key'`),
      states: await q(`select agent_id, seq, recorded_at, energy, information, entropy, void, coherence, risk, regime, anomalies, state from core.agent_state order by agent_id, seq`),
      sessions: await q(`select id, paused_agent_id, reviewer_agent_id, phase, status, resolution, reason, created_at, updated_at, anomalies, legacy_original from core.dialectic_sessions order by id`),
      messages: await q(`select session_id, seq, message_type, agent_id, reasoning, agrees, created_at, anomalies, legacy_original from core.dialectic_messages order by session_id, seq`),
      discoveries: await q(`select id, summary, tags, provenance, updated_at from knowledge.discoveries order by id`),
      tags: await q(`select discovery_id, tag from knowledge.discovery_tags order by 1, 2`),
    };
  }

  async function importInOrder(order: string[]): Promise<unknown> {
    const db = await createMigratedDatabase();
    dbs.push(db);
    const out = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-prop-out-'));
    try {
      const r = await importLegacy({ paths: order, databaseUrl: db.url, progress: false, reportFile: path.join(out, 'r.json') });
      expect(r.consistency).toEqual({ ok: true, contradictions: [] });
      return await dump(db);
    } finally {
      rmSync(out, { recursive: true, force: true });
      await db.drop();
      dbs.pop();
    }
  }

  it('holds for random mixes and orders', async () => {
    const rest = files.slice(1);
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(rest, { minLength: 1 }).chain((mix) => fc.tuple(fc.shuffledSubarray([files[0]!, ...mix], { minLength: mix.length + 1 }), fc.shuffledSubarray([files[0]!, ...mix], { minLength: mix.length + 1 }))),
        async ([a, b]) => {
          expect(await importInOrder(b)).toEqual(await importInOrder(a));
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);

  it('holds for the full mix read forwards and backwards (the rows the merge rule must pick)', async () => {
    const forwards = await importInOrder(files);
    expect(await importInOrder([...files].reverse())).toEqual(forwards);
    const { agents } = forwards as { agents: { id: string; status: string }[] };
    // x: archived (s1) then resumed later (s2) -> active; y: archived by the newer s3; z: archived in SQLite, evidence wins
    expect(agents.map((a) => [a.id, a.status])).toEqual([['x', 'active'], ['y', 'archived'], ['z', 'archived']]);
  }, 60_000);
});
