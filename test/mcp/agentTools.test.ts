import { ADMIN_TOKEN, McpHarness, startMcpHarness } from '../helpers/mcp';

describe('MCP tools: identity, agents, governance', () => {
  let h: McpHarness;
  beforeAll(async () => {
    h = await startMcpHarness({}, {
      tool_call: [{ limit: 40, periodMs: 60_000 }],
      knowledge_store: [{ limit: 20, periodMs: 3_600_000 }],
    });
  });
  afterAll(async () => h.close());

  it('lists every tool with descriptions, output schemas and hints', async () => {
    const c = await h.connect();
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['onboard', 'identity', 'process_agent_update', 'get_governance_metrics', 'health_check']));
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(tool.description!.length).toBeGreaterThan(10);
      expect({ tool: tool.name, outputSchema: tool.outputSchema?.type }).toEqual({ tool: tool.name, outputSchema: 'object' });
      expect({ tool: tool.name, readOnlyHint: typeof tool.annotations?.readOnlyHint }).toEqual({ tool: tool.name, readOnlyHint: 'boolean' });
    }
  });

  it('onboard binds the session; later calls act as that agent; the key authenticates another session', async () => {
    const a = await h.connect();
    expect((await a.call('identity')).data).toMatchObject({ bound: false, agent_id: null });
    const onboarded = await a.call('onboard', { label: 'Tool Tester', tags: ['MCP', ' test '] });
    expect(onboarded.isError).toBe(false);
    const agentId = onboarded.data.agent_id as string;
    const apiKey = onboarded.data.api_key as string;
    expect(apiKey.length).toBeGreaterThan(20);
    expect((await a.call('identity')).data).toMatchObject({ bound: true, agent_id: agentId });

    for (let i = 0; i < 3; i++) {
      const update = await a.call('process_agent_update', { complexity: 0.4, confidence: 0.8, response_length: 1200 });
      expect(update.isError).toBe(false);
      expect(update.data.seq).toBe(i + 1);
      expect(['proceed', 'guide', 'pause']).toContain(update.data.decision);
    }
    const metrics = await a.call('get_governance_metrics', { history: 5 });
    expect(metrics.data.current).toMatchObject({ seq: 3 });
    expect(metrics.data.history).toHaveLength(3);

    const b = await h.connect();
    const unbound = await b.call('process_agent_update', { complexity: 0.1, confidence: 0.5 });
    expect(unbound.isError).toBe(true);
    expect(unbound.data.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await b.call('identity', { api_key: apiKey })).data).toMatchObject({ bound: true, agent_id: agentId });
    expect((await b.call('get_agent')).data).toMatchObject({ id: agentId, label: 'Tool Tester', tags: ['mcp', 'test'] });
    const wrongKey = await (await h.connect()).call('identity', { api_key: 'gvk_not-a-real-key-000000' });
    expect(wrongKey.data.error).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('an agent can only act as itself', async () => {
    const a = await h.connect();
    const other = await h.connect();
    await a.call('onboard', { label: 'Self A' });
    const otherId = (await other.call('onboard', { label: 'Self B' })).data.agent_id;
    const attempt = await a.call('update_agent', { agent_id: otherId, notes: 'hijack' });
    expect(attempt.isError).toBe(true);
    expect(attempt.data.error).toMatchObject({ code: 'FORBIDDEN' });
    const again = await a.call('onboard', { label: 'Second identity' });
    expect(again.data.error).toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects bad input with a clear error and records nothing', async () => {
    const a = await h.connect();
    expect((await a.call('onboard', {})).isError).toBe(false);
    // an error result naming the field (a thrown JSON-RPC error would reject here and fail the test)
    const bad = await a.call('process_agent_update', { complexity: 7, confidence: 0.5 });
    expect(bad).toMatchObject({ isError: true, data: { error: { code: 'INVALID_INPUT', field: 'complexity' } } });
    const metrics = await a.call('get_governance_metrics');
    expect(metrics.data.current).toMatchObject({ seq: 0 });
  });

  it('lifecycle tools change status and are audited', async () => {
    const a = await h.connect();
    const id = (await a.call('onboard', { label: 'Lifecycle' })).data.agent_id;
    expect((await a.call('archive_agent', { reason: 'done' })).data).toMatchObject({ agent_id: id, to_status: 'archived' });
    expect((await a.call('resume_agent')).data).toMatchObject({ to_status: 'active' });
    await h.runtime.auditLog.flush();
    await h.runtime.auditMirror.caughtUp(10_000);
    const rows = await h.db.pool.query(`select event_type from audit.events where agent_id = $1 order by occurred_at, id`, [id]);
    expect(rows.rows.map((r) => r.event_type)).toEqual(['agent_onboarded', 'agent_archived', 'agent_resumed']);
  });

  it('reads may look at other agents; a paused agent cannot resume itself', async () => {
    const a = await h.connect();
    const b = await h.connect();
    await a.call('onboard', { label: 'Reader' });
    const bId = (await b.call('onboard', { label: 'Read target' })).data.agent_id as string;
    expect((await a.call('get_agent', { agent_id: bId })).data).toMatchObject({ id: bId });
    expect((await a.call('get_governance_metrics', { agent_id: bId })).data).toMatchObject({ agent_id: bId });
    await h.runtime.deps.services.agents.pause(bId, { reason: 'test', actor: 'test' });
    expect((await b.call('resume_agent')).data.error).toMatchObject({ code: 'AGENT_PAUSED' });
    expect((await b.call('resume_agent', { admin_token: ADMIN_TOKEN })).data).toMatchObject({ to_status: 'active' });
  });

  it('delete_agent ends the session: the next call is unauthenticated', async () => {
    const a = await h.connect();
    const id = (await a.call('onboard', { label: 'Short lived' })).data.agent_id;
    expect((await a.call('delete_agent', { reason: 'test' })).data).toMatchObject({ agent_id: id, to_status: 'deleted' });
    expect((await a.call('identity')).data).toMatchObject({ bound: false });
    expect((await a.call('get_agent')).data.error).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rate limits tool calls per agent and records tool usage', async () => {
    const a = await h.connect();
    const id = (await a.call('onboard', {})).data.agent_id;
    let refused: Record<string, unknown> | undefined;
    for (let i = 0; i < 45 && !refused; i++) {
      const r = await a.call('identity');
      if (r.isError) refused = r.data.error as Record<string, unknown>;
    }
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused!.retry_after_ms).toBeGreaterThan(0);
    await h.runtime.toolUsage.flush();
    const usage = await h.db.pool.query(`select tool_name, success, error_code from audit.tool_usage where agent_id = $1`, [id]);
    expect(usage.rows.length).toBeGreaterThanOrEqual(40);
    expect(usage.rows.some((r) => r.error_code === 'RATE_LIMITED' && r.success === false)).toBe(true);
  });

  it('health_check reports the contract', async () => {
    const a = await h.connect();
    const health = await a.call('health_check');
    expect(health.isError).toBe(false);
    expect(['healthy', 'moderate']).toContain(health.data.status);
    expect(Object.keys(health.data.checks as object).sort()).toEqual(['audit', 'cache', 'calibration', 'graph', 'leader', 'postgres']);
    expect(health.data.schema_version).toBeGreaterThanOrEqual(3);
  });
});
