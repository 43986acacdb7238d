import { createHash } from 'crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { insertEvents, EventRow } from '../../src/audit/auditDb';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * audit.insert_events loads a batch by one of two statements: a plain insert when no hash of the
 * batch is stored or repeated (the mirror's steady state), else — after event_hashes_pkey refused
 * the first — the deduplicated load (docs/performance.md, "Audit mirror insert"). Whichever runs, a
 * hash becomes exactly one row, the counts add up, ids follow the batch order, and nothing of a
 * refused batch stays.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.pool.query('truncate audit.events, audit.event_hashes');
});

const hashOf = (k: number): string => createHash('sha256').update(`event ${k}`).digest('hex');

/** Event k: its hash, time and details derive from k, so a repeated k is the same event. */
function event(k: number): EventRow {
  return {
    occurred_at: new Date(Date.UTC(2026, 10, 1) + k * 1000).toISOString(),
    agent_id: `agent-${k % 3}`, session_id: 's', event_type: 'prop_event', confidence: null,
    details: { k }, content_hash: hashOf(k), prev_hash: null,
  };
}

async function stored(): Promise<Array<{ k: number; id: string }>> {
  const { rows } = await db.pool.query<{ k: number; id: string }>(`select (e.details->>'k')::int as k, e.id::text from audit.events e order by e.id`);
  return rows;
}

describe('audit.insert_events', () => {
  it('batches of new, stored and repeated hashes: one row per hash, counts add up, ids in batch order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 5 }),
        async (batches) => {
          await db.pool.query('truncate audit.events, audit.event_hashes');
          const seen = new Set<number>();
          const order: number[] = [];
          for (const batch of batches) {
            const fresh = [...new Set(batch)].filter((k) => !seen.has(k));
            const r = await insertEvents(db.pool, batch.map(event), 'server');
            expect(r).toEqual({ inserted: fresh.length, duplicates: batch.length - fresh.length });
            for (const k of fresh) seen.add(k);
            order.push(...fresh); // first occurrence in the batch gives the order
          }
          const rows = await stored();
          expect(rows.map((r) => r.k)).toEqual(order);
          const hashes = (await db.pool.query<{ n: number }>('select count(*)::int as n from audit.event_hashes')).rows[0]!.n;
          expect(hashes).toBe(seen.size);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('an invalid element whose hash is stored is skipped as a duplicate; an invalid new one refuses the batch', async () => {
    await insertEvents(db.pool, [event(1)], 'server');
    const badStored = { ...event(1), event_type: 'Bad Type' };
    expect(await insertEvents(db.pool, [event(2), badStored], 'server')).toEqual({ inserted: 1, duplicates: 1 });
    const badNew = { ...event(3), event_type: 'Bad Type' };
    await expect(insertEvents(db.pool, [event(4), badNew], 'server')).rejects.toThrow('Audit event #2 of the batch is invalid');
    expect((await stored()).map((r) => r.k)).toEqual([1, 2]);
    expect((await db.pool.query<{ n: number }>('select count(*)::int as n from audit.event_hashes')).rows[0]!.n).toBe(2);
  });

  it('concurrent loaders of overlapping batches: each hash one row, no error', async () => {
    const clients = await Promise.all([0, 1, 2].map(async () => {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      return c;
    }));
    try {
      for (let round = 0; round < 5; round++) {
        const base = round * 2000;
        // the same 2000 events, whole in file order, whole in reverse order, and cut into batches:
        // loaders inserting one hash set in opposite orders would deadlock, unless the hashes go in
        // one order (content_hash) whatever the batch order
        const ks = Array.from({ length: 2000 }, (_, i) => base + i);
        const plans = [[ks], [[...ks].reverse()], [ks.slice(0, 700), ks.slice(700, 1400), ks.slice(1400)]];
        const totals = await Promise.all(plans.map(async (batches, i) => {
          let inserted = 0;
          for (const b of batches) {
            const { rows } = await clients[i]!.query<{ inserted: number; duplicates: number }>('select * from audit.insert_events($1::jsonb)', [JSON.stringify(b.map(event))]);
            inserted += rows[0]!.inserted;
          }
          return inserted;
        }));
        expect(totals.reduce((a, b) => a + b, 0)).toBe(2000);
      }
      const { rows } = await db.pool.query<{ n: number; d: number; h: number }>(
        `select count(*)::int as n, count(distinct content_hash)::int as d, (select count(*)::int from audit.event_hashes) as h from audit.events`);
      expect(rows[0]).toEqual({ n: 10000, d: 10000, h: 10000 });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
