import { TcpProxy } from '../audit/helpers/tcpProxy';
import { BuiltHttpServer, SERVED_ADMIN_TOKEN, ServedCall, ServedClient, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * The exact wording of the errors a user sees, pinned (issue 17, finding 8): one error of each MCP
 * family through the BUILT server and the official SDK client, and the HTTP JSON-RPC errors. A
 * change of wording fails here on purpose: update the snapshot in the same change that means it.
 * Values that differ per run (agent ids, timestamps) are replaced by placeholders first.
 */

describe('error messages a user sees (built server, Streamable HTTP)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: BuiltHttpServer;
  let anon: ServedClient;
  const ids = new Map<string, string>();
  let a: ServedClient;
  let b: ServedClient;

  const onboard = async (label: string): Promise<ServedClient> => {
    const c = await server.connect();
    const r = await c.call('onboard', { label });
    if (r.isError) throw new Error(`onboard failed: ${JSON.stringify(r.data)}`);
    ids.set(r.data.agent_id as string, `<agent ${label}>`);
    return c;
  };

  /** The error body with per-run values replaced; fails when the call succeeded. */
  const refusal = (r: ServedCall): Record<string, unknown> => {
    if (!r.isError) throw new Error(`expected an error, got ${JSON.stringify(r.data)}`);
    let text = JSON.stringify(r.data);
    for (const [id, placeholder] of ids) text = text.split(id).join(placeholder);
    text = text.replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d(?::?\d\d)?)?/g, '<time>');
    return JSON.parse(text) as Record<string, unknown>;
  };

  beforeAll(async () => {
    db = await createMigratedDatabase();
    proxy = await TcpProxy.start(db.url);
    server = await startBuiltHttpServer(servedEnv(proxy.url(db.url)));
    anon = await server.connect();
    a = await onboard('pinned a');
    b = await onboard('pinned b');
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await db?.drop();
  });

  it('INVALID_INPUT: unknown argument with the closest valid name', async () => {
    expect(refusal(await a.call('store_knowledge', { summary: 's', content: 'c' }))).toMatchInlineSnapshot(`
{
  "closest": "details",
  "code": "INVALID_INPUT",
  "field": "content",
  "hint": "Use "details"; tools/list gives every argument of store_knowledge with its type and limits.",
  "message": "Invalid arguments for store_knowledge: unknown argument "content" (did you mean "details"?).",
}
`);
  });

  it('INVALID_INPUT: a value out of range, naming the field', async () => {
    expect(refusal(await a.call('list_agents', { limit: 0 }))).toMatchInlineSnapshot(`
{
  "code": "INVALID_INPUT",
  "field": "limit",
  "hint": "tools/list gives every argument of list_agents with its type and limits.",
  "message": "Invalid arguments for list_agents: limit: Too small: expected number to be >=1.",
}
`);
  });

  it('INVALID_INPUT: a string over its length limit', async () => {
    expect(refusal(await a.call('store_knowledge', { summary: 'x'.repeat(100_000) }))).toMatchInlineSnapshot(`
{
  "code": "INVALID_INPUT",
  "field": "summary",
  "hint": "tools/list gives every argument of store_knowledge with its type and limits.",
  "message": "Invalid arguments for store_knowledge: summary: Too big: expected string to have <=2000 characters.",
}
`);
  });

  it('NOT_FOUND with a hint', async () => {
    expect(refusal(await a.call('get_agent', { agent_id: 'nobody-here' }))).toMatchInlineSnapshot(`
{
  "code": "NOT_FOUND",
  "hint": "Check the id (the list_agents tool).",
  "message": "No agent with id "nobody-here"",
  "reason": "AGENT_NOT_FOUND",
}
`);
  });

  it('UNAUTHENTICATED: no agent bound, and a wrong api_key', async () => {
    expect(refusal(await anon.call('process_agent_update', { complexity: 0.5, confidence: 0.5, response_length: 10 }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Call onboard first, or pass your api_key (argument or X-Api-Key header).",
  "message": "process_agent_update acts as an agent, but this session is not bound to one.",
}
`);
    expect(refusal(await (await server.connect()).call('identity', { api_key: 'gv_not_a_real_key_000000' }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Send the api_key returned by the onboard tool; keys cannot be recovered: onboard again if it was lost.",
  "message": "Unknown API key",
  "reason": "INVALID_API_KEY",
}
`);
  });

  it('FORBIDDEN: another agent\'s record, and an admin-only tool', async () => {
    const other = [...ids].find(([, p]) => p === '<agent pinned b>')![0];
    expect(refusal(await a.call('update_agent', { agent_id: other, purpose: 'x' }))).toMatchInlineSnapshot(`
{
  "code": "FORBIDDEN",
  "message": "This session acts as agent "<agent pinned a>" and cannot act as "<agent pinned b>": an agent can only act as itself.",
}
`);
    expect(refusal(await a.call('graph_query', { query: 'MATCH (a:Agent) RETURN a.id' }))).toMatchInlineSnapshot(`
{
  "code": "FORBIDDEN",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN.",
  "message": "graph_query is an admin tool: pass the admin token.",
  "reason": "ADMIN_TOKEN_MISSING",
}
`);
  });

  it('UNAUTHENTICATED: a wrong admin token is refused on every tool, never read as no token', async () => {
    expect(refusal(await a.call('graph_query', { query: 'MATCH (a:Agent) RETURN a.id', admin_token: 'not-the-token' }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN.",
  "message": "The admin token passed to graph_query is wrong.",
  "reason": "ADMIN_TOKEN_WRONG",
}
`);
    // an agent tool that reads more with the token: without this refusal it ran as the agent and showed only its rows
    expect(refusal(await a.call('query_audit_log', { admin_token: 'not-the-token' }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN, or leave it out to act as your agent.",
  "message": "The admin token passed to query_audit_log is wrong.",
  "reason": "ADMIN_TOKEN_WRONG",
}
`);
    expect(refusal(await anon.call('health_check', { admin_token: 'not-the-token' }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN, or leave it out to act as your agent.",
  "message": "The admin token passed to health_check is wrong.",
  "reason": "ADMIN_TOKEN_WRONG",
}
`);
    expect((await a.call('query_audit_log', { admin_token: SERVED_ADMIN_TOKEN })).isError).toBe(false);
    // the argument and the header must both be right; an empty value is not a token
    const wrongHeader = await server.connect({ 'X-Admin-Token': 'not-the-token' });
    expect(refusal(await wrongHeader.call('graph_query', { query: 'RETURN 1', admin_token: SERVED_ADMIN_TOKEN }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN.",
  "message": "The admin token passed to graph_query (argument or X-Admin-Token header) is wrong.",
  "reason": "ADMIN_TOKEN_WRONG",
}
`);
    const rightHeader = await server.connect({ 'X-Admin-Token': SERVED_ADMIN_TOKEN });
    expect((await rightHeader.call('graph_query', { query: 'RETURN 1' })).isError).toBe(false);
    expect(refusal(await rightHeader.call('graph_query', { query: 'RETURN 1', admin_token: 'not-the-token' })).reason).toBe('ADMIN_TOKEN_WRONG');
    expect(refusal(await anon.call('graph_query', { query: 'RETURN 1', admin_token: '' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'ADMIN_TOKEN_MISSING' });
  });

  it('CONFLICT: a second onboard on a bound session', async () => {
    expect(refusal(await a.call('onboard', { label: 'pinned again' }))).toMatchInlineSnapshot(`
{
  "code": "CONFLICT",
  "hint": "Open a new MCP session to onboard another agent, or pass spawn_reason to create a child of this one.",
  "message": "This MCP session already acts as agent "<agent pinned a>"; one session acts as one agent.",
}
`);
  });

  it('AGENT_PAUSED: a paused agent resuming itself', async () => {
    const paused = await onboard('pinned paused');
    const pausedOk = await paused.call('pause_agent', { reason: 'pinning the wording' });
    expect(pausedOk.isError).toBe(false);
    expect(refusal(await paused.call('resume_agent'))).toMatchInlineSnapshot(`
{
  "code": "AGENT_PAUSED",
  "hint": "Only a resolved dialectic review (request_dialectic_review) or an admin ends a pause.",
  "message": "Agent "<agent pinned paused>" is paused under a pause hold (since <time>); self cannot make it active",
  "reason": "AGENT_PAUSED",
}
`);
  });

  it('HTTP: malformed JSON (-32700), a body over 4 MB (413), an unknown session', async () => {
    const post = async (body: string, headers: Record<string, string> = {}) => {
      const res = await fetch(server.mcpUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } });
      return { status: res.status, body: JSON.parse(await res.text()) as unknown };
    };
    expect(await post('not json')).toMatchInlineSnapshot(`
{
  "body": {
    "error": {
      "code": -32700,
      "message": "Parse error: the request body is not valid JSON.",
    },
    "id": null,
    "jsonrpc": "2.0",
  },
  "status": 400,
}
`);
    expect(await post(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}}`)).toMatchInlineSnapshot(`
{
  "body": {
    "error": {
      "code": -32600,
      "message": "Request body too large: at most 4194304 bytes (4 MB).",
    },
    "id": null,
    "jsonrpc": "2.0",
  },
  "status": 413,
}
`);
    expect(await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { 'mcp-session-id': 'no-such-session' })).toMatchInlineSnapshot(`
{
  "body": {
    "error": {
      "code": -32001,
      "message": "Unknown MCP session "no-such-session"; start a new one with initialize.",
    },
    "id": null,
    "jsonrpc": "2.0",
  },
  "status": 404,
}
`);
  });

  it('JSON-RPC: an unknown tool', async () => {
    const err = await a.client.callTool({ name: 'onboard_agent', arguments: {} }).then(() => null, (e: unknown) => e as { code: number; message: string });
    expect(err && { code: err.code, message: err.message }).toMatchInlineSnapshot(`
{
  "code": -32602,
  "message": "MCP error -32602: Unknown tool "onboard_agent"; tools/list names the tools.",
}
`);
  });

  it('UNAUTHENTICATED: a wrong admin token does not stand in for an agent', async () => {
    expect(refusal(await anon.call('list_agents', { admin_token: `${SERVED_ADMIN_TOKEN}-wrong` }))).toMatchInlineSnapshot(`
{
  "code": "UNAUTHENTICATED",
  "hint": "Pass admin_token (or the X-Admin-Token header) equal to the server's GOVDB_ADMIN_TOKEN, or leave it out to act as your agent.",
  "message": "The admin token passed to list_agents is wrong.",
  "reason": "ADMIN_TOKEN_WRONG",
}
`);
  });

  // last: the database stays unreachable for the rest of the file
  it('UNAVAILABLE: PostgreSQL unreachable', async () => {
    await proxy.down();
    const r = refusal(await b.call('get_agent', {}));
    expect(typeof r.retry_after_ms).toBe('number');
    expect({ ...r, retry_after_ms: '<ms>' }).toMatchInlineSnapshot(`
{
  "code": "UNAVAILABLE",
  "hint": "A dependency of the server is briefly unavailable: retry in a few seconds (with backoff). Nothing was changed by this call.",
  "message": "The database is unavailable right now.",
  "retry_after_ms": "<ms>",
}
`);
  });
});
