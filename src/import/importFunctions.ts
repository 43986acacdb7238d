import { callFunction, FunctionSpec } from '../db/callFunction';
import { Queryable } from '../db/pool';

/**
 * Typed calls of the import's stored functions (sql/functions/import.sql). They follow the API of
 * the generated src/db/generated/functions.ts (named arguments, explicit casts, GovdbError mapping);
 * switch these to `core.importAgents(db, …)` etc. once codegen has run with import.sql present.
 */
const spec = (schema: string, name: string, params: [string, string, string, boolean][], returns: FunctionSpec['returns']): FunctionSpec => ({
  schema, name, returns, params: params.map(([key, sqlName, sqlType, json]) => ({ key, sqlName, sqlType, json })),
});
const RECORDS: [string, string, string, boolean] = ['records', 'p_records', 'jsonb', true];
const SOURCE: [string, string, string, boolean] = ['source', 'p_source', 'text', false];

type N = string; // bigint counts arrive as strings

export const importFunctions = {
  tryLock: (db: Queryable) => callFunction<boolean>(db, spec('core', 'import_try_lock', [], 'scalar'), {}),
  unlock: (db: Queryable) => callFunction<boolean>(db, spec('core', 'import_unlock', [], 'scalar'), {}),
  agents: (db: Queryable, a: { records: unknown[] }) =>
    callFunction<{ inserted: N; updated: N; already_present: N }>(db, spec('core', 'import_agents', [RECORDS], 'row'), a),
  agentParents: (db: Queryable, a: { links: unknown[] }) =>
    callFunction<{ child_id: string; parent_id: string; outcome: string }[]>(db, spec('core', 'import_agent_parents', [['links', 'p_links', 'jsonb', true]], 'rows'), a),
  lifecycleEvents: (db: Queryable, a: { records: unknown[] }) =>
    callFunction<{ inserted: N; already_present: N }>(db, spec('core', 'import_agent_lifecycle_events', [RECORDS], 'row'), a),
  sessions: (db: Queryable, a: { records: unknown[]; source: string }) =>
    callFunction<{ inserted: N; updated: N; already_present: N; placeholders: N }>(db, spec('core', 'import_sessions', [RECORDS, SOURCE], 'row'), a),
  agentStates: (db: Queryable, a: { records: unknown[]; source: string }) =>
    callFunction<{ inserted: N; already_present: N; placeholders: N }>(db, spec('core', 'import_agent_states', [RECORDS, SOURCE], 'row'), a),
  dialecticSessions: (db: Queryable, a: { records: unknown[]; source: string }) =>
    callFunction<{ inserted: N; updated: N; already_present: N; placeholders: N; messages_inserted: N; messages_already_present: N; dangling_discovery_sessions: string[] }>(
      db, spec('core', 'import_dialectic_sessions', [RECORDS, SOURCE], 'row'), a),
  calibrationBins: (db: Queryable, a: { records: unknown[] }) =>
    callFunction<{ inserted: N; already_present: N; conflicts: { version: number; bin_lower: number }[] }>(db, spec('core', 'import_calibration_bins', [RECORDS], 'row'), a),
  discoveries: (db: Queryable, a: { records: unknown[]; source: string }) =>
    callFunction<{ inserted: N; updated: N; already_present: N; placeholders: N; tags_inserted: N; tags_already_present: N; tags_removed: N }>(
      db, spec('knowledge', 'import_discoveries', [RECORDS, SOURCE], 'row'), a),
  discoveryLinks: (db: Queryable, a: { records: unknown[]; source: string }) =>
    callFunction<{ src_id: string; dst_id: string; edge_type: string; outcome: string; placeholders: N }[]>(
      db, spec('knowledge', 'import_discovery_links', [RECORDS, SOURCE], 'rows'), a),
  auditEvents: (db: Queryable, a: { records: unknown[] }) =>
    callFunction<{ inserted: N; already_present: N }>(db, spec('audit', 'import_events', [RECORDS], 'row'), a),
  toolUsage: (db: Queryable, a: { records: unknown[] }) =>
    callFunction<{ inserted: N; already_present: N }>(db, spec('audit', 'import_tool_usage', [RECORDS], 'row'), a),
  settle: (db: Queryable) =>
    callFunction<{ agents_settled: N; states_renumbered: N }>(db, spec('core', 'import_settle', [], 'row'), {}),
  consistencyCheck: (db: Queryable) =>
    callFunction<{ kind: string; subject: string; detail: string }[]>(db, spec('core', 'import_consistency_check', [], 'rows'), {}),
  tableCounts: (db: Queryable) =>
    callFunction<{ entity: string; row_count: N }[]>(db, spec('core', 'import_table_counts', [], 'rows'), {}),
  graphCounts: (db: Queryable) =>
    callFunction<{ kind: string; label: string; row_count: N }[]>(db, spec('knowledge', 'import_graph_counts', [], 'rows'), {}),
  callGraphFunction: (db: Queryable, a: { name: 'graph_rebuild' | 'graph_verify' }) =>
    callFunction<unknown>(db, spec('knowledge', 'import_call_graph_function', [['name', 'p_name', 'text', false]], 'scalar'), a),
};
