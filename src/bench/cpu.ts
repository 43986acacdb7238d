import { readFileSync } from 'fs';
import type { DbPoolClient as PoolClient } from '../db/types';

/**
 * CPU counters for the benchmark: a PostgreSQL backend's user+system time from /proc/<pid>/stat
 * (clock ticks, 100 per second on Linux: 10 ms resolution, so measure over thousands of calls), and
 * this Node process's own time from process.cpuUsage(). The backend pid is a host pid also when the
 * server runs in the chroot of scripts/db/pg-age.sh (chroot shares the pid namespace).
 */
const TICKS_PER_SECOND = 100;

/** User+system CPU of a process in ms; null when /proc is not readable (another host, another OS). */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" that ends the command name: state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuPerCall {
  calls: number;
  /** CPU of the PostgreSQL backend serving the calls, ms per call (null: /proc not readable) */
  postgresMsPerCall: number | null;
  /** CPU of this Node process, ms per call (driver, wrapper, service layer) */
  nodeMsPerCall: number;
  /** sum of both, ms per call */
  totalMsPerCall: number | null;
  wallMsPerCall: number;
}

/** Runs `op` `calls` times on one connection and divides the CPU counters' deltas by the calls. */
export async function cpuPerCall(client: PoolClient, calls: number, op: (i: number) => Promise<unknown>): Promise<CpuPerCall> {
  const pid = Number((await client.query('select pg_backend_pid() as pid')).rows[0].pid);
  const pg0 = processCpuMs(pid);
  const node0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await op(i);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const node = process.cpuUsage(node0);
  const pg1 = processCpuMs(pid);
  const postgresMsPerCall = pg0 === null || pg1 === null ? null : (pg1 - pg0) / calls;
  const nodeMsPerCall = (node.user + node.system) / 1000 / calls;
  return {
    calls,
    postgresMsPerCall,
    nodeMsPerCall,
    totalMsPerCall: postgresMsPerCall === null ? null : postgresMsPerCall + nodeMsPerCall,
    wallMsPerCall: wallMs / calls,
  };
}
