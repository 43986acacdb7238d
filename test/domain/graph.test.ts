import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';
import { core } from '../../src/db/generated/functions';
import { rebuildGraph, verifyGraph } from '../../src/domain/graph';
import { createKnowledgeService, DiscoveryStatus, KnowledgeService, LinkType } from '../../src/domain/knowledge';
import { isGovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
const ADMIN = { agentId: null, isAdmin: true };

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

let db: TestDatabase;
let kg: KnowledgeService;

beforeAll(async () => {
  db = await createMigratedDatabase();
  kg = createKnowledgeService(db.pool);
});
afterAll(async () => db.drop());

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function cypherRun(query: string, params: Record<string, unknown>): Promise<void> {
  await db.pool.query(`select * from ag_catalog.cypher('governance_graph', $cy$${query}$cy$, $1) as (v ag_catalog.agtype)`, [JSON.stringify(params)]);
}

const failing = async () => (await verifyGraph(db.pool)).labels.filter((l) => !l.ok);

describe('projection', () => {
  it('stays equal to the relational tables through a seeded random sequence of ~100 knowledge writes', async () => {
    const SEED = 20261127;
    const random = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const TAGS = ['eisv', 'Drift', 'calibration', ' risk ', 'dialectic', 'onboarding', 'ENTROPY'];
    const agents = ['gp-a', 'gp-b', 'gp-c'];
    await core.onboardAgent(db.pool, { agentId: 'gp-a' });
    await core.onboardAgent(db.pool, { agentId: 'gp-b' });
    await core.onboardAgent(db.pool, { agentId: 'gp-c', parentAgentId: 'gp-a', spawnReason: 'seeded test' });
    // an agent without an Agent vertex (as after a bulk load): its first write must project it
    await db.pool.query(`insert into core.agents (id) values ('gp-imported')`);
    agents.push('gp-imported');

    const ids: string[] = [];
    const tags = () => Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS));
    const input = () => ({ agentId: pick(agents), summary: `finding ${Math.floor(random() * 1e6)}`, tags: tags(),
      severity: pick([undefined, 'low', 'high'] as const) });
    const ops: string[] = [];
    let rejected = 0;
    for (let step = 0; step < 100; step++) {
      const r = random();
      const op = ids.length < 3 || r < 0.3 ? 'store' : r < 0.4 ? 'batch' : r < 0.55 ? 'link' : r < 0.7 ? 'supersede' : r < 0.9 ? 'status' : 'respond';
      ops.push(op);
      try {
        if (op === 'store') ids.push((await kg.store({ ...input(), relatedTo: ids.length && random() < 0.3 ? [pick(ids)] : [] })).id);
        else if (op === 'batch') {
          const out = await kg.storeBatch([input(), { ...input(), responseTo: pick(ids), responseType: 'extend' }, input()]);
          ids.push(...out.map((d) => d.id));
        } else if (op === 'respond') ids.push((await kg.store({ ...input(), responseTo: pick(ids), responseType: pick(['support', 'question'] as const) })).id);
        else if (op === 'link') await kg.link({ srcId: pick(ids), dstId: pick(ids), type: pick<LinkType>(['related_to', 'disputes', 'extends']), weight: Math.round(random() * 10) / 2 });
        else if (op === 'supersede') await kg.supersede(pick(ids), pick(ids), { agentId: pick(agents), isAdmin: true });
        else await kg.setStatus(pick(ids), pick<DiscoveryStatus>(['open', 'resolved', 'archived', 'disputed']), ADMIN);
      } catch (err) {
        // random picks make some calls invalid (self links, double supersedes, cycles): they must be
        // clean rejections that leave both stores as they were
        if (!isGovdbError(err) || !['INVALID_INPUT', 'CONFLICT', 'INVALID_STATE'].includes(err.code)) throw err;
        rejected++;
      }
    }
    expect(new Set(ops).size).toBe(6);
    expect(rejected).toBeLessThan(40);
    const edges = await db.pool.query(`select edge_type, count(*)::int as n from knowledge.discovery_edges group by 1`);
    expect(edges.rows.length).toBeGreaterThanOrEqual(4);

    const check = await verifyGraph(db.pool);
    expect(check.labels.filter((l) => !l.ok)).toEqual([]);
    expect(check.ok).toBe(true);
    const byLabel = Object.fromEntries(check.labels.map((l) => [l.label, l.actual]));
    expect(byLabel.Discovery).toBe(ids.length);
    expect(byLabel.Agent).toBe(4);
    expect(byLabel.SPAWNED).toBe(1);
    expect(byLabel.SUPERSEDES).toBeGreaterThan(0);
    expect(byLabel.RELATED_TO).toBeGreaterThan(0);
    expect(byLabel.RESPONDS_TO).toBeGreaterThan(0);
  });

  it('reports a deleted AGE edge as missing, and rebuild repairs it', async () => {
    const { rows: [tagged] } = await db.pool.query(`select discovery_id, tag from knowledge.discovery_tags order by discovery_id, tag limit 1`);
    await cypherRun('MATCH (d:Discovery)-[e:TAGGED]->(t:Tag) WHERE d.id = $d AND t.id = $t DELETE e', { d: tagged.discovery_id, t: tagged.tag });

    const bad = await failing();
    expect(bad).toEqual([expect.objectContaining({
      label: 'TAGGED', missing: 1, extra: 0, missingIds: [`${tagged.discovery_id} -> ${tagged.tag}`],
    })]);
    expect(bad[0]!.actual).toBe(bad[0]!.expected - 1);

    const repairs = await rebuildGraph(db.pool);
    expect(repairs.find((r) => r.label === 'TAGGED')).toEqual({ element: 'edge', label: 'TAGGED', deleted: 0, created: 1, updated: 0 });
    expect(repairs.filter((r) => r.label !== 'TAGGED').every((r) => r.deleted + r.created + r.updated === 0)).toBe(true);
    expect((await verifyGraph(db.pool)).ok).toBe(true);
  });

  it('reports extra, duplicate and stale elements, and rebuild removes or rewrites them', async () => {
    const { rows: [d] } = await db.pool.query(`select id from knowledge.discoveries where status <> 'disputed' order by id limit 1`);
    await cypherRun(`CREATE (:Tag {id: 'gp-stray'})`, {});
    await cypherRun(`MATCH (d:Discovery) WHERE d.id = $id SET d.status = 'disputed'`, { id: d.id });
    await cypherRun(`MATCH (a:Agent) WHERE a.id = 'gp-b' CREATE (:Agent {id: 'gp-b'})`, {});
    const bad = Object.fromEntries((await failing()).map((l) => [l.label, l]));
    expect(Object.keys(bad).sort()).toEqual(['Agent', 'Discovery', 'Tag']);
    expect(bad.Tag).toMatchObject({ extra: 1, extraIds: ['gp-stray'] });
    expect(bad.Discovery).toMatchObject({ stale: 1, staleIds: [d.id] });
    expect(bad.Agent).toMatchObject({ duplicates: 1, missing: 0, extra: 0 });

    const repairs = Object.fromEntries((await rebuildGraph(db.pool)).map((r) => [r.label, r]));
    expect(repairs.Tag).toMatchObject({ deleted: 1 });
    expect(repairs.Discovery).toMatchObject({ updated: 1 });
    expect(repairs.Agent).toMatchObject({ deleted: 1 });
    expect((await verifyGraph(db.pool)).ok).toBe(true);
  });

  it('rebuilds a wiped graph from the relational tables alone (as after a bulk load)', async () => {
    const before = await verifyGraph(db.pool);
    await cypherRun('MATCH (n:Discovery) DETACH DELETE n', {});
    await cypherRun('MATCH (n:Tag) DETACH DELETE n', {});
    expect((await verifyGraph(db.pool)).ok).toBe(false);
    await rebuildGraph(db.pool);
    const after = await verifyGraph(db.pool);
    expect(after.ok).toBe(true);
    expect(after.labels.map((l) => [l.label, l.actual])).toEqual(before.labels.map((l) => [l.label, l.actual]));
    // the importer calls the zero-argument names
    const { rows } = await db.pool.query('select label, ok from knowledge.graph_verify()');
    expect(rows.every((r) => r.ok)).toBe(true);
  });

  it('rejects a bad sample limit with INVALID_INPUT', async () => {
    await expect(verifyGraph(db.pool, -1)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'sample limit -1 is out of range: expected 0..10000' });
  });
});

describe('govdb graph (real CLI; needs `npx tsc -p tsconfig.build.json`)', () => {
  const cli = (...args: string[]) =>
    run('node', [path.join(ROOT, 'bin/govdb.js'), 'graph', ...args, '--database-url', db.url], { cwd: ROOT })
      .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
      .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

  it('verify exits 0 when consistent, 1 with the missing edge named when diverged; rebuild repairs', async () => {
    const ok = await cli('verify', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });

    const { rows: [e] } = await db.pool.query(`select agent_id, id from knowledge.discoveries order by id limit 1`);
    await cypherRun('MATCH (a:Agent)-[r:AUTHORED]->(d:Discovery) WHERE d.id = $id DELETE r', { id: e.id });
    const diverged = await cli('verify');
    expect(diverged.code).toBe(1);
    expect(diverged.stdout).toMatch(/^AUTHORED\s+\d+\s+\d+\s+1\s+0\s+0\s+0\s+DIVERGED$/m);
    expect(diverged.stdout).toContain(`AUTHORED missing in the graph: ${e.agent_id} -> ${e.id}`);
    const json = JSON.parse((await cli('verify', '--json')).stdout);
    expect(json.labels.find((l: { label: string }) => l.label === 'AUTHORED')).toMatchObject({ ok: false, missing: 1, missingIds: [`${e.agent_id} -> ${e.id}`] });

    const rebuilt = await cli('rebuild');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^AUTHORED\s+deleted 0, created 1, updated 0$/m);
    expect((await cli('verify')).code).toBe(0);
  });

  it('exits 2 with a clear message when the database is unreachable', async () => {
    const r = await run('node', [path.join(ROOT, 'bin/govdb.js'), 'graph', 'verify', '--database-url', 'postgres://postgres@127.0.0.1:1/none'], { cwd: ROOT })
      .catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toMatch(/^govdb: /);
  });
});
