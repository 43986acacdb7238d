import { mkdirSync } from 'fs';
import path from 'path';

/**
 * The zero-setup store: PGlite (PostgreSQL 18 in WebAssembly) with AGE, pgcrypto and pg_trgm,
 * served over the wire protocol on a loopback port so that the same pg pool, the same ledger and
 * the same stored functions run unchanged. PGlite has ONE backend session shared by every client:
 * callers must use a pool of one connection (see runtime.ts).
 */
export interface EmbeddedStore {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startEmbeddedStore(dataDir: string): Promise<EmbeddedStore> {
  const dir = path.resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  // PGlite's packages are ESM-first but ship CommonJS builds; loaded lazily so the PostgreSQL mode never pays for them
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily (see above); PGlite's CommonJS builds */
  const { PGlite } = require('@electric-sql/pglite');
  const { age } = require('@electric-sql/pglite-age');
  const { pgcrypto } = require('@electric-sql/pglite/contrib/pgcrypto');
  const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm');
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
  /* eslint-enable @typescript-eslint/no-require-imports -- end of the lazy PGlite loads */
  const db = await PGlite.create(dir, { extensions: { age, pgcrypto, pg_trgm } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    dataDir: dir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
