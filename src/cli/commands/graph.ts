import { Command } from 'commander';
import { createPool } from '../../db/pool';
import { GraphCheck, LabelRepair, rebuildGraph, verifyGraph } from '../../domain/graph';
import { GovdbError } from '../../errors';
import { addDatabaseOption, printJson, reportError, resolveDatabaseUrl } from '../output';

/** Exit codes of `govdb graph verify`: CI branches on them. */
export const GRAPH_EXIT = { OK: 0, DIVERGED: 1, ERROR: 2 } as const;

function printCheck(check: GraphCheck): void {
  process.stdout.write(`${'label'.padEnd(12)} ${'expected'.padStart(9)} ${'actual'.padStart(9)} ${'missing'.padStart(8)} ${'extra'.padStart(8)} ${'dup'.padStart(6)} ${'stale'.padStart(6)}\n`);
  for (const l of check.labels) {
    process.stdout.write(`${l.label.padEnd(12)} ${String(l.expected).padStart(9)} ${String(l.actual).padStart(9)} ${String(l.missing).padStart(8)} ${String(l.extra).padStart(8)} ${String(l.duplicates).padStart(6)} ${String(l.stale).padStart(6)}${l.ok ? '' : '  DIVERGED'}\n`);
  }
  for (const l of check.labels.filter((x) => !x.ok)) {
    const more = (shown: string[], total: number) => (total > shown.length ? ` (+${total - shown.length} more)` : '');
    if (l.missing) process.stdout.write(`  ${l.label} missing in the graph: ${l.missingIds.join(', ')}${more(l.missingIds, l.missing)}\n`);
    if (l.extra) process.stdout.write(`  ${l.label} extra in the graph: ${l.extraIds.join(', ')}${more(l.extraIds, l.extra)}\n`);
    if (l.stale) process.stdout.write(`  ${l.label} with stale properties: ${l.staleIds.join(', ')}${more(l.staleIds, l.stale)}\n`);
    if (l.duplicates) process.stdout.write(`  ${l.label}: ${l.duplicates} duplicate element(s)\n`);
  }
  process.stdout.write(check.ok ? 'OK: the graph matches the relational tables\n' : 'DIVERGED: run `govdb graph rebuild` to re-project the graph\n');
}

function printRepairs(repairs: LabelRepair[]): void {
  for (const r of repairs) {
    process.stdout.write(`${r.label.padEnd(12)} deleted ${r.deleted}, created ${r.created}, updated ${r.updated}\n`);
  }
}

export function registerGraph(program: Command): void {
  const graph = program.command('graph').description('The AGE projection (governance_graph) of the knowledge graph and agents');

  addDatabaseOption(
    graph
      .command('verify')
      .description('Compare the relational tables with the AGE graph: counts per label, missing/extra/stale ids. Exit 0 consistent, 1 diverged, 2 error')
      .option('--sample <n>', 'ids listed per label and kind of difference', '20')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (opts: { json?: boolean; databaseUrl?: string; sample: string }) => {
    try {
      const pool = createPool(resolveDatabaseUrl(opts), { max: 1 });
      try {
        const sample = Number(opts.sample);
        if (!Number.isInteger(sample) || sample < 0 || sample > 10000) {
          throw new GovdbError('INVALID_INPUT', `--sample "${opts.sample}" is invalid: expected an integer 0..10000`);
        }
        const check = await verifyGraph(pool, sample);
        if (opts.json) printJson(check);
        else printCheck(check);
        process.exitCode = check.ok ? GRAPH_EXIT.OK : GRAPH_EXIT.DIVERGED;
      } finally {
        await pool.end();
      }
    } catch (err) {
      reportError(err, !!opts.json, GRAPH_EXIT.ERROR);
    }
  });

  addDatabaseOption(
    graph
      .command('rebuild')
      .description('Re-project the AGE graph from the relational tables (repairs missing, extra, duplicate and stale elements), then verify. Exit 0 consistent afterwards, 1 still diverged, 2 error')
      .option('--json', 'machine-readable output on stdout'),
  ).action(async (opts: { json?: boolean; databaseUrl?: string }) => {
    try {
      const pool = createPool(resolveDatabaseUrl(opts), { max: 1 });
      try {
        const repairs = await rebuildGraph(pool);
        const check = await verifyGraph(pool);
        if (opts.json) printJson({ ok: check.ok, repairs, verify: check });
        else {
          printRepairs(repairs);
          printCheck(check);
        }
        process.exitCode = check.ok ? GRAPH_EXIT.OK : GRAPH_EXIT.DIVERGED;
      } finally {
        await pool.end();
      }
    } catch (err) {
      reportError(err, !!opts.json, GRAPH_EXIT.ERROR);
    }
  });
}
