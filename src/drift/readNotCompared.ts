import { Queryable } from '../db/pool';
import { IntrospectScope, notExtensionMember } from './catalogSql';
import { compareText } from './model';

/**
 * Object kinds the model does not describe. They are listed by identity so that a reader knows
 * what the check did not look at; `govdb drift --strict` fails when any exist on either side.
 * Extension members are skipped like everywhere else. Ownership is deliberately not compared
 * (the owner role differs between environments) and is not listed.
 */
const QUERIES: Array<[kind: string, catalog: string, sql: string]> = [
  ['domain', 'pg_type', `select t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace where t.typtype = 'd' and n.nspname = any($1::text[])`],
  ['composite type', 'pg_type', `select t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_class c on c.oid = t.typrelid where t.typtype = 'c' and c.relkind = 'c' and n.nspname = any($1::text[])`],
  ['range type', 'pg_type', `select t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace where t.typtype = 'r' and n.nspname = any($1::text[])`],
  ['base type', 'pg_type', `select t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace where t.typtype in ('b', 'p') and t.typcategory <> 'A' and n.nspname = any($1::text[])`],
  ['foreign table', 'pg_class', `select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'f' and n.nspname = any($1::text[])`],
  ['rule', 'pg_rewrite', `select r.oid from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace where r.rulename <> '_RETURN' and n.nspname = any($1::text[])`],
  ['statistics object', 'pg_statistic_ext', `select s.oid from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace where n.nspname = any($1::text[])`],
  ['collation', 'pg_collation', `select c.oid from pg_collation c join pg_namespace n on n.oid = c.collnamespace where n.nspname = any($1::text[])`],
  ['operator', 'pg_operator', `select o.oid from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where n.nspname = any($1::text[])`],
  ['operator class', 'pg_opclass', `select o.oid from pg_opclass o join pg_namespace n on n.oid = o.opcnamespace where n.nspname = any($1::text[])`],
  ['operator family', 'pg_opfamily', `select o.oid from pg_opfamily o join pg_namespace n on n.oid = o.opfnamespace where n.nspname = any($1::text[])`],
  ['text search configuration', 'pg_ts_config', `select c.oid from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace where n.nspname = any($1::text[])`],
  ['text search dictionary', 'pg_ts_dict', `select d.oid from pg_ts_dict d join pg_namespace n on n.oid = d.dictnamespace where n.nspname = any($1::text[])`],
  ['conversion', 'pg_conversion', `select c.oid from pg_conversion c join pg_namespace n on n.oid = c.connamespace where n.nspname = any($1::text[])`],
  ['cast', 'pg_cast', `select c.oid from pg_cast c where c.oid >= 16384`],
  ['language', 'pg_language', `select l.oid from pg_language l where l.oid >= 16384`],
  ['access method', 'pg_am', `select a.oid from pg_am a where a.oid >= 16384`],
  ['transform', 'pg_transform', `select t.oid from pg_transform t where t.oid >= 16384`],
  ['event trigger', 'pg_event_trigger', `select e.oid from pg_event_trigger e`],
  ['default privileges', 'pg_default_acl', `select d.oid from pg_default_acl d`],
  ['publication', 'pg_publication', `select p.oid from pg_publication p`],
  ['foreign-data wrapper', 'pg_foreign_data_wrapper', `select w.oid from pg_foreign_data_wrapper w`],
  ['foreign server', 'pg_foreign_server', `select s.oid from pg_foreign_server s`],
];

export async function readNotCompared(db: Queryable, scope: IntrospectScope): Promise<Record<string, string[]>> {
  const sql = QUERIES.map(([kind, catalog, query]) =>
    `select '${kind}' as kind, (pg_identify_object('${catalog}'::regclass, q.oid, 0)).identity as identity
       from (${query}) q where ${notExtensionMember(catalog, 'q.oid')}`,
  ).join('\nunion all\n');
  const result = await db.query<{ kind: string; identity: string }>(sql, [scope.schemas]);
  const out: Record<string, string[]> = {};
  for (const row of result.rows) (out[row.kind] ??= []).push(row.identity);
  for (const list of Object.values(out)) list.sort(compareText);
  return out;
}
