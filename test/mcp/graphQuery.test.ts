import { executeGraphQuery, parseAgtype, planGraphQuery } from '../../src/domain/graphQuery';
import { ADMIN_TOKEN, McpClient, McpHarness, startMcpHarness } from '../helpers/mcp';
const ADMIN = { agentId: null, isAdmin: true };

const plan = (query: string) => planGraphQuery(query, { timeoutMs: 2000, limit: 100 });
const rejection = (query: string) => {
  try {
    plan(query);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error(`expected ${query} to be rejected`);
};

describe('graph_query planning (no database)', () => {
  it('derives one column per top-level RETURN item, keyed by alias or text', () => {
    expect(plan('MATCH (d:Discovery) RETURN d.id, d.status').columns).toEqual(['d.id', 'd.status']);
    expect(plan('MATCH (d)-[:TAGGED]->(t) WITH d, collect(t.id) AS tags RETURN DISTINCT d.id AS id, size(tags) AS `tag count`, [x IN tags | x] ORDER BY id LIMIT 5').columns)
      .toEqual(['id', 'tag count', '[x IN tags | x]']);
    expect(plan("RETURN {a: 1, b: [2, 3]}, 'x, y' AS s, 1, 1").columns).toEqual(['{a: 1, b: [2, 3]}', 's', '1', '1_2']);
    expect(plan('MATCH (a:Agent) RETURN a.id // trailing comment, with comma').columns).toEqual(['a.id']);
    expect(plan("MATCH p = (s:Discovery)-[*1..2 {scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, min(length(p)) AS hops").columns).toEqual(['o.id', 'hops']);
  });

  it('refuses write clauses, procedure calls and qualified functions outside strings, but not inside them', () => {
    for (const q of [
      "CREATE (n:Discovery {id: 'x'}) RETURN n",
      "MATCH (d:Discovery) SET d.status = 'open' RETURN d",
      'MATCH (d) DETACH DELETE d RETURN 1',
      "MERGE (t:Tag {id: 'x'}) RETURN t",
      'MATCH (d) REMOVE d.status RETURN d',
      'CALL db.labels() YIELD label RETURN label',
      'RETURN pg_catalog.pg_sleep(1)',
      'RETURN `pg_catalog`.now()',
    ]) {
      expect(rejection(q)).toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(rejection("CREATE (n:X) RETURN n").message).toMatch(/write clause CREATE at character 1: graph_query is read-only/);
    expect(plan("MATCH (d:Discovery) WHERE d.summary = 'CREATE; SET x' RETURN d.id, d.set, `delete`").columns).toEqual(['d.id', 'd.set', 'delete']);
  });

  it('refuses RETURN *, a missing RETURN, the quote tag family and unterminated strings', () => {
    expect(rejection('MATCH (d) RETURN *').message).toMatch(/RETURN \* has no fixed column list/);
    expect(rejection('MATCH (d:Discovery)').message).toMatch(/no top-level RETURN/);
    expect(rejection('RETURN 1 $gq_00$) as t(a agtype); select 1; --').message).toMatch(/reserved for the quoting/);
    expect(rejection("RETURN 'open").message).toMatch(/unterminated string literal starting at character 8/);
    expect(rejection('MATCH (d:Discovery RETURN d.id').message).toMatch(/"\(" at character 7 is never closed/);
    expect(rejection('MATCH (d:Discovery]) RETURN d.id').message).toMatch(/"]" at character 19 closes nothing/);
  });

  it('quotes the text with a fresh random tag each time', () => {
    const a = plan('RETURN 1').sql;
    const b = plan('RETURN 1').sql;
    expect(a).toMatch(/cypher\('governance_graph', \$gq_[0-9a-f]{16}\$RETURN 1\$gq_[0-9a-f]{16}\$, \$1::ag_catalog\.agtype\) as t\(c0 ag_catalog\.agtype\) limit \$2$/);
    expect(a).not.toEqual(b);
  });

  it('parses agtype: vertices, edges and paths as objects, odd numbers as strings', () => {
    expect(parseAgtype('{"id": 844424930131969, "label": "Discovery", "properties": {"id": "kd_1", "s": "a ::vertex b"}}::vertex'))
      .toEqual({ id: 844424930131969, label: 'Discovery', properties: { id: 'kd_1', s: 'a ::vertex b' } });
    expect(parseAgtype('[{"id": 1, "label": "A", "properties": {}}::vertex, {"id": 2, "label": "R", "end_id": 3, "start_id": 1, "properties": {"w": 1.5}}::edge, {"id": 3, "label": "A", "properties": {}}::vertex]::path'))
      .toHaveLength(3);
    expect(parseAgtype('[NaN, -Infinity, 12345678901234567, 1.5::numeric, "x\\"y", null]')).toEqual(['NaN', '-Infinity', '12345678901234567', 1.5, 'x"y', null]);
    expect(parseAgtype(null)).toBeNull();
  });
});

describe('MCP tool graph_query', () => {
  let h: McpHarness;
  let agent: McpClient;
  let ids: string[];
  const admin = async (args: Record<string, unknown>) => (await h.connect()).call('graph_query', { ...args, admin_token: ADMIN_TOKEN });

  beforeAll(async () => {
    h = await startMcpHarness({}, { tool_call: [{ limit: 1000, periodMs: 60_000 }], knowledge_store: [{ limit: 100, periodMs: 3_600_000 }] });
    agent = await h.connect();
    const agentId = (await agent.call('onboard', { label: 'Graph Q' })).data.agent_id as string;
    const { knowledge } = h.runtime.deps.services;
    ids = (await knowledge.storeBatch([
      { agentId, summary: 'first', tags: ['alpha'] },
      { agentId, summary: 'second', tags: ['alpha', 'beta'] },
    ])).map((d) => d.id);
    await knowledge.setStatus(ids[1]!, 'resolved', ADMIN);
  });
  afterAll(async () => h.close());

  it('an admin reads rows; params bind; vertices come back as objects', async () => {
    const r = await admin({ query: 'MATCH (d:Discovery) RETURN d.id, d.status ORDER BY d.id' });
    expect(r.isError).toBe(false);
    expect(r.data).toEqual({
      columns: ['d.id', 'd.status'],
      rows: [{ 'd.id': ids[0], 'd.status': 'open' }, { 'd.id': ids[1], 'd.status': 'resolved' }].sort((a, b) => a['d.id']!.localeCompare(b['d.id']!)),
      row_count: 2,
      truncated: false,
    });
    const bound = await admin({ query: 'MATCH (d:Discovery)-[:TAGGED]->(t:Tag) WHERE d.id = $id RETURN d AS discovery, count(t) AS tags', params: { id: ids[1] } });
    expect(bound.data.rows).toEqual([{ discovery: { id: expect.any(Number), label: 'Discovery', properties: expect.objectContaining({ id: ids[1], status: 'resolved' }) }, tags: 2 }]);
  });

  it('caps the rows at limit and says so', async () => {
    const r = await admin({ query: 'UNWIND range(1, 50) AS x RETURN x', limit: 10 });
    expect(r.data).toMatchObject({ row_count: 10, truncated: true });
    expect((r.data.rows as unknown[])[9]).toEqual({ x: 10 });
  });

  it('is admin only', async () => {
    const r = await agent.call('graph_query', { query: 'MATCH (d:Discovery) RETURN d.id' });
    expect(r.isError).toBe(true);
    expect(r.data.error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await agent.call('graph_query', { query: 'RETURN 1', admin_token: 'wrong-token' })).data.error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ADMIN_TOKEN_WRONG' });
  });

  it('refuses a CREATE before running it: nothing is created', async () => {
    const r = await admin({ query: "CREATE (n:Discovery {id: 'evil'}) RETURN n" });
    expect(r.data.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/write clause CREATE/) });
    const count = await admin({ query: "MATCH (n) WHERE n.id = 'evil' RETURN count(n) AS n" });
    expect(count.data.rows).toEqual([{ n: 0 }]);
  });

  it('runs in a read-only transaction: a write that got past the checks still fails', async () => {
    const safe = planGraphQuery('RETURN 1', { timeoutMs: 2000, limit: 10 });
    const forged = { ...safe, sql: safe.sql.replace('RETURN 1', "CREATE (n:Discovery {id: 'forged'}) RETURN n") };
    await expect(executeGraphQuery(h.runtime.database.pool, forged, { timeoutMs: 2000, limit: 10 }))
      .rejects.toMatchObject({ code: 'INVALID_INPUT', details: expect.objectContaining({ reason: 'READ_ONLY' }) });
    expect((await admin({ query: "MATCH (n) WHERE n.id = 'forged' RETURN count(n) AS n" })).data.rows).toEqual([{ n: 0 }]);
  });

  it('cuts a long query at the statement timeout with a clear error', async () => {
    const r = await admin({ query: 'UNWIND range(1, 5000) AS a UNWIND range(1, 5000) AS b RETURN count(*)', timeout_ms: 200 });
    expect(r.data.error).toMatchObject({ code: 'INVALID_INPUT', reason: 'QUERY_TIMEOUT', message: 'The Cypher query was cancelled after 200 ms (statement timeout).' });
  });

  it('text cannot leave the quoted constant: $$ is plain Cypher text, the tag family is refused', async () => {
    const breakout = await admin({ query: "RETURN 1 $$, $1) as t(a agtype); create table pwned(); select * from ag_catalog.cypher('governance_graph', $$ RETURN 1" });
    expect(breakout.data.error).toMatchObject({ code: 'INVALID_INPUT' });
    const literal = await admin({ query: "RETURN '$$ and $x$' AS s" });
    expect(literal.data.rows).toEqual([{ s: '$$ and $x$' }]);
    const tag = await admin({ query: 'RETURN 1 $gq_0123456789abcdef$' });
    expect(tag.data.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/reserved for the quoting/) });
    const tables = await h.db.pool.query(`select count(*)::int as n from pg_class where relname = 'pwned'`);
    expect(tables.rows[0].n).toBe(0);
  });

  it('reports AGE errors as INVALID_INPUT with the AGE message', async () => {
    const syntax = await admin({ query: 'MATCH (d:Discovery) WHERE RETURN d.id' });
    expect(syntax.data.error).toMatchObject({ code: 'INVALID_INPUT', reason: 'CYPHER_ERROR', message: expect.stringMatching(/^The Cypher query failed: syntax error at or near/) });
    const runtime = await admin({ query: 'UNWIND [1, 0] AS x RETURN 1 / x' });
    expect(runtime.data.error).toMatchObject({ code: 'INVALID_INPUT', message: 'The Cypher query failed: division by zero' });
    // functions outside the allow-list are refused before AGE sees them (issue 14)
    const unknownFunction = await admin({ query: 'RETURN pg_sleep(1)' });
    expect(unknownFunction.data.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/pg_sleep\(\) at character 8 is not on graph_query's list of read functions/) });
  });
});
