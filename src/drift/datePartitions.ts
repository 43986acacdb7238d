/**
 * Monthly partitions (`audit.events_2026_11`, …) are created relative to the month the ledger ran
 * in (`audit.ensure_partitions(now(), 3)` in migration 1) and later by a scheduled job, so their
 * names, bounds and number legitimately differ between databases. They are compared as a pattern:
 * every partition named `<parent>_YYYY_MM` whose bound is exactly that month is renamed
 * `<parent>_YYYY_MM` (literally) in every key and attribute of the objects that belong to it, so
 * all months collapse into one template object per kind. Months that disagree with each other
 * (an index added to one month only) stay distinct variants and show up as drift; how many months
 * exist is not compared.
 */

export const MONTH_PLACEHOLDER = 'YYYY_MM';

export interface PartitionRow {
  /** schema-qualified, quoted partition name */
  name: string;
  /** bare relation name of the partition */
  relname: string;
  /** bare relation name of its parent */
  parentRelname: string;
  bound: string | null;
}

export interface MonthlyPartition {
  relname: string;
  pattern: string;
  /** the bound with both dates replaced by placeholders (only when it is exactly the named month) */
  bound: string;
}

function monthBound(year: number, month: number): string {
  const from = `${year}-${String(month).padStart(2, '0')}-01 00:00:00+00`;
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  const to = `${nextYear}-${String(nextMonth).padStart(2, '0')}-01 00:00:00+00`;
  return `FOR VALUES FROM ('${from}') TO ('${to}')`;
}

/** Returns the partitions that are monthly by name and bound, keyed by schema-qualified name. */
export function findMonthlyPartitions(rows: PartitionRow[]): Map<string, MonthlyPartition> {
  const monthly = new Map<string, MonthlyPartition>();
  for (const row of rows) {
    const prefix = `${row.parentRelname}_`;
    if (!row.relname.startsWith(prefix)) continue;
    const match = /^([0-9]{4})_([0-9]{2})$/.exec(row.relname.slice(prefix.length));
    if (!match) continue;
    const year = Number(match[1]);
    const month = Number(match[2]);
    if (month < 1 || month > 12) continue;
    const pattern = `${prefix}${MONTH_PLACEHOLDER}`;
    // a bound that is not exactly the named month is kept verbatim, so it shows up as drift
    const bound = row.bound === monthBound(year, month)
      ? `FOR VALUES FROM ('YYYY-MM-01 00:00:00+00') TO ('YYYY-MM-01 00:00:00+00' + 1 month)`
      : row.bound ?? '';
    monthly.set(row.name, { relname: row.relname, pattern, bound });
  }
  return monthly;
}

/** Replaces a monthly partition's name inside a string (index names embed it: events_2026_11_pkey). */
export function replaceMonth(text: string, partition: MonthlyPartition): string {
  return text.split(partition.relname).join(partition.pattern);
}
