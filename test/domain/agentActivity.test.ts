import fc from 'fast-check';
import { Pool, PoolClient } from 'pg';
import { createPool } from '../../src/db/pool';
import { createAgentService } from '../../src/domain/agents';
import { createEisvService } from '../../src/domain/eisv';
import { GovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * The counters of an agent live in core.agent_activity (migration agent_activity); the agent row is
 * only locked by process_agent_update. These tests pin what must not change: a status change and an
 * update of one agent run one after the other, a refused update leaves nothing behind, and
 * update_count counts exactly the accepted updates on top of a legacy base.
 */
let db: TestDatabase;
let pool: Pool;
const agents = () => createAgentService(db.pool);
const report = { complexity: 0.4, confidence: 0.7, responseLength: 120 };

beforeAll(async () => {
  db = await createMigratedDatabase();
  pool = createPool(db.url, { max: 4 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

async function activity(agentId: string) {
  const { rows } = await db.pool.query(
    `select x.update_count::int as n, x.last_activity_at as at,
            (select count(*)::int from core.agent_state s where s.agent_id = x.agent_id) as states
       from core.agent_activity x where x.agent_id = $1`, [agentId]);
  return rows[0] as { n: number; at: Date | null; states: number };
}

/** Waits until the backend `pid` waits for a lock (the other session holds the agent row). */
async function waitsForLock(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.pool.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pid]);
    if (rows[0]?.wait_event_type === 'Lock') return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

async function withTwo<T>(fn: (a: PoolClient, b: PoolClient, pidB: number) => Promise<T>): Promise<T> {
  const a = await pool.connect();
  const b = await pool.connect();
  try {
    const pidB = (await b.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    return await fn(a, b, pidB);
  } finally {
    await a.query('rollback').catch(() => undefined);
    a.release();
    b.release();
  }
}

describe('process_agent_update and a concurrent status change', () => {
  it('a pause holding the agent row makes the update wait, then refuses it: no state row, no counter change', async () => {
    const { agentId } = await agents().onboard({ label: 'activity-pause-first' });
    await createEisvService(db.pool).processUpdate({ agentId, ...report });
    const before = await activity(agentId);
    expect(before).toMatchObject({ n: 1, states: 1 });

    await withTwo(async (a, b, pidB) => {
      await a.query('begin');
      await a.query(`select * from core.transition_agent($1, 'paused', 'self', $1)`, [agentId]);
      const update = createEisvService(b).processUpdate({ agentId, ...report }).then(() => null, (e) => e);
      expect(await waitsForLock(pidB)).toBe(true);
      await a.query('commit');
      const err = await update;
      expect(err).toBeInstanceOf(GovdbError);
      expect(err.code).toBe('AGENT_PAUSED');
    });
    expect(await activity(agentId)).toEqual(before);
    expect((await agents().get(agentId)).status).toBe('paused');
  });

  it('an update holding the agent row makes the pause wait; both happen, the update first', async () => {
    const { agentId } = await agents().onboard({ label: 'activity-update-first' });
    await withTwo(async (a, b, pidB) => {
      await a.query('begin');
      const { rows } = await a.query(
        `select seq::int, update_count::int, agent_status from core.process_agent_update($1, 0.4, 0.7, 120)`, [agentId]);
      expect(rows[0]).toEqual({ seq: 1, update_count: 1, agent_status: 'active' });
      const pause = createAgentService(b).pause(agentId);
      expect(await waitsForLock(pidB)).toBe(true);
      await a.query('commit');
      expect(await pause).toMatchObject({ fromStatus: 'active', toStatus: 'paused' });
    });
    expect(await activity(agentId)).toMatchObject({ n: 1, states: 1 });
    expect((await agents().get(agentId)).status).toBe('paused');
  });
});

describe('update_count counts accepted updates (property)', () => {
  type Op = 'update' | 'invalid' | 'pause' | 'resume' | 'waiting';
  const op = fc.constantFrom<Op>('update', 'update', 'update', 'invalid', 'pause', 'resume', 'waiting');
  let n = 0;

  it('legacy base + accepted updates, last_activity_at the latest accepted update (legacy time before any)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), fc.array(op, { minLength: 1, maxLength: 12 }),
      async (base, withLegacyTime, ops) => {
        const agentId = `activity-prop-${++n}`;
        const legacyAt = withLegacyTime ? '2025-06-01T12:00:00.000Z' : null;
        // imported the way the legacy importer stores agents: counters as they happened
        await db.pool.query(`select * from core.import_agents($1::jsonb)`, [JSON.stringify([{
          id: agentId, status: 'active', created_at: '2025-05-01T00:00:00Z', updated_at: '2025-06-01T12:00:00Z',
          update_count: base, last_activity_at: legacyAt, evidence_at: null, import_rank: 'a' }])]);
        expect(await activity(agentId)).toMatchObject({ n: base, at: legacyAt === null ? null : new Date(legacyAt), states: 0 });

        const eisv = createEisvService(db.pool);
        const service = agents();
        let status = 'active';
        let accepted = 0;
        let lastAt: Date | null = legacyAt === null ? null : new Date(legacyAt);
        for (const o of ops) {
          if (o === 'update' || o === 'invalid') {
            const r = await eisv.processUpdate({ agentId, ...report, complexity: o === 'invalid' ? 2 : 0.4 }).then((u) => u, (e) => e);
            if (o === 'update' && (status === 'active' || status === 'waiting_input')) {
              expect(r).toMatchObject({ seq: accepted + 1, updateCount: base + accepted + 1 });
              accepted += 1;
              lastAt = r.recordedAt;
            } else {
              expect(r).toBeInstanceOf(GovdbError);
              expect(r.code).toBe(o === 'invalid' ? 'INVALID_INPUT' : 'AGENT_PAUSED');
            }
          } else if (o === 'pause' && status !== 'paused') {
            await service.pause(agentId);
            status = 'paused';
          } else if (o === 'resume' && status !== 'active') {
            await service.resume(agentId, { authority: 'admin', actor: 'test' });
            status = 'active';
          } else if (o === 'waiting' && status === 'active') {
            await service.transition(agentId, 'waiting_input');
            status = 'waiting_input';
          }
        }
        expect(await activity(agentId)).toEqual({ n: base + accepted, at: lastAt, states: accepted });
        const got = await service.get(agentId);
        expect(got.updateCount).toBe(base + accepted);
        expect(got.lastActivityAt).toEqual(lastAt);
        const listed = (await db.pool.query(`select update_count::int as n from core.list_agents(p_include_deleted => true, p_limit => 1000) where id = $1`, [agentId])).rows;
        expect(listed).toEqual([{ n: base + accepted }]);
      }), { numRuns: 25 });
  });
});

describe('the bridge of the superseded columns (migration agent_activity)', () => {
  it('a direct insert carries its counters; a bump of the old columns (the previous function) carries its increment', async () => {
    await db.pool.query(`insert into core.agents (id, label, update_count, last_activity_at) values ('activity-bridge', 'activity bridge', 7, '2025-01-02T03:04:05Z')`);
    expect(await activity('activity-bridge')).toMatchObject({ n: 7, at: new Date('2025-01-02T03:04:05Z') });
    // the counter moved on in agent_activity meanwhile: the old column's +1 is added to it, not copied
    await createEisvService(db.pool).processUpdate({ agentId: 'activity-bridge', ...report });
    expect((await activity('activity-bridge')).n).toBe(8);
    await db.pool.query(`update core.agents set update_count = update_count + 1, last_activity_at = '2026-01-01T00:00:00Z' where id = 'activity-bridge'`);
    expect(await activity('activity-bridge')).toMatchObject({ n: 9, at: new Date('2026-01-01T00:00:00Z') });
    // other changes of the agent row leave the counters alone
    await db.pool.query(`update core.agents set notes = 'x' where id = 'activity-bridge'`);
    expect((await activity('activity-bridge')).n).toBe(9);
    await db.pool.query(`delete from core.agent_state where agent_id = 'activity-bridge'`);
    await db.pool.query(`delete from core.agent_lifecycle_events where agent_id = 'activity-bridge'`);
    await db.pool.query(`delete from core.agents where id = 'activity-bridge'`);
    expect(await activity('activity-bridge')).toBeUndefined();
  });

  it('dashboard_agents: the whole-fleet path and the filtered path page the same order as a plain join', async () => {
    // agents with and without activity (null times sort last, ties by id), some paused
    for (let i = 0; i < 12; i++) {
      const { agentId } = await agents().onboard({ label: `activity-page-${i}` });
      if (i % 3 !== 0) await db.pool.query(`update core.agent_activity set last_activity_at = now() - make_interval(mins => $2::int) where agent_id = $1`, [agentId, (i * 7) % 5]);
      if (i % 4 === 1) await agents().pause(agentId);
    }
    const reference = async (status: string | null) => (await db.pool.query(
      `select a.id, x.update_count::int as n, x.last_activity_at as at, count(*) over ()::int as total
         from core.agents a join core.agent_activity x on x.agent_id = a.id
        where $1::text is null or a.status::text = $1
        order by x.last_activity_at desc nulls last, a.id`, [status])).rows;
    for (const status of [null, 'active', 'paused']) {
      const all = await reference(status);
      expect(all.length).toBeGreaterThan(2);
      for (const [limit, offset] of [[5, 0], [5, 5], [1000, 0], [3, all.length - 2], [3, all.length]] as Array<[number, number]>) {
        const got = (await db.pool.query(
          `select id, update_count::int as n, last_activity_at as at, total_count::int as total
             from core.dashboard_agents(p_status => $1, p_limit => $2, p_offset => $3)`, [status, limit, offset])).rows;
        expect(got).toEqual(all.slice(offset, offset + limit));
      }
    }
  });

  it('the dashboard shows the counters of core.agent_activity, latest activity first', async () => {
    const { agentId } = await agents().onboard({ label: 'activity-dashboard' });
    const u = await createEisvService(db.pool).processUpdate({ agentId, ...report });
    const { rows } = await db.pool.query(`select id, update_count::int as n, last_activity_at from core.dashboard_agents(p_limit => 1)`);
    expect(rows).toEqual([{ id: agentId, n: 1, last_activity_at: u.recordedAt }]);
    const one = (await db.pool.query(`select core.dashboard_agent($1) as j`, [agentId])).rows[0].j;
    expect(one.agent.update_count).toBe(1);
    expect(new Date(one.agent.last_activity_at)).toEqual(u.recordedAt);
  });
});
