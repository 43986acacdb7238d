import { GovdbError } from '../errors';
import type { Queryable } from './pool';

/* What govdb needs of a PostgreSQL server, checked before anything is applied or served. */

/** The oldest PostgreSQL major version govdb runs on. */
export const MIN_POSTGRES_MAJOR = 16;
/** Extensions the ledger creates: they must be available on the server (installed packages). */
export const REQUIRED_EXTENSIONS = ['age', 'pgcrypto', 'pg_trgm'] as const;

/**
 * PostgreSQL ≥ 16 with age, pgcrypto and pg_trgm available (pg_available_extensions).
 * @throws GovdbError POSTGRES_TOO_OLD or EXTENSION_MISSING
 */
export async function checkPostgresServer(db: Queryable, where: string, minMajor: number = MIN_POSTGRES_MAJOR): Promise<void> {
  const version = await db.query<{ num: string; text: string }>(`select current_setting('server_version_num') as num, current_setting('server_version') as text`);
  const major = Math.floor(Number(version.rows[0]!.num) / 10_000);
  if (major < minMajor) {
    throw new GovdbError('POSTGRES_TOO_OLD', `PostgreSQL at ${where} is version ${version.rows[0]!.text}; govdb needs ${minMajor} or newer.`, {
      hint: 'Point DB_POSTGRES_URL at PostgreSQL 16+ with Apache AGE (for development: scripts/db/pg-age.sh start), or unset it to use the embedded store.',
    });
  }
  const available = await db.query<{ name: string }>(`select name from pg_available_extensions where name = any($1::text[])`, [[...REQUIRED_EXTENSIONS]]);
  const have = new Set(available.rows.map((r) => r.name));
  const missing = REQUIRED_EXTENSIONS.filter((e) => !have.has(e));
  if (missing.length) {
    throw new GovdbError('EXTENSION_MISSING', `PostgreSQL ${version.rows[0]!.text} at ${where} lacks the extension(s) ${missing.join(', ')}; nothing was changed.`, {
      hint: missing.includes('age')
        ? 'Install Apache AGE for this PostgreSQL (Debian 13: apt-get install postgresql-17-age) and add age to shared_preload_libraries, or use scripts/db/pg-age.sh.'
        : 'Install the PostgreSQL contrib package of this server (e.g. postgresql-contrib).',
      missing,
    });
  }
}

