import { createHash } from 'crypto';
import { PoolClient } from 'pg';
import { core } from '../../src/db/generated/functions';
import { createDialecticService } from '../../src/domain/dialectic';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
const ADMIN = { agentId: null, isAdmin: true };

describe('dialectic sessions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.pool.query('truncate core.dialectic_messages, core.dialectic_sessions, core.agents cascade');
  });

  /** Inserts agents directly: paused ones with paused_at, others active with the given activity age. */
  const agents = async (specs: Array<{ id: string; status?: 'active' | 'paused' | 'archived'; activeMinutesAgo?: number | null }>) => {
    for (const a of specs) {
      const status = a.status ?? 'active';
      await db.pool.query(
        `insert into core.agents (id, status, paused_at, archived_at, last_activity_at)
         values ($1, $2::core.agent_status, case when $2 = 'paused' then now() end, case when $2 = 'archived' then now() end,
                 now() - make_interval(mins => $3::int))`,
        [a.id, status, a.activeMinutesAgo === null ? null : a.activeMinutesAgo ?? 60],
      );
    }
  };

  /** A session that reached phase synthesis between paused agent p and reviewer r. */
  const sessionInSynthesis = async (maxSynthesisRounds?: number) => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'r' }]);
    const s = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', maxSynthesisRounds });
    await createDialecticService(db.pool).submitThesis({ sessionId: s.id, agentId: 'p', rootCause: 'loop on retries', proposedConditions: ['cap retries at 3'] });
    await createDialecticService(db.pool).submitAntithesis({ sessionId: s.id, agentId: 'r', reasoning: 'retries hide a config error', concerns: ['config'] });
    return s.id;
  };

  it('runs request -> thesis -> antithesis -> two agreeing syntheses -> resolved with both signatures', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'r' }]);
    const requested = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', topic: 'retry storm' });
    expect(requested).toMatchObject({ pausedAgentId: 'p', reviewerAgentId: 'r', phase: 'thesis', status: 'active', synthesisRound: 0 });
    expect(requested.phaseDeadline!.getTime()).toBeGreaterThan(requested.createdAt.getTime());

    const id = requested.id;
    expect(await createDialecticService(db.pool).submitThesis({ sessionId: id, agentId: 'p', rootCause: 'loop on retries', proposedConditions: ['cap retries at 3', 'log each retry'] }))
      .toMatchObject({ phase: 'antithesis', status: 'active' });
    expect(await createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'r', reasoning: 'retries hide a config error', concerns: ['config drift'] }))
      .toMatchObject({ phase: 'synthesis', status: 'active' });
    expect(await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'accept', proposedConditions: ['cap retries at 3', 'log each retry'] }))
      .toMatchObject({ phase: 'synthesis', status: 'active', synthesisRound: 1, resolution: null });
    const resolved = await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: true, reasoning: 'agreed', proposedConditions: ['log each retry', 'check config'] });
    expect(resolved).toMatchObject({ phase: 'resolved', status: 'resolved', synthesisRound: 2, phaseDeadline: null });
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect(resolved.resolution).toMatchObject({
      action: 'resume',
      conditions: ['cap retries at 3', 'log each retry', 'check config'],
      root_cause: 'loop on retries',
      agent_a: 'p',
      agent_b: 'r',
      message_seq_a: 3,
      message_seq_b: 4,
      synthesis_round: 2,
    });

    const full = await createDialecticService(db.pool).getSession(id, ADMIN);
    expect(full.messages.map((m) => [m.seq, m.messageType, m.agentId])).toEqual([
      [1, 'thesis', 'p'], [2, 'antithesis', 'r'], [3, 'synthesis', 'p'], [4, 'synthesis', 'r'],
    ]);
    // signature = sha256("<session id>\n<agent id>\n<jsonb text of the message content>"), recomputed here independently
    const content = await db.pool.query<{ seq: number; agent_id: string; content: string }>(
      `select seq, agent_id, core.dialectic_message_content(message_type, root_cause, proposed_conditions, reasoning,
                observed_metrics, concerns, agrees)::text as content
         from core.dialectic_messages where session_id = $1 and seq in (3, 4) order by seq`, [id]);
    const sign = (agent: string, text: string) => createHash('sha256').update(`${id}\n${agent}\n${text}`).digest('hex');
    expect(resolved.resolution!.signature_a).toBe(sign('p', content.rows[0]!.content));
    expect(resolved.resolution!.signature_b).toBe(sign('r', content.rows[1]!.content));
    expect(resolved.resolution!.signature_a).not.toBe(resolved.resolution!.signature_b);
    expect(full.messages[2]!.signature).toBe(resolved.resolution!.signature_a);

    const listed = await createDialecticService(db.pool).listSessions({ agentId: 'r', status: 'resolved' });
    expect(listed.sessions.map((s) => s.id)).toEqual([id]);
    expect(listed.nextCursor).toBeNull();
  });

  it('resolves on the latest synthesis of each participant, not on an earlier agreement', async () => {
    const id = await sessionInSynthesis();
    await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'fine', proposedConditions: ['a'] });
    await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: false, reasoning: 'not yet', proposedConditions: ['b'] });
    const changed = await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: false, reasoning: 'then no', proposedConditions: ['c'] });
    expect(changed).toMatchObject({ status: 'active', synthesisRound: 3 });
    // r now agrees, but p's latest synthesis disagrees
    expect(await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: true, reasoning: 'ok', proposedConditions: ['b'] }))
      .toMatchObject({ status: 'active', synthesisRound: 4 });
    const resolved = await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'agreed', proposedConditions: ['b', 'c'] });
    expect(resolved).toMatchObject({ status: 'resolved', synthesisRound: 5, resolution: { conditions: ['b', 'c'], message_seq_a: 7, message_seq_b: 6 } });
  });

  it('picks the most recently active eligible reviewer in one query and excludes busy, recent and inactive agents', async () => {
    await agents([
      { id: 'p', status: 'paused' },
      { id: 'r_old', activeMinutesAgo: 120 },
      { id: 'r_new', activeMinutesAgo: 30 },
      { id: 'r_busy', activeMinutesAgo: 1 }, // reviewer of another active session
      { id: 'r_recent', activeMinutesAgo: 2 }, // reviewed p within 24 h
      { id: 'r_paused', status: 'paused', activeMinutesAgo: 0 },
      { id: 'other_paused', status: 'paused' },
    ]);
    await db.pool.query(`insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id) values ('other_paused', 'r_busy')`);
    await db.pool.query(
      `insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id, phase, status, resolution, created_at, updated_at)
       values ('p', 'r_recent', 'resolved', 'resolved', '{}', now() - interval '30 hours', now() - interval '20 hours')`);
    const s = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' });
    expect(s.reviewerAgentId).toBe('r_new');

    // an explicit reviewer goes through the same rule
    await db.pool.query(`update core.dialectic_sessions set status = 'failed', phase = 'failed' where id = $1`, [s.id]);
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'r_recent' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      details: { reason: 'REVIEWER_NOT_ELIGIBLE' },
      message: 'Agent "r_recent" cannot review agent "p": it reviewed agent "p" within the last 24 hours',
    });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'r_busy' })).rejects.toMatchObject({
      code: 'INVALID_STATE', message: expect.stringMatching(/it takes part in active session "[0-9a-f]{16}"/),
    });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'r_paused' })).rejects.toMatchObject({
      code: 'INVALID_STATE', message: expect.stringContaining('its status is paused, expected active'),
    });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'p' })).rejects.toMatchObject({
      code: 'INVALID_STATE', details: { reason: 'REVIEWER_IS_PAUSED_AGENT' },
    });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'nobody' })).rejects.toMatchObject({
      code: 'NOT_FOUND', details: { reason: 'REVIEWER_NOT_FOUND' },
    });
    // r_new reviewed p minutes ago (the failed session): now r_old is the only eligible one
    expect((await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' })).reviewerAgentId).toBe('r_old');
  });

  it('breaks ties by smallest id, and a review older than 24 hours no longer excludes', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'rb', activeMinutesAgo: null }, { id: 'ra', activeMinutesAgo: null }]);
    await db.pool.query(
      `insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id, phase, status, created_at, updated_at)
       values ('p', 'ra', 'failed', 'failed', now() - interval '3 days', now() - interval '25 hours')`);
    expect((await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' })).reviewerAgentId).toBe('ra');
  });

  it('rejects a request when no reviewer is eligible, the agent is not paused, unknown, or already in a session', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'q', status: 'paused' }, { id: 'gone', status: 'archived' }]);
    const err = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' }).catch((e) => e);
    expect(err).toMatchObject({
      code: 'INVALID_STATE',
      details: { reason: 'NO_ELIGIBLE_REVIEWER', hint: expect.stringContaining('must be active, free of other active sessions') },
      message: 'No eligible reviewer for agent "p": of 2 other agents 0 are active, 0 of those are in another active session and 0 reviewed "p" within the last 24 hours',
    });
    await agents([{ id: 'busy' }, { id: 'r' }]);
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'busy' })).rejects.toMatchObject({ code: 'INVALID_STATE', details: { reason: 'AGENT_NOT_PAUSED' } });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No agent with id "ghost"' });
    await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'q', reviewerAgentId: 'busy' });
    await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' })).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'DIALECTIC_SESSION_EXISTS' } });
    await expect(createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', maxSynthesisRounds: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('rejects the wrong role (GV403), the wrong phase (GV422 naming it), unknown ids (GV404) and bad input (GV400)', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'r' }, { id: 'outsider' }]);
    const { id } = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'r' });

    await expect(createDialecticService(db.pool).submitThesis({ sessionId: id, agentId: 'r', rootCause: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN', details: { reason: 'DIALECTIC_WRONG_ROLE' },
      message: `Agent "r" is the reviewer of dialectic session "${id}"; a thesis can only come from the paused agent "p"`,
    });
    await expect(createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'outsider', agrees: true, reasoning: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN', message: expect.stringContaining('is not a participant'),
    });
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'r', reasoning: 'too early' })).rejects.toMatchObject({
      code: 'INVALID_STATE', details: { reason: 'DIALECTIC_WRONG_PHASE', hint: 'The session waits for a thesis from paused agent "p".' },
      message: `Dialectic session "${id}" is in phase thesis, expected phase antithesis to accept this antithesis`,
    });
    await expect(createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'skip ahead' })).rejects.toMatchObject({
      code: 'INVALID_STATE', message: expect.stringContaining('is in phase thesis'),
    });
    await createDialecticService(db.pool).submitThesis({ sessionId: id, agentId: 'p', rootCause: 'x' });
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'p', reasoning: 'self review' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createDialecticService(db.pool).submitThesis({ sessionId: id, agentId: 'p', rootCause: 'again' })).rejects.toMatchObject({
      code: 'INVALID_STATE', message: expect.stringContaining('is in phase antithesis'),
    });

    await expect(createDialecticService(db.pool).submitThesis({ sessionId: 'nope', agentId: 'p', rootCause: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND', details: { reason: 'DIALECTIC_SESSION_NOT_FOUND' }, message: 'No dialectic session with id "nope"',
    });
    await expect(createDialecticService(db.pool).getSession('nope', ADMIN)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'ghost', reasoning: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND', details: { reason: 'AGENT_NOT_FOUND' },
    });
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'r', reasoning: ' ', concerns: {} as unknown as unknown[] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Invalid dialectic message: reasoning is empty, expected the reasoning of the antithesis; concerns is {}, expected an array',
    });
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: id, agentId: 'r', reasoning: 'x'.repeat(20001) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // the generic entry point never lets a caller write a system message
    await expect(core.dialecticSubmitMessage(db.pool, {
      sessionId: id, agentId: 'r', messageType: 'system', rootCause: null, proposedConditions: [], reasoning: 'x',
      observedMetrics: {}, concerns: [], agrees: null,
    })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('message_type is system, expected thesis, antithesis or synthesis') });
    // nothing was written by the rejected calls
    expect((await createDialecticService(db.pool).getSession(id, ADMIN)).messages).toHaveLength(1);
  });

  it('escalates with a system message when the round limit is reached without agreement', async () => {
    const id = await sessionInSynthesis(2);
    await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: false, reasoning: 'no' });
    const escalated = await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: true, reasoning: 'yes' });
    expect(escalated).toMatchObject({ phase: 'escalated', status: 'escalated', synthesisRound: 2, resolution: null, phaseDeadline: null });
    const last = (await createDialecticService(db.pool).getSession(id, ADMIN)).messages.at(-1)!;
    expect(last).toMatchObject({ messageType: 'system', agentId: null, reasoning: 'Synthesis round limit (2) reached without agreement; session escalated.' });
    await expect(createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'late' })).rejects.toMatchObject({
      code: 'INVALID_STATE', details: { reason: 'DIALECTIC_SESSION_CLOSED' }, message: expect.stringContaining('is in phase escalated'),
    });
  });

  it('fails a stalled session past its deadline with a system message; a late submission is refused', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'r' }, { id: 'p2', status: 'paused' }, { id: 'r2' }]);
    const stalled = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p', reviewerAgentId: 'r' });
    const fresh = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p2', reviewerAgentId: 'r2' });
    await createDialecticService(db.pool).submitThesis({ sessionId: stalled.id, agentId: 'p', rootCause: 'x' });
    await db.pool.query(`update core.dialectic_sessions set phase_deadline = now() - interval '1 minute' where id = $1`, [stalled.id]);

    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: stalled.id, agentId: 'r', reasoning: 'late' })).rejects.toMatchObject({
      code: 'INVALID_STATE', details: { reason: 'DIALECTIC_DEADLINE_PASSED' },
    });
    const failed = await createDialecticService(db.pool).failExpiredSessions();
    expect(failed.map((s) => [s.id, s.phase, s.status])).toEqual([[stalled.id, 'failed', 'failed']]);
    const last = (await createDialecticService(db.pool).getSession(stalled.id, ADMIN)).messages.at(-1)!;
    expect(last).toMatchObject({ seq: 2, messageType: 'system', agentId: null, observedMetrics: { event: 'timeout', timed_out_phase: 'antithesis' } });
    expect(last.reasoning).toMatch(/^Phase antithesis timed out at \S+Z waiting for an antithesis from reviewer "r"; session failed\.$/);
    expect((await createDialecticService(db.pool).getSession(fresh.id, ADMIN)).status).toBe('active');
    expect(await createDialecticService(db.pool).failExpiredSessions()).toEqual([]);
    await expect(createDialecticService(db.pool).submitAntithesis({ sessionId: stalled.id, agentId: 'r', reasoning: 'late' })).rejects.toMatchObject({
      code: 'INVALID_STATE', message: expect.stringContaining('is in phase failed'),
    });
    // p may ask again, and the reviewer of the failed session counts as having reviewed p
    await agents([{ id: 'r3' }]);
    expect((await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' })).reviewerAgentId).toBe('r3');
  });

  it('a review request sweeps expired sessions first, freeing their participants', async () => {
    await agents([{ id: 'p', status: 'paused' }, { id: 'r' }]);
    const old = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' });
    await db.pool.query(`update core.dialectic_sessions set phase_deadline = now() - interval '1 second' where id = $1`, [old.id]);
    await agents([{ id: 'r_new' }]);
    const again = await createDialecticService(db.pool).requestReview({ admin: true, pausedAgentId: 'p' });
    expect(again.reviewerAgentId).toBe('r_new');
    expect((await createDialecticService(db.pool).getSession(old.id, ADMIN)).status).toBe('failed');
  });

  describe('concurrency', () => {
    it('two simultaneous agreeing syntheses: one is round 1, the other resolves round 2', async () => {
      const id = await sessionInSynthesis();
      const results = await Promise.all([
        createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'p agrees' }),
        createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: true, reasoning: 'r agrees' }),
      ]);
      expect(results.map((s) => `${s.synthesisRound}:${s.status}`).sort()).toEqual(['1:active', '2:resolved']);
      const full = await createDialecticService(db.pool).getSession(id, ADMIN);
      expect(full.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    });

    it('a synthesis that waits on the row lock sees the resolution and is refused: the session resolves once', async () => {
      const id = await sessionInSynthesis();
      await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'p agrees' });
      await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'r', agrees: false, reasoning: 'r hesitates' });
      await createDialecticService(db.pool).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'p still agrees' });

      const first: PoolClient = await db.pool.connect();
      const second: PoolClient = await db.pool.connect();
      try {
        await first.query('begin');
        const resolving = await createDialecticService(first).submitSynthesis({ sessionId: id, agentId: 'r', agrees: true, reasoning: 'r agrees' });
        expect(resolving.status).toBe('resolved');
        const pid = (await second.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        let settled = false;
        const racing = createDialecticService(second).submitSynthesis({ sessionId: id, agentId: 'p', agrees: true, reasoning: 'p agrees again' })
          .catch((e) => e)
          .finally(() => { settled = true; });
        // wait until the second connection is blocked on the session row lock
        while (!settled) {
          const waiting = await db.pool.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pid]);
          if (waiting.rows[0]?.wait_event_type === 'Lock') break;
          await new Promise((r) => setTimeout(r, 5));
        }
        expect(settled).toBe(false);
        await first.query('commit');
        expect(await racing).toMatchObject({ code: 'INVALID_STATE', details: { reason: 'DIALECTIC_SESSION_CLOSED' } });
      } finally {
        first.release();
        second.release();
      }
      const full = await createDialecticService(db.pool).getSession(id, ADMIN);
      expect(full).toMatchObject({ status: 'resolved', phase: 'resolved', synthesisRound: 4, resolution: { message_seq_a: 5, message_seq_b: 6 } });
      expect(full.messages).toHaveLength(6);
    });
  });

  it('lists sessions with filters and keyset pages', async () => {
    await agents([{ id: 'r' }, ...['p1', 'p2', 'p3'].map((id) => ({ id, status: 'paused' as const }))]);
    // three sessions created in the same millisecond, so the cursor must carry microseconds and id
    await db.pool.query(
      `insert into core.dialectic_sessions (id, paused_agent_id, reviewer_agent_id, session_type, created_at)
       values ('s1', 'p1', 'r', 'review', '2026-01-01T00:00:00.000100Z'), ('s2', 'p2', 'r', 'recovery', '2026-01-01T00:00:00.000300Z'),
              ('s3', 'p3', 'r', 'recovery', '2026-01-01T00:00:00.000200Z')`);
    const page1 = await createDialecticService(db.pool).listSessions({ agentId: 'r', limit: 2 });
    expect(page1.sessions.map((s) => s.id)).toEqual(['s2', 's3']);
    const page2 = await createDialecticService(db.pool).listSessions({ agentId: 'r', limit: 2, cursor: page1.nextCursor! });
    expect(page2.sessions.map((s) => s.id)).toEqual(['s1']);
    expect(page2.nextCursor).toBeNull();
    expect((await createDialecticService(db.pool).listSessions({ sessionType: 'review' })).sessions.map((s) => s.id)).toEqual(['s1']);
    expect((await createDialecticService(db.pool).listSessions({ agentId: 'p3' })).sessions.map((s) => s.id)).toEqual(['s3']);
    await expect(createDialecticService(db.pool).listSessions({ limit: 1001 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(createDialecticService(db.pool).listSessions({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'INVALID_CURSOR' } });
  });
});
