import { createPool, withTransaction } from '../../src/db/pool';
import { createCalibrationService, toLegacyCalibrationState } from '../../src/domain/calibration';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
const ADMIN = { agentId: null, isAdmin: true };

describe('calibration and ground truth', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.pool.query('truncate core.calibration, core.ground_truth, core.agents cascade');
    await db.pool.query(`insert into core.agents (id) values ('agent_a')`);
  });

  it('reads version 0 with ten empty bins before any outcome', async () => {
    const c = await createCalibrationService(db.pool).readCalibration();
    expect(c).toMatchObject({ version: 0, totalCount: 0, accuracy: null, expectedCalibrationError: null });
    expect(c.bins.map((b) => [b.binLower, b.binUpper, b.count])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i / 10, (i + 1) / 10, 0]));
  });

  it('reads summary and bins from one snapshot: inside a repeatable-read transaction, outcomes committed meanwhile stay out', async () => {
    const outside = createCalibrationService(db.pool);
    await withTransaction(db.pool, async (tx) => {
      const inside = createCalibrationService(tx);
      expect(await inside.readCalibration()).toMatchObject({ version: 0, totalCount: 0 });
      await outside.recordPrediction({ decisionId: 'snap-1', confidence: 0.55, agentId: 'agent_a' });
      await outside.recordOutcome('snap-1', true, ADMIN);
      const again = await inside.readCalibration();
      expect(again).toMatchObject({ version: 0, totalCount: 0 });
      expect(again.bins.every((b) => b.count === 0)).toBe(true);
    }, { isolation: 'repeatable read', readOnly: true });
    expect((await outside.readCalibration()).bins[5]).toMatchObject({ count: 1 });
    // a read-committed transaction cannot give both reads one snapshot: refused, not silently weaker
    await expect(withTransaction(db.pool, (tx) => createCalibrationService(tx).readCalibration()))
      .rejects.toMatchObject({ code: 'INTERNAL', message: 'A nested transaction asks for repeatable read but the enclosing transaction runs at read committed.' });
  });

  it('records a prediction once: same content is a no-op, different content a conflict', async () => {
    const first = await createCalibrationService(db.pool).recordPrediction({ decisionId: 'd1', confidence: 0.8, agentId: 'agent_a', decision: 'proceed', details: { k: 1 } });
    expect(first).toMatchObject({ decisionId: 'd1', confidence: 0.8, predictedCorrect: true, actualCorrect: null, outcomeAt: null });
    const again = await createCalibrationService(db.pool).recordPrediction({ decisionId: 'd1', confidence: 0.8, agentId: 'agent_a', decision: 'proceed', details: { k: 1 } });
    expect(again.recordedAt).toEqual(first.recordedAt);
    await expect(createCalibrationService(db.pool).recordPrediction({ decisionId: 'd1', confidence: 0.7, agentId: 'agent_a', decision: 'guide', details: { k: 1 } })).rejects.toMatchObject({
      code: 'CONFLICT', details: { reason: 'PREDICTION_CONFLICT' },
      message: 'Decision "d1" was already recorded with different content (stored vs given: decision proceed vs guide; confidence 0.8 vs 0.7)',
    });
    await expect(createCalibrationService(db.pool).recordPrediction({ decisionId: 'd2', confidence: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_INPUT', message: 'Invalid prediction: confidence is 1.5, expected a number from 0 to 1',
    });
    await expect(createCalibrationService(db.pool).recordPrediction({ decisionId: ' ', confidence: Number.NaN })).rejects.toMatchObject({
      code: 'INVALID_INPUT', message: expect.stringMatching(/decision_id is " ".*; confidence is NaN/),
    });
    await expect(createCalibrationService(db.pool).recordPrediction({ decisionId: 'd3', confidence: 0.5, agentId: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records an outcome once per decision and counts it in the bins once', async () => {
    await createCalibrationService(db.pool).recordPrediction({ decisionId: 'd1', confidence: 0.95 });
    await expect(createCalibrationService(db.pool).recordOutcome('missing', true, ADMIN)).rejects.toMatchObject({ code: 'NOT_FOUND', details: { reason: 'DECISION_NOT_FOUND' } });
    await expect(createCalibrationService(db.pool).recordOutcome('d1', 2, ADMIN)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const first = await createCalibrationService(db.pool).recordOutcome('d1', true, ADMIN);
    expect(first).toMatchObject({ actualCorrect: 1 });
    const again = await createCalibrationService(db.pool).recordOutcome('d1', 1, ADMIN);
    expect(again.outcomeAt).toEqual(first.outcomeAt);
    await expect(createCalibrationService(db.pool).recordOutcome('d1', false, ADMIN)).rejects.toMatchObject({
      code: 'CONFLICT', details: { reason: 'OUTCOME_CONFLICT' }, message: expect.stringMatching(/^Decision "d1" already has outcome 1 \(recorded .+\), got 0$/),
    });
    const c = await createCalibrationService(db.pool).readCalibration();
    expect(c.version).toBe(1);
    expect(c.bins[9]).toMatchObject({ count: 1, actualCorrect: 1, confidenceSum: 0.95 });
    expect(c.totalCount).toBe(1);
  });

  /** confidence, predicted correct?, outcome — bins worked out by hand below */
  const sample: Array<[string, number, boolean, number]> = [
    ['a', 0.95, true, 1], ['b', 0.92, true, 0], ['c', 1.0, true, 1], // bin 0.9: n 3, A 2, C 2.87
    ['d', 0.85, true, 1], ['e', 0.81, false, 0], // bin 0.8: n 2, predicted 1, A 1, C 1.66
    ['f', 0.3, true, 0.5], // bin 0.3 (0.3 lands in [0.3, 0.4)): n 1, A 0.5, C 0.3
    ['g', 0.0, true, 0], // bin 0.0: n 1, A 0, C 0
    ['h', 0.1, true, 1], // bin 0.1: n 1, A 1, C 0.1
  ];
  const recordSample = async () => {
    for (const [id, confidence, predictedCorrect] of sample) await createCalibrationService(db.pool).recordPrediction({ decisionId: id, confidence, predictedCorrect });
    await Promise.all(sample.map(([id, , , outcome]) => createCalibrationService(db.pool).recordOutcome(id, outcome, ADMIN)));
  };

  it('fills the bins to hand-computed numbers with accuracy and expected calibration error', async () => {
    await recordSample();
    await createCalibrationService(db.pool).recordPrediction({ decisionId: 'pending', confidence: 0.5 }); // no outcome: not counted
    const c = await createCalibrationService(db.pool).readCalibration();
    const byLower = Object.fromEntries(c.bins.map((b) => [b.binLower, b]));
    expect(byLower[0.9]).toMatchObject({ count: 3, predictedCorrect: 3, actualCorrect: 2 });
    expect(byLower[0.9]!.confidenceSum).toBeCloseTo(2.87, 12);
    expect(byLower[0.9]!.accuracy).toBeCloseTo(2 / 3, 12);
    expect(byLower[0.9]!.gap).toBeCloseTo(2 / 3 - 2.87 / 3, 12);
    expect(byLower[0.8]).toMatchObject({ count: 2, predictedCorrect: 1, actualCorrect: 1, accuracy: 0.5 });
    expect(byLower[0.8]!.meanConfidence).toBeCloseTo(0.83, 12);
    expect(byLower[0.3]).toMatchObject({ count: 1, actualCorrect: 0.5, confidenceSum: 0.3, accuracy: 0.5 });
    expect(byLower[0]).toMatchObject({ count: 1, actualCorrect: 0, confidenceSum: 0, gap: 0 });
    expect(byLower[0.1]).toMatchObject({ count: 1, actualCorrect: 1, confidenceSum: 0.1 });
    expect(byLower[0.5]).toMatchObject({ count: 0, accuracy: null, meanConfidence: null, gap: null });
    expect(c.totalCount).toBe(8);
    expect(c.accuracy).toBeCloseTo(4.5 / 8, 12);
    expect(c.meanConfidence).toBeCloseTo(4.93 / 8, 12);
    // ECE = sum |A_b - C_b| / N = (0.87 + 0.66 + 0.2 + 0 + 0.9) / 8
    expect(c.expectedCalibrationError).toBeCloseTo(2.63 / 8, 12);
    expect(c.maxCalibrationError).toBeCloseTo(0.9, 12);

    expect(toLegacyCalibrationState(c)).toEqual({
      bins: {
        '0.9-1.0': { count: 3, predicted_correct: 3, actual_correct: 2, confidence_sum: expect.closeTo(2.87, 12) },
        '0.8-0.9': { count: 2, predicted_correct: 1, actual_correct: 1, confidence_sum: expect.closeTo(1.66, 12) },
        '0.3-0.4': { count: 1, predicted_correct: 1, actual_correct: 0.5, confidence_sum: 0.3 },
        '0.1-0.2': { count: 1, predicted_correct: 1, actual_correct: 1, confidence_sum: 0.1 },
        '0.0-0.1': { count: 1, predicted_correct: 1, actual_correct: 0, confidence_sum: 0 },
      },
    });
    expect(Object.keys(toLegacyCalibrationState(c).bins)[0]).toBe('0.9-1.0');
  });

  it('never loses a count when many outcomes land in one bin at once', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `par_${i}`);
    for (const id of ids) await createCalibrationService(db.pool).recordPrediction({ decisionId: id, confidence: 0.75 });
    await Promise.all(ids.map((id, i) => createCalibrationService(db.pool).recordOutcome(id, i % 2 === 0, ADMIN)));
    const bin = (await createCalibrationService(db.pool).readCalibration()).bins[7]!;
    expect(bin).toMatchObject({ count: 20, actualCorrect: 10 });
    expect(bin.confidenceSum).toBeCloseTo(15, 12);
  });

  it('recompute writes a new version from ground truth; since=now starts empty bins; old versions stay readable', async () => {
    await recordSample();
    const current = await createCalibrationService(db.pool).readCalibration();
    expect(await createCalibrationService(db.pool).recomputeCalibration()).toBe(2);
    const recomputed = await createCalibrationService(db.pool).readCalibration();
    expect(recomputed.version).toBe(2);
    expect(recomputed.bins.map((b) => [b.count, b.predictedCorrect, b.actualCorrect])).toEqual(current.bins.map((b) => [b.count, b.predictedCorrect, b.actualCorrect]));
    expect(recomputed.expectedCalibrationError).toBeCloseTo(current.expectedCalibrationError!, 12);

    const now = (await db.pool.query<{ now: Date }>('select now() as now')).rows[0]!.now;
    expect(await createCalibrationService(db.pool).recomputeCalibration(new Date(now.getTime() + 1))).toBe(3);
    expect(await createCalibrationService(db.pool).readCalibration()).toMatchObject({ version: 3, totalCount: 0 });
    // new outcomes go to the current version only
    await createCalibrationService(db.pool).recordPrediction({ decisionId: 'late', confidence: 0.55 });
    await createCalibrationService(db.pool).recordOutcome('late', 1, ADMIN);
    expect((await createCalibrationService(db.pool).readCalibration()).bins[5]).toMatchObject({ count: 1 });
    expect((await createCalibrationService(db.pool).readCalibration(2)).bins[5]).toMatchObject({ count: 0 });
    expect((await createCalibrationService(db.pool).readCalibration(1)).totalCount).toBe(8);
    await expect(createCalibrationService(db.pool).readCalibration(9)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No calibration version 9 (latest is 3)' });

    // state is in PostgreSQL: a new pool (a restarted server) reads the same
    const other = createPool(db.url, { max: 1 });
    try {
      expect((await createCalibrationService(other).readCalibration()).bins[5]).toMatchObject({ count: 1, actualCorrect: 1 });
    } finally {
      await other.end();
    }
  });
});
