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
  /** anomalies of the records read, per entity and kind (docs/import.md "Anomalies") */
  anomalies: Partial<Record<Entity, Record<string, number>>>;
  /** legacy agents whose status the merge rule set from their lifecycle evidence */
  agents_settled_by_evidence: number;
  /** recognised files or tables that were not imported (a failure unless allow_skip) */
  not_imported: string[];
  allow_skip: boolean;
  /** true when a dry run ran the import in a transaction that was rolled back (its counts are the real run's) */
  dry_run_in_database?: boolean;
  /** post-import consistency check: contradictions among imported rows fail the run */
  consistency?: { ok: boolean; contradictions: { kind: string; subject: string; detail: string }[] };
  /** true when every check passed: reconciliation, consistency, nothing recognised left unimported (or allowed) */
  ok?: boolean;
  reconciliation?: {
    postgres: { before: Record<string, number>; after: Record<string, number> };
    /** rows of knowledge.graph_rebuild() and knowledge.graph_verify(), counts as numbers; AGE vertex / edge counts per "kind label" */
    graph: { rebuilt: unknown[]; counts: Record<string, number>; verify: unknown[] };
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

/** The summary table (stdout): per file and entity, totals, anomalies and the outcome of the checks. */
export function renderTable(r: ImportReport): string {
  const header = ['file / entity', 'read', 'inserted', 'updated', 'present', 'quarantined'];
  const lines: string[][] = [header];
  const countsRow = (label: string, c: Counts) => [label, String(c.read), String(c.inserted), String(c.updated), String(c.already_present), String(c.quarantined)];
  const out: string[] = [];
  if (r.dry_run) out.push(r.dry_run_in_database ? 'DRY RUN: the import ran in a transaction that was rolled back; nothing was written' : 'DRY RUN without a database: parsed and validated only (inserted/updated/present are not known)');
  for (const f of r.files) {
    lines.push([`${f.path}  [${f.format}${f.status === 'imported' ? '' : `; ${f.status}`}]`, '', '', '', '', '']);
    for (const e of ENTITIES) if (f.entities[e]) lines.push(countsRow(`  ${e}`, f.entities[e]));
  }
  lines.push(['TOTAL', '', '', '', '', '']);
  for (const e of ENTITIES) if (r.totals[e]) lines.push(countsRow(`  ${e}`, r.totals[e]));
  const widths = header.map((_, i) => Math.max(...lines.filter((l) => l.slice(1).some((x) => x !== '') || i === 0).map((l) => (l[i] ?? '').length)));
  for (const l of lines) out.push(l.slice(1).every((x) => x === '') ? l[0]! : row(l, widths));
  out.push('');
  const kinds = Object.entries(r.anomalies).flatMap(([e, k]) => Object.entries(k ?? {}).map(([kind, n]) => `${e}.${kind} ${n}`));
  out.push(`anomalies (stored with origin legacy): ${kinds.length ? kinds.join(', ') : 'none'}; agents settled by lifecycle evidence: ${r.agents_settled_by_evidence}`);
  out.push(`naive timestamps read as ${r.source_timezone}; placeholder agents created: ${r.placeholder_agents_created}; dangling links: ${r.dangling_links}; quarantined: ${r.quarantined}${r.quarantine_file ? ` (${r.quarantine_file})` : ''}`);
  if (r.not_imported.length) out.push(`recognised but NOT imported (${r.allow_skip ? 'allowed by --allow-skip' : 'fails the run; pass --allow-skip to accept'}): ${r.not_imported.length}`);
  if (r.consistency) out.push(`consistency ${r.consistency.ok ? 'OK' : `FAILED: ${r.consistency.contradictions.length} contradiction(s)`}`);
  if (r.reconciliation) out.push(`reconciliation ${r.reconciliation.ok ? 'OK' : 'FAILED'}`);
  return out.join('\n') + '\n';
}

/** Diagnostics (stderr): file notes, what was not imported, contradictions and every reconciliation check. */
export function renderDiagnostics(r: ImportReport): string {
  const out: string[] = [];
  for (const f of r.files) for (const n of f.notes) out.push(`note: ${f.path}: ${n}`);
  for (const n of r.not_imported) out.push(`not imported: ${n}`);
  for (const c of r.consistency?.contradictions ?? []) out.push(`contradiction: ${c.kind} ${c.subject}: ${c.detail}`);
  if (r.reconciliation) {
    out.push(`reconciliation ${r.reconciliation.ok ? 'OK' : 'FAILED'}:`);
    for (const c of r.reconciliation.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.entity.padEnd(28)} expected ${c.expected}, found ${c.actual}  (${c.rule})`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** Exit code of a finished import: 0 ok, 3 reconciliation failed, 4 contradictions, 5 recognised data left unimported. */
export function exitCodeOf(r: ImportReport): number {
  if (r.reconciliation && !r.reconciliation.ok) return 3;
  if (r.consistency && !r.consistency.ok) return 4;
  if (r.not_imported.length && !r.allow_skip) return 5;
  return 0;
}
