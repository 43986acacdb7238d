import { createMigratedDatabase, TestDatabase } from '../helpers/db';

describe('schema v1-v2 constraints', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    await db.pool.query(`insert into core.agents (id, label) values ('agent_a', 'Agent A')`);
  });
  afterAll(async () => {
    await db.drop();
  });

  const state = (overrides: Record<string, unknown>) => {
    const row = { energy: 0.7, information: 0.8, entropy: 0.2, void: 0, coherence: 0.5, risk: 0.3, phi: 0.1, ...overrides };
    return db.pool.query(
      `insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status)
       values ('agent_a', $1, $2, $3, $4, $5, $6, $7, $8, 'EXPLORATION', 'safe', 'healthy')`,
      [Math.floor(Math.random() * 1e9) + 1, row.energy, row.information, row.entropy, row.void, row.coherence, row.risk, row.phi],
    );
  };

  it('rejects an unknown agent status', async () => {
    await expect(db.pool.query(`insert into core.agents (id, status) values ('agent_b', 'sleeping')`)).rejects.toMatchObject({ code: '22P02' });
  });

  it('rejects a deleted agent without deleted_at, and a plaintext-looking key', async () => {
    await expect(db.pool.query(`insert into core.agents (id, status) values ('agent_c', 'deleted')`)).rejects.toMatchObject({ constraint: 'agents_deleted_has_time' });
    await expect(db.pool.query(`insert into core.agents (id, api_key_hash) values ('agent_d', 'rvRxg3MjhkjZa9b2EMjpHJSGRhYGxEo7TkkN7giUzIA')`)).rejects.toMatchObject({ constraint: 'agents_api_key_hash_format' });
  });

  it('accepts in-range EISV and rejects each out-of-range value', async () => {
    await expect(state({})).resolves.toBeDefined();
    await expect(state({ energy: 1.01 })).rejects.toMatchObject({ constraint: 'agent_state_energy_range' });
    await expect(state({ information: -0.1 })).rejects.toMatchObject({ constraint: 'agent_state_information_range' });
    await expect(state({ entropy: 2.5 })).rejects.toMatchObject({ constraint: 'agent_state_entropy_range' });
    await expect(state({ void: -2.01 })).rejects.toMatchObject({ constraint: 'agent_state_void_range' });
    await expect(state({ risk: 1.5 })).rejects.toMatchObject({ constraint: 'agent_state_risk_range' });
  });

  it('keeps dialectic phase and status together', async () => {
    await db.pool.query(`insert into core.agents (id) values ('agent_r')`);
    await expect(db.pool.query(
      `insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id, phase, status) values ('agent_a', 'agent_r', 'resolved', 'active')`,
    )).rejects.toMatchObject({ constraint: 'dialectic_phase_matches_status' });
    await expect(db.pool.query(
      `insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id) values ('agent_a', 'agent_a')`,
    )).rejects.toMatchObject({ constraint: 'dialectic_reviewer_not_paused' });
  });

  it('rejects a bad discovery status and normalises nothing silently in tags', async () => {
    await expect(db.pool.query(
      `insert into knowledge.discoveries (id, agent_id, discovery_type, summary, status) values ('d1', 'agent_a', 'insight', 's', 'done')`,
    )).rejects.toMatchObject({ code: '22P02' });
    await db.pool.query(`insert into knowledge.discoveries (id, agent_id, discovery_type, summary) values ('d2', 'agent_a', 'insight', 's')`);
    await expect(db.pool.query(`insert into knowledge.discovery_tags values ('d2', 'Mixed Case')`)).rejects.toMatchObject({ constraint: 'discovery_tags_format' });
  });

  it('routes audit rows to monthly partitions and never rejects a month without one', async () => {
    const hash = (n: number) => n.toString(16).padStart(64, '0');
    await db.pool.query(`insert into audit.events (occurred_at, event_type, content_hash) values (now(), 'test', $1)`, [hash(1)]);
    await db.pool.query(`insert into audit.events (occurred_at, event_type, content_hash) values ('1999-01-15T00:00:00Z', 'test', $1)`, [hash(2)]);
    const where = await db.pool.query(`select tableoid::regclass::text as part from audit.events order by occurred_at`);
    expect(where.rows.map((r) => r.part)).toEqual(['audit.events_default', expect.stringMatching(/^audit\.events_\d{4}_\d{2}$/)]);
    // creating the 1999-01 partition later moves the row out of the default partition
    await db.pool.query(`select audit.ensure_partitions('1999-01-01T00:00:00Z', 0)`);
    const moved = await db.pool.query(`select tableoid::regclass::text as part from audit.events where occurred_at < '2000-01-01'`);
    expect(moved.rows[0].part).toBe('audit.events_1999_01');
    const dropped = await db.pool.query(`select audit.drop_partitions_older_than('1 year') as name`);
    expect(dropped.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['events_1999_01']));
  });
});
