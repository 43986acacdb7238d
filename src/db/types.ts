/**
 * The connection types other layers may name. Only src/db imports `pg` (test/layering.test.ts checks
 * it); everything above names these aliases instead, so the driver can change in one place.
 */
export type { Pool as DbPool, PoolClient as DbPoolClient, Client as DbConnection } from 'pg';
export type { Queryable } from './pool';
