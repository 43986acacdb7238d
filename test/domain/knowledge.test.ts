import { core } from '../../src/db/generated/functions';
import { createKnowledgeService, KnowledgeService } from '../../src/domain/knowledge';
import { GovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
const ADMIN = { agentId: null, isAdmin: true };

let db: TestDatabase;
let kg: KnowledgeService;
const A = 'kg-alice';
const B = 'kg-bob';

beforeAll(async () => {
  db = await createMigratedDatabase();
  kg = createKnowledgeService(db.pool);
  await core.onboardAgent(db.pool, { agentId: A, label: 'KG Alice' });
  await core.onboardAgent(db.pool, { agentId: B, label: 'KG Bob' });
});
afterAll(async () => db.drop());

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<GovdbError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GovdbError);
  expect((err as GovdbError).code).toBe(code);
  if (message) expect((err as GovdbError).message).toMatch(message);
  return err as GovdbError;
}

/** Cypher through the test pool (its sessions load AGE), with bind parameters. */
async function cypher(query: string, params: Record<string, unknown>, columns: string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await db.pool.query(
    `select * from ag_catalog.cypher('governance_graph', $cy$${query}$cy$, $1) as (${columns.map((c) => `${c} ag_catalog.agtype`).join(', ')})`,
    [JSON.stringify(params)]);
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null ? null : JSON.parse(String(r[c]))])));
}

const count = async (sql: string, params: unknown[] = []) => Number((await db.pool.query(sql, params)).rows[0].n);

async function addState(agentId: string, seq: number, energy: number): Promise<void> {
  await db.pool.query(
    `insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, decision, health_status)
     values ($1, $2, $3, 0.8, 0.2, 0, 0.5, 0.3, 0.1, 'EXPLORATION', 'safe', 'proceed', 'healthy')`, [agentId, seq, energy]);
}

describe('store', () => {
  it('stores a discovery with a generated id, normalised tags, references and the author\'s latest EISV snapshot, and projects it', async () => {
    await addState(A, 1, 0.5);
    await addState(A, 2, 0.75);
    const d = await kg.store({
      agentId: A, summary: 'Cold-start agents begin in a degraded state', details: 'coherence ~0.50 at first',
      type: 'Insight', tags: [' EISV', 'eisv', 'Cold-Start', ''], severity: 'low', referencesFiles: ['src/eisv.ts'], confidence: 0.8,
    });
    expect(d.id).toMatch(/^kd_\d{8}T\d{6}_[0-9a-f]{16}$/);
    expect(d).toMatchObject({ agentId: A, type: 'insight', status: 'open', tags: ['eisv', 'cold-start'], severity: 'low',
      referencesFiles: ['src/eisv.ts'], confidence: 0.8, responseTo: null, resolvedAt: null });
    expect(d.provenance).toMatchObject({ source: 'core.agent_state', seq: 2, energy: 0.75, verdict: 'safe', decision: 'proceed' });
    expect((await db.pool.query('select tag from knowledge.discovery_tags where discovery_id = $1 order by tag', [d.id])).rows)
      .toEqual([{ tag: 'cold-start' }, { tag: 'eisv' }]);
    expect(await cypher('MATCH (a:Agent)-[:AUTHORED]->(d:Discovery) WHERE d.id = $id RETURN a.id, d.type, d.status, d.severity', { id: d.id },
      ['agent', 'type', 'status', 'severity'])).toEqual([{ agent: A, type: 'insight', status: 'open', severity: 'low' }]);
    expect((await cypher('MATCH (d:Discovery)-[:TAGGED]->(t:Tag) WHERE d.id = $id RETURN t.id', { id: d.id }, ['tag'])).map((r) => r.tag).sort())
      .toEqual(['cold-start', 'eisv']);
  });

  it('records {} as provenance for an author without EISV history, and keeps a caller-given (legacy) id', async () => {
    const d = await kg.store({ agentId: B, summary: 'A legacy discovery', id: '2025-11-28T04:10:24.346843' });
    expect(d).toMatchObject({ id: '2025-11-28T04:10:24.346843', provenance: {} });
    await rejects(kg.store({ agentId: B, summary: 'again', id: '2025-11-28T04:10:24.346843' }), 'CONFLICT', /already exists/);
  });

  it('rejects invalid input with every problem in one INVALID_INPUT message, writing nothing', async () => {
    const before = await count('select count(*) as n from knowledge.discoveries');
    const err = await rejects(kg.store({
      agentId: A, summary: 'x'.repeat(2001), details: 'y'.repeat(200_001), type: 'Bad Type',
      tags: Array.from({ length: 65 }, (_, i) => `t${i}`), severity: 'huge' as never, confidence: 1.5,
    }), 'INVALID_INPUT');
    expect(err.message).toMatch(/summary has 2001 characters: at most 2000 allowed/);
    expect(err.message).toMatch(/details has 200001 characters: at most 200000 allowed/);
    expect(err.message).toMatch(/discovery_type "Bad Type" is invalid/);
    expect(err.message).toMatch(/65 distinct tags given: at most 64 allowed/);
    expect(err.message).toMatch(/severity "huge" is invalid/);
    expect(err.message).toMatch(/confidence 1.5 is out of range: expected 0..1/);
    expect((err.details as { reason?: string }).reason).toBe('INVALID_INPUT');
    await rejects(kg.store({ agentId: A, summary: '   ' }), 'INVALID_INPUT', /summary is empty: expected 1..2000 characters/);
    await rejects(kg.store({ agentId: A, summary: 'x', responseType: 'support' }), 'INVALID_INPUT', /response_type is given without response_to/);
    expect(await count('select count(*) as n from knowledge.discoveries')).toBe(before);
  });

  it('rejects an unknown author and an unknown response_to target (with a hint naming a close id)', async () => {
    const err = await rejects(kg.store({ agentId: 'kg-nobody', summary: 'x' }), 'NOT_FOUND', /No agent with id "kg-nobody" \(the author\)/);
    expect((err.details as { reason?: string }).reason).toBe('AGENT_NOT_FOUND');
    const miss = await rejects(kg.store({ agentId: A, summary: 'x', responseTo: '2025-11-28T04:10:24.346844' }), 'NOT_FOUND',
      /No discovery with id "2025-11-28T04:10:24.346844" \(the response_to target\)/);
    expect(miss.hint).toBe('Did you mean "2025-11-28T04:10:24.346843"? Find ids with the search_knowledge tool.');
    await rejects(kg.store({ agentId: A, summary: 'x', relatedTo: ['kg-missing-1'] }), 'NOT_FOUND', /related_to names 1 unknown discovery id\(s\): "kg-missing-1"/);
  });

  it('links a response (response_to + response_type) and related discoveries, relationally and in the graph', async () => {
    const root = await kg.store({ agentId: A, summary: 'Root finding', id: 'kg-root' });
    const other = await kg.store({ agentId: B, summary: 'Other finding', id: 'kg-other' });
    const reply = await kg.store({ agentId: B, summary: 'I agree', responseTo: root.id, responseType: 'support', relatedTo: [other.id, other.id] });
    expect(reply).toMatchObject({ responseTo: 'kg-root', responseType: 'support' });
    expect((await db.pool.query('select dst_id, edge_type, response_type, created_by from knowledge.discovery_edges where src_id = $1 order by edge_type', [reply.id])).rows)
      .toEqual([
        { dst_id: 'kg-other', edge_type: 'related_to', response_type: null, created_by: B },
        { dst_id: 'kg-root', edge_type: 'responds_to', response_type: 'support', created_by: B },
      ]);
    expect(await cypher('MATCH (a:Discovery)-[e:RESPONDS_TO]->(b:Discovery) WHERE a.id = $id RETURN b.id, e.response_type', { id: reply.id }, ['dst', 'rt']))
      .toEqual([{ dst: 'kg-root', rt: 'support' }]);
    expect(await cypher('MATCH (a:Discovery)-[e:RELATED_TO]->(b:Discovery) WHERE a.id = $id RETURN b.id, e.kind', { id: reply.id }, ['dst', 'kind']))
      .toEqual([{ dst: 'kg-other', kind: 'related_to' }]);
  });
});

describe('batch store', () => {
  it('stores all items in order in one transaction; later items may respond to earlier ones', async () => {
    const out = await kg.storeBatch([
      { agentId: A, summary: 'Batch one', id: 'kg-batch-1', tags: ['Batch'] },
      { agentId: B, summary: 'Batch two', responseTo: 'kg-batch-1', responseType: 'question', tags: ['batch', 'two'] },
    ]);
    expect(out.map((d) => d.summary)).toEqual(['Batch one', 'Batch two']);
    expect(out[1]).toMatchObject({ responseTo: 'kg-batch-1', tags: ['batch', 'two'] });
  });

  it('is all or nothing: a bad item rejects the whole batch and names its index', async () => {
    const before = await count('select count(*) as n from knowledge.discoveries');
    await rejects(kg.storeBatch([
      { agentId: A, summary: 'fine', id: 'kg-batch-ok' },
      { agentId: A, summary: 'bad', responseTo: 'kg-no-such' },
    ]), 'NOT_FOUND', /^items\[1\]: No discovery with id "kg-no-such"/);
    await rejects(kg.storeBatch([{ agentId: A, summary: '' }]), 'INVALID_INPUT', /^items\[0\]: summary is empty/);
    await rejects(kg.storeBatch([]), 'INVALID_INPUT', /items has 0 entries: expected 1..1000/);
    const raw = await db.pool.query(`select knowledge.store_discoveries('[{"agent_id": "kg-alice", "summary": "s", "tagz": []}]')`).catch((e: unknown) => e);
    expect(raw).toMatchObject({ code: 'GV400', message: expect.stringMatching(/items\[0\]: unknown key "tagz"/) });
    expect(await count('select count(*) as n from knowledge.discoveries')).toBe(before);
    expect(await count(`select count(*) as n from knowledge.discoveries where id = 'kg-batch-ok'`)).toBe(0);
  });
});

describe('status, supersede, link, notes', () => {
  it('sets status: resolved stamps resolved_at, open clears it, and the vertex follows', async () => {
    const d = await kg.store({ agentId: A, summary: 'Status target', id: 'kg-status' });
    const resolved = await kg.setStatus(d.id, 'resolved', ADMIN);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect(await cypher('MATCH (d:Discovery) WHERE d.id = $id RETURN d.status', { id: d.id }, ['s'])).toEqual([{ s: 'resolved' }]);
    const reopened = await kg.setStatus(d.id, 'open', ADMIN);
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null });
    await rejects(kg.setStatus(d.id, 'done' as never, ADMIN), 'INVALID_INPUT', /status "done" is invalid: expected open, resolved, archived or disputed/);
    await rejects(kg.setStatus('kg-nope', 'resolved', ADMIN), 'NOT_FOUND', /No discovery with id "kg-nope"/);
  });

  it('supersedes: old.superseded_by = new, old archived, SUPERSEDES new -> old; refuses a second superseder and cycles', async () => {
    await kg.store({ agentId: A, summary: 'Old view', id: 'kg-old' });
    await kg.store({ agentId: A, summary: 'New view', id: 'kg-new' });
    await kg.store({ agentId: A, summary: 'Third view', id: 'kg-third' });
    const old = await kg.supersede('kg-old', 'kg-new', { agentId: A, isAdmin: false });
    expect(old).toMatchObject({ id: 'kg-old', supersededBy: 'kg-new', status: 'archived' });
    expect(await kg.supersede('kg-old', 'kg-new', { agentId: A, isAdmin: false })).toMatchObject({ supersededBy: 'kg-new' });
    expect(await cypher('MATCH (n:Discovery)-[:SUPERSEDES]->(o:Discovery) WHERE o.id = $id RETURN n.id, o.status', { id: 'kg-old' }, ['n', 's']))
      .toEqual([{ n: 'kg-new', s: 'archived' }]);
    await rejects(kg.supersede('kg-old', 'kg-third', ADMIN), 'CONFLICT', /already superseded by "kg-new"/);
    await rejects(kg.supersede('kg-new', 'kg-old', ADMIN), 'INVALID_STATE', /would make a cycle/);
    await rejects(kg.setStatus('kg-old', 'open', ADMIN), 'INVALID_STATE', /was superseded by "kg-new" and stays archived/);
    await rejects(kg.supersede('kg-new', 'kg-new', ADMIN), 'INVALID_INPUT', /two different discovery ids/);
  });

  it('links two discoveries with a typed, weighted edge; linking again updates the weight', async () => {
    const link = await kg.link({ srcId: 'kg-third', dstId: 'kg-root', type: 'disputes', weight: 0.5, createdBy: B, metadata: { why: 'test' } });
    expect(link).toMatchObject({ srcId: 'kg-third', dstId: 'kg-root', type: 'disputes', weight: 0.5, createdBy: B, metadata: { why: 'test' } });
    expect((await kg.link({ srcId: 'kg-third', dstId: 'kg-root', type: 'disputes', weight: 2 })).weight).toBe(2);
    expect(await cypher('MATCH (a:Discovery)-[e:RELATED_TO]->(b:Discovery) WHERE a.id = $id RETURN e.kind, e.weight', { id: 'kg-third' }, ['k', 'w']))
      .toEqual([{ k: 'disputes', w: 2 }]);
    await rejects(kg.link({ srcId: 'kg-third', dstId: 'kg-root', type: 'responds_to' as never }), 'INVALID_INPUT', /set when storing a discovery/);
    await rejects(kg.link({ srcId: 'kg-third', dstId: 'kg-third' }), 'INVALID_INPUT', /cannot link discovery "kg-third" to itself/);
    await rejects(kg.link({ srcId: 'kg-third', dstId: 'kg-root', weight: -1 }), 'INVALID_INPUT', /weight -1 is out of range: expected 0..1000/);
    await rejects(kg.link({ srcId: 'kg-third', dstId: 'kg-zzz' }), 'NOT_FOUND', /No discovery with id "kg-zzz" \(the link target\)/);
  });

  it('leaves and lists notes', async () => {
    const note = await kg.addNote('kg-root', B, 'Seen this too');
    expect(note).toMatchObject({ discoveryId: 'kg-root', agentId: B, note: 'Seen this too' });
    expect((await kg.notes('kg-root')).map((n) => n.note)).toEqual(['Seen this too']);
    await rejects(kg.addNote('kg-root', B, ''), 'INVALID_INPUT', /note is empty/);
    await rejects(kg.addNote('kg-none', B, 'x'), 'NOT_FOUND', /No discovery with id "kg-none"/);
    await rejects(kg.addNote('kg-root', 'kg-ghost', 'x'), 'NOT_FOUND', /No agent with id "kg-ghost"/);
  });
});

describe('reads', () => {
  beforeAll(async () => {
    await kg.storeBatch([
      { agentId: A, id: 'kg-s-summary', type: 'pattern', summary: 'Entropy spikes after long sessions', details: 'seen twice', tags: ['entropy'] },
      { agentId: B, id: 'kg-s-details', type: 'insight', summary: 'Session notes', details: 'entropy entropy entropy entropy entropy entropy entropy entropy rises', tags: ['entropy', 'notes'] },
      { agentId: B, id: 'kg-s-phrase', type: 'bug_found', summary: 'Calibration drift under load', details: 'drift appears when load is high', tags: ['calibration', 'entropy'] },
    ]);
  });

  it('ranks a summary match above a details match, however often the details repeat the word', async () => {
    const hits = await kg.search({ query: 'entropy' });
    expect(hits.map((h) => h.id).slice(0, 2)).toEqual(['kg-s-summary', 'kg-s-details']);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits[0]!.match).toBe('fulltext');
  });

  it('understands websearch syntax: quoted phrases and -exclusion', async () => {
    expect((await kg.search({ query: '"calibration drift"' })).map((h) => h.id)).toEqual(['kg-s-phrase']);
    expect((await kg.search({ query: '"drift calibration"' })).map((h) => h.id)).toEqual([]);
    expect((await kg.search({ query: 'entropy -long' })).map((h) => h.id)).toEqual(['kg-s-details']);
    expect((await kg.search({ query: 'entropy' })).map((h) => h.id)).toContain('kg-s-summary');
  });

  it('filters by agent, type, tags, status and time range', async () => {
    expect((await kg.search({ query: 'entropy', agentId: B })).map((h) => h.id).sort()).toEqual(['kg-s-details']);
    expect((await kg.search({ type: 'bug_found' })).map((h) => h.id)).toEqual(['kg-s-phrase']);
    expect((await kg.search({ tags: ['Entropy', 'notes'] })).map((h) => h.id)).toEqual(['kg-s-details']);
    await kg.setStatus('kg-s-summary', 'resolved', ADMIN);
    expect((await kg.search({ query: 'entropy', status: 'resolved' })).map((h) => h.id)).toEqual(['kg-s-summary']);
    const future = new Date(Date.now() + 3_600_000);
    expect(await kg.search({ query: 'entropy', since: future })).toEqual([]);
    expect((await kg.search({ query: 'entropy', until: future, limit: 1 }))).toHaveLength(1);
    await rejects(kg.search({ limit: 0 }), 'INVALID_INPUT', /limit 0 is out of range: expected 1..500/);
    await rejects(kg.search({ since: future, until: new Date() }), 'INVALID_INPUT', /time range is empty/);
  });

  it('searches in tiers: summary matches (rank >= 1) first, summary+details matches (rank < 1) only to fill the limit', async () => {
    const entropy = await kg.search({ query: 'entropy' });
    expect(entropy.find((h) => h.id === 'kg-s-summary')!.rank).toBeGreaterThanOrEqual(1);
    expect(entropy.find((h) => h.id === 'kg-s-details')!.rank).toBeLessThan(1);
    // the summary tier fills a limit of 1 on its own, so the details tier is not consulted
    expect((await kg.search({ query: 'entropy', limit: 1 })).map((h) => h.id)).toEqual(['kg-s-summary']);
    // "calibration" is in the summary, "high" only in the details: a match of the second tier
    const split = await kg.search({ query: 'calibration high' });
    expect(split.map((h) => [h.id, h.match])).toEqual([['kg-s-phrase', 'fulltext']]);
    expect(split[0]!.rank).toBeGreaterThan(0);
    expect(split[0]!.rank).toBeLessThan(1);
    // the filters apply to both tiers
    expect(await kg.search({ query: 'calibration high', agentId: A })).toEqual([]);
  });

  it('ranks trigram matches by word similarity, nearest first', async () => {
    const hits = await kg.search({ query: 'spikez aftr' });
    expect(hits[0]).toMatchObject({ id: 'kg-s-summary', match: 'trigram' });
    expect(hits[0]!.rank).toBeGreaterThanOrEqual(0.3);
    expect(hits[0]!.rank).toBeLessThanOrEqual(1);
    expect(hits.map((h) => h.rank)).toEqual([...hits.map((h) => h.rank)].sort((a, b) => b - a));
  });

  it('falls back to trigram similarity for a misspelt word, and not when operators were used', async () => {
    const hits = await kg.search({ query: 'calibraton' });
    expect(hits[0]).toMatchObject({ id: 'kg-s-phrase', match: 'trigram' });
    expect(await kg.search({ query: '"calibraton"' })).toEqual([]);
  });

  it('keeps the summary vocabulary (knowledge.summary_words) as discoveries are stored', async () => {
    const { rows } = await db.pool.query(`select word from knowledge.summary_words where word = any($1) order by word`, [['calibration', 'entropy', 'spikes', 'zanzibarite']]);
    expect(rows.map((r) => r.word)).toEqual(['calibration', 'entropy', 'spikes']);
    await kg.store({ agentId: A, id: 'kg-s-vocab', summary: 'Zanzibarite crystals in the ledger', tags: ['vocab'] });
    const after = await db.pool.query(`select word from knowledge.summary_words where word in ('zanzibarite', 'crystals', 'ledger') order by word`);
    expect(after.rows.map((r) => r.word)).toEqual(['crystals', 'ledger', 'zanzibarite']);
  });

  it('finds the right discovery for a misspelt word through the vocabulary, among many that share other words', async () => {
    await kg.storeBatch(Array.from({ length: 30 }, (_, i) => ({ agentId: B, id: `kg-s-noise-${i}`, summary: `Ledger crystals report number ${i}` })));
    const hits = await kg.search({ query: 'zanzibraite' });
    expect(hits[0]).toMatchObject({ id: 'kg-s-vocab', match: 'trigram' });
    expect((await kg.search({ query: 'zanzbarite crystls' }))[0]).toMatchObject({ id: 'kg-s-vocab', match: 'trigram' });
    // a fragment inside a word, below the similarity threshold, still finds it as a substring match
    expect((await kg.search({ query: 'nzibar' })).map((h) => [h.id, h.match])).toEqual([['kg-s-vocab', 'trigram']]);
    // a word found nowhere, and nothing near it in the vocabulary: no hits
    expect(await kg.search({ query: 'a3f1e' })).toEqual([]);
    expect(await kg.search({ query: 'qqqxxyy' })).toEqual([]);
    // filters apply to the fuzzy path too
    expect(await kg.search({ query: 'zanzibraite', agentId: B })).toEqual([]);
  });

  it('gets a discovery with its ancestors and direct responses', async () => {
    const a = await kg.store({ agentId: A, summary: 'Chain start', id: 'kg-c1' });
    await kg.store({ agentId: B, summary: 'Chain reply', id: 'kg-c2', responseTo: a.id, responseType: 'extend' });
    await kg.store({ agentId: A, summary: 'Chain reply to reply', id: 'kg-c3', responseTo: 'kg-c2', responseType: 'question' });
    await kg.store({ agentId: B, summary: 'Second reply to c2', id: 'kg-c4', responseTo: 'kg-c2' });
    const got = await kg.get('kg-c2');
    expect(got.discovery.id).toBe('kg-c2');
    expect(got.ancestors.map((x) => [x.id, x.depth])).toEqual([['kg-c1', 1]]);
    expect(got.responses.map((x) => x.id)).toEqual(['kg-c3', 'kg-c4']);
    expect((await kg.get('kg-c3')).ancestors.map((x) => [x.id, x.depth])).toEqual([['kg-c2', 1], ['kg-c1', 2]]);
    await rejects(kg.get('kg-c9'), 'NOT_FOUND');
  });

  it('finds similar discoveries by shared tags, most shared first, then by Jaccard score', async () => {
    await kg.store({ agentId: A, id: 'kg-s-twin', summary: 'Twin', tags: ['notes', 'entropy', 'other'] });
    const sim = await kg.similar('kg-s-details');
    expect(sim.map((s) => [s.id, s.sharedTags, s.sharedCount])).toEqual([
      ['kg-s-twin', ['entropy', 'notes'], 2],
      ['kg-s-summary', ['entropy'], 1],
      ['kg-s-phrase', ['entropy'], 1],
    ]);
    expect(sim.map((s) => s.score)).toEqual([2 / 3, 1 / 2, 1 / 3]);
    await rejects(kg.similar('kg-s-none'), 'NOT_FOUND');
  });

  it('finds related discoveries within N hops through Cypher', async () => {
    await kg.storeBatch([
      { agentId: A, id: 'kg-h0', summary: 'hop 0' },
      { agentId: A, id: 'kg-h1', summary: 'hop 1', relatedTo: ['kg-h0'] },
      { agentId: B, id: 'kg-h2', summary: 'hop 2', responseTo: 'kg-h1' },
      { agentId: B, id: 'kg-h3', summary: 'hop 3' },
    ]);
    await kg.supersede('kg-h2', 'kg-h3', ADMIN);
    expect((await kg.related('kg-h0', 2)).map((r) => [r.id, r.hops])).toEqual([['kg-h1', 1], ['kg-h2', 2]]);
    expect((await kg.related('kg-h0', 3)).map((r) => [r.id, r.hops])).toEqual([['kg-h1', 1], ['kg-h2', 2], ['kg-h3', 3]]);
    expect((await kg.related('kg-h0', 1)).map((r) => r.id)).toEqual(['kg-h1']);
    await rejects(kg.related('kg-h0', 4), 'INVALID_INPUT', /max_hops 4 is out of range: expected 1..3/);
  });

  it('reports the shortest distance when a discovery is reachable over several paths and edge directions', async () => {
    // d0 -> d1 -> d2 and d0 <- d2 (a shortcut against the edge direction); d3 -> d1 (reached backwards)
    await kg.storeBatch([
      { agentId: A, id: 'kg-d0', summary: 'shortest 0' },
      { agentId: A, id: 'kg-d1', summary: 'shortest 1' },
      { agentId: A, id: 'kg-d2', summary: 'shortest 2', relatedTo: ['kg-d0'] },
      { agentId: A, id: 'kg-d3', summary: 'shortest 3', relatedTo: ['kg-d1'] },
    ]);
    await kg.link({ srcId: 'kg-d0', dstId: 'kg-d1' });
    await kg.link({ srcId: 'kg-d1', dstId: 'kg-d2', type: 'extends' });
    expect((await kg.related('kg-d0', 3)).map((r) => [r.id, r.hops])).toEqual([['kg-d1', 1], ['kg-d2', 1], ['kg-d3', 2]]);
    expect((await kg.related('kg-d3', 2)).map((r) => [r.id, r.hops]).sort()).toEqual([['kg-d0', 2], ['kg-d1', 1], ['kg-d2', 2]]);
  });

  it('counts by type, status, severity, tag and agent', async () => {
    const stats = await kg.stats(5);
    const total = await count('select count(*) as n from knowledge.discoveries');
    expect(stats.totals.discoveries).toBe(total);
    expect(Object.values(stats.byStatus).reduce((a, b) => a + b, 0)).toBe(total);
    expect(stats.byType.bug_found).toBe(1);
    expect(stats.topTags[0]).toEqual({ tag: 'entropy', count: 4 });
    expect(stats.topAgents.map((a) => a.agentId).sort()).toEqual([A, B]);
    expect(stats.totals.notes).toBe(1);
  });
});
