import { randomBytes } from 'crypto';
import { TransactionTarget, withRolledBackTransaction } from '../db/pool';
import { toGovdbError } from '../db/sqlErrors';
import { GovdbError, SQLSTATE, sqlState } from '../errors';
import { readOnlyProblems, tokenizeCypher } from './cypherTokens';

/**
 * Read-only Cypher against the AGE graph `governance_graph`, for operators (the admin tool
 * graph_query). AGE needs the Cypher text as a constant and a column list matching RETURN, so the
 * SQL is built here; what makes that safe:
 *
 * - the text goes into a dollar-quoted constant whose tag (`$gq_<random hex>$`) is new per call;
 *   any text containing `$gq_` is refused, so a query cannot close the quote;
 * - the text is lexed (src/domain/cypherTokens.ts: strings, comments, backquoted names, numbers glued
 *   to words): write words (CREATE, MERGE, SET, DELETE, DETACH, REMOVE, CALL, LOAD, FOREACH, …) are
 *   refused anywhere unquoted, and calls only of the allow-listed Cypher functions (no
 *   schema-qualified `pg_catalog.f(...)`: AGE runs those as PostgreSQL functions);
 * - it runs in a READ ONLY transaction that is always ROLLED BACK, with a local statement_timeout,
 *   under the role govdb_graph_reader (SELECT/USAGE only). AGE 1.5's SET/REMOVE/DELETE ignore both
 *   READ ONLY and table privileges (CREATE/MERGE do need INSERT), so the rollback is what makes a
 *   write that slipped through the check leave nothing behind;
 * - values come only through AGE's agtype bind parameter (`$name` in the Cypher, `params` here);
 * - rows are capped by a LIMIT on the outer SELECT (AGE executes lazily, so a plain MATCH stops early).
 *
 * Columns: one per top-level item of the last top-level RETURN (`RETURN *` is refused: it has no
 * fixed column list). An item's key in the result is its `AS` alias, else its text.
 */

export const GRAPH_NAME = 'governance_graph';
export const DEFAULT_TIMEOUT_MS = 2000;
export const MAX_TIMEOUT_MS = 10_000;
export const DEFAULT_ROW_LIMIT = 100;
export const MAX_ROW_LIMIT = 1000;
export const MAX_QUERY_LENGTH = 20_000;

const TAG_FAMILY = '$gq_';
/** The role graph_query runs under: SELECT/USAGE on the graph and ag_catalog only (sql/functions/graph_query.sql). */
export const GRAPH_READER_ROLE = 'govdb_graph_reader';

export interface GraphQueryInput {
  query: string;
  params?: Record<string, unknown>;
  timeoutMs?: number;
  limit?: number;
}

export interface GraphQueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  /** more rows existed than the limit */
  truncated: boolean;
}

export type GraphQueryService = ReturnType<typeof createGraphQueryService>;

/** Read-only Cypher over `db` (a pool, or an open transaction: then in a savepoint that is rolled back). */
export function createGraphQueryService(db: TransactionTarget) {
  return {
    /** Plans and runs a query: INVALID_INPUT for a refused query, a timeout or a Cypher error; the rows capped at `limit`. */
    run: (input: GraphQueryInput) => runGraphQuery(db, input),
  };
}

/** Plans (planGraphQuery) and runs (executeGraphQuery) a query with the default timeout and limit. */
export async function runGraphQuery(pool: TransactionTarget, input: GraphQueryInput): Promise<GraphQueryResult> {
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = input.limit ?? DEFAULT_ROW_LIMIT;
  return executeGraphQuery(pool, planGraphQuery(input.query, { timeoutMs, limit }), { params: input.params, timeoutMs, limit });
}

/** Runs a plan of planGraphQuery in a READ ONLY transaction with a local statement timeout. */
export async function executeGraphQuery(
  pool: TransactionTarget,
  plan: GraphQueryPlan,
  options: { params?: Record<string, unknown>; timeoutMs: number; limit: number },
): Promise<GraphQueryResult> {
  const { timeoutMs, limit } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) throw invalid([`timeout_ms ${timeoutMs} is out of range: expected 1..${MAX_TIMEOUT_MS}`]);
  const params = options.params === undefined ? null : JSON.stringify(options.params);
  try {
    // one attempt: a read cannot fail serialization at read committed, and a slow query must not run twice.
    // The transaction always ROLLS BACK: AGE 1.5 applies SET/REMOVE/DELETE despite READ ONLY and without
    // checking table privileges, so the only guarantee that nothing a query did survives is not committing.
    // (withRolledBackTransaction: a connection whose rollback fails is destroyed, never returned to poison the next caller with 25P02)
    const rows = await withRolledBackTransaction(pool, async (tx) => {
      // the timeout is a checked integer, never caller text; the role refuses CREATE/MERGE (INSERT privilege)
      await tx.query(`set local statement_timeout = ${timeoutMs}; set local role ${GRAPH_READER_ROLE}`);
      return (await tx.query({ text: plan.sql, values: [params, limit + 1], rowMode: 'array' })).rows as Array<Array<string | null>>;
    }, { readOnly: true });
    const truncated = rows.length > limit;
    const kept = truncated ? rows.slice(0, limit) : rows;
    return {
      columns: plan.columns,
      rows: kept.map((row) => Object.fromEntries(plan.columns.map((c, i) => [c, parseAgtype(row[i] ?? null)]))),
      rowCount: kept.length,
      truncated,
    };
  } catch (err) {
    throw cypherError(err, timeoutMs);
  }
}

export interface GraphQueryPlan {
  sql: string;
  columns: string[];
}

/** Validates the Cypher text and builds the SQL (`$1` = agtype params, `$2` = row limit). Throws INVALID_INPUT. */
export function planGraphQuery(query: string, options: { timeoutMs: number; limit: number }): GraphQueryPlan {
  const problems: string[] = [];
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_TIMEOUT_MS) {
    problems.push(`timeout_ms ${options.timeoutMs} is out of range: expected 1..${MAX_TIMEOUT_MS}`);
  }
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_ROW_LIMIT) {
    problems.push(`limit ${options.limit} is out of range: expected 1..${MAX_ROW_LIMIT}`);
  }
  if (!query.trim()) problems.push('query is empty: expected a Cypher query with a RETURN clause');
  if (query.length > MAX_QUERY_LENGTH) problems.push(`query has ${query.length} characters: at most ${MAX_QUERY_LENGTH} allowed`);
  if (query.includes('\0')) problems.push('query contains a NUL character');
  if (query.toLowerCase().includes(TAG_FAMILY)) problems.push(`query contains "${TAG_FAMILY}", which is reserved for the quoting of the Cypher text`);
  if (problems.length) throw invalid(problems);

  // a real lexer (strings, comments, backquoted names, numbers glued to words) and an allow-list of functions
  problems.push(...readOnlyProblems(tokenizeCypher(query)));
  if (problems.length) throw invalid(problems, 'graph_query runs MATCH … RETURN reads only; backquote a name that looks like a keyword (`set`).');
  const masked = maskCypher(query);

  const unbalanced = unbalancedBracket(masked);
  if (unbalanced) throw invalid([unbalanced]);
  const columns = returnColumns(query, masked);
  let tag: string;
  do tag = `${TAG_FAMILY}${randomBytes(8).toString('hex')}$`; while (query.includes(tag));
  const columnList = columns.map((_, i) => `c${i} ag_catalog.agtype`).join(', ');
  const sql = `select * from ag_catalog.cypher('${GRAPH_NAME}', ${tag}${query}${tag}, $1::ag_catalog.agtype) as t(${columnList}) limit $2`;
  return { sql, columns };
}

/**
 * The query with string literals, backquoted names and comments (or only comments) replaced by
 * spaces (same length), so that keywords, brackets and commas can be found by position. Throws on
 * an unterminated one.
 */
export function maskCypher(query: string, only: 'all' | 'comments' = 'all'): string {
  const out = query.split('');
  let i = 0;
  const blank = (from: number, to: number) => { for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '; };
  while (i < query.length) {
    const ch = query[i]!;
    if (ch === '\'' || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== ch) j += ch !== '`' && query[j] === '\\' ? 2 : 1;
      if (j >= query.length) throw invalid([`unterminated ${ch === '`' ? 'backquoted name' : 'string literal'} starting at character ${i + 1}`]);
      if (only === 'all') blank(i, j + 1);
      i = j + 1;
    } else if (ch === '/' && query[i + 1] === '/') {
      const end = query.indexOf('\n', i);
      const j = end < 0 ? query.length : end;
      blank(i, j);
      i = j;
    } else if (ch === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      if (end < 0) throw invalid([`unterminated comment starting at character ${i + 1}`]);
      blank(i, end + 2);
      i = end + 2;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Result keys of the last top-level RETURN: `AS` aliases, else the item text; duplicates get _2, _3. */
function returnColumns(query: string, masked: string): string[] {
  const clauses = topLevelKeywords(masked, /(?<![\w.$:])(RETURN|ORDER\s+BY|SKIP|LIMIT|UNION)(?!\w)/gi);
  const lastReturn = clauses.filter((c) => c.word === 'RETURN').pop();
  if (!lastReturn) throw invalid(['found no top-level RETURN clause: graph_query returns what RETURN lists'], 'End the query with RETURN and the values you want, e.g. MATCH (d:Discovery) RETURN d.id, d.status');
  const end = clauses.find((c) => c.index > lastReturn.index && c.word !== 'RETURN')?.index ?? query.length;
  let start = lastReturn.index + lastReturn.length;
  const distinct = /^\s*DISTINCT(?!\w)/i.exec(masked.slice(start, end));
  if (distinct) start += distinct[0].length;
  const items = splitTopLevel(masked, start, end);
  const withoutComments = maskCypher(query, 'comments');
  const seen = new Map<string, number>();
  return items.map(([from, to]) => {
    const itemMasked = masked.slice(from, to);
    if (itemMasked.trim() === '*') throw invalid(['RETURN * has no fixed column list'], 'Name the returned values: RETURN d, t instead of RETURN *.');
    if (!query.slice(from, to).trim()) throw invalid([`RETURN has an empty item at character ${from + 1}`]);
    // the alias follows the item's last AS; it may be backquoted (blank in the masked text)
    const aliasAt = [...itemMasked.matchAll(/(?<![\w.$:])AS\s/gi)].pop();
    const alias = aliasAt ? query.slice(from + aliasAt.index + 2, to).trim() : '';
    const raw = /^(\w+|`[^`]+`)$/.test(alias) ? alias : withoutComments.slice(from, to);
    const key = columnKey(raw);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key}_${n}`;
  });
}

/** Backquotes removed, whitespace collapsed, control characters dropped, at most 100 characters. */
function columnKey(raw: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
  const key = raw.trim().replace(/^`(.*)`$/s, '$1').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return key.slice(0, 100) || 'value';
}

function topLevelKeywords(masked: string, pattern: RegExp): Array<{ word: string; index: number; length: number }> {
  const depths = bracketDepths(masked);
  const found: Array<{ word: string; index: number; length: number }> = [];
  for (const m of masked.matchAll(pattern)) {
    if (depths[m.index] === 0) found.push({ word: m[1]!.toUpperCase().split(/\s+/)[0]!, index: m.index, length: m[0].length });
  }
  return found;
}

function splitTopLevel(masked: string, start: number, end: number): Array<[number, number]> {
  const depths = bracketDepths(masked);
  const parts: Array<[number, number]> = [];
  let from = start;
  for (let i = start; i < end; i++) {
    if (masked[i] === ',' && depths[i] === 0) {
      parts.push([from, i]);
      from = i + 1;
    }
  }
  parts.push([from, end]);
  return parts;
}

function unbalancedBracket(masked: string): string | null {
  const open: number[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < masked.length; i++) {
    const ch = masked[i]!;
    if (ch === '(' || ch === '[' || ch === '{') open.push(i);
    else if (pairs[ch]) {
      const at = open.pop();
      if (at === undefined || masked[at] !== pairs[ch]) return `"${ch}" at character ${i + 1} closes nothing${at === undefined ? '' : ` ("${masked[at]}" at character ${at + 1} is open)`}`;
    }
  }
  return open.length ? `"${masked[open[open.length - 1]!]}" at character ${open[open.length - 1]! + 1} is never closed` : null;
}

/** Nesting depth of (), [] and {} at every position of the masked query. */
function bracketDepths(masked: string): number[] {
  const depths: number[] = new Array(masked.length);
  let depth = 0;
  for (let i = 0; i < masked.length; i++) {
    const ch = masked[i]!;
    if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    depths[i] = depth;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
  }
  return depths;
}

/**
 * agtype text as JSON: the `::vertex`, `::edge`, `::path` (and `::numeric`) annotations are
 * dropped outside strings, NaN and ±Infinity become strings, and integers beyond 2^53 become
 * strings so that graph ids stay exact.
 */
export function parseAgtype(text: string | null): unknown {
  if (text === null) return null;
  let json = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      json += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === ':' && text[i + 1] === ':') {
      const m = /^::[A-Za-z_]\w*/.exec(text.slice(i));
      i += m ? m[0].length : 2;
    } else if (/[-0-9NI]/.test(ch)) {
      const m = /^(-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(i));
      if (!m) {
        json += ch;
        i++;
        continue;
      }
      const token = m[1]!;
      const isInteger = /^-?\d+$/.test(token);
      json += /^-?Infinity$|^NaN$/.test(token) || (isInteger && !Number.isSafeInteger(Number(token))) ? JSON.stringify(token) : token;
      i += token.length;
    } else {
      json += ch;
      i++;
    }
  }
  try {
    return JSON.parse(json);
  } catch {
    // an agtype this parser does not know: hand the text over rather than fail the whole query
    return text;
  }
}

const CONNECTION_CLASSES = ['08', '53', '57P', '58'];

/** AGE and PostgreSQL errors of the query are the caller's to fix: INVALID_INPUT with the server's message. */
function cypherError(err: unknown, timeoutMs: number): unknown {
  if (err instanceof GovdbError) return err;
  const state = sqlState(err);
  if (!state || CONNECTION_CLASSES.some((c) => state.startsWith(c))) return toGovdbError(err);
  const pgErr = err as { message: string; hint?: string };
  if (state === SQLSTATE.QUERY_CANCELED) {
    return new GovdbError('INVALID_INPUT', `The Cypher query was cancelled after ${timeoutMs} ms (statement timeout).`, {
      reason: 'QUERY_TIMEOUT', sqlstate: state, cause: err,
      hint: `Narrow the MATCH (labels, WHERE on indexed id), add LIMIT, or raise timeout_ms (at most ${MAX_TIMEOUT_MS}).`,
    });
  }
  return new GovdbError('INVALID_INPUT', `The Cypher query failed: ${pgErr.message}`, {
    reason: state === '25006' || state === '42501' ? 'READ_ONLY' : 'CYPHER_ERROR', sqlstate: state, cause: err,
    hint: pgErr.hint ?? 'Check the query against the AGE Cypher dialect (labels Agent, Discovery, Tag, DialecticSession).',
  });
}

function invalid(problems: string[], hint?: string): GovdbError {
  return new GovdbError('INVALID_INPUT', `Invalid Cypher query: ${problems.join('; ')}`, { hint: hint ?? 'Fix the problems named above and retry.' });
}
