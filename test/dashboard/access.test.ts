import { AddressInfo } from 'net';
import { createServer, Server } from 'http';
import express from 'express';
import fc from 'fast-check';
import { apiRouter } from '../../src/http/dashboard';
import { ChangeSource, LiveHub } from '../../src/http/dashboard/live';
import type { ServerDeps } from '../../src/mcp/deps';

/**
 * The access rule as a class: EVERY route of the dashboard API (read from the router itself, so a
 * route added later is covered without editing this test) answers 401 JSON without the admin token,
 * with a wrong one, and when the server has no admin token configured at all (fails closed). The
 * deps are never reached: the rule runs before any I/O (the pool here would throw if touched).
 */

const TOKEN = 'dashboard-admin-token-0123456789';
const untouchable = new Proxy({}, { get: (_t, p) => { throw new Error(`the dashboard touched deps.${String(p)} before authenticating`); } });

function serve(adminToken: string | undefined): Promise<{ server: Server; base: string; routes: Array<{ method: string; path: string }> }> {
  // every dependency but the token is an object that throws as soon as it is used
  const deps2 = new Proxy({}, { get: (_t, p) => (p === 'adminToken' ? adminToken : untouchable) }) as unknown as ServerDeps;
  const router = apiRouter(deps2, new LiveHub(untouchable as ChangeSource, { mode: async () => 'poll', log: () => undefined }));
  const routes = (router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>)
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).map((method) => ({ method: method.toUpperCase(), path: l.route!.path.replace(/:id/g, 'x1') })));
  const app = express();
  app.use('/dashboard/api', router);
  const server = createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, routes })));
}

describe('dashboard API access', () => {
  let withToken: Awaited<ReturnType<typeof serve>>;
  let withoutToken: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    withToken = await serve(TOKEN);
    withoutToken = await serve(undefined);
  });
  afterAll(async () => {
    await new Promise((r) => withToken.server.close(r));
    await new Promise((r) => withoutToken.server.close(r));
  });

  const call = (base: string, route: { method: string; path: string }, authorization?: string) =>
    fetch(`${base}/dashboard/api${route.path}`, {
      method: route.method,
      headers: { ...(authorization === undefined ? {} : { Authorization: authorization }), 'Content-Type': 'application/json', 'X-Govdb-Csrf': '1' },
      body: route.method === 'POST' ? '{}' : undefined,
    });

  it('reads its routes from the router (reads, live channel and actions)', () => {
    const paths = withToken.routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /fleet', 'GET /agents/x1/trajectory', 'GET /live', 'POST /actions/resume', 'POST /actions/archive', 'POST /actions/resolve-discovery']));
    expect(paths.length).toBeGreaterThanOrEqual(14);
  });

  it('answers 401 JSON on every route without the token, with a wrong one, or as a non-bearer header', async () => {
    for (const route of withToken.routes) {
      for (const auth of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer ']) {
        const res = await call(withToken.base, route, auth);
        expect({ route, auth, status: res.status }).toEqual({ route, auth, status: 401 });
        expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    }
  });

  it('answers 401 for any presented token that is not the admin token (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withToken.routes), fc.string({ minLength: 1, maxLength: 80 }).filter((t) => t !== TOKEN && !/[\r\n\0]/.test(t) && /^[\x20-\x7e]*$/.test(t)), async (route, token) => {
        const res = await call(withToken.base, route, `Bearer ${token}`);
        expect(res.status).toBe(401);
      }),
      { numRuns: 60 },
    );
  });

  it('fails closed when the server has no admin token: every route 401 with a hint, even with a bearer header', async () => {
    for (const route of withoutToken.routes) {
      for (const auth of [undefined, 'Bearer ', `Bearer ${TOKEN}`, 'Bearer undefined']) {
        const res = await call(withoutToken.base, route, auth);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', hint: expect.stringContaining('GOVDB_ADMIN_TOKEN') } });
      }
    }
  });
});
