import { compareText, ModelEntry, ObjectKind, SchemaModel, stableStringify } from './model';

type Attrs = ModelEntry['attrs'];

/**
 * A readable, SQL-like rendering of a schema model for code review (schema/schema.sql). It reads
 * like DDL but is not meant to be executed: function bodies appear as their hash, grants and
 * comments as they are recorded, monthly partitions once as `<parent>_YYYY_MM`.
 */
export function renderSql(model: SchemaModel): string {
  const out: string[] = [
    '-- govdb schema snapshot: readable rendering of schema/snapshot.json, for code review.',
    '-- DO NOT EDIT. Regenerate with `npm run snapshot`; CI fails when it is stale.',
    '-- Not executable as is: function bodies are shown as hashes, owners as <owner>, and the',
    '-- monthly audit partitions once as <parent>_YYYY_MM (their months depend on the migration date).',
    '',
  ];
  const o = model.objects;
  const sorted = (kind: ObjectKind) => Object.entries(o[kind]).sort(([a], [b]) => compareText(a, b));
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push(`-- ${title}`, ...lines, '');
  };

  section('extensions', sorted('extension').map(([k, e]) => variant(e.attrs) ?? `create extension ${k} schema ${e.attrs.schema}${e.attrs.version ? ` version '${e.attrs.version}'` : ''};`));
  section('schemas', sorted('schema').map(([k]) => `create schema ${k};`));
  section('enum types', sorted('enum').map(([k, e]) => variant(e.attrs) ?? `create type ${k} as enum (${(e.attrs.values as string[]).map(lit).join(', ')});`));

  const columnsOf = groupBy(sorted('column'), (e) => e.group);
  const constraintsOf = groupBy(sorted('constraint'), (e) => e.group);
  const partitionOf = new Map(sorted('partition').map(([k, e]) => [k, e]));
  const tables: string[] = [];
  for (const [name, table] of sorted('table')) {
    const group = `table ${name}`;
    const cols = (columnsOf.get(group) ?? []).sort(([, a], [, b]) => Number(a.attrs.position) - Number(b.attrs.position));
    const lines = cols.map(([key, c]) => `  ${key.slice(name.length + 1)} ${variant(c.attrs) ?? renderColumn(c.attrs)}`);
    const partition = partitionOf.get(name);
    const t = table.attrs;
    const head = `create ${t.persistence === 'unlogged' ? 'unlogged ' : ''}table ${name}`;
    const tail = partition ? ` partition of ${partition.attrs.parent} ${partition.attrs.bound}` : '';
    tables.push(`${head}${tail} (`, lines.join(',\n'), `)${t.partitionKey ? ` partition by ${t.partitionKey}` : ''}${t.inherits ? ` inherits (${(t.inherits as string[]).join(', ')})` : ''}${t.options ? ` with (${(t.options as string[]).join(', ')})` : ''};`);
    if (variant(t)) tables.push(variant(t)!);
    if (t.rowLevelSecurity) tables.push(`alter table ${name} enable row level security;`);
    if (t.forceRowLevelSecurity) tables.push(`alter table ${name} force row level security;`);
    for (const [key, c] of constraintsOf.get(group) ?? []) {
      const a = c.attrs;
      tables.push(variant(a) ?? `alter table ${name} add constraint ${key.slice(name.length + 1)} ${a.definition}${a.deferrable ? ` deferrable initially ${a.initiallyDeferred ? 'deferred' : 'immediate'}` : ''};${a.validated ? '' : ' -- not valid'}`);
    }
    tables.push('');
  }
  section('tables, columns and constraints', tables);
  section('indexes', sorted('index').map(([, e]) => variant(e.attrs) ?? `${e.attrs.definition};${e.attrs.valid ? '' : ' -- INVALID'}`));
  section('sequences', sorted('sequence').map(([k, e]) => variant(e.attrs) ?? renderSequence(k, e.attrs)));
  section('views', sorted('view').map(([k, e]) => variant(e.attrs) ?? `create ${e.attrs.kind} ${k}${e.attrs.options ? ` with (${(e.attrs.options as string[]).join(', ')})` : ''} as\n  ${e.attrs.definition};`));
  section('functions and procedures', sorted('function').map(([k, e]) => variant(e.attrs) ?? renderFunction(k, e.attrs)));
  section('triggers', sorted('trigger').map(([, e]) => variant(e.attrs) ?? `${e.attrs.definition};${e.attrs.enabled === 'origin' ? '' : ` -- enabled: ${e.attrs.enabled}`}`));
  section('row-level security policies', sorted('policy').map(([k, e]) => variant(e.attrs) ?? renderPolicy(k, e)));
  section('grants (owner shown as <owner>)', sorted('grant').map(([k, e]) => `-- ${k}: ${Object.entries(e.attrs).sort(([a], [b]) => compareText(a, b)).map(([who, what]) => `${who}=${typeof what === 'string' ? what : stableStringify(what)}`).join('; ')}`));
  section('comments', sorted('comment').map(([k, e]) => variant(e.attrs) ?? `comment on ${k} is ${lit(String(e.attrs.text))};`));
  section('AGE graphs and labels', [
    ...sorted('graph').map(([k]) => `select ag_catalog.create_graph(${lit(k)});`),
    ...sorted('label').map(([k, e]) => {
      const [graph, label] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
      return variant(e.attrs) ?? `select ag_catalog.create_${e.attrs.kind === 'edge' ? 'elabel' : 'vlabel'}(${lit(graph)}, ${lit(label)});`;
    }),
  ]);
  const notCompared = Object.entries(model.notCompared).sort(([a], [b]) => compareText(a, b));
  section('present but not compared', notCompared.map(([kind, ids]) => `-- ${kind}: ${ids.join(', ')}`));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function renderColumn(a: Attrs): string {
  let s = String(a.type);
  if (a.collation) s += ` collate ${a.collation}`;
  if (a.notNull) s += ' not null';
  if (a.default !== undefined) s += ` default ${a.default}`;
  if (a.identity) s += ` generated ${a.identity} as identity`;
  const g = a.generated as { expression?: string } | undefined;
  if (g) s += ` generated always as (${g.expression}) stored`;
  return s;
}

function renderSequence(name: string, a: Attrs): string {
  const owned = a.ownedBy ? ` -- ${a.identity ? 'identity of' : 'owned by'} ${a.ownedBy}` : '';
  return `create sequence ${name} as ${a.type} start ${a.start} increment ${a.increment} minvalue ${a.min} maxvalue ${a.max} cache ${a.cache}${a.cycle ? ' cycle' : ''};${owned}`;
}

function renderFunction(key: string, a: Attrs): string {
  const name = key.slice(0, key.indexOf('('));
  const lines = [`create ${a.kind === 'procedure' ? 'procedure' : 'function'} ${name}(${a.arguments})${a.kind === 'procedure' ? '' : ` returns ${a.returns}`}`];
  const traits = [`language ${a.language}`];
  if (a.kind !== 'procedure') traits.push(String(a.volatility));
  if (a.strict) traits.push('strict');
  if (a.securityDefiner) traits.push('security definer');
  if (a.leakproof) traits.push('leakproof');
  if (a.parallel !== 'unsafe') traits.push(`parallel ${a.parallel}`);
  if (a.cost !== '100' && a.language !== 'c' && a.language !== 'internal') traits.push(`cost ${a.cost}`);
  if (a.rows !== undefined && a.rows !== '1000') traits.push(`rows ${a.rows}`);
  lines.push(`  ${traits.join(' ')}`);
  for (const c of (a.config as string[]) ?? []) {
    const [k, ...v] = c.split('=');
    lines.push(`  set ${k} = ${v.join('=')}`);
  }
  lines.push(`  as '...'; -- body ${a.body}`);
  return lines.join('\n');
}

function renderPolicy(key: string, e: ModelEntry): string {
  const a = e.attrs;
  const table = e.group.replace(/^table /, '');
  let s = `create policy ${key.slice(table.length + 1)} on ${table} as ${a.permissive ? 'permissive' : 'restrictive'} for ${a.command} to ${(a.roles as string[]).join(', ')}`;
  if (a.using) s += ` using (${a.using})`;
  if (a.withCheck) s += ` with check (${a.withCheck})`;
  return s + ';';
}

/** Months of a monthly partition that disagree are kept as variants: shown verbatim. */
function variant(a: Attrs): string | undefined {
  return a.variants ? `-- VARIANTS (months that disagree): ${stableStringify(a.variants)}` : undefined;
}

function lit(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function groupBy<T extends [string, ModelEntry]>(items: T[], key: (e: ModelEntry) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item[1]);
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}
