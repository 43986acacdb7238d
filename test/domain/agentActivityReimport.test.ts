import { createEisvService } from '../../src/domain/eisv';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * A legacy agent imported, then updated natively, then imported again from a newer legacy snapshot
 * (more evidence: the importer replaces the agent row). core.agent_activity must stay "the legacy
 * count plus the updates since the import" and last_activity_at must not go back in time.
 */
let db: TestDatabase;
const report = { complexity: 0.4, confidence: 0.7, responseLength: 120 };

beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

const legacy = (id: string, updatedAt: string, count: number, lastAt: string | null) => JSON.stringify([{
  id, status: 'active', created_at: '2025-05-01T00:00:00Z', updated_at: updatedAt,
  update_count: count, last_activity_at: lastAt, evidence_at: null, import_rank: 'a' }]);

async function counters(id: string) {
  const r = (await db.pool.query(`select update_count::int as n, last_activity_at as at from core.get_agent($1)`, [id])).rows[0];
  const x = (await db.pool.query(`select update_count::int as n, last_activity_at as at from core.agent_activity where agent_id = $1`, [id])).rows[0];
  expect(x).toEqual(r);
  return r as { n: number; at: Date | null };
}

describe('re-import of a legacy agent that was updated natively', () => {
  it('the same snapshot again changes nothing; a newer snapshot keeps the native updates on top of its count', async () => {
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-a', '2025-06-01T00:00:00Z', 10, '2025-06-01T00:00:00Z')]);
    expect(await counters('reimp-a')).toEqual({ n: 10, at: new Date('2025-06-01T00:00:00Z') });
    const eisv = createEisvService(db.pool);
    await eisv.processUpdate({ agentId: 'reimp-a', ...report });
    const last = await eisv.processUpdate({ agentId: 'reimp-a', ...report });
    expect(await counters('reimp-a')).toEqual({ n: 12, at: last.recordedAt });

    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-a', '2025-06-01T00:00:00Z', 10, '2025-06-01T00:00:00Z')]);
    expect(await counters('reimp-a')).toEqual({ n: 12, at: last.recordedAt });

    // the legacy store moved on to 11 updates before it was read again: 11 legacy + 2 native
    const r = (await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-a', '2025-07-01T00:00:00Z', 11, '2025-07-01T00:00:00Z')])).rows[0];
    expect(Number(r.updated)).toBe(1);
    expect(await counters('reimp-a')).toEqual({ n: 13, at: last.recordedAt });
    const next = await eisv.processUpdate({ agentId: 'reimp-a', ...report });
    expect(next.updateCount).toBe(14);
  });

  it('a newer snapshot whose last activity is later than the native updates keeps that time', async () => {
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-b', '2025-06-01T00:00:00Z', 3, null)]);
    const u = await createEisvService(db.pool).processUpdate({ agentId: 'reimp-b', ...report });
    expect(u.updateCount).toBe(4);
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-b', '2025-07-01T00:00:00Z', 5, '2999-01-01T00:00:00Z')]);
    expect(await counters('reimp-b')).toEqual({ n: 6, at: new Date('2999-01-01T00:00:00Z') });
  });

  it('an agent never updated natively gets exactly the newer snapshot\'s counters', async () => {
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-c', '2025-06-01T00:00:00Z', 3, '2025-06-01T00:00:00Z')]);
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-c', '2025-07-01T00:00:00Z', 7, '2025-07-01T00:00:00Z')]);
    expect(await counters('reimp-c')).toEqual({ n: 7, at: new Date('2025-07-01T00:00:00Z') });
  });
});

describe('re-import and a concurrent native update', () => {
  it('an update holding the agent row while a newer snapshot is imported: the import waits and counts it', async () => {
    await db.pool.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-race', '2025-06-01T00:00:00Z', 10, '2025-06-01T00:00:00Z')]);
    await createEisvService(db.pool).processUpdate({ agentId: 'reimp-race', ...report });
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      const pidB = (await b.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      await a.query('begin');
      await createEisvService(a).processUpdate({ agentId: 'reimp-race', ...report });
      const imported = b.query(`select * from core.import_agents($1::jsonb)`, [legacy('reimp-race', '2025-07-01T00:00:00Z', 20, '2025-07-01T00:00:00Z')]);
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        waiting = (await db.pool.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pidB])).rows[0]?.wait_event_type === 'Lock';
        if (!waiting) await new Promise((r) => setTimeout(r, 10));
      }
      expect(waiting).toBe(true);
      await a.query('commit');
      await imported;
    } finally {
      await a.query('rollback').catch(() => undefined);
      a.release();
      b.release();
    }
    expect((await counters('reimp-race')).n).toBe(22);
  });
});
