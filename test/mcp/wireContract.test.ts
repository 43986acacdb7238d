import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BuiltHttpServer, connectBuiltStdio, errorBody, SERVED_ADMIN_TOKEN, ServedCall, ServedClient, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';

/**
 * The wire contract (issue 12), the way users reach the server: the BUILT server through the
 * official SDK Client over Streamable HTTP (and a subset over stdio), with output-schema validation
 * armed. For every registered tool: one success and at least one error with its exact code.
 * Run `npm run build` first.
 */

type Case = { client: () => Promise<ServedClient> | ServedClient; args: Record<string, unknown> };
type ErrorCase = Case & { code: string; field?: string; message?: RegExp };

describe('wire contract: every tool through the SDK client over Streamable HTTP', () => {
  let db: TestDatabase;
  let server: BuiltHttpServer;
  let anon: ServedClient;
  const agents: Record<string, { c: ServedClient; id: string; key: string }> = {};
  let discoveries: string[] = [];
  let dialecticId = '';

  const onboard = async (label: string) => {
    const c = await server.connect();
    const r = await c.call('onboard', { label });
    expect(r.isError).toBe(false);
    return { c, id: r.data.agent_id as string, key: r.data.api_key as string };
  };
  const ok = (r: ServedCall) => {
    if (r.isError) throw new Error(`expected success, got ${JSON.stringify(r.data)}`);
    return r.data;
  };

  beforeAll(async () => {
    db = await createMigratedDatabase();
    server = await startBuiltHttpServer(servedEnv(db.url));
    anon = await server.connect();
    for (const name of ['a', 'b', 'c', 'd', 'e']) agents[name] = await onboard(`wire ${name}`);
    const a = agents.a!.c;
    const stored = ok(await a.call('store_knowledge', { items: [
      { summary: 'wire contract first', tags: ['wire', 'contract'] },
      { summary: 'wire contract second', tags: ['wire'] },
      { summary: 'wire contract third', tags: ['contract'] },
    ] }));
    discoveries = stored.ids as string[];
    ok(await a.call('record_prediction', { decision_id: 'wire-1', confidence: 0.8 }));
    ok(await a.call('record_prediction', { decision_id: 'wire-2', confidence: 0.6 }));
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const A = () => agents.a!.c;

  /** tools/call with an `arguments` JSON text written by hand, on the session of `client`; returns the error body or the result. */
  const rawToolCall = async (client: ServedClient, name: string, argumentsJson: string): Promise<Record<string, unknown>> => {
    const transport = client.client.transport as unknown as { sessionId?: string; protocolVersion?: string };
    const res = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json', accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
      },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${argumentsJson}}}`,
    });
    const text = await res.text();
    const json = text.startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data:'))!.slice(5);
    const message = JSON.parse(json) as { result?: CallToolResult; error?: unknown };
    if (!message.result) throw new Error(`JSON-RPC error: ${JSON.stringify(message.error)}`);
    return message.result.isError ? errorBody(message.result) : (message.result.structuredContent as Record<string, unknown>);
  };
  const admin = () => ({ admin_token: SERVED_ADMIN_TOKEN });

  /** One success per tool; ordered, since some depend on earlier ones (the lifecycle and the dialectic). */
  const successes: Array<[string, () => Promise<Record<string, unknown>>]> = [
    ['health_check', async () => ok(await anon.call('health_check'))],
    ['identity', async () => ok(await A().call('identity'))],
    ['onboard', async () => ok(await (await server.connect()).call('onboard', { label: 'wire onboard' }))],
    ['process_agent_update', async () => ok(await A().call('process_agent_update', { complexity: 0.2, confidence: 0.8, response_length: 400 }))],
    ['get_governance_metrics', async () => ok(await A().call('get_governance_metrics', { history: 0 }))],
    ['list_agents', async () => ok(await A().call('list_agents', { limit: 3 }))],
    ['get_agent', async () => ok(await A().call('get_agent', { agent_id: agents.b!.id }))],
    ['update_agent', async () => ok(await A().call('update_agent', { purpose: 'testing the wire', tags: ['Wire'] }))],
    ['archive_agent', async () => ok(await agents.c!.c.call('archive_agent', { reason: 'wire' }))],
    ['resume_agent', async () => ok(await agents.c!.c.call('resume_agent'))],
    ['pause_agent', async () => ok(await agents.c!.c.call('pause_agent', { reason: 'wire' }))],
    ['request_dialectic_review', async () => {
      const r = ok(await agents.c!.c.call('request_dialectic_review', { reviewer_agent_id: agents.b!.id, topic: 'wire' }));
      dialecticId = r.id as string;
      return r;
    }],
    ['submit_thesis', async () => ok(await agents.c!.c.call('submit_thesis', { session_id: dialecticId, root_cause: 'wire', proposed_conditions: ['add tests'] }))],
    ['submit_antithesis', async () => ok(await agents.b!.c.call('submit_antithesis', { session_id: dialecticId, reasoning: 'agreed in part' }))],
    ['submit_synthesis', async () => ok(await agents.c!.c.call('submit_synthesis', { session_id: dialecticId, agrees: true, reasoning: 'ok', proposed_conditions: ['add tests'] }))],
    ['get_dialectic_session', async () => ok(await agents.b!.c.call('get_dialectic_session', { session_id: dialecticId }))],
    ['list_dialectic_sessions', async () => ok(await agents.b!.c.call('list_dialectic_sessions'))],
    ['rotate_api_key', async () => ok(await agents.d!.c.call('rotate_api_key', { reason: 'wire' }))],
    ['delete_agent', async () => ok(await agents.d!.c.call('delete_agent', { reason: 'wire' }))],
    ['record_prediction', async () => ok(await A().call('record_prediction', { decision_id: 'wire-3', confidence: 0.9, details: { seq: 3 } }))],
    ['record_outcome', async () => ok(await A().call('record_outcome', { decision_id: 'wire-1', actual_correct: true }))],
    ['get_calibration', async () => ok(await A().call('get_calibration'))],
    ['store_knowledge', async () => ok(await A().call('store_knowledge', { summary: 'wire one', details: 'body', tags: ['wire'] }))],
    ['search_knowledge', async () => ok(await A().call('search_knowledge', { query: 'wire contract' }))],
    ['get_discovery', async () => ok(await A().call('get_discovery', { id: discoveries[0] }))],
    ['link_discoveries', async () => ok(await A().call('link_discoveries', { src_id: discoveries[0], dst_id: discoveries[1], metadata: { why: 'wire' } }))],
    ['update_discovery_status', async () => ok(await A().call('update_discovery_status', { id: discoveries[2], status: 'resolved' }))],
    ['supersede_discovery', async () => ok(await A().call('supersede_discovery', { old_id: discoveries[2], new_id: discoveries[1] }))],
    ['similar_discoveries', async () => ok(await A().call('similar_discoveries', { id: discoveries[0] }))],
    ['related_discoveries', async () => ok(await A().call('related_discoveries', { id: discoveries[0] }))],
    ['knowledge_stats', async () => ok(await A().call('knowledge_stats'))],
    ['graph_query', async () => ok(await anon.call('graph_query', { ...admin(), query: 'MATCH (a:Agent) RETURN a.id AS id' }))],
    ['query_audit_log', async () => ok(await A().call('query_audit_log', { source: 'tool_usage', limit: 5 }))],
  ];

  /** At least one error per tool, with its exact code. */
  const errors: Array<[string, () => ErrorCase]> = [
    ['health_check', () => ({ client: () => anon, args: { verbose: true }, code: 'INVALID_INPUT', field: 'verbose' })],
    ['identity', () => ({ client: () => server.connect(), args: { api_key: 'gv_not_a_real_key_000000' }, code: 'UNAUTHENTICATED' })],
    ['onboard', () => ({ client: () => server.connect(), args: { label: 'admin\u200b' }, code: 'INVALID_INPUT', field: 'label' })],
    ['onboard', () => ({ client: () => server.connect(), args: { label: 'wire a' }, code: 'CONFLICT' })],
    ['process_agent_update', () => ({ client: () => anon, args: { complexity: 0.5, confidence: 0.5, response_length: 10 }, code: 'UNAUTHENTICATED' })],
    ['process_agent_update', () => ({ client: A, args: { complexity: 0.5, confidence: 0.5, response_length: 200_001 }, code: 'INVALID_INPUT', field: 'response_length' })],
    ['get_governance_metrics', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['list_agents', () => ({ client: A, args: { limit: 0 }, code: 'INVALID_INPUT', field: 'limit' })],
    ['get_agent', () => ({ client: A, args: { agent_id: 'no-such-agent' }, code: 'NOT_FOUND' })],
    ['update_agent', () => ({ client: A, args: { agent_id: agents.b!.id, purpose: 'x' }, code: 'FORBIDDEN' })],
    ['update_agent', () => ({ client: A, args: { tags: ['ok', 'bell\u0007'] }, code: 'INVALID_INPUT', field: 'tags[1]' })],
    ['archive_agent', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['resume_agent', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['pause_agent', () => ({ client: () => anon, args: { reason: 'x' }, code: 'UNAUTHENTICATED' })],
    ['delete_agent', () => ({ client: A, args: { agent_id: agents.b!.id }, code: 'FORBIDDEN' })],
    ['rotate_api_key', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['request_dialectic_review', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['submit_thesis', () => ({ client: A, args: { session_id: 'no-such-session', root_cause: 'x' }, code: 'NOT_FOUND' })],
    ['submit_antithesis', () => ({ client: A, args: { session_id: 'no-such-session', reasoning: 'x' }, code: 'NOT_FOUND' })],
    ['submit_synthesis', () => ({ client: A, args: { session_id: dialecticId, agrees: true, reasoning: 'x', conditions: ['add tests'] }, code: 'INVALID_INPUT', field: 'conditions' })],
    ['get_dialectic_session', () => ({ client: A, args: { session_id: 'no-such-session' }, code: 'NOT_FOUND' })],
    ['list_dialectic_sessions', () => ({ client: A, args: { agent_id: agents.b!.id }, code: 'FORBIDDEN' })],
    ['record_prediction', () => ({ client: A, args: { decision_id: 'wire-2', confidence: 0.1 }, code: 'CONFLICT' })],
    ['record_outcome', () => ({ client: A, args: { decision_id: 'no-such-decision', actual_correct: true }, code: 'NOT_FOUND' })],
    ['get_calibration', () => ({ client: () => anon, args: {}, code: 'UNAUTHENTICATED' })],
    ['store_knowledge', () => ({ client: A, args: { summary: 'x', content: 'y', tag: 'z', discovery_type: 'bug' }, code: 'INVALID_INPUT', field: 'content' })],
    ['search_knowledge', () => ({ client: () => anon, args: { query: 'x' }, code: 'UNAUTHENTICATED' })],
    ['get_discovery', () => ({ client: A, args: { id: 'kd_missing' }, code: 'NOT_FOUND' })],
    ['link_discoveries', () => ({ client: A, args: { src_id: discoveries[0], dst_id: 'kd_missing' }, code: 'NOT_FOUND' })],
    ['update_discovery_status', () => ({ client: A, args: { id: 'kd_missing', status: 'resolved' }, code: 'NOT_FOUND' })],
    ['supersede_discovery', () => ({ client: A, args: { old_id: discoveries[0], new_id: 'kd_missing' }, code: 'NOT_FOUND' })],
    ['similar_discoveries', () => ({ client: () => anon, args: { id: discoveries[0] }, code: 'UNAUTHENTICATED' })],
    ['related_discoveries', () => ({ client: A, args: { id: discoveries[0], max_hops: 4 }, code: 'INVALID_INPUT', field: 'max_hops' })],
    ['knowledge_stats', () => ({ client: A, args: { top: 0 }, code: 'INVALID_INPUT', field: 'top' })],
    ['graph_query', () => ({ client: A, args: { query: 'MATCH (a:Agent) RETURN a.id' }, code: 'FORBIDDEN' })],
    ['query_audit_log', () => ({ client: A, args: { agent_id: agents.b!.id }, code: 'FORBIDDEN' })],
  ];

  it('has a success and an error case for every tool in tools/list', async () => {
    const listed = (await anon.client.listTools()).tools.map((t) => t.name).sort();
    expect([...new Set(successes.map(([n]) => n))].sort()).toEqual(listed);
    expect([...new Set(errors.map(([n]) => n))].sort()).toEqual(listed);
  });

  it('every tool answers a success that passes the SDK client\'s output-schema validation, in snake_case', async () => {
    for (const [name, run] of successes) {
      const data = await run().catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
      expect(data).toEqual(expect.any(Object));
      const camel: string[] = [];
      const walk = (v: unknown, path: string, free: boolean) => {
        if (!v || typeof v !== 'object') return;
        for (const [k, child] of Object.entries(v)) {
          if (!free && /[A-Z]/.test(k)) camel.push(`${path}.${k}`);
          // free JSON values (details, metadata, graph rows, by_* counts) keep their writer's keys
          walk(child, `${path}.${k}`, free || ['details', 'metadata', 'observed_metrics', 'provenance', 'rows', 'params', 'checks', 'concerns'].includes(k) || k.startsWith('by_'));
        }
      };
      walk(data, name, false);
      expect(camel).toEqual([]);
    }
  });

  it('every tool\'s error reaches the client with our code, message and hint (finding 1)', async () => {
    for (const [name, make] of errors) {
      const c = make();
      const client = await c.client();
      const r = await client.call(name, c.args);
      expect({ name, isError: r.isError, code: r.data.code }).toEqual({ name, isError: true, code: c.code });
      expect(r.data.message).toEqual(expect.any(String));
      expect(r.raw.structuredContent).toBeUndefined();
      if (c.field) expect({ name, field: r.data.field }).toEqual({ name, field: c.field });
      if (r.data.code === 'UNAUTHENTICATED' || r.data.code === 'INVALID_INPUT') expect(r.data.hint).toEqual(expect.any(String));
    }
  });

  it('finding 1: get_agent with an unknown id and process_agent_update on an unbound session', async () => {
    const unknown = await A().call('get_agent', { agent_id: 'nobody-here' });
    expect(unknown.data).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nobody-here') });
    const unbound = await (await server.connect()).call('process_agent_update', { complexity: 0.1, confidence: 0.9, response_length: 1 });
    expect(unbound.data).toMatchObject({ code: 'UNAUTHENTICATED', hint: expect.stringContaining('onboard') });
  });

  it('finding 2: misnamed arguments are refused naming the key and the closest valid name; nothing is stored', async () => {
    const before = (await db.pool.query('select count(*)::int n from knowledge.discoveries')).rows[0].n;
    const r = await A().call('store_knowledge', { summary: 's', content: 'c', tag: 't', discovery_type: 'bug' });
    expect(r.data).toMatchObject({ code: 'INVALID_INPUT', field: 'content', closest: 'details' });
    expect(r.data.message).toMatch(/unknown argument "content" \(did you mean "details"\?\)/);
    expect(r.data.message).toMatch(/unknown argument "tag" \(did you mean "tags"\?\)/);
    expect(r.data.message).toMatch(/unknown argument "discovery_type" \(did you mean "type"\?\)/);
    expect((await db.pool.query('select count(*)::int n from knowledge.discoveries')).rows[0].n).toBe(before);
    // nested items too
    const nested = await A().call('store_knowledge', { items: [{ summary: 's', sumary: 'typo' }] });
    expect(nested.data).toMatchObject({ code: 'INVALID_INPUT', field: 'items[0].sumary', closest: 'summary' });
  });

  it('finding 2: both participants agreeing with "conditions" instead of proposed_conditions do not resolve the session', async () => {
    const p = await onboard('wire paused');
    const r = await onboard('wire reviewer');
    ok(await p.c.call('pause_agent', { reason: 'wire' }));
    const id = ok(await p.c.call('request_dialectic_review', { reviewer_agent_id: r.id })).id as string;
    ok(await p.c.call('submit_thesis', { session_id: id, root_cause: 'x' }));
    ok(await r.c.call('submit_antithesis', { session_id: id, reasoning: 'y' }));
    for (const who of [p, r]) {
      const refused = await who.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'ok', conditions: ['add tests'] });
      expect(refused.data).toMatchObject({ code: 'INVALID_INPUT', closest: 'proposed_conditions' });
    }
    // agreeing without conditions needs the explicit flag
    const silent = await p.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'ok' });
    expect(silent.data).toMatchObject({ code: 'INVALID_INPUT', field: 'proposed_conditions' });
    const session = ok(await p.c.call('get_dialectic_session', { session_id: id }));
    expect(session).toMatchObject({ phase: 'synthesis', status: 'active' });
    expect(session.messages).toHaveLength(2);
    ok(await p.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'ok', proposed_conditions: ['add tests'] }));
    const resolved = ok(await r.c.call('submit_synthesis', { session_id: id, agrees: true, reasoning: 'ok', no_conditions: true }));
    expect(resolved).toMatchObject({ phase: 'resolved', resolution: { conditions: ['add tests'] } });
  });

  it('finding 3: NUL, lone surrogates and 5,000-deep objects are INVALID_INPUT naming the field', async () => {
    const before = (await db.pool.query('select count(*)::int n from knowledge.discoveries')).rows[0].n;
    const nul = await A().call('store_knowledge', { summary: 'a\u0000b' });
    expect(nul.data).toMatchObject({ code: 'INVALID_INPUT', field: 'summary', message: expect.stringContaining('NUL') });
    const surrogate = await agents.e!.c.call('pause_agent', { reason: 'x\ud800y' });
    expect(surrogate.data).toMatchObject({ code: 'INVALID_INPUT', field: 'reason', message: expect.stringContaining('unpaired surrogate') });
    expect(ok(await agents.e!.c.call('get_agent')).status).toBe('active');
    // the SDK client's own JSON.stringify overflows at this depth, so the request is written by hand
    for (const depth of [5000, 100_000]) {
      const details = `${'{"d":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const nested = await rawToolCall(A(), 'record_prediction', `{"decision_id":"wire-deep","confidence":0.5,"details":${details}}`);
      expect(nested).toMatchObject({ code: 'INVALID_INPUT', field: expect.stringMatching(/^details(\.d)+$/) });
    }
    const inKey = await A().call('link_discoveries', { src_id: discoveries[0], dst_id: discoveries[1], metadata: { ['k\u0000']: 1 } });
    expect(inKey.data).toMatchObject({ code: 'INVALID_INPUT', field: 'metadata.k\u0000' });
    expect((await db.pool.query('select count(*)::int n from knowledge.discoveries')).rows[0].n).toBe(before);
    expect((await db.pool.query(`select count(*)::int n from core.ground_truth where decision_id = 'wire-deep'`)).rows[0].n).toBe(0);
  });

  it('finding 4: labels and tags refuse ANSI escapes, BEL, RLO and zero-width characters; names are NFC-normalised', async () => {
    for (const label of ['\u001b[31mred', 'ring\u0007', 'abc\u202edef', 'admin\u200b', 'zw\u2060j', '\ufeffbom']) {
      const r = await (await server.connect()).call('onboard', { label });
      expect({ label, code: r.data.code, field: r.data.field }).toEqual({ label, code: 'INVALID_INPUT', field: 'label' });
    }
    const tag = await A().call('store_knowledge', { summary: 'tagged', tags: ['ok', 'l\u200fr'] });
    expect(tag.data).toMatchObject({ code: 'INVALID_INPUT', field: 'tags[1]' });
    const nfc = ok(await (await server.connect()).call('onboard', { label: 'Cafe\u0301 wire' }));
    expect(nfc.label).toBe('Caf\u00e9 wire');
    // free text keeps what the agent wrote
    const free = ok(await A().call('store_knowledge', { summary: 'rtl \u202e and zw\u200b kept', details: 'bell \u0007 kept' }));
    expect((free.discoveries as Array<{ summary: string; details: string }>)[0]).toMatchObject({ summary: 'rtl \u202e and zw\u200b kept', details: 'bell \u0007 kept' });
  });

  it('finding 5: a 100,000-key details object and over-limit response sizes are refused before any work', async () => {
    const details = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const big = await A().call('record_prediction', { decision_id: 'wire-big', confidence: 0.5, details });
    expect(big.data).toMatchObject({ code: 'INVALID_INPUT', field: 'details' });
    expect((await db.pool.query(`select count(*)::int n from core.ground_truth where decision_id = 'wire-big'`)).rows[0].n).toBe(0);
    const text = await A().call('process_agent_update', { complexity: 0.5, confidence: 0.5, response_text: 'x'.repeat(200_001) });
    expect(text.data).toMatchObject({ code: 'INVALID_INPUT', field: 'response_text' });
    const tools = (await anon.client.listTools()).tools;
    const pau = tools.find((t) => t.name === 'process_agent_update')!.inputSchema.properties as Record<string, { maximum?: number; maxLength?: number }>;
    expect(pau.response_length!.maximum).toBe(200_000);
    expect(pau.response_text!.maxLength).toBe(200_000);
    const atLimit = ok(await A().call('process_agent_update', { complexity: 0.5, confidence: 0.5, response_text: 'x'.repeat(200_000) }));
    expect(atLimit.seq).toEqual(expect.any(Number));
  });

  it('finding 8: the wrong-key hint names the onboard tool; get_agent, onboard and get_governance_metrics answer in snake_case', async () => {
    const wrong = await (await server.connect()).call('identity', { api_key: 'gv_wrong_key_0000000000' });
    expect(wrong.data).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(wrong.data.hint).toMatch(/onboard tool/);
    expect(wrong.data.hint).not.toMatch(/onboard_agent/);
    const agent = ok(await A().call('get_agent'));
    expect(Object.keys(agent)).toEqual(expect.arrayContaining(['parent_agent_id', 'update_count', 'created_at', 'last_activity_at']));
    const metrics = ok(await A().call('get_governance_metrics'));
    expect(Object.keys(metrics.current as object)).toEqual(expect.arrayContaining(['health_status', 'recorded_at']));
  });

  it('an unknown tool is a JSON-RPC error (-32602), not a tool result', async () => {
    await expect(anon.client.callTool({ name: 'onboard_agent', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('over stdio: success and error bodies reach the client the same way', async () => {
    const stdio = await connectBuiltStdio(servedEnv(db.url));
    try {
      expect((await stdio.call('process_agent_update', { complexity: 0.1, confidence: 0.9, response_length: 1 })).data).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await stdio.call('onboard', { label: 'stdio\u202e' })).data).toMatchObject({ code: 'INVALID_INPUT', field: 'label' });
      expect(ok(await stdio.call('onboard', { label: 'wire stdio' })).agent_id).toEqual(expect.any(String));
      expect((await stdio.call('get_agent', { agent_id: 'nobody-here' })).data).toMatchObject({ code: 'NOT_FOUND' });
      expect((await stdio.call('store_knowledge', { summary: 's', content: 'c' })).data).toMatchObject({ code: 'INVALID_INPUT', closest: 'details' });
      expect(ok(await stdio.call('get_agent')).update_count).toBe(0);
      expect(ok(await stdio.call('health_check')).status).toEqual(expect.any(String));
    } finally {
      await stdio.close();
    }
  });
});
