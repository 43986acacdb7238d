import { GovdbError } from '../../errors';
import { renderStep } from './cypherScript';
import { LedgerFiles } from './ledgerFiles';
import { LedgerItem } from './status';
import { MigrationTimeouts } from './timeouts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- graphile-migrate internals ship no type declarations and are not in its exports
const gmMigration = require('graphile-migrate/dist/migration');

/**
 * `govdb migrate --dry-run`: the statements each pending item runs and the strongest table lock
 * each takes. Statements are split and classified by PostgreSQL's own parser (libpg-query, the
 * server's grammar compiled to wasm), so dollar quotes, comments and nested statements are read as
 * PostgreSQL reads them. The lock is an ESTIMATE from the statement kind, following the table in
 * PostgreSQL's "Explicit Locking" chapter: it names the strongest lock the statement's kind takes on
 * an existing table, not locks taken by triggers, by functions called, or on other objects.
 */

/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export interface StatementPreview {
  /** 1-based line of the statement's start in the file (SQL) or in the rendered script (Cypher) */
  line: number;
  text: string;
  /** the parser's node type, e.g. AlterTableStmt */
  kind: string;
  /** strongest lock on an existing table (estimate); null: no table lock (new objects, catalog-only, functions) */
  lock: LockMode | null;
  /** the table it is taken on, when the statement names one */
  table: string | null;
  /** "unknown" when the kind is not classified (e.g. DO blocks run arbitrary code) */
  note?: string;
}

export interface ItemPreview {
  kind: LedgerItem['kind'];
  file: string;
  state: LedgerItem['state'];
  transaction: boolean;
  timeouts: MigrationTimeouts;
  /** strongest lock of all statements */
  strongestLock: LockMode | null;
  statements: StatementPreview[];
}

interface RangeVar { schemaname?: string; relname?: string }
type Node = Record<string, unknown>;

function tableName(rel: unknown): string | null {
  const r = rel as RangeVar | undefined;
  if (!r?.relname) return null;
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname;
}

function stronger(a: LockMode | null, b: LockMode | null): LockMode | null {
  if (!a) return b;
  if (!b) return a;
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

const SHARE_UPDATE_EXCLUSIVE_SUBTYPES = new Set([
  'AT_SetStatistics', 'AT_ValidateConstraint', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetOptions', 'AT_ResetOptions',
  'AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_AttachPartition', 'AT_DetachPartitionFinalize',
]);
const SHARE_ROW_EXCLUSIVE_SUBTYPES = new Set([
  'AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_DisableTrig', 'AT_EnableTrigAll', 'AT_DisableTrigAll',
  'AT_EnableTrigUser', 'AT_DisableTrigUser',
]);

function alterTableCmdLock(cmd: Node): LockMode {
  const subtype = String(cmd.subtype);
  if (SHARE_UPDATE_EXCLUSIVE_SUBTYPES.has(subtype)) return 'SHARE UPDATE EXCLUSIVE';
  if (subtype === 'AT_DetachPartition' && (cmd.def as Node | undefined)?.PartitionCmd && ((cmd.def as Node).PartitionCmd as Node).concurrent) return 'SHARE UPDATE EXCLUSIVE';
  if (SHARE_ROW_EXCLUSIVE_SUBTYPES.has(subtype)) return 'SHARE ROW EXCLUSIVE';
  if (subtype === 'AT_AddConstraint') {
    const c = ((cmd.def as Node | undefined)?.Constraint ?? {}) as Node;
    if (c.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
  }
  return 'ACCESS EXCLUSIVE';
}

/** Classifies one parsed statement: its strongest lock on an existing table (estimate). */
export function classifyStatement(stmt: Node): Pick<StatementPreview, 'kind' | 'lock' | 'table' | 'note'> {
  const kind = Object.keys(stmt)[0] ?? 'unknown';
  const n = (stmt[kind] ?? {}) as Node;
  const on = (lock: LockMode | null, table: string | null = tableName(n.relation)) => ({ kind, lock, table });
  switch (kind) {
    case 'SelectStmt': {
      const from = (n.fromClause as Node[] | undefined)?.find((f) => f.RangeVar);
      if (from) return on(n.lockingClause ? 'ROW SHARE' : 'ACCESS SHARE', tableName(from.RangeVar));
      if (JSON.stringify(n.targetList ?? []).includes('"FuncCall"')) return { kind, lock: null, table: null, note: 'unknown: calls a function' };
      return on(null, null);
    }
    case 'InsertStmt': case 'UpdateStmt': case 'DeleteStmt': case 'MergeStmt': return on('ROW EXCLUSIVE');
    case 'IndexStmt': return on(n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
    case 'AlterTableStmt': {
      if (n.objtype === 'OBJECT_INDEX' && !(n.cmds as Node[] | undefined)?.length) return on('SHARE UPDATE EXCLUSIVE');
      let lock: LockMode | null = null;
      for (const c of (n.cmds as Node[] | undefined) ?? []) lock = stronger(lock, alterTableCmdLock((c.AlterTableCmd ?? {}) as Node));
      return on(lock ?? 'ACCESS EXCLUSIVE');
    }
    case 'CreateStmt': {
      // a new table: no lock on existing tables, except SHARE ROW EXCLUSIVE on tables its foreign keys reference
      const elts = JSON.stringify(n.tableElts ?? []) + JSON.stringify(n.constraints ?? []);
      const m = /"contype":"CONSTR_FOREIGN"[^}]*?"pktable":\{([^}]*)\}/.exec(elts);
      // CREATE TABLE … PARTITION OF takes ACCESS EXCLUSIVE on the parent
      if (n.partbound) return { kind, lock: 'ACCESS EXCLUSIVE', table: tableName(((n.inhRelations as Node[] | undefined)?.[0])?.RangeVar) };
      if (m) {
        const ref = tableName(JSON.parse(`{${m[1]}}`) as RangeVar);
        if (ref !== tableName(n.relation)) return { kind, lock: 'SHARE ROW EXCLUSIVE', table: ref };
      }
      return { kind, lock: null, table: null };
    }
    case 'DropStmt':
      return { kind, lock: n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_TRIGGER', 'OBJECT_RULE', 'OBJECT_POLICY'].includes(String(n.removeType)) ? 'ACCESS EXCLUSIVE' : null, table: null };
    case 'RenameStmt': return on(n.relation ? 'ACCESS EXCLUSIVE' : null);
    case 'TruncateStmt': return { kind, lock: 'ACCESS EXCLUSIVE', table: tableName(((n.relations as Node[] | undefined)?.[0])?.RangeVar) };
    case 'VacuumStmt': return { kind, lock: JSON.stringify(n.options ?? []).includes('"full"') ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE', table: null };
    case 'CreateTrigStmt': return on('SHARE ROW EXCLUSIVE');
    case 'RuleStmt': return on('ACCESS EXCLUSIVE');
    case 'CreatePolicyStmt': case 'AlterPolicyStmt': return { kind, lock: 'ACCESS EXCLUSIVE', table: tableName(n.table) };
    case 'CommentStmt': {
      // COMMENT ON TABLE/COLUMN takes SHARE UPDATE EXCLUSIVE on the table; on other objects no table lock
      const onTable = ['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX'].includes(String(n.objtype));
      return { kind, lock: onTable ? 'SHARE UPDATE EXCLUSIVE' : null, table: null };
    }
    case 'ClusterStmt': return on('ACCESS EXCLUSIVE');
    case 'ReindexStmt': return on(JSON.stringify(n.params ?? []).includes('"concurrently"') ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
    case 'RefreshMatViewStmt': return on(n.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
    case 'LockStmt': {
      const modes = [null, 'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;
      return { kind, lock: modes[Number(n.mode)] ?? 'ACCESS EXCLUSIVE', table: tableName(((n.relations as Node[] | undefined)?.[0])?.RangeVar) };
    }
    case 'DoStmt': case 'CallStmt':
      return { kind, lock: null, table: null, note: 'unknown: runs procedural code' };
    case 'CreateFunctionStmt': case 'CreateSchemaStmt': case 'CreateExtensionStmt': case 'DefineStmt': case 'CreateEnumStmt':
    case 'CompositeTypeStmt': case 'CreateDomainStmt': case 'CreateSeqStmt': case 'ViewStmt': case 'CreateTableAsStmt':
    case 'GrantStmt': case 'GrantRoleStmt': case 'AlterEnumStmt': case 'AlterFunctionStmt': case 'VariableSetStmt':
    case 'AlterDefaultPrivilegesStmt': case 'CreateRoleStmt': case 'AlterOwnerStmt': case 'AlterSeqStmt': case 'TransactionStmt':
      return { kind, lock: null, table: null };
    default:
      return { kind, lock: null, table: null, note: 'unknown: statement kind not classified' };
  }
}

/**
 * libpg_query gives a statement's byte range including the whitespace and comments before it: the
 * statement's own text (trimmed, leading comments dropped) and the 1-based line it starts on.
 */
function statementStart(bytes: Buffer, start: number, end: number): { line: number; text: string } {
  const raw = bytes.subarray(start, end).toString('utf8');
  const lead = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/.exec(raw)![0];
  const before = bytes.subarray(0, start).toString('utf8') + lead;
  return { line: before.split('\n').length, text: raw.slice(lead.length).trim() };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- libpg-query's module object, typed at loadParser's return
let parser: any;

async function loadParser(): Promise<{ parseSync(sql: string): { stmts: { stmt: Node; stmt_location?: number; stmt_len?: number }[] } }> {
  if (!parser) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- native parser loaded lazily: only preview needs it
    const mod = require('libpg-query');
    await mod.loadModule();
    parser = mod;
  }
  return parser;
}

/**
 * Why a statement cannot run inside a transaction block (PostgreSQL refuses it there), or null.
 * A multi-statement query is one implicit transaction, so such a statement must also be alone.
 */
export function outsideTransactionReason(stmt: Node): string | null {
  const kind = Object.keys(stmt)[0] ?? '';
  const n = (stmt[kind] ?? {}) as Node;
  if (kind === 'IndexStmt' && n.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (kind === 'DropStmt' && n.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (kind === 'ReindexStmt' && JSON.stringify(n.params ?? []).includes('"concurrently"')) return 'REINDEX CONCURRENTLY';
  if (kind === 'AlterTableStmt' && JSON.stringify(n.cmds ?? []).includes('"concurrent":true')) return 'DETACH PARTITION CONCURRENTLY';
  if (kind === 'VacuumStmt') return n.is_vacuumcmd ? 'VACUUM' : null;
  if (kind === 'CreatedbStmt' || kind === 'DropdbStmt') return kind === 'CreatedbStmt' ? 'CREATE DATABASE' : 'DROP DATABASE';
  if (kind === 'AlterSystemStmt') return 'ALTER SYSTEM';
  if (kind === 'CreateTableSpaceStmt') return 'CREATE TABLESPACE';
  return null;
}

export interface TransactionModeProblem {
  message: string;
  hint: string;
  /** 1-based line of the offending statement in `sql` */
  line: number;
}

/**
 * A statement PostgreSQL would reject for the migration's transaction mode: one that cannot run in a
 * transaction block in a transactional migration, or next to other statements in a
 * `--! no-transaction` one (one multi-statement query is one implicit transaction). Null when there
 * is none or the SQL does not parse (PostgreSQL's own error will say why).
 */
export async function transactionModeProblem(sql: string, transaction: boolean): Promise<TransactionModeProblem | null> {
  const pg = await loadParser();
  let stmts: { stmt: Node; stmt_location?: number }[];
  try {
    stmts = pg.parseSync(sql).stmts;
  } catch {
    return null;
  }
  const bytes = Buffer.from(sql, 'utf8');
  for (const { stmt, stmt_location: at } of stmts) {
    const what = outsideTransactionReason(stmt);
    if (!what) continue;
    const line = statementStart(bytes, at ?? 0, bytes.length).line;
    if (transaction) {
      return { line, message: `${what} cannot run inside a transaction block, and this migration runs in one.`,
        hint: 'Start the body (the first line after the headers\' blank line) with `--! no-transaction` and keep that statement alone in its migration.' };
    }
    if (stmts.length > 1) {
      return { line, message: `${what} cannot run inside a transaction block, and PostgreSQL runs the ${stmts.length} statements of a --! no-transaction migration as one query, in one implicit transaction.`,
        hint: `Put ${what} alone in its own --! no-transaction migration.` };
    }
  }
  return null;
}

/** Refuses, before anything is applied, a SQL migration PostgreSQL would reject for its transaction mode. */
export async function assertTransactionMode(sql: string, file: string, transaction: boolean): Promise<void> {
  const problem = await transactionModeProblem(sql, transaction);
  if (problem) throw new GovdbError('MIGRATION_FILE_INVALID', `${file}: ${problem.message}`, { file, hint: problem.hint });
}

/** Splits SQL text into statements with PostgreSQL's parser and classifies each. `file` names it in errors. */
export async function previewSql(sql: string, file: string): Promise<StatementPreview[]> {
  const pg = await loadParser();
  let parsed: ReturnType<typeof pg.parseSync>;
  try {
    parsed = pg.parseSync(sql);
  } catch (err) {
    throw new GovdbError('MIGRATION_FILE_INVALID', `${file} does not parse as PostgreSQL SQL: ${(err as Error).message}`, { file, cause: err });
  }
  const bytes = Buffer.from(sql, 'utf8');
  return parsed.stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const { line, text } = statementStart(bytes, start, s.stmt_len ? start + s.stmt_len : bytes.length);
    return { line, text, ...classifyStatement(s.stmt) };
  });
}

/** The preview of one planned ledger item. */
export async function previewItem(files: LedgerFiles, item: LedgerItem, timeouts: MigrationTimeouts, database: string): Promise<ItemPreview> {
  let statements: StatementPreview[];
  let transaction = true;
  if (item.kind === 'sql') {
    const m = files.sql.find((x) => x.file === item.file)!;
    transaction = m.transaction;
    const sql: string = gmMigration.generatePlaceholderReplacement(files.gmSettings, { database })(m.gm.body);
    statements = (await previewSql(sql, m.file)).map((s) => ({ ...s, line: s.line + m.bodyLine - 1 }));
  } else if (item.kind === 'cypher') {
    const m = files.cypher.find((x) => x.file === item.file)!;
    const rendered = m.script.steps.flatMap((step) => renderStep(m.script.graph, step).map((sql) => ({ sql, step })));
    statements = [];
    for (const { sql, step } of rendered) {
      const [one] = await previewSql(sql, m.file);
      const line = step.kind === 'cypher' ? step.line : 0;
      if (step.kind === 'cypher') {
        // Cypher writes take ROW EXCLUSIVE on label tables, reads ACCESS SHARE (AGE runs them as table scans/inserts)
        const writes = /\b(create|merge|set|delete|remove)\b/i.test(step.text);
        statements.push({ line, text: sql, kind: 'Cypher', lock: writes ? 'ROW EXCLUSIVE' : 'ACCESS SHARE', table: `${m.script.graph}.*` });
      } else if (/^select ag_catalog\.create_(graph|vlabel|elabel)\(/.test(sql)) {
        // creates the graph's schema or a new label table: no lock on existing tables
        statements.push({ line, text: sql, kind: step.kind, lock: null, table: null });
      } else if (step.kind === 'drop_label') {
        statements.push({ line, text: sql, kind: 'drop_label', lock: 'ACCESS EXCLUSIVE', table: `${m.script.graph}.${step.label}` });
      } else if (one) {
        statements.push({ ...one, line });
      }
    }
  } else {
    const f = files.functions.find((x) => x.file === item.file)!;
    statements = await previewSql(f.text, f.file);
  }
  return {
    kind: item.kind,
    file: item.file,
    state: item.state,
    transaction,
    timeouts,
    strongestLock: statements.reduce<LockMode | null>((acc, s) => stronger(acc, s.lock), null),
    statements,
  };
}
