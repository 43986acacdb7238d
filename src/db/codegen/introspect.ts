import { CatalogEnum, CatalogFunction, CatalogType, readEnums, readFunctions, readTypes } from '../catalog';
import { Queryable } from '../pool';

/** The schemas whose functions and enums are generated. */
export const FUNCTION_SCHEMAS = ['core', 'knowledge', 'audit'];

export interface CodegenCatalog {
  /** plain functions (no procedures, aggregates or trigger functions) */
  functions: CatalogFunction[];
  /** the types those functions take and return, transitively */
  types: Map<number, CatalogType>;
  enums: CatalogEnum[];
  /** server_version_num / 10000 */
  postgresMajor: number;
}

/** What codegen generates from, read from one database. */
export async function readCodegenCatalog(db: Queryable): Promise<CodegenCatalog> {
  const functions = (await readFunctions(db, FUNCTION_SCHEMAS)).filter((f) => f.prokind === 'f' && !f.returnsTrigger);
  const types = await readTypes(db, functions.flatMap((f) => [f.returnTypeOid, ...f.params.map((p) => p.typeOid)]));
  const enums = await readEnums(db, FUNCTION_SCHEMAS);
  const version = await db.query<{ v: number }>(`select current_setting('server_version_num')::int / 10000 as v`);
  return { functions, types, enums, postgresMajor: version.rows[0]!.v };
}
