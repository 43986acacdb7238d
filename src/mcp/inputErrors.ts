import { z } from 'zod';
import { GovdbError } from '../errors';
import { fieldPath } from './boundary';

/**
 * Names a caller may reach for that are far from the real name by spelling. They are suggestions
 * only: no tool accepts them (the original server accepted no aliases).
 */
const SUGGESTIONS: Record<string, string> = {
  content: 'details',
  text: 'details',
  body: 'details',
  tag: 'tags',
  conditions: 'proposed_conditions',
  discovery_type: 'type',
};

/** Levenshtein edit distance (insertions, deletions, substitutions), two rows. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The valid name closest to an unknown one, or null when none is close: a known suggestion, else the
 * smallest edit distance within a third of the name (at least 2), else a name the unknown one ends
 * with or that ends with it at a `_` boundary (`conditions` → `proposed_conditions`,
 * `discovery_type` → `type`).
 */
export function closestName(unknown: string, valid: readonly string[]): string | null {
  const key = unknown.toLowerCase();
  const suggested = SUGGESTIONS[key];
  if (suggested && valid.includes(suggested)) return suggested;
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const v of valid) {
    const d = editDistance(key, v);
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best ?? valid.find((v) => v.endsWith(`_${key}`) || key.endsWith(`_${v}`)) ?? null;
}

type AnyZod = z.ZodType;

function inner(schema: AnyZod): AnyZod {
  let s = schema;
  for (;;) {
    const d = (s as unknown as { _zod: { def: { type: string; innerType?: AnyZod; in?: AnyZod } } })._zod.def;
    if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default') && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The field names of the object schema at `path` inside `schema` (through arrays and optionals), or []. */
function namesAt(schema: AnyZod, path: ReadonlyArray<PropertyKey>): string[] {
  let s = inner(schema);
  for (const part of path) {
    const d = (s as unknown as { _zod: { def: { type: string; element?: AnyZod } } })._zod.def;
    if (typeof part === 'number' && d.type === 'array' && d.element) s = inner(d.element);
    else if (typeof part === 'string' && d.type === 'object') s = inner((s as z.ZodObject).shape[part] as AnyZod);
    else return [];
    if (!s) return [];
  }
  return (s as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'object' ? Object.keys((s as z.ZodObject).shape) : [];
}

/**
 * The INVALID_INPUT error for a failed argument parse: every problem named by its field (up to five),
 * unknown argument names with the closest valid name. `field` is the first problem's field and
 * `closest` the suggested name for the first unknown one.
 */
export function invalidInput(tool: string, schema: AnyZod, error: z.ZodError): GovdbError {
  const problems: string[] = [];
  let field: string | undefined;
  let closest: string | undefined;
  for (const issue of error.issues.slice(0, 5)) {
    if (issue.code === 'unrecognized_keys') {
      const valid = namesAt(schema, issue.path);
      for (const key of issue.keys) {
        const path = fieldPath([...issue.path, key]);
        const near = closestName(key, valid);
        field ??= path;
        if (near && closest === undefined) closest = near;
        problems.push(`unknown argument "${path}"${near ? ` (did you mean "${fieldPath([...issue.path, near])}"?)` : ''}`);
      }
      continue;
    }
    const path = fieldPath(issue.path);
    field ??= path;
    const message = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required' : issue.message;
    problems.push(`${path}: ${message}`);
  }
  if (error.issues.length > 5) problems.push(`and ${error.issues.length - 5} more`);
  return new GovdbError('INVALID_INPUT', `Invalid arguments for ${tool}: ${problems.join('; ')}.`, {
    field,
    ...(closest ? { closest } : {}),
    hint: closest
      ? `Use "${closest}"; tools/list gives every argument of ${tool} with its type and limits.`
      : `tools/list gives every argument of ${tool} with its type and limits.`,
  });
}
