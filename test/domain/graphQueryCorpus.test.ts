import fc from 'fast-check';
import { executeGraphQuery, planGraphQuery, runGraphQuery } from '../../src/domain/graphQuery';
import { createAgentService } from '../../src/domain/agents';
import { isGovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/** Finding 6: graph_query is read-only by construction. Every disguise is refused and nothing changes. */
let db: TestDatabase;
let agentId: string;
beforeAll(async () => {
  db = await createMigratedDatabase();
  agentId = (await createAgentService(db.pool).onboard({ label: 'corpus target' })).agentId;
  await runGraphQuery(db.pool, { query: 'MATCH (n:Agent) RETURN count(n)' }); // warm
});
afterAll(async () => db.drop());

const M = 'MATCH (n:Agent {id:$id})';
export const WRITE_DISGUISES: string[] = [
  `${M} WITH n LIMIT 1SET n.x = true RETURN n.id`,
  `${M} WITH n LIMIT 1REMOVE n.label RETURN n.id`,
  `${M}-[e]->() WITH e LIMIT 1DELETE e RETURN 1`,
  `${M} SET n.x = 1 RETURN n.id`,
  `${M} set n.x = 1 RETURN n.id`,
  `${M} SeT n.x = 1 RETURN n.id`,
  `${M} WITH n LIMIT 0x1SET n.x = 1 RETURN n.id`,
  `${M} WITH n LIMIT 1e0SET n.x = 1 RETURN n.id`,
  `${M} WITH n SKIP 0SET n.x = 1 RETURN n.id`,
  `${M}/*c*/SET/*c*/n.x = 1 RETURN n.id`,
  `${M} //comment\nSET n.x = 1 RETURN n.id`,
  `${M}\tSET\tn.x = 1 RETURN n.id`,
  `${M}\nSET\nn.x = 1 RETURN n.id`,
  `${M} WITH n, 'SET' AS s SET n.x = s RETURN n.id`,
  `${M} WITH n, "x" AS s REMOVE n.label RETURN n.id`,
  `${M} REMOVE n.label RETURN n.id`,
  `${M} REMOVE n:Agent RETURN n.id`,
  `${M} DELETE n RETURN 1`,
  `${M} DETACH DELETE n RETURN 1`,
  `${M} detach delete n RETURN 1`,
  `CREATE (m:Agent {id: 'intruder'}) RETURN m.id`,
  `create (m:Agent {id: 'intruder'}) RETURN m.id`,
  `${M} CREATE (n)-[:SPAWNED]->(:Agent {id: 'intruder'}) RETURN n.id`,
  `MERGE (m:Agent {id: 'intruder'}) RETURN m.id`,
  `${M} MERGE (n)-[:SPAWNED]->(m:Agent {id: 'intruder'}) RETURN n.id`,
  `${M} WITH n MERGE (m:Tag {id: 'x'}) RETURN n.id`,
  `${M} FOREACH (x IN [1] | SET n.x = x) RETURN n.id`,
  `CALL db.labels() YIELD label RETURN label`,
  `${M} CALL { SET n.x = 1 } RETURN n.id`,
  `LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l`,
  `${M} RETURN pg_catalog.pg_sleep(1)`,
  `${M} RETURN pg_catalog . pg_sleep(1)`,
  `${M} RETURN \`pg_catalog\`.pg_sleep(1)`,
  `${M} RETURN \`pg_sleep\`(1)`,
  `${M} RETURN core.transition_agent(n.id, 'active', 'admin')`,
  `${M} RETURN ag_catalog.age_set(n, 'x', 1)`,
  `${M} RETURN pg_read_file('/etc/passwd')`,
  `${M} RETURN set_config('role', 'postgres', true)`,
  `${M} RETURN current_setting('is_superuser')`,
  `${M} RETURN lo_import('/etc/passwd')`,
  `${M} RETURN dblink('x', 'y')`,
  `${M} WITH n ORDER BY n.id LIMIT 1 SET n.x = 1 RETURN n.id`,
  `${M} WITH n WHERE n.id = $id SET n += {x: 1} RETURN n.id`,
  `${M} SET n = {} RETURN n.id`,
  `${M} SET n:Intruder RETURN n.id`,
  `MATCH (a:Agent), (b:Agent) CREATE (a)-[:SPAWNED]->(b) RETURN 1`,
  `${M} UNWIND [1,2] AS x SET n.x = x RETURN n.id`,
  `${M} OPTIONAL MATCH (n)-[e]->() DELETE e RETURN n.id`,
  `${M} RETURN n.id UNION MATCH (m:Agent) SET m.x = 1 RETURN m.id`,
  `${M} WITH n LIMIT 1.0SET n.x = 1 RETURN n.id`,
  `${M} WITH n LIMIT 1 .SET n.x = 1 RETURN n.id`,
  `${M} RETURN n.id; MATCH (m) SET m.x = 1 RETURN m.id`,
  `${M} ＳＥＴ n.x = 1 RETURN n.id`,
  `${M} SET\u00a0n.x = 1 RETURN n.id`,
  `${M} RETURN 1 AS x SET n.x = 1`,
];

async function snapshot(): Promise<string> {
  const { rows } = await db.pool.query(`select count(*)::int as n, string_agg(ag_catalog.agtype_out(properties)::text, '|' order by ag_catalog.agtype_out(properties)::text) as p from governance_graph._ag_label_vertex`);
  const edges = await db.pool.query(`select count(*)::int as n, string_agg(ag_catalog.agtype_out(properties)::text, '|' order by ag_catalog.agtype_out(properties)::text) as p from governance_graph._ag_label_edge`);
  return JSON.stringify([rows[0], edges.rows[0]]);
}

describe('graph_query write-disguise corpus', () => {
  it('has at least 50 variants', () => {
    expect(WRITE_DISGUISES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(WRITE_DISGUISES.map((q) => [q]))('refuses %j and changes nothing', async (query) => {
    const before = await snapshot();
    let error: unknown;
    try {
      await runGraphQuery(db.pool, { query, params: { id: agentId } });
    } catch (err) {
      error = err;
    }
    expect(isGovdbError(error) && error.code).toBe('INVALID_INPUT');
    expect(await snapshot()).toBe(before);
  });

  it('a write that bypasses the lexer check leaves nothing behind (rollback; the role refuses CREATE)', async () => {
    const before = await snapshot();
    // a plan built for a harmless read, with the SQL swapped for a write: only the role stands in the way
    const plan = planGraphQuery('MATCH (n:Agent {id:$id}) RETURN n.id', { timeoutMs: 2000, limit: 10 });
    const sql = plan.sql.replace(/(\$gq_[0-9a-f]+\$)MATCH \(n:Agent \{id:\$id\}\) RETURN n\.id\1/, "$1MATCH (n:Agent {id:$$id}) SET n.x = true RETURN n.id$1");
    expect(sql).not.toBe(plan.sql);
    // AGE applies SET despite READ ONLY and the role: the query "succeeds", but its transaction rolls back
    await executeGraphQuery(db.pool, { sql, columns: plan.columns }, { params: { id: agentId }, timeoutMs: 2000, limit: 10 });
    expect(await snapshot()).toBe(before);
    const create = sql.replace(/MATCH \(n:Agent \{id:\$id\}\) SET n\.x = true RETURN n\.id/, "CREATE (n:Tag {id: 'intruder'}) RETURN n.id");
    expect(create).not.toBe(sql);
    let error: unknown;
    try {
      await executeGraphQuery(db.pool, { sql: create, columns: plan.columns }, { params: {}, timeoutMs: 2000, limit: 10 });
    } catch (err) {
      error = err;
    }
    expect(isGovdbError(error) ? error.details.reason : error).toBe('READ_ONLY');
    expect(await snapshot()).toBe(before);
  });

  it('still answers reads, including names that look like keywords when backquoted and strings containing them', async () => {
    const r = await runGraphQuery(db.pool, { query: "MATCH (n:Agent {id:$id}) /* SET */ RETURN n.label, 'SET n.x = 1' AS s, toUpper(n.label) AS up", params: { id: agentId } });
    expect(r.rows).toEqual([{ 'n.label': 'corpus target', s: 'SET n.x = 1', up: 'CORPUS TARGET' }]);
  });
});

describe('graph_query lexer (property, no database)', () => {
  const words = ['CREATE', 'MERGE', 'SET', 'DELETE', 'DETACH', 'REMOVE', 'CALL', 'LOAD', 'FOREACH'];
  const randomCase = (w: string, bits: number) => w.split('').map((c, i) => ((bits >> i) & 1 ? c.toLowerCase() : c)).join('');
  it('refuses a write word after any read prefix, glued to numbers or separated by comments and whitespace', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('MATCH (n:Agent) WITH n LIMIT ', 'MATCH (n) WHERE n.id = $id WITH n SKIP ', 'MATCH (n) RETURN n.id ORDER BY n.id LIMIT ', 'MATCH (n) WITH n '),
        fc.constantFrom('1', '0x1', '1e0', '1.0', '42', ''),
        fc.constantFrom('', ' ', '\n', '\t', '/* x */', '//c\n', ' /**/ '),
        fc.constantFrom(...words),
        fc.integer({ min: 0, max: 255 }),
        (prefix, number, separator, word, bits) => {
          const query = `${prefix}${number}${separator}${randomCase(word, bits)} n.x = 1 RETURN n.id`;
          let refused = false;
          try {
            planGraphQuery(query, { timeoutMs: 1000, limit: 10 });
          } catch (err) {
            refused = isGovdbError(err) && err.code === 'INVALID_INPUT';
          }
          expect({ query, refused }).toEqual({ query, refused: true });
        },
      ),
      { seed: 6, numRuns: 500 },
    );
  });
});
