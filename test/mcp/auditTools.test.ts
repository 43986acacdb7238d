import { ADMIN_TOKEN, McpClient, McpHarness, startMcpHarness } from '../helpers/mcp';

type Result = { isError: boolean; data: Record<string, unknown> };
type EventRow = { id: string; agent_id: string | null; event_type: string; occurred_at: string };
type UsageRow = { tool_name: string; agent_id: string | null; success: boolean; error_code: string | null };

describe('MCP tools: query_audit_log', () => {
  let h: McpHarness;
  let a: { c: McpClient; id: string };
  let b: { c: McpClient; id: string };
  let admin: McpClient;
  /** end of the setup calls: later queries' own tool usage lands after it */
  let setupDone: string;
  const startedAt = new Date(Date.now() - 1000).toISOString();

  const error = (r: Result) => r.data.error as { code: string; reason?: string; message: string } | undefined;
  const ok = (r: Result) => {
    expect(error(r)).toBeUndefined();
    expect(r.isError).toBe(false);
    return r.data;
  };
  const events = (r: Result) => ok(r).events as EventRow[];
  const usage = (r: Result) => ok(r).tool_usage as UsageRow[];
  const asAdmin = (args: Record<string, unknown> = {}) => admin.call('query_audit_log', { admin_token: ADMIN_TOKEN, ...args });

  beforeAll(async () => {
    h = await startMcpHarness({}, { tool_call: [{ limit: 1000, periodMs: 60_000 }] });
    const onboard = async (label: string) => {
      const c = await h.connect();
      return { c, id: (await c.call('onboard', { label })).data.agent_id as string };
    };
    a = await onboard('audit-a');
    b = await onboard('audit-b');
    for (let i = 0; i < 2; i++) ok(await a.c.call('process_agent_update', { complexity: 0.3, confidence: 0.8, response_length: 100 }));
    ok(await b.c.call('archive_agent', { reason: 'done' }));
    expect(error(await a.c.call('update_agent', { agent_id: b.id, notes: 'not mine' }))).toMatchObject({ code: 'FORBIDDEN' });
    admin = await h.connect();
    await h.runtime.auditLog.flush();
    await h.runtime.auditMirror.caughtUp(10_000);
    await h.runtime.toolUsage.flush();
    setupDone = new Date().toISOString();
  });
  afterAll(async () => h.close());

  it('an agent reads its own events, newest first, without the admin token', async () => {
    const own = events(await a.c.call('query_audit_log'));
    expect(own.map((e) => e.event_type)).toEqual(['governance_decision', 'governance_decision', 'agent_onboarded']);
    expect(own.every((e) => e.agent_id === a.id)).toBe(true);
    expect(events(await a.c.call('query_audit_log', { agent_id: a.id })).map((e) => e.id)).toEqual(own.map((e) => e.id));
    expect(events(await a.c.call('query_audit_log', { event_type: 'agent_onboarded' }))).toHaveLength(1);
  });

  it('an agent cannot read another agent\'s rows; no identity at all is UNAUTHENTICATED', async () => {
    const refused = error(await a.c.call('query_audit_log', { agent_id: b.id }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused!.message).toContain(b.id);
    expect(error(await a.c.call('query_audit_log', { agent_id: b.id, admin_token: 'not-the-token' }))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ADMIN_TOKEN_WRONG' });
    expect(error(await a.c.call('query_audit_log', { source: 'tool_usage', agent_id: b.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(error(await (await h.connect()).call('query_audit_log'))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(error(await (await h.connect()).call('query_audit_log', { admin_token: 'not-the-token' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('an admin reads every agent\'s events, filtered by agent, type and time range', async () => {
    const all = events(await asAdmin());
    expect(new Set(all.map((e) => e.agent_id))).toEqual(new Set([a.id, b.id]));
    expect(events(await asAdmin({ agent_id: b.id })).map((e) => e.event_type)).toEqual(['agent_archived', 'agent_onboarded']);
    expect(events(await asAdmin({ event_type: 'agent_onboarded' })).map((e) => e.agent_id).sort()).toEqual([a.id, b.id].sort());
    expect(events(await asAdmin({ since: startedAt })).length).toBe(all.length);
    expect(events(await asAdmin({ until: startedAt }))).toEqual([]);
    // an admin whose session is bound to an agent still reads every agent
    expect(events(await a.c.call('query_audit_log', { admin_token: ADMIN_TOKEN, agent_id: b.id }))).toHaveLength(2);
  });

  it('pages with next_cursor', async () => {
    const all = events(await asAdmin());
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < all.length + 2; i++) {
      const page = ok(await asAdmin({ limit: 2, ...(cursor ? { cursor } : {}) }));
      seen.push(...(page.events as EventRow[]).map((e) => e.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor as string;
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('reads tool usage: own calls for an agent, filtered by tool and success', async () => {
    const own = usage(await a.c.call('query_audit_log', { source: 'tool_usage', until: setupDone }));
    expect(own.every((u) => u.agent_id === a.id)).toBe(true);
    expect(own.map((u) => u.tool_name)).toEqual(expect.arrayContaining(['onboard', 'process_agent_update', 'update_agent']));
    expect(usage(await a.c.call('query_audit_log', { source: 'tool_usage', tool_name: 'process_agent_update' }))).toHaveLength(2);
    expect(usage(await a.c.call('query_audit_log', { source: 'tool_usage', success: false, until: setupDone }))).toEqual([
      expect.objectContaining({ tool_name: 'update_agent', success: false, error_code: 'FORBIDDEN' }),
    ]);
    const byTool = usage(await asAdmin({ source: 'tool_usage', tool_name: 'archive_agent' }));
    expect(byTool.map((u) => u.agent_id)).toEqual([b.id]);
  });

  it('rejects bad queries', async () => {
    expect(error(await asAdmin({ source: 'tool_usage', event_type: 'agent_onboarded' }))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(error(await asAdmin({ tool_name: 'onboard', success: true }))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(error(await asAdmin({ cursor: 'forged' }))).toMatchObject({ code: 'INVALID_INPUT', reason: 'INVALID_AUDIT_QUERY' });
    expect(error(await asAdmin({ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }))).toMatchObject({ code: 'INVALID_INPUT' });
    for (const [args, field] of [[{ since: 'yesterday' }, 'since'], [{ limit: 0 }, 'limit'], [{ source: 'files' }, 'source']] as const) {
      const r = await admin.client.callTool({ name: 'query_audit_log', arguments: { admin_token: ADMIN_TOKEN, ...args } });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r.content)).toContain(field);
    }
  });
});
