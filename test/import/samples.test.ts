import { mkdtempSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { createHash } from 'crypto';
import { importLegacy } from '../../src/import/importLegacy';
import { ImportReport } from '../../src/import/report';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { countSamples } from './sourceCounts';

const SAMPLES = path.resolve(__dirname, '../../../shared/legacy-samples');

describe('govdb import of the legacy samples', () => {
  let db: TestDatabase;
  let tmp: string;
  let first: ImportReport;
  const source = countSamples(SAMPLES);
  const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

  beforeAll(async () => {
    db = await createMigratedDatabase();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-samples-'));
    first = await importLegacy({
      paths: [SAMPLES], databaseUrl: db.url, progress: false,
      quarantineFile: path.join(tmp, 'q1.jsonl'), reportFile: path.join(tmp, 'r1.json'), checkpointFile: path.join(tmp, 'cp.json'),
    });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('detects every sample file by content and imports each one', () => {
    const byPath = Object.fromEntries(first.files.map((f) => [path.basename(f.path), f]));
    expect(byPath['README.md']!.status).toBe('unknown');
    for (const f of first.files) {
      if (f.path.endsWith('README.md')) continue;
      if (/-(wal|shm)$/.test(f.path)) expect(f.status).toBe('skipped');
      else expect({ path: f.path, status: f.status, read: Object.values(f.entities).some((c) => c!.read > 0) }).toEqual({ path: f.path, status: 'imported', read: true });
    }
    expect(byPath['agent_metadata.json']!.format).toContain('dec-2025');
    expect(byPath['agent_metadata.2025-11-20.json']!.format).toContain('nov-2025');
    expect(first.source_timezone).toBe('-07:00');
  });

  it('reconciles with an independent count of the sources, in PostgreSQL and in the AGE graph', async () => {
    expect(await count(`select count(*) n from core.agents where not metadata @> '{"placeholder": true}'`)).toBe(source.agentIds.size);
    const placeholders = [...source.referencedAgentIds].filter((id) => !source.agentIds.has(id)).length;
    expect(await count(`select count(*) n from core.agents where metadata @> '{"placeholder": true}'`)).toBe(placeholders);
    expect(await count('select count(*) n from core.agent_lifecycle_events')).toBe(source.lifecycleEvents);
    expect(await count('select count(*) n from knowledge.discoveries')).toBe(source.discoveries);
    expect(await count('select count(*) n from knowledge.discovery_tags')).toBe(source.discoveryTags);
    expect(await count('select count(*) n from knowledge.discovery_edges')).toBe(source.edgesToKnownDiscoveries);
    expect(await count('select count(*) n from core.dialectic_sessions')).toBe(source.dialecticSessions);
    expect(await count('select count(*) n from core.dialectic_messages')).toBe(source.dialecticMessages);
    expect(await count('select count(*) n from core.agent_state')).toBe(source.stateRows);
    expect(await count('select count(*) n from audit.tool_usage')).toBe(source.toolUsage);
    expect(await count('select count(*) n from audit.events')).toBe(source.auditEvents);
    expect(await count('select count(*) n from core.calibration')).toBe(source.calibrationBins);
    expect(first.reconciliation!.checks.filter((c) => !c.ok)).toEqual([]);
    if (first.reconciliation!.graph.rebuilt === null) {
      console.warn('skipped graph reconciliation: knowledge.graph_rebuild() is not installed yet (sql/functions/graph.sql)');
    } else {
      expect(first.reconciliation!.checks.some((c) => c.entity === 'graph vertex Discovery' && c.actual === source.discoveries)).toBe(true);
    }
  });

  it('interprets naive timestamps in the source zone and keeps microseconds', async () => {
    const row = (await db.pool.query(`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') t from audit.tool_usage order by occurred_at limit 1`)).rows[0];
    expect(row.t).toBe('2025-11-27T23:23:40.485963'); // 16:23:40.485963 at UTC-07:00
  });

  it('changes nothing on a second run: every record is already present', async () => {
    const tables = async () => (await db.pool.query('select * from core.import_table_counts()')).rows;
    const before = await tables();
    const second = await importLegacy({ paths: [SAMPLES], databaseUrl: db.url, progress: false, quarantineFile: path.join(tmp, 'q2.jsonl'), checkpointFile: path.join(tmp, 'cp.json') });
    for (const [entity, c] of Object.entries(second.totals)) {
      expect({ entity, inserted: c!.inserted, updated: c!.updated, present: c!.already_present }).toEqual({ entity, inserted: 0, updated: 0, present: c!.read - c!.quarantined });
    }
    expect(second.placeholder_agents_created).toBe(0);
    expect(await tables()).toEqual(before);
    expect(second.reconciliation!.ok).toBe(true);
  });

  it('stores no API key anywhere: only sha256 hashes', async () => {
    expect(source.apiKeys.length).toBeGreaterThan(30);
    const columns = (await db.pool.query(
      `select table_schema, table_name, column_name from information_schema.columns
        where table_schema in ('core', 'knowledge', 'audit') and data_type in ('text', 'jsonb', 'json', 'character varying', 'ARRAY', 'USER-DEFINED')
          and table_name in (select table_name from information_schema.tables where table_schema = columns.table_schema and table_type = 'BASE TABLE')`,
    )).rows;
    expect(columns.length).toBeGreaterThan(20);
    for (const c of columns) {
      const hits = await count(`select count(*) n from "${c.table_schema}"."${c.table_name}" t, unnest($1::text[]) k where strpos(t."${c.column_name}"::text, k) > 0`.replace('$1', `'{${source.apiKeys.map((k) => `"${k}"`).join(',')}}'`));
      expect({ column: `${c.table_schema}.${c.table_name}.${c.column_name}`, hits }).toEqual({ column: `${c.table_schema}.${c.table_name}.${c.column_name}`, hits: 0 });
    }
    const ada = JSON.parse(readFileSync(path.join(SAMPLES, 'agent_metadata.json'), 'utf8')).Ada_Lovelace_Engineer_20251201;
    const stored = (await db.pool.query(`select api_key_hash from core.agents where id = 'Ada_Lovelace_Engineer_20251201'`)).rows[0].api_key_hash;
    expect(stored).toBe(`sha256:${createHash('sha256').update(ada.api_key).digest('hex')}`);
    for (const f of ['q1.jsonl', 'r1.json']) {
      const text = readFileSync(path.join(tmp, f), 'utf8');
      expect(source.apiKeys.filter((k) => text.includes(k))).toEqual([]);
    }
  });

  it('quarantines with locator and reason, and keeps dangling links visible', () => {
    const lines = readFileSync(path.join(tmp, 'q1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const selfReview = lines.find((l) => l.entity === 'dialectic_sessions' && l.disposition === 'rejected');
    expect(selfReview).toMatchObject({ source_file: 'legacy-samples/dialectic_sessions/3f6060df50709324.json', locator: { key: '3f6060df50709324' } });
    expect(selfReview.reason).toContain('dialectic_reviewer_not_paused');
    const dangling = lines.filter((l) => l.entity === 'discovery_edges');
    expect(dangling.map((l) => l.raw.related_to).sort()).toEqual(['Claude_Opus_ClaudeAI_20251203', 'adaptive_gain_control', 'governance_design']);
    expect(lines.find((l) => l.disposition === 'kept_without_link')?.reason).toContain('kept with discovery_id null');
  });
});
