import type { ConcurrencyResult } from './concurrency';
import type { CpuPerCall } from './cpu';
import type { distribution, PairedResult } from './measure';
import type { MixedResult } from './mixed';

/** Durability settings of the benchmarked server, as it reports them (pg_settings). */
export interface ServerDurability {
  fsync: string;
  synchronous_commit: string;
  full_page_writes: string;
  wal_sync_method: string;
}

/** The results JSON written under bench/results/ (operation names stay stable so runs compare). */
export interface BenchResults {
  date: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage1m?: number };
  versions: { govdb: string; postgres: string; age: string; redis: string };
  /** the server: durable = fsync, synchronous_commit and full_page_writes all on */
  server: { url: string; durable: boolean; settings: ServerDurability };
  knowledge: { discoveries: number; edges: number; generateMs: number; projectMs: number };
  paired: PairedResult[];
  cpuPerUpdate?: CpuPerCall;
  /** ms from one server's invalidateAgent until another server's in-process tier serves the new value */
  metadataInvalidationMs?: ReturnType<typeof distribution>;
  concurrency?: ConcurrencyResult;
  /** the mixed MCP workload through the built HTTP server (absent in runs before it existed) */
  mixed?: MixedResult;
  /** durable* fields: acknowledged (fsynced) audit appends beside a raw fdatasync floor; absent in runs before they existed */
  audit: {
    mirrorEventsPerSec: number; mirrorLines: number;
    /** the mirror's floor (src/bench/benches.ts mirrorFloor); absent in runs before it existed. Runs before 2026-11-30 (issue 18) counted only the bulk lines in mirrorEventsPerSec, not the acknowledged appends mirrored in the same timed run */
    mirrorFloorRowsPerSec?: number;
    durableEventsPerSec?: number; durableProducers?: number; rawFsyncsPerSec?: number; durableAddedP50Ms?: number; fsyncFloorP50Ms?: number;
  };
  import: { lines: number; rows: number; ms: number; rowsPerSec: number; peakRssMb: number };
  migrateFromEmptyMs: ReturnType<typeof distribution>;
}

export function isDurable(s: ServerDurability): boolean {
  return s.fsync === 'on' && s.synchronous_commit !== 'off' && s.synchronous_commit !== 'local' && s.full_page_writes === 'on';
}
