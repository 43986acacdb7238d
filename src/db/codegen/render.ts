import { CatalogEnum, CatalogFunction, CatalogType } from '../catalog';
import { parseFunctionComment } from './comment';

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());
export const paramKey = (sqlName: string) => camel(sqlName.replace(/^p_/, ''));

/** TypeScript names of a database enum: `core.agent_status` → `AgentStatus` / `agentStatusValues`. */
export function enumNames(typeName: string): { type: string; values: string } {
  return { type: pascal(typeName), values: `${camel(typeName)}Values` };
}

/**
 * src/db/generated/enums.ts: every enum of the schemas as a union type and an `as const` array of
 * its labels in the enum's sort order (zod: `z.enum(agentStatusValues)`). Enum names must be
 * unique across schemas, since the TypeScript names drop the schema.
 */
export function renderEnums(header: string, enums: CatalogEnum[]): string {
  const out: string[] = [header];
  const seen = new Map<string, string>();
  for (const e of enums) {
    const names = enumNames(e.name);
    const other = seen.get(names.type);
    if (other) throw new Error(`codegen: enums ${other} and ${e.schema}.${e.name} both map to ${names.type}; rename one`);
    seen.set(names.type, `${e.schema}.${e.name}`);
    const labels = e.labels.map((l) => JSON.stringify(l));
    out.push(`/** ${e.schema}.${e.name} */`);
    out.push(`export const ${names.values} = [${labels.join(', ')}] as const;`);
    out.push(`export type ${names.type} = (typeof ${names.values})[number];`, '');
  }
  return out.join('\n');
}

interface TypeInfo {
  ts: string;
  json: boolean;
}

/** TypeScript type of a PostgreSQL type as node-postgres returns / accepts it; records enums used. */
function typeInfo(types: Map<number, CatalogType>, oid: number, direction: 'in' | 'out', usedEnums: Set<string>): TypeInfo {
  const t = types.get(oid);
  if (!t) return { ts: 'unknown', json: false };
  if (t.kind === 'd') return typeInfo(types, t.baseOid, direction, usedEnums);
  if (t.kind === 'e') {
    const name = enumNames(t.name).type;
    usedEnums.add(name);
    return { ts: name, json: false };
  }
  if (t.category === 'A') {
    const elemType = types.get(t.elemOid);
    // node-postgres has no parser for arrays of enums or other custom types: they arrive as text
    if (direction === 'out' && elemType && (elemType.kind === 'e' || elemType.kind === 'c')) return { ts: 'string', json: false };
    return { ts: `Array<${typeInfo(types, t.elemOid, direction, usedEnums).ts}>`, json: false };
  }
  switch (t.name) {
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'uuid': case 'citext': case 'tsvector': case 'tsquery': case 'agtype': case 'inet':
      return { ts: 'string', json: false };
    case 'int2': case 'int4': case 'oid': case 'float4': case 'float8':
      return { ts: 'number', json: false };
    case 'int8': case 'numeric':
      // returned as strings by node-postgres to keep precision
      return { ts: direction === 'out' ? 'string' : 'number | string', json: false };
    case 'bool':
      return { ts: 'boolean', json: false };
    case 'json': case 'jsonb':
      return { ts: 'unknown', json: true };
    case 'timestamptz': case 'timestamp': case 'date':
      return { ts: direction === 'out' ? 'Date' : 'Date | string', json: false };
    case 'interval':
      return { ts: direction === 'out' ? 'unknown' : 'string', json: false };
    case 'bytea':
      return { ts: 'Buffer', json: false };
    default:
      return { ts: 'unknown', json: false };
  }
}

interface Column {
  name: string;
  typeOid: number;
  /** NOT NULL of the table column, when the function returns a table's row type */
  notNull: boolean;
}

function returnShape(fn: CatalogFunction, types: Map<number, CatalogType>): { shape: 'rows' | 'row' | 'scalar' | 'void'; columns?: Column[] } {
  const outParams = fn.params.filter((p) => p.mode === 'o' || p.mode === 'b' || p.mode === 't');
  const ret = types.get(fn.returnTypeOid);
  let columns: Column[] | undefined;
  if (outParams.length) columns = outParams.map((p) => ({ name: p.name, typeOid: p.typeOid, notNull: false }));
  else if (ret?.kind === 'c') columns = ret.attributes;
  if (ret?.name === 'void') return { shape: 'void' };
  if (columns && (outParams.length > 1 || ret?.kind === 'c' || fn.returnsSet)) return { shape: fn.returnsSet ? 'rows' : 'row', columns };
  if (fn.returnsSet) return { shape: 'rows', columns: [{ name: fn.name, typeOid: fn.returnTypeOid, notNull: false }] };
  return { shape: 'scalar' };
}

/**
 * Result columns that are never NULL: those the COMMENT declares (`@nonnull`) and, for a function
 * returning SETOF a table, the table's NOT NULL columns. A single table row (not SETOF) is left to
 * the declaration: such a function returns a row of NULLs when it finds nothing.
 */
function nonNullColumns(fnName: string, declared: '*' | string[], shape: string, columns: Column[] | undefined): Set<string> {
  if (!columns) {
    if (declared !== '*' && declared.length) throw new Error(`codegen: ${fnName} returns a scalar: declare @nonnull *, not columns`);
    return new Set(declared === '*' ? ['value'] : []);
  }
  const names = new Set(columns.map((c) => c.name));
  if (declared !== '*') {
    const unknown = declared.filter((d) => !names.has(d));
    if (unknown.length) throw new Error(`codegen: ${fnName} declares @nonnull ${unknown.join(', ')}, which it does not return (result columns: ${[...names].join(', ')})`);
  }
  return new Set(columns.filter((c) => declared === '*' || declared.includes(c.name) || (shape === 'rows' && c.notNull)).map((c) => c.name));
}

function docBlock(indent: string, lines: string[]): string[] {
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  return [`${indent}/**`, ...safe.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/** src/db/generated/functions.ts: typed wrappers, argument and row types of every function. */
export function renderFunctions(header: string, functions: CatalogFunction[], types: Map<number, CatalogType>): string {
  const body: string[] = [];
  const usedEnums = new Set<string>();
  const bySchema = new Map<string, CatalogFunction[]>();
  const seen = new Set<string>();
  for (const fn of functions) {
    const key = `${fn.schema}.${fn.name}`;
    if (seen.has(key)) throw new Error(`codegen: ${key} is overloaded (${fn.identityArgs}); give each signature its own name`);
    seen.add(key);
    bySchema.set(fn.schema, [...(bySchema.get(fn.schema) ?? []), fn]);
  }
  const signatures: string[] = [];
  const schemaObjects: string[] = [];
  for (const [schema, fns] of bySchema) {
    const members: string[] = [];
    for (const fn of fns) {
      const qualified = `${schema}.${fn.name}`;
      const base = pascal(`${schema}_${fn.name}`);
      const comment = parseFunctionComment(fn.comment, qualified);
      const inParams = fn.params.filter((p) => p.mode === 'i' || p.mode === 'b' || p.mode === 'v');
      const argLines = inParams.map((p) => `  ${paramKey(p.name)}${p.hasDefault ? '?' : ''}: ${typeInfo(types, p.typeOid, 'in', usedEnums).ts} | null;`);
      body.push(`/** Arguments of ${qualified}(${fn.identityArgs}). */`);
      body.push(`export interface ${base}Args {`, ...argLines, '}');
      const { shape, columns } = returnShape(fn, types);
      const nonNull = nonNullColumns(qualified, comment.nonNull, shape, columns);
      const orNull = (name: string) => (nonNull.has(name) ? '' : ' | null');
      let resultType: string;
      if (columns && (shape === 'rows' || shape === 'row')) {
        body.push(`/** A result row of ${qualified}. */`);
        body.push(`export interface ${base}Row {`, ...columns.map((c) => `  ${c.name}: ${typeInfo(types, c.typeOid, 'out', usedEnums).ts}${orNull(c.name)};`), '}');
        resultType = shape === 'rows' ? `${base}Row[]` : `${base}Row`;
      } else if (shape === 'scalar') {
        resultType = `${typeInfo(types, fn.returnTypeOid, 'out', usedEnums).ts}${orNull('value')}`;
      } else resultType = 'void';
      const spec = {
        schema, name: fn.name, returns: shape,
        params: inParams.map((p) => ({ key: paramKey(p.name), sqlName: p.name, sqlType: types.get(p.typeOid)?.sqlName ?? 'unknown', json: typeInfo(types, p.typeOid, 'in', new Set()).json })),
        ...(nonNull.size ? { nonNull: [...nonNull] } : {}),
      };
      body.push(`const ${base}Spec: FunctionSpec = ${JSON.stringify(spec)};`, '');
      const summary = `${qualified}(${fn.identityArgs}): ${fn.volatility}${fn.strict ? ', strict' : ''}, returns ${shape}.`;
      members.push(...docBlock('  ', comment.doc.length ? [...comment.doc, '', summary] : [summary]));
      members.push(`  ${camel(fn.name)}: (db: Queryable, args: ${base}Args${inParams.every((p) => p.hasDefault) ? ' = {}' : ''}): Promise<${resultType}> =>`);
      members.push(`    callFunction<${resultType}>(db, ${base}Spec, args as unknown as Record<string, unknown>),`);
      signatures.push(`  { schema: ${JSON.stringify(schema)}, name: ${JSON.stringify(fn.name)}, args: ${JSON.stringify(fn.identityArgs)}, returns: ${JSON.stringify(shape)}, returnsSet: ${fn.returnsSet}, volatility: ${JSON.stringify(fn.volatility)}, strict: ${fn.strict} },`);
    }
    schemaObjects.push(`export const ${schema} = {`, ...members, '};', '');
  }
  const imports = [`import { callFunction, FunctionSpec } from '../callFunction';`, `import { Queryable } from '../pool';`];
  if (usedEnums.size) imports.push(`import type { ${[...usedEnums].sort().join(', ')} } from './enums';`);
  return [
    header, ...imports, '', ...body, ...schemaObjects,
    '/** Every generated signature, as read from pg_proc. */',
    'export const functionSignatures = [', ...signatures, '] as const;', '',
  ].join('\n');
}
