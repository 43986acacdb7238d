import { readFileSync } from 'fs';
import path from 'path';
import fc from 'fast-check';
import { createAgentService, AgentService, Authority } from '../../src/domain/agents';
import { createEisvService } from '../../src/domain/eisv';
import { createKnowledgeService } from '../../src/domain/knowledge';
import { createDialecticService } from '../../src/domain/dialectic';
import { createCalibrationService } from '../../src/domain/calibration';
import { isGovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Issue 14: one lifecycle state machine in SQL. A seeded property test drives random sequences of
 * lifecycle calls by random actors through the services (each one stored-function call) and checks,
 * from the database itself, that a paused agent never becomes active without a resolved review or an
 * admin, and that an agent that cannot write never writes.
 */
let db: TestDatabase;
let agents: AgentService;
beforeAll(async () => {
  db = await createMigratedDatabase();
  agents = createAgentService(db.pool);
});
afterAll(async () => db.drop());

async function status(id: string): Promise<string> {
  return (await agents.get(id)).status;
}

async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; reason: unknown }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (!isGovdbError(err)) throw err;
    return { ok: false, code: err.code, reason: err.details.reason };
  }
}

type Step =
  | { kind: 'transition'; target: number; actor: number; authority: Authority; to: 'active' | 'paused' | 'archived' | 'deleted' | 'waiting_input' }
  | { kind: 'write'; actor: number; what: 'update' | 'knowledge' | 'prediction' | 'profile' }
  | { kind: 'spawn'; parent: number }
  | { kind: 'reonboard'; target: number }
  | { kind: 'review'; target: number; reviewer: number; agree: boolean }
  | { kind: 'rotate'; target: number; actor: number };

const AGENTS = 4;
const idx = fc.integer({ min: 0, max: AGENTS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('transition' as const), target: idx, actor: idx, authority: fc.constantFrom<Authority>('self', 'self', 'admin', 'system', 'reviewer'), to: fc.constantFrom('active' as const, 'paused' as const, 'archived' as const, 'deleted' as const, 'waiting_input' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('transition' as const), target: idx, actor: idx, authority: fc.constantFrom<Authority>('self', 'system'), to: fc.constant('paused' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transition' as const), target: idx, actor: idx, authority: fc.constantFrom<Authority>('self', 'admin', 'system', 'reviewer'), to: fc.constant('active' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), actor: idx, what: fc.constantFrom('update' as const, 'knowledge' as const, 'prediction' as const, 'profile' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('spawn' as const), parent: idx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reonboard' as const), target: idx }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('review' as const), target: idx, reviewer: idx, agree: fc.constantFrom(true, true, true, false) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rotate' as const), target: idx, actor: idx }) },
);

/** Replays every lifecycle event in order: a held agent only becomes active by a reviewer (resolved review) or an admin. */
async function checkHoldInvariant(ids: string[]): Promise<void> {
  const { rows } = await db.pool.query<{ agent_id: string; from_status: string | null; to_status: string; details: Record<string, unknown>; review_status: string | null }>(
    `select e.agent_id, e.from_status, e.to_status, e.details, d.status::text as review_status
       from core.agent_lifecycle_events e
       left join core.dialectic_sessions d on d.id = e.details->>'dialectic_session_id'
      where e.agent_id = any($1) and e.event <> 'updated' order by e.id`, [ids]);
  const held = new Map<string, boolean>();
  for (const r of rows) {
    if (r.to_status === 'active' && held.get(r.agent_id)) {
      const authority = r.details.authority;
      expect(['reviewer', 'admin']).toContain(authority);
      if (authority === 'reviewer') expect(r.review_status).toBe('resolved');
    }
    if (r.to_status === 'paused') held.set(r.agent_id, true);
    if (r.to_status === 'active') held.set(r.agent_id, false);
  }
  const { rows: bad } = await db.pool.query(`select id from core.agents where id = any($1) and status = 'active' and pause_hold_since is not null`, [ids]);
  expect(bad).toEqual([]);
}

describe('the lifecycle state machine (property)', () => {
  it('random lifecycle calls by random actors never release a pause without a review or an admin, and non-active agents never write', async () => {
    const eisv = createEisvService(db.pool);
    const knowledge = createKnowledgeService(db.pool);
    let run = 0;
    let decision = 0;
    const reviewOutcomes: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
        run++;
        const ids: string[] = [];
        for (let i = 0; i < AGENTS; i++) ids.push((await agents.onboard({ agentId: `lc${run}-${i}`, label: `lc${run}-${i}` })).agentId);
        const all = [...ids];
        for (const s of steps) {
          if (s.kind === 'transition') {
            const target = ids[s.target]!;
            const before = await agents.get(target);
            const r = await attempt(() => agents.transition(target, s.to, { authority: s.authority, actorAgentId: ids[s.actor] }));
            if (r.ok && s.to === 'active' && (before.status === 'paused')) expect(s.authority).toBe('admin');
            if (r.ok && s.authority === 'self') expect(ids[s.actor]).toBe(target);
            if (r.ok && s.authority === 'reviewer') throw new Error('a reviewer transition without a review was accepted');
          } else if (s.kind === 'write') {
            const actor = ids[s.actor]!;
            const st = await status(actor);
            const r = await attempt(async () => {
              if (s.what === 'update') return eisv.processUpdate({ agentId: actor, complexity: 0.3, confidence: 0.8, responseLength: 200 });
              if (s.what === 'knowledge') return knowledge.store({ agentId: actor, summary: `by ${actor}` });
              if (s.what === 'profile') return agents.update(actor, { notes: `n${decision}` });
              return createCalibrationService(db.pool).recordPrediction({ decisionId: `lc-d${++decision}-${run}`, confidence: 0.5, agentId: actor });
            });
            if (st === 'active' || st === 'waiting_input') expect(r).toMatchObject({ ok: true });
            else expect(r.ok ? 'written' : r.code).toBe(`AGENT_${st.toUpperCase()}`);
          } else if (s.kind === 'spawn') {
            const parent = ids[s.parent]!;
            const p = await agents.get(parent);
            const r = await attempt(() => agents.spawn({ parentAgentId: parent, spawnReason: 'property' }));
            if (p.status === 'active' || p.status === 'waiting_input') expect(r.ok).toBe(true);
            else expect(r.ok ? 'spawned' : r.code).toBe(`AGENT_${p.status.toUpperCase()}`);
            if (r.ok) all.push(r.value.agentId);
          } else if (s.kind === 'reonboard') {
            const target = await agents.get(ids[s.target]!);
            const r = await attempt(() => agents.onboard({ label: target.label ?? undefined }));
            if (r.ok) {
              expect(target.status).toBe('deleted');
              const { rows } = await db.pool.query(`select pause_hold_since from core.agents where id = $1`, [target.id]);
              expect(rows[0].pause_hold_since).toBeNull();
              all.push(r.value.agentId);
            }
          } else if (s.kind === 'review') {
            // aim at a paused agent and an active reviewer when there are any (random ones otherwise)
            const statuses = await Promise.all(ids.map(status));
            const rot = (k: number) => ids.map((_, i) => (i + k) % AGENTS);
            const target = ids[rot(s.target).find((i) => statuses[i] === 'paused') ?? s.target]!;
            const reviewer = ids[rot(s.reviewer).find((i) => statuses[i] === 'active' && ids[i] !== target) ?? s.reviewer]!;
            const r = await attempt(async () => {
              const session = await createDialecticService(db.pool).requestReview({ pausedAgentId: target, reviewerAgentId: reviewer, actorAgentId: target });
              await createDialecticService(db.pool).submitThesis({ sessionId: session.id, agentId: target, rootCause: 'x' });
              await createDialecticService(db.pool).submitAntithesis({ sessionId: session.id, agentId: reviewer, reasoning: 'y' });
              await createDialecticService(db.pool).submitSynthesis({ sessionId: session.id, agentId: target, agrees: true, reasoning: 'ok' });
              return createDialecticService(db.pool).submitSynthesis({ sessionId: session.id, agentId: reviewer, agrees: s.agree, reasoning: 'ok' });
            });
            reviewOutcomes.push(r.ok ? r.value.status : `${r.code}:${r.reason}`);
            if (r.ok && r.value.status === 'resolved') expect(await status(target)).toBe('active');
            if (r.ok && r.value.status !== 'resolved') expect(await status(target)).toBe('paused');
          } else {
            const target = ids[s.target]!;
            const r = await attempt(() => agents.rotateKey(target, { agentId: ids[s.actor]!, isAdmin: false }));
            if (r.ok) expect(ids[s.actor]).toBe(target);
          }
        }
        await checkHoldInvariant(all);
      }),
      { seed: 1414, numRuns: 60, endOnFailure: true },
    );
    // the generated sequences did exercise the paths that matter
    const { rows } = await db.pool.query(`select count(*) filter (where to_status = 'paused')::int as paused,
        count(*) filter (where to_status = 'active' and details->>'authority' = 'reviewer')::int as by_review,
        count(*) filter (where to_status = 'active' and details->>'authority' = 'admin' and from_status = 'paused')::int as by_admin
      from core.agent_lifecycle_events where agent_id like 'lc%'`);
    expect(rows[0].paused).toBeGreaterThan(10);
    process.stderr.write(`lifecycle property: ${JSON.stringify({ ...rows[0], reviewOutcomes: [...new Set(reviewOutcomes)] })}\n`);
    expect(rows[0].by_review).toBeGreaterThan(0);
    expect(rows[0].by_admin).toBeGreaterThan(0);
  }, 240_000);
});

describe('writes racing a status change', () => {
  it('writes waiting on an uncommitted archive are refused once it commits (the check is in the write\'s transaction)', async () => {
    const a = await agents.onboard({ label: 'racing writer' });
    const knowledge = createKnowledgeService(db.pool);
    const eisv = createEisvService(db.pool);
    const archiver = await db.pool.connect();
    try {
      await archiver.query('begin');
      await archiver.query(`select * from core.transition_agent(p_agent_id => $1, p_to_status => 'archived', p_authority => 'admin')`, [a.agentId]);
      // these start while the archive is uncommitted: they wait on the agent row
      const writes = Promise.all([
        attempt(() => knowledge.store({ agentId: a.agentId, summary: 'racing 1' })),
        attempt(() => knowledge.store({ agentId: a.agentId, summary: 'racing 2' })),
        attempt(() => eisv.processUpdate({ agentId: a.agentId, complexity: 0.2, confidence: 0.9, responseLength: 10 })),
        attempt(() => createCalibrationService(db.pool).recordPrediction({ decisionId: 'racing-d', confidence: 0.5, agentId: a.agentId })),
        attempt(() => agents.update(a.agentId, { notes: 'racing' })),
      ]);
      await new Promise((r) => setTimeout(r, 300));
      await archiver.query('commit');
      const results = await writes;
      expect(results.map((r) => (r.ok ? 'written' : r.code))).toEqual(Array(5).fill('AGENT_ARCHIVED'));
    } finally {
      archiver.release();
    }
    const { rows } = await db.pool.query(`select count(*)::int as n from knowledge.discoveries where agent_id = $1`, [a.agentId]);
    expect(rows[0].n).toBe(0);
  });
});

describe('docs/lifecycle.md', () => {
  it('shows exactly the transition table of the database', async () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'lifecycle.md'), 'utf8');
    const block = doc.split('<!-- transitions:start -->')[1]!.split('<!-- transitions:end -->')[0]!;
    const documented = block.split('\n').filter((l) => /^\| [a-z_]+ \|/.test(l) && !l.startsWith('| from'))
      .map((l) => l.split('|').slice(1, 5).map((c) => c.trim()).join(' ')).sort();
    const { rows } = await db.pool.query(`select from_status::text || ' ' || to_status::text || ' ' || authority || ' ' || case when when_held then 'yes' else 'no' end as r from core.agent_status_transitions`);
    expect(documented).toEqual(rows.map((r) => r.r as string).sort());
  });

  it('refuses a status written outside core.transition_agent', async () => {
    const a = await agents.onboard({ label: 'direct write' });
    await expect(db.pool.query(`update core.agents set status = 'paused', paused_at = now() where id = $1`, [a.agentId])).rejects.toMatchObject({ code: 'GV422' });
  });
});

describe("the operator's resume after a review (core.resume_agent_after_review)", () => {
  /** A paused agent with the given latest reviews (oldest first), each [status, resolution action]. */
  async function pausedWith(reviews: Array<['active' | 'resolved' | 'escalated', string | null]>): Promise<string> {
    const { agentId } = await agents.onboard({});
    await agents.pause(agentId, { authority: 'admin', actor: 'test' });
    let t = 0;
    for (const [state, action] of reviews) {
      await db.pool.query(
        `insert into core.dialectic_sessions (paused_agent_id, status, phase, resolution, created_at)
         values ($1, $2::text::core.dialectic_status, case $2::text when 'active' then 'thesis' else $2::text end::core.dialectic_phase,
                 case when $2::text = 'resolved' then jsonb_build_object('action', $3::text) end, now() + make_interval(secs => $4))`,
        [agentId, state, action, t++]);
    }
    return agentId;
  }

  it('resumes only a paused agent whose latest review resolved with action resume, in one transaction', async () => {
    const ok = await pausedWith([['escalated', null], ['resolved', 'resume']]);
    const change = await agents.resumeAfterReview(ok, { actor: 'operator:admin' });
    expect(change).toMatchObject({ agentId: ok, fromStatus: 'paused', toStatus: 'active' });
    expect(await status(ok)).toBe('active');
    const { rows: [event] } = await db.pool.query(`select actor, reason, details from core.agent_lifecycle_events where id = $1`, [change.eventId]);
    expect(event).toMatchObject({ actor: 'operator:admin', reason: `resumed from the dashboard after review ${change.reviewId}`, details: { authority: 'admin' } });

    const refused = async (id: string) => attempt(() => agents.resumeAfterReview(id, { actor: 'operator:admin' }));
    // not paused any more
    expect(await refused(ok)).toMatchObject({ ok: false, code: 'INVALID_STATE', reason: 'NOT_PAUSED' });
    // no review, a review still running, a newer review that did not resume, a resolution with another action
    for (const reviews of [[], [['active', null]], [['resolved', 'resume'], ['escalated', null]], [['resolved', 'block']]] as Array<Array<['active' | 'resolved' | 'escalated', string | null]>>) {
      const id = await pausedWith(reviews);
      expect(await refused(id)).toMatchObject({ ok: false, code: 'INVALID_STATE', reason: 'NO_RESUMING_REVIEW' });
      expect(await status(id)).toBe('paused');
    }
    expect(await refused('no_such_agent')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});
