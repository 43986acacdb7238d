import { knowledge, KnowledgeGraphRebuildRow, KnowledgeGraphVerifySampledRow } from '../db/generated/functions';
import { Queryable } from '../db/pool';

/**
 * The AGE projection of the knowledge graph: compare it with the relational tables (verify) and
 * repair it from them (rebuild). Both are stored functions in sql/functions/graph.sql; verify reads
 * the graph through Cypher, rebuild writes the label tables set-based, so they check each other.
 */

export type GraphElement = 'vertex' | 'edge';

/** One label's comparison. Keys are ids (vertices) or "src -> dst" / "src -[kind]-> dst" (edges). */
export interface LabelCheck {
  element: GraphElement;
  label: string;
  expected: number;
  actual: number;
  missing: number;
  extra: number;
  duplicates: number;
  /** present but with other properties than the relational row says */
  stale: number;
  /** sorted samples, at most the sample limit each */
  missingIds: string[];
  extraIds: string[];
  staleIds: string[];
  ok: boolean;
}

export interface GraphCheck {
  ok: boolean;
  labels: LabelCheck[];
}

export interface LabelRepair {
  element: GraphElement;
  label: string;
  deleted: number;
  created: number;
  updated: number;
}

/** Compares relational tables and projection; ok is false on any missing, extra, duplicate or stale element. */
export async function verifyGraph(db: Queryable, sampleLimit = 20): Promise<GraphCheck> {
  const labels = (await knowledge.graphVerifySampled(db, { sampleLimit })).map(toLabelCheck);
  return { ok: labels.every((l) => l.ok), labels };
}

/** Repairs the projection from the relational tables (blocks knowledge writers while it runs). */
export async function rebuildGraph(db: Queryable): Promise<LabelRepair[]> {
  return (await knowledge.graphRebuild(db)).map(toRepair);
}

function toLabelCheck(r: KnowledgeGraphVerifySampledRow): LabelCheck {
  return {
    element: r.element as GraphElement,
    label: r.label,
    expected: Number(r.expected_count),
    actual: Number(r.actual_count),
    missing: Number(r.missing_count),
    extra: Number(r.extra_count),
    duplicates: Number(r.duplicate_count),
    stale: Number(r.stale_count),
    missingIds: r.missing_ids,
    extraIds: r.extra_ids,
    staleIds: r.stale_ids,
    ok: r.ok === true,
  };
}

function toRepair(r: KnowledgeGraphRebuildRow): LabelRepair {
  return {
    element: r.element as GraphElement,
    label: r.label!,
    deleted: Number(r.deleted),
    created: Number(r.created),
    updated: Number(r.updated),
  };
}
