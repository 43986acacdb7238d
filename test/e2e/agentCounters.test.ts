import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { SERVED_ADMIN_TOKEN, servedEnv, ServedClient, BuiltHttpServer, startBuiltHttpServerPair } from '../helpers/builtServer';

/**
 * Issue 18 review: every surface that shows an agent's update count and last activity shows the live
 * counters (core.agent_activity) through the BUILT server, on a second server process too (its
 * metadata cache), across pause / resume / delete / re-onboarding.
 */
describe('agent counters on every surface (built server, two processes)', () => {
  let db: TestDatabase;
  let a: BuiltHttpServer;
  let b: BuiltHttpServer;
  const admin = { admin_token: SERVED_ADMIN_TOKEN };
  const report = { complexity: 0.2, confidence: 0.9, response_length: 100 };

  beforeAll(async () => {
    db = await createMigratedDatabase();
    const env = servedEnv(db.url, { GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR: '1000' });
    [a, b] = await startBuiltHttpServerPair(env);
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  async function onboard(server: BuiltHttpServer, label: string): Promise<{ client: ServedClient; id: string }> {
    const client = await server.connect();
    const r = await client.call('onboard', { label });
    expect(r.isError).toBe(false);
    return { client, id: r.data.agent_id as string };
  }
  type Row = Record<string, unknown>;
  async function api(server: BuiltHttpServer, p: string): Promise<{ rows: Row[]; agent: Row }> {
    const res = await fetch(`${server.base}/dashboard/api${p}`, { headers: { Authorization: `Bearer ${SERVED_ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { rows: Row[]; agent: Row };
  }
  /** every surface, through server `s`, as (count, last activity ISO) pairs */
  async function surfaces(s: BuiltHttpServer, viewer: ServedClient, id: string, label: string) {
    const got = (await viewer.call('get_agent', { agent_id: id })).data;
    const listed = ((await viewer.call('list_agents', { status: got.status, limit: 200 })).data.agents as Row[]).find((x) => x.id === id);
    const dash = (await api(s, `/agents?search=${encodeURIComponent(label)}`)).rows.find((x) => x.id === id);
    const dashAll = (await api(s, `/agents`)).rows.find((x) => x.id === id);
    const one = (await api(s, `/agents/${encodeURIComponent(id)}`)).agent;
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
    return {
      get_agent: [got.update_count, iso(got.last_activity_at)],
      list_agents: [listed?.update_count, iso(listed?.last_activity_at)],
      dashboard_search: [dash?.update_count, iso(dash?.last_activity_at)],
      dashboard_all: [dashAll?.update_count, iso(dashAll?.last_activity_at)],
      dashboard_agent: [one.update_count, iso(one.last_activity_at)],
    };
  }
  const all = (n: number, at: string | null) => ({
    get_agent: [n, at], list_agents: [n, at], dashboard_search: [n, at], dashboard_all: [n, at], dashboard_agent: [n, at],
  });

  it('updates on server A are shown at once on server B (after B cached the agent), pause and resume included', async () => {
    const x = await onboard(a, 'counters x');
    const viewer = (await onboard(b, 'counters viewer')).client;
    expect(await surfaces(b, viewer, x.id, 'counters x')).toEqual(all(0, null));
    let last: string | null = null;
    for (let i = 1; i <= 3; i++) {
      const r = await x.client.call('process_agent_update', report);
      expect(r.isError).toBe(false);
      expect(r.data.update_count).toBe(i);
      const state = (await db.pool.query(`select recorded_at from core.agent_state where agent_id = $1 and seq = $2`, [x.id, i])).rows[0];
      last = state.recorded_at.toISOString();
      expect(await surfaces(b, viewer, x.id, 'counters x')).toEqual(all(i, last));
    }
    // paused: the update is refused and no surface moves
    expect((await x.client.call('pause_agent', {})).isError).toBe(false);
    expect(await x.client.call('process_agent_update', report)).toMatchObject({ isError: true, data: { code: 'AGENT_PAUSED' } });
    expect(await surfaces(b, viewer, x.id, 'counters x')).toEqual(all(3, last));
    expect((await viewer.call('resume_agent', { agent_id: x.id, ...admin })).isError).toBe(false);
    const r = await x.client.call('process_agent_update', report);
    expect(r.data.update_count).toBe(4);
    expect(await surfaces(a, x.client, x.id, 'counters x')).toEqual(all(4, new Date(r.data.recorded_at as string).toISOString()));
  });

  it('a deleted agent keeps its counters; re-onboarding its label starts a new agent at 0', async () => {
    const y = await onboard(a, 'counters y');
    for (let i = 0; i < 2; i++) expect((await y.client.call('process_agent_update', report)).isError).toBe(false);
    const viewer = (await onboard(b, 'counters viewer 2')).client;
    const before = await surfaces(b, viewer, y.id, 'counters y');
    expect(before.get_agent[0]).toBe(2);
    expect((await y.client.call('delete_agent', {})).isError).toBe(false);
    expect(await y.client.call('process_agent_update', report)).toMatchObject({ isError: true });
    expect(await surfaces(b, viewer, y.id, 'counters y')).toEqual(before);
    const y2 = await onboard(a, 'counters y');
    expect(y2.id).not.toBe(y.id);
    expect(await surfaces(b, viewer, y2.id, 'counters y')).toEqual(all(0, null));
    expect((await y2.client.call('process_agent_update', report)).data.update_count).toBe(1);
    expect((await surfaces(b, viewer, y.id, 'counters y')).get_agent).toEqual(before.get_agent);
  });
});
