import { core, knowledge } from '../db/generated/functions';
import { Queryable } from '../db/pool';
import { ImportReport, ReconciliationCheck } from './report';
import { Entity } from './types';

/** Entities whose table count must grow by exactly what the import reports as inserted. */
const DELTA_CHECKS: [Entity, string][] = [
  ['lifecycle_events', 'lifecycle_events'], ['parent_links', 'parent_links'], ['sessions', 'sessions'], ['agent_states', 'agent_states'],
  ['dialectic_sessions', 'dialectic_sessions'], ['dialectic_messages', 'dialectic_messages'], ['calibration_bins', 'calibration_bins'],
  ['discoveries', 'discoveries'], ['discovery_tags', 'discovery_tags'], ['discovery_edges', 'discovery_edges'],
  ['audit_events', 'audit_events'], ['tool_usage', 'tool_usage'],
];

/** Graph label counts that must equal a relational count once the projection is rebuilt. */
const GRAPH_CHECKS: [string, string][] = [
  ['vertex Agent', 'agents'], ['vertex Discovery', 'discoveries'], ['vertex Tag', 'distinct_tags'], ['edge AUTHORED', 'discoveries'],
  ['edge TAGGED', 'discovery_tags'], ['edge RESPONDS_TO', 'edges_responds_to'], ['edge RELATED_TO', 'edges_related_to'], ['edge SUPERSEDES', 'edges_supersedes'],
];

/** Row counts of every destination of the import, by entity (core.import_table_counts()). */
export async function tableCounts(db: Queryable): Promise<Record<string, number>> {
  return Object.fromEntries((await core.importTableCounts(db)).map((r) => [r.entity ?? '', Number(r.row_count ?? 0)]));
}

/** bigint columns arrive as strings; the report carries them as JSON numbers. */
function numbers<T extends object>(rows: T[], columns: (keyof T)[]): T[] {
  return rows.map((row) => {
    const out = { ...row } as Record<keyof T, unknown>;
    for (const c of columns) if (out[c] !== null && out[c] !== undefined) out[c] = Number(out[c]);
    return out as T;
  });
}

/**
 * Re-counts in PostgreSQL and in the AGE graph after the load: every table grew by exactly what the
 * run reports as inserted (the import holds its lock; a server writing at the same time would show
 * here), and, once knowledge.graph_rebuild() has projected the tables, each graph label counts what
 * its relational source counts. `graph.rebuilt` / `graph.verify` are the rows of
 * knowledge.graph_rebuild() / knowledge.graph_verify(), counts as numbers.
 */
export async function reconcile(db: Queryable, before: Record<string, number>, report: ImportReport): Promise<NonNullable<ImportReport['reconciliation']>> {
  const rebuilt = numbers(await knowledge.graphRebuild(db), ['deleted', 'created', 'updated']);
  const after = await tableCounts(db);
  const graphCounts = Object.fromEntries((await knowledge.importGraphCounts(db)).map((r) => [`${r.kind} ${r.label}`, Number(r.row_count ?? 0)]));
  const verify = numbers(await knowledge.graphVerify(db), ['expected_count', 'actual_count', 'missing_count', 'extra_count', 'duplicate_count', 'stale_count']);
  const checks: ReconciliationCheck[] = [];
  const inserted = (e: Entity) => report.totals[e]?.inserted ?? 0;
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);

  const agentsExpected = inserted('agents') + report.placeholder_agents_created;
  checks.push({ entity: 'agents', expected: agentsExpected, actual: delta('agents'), ok: agentsExpected === delta('agents'), rule: 'rows added = inserted + placeholders' });
  for (const [entity, key] of DELTA_CHECKS) {
    if (!report.totals[entity] && delta(key) === 0) continue;
    const removed = entity === 'discovery_tags' ? report.discovery_tags_removed : 0;
    const expected = inserted(entity) - removed;
    checks.push({ entity, expected, actual: delta(key), ok: expected === delta(key), rule: removed ? 'rows added = inserted - tags dropped by updated discoveries' : 'rows added = inserted' });
  }
  for (const [label, key] of GRAPH_CHECKS) {
    const actual = graphCounts[label] ?? 0;
    checks.push({ entity: `graph ${label}`, expected: after[key] ?? 0, actual, ok: actual === (after[key] ?? 0), rule: `AGE count = ${key} in PostgreSQL` });
  }
  return { postgres: { before, after }, graph: { rebuilt, counts: graphCounts, verify }, checks, ok: checks.every((c) => c.ok) };
}
