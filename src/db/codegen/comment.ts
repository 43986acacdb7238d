/**
 * A stored function's COMMENT, split into the prose carried into the wrapper's doc comment and the
 * machine-readable `@` lines (convention: `@nonnull *` = every result column, or the scalar result,
 * is never NULL; `@nonnull a, b` = only these result columns are never NULL).
 */
export interface FunctionComment {
  /** prose lines, trailing blank lines removed */
  doc: string[];
  /** '*' for all result columns, the named columns, or none */
  nonNull: '*' | string[];
}

/** Parses a COMMENT; throws on an `@` line it does not know, so a typo cannot silently drop a declaration. */
export function parseFunctionComment(comment: string | null, fn: string): FunctionComment {
  const doc: string[] = [];
  let nonNull: '*' | string[] = [];
  for (const raw of (comment ?? '').split('\n')) {
    const line = raw.trimEnd();
    const at = /^\s*@(\w+)\s*(.*)$/.exec(line);
    if (!at) {
      doc.push(line);
      continue;
    }
    if (at[1] !== 'nonnull') throw new Error(`codegen: ${fn}: unknown COMMENT directive @${at[1]} (known: @nonnull)`);
    const list = at[2]!.trim();
    if (list === '*') nonNull = '*';
    else if (nonNull !== '*') {
      const names = list.split(',').map((s) => s.trim()).filter(Boolean);
      if (!names.length) throw new Error(`codegen: ${fn}: @nonnull needs * or a list of result columns`);
      nonNull.push(...names);
    }
  }
  while (doc.length && !doc[doc.length - 1]!.trim()) doc.pop();
  while (doc.length && !doc[0]!.trim()) doc.shift();
  return { doc, nonNull };
}
