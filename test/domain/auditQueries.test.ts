import { createHash } from 'crypto';
import { createAuditQueryService } from '../../src/domain/auditQueries';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

describe('audit reads', () => {
  let db: TestDatabase;
  let n = 0;
  const hash = () => createHash('sha256').update(`row ${n++}`).digest('hex');
  // a fixed recent hour (inside the monthly partitions) plus microsecond offsets
  const base = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 12));
  const at = (minutes: number, micros = 0) => `${new Date(base.getTime() + minutes * 60_000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;

  const event = (occurredAt: string, agentId: string | null, eventType: string) =>
    db.pool.query(`insert into audit.events (occurred_at, agent_id, event_type, content_hash, details) values ($1, $2, $3, $4, '{"k": 1}')`,
      [occurredAt, agentId, eventType, hash()]);
  const tool = (occurredAt: string, agentId: string | null, toolName: string, success: boolean) =>
    db.pool.query(`insert into audit.tool_usage (occurred_at, agent_id, tool_name, success, latency_ms, content_hash) values ($1, $2, $3, $4, 1.5, $5)`,
      [occurredAt, agentId, toolName, success, hash()]);

  beforeAll(async () => {
    db = await createMigratedDatabase();
    // 25 events of agent a; rows 0-4 share one millisecond (different microseconds), rows 5-6 share one microsecond
    for (let i = 0; i < 25; i++) {
      const ts = i < 5 ? at(0, 100 + i * 100) : i < 7 ? at(1) : at(i);
      await event(ts, 'agent_a', i % 3 === 0 ? 'lifecycle.paused' : 'eisv.update');
    }
    await event(at(2), 'agent_b', 'lifecycle.paused');
    await event(at(30), null, 'server.start');
    await event('1999-03-01T00:00:00Z', 'agent_a', 'eisv.update'); // lands in the default partition
    for (let i = 0; i < 12; i++) await tool(at(i, i), i % 4 === 0 ? 'agent_b' : 'agent_a', i % 2 ? 'process_agent_update' : 'store_knowledge', i % 5 !== 0);
  });
  afterAll(async () => {
    await db.drop();
  });

  const all = async () => (await db.pool.query<{ id: string }>(`select id::text from audit.events order by occurred_at desc, id desc`)).rows.map((r) => r.id);

  it('pages through events newest first without gaps or repeats, even inside one millisecond', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await createAuditQueryService(db.pool).queryEvents({ limit: 4, cursor });
      ids.push(...page.rows.map((r) => r.id));
      pages++;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(ids).toEqual(await all());
    expect(ids).toHaveLength(28);
    expect(pages).toBe(8); // 28 rows / 4 = 7 full pages, then an empty one ends the walk
  });

  it('filters by agent, event type and time range (since inclusive, until exclusive)', async () => {
    const mine = await createAuditQueryService(db.pool).queryEvents({ agentId: 'agent_a', limit: 1000 });
    expect(mine.rows).toHaveLength(26);
    expect(mine.rows.every((r) => r.agentId === 'agent_a')).toBe(true);
    expect(mine.rows[0]).toMatchObject({ eventType: expect.any(String), details: { k: 1 }, source: 'server', prevHash: null });
    expect(mine.rows.at(-1)!.occurredAt.toISOString()).toBe('1999-03-01T00:00:00.000Z');
    expect(mine.nextCursor).toBeNull();

    const paused = await createAuditQueryService(db.pool).queryEvents({ eventType: 'lifecycle.paused' });
    expect(paused.rows.map((r) => r.agentId).sort()).toEqual([...Array(9).fill('agent_a'), 'agent_b']);

    const window = await createAuditQueryService(db.pool).queryEvents({ agentId: 'agent_a', since: new Date(at(10)), until: new Date(at(20)) });
    expect(window.rows.map((r) => r.occurredAt.toISOString())).toEqual(
      Array.from({ length: 10 }, (_, i) => new Date(at(19 - i)).toISOString()));

    const both = await createAuditQueryService(db.pool).queryEvents({ agentId: 'agent_a', eventType: 'lifecycle.paused', since: new Date(at(10)) });
    expect(both.rows).toHaveLength(5); // i = 12, 15, 18, 21, 24
  });

  it('queries tool usage by agent, tool, success and time, with pages', async () => {
    const failures = await createAuditQueryService(db.pool).queryToolUsage({ success: false });
    expect(failures.rows.map((r) => r.occurredAt.getTime())).toEqual([new Date(at(10)).getTime(), new Date(at(5)).getTime(), new Date(at(0)).getTime()]);
    const updates = await createAuditQueryService(db.pool).queryToolUsage({ toolName: 'process_agent_update', agentId: 'agent_a' });
    expect(updates.rows).toHaveLength(6);
    expect(updates.rows[0]).toMatchObject({ toolName: 'process_agent_update', agentId: 'agent_a', latencyMs: 1.5, success: true, errorCode: null });
    const first = await createAuditQueryService(db.pool).queryToolUsage({ limit: 5, until: new Date(at(11)) });
    expect(first.rows).toHaveLength(5);
    const second = await createAuditQueryService(db.pool).queryToolUsage({ limit: 5, until: new Date(at(11)), cursor: first.nextCursor! });
    const third = await createAuditQueryService(db.pool).queryToolUsage({ limit: 5, until: new Date(at(11)), cursor: second.nextCursor! });
    expect([...first.rows, ...second.rows, ...third.rows].map((r) => r.occurredAt.getTime())).toEqual(
      Array.from({ length: 11 }, (_, i) => new Date(at(10 - i)).getTime()));
    expect(third.nextCursor).toBeNull();
  });

  it('rejects a limit outside 1..1000, an empty time range and a forged cursor with GV400', async () => {
    await expect(createAuditQueryService(db.pool).queryEvents({ limit: 1001 })).rejects.toMatchObject({
      code: 'INVALID_INPUT', details: { reason: 'INVALID_AUDIT_QUERY' }, message: 'Invalid audit query: limit is 1001, expected 1 to 1000',
    });
    await expect(createAuditQueryService(db.pool).queryToolUsage({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(createAuditQueryService(db.pool).queryEvents({ since: new Date(at(5)), until: new Date(at(5)), cursor: '2026-01-01|1' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^Invalid audit query: since \(.+\) is not before until \(.+\); cursor "2026-01-01\|1" is not a cursor returned by this query$/),
    });
  });
});
