import { Json, stableStringify } from './model';
import { Difference } from './compare';
import { DriftReport } from './drift';

const MARK: Record<Difference['change'], string> = { missing: '-', extra: '+', changed: '~' };

function short(value: Json | undefined): string {
  const text = typeof value === 'string' ? value : stableStringify(value ?? null);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** The human-readable report: differences grouped by object, then the checks, then the verdict. */
export function renderDriftReport(report: DriftReport): string {
  const lines: string[] = [];
  if (report.expected) lines.push(`expected: ${report.expected}`);
  if (report.actual) lines.push(`actual:   ${report.actual}`);
  if (report.error) {
    lines.push(`govdb drift: could not compare: ${report.error.code}: ${report.error.message}`);
    if (report.error.hint) lines.push(`hint: ${report.error.hint}`);
    return lines.join('\n') + '\n';
  }
  lines.push('');
  for (const group of report.objects) {
    lines.push(group.object);
    // when the object itself is missing or extra, its columns, grants … are implied: count them only
    const whole = group.differences.find((d) => d.change !== 'changed' && d.kind !== 'grant' && d.kind !== 'comment' && group.object.endsWith(` ${d.name}`));
    const implied = whole ? group.differences.filter((d) => d !== whole && d.change === whole.change) : [];
    for (const d of group.differences) {
      if (implied.includes(d)) continue;
      const head = `  ${MARK[d.change]} ${d.kind} ${d.name} (${d.change})`;
      if (d.change === 'changed') {
        lines.push(head);
        for (const f of d.fields ?? []) lines.push(`      ${f.field}: ${short(f.before)}  →  ${short(f.after)}`);
      } else {
        lines.push(`${head}: ${short((d.change === 'missing' ? d.before : d.after))}`);
      }
      if (d === whole && implied.length) lines.push(`      and ${implied.length} ${whole.change} part(s) of it: ${implied.map((i) => i.kind).filter((k, n, all) => all.indexOf(k) === n).join(', ')}`);
    }
  }
  const ledger = report.checks.ledger;
  if (ledger.status === 'skipped') lines.push(`ledger: not checked (${ledger.reason})`);
  else if (ledger.status === 'ok') lines.push('ledger: every file is applied with its current checksum');
  else {
    lines.push(`ledger: ${ledger.items.length} item(s) disagree with the files`);
    for (const item of ledger.items) lines.push(`  ${item.state.padEnd(12)} ${item.kind.padEnd(8)} ${item.file}`);
  }
  const codegen = report.checks.codegen;
  lines.push(`generated types: ${codegen.status}${codegen.detail ? ` (${codegen.detail.split('\n').join(' / ')})` : ''}`);
  for (const nc of report.notCompared) {
    lines.push(`not compared: ${nc.kind}: expected [${nc.expected.join(', ')}], actual [${nc.actual.join(', ')}]`);
  }
  const s = report.summary;
  lines.push(report.exitCode === 0
    ? 'No drift.'
    : `Drift: ${s.objects} object(s) differ (${s.missing} missing, ${s.extra} extra, ${s.changed} changed)${ledger.status === 'drift' ? '; ledger disagrees with the files' : ''}${codegen.status === 'stale' ? '; generated types are stale' : ''}${report.strict && report.notCompared.length ? '; --strict: some objects were not compared' : ''}.`);
  return lines.join('\n') + '\n';
}
