import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import type { PairedResult } from './measure';

/** The subset of a results file that --compare reads. */
export interface ComparableResults {
  date: string;
  quick: boolean;
  paired: PairedResult[];
}

/**
 * The newest full run committed under bench/results/ (by the ISO date in its name), other than
 * `exclude`; null when there is none. "Committed" is what `git ls-files` lists; outside a git
 * checkout every full-*.json file of the folder counts.
 */
export function previousCommittedFullRun(root: string, exclude?: string): string | null {
  const dir = path.join(root, 'bench', 'results');
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '--', 'bench/results'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter(Boolean).map((f) => path.join(root, f));
  } catch {
    files = existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : [];
  }
  const full = files
    .filter((f) => /^full-.*\.json$/.test(path.basename(f)) && existsSync(f))
    .filter((f) => !exclude || path.resolve(f) !== path.resolve(exclude))
    .sort();
  return full.length ? full[full.length - 1]! : null;
}

/** Lines comparing the p50 ratios (op / floor) of every operation present in both runs. */
export function compareRuns(previous: ComparableResults, current: ComparableResults, previousName: string): string[] {
  const before = new Map(previous.paired.map((r) => [r.name, r]));
  const lines = [`ratio p50 (op / floor) against ${previousName} (${previous.date}); negative change = better`];
  const f = (x: number) => x.toFixed(2);
  for (const r of current.paired) {
    const old = before.get(r.name);
    if (!old) {
      lines.push(`  ${r.name.padEnd(52)} ×${f(r.ratioP50)}  (new)`);
      continue;
    }
    const change = ((r.ratioP50 - old.ratioP50) / old.ratioP50) * 100;
    lines.push(`  ${r.name.padEnd(52)} ×${f(old.ratioP50)} → ×${f(r.ratioP50)}  ${change >= 0 ? '+' : ''}${change.toFixed(0)}%   (p50 ${old.op.p50.toFixed(3)} → ${r.op.p50.toFixed(3)} ms)`);
  }
  for (const old of previous.paired) if (!current.paired.some((r) => r.name === old.name)) lines.push(`  ${old.name.padEnd(52)} ×${f(old.ratioP50)} → (not measured)`);
  return lines;
}

export function readResults(file: string): ComparableResults {
  return JSON.parse(readFileSync(file, 'utf8')) as ComparableResults;
}
