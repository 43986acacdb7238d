import fs from 'fs';
import path from 'path';
import ts from 'typescript';

/**
 * The layers of src (docs/architecture.md): a module may import only from its own layer or a lower
 * one, and only src/db imports the PostgreSQL driver. Lower number = lower layer.
 *
 *   errors.ts                                  0  (imports nothing of src)
 *   db                                         1  the only place that imports `pg`
 *   domain                                     2  services
 *   cache, audit, import, drift, backup, config.ts  3  infrastructure on db/domain (may use each other)
 *   mcp                                        4  MCP transport (its ports: ports.ts, observability.ts)
 *   http                                       5  HTTP transport, carries MCP
 *   server                                     6  wiring of one server process
 *   cli, bench                                 7  entry points (`govdb serve` starts the wiring)
 */
const RANK: Record<string, number> = {
  errors: 0, util: 0, db: 1, domain: 2, cache: 3, audit: 3, import: 3, drift: 3, backup: 3, config: 3, mcp: 4, http: 5, server: 6, cli: 7, bench: 7,
};

/** Files that still import `pg` outside src/db; each entry must go (the test fails when one no longer does). */
const PG_PENDING = new Set<string>([]);

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a file: import/export ... from, import(), require(), `import('x').T` types. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = path.resolve(path.dirname(from), spec);
  return target.startsWith(SRC + path.sep) ? target : null;
}

const files = sourceFiles(SRC);
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

test('the scan sees the imports it checks (self-check)', () => {
  expect(files.length).toBeGreaterThan(100);
  expect(specifiers(path.join(SRC, 'db', 'pool.ts'))).toContain('pg');
  expect(specifiers(path.join(SRC, 'server', 'runtime.ts'))).toEqual(expect.arrayContaining(['../audit', '../config']));
  for (const file of files) expect(RANK[layerOf(file)]).toEqual(expect.any(Number));
});

test('only src/db imports the PostgreSQL driver', () => {
  const offenders = files
    .filter((f) => layerOf(f) !== 'db' && specifiers(f).some((s) => /^pg($|\/|-)/.test(s)))
    .map(rel);
  expect(offenders.filter((f) => !PG_PENDING.has(f))).toEqual([]);
  // a pending file that no longer imports pg must leave the list, so the list only shrinks
  expect([...PG_PENDING].filter((f) => !offenders.includes(f))).toEqual([]);
});

test('nothing imports from a higher layer', () => {
  const upward: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of specifiers(file)) {
      const target = resolveLocal(file, spec);
      if (!target) continue;
      const to = layerOf(target.endsWith('.ts') ? target : `${target}.ts`);
      if (RANK[to] !== undefined && RANK[to] > RANK[from]!) upward.push(`${rel(file)} (${from}) imports ${spec} (${to})`);
    }
  }
  expect(upward).toEqual([]);
});
