import { Queryable } from '../db/pool';
import { RawEntry } from './catalogSql';

/**
 * The AGE catalog: graphs (ag_catalog.ag_graph) and their vertex and edge labels (ag_label),
 * compared by name and kind. A schema-only pg_dump omits these rows, which is why they are read
 * here. AGE's own per-label tables and sequences are not compared beyond the label; the default
 * labels `_ag_label_vertex` / `_ag_label_edge` exist in every graph and are skipped.
 */
export async function readGraph(db: Queryable): Promise<RawEntry[]> {
  const present = await db.query<{ present: boolean }>(`select to_regclass('ag_catalog.ag_label') is not null as present`);
  if (!present.rows[0]?.present) return [];
  const entries: RawEntry[] = [];
  const graphs = await db.query<{ name: string; namespace: string }>(`select name::text as name, namespace::text as namespace from ag_catalog.ag_graph`);
  for (const g of graphs.rows) entries.push({ kind: 'graph', key: g.name, group: `graph ${g.name}`, attrs: { namespace: g.namespace } });
  const labels = await db.query<{ graph: string; name: string; kind: string; relation: string }>(
    `select g.name::text as graph, l.name::text as name, l.kind::text as kind, l.relation::text as relation
       from ag_catalog.ag_label l join ag_catalog.ag_graph g on g.graphid = l.graph
      where l.name::text not in ('_ag_label_vertex', '_ag_label_edge')`,
  );
  for (const l of labels.rows) {
    entries.push({
      kind: 'label', key: `${l.graph}:${l.name}`, group: `graph ${l.graph}`,
      attrs: { kind: l.kind === 'v' ? 'vertex' : l.kind === 'e' ? 'edge' : l.kind, relation: l.relation },
    });
  }
  return entries;
}
