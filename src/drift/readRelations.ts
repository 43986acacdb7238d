import { Queryable } from '../db/pool';
import { IntrospectScope, normalizeSql, notExtensionMember, qualified, RawEntry } from './catalogSql';
import { PartitionRow } from './datePartitions';

const REL = qualified('n.nspname', 'c.relname');
const USER_REL = `n.nspname = any($1::text[]) and ${notExtensionMember('pg_class', 'c.oid')}`;
const PERSISTENCE: Record<string, string> = { p: 'permanent', u: 'unlogged', t: 'temporary' };

export interface RelationsResult {
  entries: RawEntry[];
  partitions: PartitionRow[];
}

/** Tables, partitions, columns, constraints, indexes, views, sequences, triggers and policies. */
export async function readRelations(db: Queryable, scope: IntrospectScope): Promise<RelationsResult> {
  const entries: RawEntry[] = [];
  const partitions: PartitionRow[] = [];
  const params = [scope.schemas];

  const tables = await db.query(
    `select ${REL} as name, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
            c.reloptions, c.relispartition, pg_get_expr(c.relpartbound, c.oid) as bound,
            case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
            (select ${qualified('pn.nspname', 'pc.relname')} from pg_inherits i join pg_class pc on pc.oid = i.inhparent
               join pg_namespace pn on pn.oid = pc.relnamespace where i.inhrelid = c.oid and c.relispartition) as parent,
            (select pc.relname from pg_inherits i join pg_class pc on pc.oid = i.inhparent where i.inhrelid = c.oid and c.relispartition) as parent_relname,
            array(select ${qualified('pn.nspname', 'pc.relname')} from pg_inherits i join pg_class pc on pc.oid = i.inhparent
               join pg_namespace pn on pn.oid = pc.relnamespace where i.inhrelid = c.oid and not c.relispartition order by i.inhseqno) as inherits
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and ${USER_REL}`,
    params,
  );
  for (const t of tables.rows) {
    const attrs: RawEntry['attrs'] = {
      kind: t.relkind === 'p' ? 'partitioned table' : 'table',
      persistence: PERSISTENCE[t.relpersistence] ?? t.relpersistence,
      rowLevelSecurity: t.relrowsecurity,
      forceRowLevelSecurity: t.relforcerowsecurity,
    };
    if (t.partition_key) attrs.partitionKey = t.partition_key;
    if (t.reloptions) attrs.options = [...t.reloptions].sort();
    if (t.inherits.length) attrs.inherits = t.inherits;
    entries.push({ kind: 'table', key: t.name, group: `table ${t.name}`, rel: t.name, attrs });
    if (t.relispartition) {
      partitions.push({ name: t.name, relname: t.relname, parentRelname: t.parent_relname, bound: t.bound });
      entries.push({ kind: 'partition', key: t.name, group: `table ${t.parent}`, rel: t.name, attrs: { parent: t.parent, bound: t.bound } });
    }
  }

  const columns = await db.query(
    `select ${REL} as rel, ${REL} || '.' || quote_ident(a.attname) as key, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull,
            pg_get_expr(ad.adbin, ad.adrelid) as default_expr, a.attidentity, a.attgenerated,
            case when a.attcollation <> t.typcollation then co.collname end as collation,
            row_number() over (partition by a.attrelid order by a.attnum) as position
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
       left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
       left join pg_collation co on co.oid = a.attcollation
      where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p') and ${USER_REL}`,
    params,
  );
  for (const col of columns.rows) {
    const attrs: RawEntry['attrs'] = { type: col.type, notNull: col.attnotnull, position: Number(col.position) };
    if (col.default_expr !== null && col.attgenerated === '') attrs.default = col.default_expr;
    if (col.attidentity) attrs.identity = col.attidentity === 'a' ? 'always' : 'by default';
    if (col.attgenerated) attrs.generated = { expression: col.default_expr, stored: col.attgenerated === 's' };
    if (col.collation) attrs.collation = col.collation;
    entries.push({ kind: 'column', key: col.key, group: `table ${col.rel}`, rel: col.rel, attrs });
  }

  const constraints = await db.query(
    `select ${REL} as rel, ${REL} || '.' || quote_ident(con.conname) as key, con.contype, pg_get_constraintdef(con.oid, true) as def,
            con.convalidated, con.condeferrable, con.condeferred
       from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where ${USER_REL}`,
    params,
  );
  const CONTYPE: Record<string, string> = { p: 'primary key', u: 'unique', f: 'foreign key', c: 'check', x: 'exclusion', t: 'trigger', n: 'not null' };
  for (const con of constraints.rows) {
    entries.push({
      kind: 'constraint', key: con.key, group: `table ${con.rel}`, rel: con.rel,
      attrs: { type: CONTYPE[con.contype] ?? con.contype, definition: con.def, validated: con.convalidated, deferrable: con.condeferrable, initiallyDeferred: con.condeferred },
    });
  }

  const indexes = await db.query(
    `select ${qualified('n.nspname', 'ic.relname')} as name, ${REL} as rel, pg_get_indexdef(i.indexrelid) as def,
            i.indisvalid, i.indisunique, i.indisprimary, pg_get_expr(i.indpred, i.indrelid) as predicate,
            (select k.conname from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid and k.contype in ('p', 'u', 'x')) as constraint_name
       from pg_index i join pg_class ic on ic.oid = i.indexrelid
       join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'm')
        and (n.nspname = any($2::text[]) or ${USER_REL})`,
    [scope.schemas, scope.graphSchemas],
  );
  for (const ix of indexes.rows) {
    const attrs: RawEntry['attrs'] = { table: ix.rel, definition: ix.def, valid: ix.indisvalid, unique: ix.indisunique, primary: ix.indisprimary };
    if (ix.predicate) attrs.predicate = ix.predicate;
    if (ix.constraint_name) attrs.constraint = ix.constraint_name;
    entries.push({ kind: 'index', key: ix.name, group: `table ${ix.rel}`, rel: ix.rel, attrs });
  }

  const views = await db.query(
    `select ${REL} as name, c.relkind, pg_get_viewdef(c.oid, true) as def, c.reloptions
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('v', 'm') and ${USER_REL}`,
    params,
  );
  for (const v of views.rows) {
    const attrs: RawEntry['attrs'] = { kind: v.relkind === 'm' ? 'materialized view' : 'view', definition: normalizeSql(v.def) };
    if (v.reloptions) attrs.options = [...v.reloptions].sort();
    entries.push({ kind: 'view', key: v.name, group: `${attrs.kind} ${v.name}`, rel: v.name, attrs });
  }

  const sequences = await db.query(
    `select ${REL} as name, format_type(s.seqtypid, null) as type, s.seqstart::text, s.seqincrement::text,
            s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle,
            (select ${qualified('tn.nspname', 'tc.relname')} || '.' || quote_ident(a.attname)
               from pg_depend d join pg_class tc on tc.oid = d.refobjid join pg_namespace tn on tn.oid = tc.relnamespace
               join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
              where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
                and d.deptype in ('a', 'i') limit 1) as owned_by,
            (select ${qualified('tn.nspname', 'tc.relname')}
               from pg_depend d join pg_class tc on tc.oid = d.refobjid join pg_namespace tn on tn.oid = tc.relnamespace
              where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
                and d.deptype in ('a', 'i') limit 1) as owner_rel,
            exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'i') as identity
       from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
      where c.relkind = 'S' and ${USER_REL}`,
    params,
  );
  for (const s of sequences.rows) {
    const attrs: RawEntry['attrs'] = {
      type: s.type, start: s.seqstart, increment: s.seqincrement, min: s.seqmin, max: s.seqmax, cache: s.seqcache, cycle: s.seqcycle,
    };
    if (s.owned_by) attrs.ownedBy = s.owned_by;
    if (s.identity) attrs.identity = true;
    entries.push({ kind: 'sequence', key: s.name, group: s.owner_rel ? `table ${s.owner_rel}` : `sequence ${s.name}`, rel: s.owner_rel ?? s.name, attrs });
  }

  // clones of a partitioned table's trigger on its partitions (tgparentid) follow the parent
  const triggers = await db.query(
    `select ${REL} as rel, c.relkind, ${REL} || '.' || quote_ident(t.tgname) as key, pg_get_triggerdef(t.oid, true) as def, t.tgenabled
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where not t.tgisinternal and t.tgparentid = 0 and ${USER_REL}`,
    params,
  );
  const ENABLED: Record<string, string> = { O: 'origin', D: 'disabled', R: 'replica', A: 'always' };
  for (const t of triggers.rows) {
    entries.push({
      kind: 'trigger', key: t.key, group: `${relGroupWord(t.relkind)} ${t.rel}`, rel: t.rel,
      attrs: { definition: t.def, enabled: ENABLED[t.tgenabled] ?? t.tgenabled },
    });
  }

  const policies = await db.query(
    `select ${REL} as rel, ${REL} || '.' || quote_ident(p.polname) as key, p.polcmd, p.polpermissive,
            array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end from unnest(p.polroles) r order by 1) as roles,
            pg_get_expr(p.polqual, p.polrelid) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
       from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
      where ${USER_REL}`,
    params,
  );
  const POLCMD: Record<string, string> = { r: 'select', a: 'insert', w: 'update', d: 'delete', '*': 'all' };
  for (const p of policies.rows) {
    entries.push({
      kind: 'policy', key: p.key, group: `table ${p.rel}`, rel: p.rel,
      attrs: { command: POLCMD[p.polcmd] ?? p.polcmd, permissive: p.polpermissive, roles: p.roles, using: p.using_expr, withCheck: p.check_expr },
    });
  }
  return { entries, partitions };
}

function relGroupWord(relkind: string): string {
  return relkind === 'v' ? 'view' : relkind === 'm' ? 'materialized view' : 'table';
}
