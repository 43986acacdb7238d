import { ADMIN_TOKEN, McpClient, McpHarness, startMcpHarness } from '../helpers/mcp';

type Data = Record<string, unknown>;

describe('MCP tools: knowledge graph', () => {
  let h: McpHarness;
  // knowledge_store is 3 per hour here, per agent: each test onboards the agents it stores as
  beforeAll(async () => {
    h = await startMcpHarness({}, {
      tool_call: [{ limit: 1000, periodMs: 60_000 }],
      knowledge_store: [{ limit: 3, periodMs: 3_600_000 }],
    });
  });
  afterAll(async () => h.close());

  async function agent(label?: string): Promise<{ c: McpClient; id: string }> {
    const c = await h.connect();
    const id = (await c.call('onboard', label ? { label } : {})).data.agent_id as string;
    return { c, id };
  }
  const store = async (c: McpClient, args: Data) => {
    const r = await c.call('store_knowledge', args);
    expect(r).toMatchObject({ isError: false });
    return (r.data.discoveries as Data[])[0]!;
  };
  const errorOf = (r: { isError: boolean; data: Data }) => {
    expect(r.isError).toBe(true);
    return r.data.error as Data;
  };

  it('stores a discovery authored by the caller, with provenance, and audits it', async () => {
    const { c, id } = await agent('Knower');
    await c.call('process_agent_update', { complexity: 0.3, confidence: 0.9, response_length: 100 });
    const r = await c.call('store_knowledge', {
      summary: 'Cache stampede on cold start', details: 'Many workers miss at once.', type: 'bug', tags: ['Cache', ' perf '],
      severity: 'high', references_files: ['src/cache/x.ts'], confidence: 0.7,
    });
    expect(r.isError).toBe(false);
    const d = (r.data.discoveries as Data[])[0]!;
    expect(r.data.ids).toEqual([d.id]);
    expect(d).toMatchObject({ agent_id: id, type: 'bug', status: 'open', severity: 'high', tags: ['cache', 'perf'], references_files: ['src/cache/x.ts'], confidence: 0.7 });
    expect(d.provenance).toMatchObject({ source: 'core.agent_state', seq: 1 });
    await h.runtime.auditLog.flush();
    await h.runtime.auditMirror.caughtUp(10_000);
    const events = await h.db.pool.query(`select details from audit.events where agent_id = $1 and event_type = 'knowledge_stored'`, [id]);
    expect(events.rows).toEqual([{ details: { discovery_ids: [d.id], count: 1, batch: false } }]);
  });

  it('refuses stores without identity, with bad input, or with both modes', async () => {
    const anon = await h.connect();
    expect(errorOf(await anon.call('store_knowledge', { summary: 'x' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const { c } = await agent();
    expect(errorOf(await c.call('store_knowledge', {}))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/summary is missing/) });
    expect(errorOf(await c.call('store_knowledge', { summary: 'a', items: [{ summary: 'b' }] }))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not both: found items and summary/) });
    expect(errorOf(await c.call('store_knowledge', { summary: 'a', response_type: 'support' }))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/response_type/) });
    // a refused store still counts (the toolkit consumes before the handler runs): 3 units are spent
    expect(errorOf(await c.call('store_knowledge', { summary: 'a', response_to: 'kd_nope' }))).toMatchObject({ code: 'RATE_LIMITED' });
    expect(errorOf(await (await agent()).c.call('store_knowledge', { summary: 'a', response_to: 'kd_nope' }))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/kd_nope/) });
    const schema = await c.client.callTool({ name: 'store_knowledge', arguments: { summary: 'a', confidence: 3 } }).catch((e: Error) => ({ isError: true, thrown: e.message }));
    expect(schema.isError).toBe(true);
    expect(JSON.stringify(schema)).toMatch(/confidence/);
  });

  it('a batch is stored all or nothing, and counts one knowledge_store per item', async () => {
    const { c } = await agent();
    const bad = await c.call('store_knowledge', { items: [{ summary: 'zebraquokka one' }, { summary: 'zebraquokka two', response_to: 'kd_missing' }] });
    expect(errorOf(bad)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^items\[1\]: No discovery with id "kd_missing"/) });
    const found = await c.call('search_knowledge', { query: 'zebraquokka' });
    expect(found.data.hits).toEqual([]);

    // the failed batch spent 2 of this agent's 3 units: a new agent shows the counting cleanly
    const fresh = await agent();
    const ok = await fresh.c.call('store_knowledge', { items: [{ summary: 'batch a', tags: ['b'] }, { summary: 'batch b' }, { summary: 'batch c' }] });
    expect(ok.isError).toBe(false);
    expect(ok.data.ids).toHaveLength(3);
    expect((ok.data.discoveries as Data[]).map((d) => [d.summary, d.agent_id])).toEqual([['batch a', fresh.id], ['batch b', fresh.id], ['batch c', fresh.id]]);
    expect(errorOf(await fresh.c.call('store_knowledge', { summary: 'one too many' }))).toMatchObject({ code: 'RATE_LIMITED' });

    const tooBig = await (await agent()).c.call('store_knowledge', { items: [1, 2, 3, 4].map((n) => ({ summary: `over budget ${n}` })) });
    expect(errorOf(tooBig)).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
    expect((await c.call('search_knowledge', { query: 'over budget' })).data.hits).toEqual([]);
  });

  it('the 4th store within the hour is RATE_LIMITED with retry_after_ms', async () => {
    const { c } = await agent();
    for (let i = 1; i <= 3; i++) await store(c, { summary: `limited ${i}` });
    const refused = errorOf(await c.call('store_knowledge', { summary: 'limited 4' }));
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.retry_after_ms).toBeGreaterThan(0);
  });

  it('search finds what was stored; a summary hit outranks details hits; filters apply', async () => {
    const { c, id } = await agent();
    const inDetails = await store(c, { summary: 'Notes on workers', details: 'flamingo flamingo flamingo flamingo flamingo flamingo', tags: ['birds'] });
    const inSummary = await store(c, { summary: 'Flamingo migration pattern', type: 'pattern', tags: ['birds', 'travel'] });
    const other = await agent();
    expect(errorOf(await (await h.connect()).call('search_knowledge', { query: 'flamingo' }))).toMatchObject({ code: 'UNAUTHENTICATED' });

    const hits = (await other.c.call('search_knowledge', { query: 'flamingo' })).data.hits as Data[];
    expect(hits.map((x) => x.id)).toEqual([inSummary.id, inDetails.id]);
    expect(hits[0]).toMatchObject({ match: 'fulltext', agent_id: id });
    const byTags = (await other.c.call('search_knowledge', { tags: ['Travel'], agent_id: id })).data.hits as Data[];
    expect(byTags.map((x) => x.id)).toEqual([inSummary.id]);
    const byType = (await other.c.call('search_knowledge', { query: 'flamingo', type: 'pattern', status: 'open', since: '2020-01-01T00:00:00Z' })).data.hits as Data[];
    expect(byType.map((x) => x.id)).toEqual([inSummary.id]);
    const admin = await (await h.connect()).call('search_knowledge', { query: 'flamngo migraton', admin_token: ADMIN_TOKEN });
    expect((admin.data.hits as Data[])[0]).toMatchObject({ id: inSummary.id, match: 'trigram' });
    expect(errorOf(await other.c.call('search_knowledge', { since: '2030-01-01T00:00:00Z', until: '2020-01-01T00:00:00Z' }))).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('get_discovery returns the response chain; unknown ids are NOT_FOUND', async () => {
    const a = await agent();
    const b = await agent();
    const root = await store(a.c, { summary: 'Root question', type: 'question' });
    const answer = await store(b.c, { summary: 'An answer', response_to: root.id, response_type: 'answer' });
    const followUp = await store(a.c, { summary: 'Follow-up', response_to: answer.id, response_type: 'question' });

    const chain = (await b.c.call('get_discovery', { id: followUp.id })).data;
    expect((chain.discovery as Data).id).toBe(followUp.id);
    expect((chain.ancestors as Data[]).map((x) => [x.id, x.depth])).toEqual([[answer.id, 1], [root.id, 2]]);
    const top = (await b.c.call('get_discovery', { id: root.id })).data;
    expect((top.responses as Data[]).map((x) => x.id)).toEqual([answer.id]);
    expect(top.ancestors).toEqual([]);

    expect(errorOf(await a.c.call('get_discovery', { id: 'kd_does_not_exist' }))).toMatchObject({ code: 'NOT_FOUND', message: 'No discovery with id "kd_does_not_exist" (the discovery)' });
    expect(errorOf(await (await h.connect()).call('get_discovery', { id: root.id }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('link_discoveries links as the caller; related, similar and stats read the links', async () => {
    const a = await agent();
    const b = await agent();
    const x = await store(a.c, { summary: 'Link source', tags: ['graph', 'links'] });
    const y = await store(b.c, { summary: 'Link target', tags: ['graph'] });
    const link = await b.c.call('link_discoveries', { src_id: y.id, dst_id: x.id, link_type: 'disputes', weight: 0.5, metadata: { why: 'contradicts' } });
    expect(link.data).toMatchObject({ src_id: y.id, dst_id: x.id, type: 'disputes', weight: 0.5, created_by: b.id, metadata: { why: 'contradicts' } });

    expect(errorOf(await b.c.call('link_discoveries', { src_id: y.id, dst_id: 'kd_nowhere' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await b.c.call('link_discoveries', { src_id: y.id, dst_id: y.id }))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/to itself/) });
    expect(errorOf(await (await h.connect()).call('link_discoveries', { src_id: y.id, dst_id: x.id }))).toMatchObject({ code: 'UNAUTHENTICATED' });

    expect((await a.c.call('related_discoveries', { id: x.id, max_hops: 1 })).data.related).toEqual([expect.objectContaining({ id: y.id, hops: 1 })]);
    expect((await a.c.call('similar_discoveries', { id: x.id })).data.similar).toEqual([expect.objectContaining({ id: y.id, shared_tags: ['graph'], shared_count: 1, score: 0.5 })]);
    expect(errorOf(await a.c.call('similar_discoveries', { id: 'kd_nope' }))).toMatchObject({ code: 'NOT_FOUND' });
    const stats = (await a.c.call('knowledge_stats', { top: 5 })).data;
    expect((stats.totals as Data).edges).toBeGreaterThanOrEqual(1);
    expect(errorOf(await (await h.connect()).call('knowledge_stats', {}))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('update_discovery_status: the author or an admin sets any status, others may only dispute', async () => {
    const author = await agent();
    const other = await agent();
    const d = await store(author.c, { summary: 'Status subject' });

    const resolved = await author.c.call('update_discovery_status', { id: d.id, status: 'resolved', reason: 'fixed' });
    expect(resolved.data).toMatchObject({ previous_status: 'open', discovery: { id: d.id, status: 'resolved', resolved_at: expect.any(String) } });
    expect(errorOf(await other.c.call('update_discovery_status', { id: d.id, status: 'open' }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/only its author or an admin/) });
    expect((await other.c.call('update_discovery_status', { id: d.id, status: 'disputed' })).data).toMatchObject({ previous_status: 'resolved', discovery: { status: 'disputed', resolved_at: null } });
    const byAdmin = await (await h.connect()).call('update_discovery_status', { id: d.id, status: 'archived', admin_token: ADMIN_TOKEN });
    expect(byAdmin.data).toMatchObject({ discovery: { status: 'archived' } });

    expect(errorOf(await author.c.call('update_discovery_status', { id: 'kd_nope', status: 'resolved' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await (await h.connect()).call('update_discovery_status', { id: d.id, status: 'open' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bad = await author.c.client.callTool({ name: 'update_discovery_status', arguments: { id: d.id, status: 'closed' } }).catch((e: Error) => ({ isError: true, thrown: e.message }));
    expect(bad.isError).toBe(true);
  });

  it('supersede_discovery: only the author of the new discovery or an admin', async () => {
    const a = await agent();
    const b = await agent();
    const old = await store(b.c, { summary: 'Old finding' });
    const mine = await store(a.c, { summary: 'Better finding' });
    const theirs = await store(b.c, { summary: 'Their finding' });

    expect(errorOf(await a.c.call('supersede_discovery', { old_id: old.id, new_id: theirs.id }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/its author is/) });
    const done = await a.c.call('supersede_discovery', { old_id: old.id, new_id: mine.id });
    expect(done.data).toMatchObject({ superseded_by: mine.id, superseded: { id: old.id, status: 'archived', superseded_by: mine.id } });
    expect(errorOf(await b.c.call('update_discovery_status', { id: old.id, status: 'open' }))).toMatchObject({ code: 'INVALID_STATE' });

    const byAdmin = await (await h.connect()).call('supersede_discovery', { old_id: theirs.id, new_id: mine.id, admin_token: ADMIN_TOKEN });
    expect(byAdmin.data).toMatchObject({ superseded: { id: theirs.id, superseded_by: mine.id } });
    expect(errorOf(await a.c.call('supersede_discovery', { old_id: 'kd_nope', new_id: mine.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await a.c.call('supersede_discovery', { old_id: old.id, new_id: 'kd_nope' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await (await h.connect()).call('supersede_discovery', { old_id: old.id, new_id: mine.id }))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
