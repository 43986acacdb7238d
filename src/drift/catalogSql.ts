import { Json } from './model';

/** One object read from the catalogs, before monthly partitions are folded into their pattern. */
export interface RawEntry {
  kind: import('./model').ObjectKind;
  key: string;
  group: string;
  /** schema-qualified relation the object belongs to, for monthly-partition folding */
  rel?: string;
  attrs: { [key: string]: Json };
}

/** Which schemas are compared: user schemas minus extension members and AGE graph namespaces. */
export interface IntrospectScope {
  schemas: string[];
  /** namespaces of AGE graphs: only the indexes on their label tables are compared */
  graphSchemas: string[];
}

/** SQL for a quoted schema-qualified name. */
export function qualified(nspExpr: string, nameExpr: string): string {
  return `quote_ident(${nspExpr}) || '.' || quote_ident(${nameExpr})`;
}

/** SQL condition: the object is not a member of an extension (pg_depend deptype 'e'). */
export function notExtensionMember(catalog: string, oidExpr: string): string {
  return `not exists (select 1 from pg_depend dep_e where dep_e.classid = '${catalog}'::regclass and dep_e.objid = ${oidExpr} and dep_e.deptype = 'e')`;
}

/** Collapses whitespace runs so formatting-only differences in definitions are not drift. */
export function normalizeSql(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/\s+/g, ' ').trim().replace(/;$/, '').trim();
}
