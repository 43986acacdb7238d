import { Counts, Detected, Entity, ENTITIES, emptyCounts } from './types';

export interface FileReport {
  path: string;
  format: string;
  /** SQLite: every table with its recognised shape, rows and whether it was imported */
  tables?: { name: string; shape: string; rows: number; imported: boolean }[];
  status: 'imported' | 'skipped' | 'unknown' | 'malformed' | 'failed';
  notes: string[];
  entities: Partial<Record<Entity, Counts>>;
  resumed_from?: Record<string, { index: number; offset?: number }>;
}

export interface ReconciliationCheck {
  entity: string;
  expected: number;
  actual: number;
  ok: boolean;
  rule: string;
}

export interface ImportReport {
  started_at: string;
  finished_at?: string;
  dry_run: boolean;
  resumed: boolean;
  source_timezone: string;
  paths: string[];
  files: FileReport[];
  totals: Partial<Record<Entity, Counts>>;
  placeholder_agents_created: number;
  dangling_links: number;
  /** tags that updated discoveries no longer carry (removed from knowledge.discovery_tags) */
  discovery_tags_removed: number;
  quarantined: number;
  quarantine_file?: string;
  checkpoint_file?: string;
  reconciliation?: {
    postgres: { before: Record<string, number>; after: Record<string, number> };
    graph: { rebuilt: unknown; counts: Record<string, number>; verify: unknown; note?: string };
    checks: ReconciliationCheck[];
    ok: boolean;
  };
}

export function formatName(d: Detected): string {
  switch (d.kind) {
    case 'agent_metadata_json':
      return `agent_metadata JSON (${d.shape} shape)`;
    case 'sqlite':
      return 'SQLite';
    case 'sqlite_sidecar':
      return `SQLite sidecar of ${d.of}`;
    case 'unknown':
    case 'malformed':
      return `${d.kind}: ${d.reason}`;
    default:
      return d.kind.replace(/_/g, ' ');
  }
}

export function addCounts(into: Partial<Record<Entity, Counts>>, entity: Entity, c: Partial<Counts>): void {
  const cur = (into[entity] ??= emptyCounts());
  for (const [k, v] of Object.entries(c) as [keyof Counts, number][]) cur[k] += v;
}

export function totalsOf(files: FileReport[]): Partial<Record<Entity, Counts>> {
  const totals: Partial<Record<Entity, Counts>> = {};
  for (const f of files) for (const [e, c] of Object.entries(f.entities) as [Entity, Counts][]) addCounts(totals, e, c);
  return totals;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** The human table (stderr): per file and entity, then totals and the reconciliation. */
export function renderTable(r: ImportReport): string {
  const header = ['file / entity', 'read', r.dry_run ? 'valid' : 'inserted', 'updated', 'present', 'quarantined'];
  const lines: string[][] = [header];
  const countsRow = (label: string, c: Counts) => [label, String(c.read), String(r.dry_run ? c.read - c.quarantined : c.inserted), String(c.updated), String(c.already_present), String(c.quarantined)];
  const out: string[] = [];
  for (const f of r.files) {
    lines.push([`${f.path}  [${f.format}${f.status === 'imported' ? '' : `; ${f.status}`}]`, '', '', '', '', '']);
    for (const e of ENTITIES) if (f.entities[e]) lines.push(countsRow(`  ${e}`, f.entities[e]!));
  }
  lines.push(['TOTAL', '', '', '', '', '']);
  for (const e of ENTITIES) if (r.totals[e]) lines.push(countsRow(`  ${e}`, r.totals[e]!));
  const widths = header.map((_, i) => Math.max(...lines.filter((l) => l.slice(1).some((x) => x !== '') || i === 0).map((l) => (l[i] ?? '').length)));
  for (const l of lines) out.push(l.slice(1).every((x) => x === '') ? l[0]! : row(l, widths));
  out.push('');
  out.push(`naive timestamps read as ${r.source_timezone}; placeholder agents created: ${r.placeholder_agents_created}; dangling links: ${r.dangling_links}; quarantined: ${r.quarantined}${r.quarantine_file ? ` (${r.quarantine_file})` : ''}`);
  if (r.reconciliation) {
    out.push(`reconciliation ${r.reconciliation.ok ? 'OK' : 'FAILED'}:`);
    for (const c of r.reconciliation.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.entity.padEnd(28)} expected ${c.expected}, found ${c.actual}  (${c.rule})`);
    if (r.reconciliation.graph.note) out.push(`  graph: ${r.reconciliation.graph.note}`);
  }
  return out.join('\n') + '\n';
}
