/**
 * The schema model that `govdb drift` compares: every modelled object keyed by a stable identity
 * (schema-qualified names, argument types; never OIDs), with the attributes that define it.
 * Two models built from databases with the same schema are deep-equal, whatever the database name,
 * the owner role or the month the ledger ran in.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Object kinds in the order they are reported and rendered. */
export const OBJECT_KINDS = [
  'schema',
  'extension',
  'enum',
  'table',
  'column',
  'constraint',
  'index',
  'partition',
  'view',
  'sequence',
  'function',
  'trigger',
  'policy',
  'grant',
  'comment',
  'graph',
  'label',
] as const;

export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface ModelEntry {
  /** the object a difference is reported under, e.g. "table core.agents" for one of its columns */
  group: string;
  attrs: { [key: string]: Json };
}

export interface SchemaModel {
  objects: Record<ObjectKind, Record<string, ModelEntry>>;
  /**
   * Objects present in the database whose kind the model does not cover (domains, rules, casts …):
   * kind → sorted identities. They are listed, never compared; `--strict` fails on them.
   */
  notCompared: Record<string, string[]>;
}

export function emptyModel(): SchemaModel {
  const objects = {} as Record<ObjectKind, Record<string, ModelEntry>>;
  for (const kind of OBJECT_KINDS) objects[kind] = {};
  return { objects, notCompared: {} };
}

/** JSON with object keys sorted at every depth: the same model always gives the same text. */
export function stableStringify(value: unknown, indent = 0): string {
  return JSON.stringify(sortKeys(value), null, indent || undefined);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareText)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Locale-independent ordering (code points), so every machine sorts the same way. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
