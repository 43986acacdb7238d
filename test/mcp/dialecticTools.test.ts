import { ADMIN_TOKEN, McpClient, McpHarness, startMcpHarness } from '../helpers/mcp';

type Result = { isError: boolean; data: Record<string, unknown> };

describe('MCP tools: dialectic review', () => {
  let h: McpHarness;
  beforeAll(async () => {
    h = await startMcpHarness({}, { tool_call: [{ limit: 1000, periodMs: 60_000 }] });
  });
  afterAll(async () => h.close());

  let n = 0;
  const agent = async (): Promise<{ c: McpClient; id: string }> => {
    const c = await h.connect();
    const r = await c.call('onboard', { label: `dialectic-${++n}` });
    expect(r.isError).toBe(false);
    return { c, id: r.data.agent_id as string };
  };
  const pausedAgent = async () => {
    const a = await agent();
    await h.runtime.deps.services.agents.pause(a.id, { reason: 'test', actor: 'test' });
    return a;
  };
  const error = (r: Result) => r.data.error as { code: string; reason?: string; message: string } | undefined;
  const ok = (r: Result) => {
    expect(error(r)).toBeUndefined();
    expect(r.isError).toBe(false);
    return r.data;
  };
  /** input rejected by the tool's schema: the SDK answers isError with the validation message */
  const invalid = async (c: McpClient, name: string, args: Record<string, unknown>) => {
    const r = await c.client.callTool({ name, arguments: args });
    expect(r.isError).toBe(true);
    return JSON.stringify(r.content);
  };
  const auditRows = async (dialecticSessionId: string) => {
    await h.runtime.auditLog.flush();
    await h.runtime.auditMirror.caughtUp(10_000);
    const rows = await h.db.pool.query(
      `select event_type, agent_id, details from audit.events where details->>'dialectic_session_id' = $1 order by occurred_at, id`,
      [dialecticSessionId],
    );
    return rows.rows as Array<{ event_type: string; agent_id: string | null; details: Record<string, unknown> }>;
  };

  it('runs a full review: request -> thesis -> antithesis -> two agreeing syntheses -> resolved, agent resumed, audited', async () => {
    // first test of the file: B is the only active agent besides A, so the automatic pick is B
    const a = await agent();
    const b = await agent();
    await h.runtime.deps.services.agents.pause(a.id, { reason: 'risk too high', actor: 'test' });

    const requested = ok(await a.c.call('request_dialectic_review', { topic: 'retry storm', reason: 'paused on risk' }));
    expect(requested).toMatchObject({ paused_agent_id: a.id, reviewer_agent_id: b.id, phase: 'thesis', status: 'active', topic: 'retry storm', synthesis_round: 0 });
    const id = requested.id as string;

    expect(error(await b.c.call('submit_thesis', { session_id: id, root_cause: 'not mine to say' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'DIALECTIC_WRONG_ROLE' });
    expect(ok(await a.c.call('submit_thesis', { session_id: id, root_cause: 'loop on retries', proposed_conditions: ['cap retries at 3'], observed_metrics: { risk: 0.7 } })))
      .toMatchObject({ phase: 'antithesis' });
    expect(error(await a.c.call('submit_thesis', { session_id: id, root_cause: 'again' }))).toMatchObject({ code: 'INVALID_STATE', reason: 'DIALECTIC_WRONG_PHASE' });
    expect(error(await a.c.call('submit_antithesis', { session_id: id, reasoning: 'self review' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'DIALECTIC_WRONG_ROLE' });
    expect(ok(await b.c.call('submit_antithesis', { session_id: id, reasoning: 'retries hide a config error', concerns: ['config drift'], proposed_conditions: ['check config'] })))
      .toMatchObject({ phase: 'synthesis' });

    const first = ok(await a.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'accept', proposed_conditions: ['cap retries at 3', 'check config'] }));
    expect(first).toMatchObject({ phase: 'synthesis', synthesis_round: 1, resolution: null, resume: null });
    const resolved = ok(await b.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'agreed', proposed_conditions: ['check config'] }));
    expect(resolved).toMatchObject({
      phase: 'resolved', status: 'resolved', synthesis_round: 2, phase_deadline: null,
      resolution: { action: 'resume', conditions: ['cap retries at 3', 'check config'], root_cause: 'loop on retries', agent_a: a.id, agent_b: b.id, message_seq_a: 3, message_seq_b: 4 },
      resume: { agent_id: a.id, resumed: true, status: 'active', error: null },
    });
    const resolution = resolved.resolution as Record<string, string>;
    expect(resolution.signature_a).toMatch(/^[0-9a-f]{64}$/);
    expect(resolution.signature_b).toMatch(/^[0-9a-f]{64}$/);
    expect((await h.runtime.deps.services.agents.get(a.id)).status).toBe('active');

    const full = ok(await a.c.call('get_dialectic_session', { session_id: id }));
    const messages = full.messages as Array<{ seq: number; message_type: string; agent_id: string; signature: string }>;
    expect(messages.map((m) => [m.seq, m.message_type, m.agent_id])).toEqual([[1, 'thesis', a.id], [2, 'antithesis', b.id], [3, 'synthesis', a.id], [4, 'synthesis', b.id]]);
    expect([messages[2]!.signature, messages[3]!.signature]).toEqual([resolution.signature_a, resolution.signature_b]);
    expect(error(await a.c.call('submit_synthesis', { session_id: id, agrees: true, no_conditions: true, reasoning: 'late' }))).toMatchObject({ code: 'INVALID_STATE', reason: 'DIALECTIC_SESSION_CLOSED' });

    const rows = await auditRows(id);
    expect(rows.map((r) => [r.event_type, r.agent_id])).toEqual([
      ['dialectic_requested', a.id], ['dialectic_thesis', a.id], ['dialectic_antithesis', b.id],
      ['dialectic_synthesis', a.id], ['dialectic_synthesis', b.id], ['dialectic_resolved', b.id], ['agent_resumed', b.id],
    ]);
    expect(rows[5]!.details).toMatchObject({ paused_agent_id: a.id, reviewer_agent_id: b.id, signature_a: resolution.signature_a, signature_b: resolution.signature_b });
    expect(rows[6]!.details).toMatchObject({ agent_id: a.id, from: 'paused', to: 'active', reason: `dialectic resolution ${id}` });
  });

  it('request_dialectic_review: self or admin, paused only, one session at a time', async () => {
    const anonymous = await h.connect();
    expect(error(await anonymous.call('request_dialectic_review'))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(error(await anonymous.call('request_dialectic_review', { paused_agent_id: 'x', admin_token: 'wrong-token' }))).toMatchObject({ code: 'UNAUTHENTICATED' });

    const active = await agent();
    expect(error(await active.c.call('request_dialectic_review'))).toMatchObject({ code: 'INVALID_STATE', reason: 'AGENT_NOT_PAUSED' });
    const paused = await pausedAgent();
    expect(error(await active.c.call('request_dialectic_review', { paused_agent_id: paused.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(await paused.c.call('request_dialectic_review', { reviewer_agent_id: paused.id }))).toMatchObject({ code: 'INVALID_STATE', reason: 'REVIEWER_IS_PAUSED_AGENT' });

    const admin = await h.connect();
    expect(error(await admin.call('request_dialectic_review', { admin_token: ADMIN_TOKEN }))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(error(await admin.call('request_dialectic_review', { admin_token: ADMIN_TOKEN, paused_agent_id: 'no-such-agent' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'AGENT_NOT_FOUND' });
    const opened = ok(await admin.call('request_dialectic_review', { admin_token: ADMIN_TOKEN, paused_agent_id: paused.id, reviewer_agent_id: active.id, session_type: 'review', max_synthesis_rounds: 3 }));
    expect(opened).toMatchObject({ paused_agent_id: paused.id, reviewer_agent_id: active.id, session_type: 'review', max_synthesis_rounds: 3 });
    expect(error(await paused.c.call('request_dialectic_review'))).toMatchObject({ code: 'CONFLICT', reason: 'DIALECTIC_SESSION_EXISTS' });
    // the admin acted as no agent: the audit row has none
    expect((await auditRows(opened.id as string)).map((r) => [r.event_type, r.agent_id])).toEqual([['dialectic_requested', null]]);

    expect(await invalid(paused.c, 'request_dialectic_review', { max_synthesis_rounds: 0 })).toMatch(/max_synthesis_rounds/);
    expect(await invalid(paused.c, 'request_dialectic_review', { session_type: 'duel' })).toMatch(/session_type/);
  });

  it('submissions: unknown session, unauthenticated, bad input, outsiders', async () => {
    const paused = await pausedAgent();
    const reviewer = await agent();
    const outsider = await agent();
    const session = ok(await paused.c.call('request_dialectic_review', { reviewer_agent_id: reviewer.id }));
    const id = session.id as string;

    expect(error(await paused.c.call('submit_thesis', { session_id: 'no-such-session', root_cause: 'x' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'DIALECTIC_SESSION_NOT_FOUND' });
    expect(error(await (await h.connect()).call('submit_thesis', { session_id: id, root_cause: 'x' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await invalid(paused.c, 'submit_thesis', { session_id: id })).toMatch(/root_cause/);
    expect(await invalid(paused.c, 'submit_synthesis', { session_id: id, reasoning: 'no verdict' })).toMatch(/agrees/);
    expect(error(await outsider.c.call('submit_thesis', { session_id: id, root_cause: 'x' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(await reviewer.c.call('submit_antithesis', { session_id: id, reasoning: 'too early' }))).toMatchObject({ code: 'INVALID_STATE', reason: 'DIALECTIC_WRONG_PHASE' });
    expect(error(await paused.c.call('submit_synthesis', { session_id: id, agrees: true, no_conditions: true, reasoning: 'too early' }))).toMatchObject({ code: 'INVALID_STATE', reason: 'DIALECTIC_WRONG_PHASE' });
    expect(error(await outsider.c.call('submit_synthesis', { session_id: id, agrees: true, no_conditions: true, reasoning: 'not mine' }))).toMatchObject({ code: 'FORBIDDEN' });
    // nothing was recorded by the refused calls
    expect(ok(await paused.c.call('get_dialectic_session', { session_id: id })).messages).toEqual([]);
  });

  it('escalates when the last synthesis round ends without agreement; the agent stays paused', async () => {
    const paused = await pausedAgent();
    const reviewer = await agent();
    const id = ok(await paused.c.call('request_dialectic_review', { reviewer_agent_id: reviewer.id, max_synthesis_rounds: 1 })).id as string;
    ok(await paused.c.call('submit_thesis', { session_id: id, root_cause: 'unclear' }));
    ok(await reviewer.c.call('submit_antithesis', { session_id: id, reasoning: 'disagree' }));
    const escalated = ok(await reviewer.c.call('submit_synthesis', { session_id: id, agrees: false, reasoning: 'still disagree' }));
    expect(escalated).toMatchObject({ phase: 'escalated', status: 'escalated', resolution: null, resume: null });
    expect((await h.runtime.deps.services.agents.get(paused.id)).status).toBe('paused');
    expect((await auditRows(id)).map((r) => r.event_type)).toEqual(['dialectic_requested', 'dialectic_thesis', 'dialectic_antithesis', 'dialectic_synthesis', 'dialectic_escalated']);
  });

  it('reports, rather than fails, a resolution whose agent was already resumed', async () => {
    const paused = await pausedAgent();
    const reviewer = await agent();
    const id = ok(await paused.c.call('request_dialectic_review', { reviewer_agent_id: reviewer.id })).id as string;
    ok(await paused.c.call('submit_thesis', { session_id: id, root_cause: 'x' }));
    ok(await reviewer.c.call('submit_antithesis', { session_id: id, reasoning: 'y' }));
    ok(await paused.c.call('submit_synthesis', { session_id: id, agrees: true, no_conditions: true, reasoning: 'ok' }));
    await h.runtime.deps.services.agents.resume(paused.id, { reason: 'operator', actor: 'test', authority: 'admin' });
    const resolved = ok(await reviewer.c.call('submit_synthesis', { session_id: id, agrees: true, no_conditions: true, reasoning: 'ok' }));
    expect(resolved).toMatchObject({ phase: 'resolved', resume: { agent_id: paused.id, resumed: false, status: 'active', error: null } });
  });

  it('get and list: participants and admins only, own sessions by default, paged', async () => {
    const paused = await pausedAgent();
    const reviewer = await agent();
    const outsider = await agent();
    const id = ok(await paused.c.call('request_dialectic_review', { reviewer_agent_id: reviewer.id, topic: 'listing' })).id as string;

    expect(ok(await reviewer.c.call('get_dialectic_session', { session_id: id }))).toMatchObject({ id, topic: 'listing', messages: [] });
    expect(error(await outsider.c.call('get_dialectic_session', { session_id: id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(await (await h.connect()).call('get_dialectic_session', { session_id: id }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(error(await outsider.c.call('get_dialectic_session', { session_id: 'no-such-session' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(ok(await (await h.connect()).call('get_dialectic_session', { session_id: id, admin_token: ADMIN_TOKEN }))).toMatchObject({ id });

    const mine = ok(await paused.c.call('list_dialectic_sessions'));
    expect((mine.sessions as Array<{ id: string }>).map((s) => s.id)).toEqual([id]);
    expect(ok(await outsider.c.call('list_dialectic_sessions')).sessions).toEqual([]);
    expect(error(await outsider.c.call('list_dialectic_sessions', { agent_id: paused.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(await (await h.connect()).call('list_dialectic_sessions'))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await invalid(paused.c, 'list_dialectic_sessions', { status: 'pending' })).toMatch(/status/);

    const admin = await h.connect();
    const asAdmin = ok(await admin.call('list_dialectic_sessions', { admin_token: ADMIN_TOKEN, agent_id: reviewer.id }));
    expect((asAdmin.sessions as Array<{ id: string }>).map((s) => s.id)).toEqual([id]);
    // every session of this file, one per page
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = ok(await admin.call('list_dialectic_sessions', { admin_token: ADMIN_TOKEN, limit: 1, ...(cursor ? { cursor } : {}) }));
      seen.push(...(r.sessions as Array<{ id: string }>).map((s) => s.id));
      if (!r.next_cursor) break;
      cursor = r.next_cursor as string;
    }
    const total = Number((await h.db.pool.query('select count(*) from core.dialectic_sessions')).rows[0].count);
    expect(new Set(seen).size).toBe(total);
    expect(seen[0]).toBe(id);
    expect(error(await admin.call('list_dialectic_sessions', { admin_token: ADMIN_TOKEN, cursor: 'forged' }))).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('runs a review with request_id on every write: each step is one keyed transaction, a retry replays it, and the resolving one resumes the agent', async () => {
    const a = await pausedAgent();
    const b = await agent();
    const requestArgs = { reviewer_agent_id: b.id, topic: 'keyed review', request_id: `keyed-request-${a.id}` };
    const requested = ok(await a.c.call('request_dialectic_review', requestArgs));
    expect(ok(await a.c.call('request_dialectic_review', requestArgs)).id).toBe(requested.id);
    const id = requested.id as string;
    const sessions = await h.db.pool.query('select count(*)::int as n from core.dialectic_sessions where paused_agent_id = $1', [a.id]);
    expect(sessions.rows[0].n).toBe(1);

    ok(await a.c.call('submit_thesis', { session_id: id, root_cause: 'keyed', request_id: `keyed-thesis-${id}` }));
    ok(await b.c.call('submit_antithesis', { session_id: id, reasoning: 'fine', request_id: `keyed-antithesis-${id}` }));
    ok(await a.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'ok', no_conditions: true, request_id: `keyed-synthesis-a-${id}` }));
    const last = { session_id: id, agrees: true, reasoning: 'ok', no_conditions: true, request_id: `keyed-synthesis-b-${id}` };
    const resolved = ok(await b.c.call('submit_synthesis', last));
    expect(resolved).toMatchObject({ phase: 'resolved', resume: { agent_id: a.id, resumed: true, status: 'active', error: null } });
    // the replay answers the original result; no fifth message was written
    expect(ok(await b.c.call('submit_synthesis', last))).toEqual(resolved);
    const messages = await h.db.pool.query('select count(*)::int as n from core.dialectic_messages where session_id = $1', [id]);
    expect(messages.rows[0].n).toBe(4);
    expect((await h.runtime.deps.services.agents.get(a.id)).status).toBe('active');
  });
});
