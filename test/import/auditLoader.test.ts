import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { backfillFiles } from '../../src/audit/backfill';
import { loadLedgerFiles, defaultProjectRoot } from '../../src/db/migrate/ledgerFiles';
import { migrate } from '../../src/db/migrate/migrate';
import { readLedgerStatus, statusExitCode } from '../../src/db/migrate/status';
import { importLegacy } from '../../src/import/importLegacy';
import { parseSourceZone } from '../../src/import/timezone';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { writeJsonl } from './fixtures/generate';

/**
 * Issue 17: the legacy import loads the audit trail through the server's own loaders
 * (audit.insert_events / audit.insert_tool_usage, source 'legacy-import'), keeping legacy history as
 * it happened, and the functions this replaced are gone from existing databases too.
 */
describe('legacy audit trail through the one audit loader', () => {
  const tmp: string[] = [];
  const dbs: TestDatabase[] = [];
  const dir = (prefix = 'govdb-import-audit-') => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    tmp.push(d);
    return d;
  };
  const freshDb = async () => {
    const db = await createMigratedDatabase();
    dbs.push(db);
    return db;
  };
  const run = (db: TestDatabase, src: string) => {
    const out = dir('govdb-import-audit-out-');
    return importLegacy({ paths: [src], databaseUrl: db.url, progress: false, reportFile: path.join(out, 'r.json') });
  };
  afterAll(async () => {
    for (const db of dbs) await db.drop();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  // out of time order on purpose: ids must follow the file, not the clock
  const events = [
    { timestamp: '2024-05-02T10:00:00', agent_id: 'a1', event_type: 'agent_paused', confidence: 0.5, details: { why: 'third in time' } },
    { timestamp: '2024-03-01T09:00:00', agent_id: 'a1', event_type: 'agent_created', confidence: 1, details: {} },
    { timestamp: '2024-03-15T12:30:00.123456', agent_id: 'a2', event_type: 'agent_updated', confidence: null, details: { n: 2 } },
  ];
  const tools = [
    { timestamp: '2024-04-30T23:59:59', tool_name: 'process_agent_update', agent_id: 'a1', success: true, latency_ms: 12.5 },
    { timestamp: '2024-03-02T00:00:00', tool_name: 'get_governance_metrics', agent_id: 'a2', success: false, latency_ms: 3, error_type: 'TIMEOUT' },
  ];

  it('stores legacy events and tool calls as they happened: file order, legacy months partitioned, source legacy-import, no prev_hash', async () => {
    const db = await freshDb();
    const src = dir();
    writeJsonl(src, 'audit_log.jsonl', events);
    writeJsonl(src, 'tool_usage.jsonl', tools);
    const first = await run(db, src);
    expect(first.totals.audit_events).toEqual({ read: 3, inserted: 3, updated: 0, already_present: 0, quarantined: 0 });
    expect(first.totals.tool_usage).toEqual({ read: 2, inserted: 2, updated: 0, already_present: 0, quarantined: 0 });
    expect(first.reconciliation!.ok).toBe(true);

    const ev = (await db.pool.query(`
      select event_type, source, prev_hash, tableoid::regclass::text as part,
             to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as at
        from audit.events order by id`)).rows;
    expect(ev).toEqual([
      { event_type: 'agent_paused', source: 'legacy-import', prev_hash: null, part: 'audit.events_2024_05', at: '2024-05-02 17:00:00.000000' },
      { event_type: 'agent_created', source: 'legacy-import', prev_hash: null, part: 'audit.events_2024_03', at: '2024-03-01 16:00:00.000000' },
      { event_type: 'agent_updated', source: 'legacy-import', prev_hash: null, part: 'audit.events_2024_03', at: '2024-03-15 19:30:00.123456' },
    ]);
    const tu = (await db.pool.query(`
      select tool_name, success, error_code, source, tableoid::regclass::text as part from audit.tool_usage order by id`)).rows;
    expect(tu).toEqual([
      // 23:59:59 at -07:00 is already May in UTC
      { tool_name: 'process_agent_update', success: true, error_code: null, source: 'legacy-import', part: 'audit.tool_usage_2024_05' },
      { tool_name: 'get_governance_metrics', success: false, error_code: 'TIMEOUT', source: 'legacy-import', part: 'audit.tool_usage_2024_03' },
    ]);

    const second = await run(db, src);
    expect(second.totals.audit_events).toEqual({ read: 3, inserted: 0, updated: 0, already_present: 3, quarantined: 0 });
    expect(second.totals.tool_usage).toEqual({ read: 2, inserted: 0, updated: 0, already_present: 2, quarantined: 0 });
    expect(second.reconciliation!.ok).toBe(true);
    expect(Number((await db.pool.query('select count(*) n from audit.events')).rows[0].n)).toBe(3);
  });

  it('shares the dedup with govdb audit backfill: a legacy line backfilled first is already present for the import', async () => {
    const db = await freshDb();
    const src = dir();
    const file = writeJsonl(src, 'audit_log.jsonl', events);
    const [backfilled] = await backfillFiles(db.pool, [file], { sourceZone: parseSourceZone('-07:00') });
    expect(backfilled).toMatchObject({ legacy: 3, inserted: 3, duplicates: 0, rejected: [] });

    const report = await run(db, src);
    expect(report.totals.audit_events).toEqual({ read: 3, inserted: 0, updated: 0, already_present: 3, quarantined: 0 });
    expect(report.reconciliation!.ok).toBe(true);
    const rows = (await db.pool.query(`select source, count(*)::int n from audit.events group by source`)).rows;
    expect(rows).toEqual([{ source: 'legacy', n: 3 }]);
  });

  it('an existing database loses the replaced functions on migrate, and its ledger is clean afterwards', async () => {
    const db = await freshDb();
    // the state of a database migrated before the split: the old functions, import.sql at another
    // checksum, the new files never applied
    await db.pool.query(`create function audit.import_events(p_records jsonb) returns table (inserted bigint, already_present bigint) language sql as 'select 0::bigint, 0::bigint'`);
    await db.pool.query(`create function audit.import_tool_usage(p_records jsonb) returns table (inserted bigint, already_present bigint) language sql as 'select 0::bigint, 0::bigint'`);
    await db.pool.query(`create function knowledge.import_call_graph_function(p_name text) returns jsonb language sql as 'select null::jsonb'`);
    await db.pool.query(`update core.schema_migrations set checksum = 'before-issue-17' where kind = 'function' and file = 'sql/functions/import.sql'`);
    await db.pool.query(`delete from core.schema_migrations where kind = 'function' and file in ('sql/functions/import_governance.sql', 'sql/functions/import_settle.sql')`);

    const files = await loadLedgerFiles(defaultProjectRoot(), db.url);
    const before = await readLedgerStatus(db.pool, files);
    expect(before.items.filter((i) => i.state !== 'applied').map((i) => [i.state, i.file]).sort()).toEqual([
      ['changed', 'sql/functions/import.sql'], ['pending', 'sql/functions/import_governance.sql'], ['pending', 'sql/functions/import_settle.sql'],
    ]);

    const result = await migrate(db.url);
    expect(result.applied.map((a) => a.file).sort()).toEqual(['sql/functions/import.sql', 'sql/functions/import_governance.sql', 'sql/functions/import_settle.sql']);
    const gone = (await db.pool.query(`
      select to_regprocedure('audit.import_events(jsonb)') is null as events,
             to_regprocedure('audit.import_tool_usage(jsonb)') is null as tools,
             to_regprocedure('knowledge.import_call_graph_function(text)') is null as graph`)).rows[0];
    expect(gone).toEqual({ events: true, tools: true, graph: true });

    const after = await readLedgerStatus(db.pool, files);
    expect(after.items.filter((i) => i.state !== 'applied')).toEqual([]);
    expect(after.problems).toEqual([]);
    expect(statusExitCode(after)).toBe(0);
  });
});
