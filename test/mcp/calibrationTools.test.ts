import { ADMIN_TOKEN, McpClient, McpHarness, startMcpHarness } from '../helpers/mcp';

type Result = { isError: boolean; data: Record<string, unknown> };

describe('MCP tools: calibration', () => {
  let h: McpHarness;
  beforeAll(async () => {
    h = await startMcpHarness({}, { tool_call: [{ limit: 1000, periodMs: 60_000 }] });
  });
  afterAll(async () => h.close());

  let n = 0;
  const agent = async (): Promise<{ c: McpClient; id: string }> => {
    const c = await h.connect();
    const r = await c.call('onboard', { label: `calibration-${++n}` });
    return { c, id: r.data.agent_id as string };
  };
  const error = (r: Result) => r.data.error as { code: string; reason?: string } | undefined;
  const ok = (r: Result) => {
    expect(error(r)).toBeUndefined();
    expect(r.isError).toBe(false);
    return r.data;
  };
  const invalid = async (c: McpClient, name: string, args: Record<string, unknown>) => {
    const r = await c.client.callTool({ name, arguments: args });
    expect(r.isError).toBe(true);
    return JSON.stringify(r.content);
  };
  type Bin = { bin_lower: number; count: number; actual_correct: number; confidence_sum: number; accuracy: number | null };

  it('records predictions and outcomes and reads calibration per bin', async () => {
    const a = await agent();
    const empty = ok(await a.c.call('get_calibration'));
    expect(empty).toMatchObject({ version: 0, total_count: 0, expected_calibration_error: null });
    expect(empty.bins).toHaveLength(10);

    const prediction = ok(await a.c.call('record_prediction', { decision_id: 'd-1', confidence: 0.85, decision: 'proceed', details: { seq: 1 } }));
    expect(prediction).toMatchObject({ decision_id: 'd-1', agent_id: a.id, confidence: 0.85, decision: 'proceed', predicted_correct: true, actual_correct: null, outcome_at: null, details: { seq: 1 } });
    // idempotent for the same content
    expect(ok(await a.c.call('record_prediction', { decision_id: 'd-1', confidence: 0.85, decision: 'proceed', details: { seq: 1 } }))).toMatchObject({ decision_id: 'd-1' });
    ok(await a.c.call('record_prediction', { decision_id: 'd-2', confidence: 0.8, predicted_correct: true }));
    ok(await a.c.call('record_prediction', { decision_id: 'd-3', confidence: 0.3 }));

    expect(ok(await a.c.call('record_outcome', { decision_id: 'd-1', actual_correct: true }))).toMatchObject({ decision_id: 'd-1', actual_correct: 1 });
    ok(await a.c.call('record_outcome', { decision_id: 'd-2', actual_correct: false }));
    ok(await a.c.call('record_outcome', { decision_id: 'd-3', actual_correct: 0.5 }));
    // the same outcome again is a no-op
    expect(ok(await a.c.call('record_outcome', { decision_id: 'd-1', actual_correct: 1 }))).toMatchObject({ actual_correct: 1 });

    const cal = ok(await a.c.call('get_calibration'));
    expect(cal).toMatchObject({ version: 1, total_count: 3 });
    const bins = cal.bins as Bin[];
    expect(bins.find((b) => b.bin_lower === 0.8)).toMatchObject({ count: 2, actual_correct: 1, accuracy: 0.5 });
    expect(bins.find((b) => b.bin_lower === 0.3)).toMatchObject({ count: 1, actual_correct: 0.5 });
    expect(bins.find((b) => b.bin_lower === 0.8)!.confidence_sum).toBeCloseTo(1.65);
    // ECE = Σ |actual_b - confidence_sum_b| / N = (|1 - 1.65| + |0.5 - 0.3|) / 3
    expect(cal.expected_calibration_error as number).toBeCloseTo((0.65 + 0.2) / 3);
    expect(ok(await a.c.call('get_calibration', { version: 1 }))).toMatchObject({ version: 1, total_count: 3 });

    await h.runtime.auditLog.flush();
    await h.runtime.auditMirror.caughtUp(10_000);
    const rows = await h.db.pool.query(
      `select event_type, details->>'decision_id' as decision_id, confidence from audit.events where agent_id = $1 and event_type like 'calibration_%' order by occurred_at, id`,
      [a.id],
    );
    expect(rows.rows.map((r) => [r.event_type, r.decision_id])).toEqual([
      ['calibration_prediction', 'd-1'], ['calibration_prediction', 'd-1'], ['calibration_prediction', 'd-2'], ['calibration_prediction', 'd-3'],
      ['calibration_outcome', 'd-1'], ['calibration_outcome', 'd-2'], ['calibration_outcome', 'd-3'], ['calibration_outcome', 'd-1'],
    ]);
    expect(rows.rows[0].confidence).toBe(0.85);
  });

  it('record_prediction: authenticated agents only, conflicts and bad input rejected', async () => {
    const a = await agent();
    expect(error(await (await h.connect()).call('record_prediction', { decision_id: 'p-anon', confidence: 0.5 }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    ok(await a.c.call('record_prediction', { decision_id: 'p-1', confidence: 0.5 }));
    expect(error(await a.c.call('record_prediction', { decision_id: 'p-1', confidence: 0.6 }))).toMatchObject({ code: 'CONFLICT', reason: 'PREDICTION_CONFLICT' });
    const b = await agent();
    expect(error(await b.c.call('record_prediction', { decision_id: 'p-1', confidence: 0.5 }))).toMatchObject({ code: 'CONFLICT' });
    expect(await invalid(a.c, 'record_prediction', { decision_id: 'p-2', confidence: 1.5 })).toMatch(/confidence/);
    expect(await invalid(a.c, 'record_prediction', { decision_id: '', confidence: 0.5 })).toMatch(/decision_id/);
    expect(await invalid(a.c, 'record_prediction', { decision_id: 'p-3', confidence: 0.5, decision: 'maybe' })).toMatch(/decision/);
  });

  it('record_outcome: the deciding agent or an admin; unknown decisions, conflicts and bad input rejected', async () => {
    const owner = await agent();
    const other = await agent();
    ok(await owner.c.call('record_prediction', { decision_id: 'o-1', confidence: 0.9 }));
    ok(await owner.c.call('record_prediction', { decision_id: 'o-2', confidence: 0.9 }));
    const before = ok(await owner.c.call('get_calibration'));

    expect(error(await other.c.call('record_outcome', { decision_id: 'o-1', actual_correct: true }))).toMatchObject({ code: 'FORBIDDEN' });
    // the refused outcome was rolled back: the owner can still record a different one, and the bins did not move
    expect(ok(await owner.c.call('get_calibration')).total_count).toBe(before.total_count);
    expect(ok(await owner.c.call('record_outcome', { decision_id: 'o-1', actual_correct: false }))).toMatchObject({ actual_correct: 0 });
    expect(error(await owner.c.call('record_outcome', { decision_id: 'o-1', actual_correct: true }))).toMatchObject({ code: 'CONFLICT', reason: 'OUTCOME_CONFLICT' });
    expect(error(await owner.c.call('record_outcome', { decision_id: 'no-such-decision', actual_correct: true }))).toMatchObject({ code: 'NOT_FOUND', reason: 'DECISION_NOT_FOUND' });
    expect(error(await (await h.connect()).call('record_outcome', { decision_id: 'o-2', actual_correct: true }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await invalid(owner.c, 'record_outcome', { decision_id: 'o-2', actual_correct: 2 })).toMatch(/actual_correct/);
    expect(await invalid(owner.c, 'record_outcome', { decision_id: 'o-2', actual_correct: 'yes' })).toMatch(/actual_correct/);

    // an admin records any decision's outcome, including one recorded without an agent
    const admin = await h.connect();
    expect(ok(await admin.call('record_outcome', { admin_token: ADMIN_TOKEN, decision_id: 'o-2', actual_correct: true }))).toMatchObject({ agent_id: owner.id, actual_correct: 1 });
    await h.db.pool.query(`select core.calibration_record_prediction(p_decision_id => 'imported-1', p_confidence => 0.4)`);
    expect(error(await owner.c.call('record_outcome', { decision_id: 'imported-1', actual_correct: true }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(ok(await admin.call('record_outcome', { admin_token: ADMIN_TOKEN, decision_id: 'imported-1', actual_correct: true }))).toMatchObject({ agent_id: null, actual_correct: 1 });
    expect(ok(await owner.c.call('get_calibration')).total_count).toBe((before.total_count as number) + 3);
  });

  it('get_calibration: needs an agent or an admin; unknown version is NOT_FOUND', async () => {
    expect(error(await (await h.connect()).call('get_calibration'))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const admin = await h.connect();
    expect(ok(await admin.call('get_calibration', { admin_token: ADMIN_TOKEN })).bins).toHaveLength(10);
    expect(error(await admin.call('get_calibration', { admin_token: ADMIN_TOKEN, version: 999 }))).toMatchObject({ code: 'NOT_FOUND', reason: 'CALIBRATION_VERSION_NOT_FOUND' });
    expect(await invalid(admin, 'get_calibration', { version: 0 })).toMatch(/version/);
  });
});
