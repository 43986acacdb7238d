import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { createHash } from 'crypto';
import { importLegacy } from '../../src/import/importLegacy';
import { exitCodeOf, ImportReport } from '../../src/import/report';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { writeSupportedShapes } from './fixtures/generate';
import { countSamples } from './sourceCounts';

const REPO_ROOT = path.resolve(__dirname, '../..');
/** Real legacy files, beside our own checkout only: the check below is skipped (with a message) without them. */
const REAL_SAMPLES = path.resolve(REPO_ROOT, '..', 'shared', 'legacy-samples');

describe('govdb import of synthetic files in every supported shape', () => {
  let db: TestDatabase;
  let dir: string;
  let out: string;
  let first: ImportReport;
  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  beforeAll(async () => {
    db = await createMigratedDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-shapes-'));
    out = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-shapes-out-'));
    writeSupportedShapes(dir);
    first = await importLegacy({ paths: [dir], databaseUrl: db.url, progress: false, reportFile: path.join(out, 'r1.json') });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('detects every file by content and imports the exact counts', async () => {
    const byName = Object.fromEntries(first.files.map((f) => [path.basename(f.path), f]));
    expect(byName['agent_metadata.json']!.format).toContain('dec-2025');
    expect(byName['agent_metadata.2025-11-20.json']!.format).toContain('nov-2025');
    expect(first.files.every((f) => f.status === 'imported')).toBe(true);
    const c = (read: number, inserted: number, updated = 0, quarantined = 0) => ({ read, inserted, updated, already_present: read - inserted - updated - quarantined, quarantined });
    expect(first.totals).toEqual({
      agents: c(4, 3, 1), lifecycle_events: c(2, 2), parent_links: c(1, 1), agent_states: c(3, 3), dialectic_sessions: c(1, 1), dialectic_messages: c(2, 2),
      discoveries: c(2, 2), discovery_tags: c(3, 3), discovery_edges: c(2, 1, 0, 1), calibration_bins: c(1, 1), audit_events: c(1, 1), tool_usage: c(2, 2),
    });
    expect({ placeholders: first.placeholder_agents_created, dangling: first.dangling_links, quarantined: first.quarantined }).toEqual({ placeholders: 1, dangling: 1, quarantined: 1 });
    expect(first.reconciliation!.checks.filter((k) => !k.ok)).toEqual([]);
    expect(first.consistency).toEqual({ ok: true, contradictions: [] });
    expect(exitCodeOf(first)).toBe(0);
    expect(await count(`select count(*) n from core.agents where origin = 'legacy'`)).toBe(4);
    expect(await count(`select count(*) n from core.agents where parent_agent_id = 'nov_agent'`)).toBe(1);
  });

  it('interprets naive timestamps in the source zone and keeps microseconds', async () => {
    const row = (await db.pool.query(`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') t from audit.tool_usage order by occurred_at limit 1`)).rows[0];
    expect(row.t).toBe('2025-11-27T23:23:40.485963'); // 16:23:40.485963 at UTC-07:00
  });

  it('changes nothing on a second run: every record is already present', async () => {
    const tables = async () => (await db.pool.query('select * from core.import_table_counts()')).rows;
    const before = await tables();
    const second = await importLegacy({ paths: [dir], databaseUrl: db.url, progress: false, reportFile: path.join(out, 'r2.json') });
    for (const [entity, c] of Object.entries(second.totals)) {
      expect({ entity, inserted: c.inserted, updated: c.updated, present: c.already_present }).toEqual({ entity, inserted: 0, updated: 0, present: c.read - c.quarantined });
    }
    expect(second.placeholder_agents_created).toBe(0);
    expect(await tables()).toEqual(before);
    expect(second.reconciliation!.ok).toBe(true);
  });

  it('stores no API key anywhere: only sha256 hashes', async () => {
    const keys = ['PLAINTEXT-KEY-dec-agent-0001', 'PLAINTEXT-KEY-both-agent-002'];
    const dump = (await db.pool.query(`select (select jsonb_agg(to_jsonb(a)) from core.agents a)::text t`)).rows[0].t as string;
    for (const k of keys) expect(dump).not.toContain(k);
    expect((await db.pool.query(`select api_key_hash from core.agents where id = 'dec_agent'`)).rows[0].api_key_hash)
      .toBe(`sha256:${createHash('sha256').update(keys[0]!).digest('hex')}`);
    for (const f of ['r1.json', 'r1.quarantine.jsonl']) for (const k of keys) expect(readFileSync(path.join(out, f), 'utf8')).not.toContain(k);
  });

  it('quarantines the dangling edge with its locator, next to the report', () => {
    const lines = readFileSync(path.join(out, 'r1.quarantine.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.entity, l.raw.related_to, l.disposition])).toEqual([['discovery_edges', 'not_a_discovery', 'rejected']]);
  });
});

// A check against the real legacy files, when they sit beside the checkout (never in CI's clone).
const realSamples = existsSync(REAL_SAMPLES);
if (!realSamples) console.log(`skipped: the real legacy samples check (no ${REAL_SAMPLES}; the synthetic fixtures cover every shape)`);
(realSamples ? describe : describe.skip)('govdb import of the real legacy samples (only when ../shared/legacy-samples exists)', () => {
  let db: TestDatabase;
  let out: string;
  let report: ImportReport;
  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  beforeAll(async () => {
    db = await createMigratedDatabase();
    out = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-real-'));
    report = await importLegacy({ paths: [REAL_SAMPLES], databaseUrl: db.url, progress: false, reportFile: path.join(out, 'r.json') });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(out, { recursive: true, force: true });
  });

  it('reconciles with an independent count of the files and finds no contradiction', async () => {
    const source = countSamples(REAL_SAMPLES, { includeSelfReview: true });
    expect(await count(`select count(*) n from core.agents where not metadata @> '{"placeholder": true}'`)).toBe(source.agentIds.size);
    expect(await count('select count(*) n from core.agent_lifecycle_events')).toBe(source.lifecycleEvents);
    expect(await count('select count(*) n from knowledge.discoveries')).toBe(source.discoveries);
    expect(await count('select count(*) n from core.dialectic_sessions')).toBe(source.dialecticSessions);
    expect(await count('select count(*) n from core.dialectic_messages')).toBe(source.dialecticMessages);
    expect(await count('select count(*) n from core.agent_state')).toBe(source.stateRows);
    expect(await count('select count(*) n from audit.tool_usage')).toBe(source.toolUsage);
    expect(report.reconciliation!.ok).toBe(true);
    expect(report.consistency!.ok).toBe(true);
  });
});
