/**
 * Paired measurement: on these 2-vCPU machines the cost of one loopback round trip moves with vCPU
 * placement from moment to moment, so every operation sample is preceded by a floor sample taken on
 * the same connection, and the two distributions are reported together with their ratio.
 */
export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export interface PairedResult {
  name: string;
  floorName: string;
  op: Distribution;
  floor: Distribution;
  /** op p50 / floor p50 */
  ratioP50: number;
  /** median of per-pair ratios op[i] / floor[i] */
  ratioPairedMedian: number;
  throughputPerSec: number;
  notes?: string;
}

export function distribution(samplesMs: number[]): Distribution {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

export async function measurePaired(
  name: string,
  floorName: string,
  floor: () => Promise<unknown>,
  op: (i: number) => Promise<unknown>,
  options: { iterations: number; warmup?: number; notes?: string },
): Promise<PairedResult> {
  for (let i = 0; i < (options.warmup ?? Math.min(50, options.iterations)); i++) {
    await floor();
    await op(-1 - i);
  }
  const floorSamples: number[] = [];
  const opSamples: number[] = [];
  const started = nowMs();
  let opTotal = 0;
  for (let i = 0; i < options.iterations; i++) {
    floorSamples.push(await timeIt(floor));
    const t = await timeIt(() => op(i));
    opSamples.push(t);
    opTotal += t;
  }
  void started;
  const ratios = opSamples.map((o, i) => o / (floorSamples[i] || Number.EPSILON));
  const opDist = distribution(opSamples);
  const floorDist = distribution(floorSamples);
  return {
    name,
    floorName,
    op: opDist,
    floor: floorDist,
    ratioP50: opDist.p50 / floorDist.p50,
    ratioPairedMedian: distribution(ratios).p50,
    throughputPerSec: options.iterations / (opTotal / 1000),
    notes: options.notes,
  };
}

export function formatRow(r: PairedResult): string {
  const f = (x: number) => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
  return [
    r.name.padEnd(44),
    `p50 ${f(r.op.p50)}`.padEnd(13), `p95 ${f(r.op.p95)}`.padEnd(13), `p99 ${f(r.op.p99)}`.padEnd(13),
    `| floor(${r.floorName}) p50 ${f(r.floor.p50)} p95 ${f(r.floor.p95)}`.padEnd(44),
    `| ×${r.ratioP50.toFixed(2)} (paired ×${r.ratioPairedMedian.toFixed(2)})`.padEnd(28),
    `${Math.round(r.throughputPerSec)}/s`,
  ].join(' ');
}
