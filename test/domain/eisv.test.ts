import fc from 'fast-check';
import { PoolClient } from 'pg';
import { createPool } from '../../src/db/pool';
import { createAgentService } from '../../src/domain/agents';
import { createEisvService, EisvService } from '../../src/domain/eisv';
import { GovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * The model written out independently of the SQL (constants typed here from the issue and
 * docs/eisv.md, not read from core.eisv_params()), so a changed constant or formula fails.
 */
const P = {
  dt: 0.1, alpha: 0.42, betaE: 0.1, gammaE: 0.05, k: 0.1, betaI: 0.3, gammaI: 0.25, mu: 0.8,
  lambda1: 0.3, lambda2: 0.05, betaCx: 0.15, kappa: 0.3, delta: 0.4, cMax: 1, c1: 1,
};
const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const C = (v: number) => P.cMax * 0.5 * (1 + Math.tanh(P.c1 * v));

interface S4 { E: number; I: number; S: number; V: number }
function stepByHand(s: S4, complexity: number, drift: number) {
  const d2 = drift * drift;
  const c = C(s.V);
  const dE = P.alpha * (s.I - s.E) - P.betaE * s.E * s.S + P.gammaE * d2;
  const dI = P.betaI * c - P.k * s.S - P.gammaI * s.I;
  const dS = -P.mu * s.S + P.lambda1 * d2 - P.lambda2 * c + P.betaCx * complexity;
  const dV = P.kappa * (s.E - s.I) - P.delta * s.V;
  const n = {
    E: clip(s.E + P.dt * dE, 0, 1),
    I: clip(s.I + P.dt * dI, 0, 1),
    S: clip(s.S + P.dt * dS, 0.001, 2),
    V: clip(s.V + P.dt * dV, -2, 2),
  };
  const coherence = C(n.V);
  const risk = clip(0.4 * (1 - coherence) + 0.3 * n.S / 2 + 0.15 * Math.abs(n.V) / 2 + 0.15 * d2, 0, 1);
  const phi = 0.5 * n.E - 0.5 * (1 - n.I) - 0.5 * n.S - 0.5 * Math.abs(n.V) - 0.5 * d2;
  return { ...n, coherence, risk, phi };
}

const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 12);

let db: TestDatabase;
let eisv: EisvService;
const agents = () => createAgentService(db.pool);

beforeAll(async () => {
  db = await createMigratedDatabase();
  eisv = createEisvService(db.pool);
});
afterAll(async () => db.drop());

async function step(s: S4, complexity: number, drift = 0) {
  const { rows } = await db.pool.query(
    'select * from core.eisv_step($1::float8, $2::float8, $3::float8, $4::float8, $5::float8, $6::float8)',
    [s.E, s.I, s.S, s.V, complexity, drift]);
  return rows[0];
}

function expectCode(err: unknown, code: string, message?: RegExp) {
  expect(err).toBeInstanceOf(GovdbError);
  expect((err as GovdbError).code).toBe(code);
  if (message) expect((err as GovdbError).message).toMatch(message);
}

describe('core.eisv_step (pure)', () => {
  it('first step from the initial state matches the hand computation', async () => {
    // dE = .42(.8-.7) - .1·.7·.2 = .028; dI = .3·.5 - .1·.2 - .25·.8 = -.07
    // dS = -.8·.2 - .05·.5 + .15·.5 = -.11; dV = .3(.7-.8) = -.03
    const r = await step({ E: 0.7, I: 0.8, S: 0.2, V: 0 }, 0.5, 0);
    close(r.energy, 0.7028);
    close(r.information, 0.793);
    close(r.entropy, 0.189);
    close(r.void, -0.003);
    close(r.coherence, 0.5 * (1 + Math.tanh(-0.003)));
    close(r.phi, 0.5 * 0.7028 - 0.5 * 0.207 - 0.5 * 0.189 - 0.5 * 0.003); // 0.1519
    close(r.risk, 0.4 * (1 - 0.5 * (1 + Math.tanh(-0.003))) + 0.3 * 0.189 / 2 + 0.15 * 0.003 / 2);
    expect(r).toMatchObject({ regime: 'CONVERGENCE', verdict: 'safe', health_status: 'healthy', decision: 'proceed' });
  });

  it('a second step with drift matches the formulas', async () => {
    const s1 = stepByHand({ E: 0.7, I: 0.8, S: 0.2, V: 0 }, 0.5, 0);
    const expected = stepByHand(s1, 0.9, 0.4);
    const r = await step(s1, 0.9, 0.4);
    for (const [col, key] of [['energy', 'E'], ['information', 'I'], ['entropy', 'S'], ['void', 'V']] as const) close(r[col], expected[key]);
    close(r.coherence, expected.coherence);
    close(r.risk, expected.risk);
    close(r.phi, expected.phi);
    // phi = .35 - .1 - .09 - .003 - .5·.16 ≈ .07: caution; risk ≈ .25: healthy
    expect(r).toMatchObject({ verdict: 'caution', health_status: 'healthy', decision: 'proceed' });
  });

  it('clips E at 1 and S at its floor 0.001', async () => {
    // ‖Δη‖ = .2: dE = 0 - .1·1·.001 + .05·.04 = .0019 → E 1.00019 → 1
    // dS = -.0008 + .3·.04 - .05·C(2) = -.0379 → S .001 - .00379 → .001
    const r = await step({ E: 1, I: 1, S: 0.001, V: 2 }, 0, 0.2);
    expect(r.energy).toBe(1);
    expect(r.entropy).toBe(0.001);
    const expected = stepByHand({ E: 1, I: 1, S: 0.001, V: 2 }, 0, 0.2);
    close(r.information, expected.I);
    close(r.void, expected.V);
  });

  it('clips I at 0 from the worst corner and rates it critical', async () => {
    // dI = .3·C(-2) - .1·2 - 0 = -.1946 → I -.019 → 0; dE = -.42 - .2 + .05 = -.57 → .943
    // dS = -1.6 + .3 - .05·C(-2) + .15 → S 1.88491; dV = .3 + .8 = 1.1 → V -1.89
    const r = await step({ E: 1, I: 0, S: 2, V: -2 }, 1, 1);
    expect(r.information).toBe(0);
    close(r.energy, 0.943);
    close(r.entropy, 2 + 0.1 * (-1.6 + 0.3 - 0.05 * C(-2) + 0.15));
    close(r.void, -1.89);
    expect(r).toMatchObject({ verdict: 'high-risk', health_status: 'critical', decision: 'pause' });
  });

  it('calls a step below regime_epsilon everywhere STABLE and S rising while I falls DIVERGENCE', async () => {
    // near the fixed point of complexity .5 / no drift, every |Δ| is tiny
    let s: S4 = { E: 0.7, I: 0.8, S: 0.2, V: 0 };
    for (let i = 0; i < 200; i++) s = stepByHand(s, 0.5, 0);
    expect((await step(s, 0.5, 0)).regime).toBe('STABLE');
    expect((await step({ E: 0.7, I: 0.8, S: 0.05, V: 0 }, 1, 0.8)).regime).toBe('DIVERGENCE');
  });

  it('decision: health gives the base, a high-risk verdict escalates one level', async () => {
    const assess = async (E: number, I: number, S: number, V: number, drift = 0) =>
      (await db.pool.query('select * from core.eisv_assess($1, $2, $3, $4, $5)', [E, I, S, V, drift])).rows[0];
    expect(await assess(0.9, 0.9, 0.1, 0)).toMatchObject({ verdict: 'safe', health_status: 'healthy', decision: 'proceed' });
    expect(await assess(0.5, 0.5, 0.3, 0)).toMatchObject({ verdict: 'high-risk', health_status: 'healthy', decision: 'guide' });
    expect(await assess(1, 1, 0.4, -0.5)).toMatchObject({ verdict: 'caution', health_status: 'moderate', decision: 'guide' });
    expect(await assess(0.9, 0.9, 1.2, 0)).toMatchObject({ verdict: 'high-risk', health_status: 'moderate', decision: 'pause' });
    expect(await assess(0.9, 1, 0, 0, 0.1)).toMatchObject({ verdict: 'safe' });
    expect(await assess(0.5, 0.5, 2, -2)).toMatchObject({ health_status: 'critical', decision: 'pause' });
  });

  it('derives ‖Δη‖ as the RMS deviation from the running baseline, or of a reported vector', async () => {
    const drift = async (baseline: unknown, conf: number, cx: number, len: number, reported: number[] | null = null) =>
      (await db.pool.query('select * from core.eisv_drift($1::jsonb, $2, $3, $4, $5::float8[])', [baseline && JSON.stringify(baseline), conf, cx, len, reported])).rows[0];
    const first = await drift(null, 0.8, 0.5, 2000);
    expect(first.drift_norm).toBe(0);
    expect(first.baseline).toEqual({ confidence: 0.8, complexity: 0.5, length_signal: 0.5, reports: 1 });
    const second = await drift(first.baseline, 0.2, 0.5, 6000); // length signal 6000/8000 = .75
    close(second.drift_norm, Math.sqrt((0.6 ** 2 + 0 + 0.25 ** 2) / 3));
    close(second.baseline.confidence, 0.8 + 0.2 * (0.2 - 0.8));
    expect(second.drift_source).toBe('baseline');
    const reported = await drift(first.baseline, 0.8, 0.5, 2000, [0.3, -0.4]);
    close(reported.drift_norm, Math.sqrt((0.09 + 0.16) / 2));
    expect(reported.drift_source).toBe('reported');
  });
});

describe('core.process_agent_update', () => {
  it('appends one state row per report, matching two hand-computed steps', async () => {
    const { agentId } = await agents().onboard({ label: 'eisv-two-steps' });
    expect(await eisv.current(agentId)).toMatchObject({ seq: 0, regime: 'INITIAL', healthStatus: 'unknown', decision: null, energy: 0.7 });

    const u1 = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.8, responseLength: 2000, taskType: ' Code_Review ' });
    const s1 = stepByHand({ E: 0.7, I: 0.8, S: 0.2, V: 0 }, 0.5, 0);
    expect(u1).toMatchObject({ seq: 1, updateCount: 1, agentStatus: 'active', decision: 'proceed', driftNorm: 0 });
    close(u1.energy, s1.E); close(u1.information, s1.I); close(u1.entropy, s1.S); close(u1.void, s1.V); close(u1.risk, s1.risk);

    const u2 = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.2, responseText: 'x'.repeat(6000) });
    const drift2 = Math.sqrt((0.6 ** 2 + 0.25 ** 2) / 3);
    const s2 = stepByHand(s1, 0.5, drift2);
    expect(u2).toMatchObject({ seq: 2, updateCount: 2 });
    close(u2.driftNorm, drift2);
    close(u2.energy, s2.E); close(u2.information, s2.I); close(u2.entropy, s2.S); close(u2.void, s2.V);
    close(u2.phi, s2.phi); close(u2.risk, s2.risk);

    const { rows } = await db.pool.query('select seq, energy, state from core.agent_state where agent_id = $1 order by seq', [agentId]);
    expect(rows.map((r) => r.seq)).toEqual(['1', '2']);
    expect(rows[0].state.inputs).toEqual({ complexity: 0.5, confidence: 0.8, response_length: 2000, task_type: 'code_review', ethical_drift: null });
    expect(rows[1].state.inputs.response_length).toBe(6000);
    expect(rows[1].state.previous).toMatchObject({ seq: 1, E: s1.E });
    close(rows[1].state.drift.norm, drift2);
    expect(JSON.stringify(rows[1].state)).not.toContain('xxxx'); // the text itself is not stored

    const agent = await agents().get(agentId);
    expect(agent.updateCount).toBe(2);
    expect(agent.lastActivityAt).toEqual(u2.recordedAt);
    expect((await eisv.current(agentId)).seq).toBe(2);
    expect((await eisv.history(agentId, { limit: 1 })).map((r) => r.seq)).toEqual([2]);
    expect((await eisv.history(agentId, { beforeSeq: 2 })).map((r) => r.seq)).toEqual([1]);
  });

  it('rejects out-of-range and oversized input with every problem named, and writes nothing', async () => {
    const { agentId } = await agents().onboard();
    let err = await eisv.processUpdate({ agentId, complexity: 1.5, confidence: -0.1, responseLength: 10, ethicalDrift: [0.5, 2] }).catch((e) => e);
    expectCode(err, 'INVALID_INPUT', /complexity must be a number in \[0, 1\], got 1\.5; confidence must be a number in \[0, 1\], got -0\.1; ethical_drift components must be numbers in \[-1, 1\], got \[2\] = 2/);
    err = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.5, responseText: 'y'.repeat(200_001) }).catch((e) => e);
    expectCode(err, 'INVALID_INPUT', /response_text is 200001 characters, more than the limit of 200000/);
    err = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.5, responseLength: 3, responseText: 'ab' }).catch((e) => e);
    expectCode(err, 'INVALID_INPUT', /response_length 3 does not match the 2 characters/);
    err = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.5 }).catch((e) => e);
    expectCode(err, 'INVALID_INPUT', /response_length \(or response_text\) is required/);
    err = await eisv.processUpdate({ agentId, complexity: Number.NaN, confidence: 0.5, responseLength: 1, taskType: 'no spaces' }).catch((e) => e);
    expectCode(err, 'INVALID_INPUT', /complexity must be a number in \[0, 1\], got NaN; task_type must be/);
    expect((await db.pool.query('select count(*)::int as n from core.agent_state where agent_id = $1', [agentId])).rows[0].n).toBe(0);
    expect((await agents().get(agentId)).updateCount).toBe(0);
  });

  it('rejects unknown agents (NOT_FOUND) and paused or deleted ones (AGENT_PAUSED, AGENT_DELETED)', async () => {
    expectCode(await eisv.processUpdate({ agentId: 'no-such-agent', complexity: 0.5, confidence: 0.5, responseLength: 1 }).catch((e) => e),
      'NOT_FOUND', /No agent with id "no-such-agent"/);
    const { agentId } = await agents().onboard();
    await agents().pause(agentId);
    const err = await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.5, responseLength: 1 }).catch((e) => e);
    expectCode(err, 'AGENT_PAUSED', /is paused and cannot write/);
    expect(err.hint).toMatch(/dialectic/);
    await agents().softDelete(agentId);
    expectCode(await eisv.processUpdate({ agentId, complexity: 0.5, confidence: 0.5, responseLength: 1 }).catch((e) => e), 'AGENT_DELETED', /is deleted/);
    expectCode(await eisv.current('no-such-agent').catch((e) => e), 'NOT_FOUND');
    expectCode(await eisv.history('no-such-agent').catch((e) => e), 'NOT_FOUND');
  });

  it('with applyPause, a pause decision pauses the agent in the same call', async () => {
    const { agentId } = await agents().onboard();
    // ‖Δη‖ = 1: phi < 0 (high-risk) and risk ≥ .35 (moderate) → pause
    const u = await eisv.processUpdate({ agentId, complexity: 1, confidence: 0.5, responseLength: 10, ethicalDrift: [1, -1, 1], applyPause: true });
    expect(u).toMatchObject({ decision: 'pause', verdict: 'high-risk', healthStatus: 'moderate', agentStatus: 'paused' });
    expect((await agents().get(agentId)).status).toBe('paused');
    const { rows } = await db.pool.query(`select event, actor, reason from core.agent_lifecycle_events where agent_id = $1 and event = 'paused'`, [agentId]);
    expect(rows).toEqual([{ event: 'paused', actor: 'governance', reason: expect.stringMatching(/^governance decision pause at seq 1/) }]);
  });

  it('calls the invalidate hook after a recorded update', async () => {
    const seen: string[] = [];
    const { agentId } = await agents().onboard();
    await createEisvService(db.pool, { invalidate: (id) => void seen.push(id) }).processUpdate({ agentId, complexity: 0.1, confidence: 0.9, responseLength: 5 });
    expect(seen).toEqual([agentId]);
  });

  it('serializes 20 concurrent updates of one agent on 20 connections: seq 1..20, no lost step', async () => {
    const { agentId } = await agents().onboard({ label: 'eisv-concurrent' });
    const pool = createPool(db.url, { max: 20 });
    const clients: PoolClient[] = [];
    try {
      for (let i = 0; i < 20; i++) clients.push(await pool.connect());
      const pids = await Promise.all(clients.map(async (c) => (await c.query('select pg_backend_pid() as pid')).rows[0].pid));
      expect(new Set(pids).size).toBe(20);
      const results = await Promise.all(clients.map((c, i) =>
        createEisvService(c).processUpdate({ agentId, complexity: (i % 5) / 5, confidence: 0.5 + (i % 3) / 10, responseLength: 100 * (i + 1) })));
      expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      clients.forEach((c) => c.release());
      await pool.end();
    }
    const { rows } = await db.pool.query(
      'select seq::int, energy, information, entropy, void, state from core.agent_state where agent_id = $1 order by seq', [agentId]);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // every step started from the row before it
    let prev: S4 = { E: 0.7, I: 0.8, S: 0.2, V: 0 };
    for (const r of rows) {
      expect(r.state.previous.seq).toBe(r.seq - 1);
      const expected = stepByHand(prev, r.state.inputs.complexity, r.state.drift.norm);
      close(r.energy, expected.E); close(r.information, expected.I); close(r.entropy, expected.S); close(r.void, expected.V);
      prev = { E: r.energy, I: r.information, S: r.entropy, V: r.void };
    }
    expect((await agents().get(agentId)).updateCount).toBe(20);
  });
});

describe('the step over its whole domain (property)', () => {
  // on a 1e-6 grid: PostgreSQL raises "underflow" for float8 products below ~1e-308 (subnormals), a
  // limit of the model's arithmetic that no reachable state is near (reported as a follow-up)
  const grid = (min: number, max: number) => fc.integer({ min: Math.round(min * 1e6), max: Math.round(max * 1e6) }).map((n) => n / 1e6);
  const unit = grid(0, 1);
  it('core.eisv_step equals the hand-written model for any state, complexity and drift', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ E: unit, I: unit, S: grid(0.001, 2), V: grid(-2, 2) }), unit, unit,
      async (s, complexity, drift) => {
        const r = await step(s, complexity, drift);
        const h = stepByHand(s, complexity, drift);
        close(r.energy, h.E); close(r.information, h.I); close(r.entropy, h.S); close(r.void, h.V);
        close(r.coherence, h.coherence); close(r.risk, h.risk); close(r.phi, h.phi);
      }), { numRuns: 150 });
  });

  it('process_agent_update stores exactly what the pure step gives for the previous row and its drift', async () => {
    const { agentId } = await agents().onboard({ label: 'eisv-property-chain' });
    await fc.assert(fc.asyncProperty(unit, unit, fc.integer({ min: 0, max: 200_000 }), fc.option(fc.array(grid(-1, 1), { minLength: 1, maxLength: 16 }), { nil: undefined }),
      async (complexity, confidence, responseLength, ethicalDrift) => {
        const before = await eisv.current(agentId);
        const u = await eisv.processUpdate({ agentId, complexity, confidence, responseLength, ethicalDrift });
        const pure = await step({ E: before.energy, I: before.information, S: before.entropy, V: before.void }, complexity, u.driftNorm);
        // bit-identical: the same SQL expressions evaluate the stored step and the pure one
        expect([u.energy, u.information, u.entropy, u.void, u.coherence, u.risk, u.phi, u.regime, u.verdict, u.healthStatus, u.decision])
          .toEqual([pure.energy, pure.information, pure.entropy, pure.void, pure.coherence, pure.risk, pure.phi, pure.regime, pure.verdict, pure.health_status, pure.decision]);
        if (ethicalDrift) close(u.driftNorm, Math.sqrt(ethicalDrift.reduce((a, x) => a + x * x, 0) / ethicalDrift.length));
      }), { numRuns: 60 });
  });
});
