import { AddressInfo } from 'net';
import { createServer, Server } from 'http';
import express from 'express';
import { listenerOf } from '../../src/db/notifications';
import { createAgentService } from '../../src/domain/agents';
import { createDashboardService } from '../../src/domain/dashboard';
import { createEisvService } from '../../src/domain/eisv';
import { LiveHub } from '../../src/http/dashboard/live';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * The live hub on a real database: the dashboard_live triggers' NOTIFY (and, for EISV updates, the
 * polled update cursor) reaches a page as one SSE
 * `change` event per coalescing window (a burst of writes is one event naming every changed
 * table), a rolled-back write sends nothing, and connections beyond the cap get 503 (the page polls).
 */
describe('dashboard live hub', () => {
  let db: TestDatabase;
  let hub: LiveHub;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    hub = new LiveHub(createDashboardService(db.pool, { listen: listenerOf(db.pool) }), { mode: async () => 'listen', log: () => undefined, coalesceMs: 300, maxSubscribers: 1 });
    const app = express();
    app.get('/live', (req, res) => void hub.serve(req, res));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db.drop();
  });

  /** Reads SSE events from a response until `until` says stop or the time is up. */
  async function events(res: Response, ms: number): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const r = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now()))]);
      if (!r || r.done) break;
      buf += r.value;
    }
    void reader.cancel();
    return buf.split('\n\n').filter((b) => b.includes('event:')).map((b) => ({
      event: /event: (.*)/.exec(b)![1]!,
      data: JSON.parse(/data: (.*)/.exec(b)![1]!) as Record<string, unknown>,
    }));
  }

  it('sends one coalesced change event for a burst of committed writes, none for a rollback, and refuses a connection over the cap', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/live`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // over the cap: 503 JSON, the page falls back to polling
    const second = await fetch(`${base}/live`);
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });

    const received = events(res, 1500);
    await new Promise((r) => setTimeout(r, 100));
    const agents = createAgentService(db.pool);
    const eisv = createEisvService(db.pool);
    await agents.onboard({ agentId: 'live-1' });
    for (let i = 0; i < 5; i++) await eisv.processUpdate({ agentId: 'live-1', complexity: 0.5, confidence: 0.5, responseLength: 100 });
    // a rolled-back write notifies nobody
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`update core.dialectic_sessions set updated_at = now()`);
      await client.query(`insert into core.agent_lifecycle_events (agent_id, event) values ('live-1', 'created')`);
      await client.query('rollback');
    } finally {
      client.release();
    }
    const got = await received;
    controller.abort();
    expect(got[0]).toMatchObject({ event: 'hello' });
    const changes = got.filter((e) => e.event === 'change');
    // 6 committed transactions within about one window: 1 event (2 if the machine was slow enough
    // for the burst to straddle a window), never one per write
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect(changes.length).toBeLessThanOrEqual(2);
    const tables = changes.flatMap((c) => c.data.tables as string[]);
    expect(tables).toEqual(expect.arrayContaining(['core.agent_state', 'core.agents']));
    expect(tables).not.toContain('core.dialectic_sessions');
  });

  it('sends no NOTIFY for EISV updates (a queued notification serialises commits) and still shows them, by polling the update cursor', async () => {
    const agents = createAgentService(db.pool);
    const eisv = createEisvService(db.pool);
    await agents.onboard({ agentId: 'live-2' });
    const heard: string[] = [];
    const listener = await listenerOf(db.pool)('govdb_dashboard', { notify: (p) => heard.push(p), lost: () => undefined });
    try {
      for (let i = 0; i < 3; i++) await eisv.processUpdate({ agentId: 'live-2', complexity: 0.5, confidence: 0.5, responseLength: 100 });
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toEqual([]);
      // other writes to core.agents still notify
      await agents.update('live-2', { label: 'renamed live agent' });
      const deadline = Date.now() + 3000;
      while (!heard.includes('core.agents') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(heard).toContain('core.agents');
    } finally {
      await listener.close();
    }

    const controller = new AbortController();
    const res = await fetch(`${base}/live`, { signal: controller.signal });
    const received = events(res, 1500);
    await new Promise((r) => setTimeout(r, 400));
    await eisv.processUpdate({ agentId: 'live-2', complexity: 0.5, confidence: 0.5, responseLength: 100 });
    const got = await received;
    controller.abort();
    const tables = got.filter((e) => e.event === 'change').flatMap((c) => c.data.tables as string[]);
    expect(tables).toEqual(expect.arrayContaining(['core.agent_state', 'core.agents']));
  });

  it('the update cursor moves when an update commits after one that took a newer id (ids are visible at commit, not in order)', async () => {
    const agents = createAgentService(db.pool);
    const dashboard = createDashboardService(db.pool);
    await agents.onboard({ agentId: 'late-1' });
    await agents.onboard({ agentId: 'late-2' });
    const slow = await db.pool.connect();
    try {
      await slow.query('begin');
      // takes the older id and stays open
      await slow.query(`select * from core.process_agent_update(p_agent_id => 'late-1', p_complexity => 0.5, p_confidence => 0.5, p_response_length => 100)`);
      // takes a newer id and commits first
      await createEisvService(db.pool).processUpdate({ agentId: 'late-2', complexity: 0.5, confidence: 0.5, responseLength: 100 });
      const before = await dashboard.updateCursor();
      await slow.query('commit');
      const after = await dashboard.updateCursor();
      expect(after).not.toBe(before);
      // the newest id did not move: only the count of the newest ids tells
      expect(after.split(':')[0]).toBe(before.split(':')[0]);
      expect(await dashboard.updateCursor()).toBe(after);
    } finally {
      slow.release();
    }
  });
});
