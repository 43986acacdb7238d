import { readEnums } from '../db/catalog';
import { Queryable } from '../db/pool';
import { IntrospectScope, notExtensionMember, qualified, RawEntry } from './catalogSql';

export interface CatalogOptions {
  /** compare extension versions too (off by default: a patch release of AGE is not schema drift) */
  extensionVersions?: boolean;
}

/**
 * The schemas to compare and the AGE graph namespaces, decided once per introspection. Skipped:
 * system schemas, schemas that are extension members, the home schema of a non-relocatable
 * extension (ag_catalog; the AGE catalog is read separately) and graph namespaces (AGE's
 * per-label tables; only the indexes on them are compared).
 */
export async function readScope(db: Queryable): Promise<IntrospectScope> {
  const graphs = await db.query<{ present: boolean }>(`select to_regclass('ag_catalog.ag_graph') is not null as present`);
  const graphSchemas = graphs.rows[0]?.present
    ? (await db.query<{ name: string }>(`select namespace::text as name from ag_catalog.ag_graph`)).rows.map((r) => r.name)
    : [];
  const schemas = await db.query<{ name: string }>(
    `select n.nspname as name from pg_namespace n
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
        and ${notExtensionMember('pg_namespace', 'n.oid')} and not (n.nspname = any($1::text[]))
        -- the fixed home schema of a non-relocatable extension (ag_catalog) is the extension's, not ours
        and (n.nspname = 'public' or not exists (select 1 from pg_extension x where x.extnamespace = n.oid and not x.extrelocatable))`,
    [graphSchemas],
  );
  return { schemas: schemas.rows.map((r) => r.name), graphSchemas };
}

export async function readSchemasAndTypes(db: Queryable, scope: IntrospectScope, options: CatalogOptions): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  const schemas = await db.query<{ name: string }>(`select quote_ident(s) as name from unnest($1::text[]) s`, [scope.schemas]);
  for (const s of schemas.rows) entries.push({ kind: 'schema', key: s.name, group: `schema ${s.name}`, attrs: {} });

  const extensions = await db.query(
    `select quote_ident(e.extname) as name, quote_ident(n.nspname) as schema, e.extversion from pg_extension e join pg_namespace n on n.oid = e.extnamespace`,
  );
  for (const e of extensions.rows) {
    const attrs: RawEntry['attrs'] = { schema: e.schema };
    if (options.extensionVersions) attrs.version = e.extversion;
    entries.push({ kind: 'extension', key: e.name, group: `extension ${e.name}`, attrs });
  }

  for (const e of await readEnums(db, scope.schemas)) entries.push({ kind: 'enum', key: e.qualified_name, group: `type ${e.qualified_name}`, attrs: { values: e.labels } });
  return entries;
}

/**
 * Grants of schemas, relations, columns, functions and enum types, from the ACLs. A NULL ACL is
 * expanded to the owner's implicit default, and the owner is written `<owner>`, so a database owned
 * by another role than the scratch database compares equal; the grantor is not compared.
 */
export async function readGrants(db: Queryable, scope: IntrospectScope): Promise<RawEntry[]> {
  const grantee = (owner: string) => `case when a.grantee = ${owner} then '<owner>' when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee)::text end`;
  const result = await db.query<{ object: string; rel: string | null; grantee: string; privilege_type: string; is_grantable: boolean }>(
    `select 'schema ' || quote_ident(n.nspname) as object, null as rel, ${grantee('n.nspowner')} as grantee, a.privilege_type, a.is_grantable
       from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
      where n.nspname = any($1::text[])
     union all
     select case c.relkind when 'S' then 'sequence ' when 'v' then 'view ' when 'm' then 'materialized view ' else 'table ' end
              || ${qualified('n.nspname', 'c.relname')}, ${qualified('n.nspname', 'c.relname')}, ${grantee('c.relowner')}, a.privilege_type, a.is_grantable
       from pg_class c join pg_namespace n on n.oid = c.relnamespace,
            aclexplode(coalesce(c.relacl, acldefault((case when c.relkind = 'S' then 's' else 'r' end)::"char", c.relowner))) a
      where c.relkind in ('r', 'p', 'v', 'm', 'S') and n.nspname = any($1::text[]) and ${notExtensionMember('pg_class', 'c.oid')}
     union all
     select 'column ' || ${qualified('n.nspname', 'c.relname')} || '.' || quote_ident(att.attname), ${qualified('n.nspname', 'c.relname')},
            ${grantee('c.relowner')}, a.privilege_type, a.is_grantable
       from pg_attribute att join pg_class c on c.oid = att.attrelid join pg_namespace n on n.oid = c.relnamespace,
            aclexplode(att.attacl) a
      where att.attacl is not null and not att.attisdropped and n.nspname = any($1::text[]) and ${notExtensionMember('pg_class', 'c.oid')}
     union all
     select case p.prokind when 'p' then 'procedure ' else 'function ' end || p.oid::regprocedure::text, null, ${grantee('p.proowner')}, a.privilege_type, a.is_grantable
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      where n.nspname = any($1::text[]) and ${notExtensionMember('pg_proc', 'p.oid')}
     union all
     select 'type ' || ${qualified('n.nspname', 't.typname')}, null, ${grantee('t.typowner')}, a.privilege_type, a.is_grantable
       from pg_type t join pg_namespace n on n.oid = t.typnamespace, aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) a
      where t.typtype = 'e' and n.nspname = any($1::text[]) and ${notExtensionMember('pg_type', 't.oid')}`,
    [scope.schemas],
  );
  const byObject = new Map<string, { rel: string | null; grants: Map<string, string[]> }>();
  for (const row of result.rows) {
    const entry = byObject.get(row.object) ?? { rel: row.rel, grants: new Map<string, string[]>() };
    byObject.set(row.object, entry);
    const list = entry.grants.get(row.grantee) ?? [];
    list.push(row.privilege_type + (row.is_grantable ? ' WITH GRANT OPTION' : ''));
    entry.grants.set(row.grantee, list);
  }
  const entries: RawEntry[] = [];
  for (const [object, { rel, grants }] of byObject) {
    const attrs: RawEntry['attrs'] = {};
    for (const [who, privileges] of grants) attrs[who] = privileges.sort().join(', ');
    const group = object.startsWith('column ') ? `table ${rel}` : object;
    entries.push({ kind: 'grant', key: object, group, rel: rel ?? undefined, attrs });
  }
  return entries;
}

/** Comments (COMMENT ON) of objects in the compared schemas, keyed by pg_identify_object. */
export async function readComments(db: Queryable, scope: IntrospectScope): Promise<RawEntry[]> {
  const result = await db.query<{ type: string; identity: string; description: string }>(
    `select o.type, o.identity, d.description
       from pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
      where (o.schema = any($1::text[]) or (d.classoid = 'pg_namespace'::regclass and o.identity = any($1::text[])))
        and not exists (select 1 from pg_depend e where e.classid = d.classoid and e.objid = d.objoid and e.deptype = 'e')`,
    [scope.schemas],
  );
  return result.rows.map((c) => ({ kind: 'comment', key: `${c.type} ${c.identity}`, group: `${c.type} ${c.identity}`, attrs: { text: c.description } }));
}
