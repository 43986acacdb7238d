import { Client } from 'pg';
import { Queryable } from './pool';

/** One connection of its own (not from a pool), whose session outlives any single query. */
export interface DedicatedConnection extends Queryable {
  end(): Promise<void>;
}

export interface DedicatedConnectionOptions {
  /** application_name shown in pg_stat_activity */
  applicationName: string;
  /** called once when the connection fails or ends after it was opened (the session, and its locks, are gone) */
  onLost(err: Error): void;
  /** connect timeout (ms, default 5000) */
  connectTimeoutMs?: number;
}

/**
 * Opens a connection with TCP keepalive (so a vanished peer is noticed), in UTC with AGE's catalog on
 * the search path. For session state that must live exactly as long as one connection, e.g. the
 * leader's advisory lock (src/server/leader.ts). Rejects with the driver's error when it cannot
 * connect (nothing is left open then).
 */
export async function openDedicatedConnection(url: string | undefined, options: DedicatedConnectionOptions): Promise<DedicatedConnection> {
  const c = new Client({ connectionString: url, application_name: options.applicationName, keepAlive: true, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
  let open = false;
  c.on('error', (err) => (open ? options.onLost(err) : undefined));
  c.on('end', () => (open ? options.onLost(new Error(`${options.applicationName} connection ended`)) : undefined));
  try {
    await c.connect();
    await c.query(`set timezone = 'UTC'; set search_path = "$user", public, ag_catalog`);
  } catch (err) {
    await c.end().catch(() => undefined);
    throw err;
  }
  open = true;
  return c;
}
