import { connectClient, Queryable } from '../db/pool';
import { RawEntry } from './catalogSql';
import { findMonthlyPartitions, MonthlyPartition, replaceMonth } from './datePartitions';
import { CatalogOptions, readComments, readGrants, readSchemasAndTypes, readScope } from './readCatalog';
import { readFunctions } from './readFunctions';
import { readGraph } from './readGraph';
import { readNotCompared } from './readNotCompared';
import { readRelations } from './readRelations';
import { emptyModel, Json, SchemaModel, stableStringify } from './model';

export type IntrospectOptions = CatalogOptions;

/**
 * Session settings that make the catalog functions print the same text everywhere: with only
 * pg_catalog on the search path every user object is schema-qualified; UTC and ISO dates fix the
 * rendering of partition bounds. Restored afterwards so a caller's connection is left as it was.
 */
const CATALOG_SETTINGS: Record<string, string> = { search_path: 'pg_catalog', TimeZone: 'UTC', DateStyle: 'ISO, MDY', IntervalStyle: 'postgres', extra_float_digits: '1' };

/**
 * Reads the schema model of the database `db` is connected to. Run it on a dedicated connection,
 * ideally inside a repeatable-read transaction so all catalog reads see one state.
 */
export async function introspectDatabase(db: Queryable, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const names = Object.keys(CATALOG_SETTINGS);
  const saved = await db.query<{ name: string; setting: string }>(
    `select name, current_setting(name) as setting from unnest($1::text[]) name`, [names]);
  await db.query(`select set_config(k, v, false) from unnest($1::text[], $2::text[]) as s(k, v)`, [names, Object.values(CATALOG_SETTINGS)]);
  try {
    const scope = await readScope(db);
    const relations = await readRelations(db, scope);
    const entries: RawEntry[] = [
      ...(await readSchemasAndTypes(db, scope, options)),
      ...relations.entries,
      ...(await readFunctions(db, scope)),
      ...(await readGrants(db, scope)),
      ...(await readComments(db, scope)),
      ...(await readGraph(db)),
    ];
    const model = buildModel(entries, findMonthlyPartitions(relations.partitions));
    model.notCompared = await readNotCompared(db, scope);
    return model;
  } finally {
    await db.query(`select set_config(name, setting, false) from unnest($1::text[], $2::text[]) as s(name, setting)`,
      [saved.rows.map((r) => r.name), saved.rows.map((r) => r.setting)]);
  }
}

/**
 * Folds monthly partitions into their pattern and merges the months. Months that agree collapse
 * into one entry; months that disagree become `{ variants: [...] }`, which never equals a single
 * expected entry, so the disagreement is reported as drift.
 */
export function buildModel(entries: RawEntry[], monthly: Map<string, MonthlyPartition>): SchemaModel {
  const model = emptyModel();
  const variants = new Map<string, Map<string, RawEntry>>();
  for (const raw of entries) {
    const partition = raw.rel ? monthly.get(raw.rel) : undefined;
    const entry = partition ? foldMonth(raw, partition) : raw;
    const id = `${entry.kind}\u0000${entry.key}`;
    const seen = variants.get(id) ?? new Map<string, RawEntry>();
    seen.set(stableStringify(entry.attrs), entry);
    variants.set(id, seen);
  }
  for (const seen of variants.values()) {
    const list = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    const first = list[0]!;
    const attrs = list.length === 1 ? first.attrs : { variants: list.map((e) => e.attrs as Json) };
    model.objects[first.kind][first.key] = { group: first.group, attrs };
  }
  return model;
}

function foldMonth(raw: RawEntry, partition: MonthlyPartition): RawEntry {
  const rewrite = (value: Json): Json => {
    if (typeof value === 'string') return replaceMonth(value, partition);
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) out[k] = rewrite(v);
      return out;
    }
    return value;
  };
  const attrs = rewrite(raw.attrs) as { [key: string]: Json };
  if (raw.kind === 'partition') attrs.bound = partition.bound;
  return { ...raw, key: replaceMonth(raw.key, partition), group: replaceMonth(raw.group, partition), attrs };
}

/** Connects to `url` and reads its model in one read-only repeatable-read transaction. */
export async function introspectUrl(url: string, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const client = await connectClient(url);
  try {
    await client.query('begin isolation level repeatable read read only');
    const model = await introspectDatabase(client, options);
    await client.query('commit');
    return model;
  } finally {
    await client.end().catch(() => undefined);
  }
}
