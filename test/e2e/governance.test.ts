import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { connectBuiltStdio, SERVED_ADMIN_TOKEN, servedEnv, ServedClient, startBuiltHttpServer, BuiltHttpServer, startBuiltHttpServerPair } from '../helpers/builtServer';

/**
 * Issue 14 (governance integrity): every numbered finding through the BUILT server and the SDK client,
 * over Streamable HTTP (two server processes on one PostgreSQL + Redis) and stdio (finding 3).
 */
describe('governance integrity through the built server', () => {
  let db: TestDatabase;
  let a: BuiltHttpServer;
  let b: BuiltHttpServer;
  const admin = { admin_token: SERVED_ADMIN_TOKEN };

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

  async function onboard(server: BuiltHttpServer, label: string): Promise<{ client: ServedClient; id: string; key: string }> {
    const client = await server.connect();
    const r = await client.call('onboard', { label });
    expect(r.isError).toBe(false);
    return { client, id: r.data.agent_id as string, key: r.data.api_key as string };
  }

  it('finding 1: a paused agent cannot escape through archive → resume (AGENT_PAUSED); an admin can resume it', async () => {
    const p = await onboard(a, 'f1 paused');
    expect((await p.client.call('pause_agent', {})).isError).toBe(false);
    const direct = await p.client.call('resume_agent', {});
    expect(direct).toMatchObject({ isError: true, data: { code: 'AGENT_PAUSED' } });
    expect((await p.client.call('archive_agent', {})).isError).toBe(false);
    const escape = await p.client.call('resume_agent', {});
    expect(escape).toMatchObject({ isError: true, data: { code: 'AGENT_PAUSED' } });
    expect(String(escape.data.hint)).toMatch(/review|admin/);
    const update = await p.client.call('process_agent_update', { complexity: 0.2, confidence: 0.9, response_length: 100 });
    expect(update).toMatchObject({ isError: true, data: { code: 'AGENT_ARCHIVED' } });
    const operator = await a.connect();
    const resumed = await operator.call('resume_agent', { agent_id: p.id, ...admin });
    expect(resumed).toMatchObject({ isError: false, data: { from_status: 'archived', to_status: 'active' } });
    expect((await p.client.call('process_agent_update', { complexity: 0.2, confidence: 0.9, response_length: 100 })).isError).toBe(false);
  });

  it('finding 2 (two servers): archived on server A, the session bound on server B is refused on its next write', async () => {
    const x = await onboard(a, 'f2 archived');
    // bound once with the key; later calls carry no key, only the session binding
    const onB = await b.connect();
    expect((await onB.call('identity', { api_key: x.key })).data).toMatchObject({ agent_id: x.id, bound: true });
    expect((await onB.call('update_agent', { notes: 'before' })).isError).toBe(false);
    expect((await x.client.call('archive_agent', {})).isError).toBe(false);
    for (const [tool, args] of [
      ['update_agent', { notes: 'after' }],
      ['store_knowledge', { summary: 'written after archive' }],
      ['record_prediction', { decision_id: `${x.id}:1`, confidence: 0.7 }],
      ['process_agent_update', { complexity: 0.2, confidence: 0.9, response_length: 10 }],
    ] as const) {
      const r = await onB.call(tool, args);
      expect({ tool, ...r.data }).toMatchObject({ tool, code: 'AGENT_ARCHIVED' });
    }
    // the same on server A's own bound session
    expect(await x.client.call('store_knowledge', { summary: 'also refused on A' })).toMatchObject({ isError: true, data: { code: 'AGENT_ARCHIVED' } });
    // reads stay allowed
    expect((await onB.call('get_agent', {})).data).toMatchObject({ id: x.id, status: 'archived' });
  });

  it('finding 4: onboarding needs the token when configured and is limited per client address', async () => {
    const env = servedEnv(db.url, { GOVDB_ONBOARD_TOKEN: 'onboard-secret-123', GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR: '3' });
    const c = await startBuiltHttpServer(env);
    try {
      const noToken = await (await c.connect()).call('onboard', { label: 'f4 no token' });
      expect(noToken).toMatchObject({ isError: true, data: { code: 'FORBIDDEN', reason: 'ONBOARD_TOKEN_REQUIRED' } });
      const wrong = await (await c.connect({ 'X-Onboard-Token': 'nope' })).call('onboard', { label: 'f4 wrong token' });
      expect(wrong).toMatchObject({ isError: true, data: { code: 'FORBIDDEN' } });
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await (await c.connect({ 'X-Onboard-Token': 'onboard-secret-123' })).call('onboard', { label: `f4 fresh ${i}` });
        outcomes.push(r.isError ? String(r.data.code) : 'ok');
      }
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      await c.stop();
    }
  }, 120_000);

  it('finding 6: graph_query refuses write disguises and nothing changes', async () => {
    const x = await onboard(a, 'f6 target');
    const operator = await a.connect();
    for (const query of [
      'MATCH (n:Agent {id:$id}) WITH n LIMIT 1SET n.x = true RETURN n.id',
      'MATCH (n:Agent {id:$id}) WITH n LIMIT 1REMOVE n.label RETURN n.id',
      'MATCH (n:Agent {id:$id})-[e]->() WITH e LIMIT 1DELETE e RETURN 1',
    ]) {
      const r = await operator.call('graph_query', { query, params: { id: x.id }, ...admin });
      expect({ query, ...r.data }).toMatchObject({ query, code: 'INVALID_INPUT' });
    }
    const after = await operator.call('graph_query', { query: 'MATCH (n:Agent {id:$id}) RETURN n.x, n.label', params: { id: x.id }, ...admin });
    expect(after.data.rows).toEqual([{ 'n.x': null, 'n.label': 'f6 target' }]);
  });

  it('finding 7: the synthesis that resolves the review resumes the paused agent in its own transaction; author and owner checks in SQL', async () => {
    const p = await onboard(a, 'f7 paused');
    const r = await onboard(b, 'f7 reviewer');
    expect((await p.client.call('pause_agent', {})).isError).toBe(false);
    const session = await p.client.call('request_dialectic_review', { reviewer_agent_id: r.id });
    expect(session.isError).toBe(false);
    const sid = session.data.id as string;
    expect((await p.client.call('submit_thesis', { session_id: sid, root_cause: 'bad loop' })).isError).toBe(false);
    expect((await r.client.call('submit_antithesis', { session_id: sid, reasoning: 'agreed risk' })).isError).toBe(false);
    expect((await p.client.call('submit_synthesis', { session_id: sid, agrees: true, no_conditions: true, reasoning: 'ok' })).isError).toBe(false);
    const resolved = await r.client.call('submit_synthesis', { session_id: sid, agrees: true, no_conditions: true, reasoning: 'ok' });
    expect(resolved.data).toMatchObject({ phase: 'resolved', resume: { agent_id: p.id, resumed: true, status: 'active', error: null } });
    expect((await p.client.call('get_agent', {})).data).toMatchObject({ status: 'active' });

    // knowledge: only the author (or an admin) resolves; others may dispute
    const stored = await p.client.call('store_knowledge', { summary: 'f7 discovery' });
    const id = (stored.data.ids as string[])[0];
    expect(await r.client.call('update_discovery_status', { id, status: 'resolved' })).toMatchObject({ isError: true, data: { code: 'FORBIDDEN', reason: 'NOT_AUTHOR' } });
    expect((await r.client.call('update_discovery_status', { id, status: 'disputed' })).isError).toBe(false);
    // calibration: only the owner records the outcome
    expect((await p.client.call('record_prediction', { decision_id: 'f7-decision', confidence: 0.8 })).isError).toBe(false);
    expect(await r.client.call('record_outcome', { decision_id: 'f7-decision', actual_correct: true })).toMatchObject({ isError: true, data: { code: 'FORBIDDEN', reason: 'NOT_DECISION_OWNER' } });
    expect((await p.client.call('record_outcome', { decision_id: 'f7-decision', actual_correct: true })).isError).toBe(false);
  });

  it('finding 8: rotate_api_key returns a new key once; the old key is refused at once on both servers', async () => {
    const x = await onboard(a, 'f8 rotate');
    // a session bound with the (leaked) old key on the other server
    const leaked = await b.connect();
    expect((await leaked.call('identity', { api_key: x.key })).data).toMatchObject({ agent_id: x.id });
    const rotated = await x.client.call('rotate_api_key', {});
    expect(rotated.isError).toBe(false);
    const fresh = rotated.data.api_key as string;
    expect(fresh).toMatch(/^gvk_[0-9a-f]{64}$/);
    expect(fresh).not.toBe(x.key);
    expect(rotated.data.sessions_unbound).toBeGreaterThanOrEqual(1);
    // ...is unbound: it cannot act as the agent any more
    expect(await leaked.call('update_agent', { notes: 'with the old key' })).toMatchObject({ isError: true, data: { code: 'UNAUTHENTICATED' } });
    expect((await x.client.call('update_agent', { notes: 'the rotating session stays bound' })).isError).toBe(false);
    for (const server of [a, b]) {
      const old = await (await server.connect()).call('identity', { api_key: x.key });
      expect(old).toMatchObject({ isError: true, data: { code: 'UNAUTHENTICATED' } });
      const now = await (await server.connect()).call('identity', { api_key: fresh });
      expect(now.data).toMatchObject({ agent_id: x.id });
    }
    // another agent cannot rotate it; an admin can
    const y = await onboard(b, 'f8 other');
    expect(await y.client.call('rotate_api_key', { agent_id: x.id })).toMatchObject({ isError: true, data: { code: 'FORBIDDEN' } });
    expect((await (await a.connect()).call('rotate_api_key', { agent_id: x.id, ...admin })).isError).toBe(false);
  });

  it('finding 3 (stdio): a paused agent cannot spawn an active child', async () => {
    const client = await connectBuiltStdio(servedEnv(db.url));
    try {
      const parent = await client.call('onboard', { label: 'f3 parent' });
      expect(parent.isError).toBe(false);
      expect((await client.call('pause_agent', {})).isError).toBe(false);
      const child = await client.call('onboard', { spawn_reason: 'work around the pause', label: 'f3 child' });
      expect(child).toMatchObject({ isError: true, data: { code: 'AGENT_PAUSED' } });
      const listed = await client.call('list_agents', { parent_agent_id: parent.data.agent_id });
      expect(listed.data.agents).toEqual([]);
      // deleting the paused agent does not free its label for a new, active identity
      expect((await client.call('delete_agent', {})).isError).toBe(false);
    } finally {
      await client.close();
    }
    const again = await connectBuiltStdio(servedEnv(db.url));
    try {
      expect(await again.call('onboard', { label: 'f3 parent' })).toMatchObject({ isError: true, data: { code: 'AGENT_PAUSED' } });
    } finally {
      await again.close();
    }
  }, 60_000);
});
