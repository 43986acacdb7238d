import { GovdbError } from '../errors';

/**
 * A lexer for the Cypher subset graph_query accepts, written to the openCypher/AGE lexical rules that
 * matter for telling reads from writes: string literals ('…' and "…" with backslash escapes),
 * backquoted names (`` `…` `` with `` `` `` for a backquote), line and block comments, numbers (decimal,
 * hexadecimal, octal, with fraction and exponent) and names. A number glued to a word (`1SET`) is two
 * tokens, exactly as AGE reads it. Anything outside ASCII outside strings, names and comments is refused.
 */
export type CypherTokenKind = 'string' | 'quoted_name' | 'name' | 'number' | 'parameter' | 'symbol';

export interface CypherToken {
  kind: CypherTokenKind;
  /** the token's text as written (a quoted name without its backquotes) */
  text: string;
  /** 0-based offset in the query */
  index: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:0x[0-9A-Fa-f]+|0o[0-7]+|(?:\d+\.\d+|\d+|\.\d+)(?:[eE][-+]?\d+)?)/y;
const SYMBOLS = ['<>', '<=', '>=', '=~', '->', '<-', '..', '+=', '(', ')', '[', ']', '{', '}', ',', '.', ':', ';', '|', '=', '<', '>', '+', '-', '*', '/', '%', '^', '!'];

/** Tokens of `query` without whitespace and comments. Throws INVALID_INPUT on unterminated strings, names, comments and unknown characters. */
export function tokenizeCypher(query: string): CypherToken[] {
  const tokens: CypherToken[] = [];
  let i = 0;
  const fail = (what: string, at: number) => {
    throw new GovdbError('INVALID_INPUT', `Invalid Cypher query: ${what} at character ${at + 1}`, { hint: 'Fix the query text and retry.' });
  };
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '/' && query[i + 1] === '/') {
      const end = query.indexOf('\n', i);
      i = end < 0 ? query.length : end + 1;
    } else if (ch === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment starting', i);
      i = end + 2;
    } else if (ch === '\'' || ch === '"') {
      let j = i + 1;
      while (j < query.length && query[j] !== ch) j += query[j] === '\\' ? 2 : 1;
      if (j >= query.length) fail('unterminated string literal starting', i);
      tokens.push({ kind: 'string', text: query.slice(i, j + 1), index: i });
      i = j + 1;
    } else if (ch === '`') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= query.length) fail('unterminated backquoted name starting', i);
        if (query[j] === '`') {
          if (query[j + 1] === '`') { text += '`'; j += 2; continue; }
          break;
        }
        text += query[j];
        j++;
      }
      tokens.push({ kind: 'quoted_name', text, index: i });
      i = j + 1;
    } else if (ch === '$') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(query);
      if (!m) fail('"$" must start a parameter name', i);
      tokens.push({ kind: 'parameter', text: m![0], index: i });
      i = i + 1 + m![0].length;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(query)!;
      tokens.push({ kind: 'number', text: m[0], index: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      NAME.lastIndex = i;
      const m = NAME.exec(query)!;
      tokens.push({ kind: 'name', text: m[0], index: i });
      i += m[0].length;
    } else {
      const symbol = SYMBOLS.find((s) => query.startsWith(s, i));
      if (!symbol) fail(`unexpected character ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`, i);
      tokens.push({ kind: 'symbol', text: symbol!, index: i });
      i += symbol!.length;
    }
  }
  return tokens;
}

/** Clause words that write or call out; refused wherever they appear unquoted, except as a property key after `name.` (backquote other names). */
export const WRITE_WORDS: ReadonlySet<string> = new Set(['CREATE', 'MERGE', 'SET', 'DELETE', 'DETACH', 'REMOVE', 'CALL', 'LOAD', 'FOREACH', 'DROP', 'YIELD', 'USING', 'PERIODIC', 'COMMIT']);

/** Keywords that may be followed by "(" (clauses and operators, not calls). */
const KEYWORDS_BEFORE_PAREN: ReadonlySet<string> = new Set([
  'MATCH', 'OPTIONAL', 'WHERE', 'WITH', 'RETURN', 'UNWIND', 'AND', 'OR', 'XOR', 'NOT', 'IN', 'AS', 'DISTINCT',
  'ORDER', 'BY', 'SKIP', 'LIMIT', 'UNION', 'ALL', 'CASE', 'WHEN', 'THEN', 'ELSE', 'IS', 'CONTAINS', 'STARTS', 'ENDS',
]);

/** Functions graph_query may call: AGE's Cypher functions that read (lower case; Cypher names are case-insensitive). */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'id', 'labels', 'label', 'type', 'properties', 'keys', 'startnode', 'endnode', 'nodes', 'relationships', 'length', 'size',
  'head', 'last', 'tail', 'range', 'reverse', 'coalesce', 'exists', 'isempty',
  'count', 'sum', 'avg', 'min', 'max', 'collect', 'stdev', 'stdevp', 'percentilecont', 'percentiledisc',
  'tostring', 'tointeger', 'tofloat', 'toboolean', 'tolower', 'toupper', 'lower', 'upper', 'trim', 'ltrim', 'rtrim',
  'substring', 'replace', 'split', 'left', 'right', 'abs', 'ceil', 'floor', 'round', 'sign', 'sqrt', 'exp', 'log', 'log10',
  'e', 'pi', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'degrees', 'radians', 'rand', 'timestamp',
  'all', 'any', 'none', 'single',
]);

/** The problems that make `tokens` not a read-only query (empty: fine). */
export function readOnlyProblems(tokens: CypherToken[]): string[] {
  const problems: string[] = [];
  tokens.forEach((t, k) => {
    const next = tokens[k + 1];
    const prev = tokens[k - 1];
    // `LIMIT 1SET`, `0x1CREATE`: a number glued to a word is never needed and is how keywords hide
    if (t.kind === 'number' && next && next.kind !== 'symbol' && next.kind !== 'string' && next.index === t.index + t.text.length) {
      problems.push(`the number ${t.text} at character ${t.index + 1} is glued to "${next.text}": separate them with a space`);
    }
    // a property access (`d.set`) is a key, not a clause: only after a name or a closing bracket (never
    // after a number: `1.SET` must not pass)
    const isPropertyKey = prev?.kind === 'symbol' && prev.text === '.' && !!tokens[k - 2]
      && (tokens[k - 2]!.kind === 'name' || tokens[k - 2]!.kind === 'quoted_name' || [')', ']'].includes(tokens[k - 2]!.text));
    if (t.kind === 'name' && WRITE_WORDS.has(t.text.toUpperCase()) && !isPropertyKey) {
      problems.push(`found the write clause ${t.text.toUpperCase()} at character ${t.index + 1}: graph_query is read-only`);
      return;
    }
    if (next?.kind === 'symbol' && next.text === '(' && (t.kind === 'name' || t.kind === 'quoted_name')) {
      if (prev?.kind === 'symbol' && prev.text === '.') {
        problems.push(`found a schema-qualified function call "${prev ? tokens[k - 2]?.text ?? '' : ''}.${t.text}(" at character ${t.index + 1}: only Cypher functions are allowed`);
      } else if (t.kind === 'quoted_name') {
        problems.push(`found a call of the backquoted name \`${t.text}\` at character ${t.index + 1}: only Cypher functions are allowed`);
      } else if (!ALLOWED_FUNCTIONS.has(t.text.toLowerCase()) && !KEYWORDS_BEFORE_PAREN.has(t.text.toUpperCase())) {
        problems.push(`the function ${t.text}() at character ${t.index + 1} is not on graph_query's list of read functions`);
      }
    }
  });
  return problems;
}
