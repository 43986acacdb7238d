import { createHash } from 'crypto';
import { AgentService, createAgentService } from '../../src/domain/agents';
import { GovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

let db: TestDatabase;
let agents: AgentService;

beforeAll(async () => {
  db = await createMigratedDatabase();
  agents = createAgentService(db.pool);
});
afterAll(async () => db.drop());

function expectCode(err: unknown, code: string, message?: RegExp) {
  expect(err).toBeInstanceOf(GovdbError);
  expect((err as GovdbError).code).toBe(code);
  if (message) expect((err as GovdbError).message).toMatch(message);
}

/** Cypher through the test pool (its sessions load AGE), with bind parameters. */
async function cypher(query: string, params: Record<string, unknown>, columns: string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await db.pool.query(
    `select * from ag_catalog.cypher('governance_graph', $cy$${query}$cy$, $1) as (${columns.map((c) => `${c} ag_catalog.agtype`).join(', ')})`,
    [JSON.stringify(params)]);
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] === null ? null : JSON.parse(String(r[c]))])));
}

const vertex = async (id: string) =>
  cypher('MATCH (a:Agent {id: $id}) RETURN a.id, a.label, a.status', { id }, ['id', 'label', 'status']);

const events = async (agentId: string) =>
  (await db.pool.query('select event, from_status, to_status, reason, actor, details from core.agent_lifecycle_events where agent_id = $1 order by id', [agentId])).rows;

describe('onboard', () => {
  it('creates the agent, its hashed key, a created event, a session binding and the AGE vertex in one call', async () => {
    const a = await agents.onboard({ label: 'Onboard Alpha', purpose: 'testing', tags: [' Ops', 'ops', 'ML ', ''], sessionId: 'session-onboard-1', sessionTtlMs: 3_600_000, actor: 'tester' });
    expect(a.agentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.apiKey).toMatch(/^gvk_[0-9a-f]{64}$/);
    expect(a).toMatchObject({ label: 'Onboard Alpha', status: 'active', tags: ['ml', 'ops'], sessionId: 'session-onboard-1', parentAgentId: null });

    const { rows: [row] } = await db.pool.query('select api_key_hash, tags, purpose from core.agents where id = $1', [a.agentId]);
    expect(row.api_key_hash).toBe(`sha256:${createHash('sha256').update(a.apiKey).digest('hex')}`);
    expect(row).toMatchObject({ tags: ['ml', 'ops'], purpose: 'testing' });
    expect(await events(a.agentId)).toEqual([{ event: 'created', from_status: null, to_status: 'active', reason: null, actor: 'tester', details: { label: 'Onboard Alpha', tags: ['ml', 'ops'] } }]);
    const { rows: [session] } = await db.pool.query(`select agent_id, extract(epoch from expires_at - created_at)::int as ttl from core.sessions where session_id = 'session-onboard-1'`);
    expect(session).toEqual({ agent_id: a.agentId, ttl: 3600 });
    expect(await vertex(a.agentId)).toEqual([{ id: a.agentId, label: 'Onboard Alpha', status: 'active' }]);
  });

  it('leaves no plaintext key anywhere in the database', async () => {
    const keys = [(await agents.onboard({ label: 'key-scan-1', metadata: { note: 'x' } })).apiKey, (await agents.onboard()).apiKey];
    const { rows: columns } = await db.pool.query(`
      select n.nspname as schema, c.relname as table, a.attname as column
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and n.nspname in ('core', 'knowledge', 'audit', 'governance_graph')
        and format_type(a.atttypid, null) in ('text', 'text[]', 'character varying', 'jsonb', 'json', 'ag_catalog.agtype', 'agtype')`);
    expect(columns).toContainEqual({ schema: 'governance_graph', table: 'Agent', column: 'properties' });
    expect(columns).toContainEqual({ schema: 'core', table: 'agent_lifecycle_events', column: 'details' });
    // the scan does find what is there: the stored hash
    const hash = createHash('sha256').update(keys[0]!).digest('hex');
    const { rows: [found] } = await db.pool.query(`select count(*)::int as n from core.agents where strpos(format('%s', api_key_hash), $1) > 0`, [hash]);
    expect(found.n).toBe(1);
    for (const { schema, table, column } of columns) {
      for (const key of keys) {
        const secret = key.slice(4); // the random part, with or without the prefix
        const { rows } = await db.pool.query(
          `select count(*)::int as n from "${schema}"."${table}" where strpos(format('%s', "${column}"), $1) > 0`, [secret]);
        expect({ schema, table, column, n: rows[0].n }).toEqual({ schema, table, column, n: 0 });
      }
    }
  });

  it('rejects a bad id, a taken id, a colliding label (any case) and oversized fields', async () => {
    expectCode(await agents.onboard({ agentId: 'bad id!' }).catch((e) => e), 'INVALID_INPUT', /agent_id must be .* got "bad id!"/);
    await agents.onboard({ agentId: 'fixed-id-1' });
    expectCode(await agents.onboard({ agentId: 'fixed-id-1' }).catch((e) => e), 'CONFLICT', /An agent with id "fixed-id-1" already exists/);
    const holder = await agents.onboard({ label: 'Taken Label' });
    const err = await agents.onboard({ label: '  taken LABEL ' }).catch((e) => e);
    expectCode(err, 'CONFLICT', new RegExp(`Label "taken LABEL" is already used by agent "${holder.agentId}"`));
    expect(err.details.reason).toBe('LABEL_TAKEN');
    expectCode(await agents.onboard({ purpose: 'p'.repeat(4001), label: 'l'.repeat(201) }).catch((e) => e), 'INVALID_INPUT',
      /label is at most 200 characters, got 201; purpose is at most 4000 characters, got 4001/);
    expectCode(await agents.onboard({ tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }).catch((e) => e), 'INVALID_INPUT', /at most 64 tags, got 65/);
    expect((await db.pool.query(`select count(*)::int as n from core.agents where lower(label) = 'taken label'`)).rows[0].n).toBe(1);
  });


  it('turns the label race (both pass the check, one insert waits for the other) into CONFLICT', async () => {
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query('begin');
      const { rows: [winner] } = await a.query(`select agent_id from core.onboard_agent(p_label => 'Race Label')`);
      const bPid = (await b.query('select pg_backend_pid() as pid')).rows[0].pid;
      const loser = createAgentService(b).onboard({ label: 'race label' }).catch((e) => e);
      // b passed the label check (a has not committed) and now waits on the unique index
      while (!(await db.pool.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [bPid])).rowCount) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await a.query('commit');
      expectCode(await loser, 'CONFLICT', new RegExp(`Label "race label" is already used by agent "${winner.agent_id}"`));
    } finally {
      a.release();
      b.release();
    }
    expect((await db.pool.query(`select count(*)::int as n from core.agents where lower(label) = 'race label'`)).rows[0].n).toBe(1);
  });
});

describe('authenticate', () => {
  it('resolves a key to its agent; unknown keys are UNAUTHENTICATED, archived and deleted agents AGENT_ARCHIVED / AGENT_DELETED', async () => {
    const a = await agents.onboard({ label: 'auth-agent' });
    expect(await agents.authenticate(a.apiKey)).toEqual({ agentId: a.agentId, label: 'auth-agent', status: 'active' });
    expectCode(await agents.authenticate(a.apiKey.replace(/.$/, (c) => (c === '0' ? '1' : '0'))).catch((e) => e), 'UNAUTHENTICATED', /Unknown API key/);
    expectCode(await agents.authenticate('').catch((e) => e), 'UNAUTHENTICATED');
    await agents.pause(a.agentId);
    expect((await agents.authenticate(a.apiKey)).status).toBe('paused');
    await agents.archive(a.agentId);
    const archived = await agents.authenticate(a.apiKey).catch((e) => e);
    expectCode(archived, 'AGENT_ARCHIVED', /is archived/);
    expect(archived.details.reason).toBe('AGENT_ARCHIVED');
    await agents.softDelete(a.agentId);
    expectCode(await agents.authenticate(a.apiKey).catch((e) => e), 'AGENT_DELETED', /is deleted/);
  });
});

describe('update', () => {
  it('changes label, purpose, notes and tags, records which changed, and reprojects the label', async () => {
    const seen: string[] = [];
    const service = createAgentService(db.pool, { invalidate: (id) => void seen.push(id) });
    const a = await agents.onboard({ label: 'upd-1', tags: ['a'] });
    const u = await service.update(a.agentId, { label: 'Upd One', notes: 'some notes', tags: ['B', ' b ', 'c'] }, { actor: 'ops', reason: 'rename' });
    expect(u).toMatchObject({ agentId: a.agentId, label: 'Upd One', purpose: null, notes: 'some notes', tags: ['b', 'c'], changed: ['label', 'notes', 'tags'] });
    expect((await events(a.agentId)).at(-1)).toEqual({ event: 'updated', from_status: 'active', to_status: 'active', reason: 'rename', actor: 'ops', details: { changed: ['label', 'notes', 'tags'] } });
    expect(await vertex(a.agentId)).toEqual([{ id: a.agentId, label: 'Upd One', status: 'active' }]);
    expect(seen).toEqual([a.agentId]);

    // same values: nothing written, no event, no invalidation; '' clears the label
    expect((await service.update(a.agentId, { tags: ['c', 'b'] })).changed).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(await service.update(a.agentId, { label: '' })).toMatchObject({ label: null, changed: ['label'] });
    expect((await agents.get(a.agentId)).label).toBeNull();
    // a case-only change of one's own label is no collision
    await agents.update(a.agentId, { label: 'case' });
    expect((await agents.update(a.agentId, { label: 'CASE' })).label).toBe('CASE');
  });

  it('rejects unknown agents, empty updates, oversized notes, taken labels and deleted agents', async () => {
    expectCode(await agents.update('nobody-here', { notes: 'x' }).catch((e) => e), 'NOT_FOUND', /No agent with id "nobody-here"/);
    const a = await agents.onboard({ label: 'upd-2' });
    const b = await agents.onboard({ label: 'upd-3' });
    expectCode(await agents.update(a.agentId, {}).catch((e) => e), 'INVALID_INPUT', /Nothing to update/);
    expectCode(await agents.update(a.agentId, { notes: 'n'.repeat(20001) }).catch((e) => e), 'INVALID_INPUT', /notes are at most 20000 characters, got 20001/);
    expectCode(await agents.update(a.agentId, { label: 'UPD-3' }).catch((e) => e), 'CONFLICT', new RegExp(`already used by agent "${b.agentId}"`));
    await agents.softDelete(b.agentId);
    expect((await agents.update(a.agentId, { label: 'UPD-3' })).label).toBe('UPD-3'); // a deleted agent frees its label
    expectCode(await agents.update(b.agentId, { notes: 'x' }).catch((e) => e), 'AGENT_DELETED', /is deleted/);
    expect((await agents.get(a.agentId)).notes).toBe('');
  });
});

describe('lifecycle', () => {
  it('pause, resume, wait for input, archive and delete: validated, recorded, timestamped and projected', async () => {
    const seen: string[] = [];
    const service = createAgentService(db.pool, { invalidate: (id) => void seen.push(id) });
    const a = await agents.onboard({ label: 'life-1', sessionId: 'session-life-1' });

    const p = await service.pause(a.agentId, { reason: 'risk too high', actor: 'governance' });
    expect(p).toMatchObject({ agentId: a.agentId, fromStatus: 'active', toStatus: 'paused' });
    let row = await agents.get(a.agentId);
    expect(row.status).toBe('paused');
    expect(row.pausedAt).toBeInstanceOf(Date);
    expect(await vertex(a.agentId)).toEqual([{ id: a.agentId, label: 'life-1', status: 'paused' }]);

    const bad = await service.markWaitingInput(a.agentId).catch((e) => e);
    expectCode(bad, 'INVALID_STATE', new RegExp(`Agent "${a.agentId}" cannot go from paused to waiting_input`));
    expect(bad.hint).toBe('From paused the agent can go to: active, archived, deleted');

    // a pause is sticky: the agent itself cannot end it; an admin (or a resolved review) can
    expectCode(await service.resume(a.agentId).catch((e) => e), 'AGENT_PAUSED');
    await service.resume(a.agentId, { actor: 'reviewer', authority: 'admin' });
    expect((await agents.get(a.agentId)).pausedAt).toBeNull();
    await service.markWaitingInput(a.agentId);
    await service.archive(a.agentId, { reason: 'done' });
    row = await agents.get(a.agentId);
    expect(row).toMatchObject({ status: 'archived' });
    expect(row.archivedAt).toBeInstanceOf(Date);
    await service.softDelete(a.agentId, { reason: 'cleanup', actor: 'ops' });
    row = await agents.get(a.agentId);
    expect(row.status).toBe('deleted');
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect((await db.pool.query(`select count(*)::int as n from core.sessions where agent_id = $1`, [a.agentId])).rows[0].n).toBe(0);
    expect(await vertex(a.agentId)).toEqual([{ id: a.agentId, label: 'life-1', status: 'deleted' }]);
    expectCode(await service.resume(a.agentId).catch((e) => e), 'INVALID_STATE', /cannot go from deleted to active/);

    expect((await events(a.agentId)).map((e) => [e.event, e.from_status, e.to_status, e.reason, e.actor])).toEqual([
      ['created', null, 'active', null, null],
      ['paused', 'active', 'paused', 'risk too high', 'governance'],
      ['resumed', 'paused', 'active', null, 'reviewer'],
      ['waiting_input', 'active', 'waiting_input', null, a.agentId],
      ['archived', 'waiting_input', 'archived', 'done', a.agentId],
      ['deleted', 'archived', 'deleted', 'cleanup', 'ops'],
    ]);
    expect(seen).toEqual(Array(5).fill(a.agentId));
  });

  it('rejects a transition to the same status, an unknown status and an unknown agent', async () => {
    const a = await agents.onboard();
    expectCode(await agents.resume(a.agentId).catch((e) => e), 'INVALID_STATE', /cannot go from active to active/);
    expectCode(await agents.transition(a.agentId, 'frozen' as never).catch((e) => e), 'INVALID_INPUT', /Unknown target status "frozen"/);
    expectCode(await agents.pause('ghost-agent').catch((e) => e), 'NOT_FOUND', /No agent with id "ghost-agent"/);
    expect(await events(a.agentId)).toHaveLength(1);
  });
});

describe('spawn', () => {
  it('links the child to its parent and creates the SPAWNED edge in the same call', async () => {
    const parent = await agents.onboard({ label: 'spawn-parent' });
    const child = await agents.spawn({ parentAgentId: parent.agentId, spawnReason: 'split the review', label: 'spawn-child', tags: ['Worker'] });
    expect(child).toMatchObject({ parentAgentId: parent.agentId, label: 'spawn-child', status: 'active', tags: ['worker'] });
    expect(child.apiKey).toMatch(/^gvk_[0-9a-f]{64}$/);
    expect(await agents.get(child.agentId)).toMatchObject({ parentAgentId: parent.agentId, spawnReason: 'split the review' });
    expect(await events(child.agentId)).toEqual([{
      event: 'spawned', from_status: null, to_status: 'active', reason: 'split the review', actor: parent.agentId,
      details: { parent_agent_id: parent.agentId, label: 'spawn-child', tags: ['worker'] },
    }]);
    expect(await cypher('MATCH (p:Agent)-[e:SPAWNED]->(c:Agent {id: $child}) RETURN p.id, e.reason', { child: child.agentId }, ['parent', 'reason']))
      .toEqual([{ parent: parent.agentId, reason: 'split the review' }]);
    expect((await agents.list({ parentAgentId: parent.agentId })).map((a) => a.id)).toEqual([child.agentId]);
  });

  it('rejects a missing reason, an unknown parent and an archived parent, leaving no child behind', async () => {
    const parent = await agents.onboard();
    expectCode(await agents.spawn({ parentAgentId: parent.agentId, spawnReason: ' ' }).catch((e) => e), 'INVALID_INPUT', /needs parent_agent_id and spawn_reason/);
    expectCode(await agents.spawn({ parentAgentId: 'no-parent', spawnReason: 'x' }).catch((e) => e), 'NOT_FOUND', /No parent agent with id "no-parent"/);
    await agents.archive(parent.agentId);
    expectCode(await agents.spawn({ parentAgentId: parent.agentId, spawnReason: 'x', agentId: 'orphan-1' }).catch((e) => e), 'AGENT_ARCHIVED', /is archived and cannot write/);
    expect((await db.pool.query(`select count(*)::int as n from core.agents where parent_agent_id = $1 or id = 'orphan-1'`, [parent.agentId])).rows[0].n).toBe(0);
    expect(await vertex('orphan-1')).toEqual([]);
  });
});

describe('get and list', () => {
  it('gets one agent (NOT_FOUND otherwise) and lists with status, tag, parent, limit and offset', async () => {
    expectCode(await agents.get('missing-agent').catch((e) => e), 'NOT_FOUND', /No agent with id "missing-agent"/);
    const x = await agents.onboard({ label: 'list-x', tags: ['listtag'] });
    const y = await agents.onboard({ label: 'list-y', tags: ['listtag', 'other'] });
    const z = await agents.onboard({ label: 'list-z', tags: ['listtag'] });
    await agents.pause(y.agentId);
    await agents.softDelete(z.agentId);
    expect((await agents.list({ tag: ' ListTag ' })).map((a) => a.id).sort()).toEqual([x.agentId, y.agentId].sort());
    expect((await agents.list({ tag: 'listtag', includeDeleted: true })).map((a) => a.id)).toHaveLength(3);
    expect((await agents.list({ tag: 'listtag', status: 'paused' })).map((a) => a.id)).toEqual([y.agentId]);
    expect((await agents.list({ tag: 'listtag', status: 'deleted' })).map((a) => a.id)).toEqual([z.agentId]);
    const page1 = await agents.list({ tag: 'listtag', includeDeleted: true, limit: 2 });
    const page2 = await agents.list({ tag: 'listtag', includeDeleted: true, limit: 2, offset: 2 });
    expect(new Set([...page1, ...page2].map((a) => a.id)).size).toBe(3);
    expect(await agents.get(x.agentId)).toMatchObject({ id: x.agentId, label: 'list-x', status: 'active', tags: ['listtag'], updateCount: 0, notes: '' });
    expectCode(await agents.list({ status: 'sleeping' as never, limit: 0 }).catch((e) => e), 'INVALID_INPUT',
      /status must be one of active, paused, waiting_input, archived, deleted, got "sleeping"; limit must be in \[1, 1000\], got 0/);
  });
});
