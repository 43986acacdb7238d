import fc from 'fast-check';
import { SessionRegistry } from '../../src/http/sessionRegistry';

/**
 * The bounds of HTTP MCP sessions as a property (unit, no I/O): for any sequence of initialize
 * attempts from a few addresses, DELETEs and passing time, live sessions never exceed the caps,
 * accepted initializes per address never exceed the rate in any sliding minute, and every session
 * idle longer than the idle time is closed (transport and server) by the sweep.
 */
type Op = { kind: 'init'; addr: number } | { kind: 'delete'; pick: number } | { kind: 'wait'; ms: number } | { kind: 'sweep' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('init' as const), addr: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  fc.record({ kind: fc.constant('sweep' as const) }),
);

describe('SessionRegistry bounds (property)', () => {
  it('caps, rate and idle expiry hold for any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ maxSessions: fc.integer({ min: 1, max: 6 }), maxSessionsPerClient: fc.integer({ min: 1, max: 4 }), initializePerMinute: fc.integer({ min: 1, max: 5 }), idleMs: fc.integer({ min: 1000, max: 60_000 }) }),
        fc.array(opArb, { maxLength: 80 }),
        async (limits, ops) => {
          let now = 0;
          const registry = new SessionRegistry(limits, undefined, () => now);
          const closed = new Set<string>();
          const deleted = new Set<string>();
          const accepted: Record<string, number[]> = {};
          let n = 0;
          try {
            for (const op of ops) {
              if (op.kind === 'init') {
                const addr = `10.0.0.${op.addr}`;
                const refusal = registry.admit(addr);
                if (!refusal) {
                  const id = `s${n++}`;
                  const fake = { close: async () => void closed.add(id) };
                  registry.add({ id, clientAddress: addr, transport: fake as never, server: fake as never });
                  (accepted[addr] ??= []).push(now);
                } else {
                  expect(['MCP_SESSIONS_FULL', 'MCP_CLIENT_SESSIONS_FULL', 'RATE_LIMITED']).toContain(refusal.code);
                  expect(refusal.retryAfterSeconds).toBeGreaterThan(0);
                }
              } else if (op.kind === 'delete') {
                const live = [...Array(n).keys()].map((i) => `s${i}`).filter((id) => registry.get(id));
                if (live.length) {
                  const id = live[op.pick % live.length]!;
                  registry.remove(id, 'deleted');
                  deleted.add(id);
                }
              } else if (op.kind === 'wait') {
                now += op.ms;
              } else {
                await registry.sweep();
                // nothing idle beyond the limit survives a sweep
                for (let i = 0; i < n; i++) {
                  const s = registry.get(`s${i}`);
                  if (s) expect(now - s.lastSeenAt).toBeLessThanOrEqual(limits.idleMs);
                  // an expired session's transport and server were closed
                  else if (!deleted.has(`s${i}`)) expect(closed.has(`s${i}`)).toBe(true);
                }
              }
              // invariants after every step
              expect(registry.size).toBeLessThanOrEqual(limits.maxSessions);
              const perAddr = new Map<string, number>();
              for (let i = 0; i < n; i++) {
                const s = registry.get(`s${i}`);
                if (s) perAddr.set(s.clientAddress, (perAddr.get(s.clientAddress) ?? 0) + 1);
              }
              for (const count of perAddr.values()) expect(count).toBeLessThanOrEqual(limits.maxSessionsPerClient);
              for (const times of Object.values(accepted)) {
                for (const t of times) expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(limits.initializePerMinute);
              }
            }
          } finally {
            await registry.close();
          }
          // close() closes every session still live
          for (let i = 0; i < n; i++) expect(registry.get(`s${i}`)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});
