import { spawn } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { freePort } from '../cache/redisServer';
import { createMigratedDatabase, redisUrl, TestDatabase } from '../helpers/db';

/** SIGTERM stops the HTTP server, flushes the audit trail into the file and PostgreSQL, and exits 0. */
describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it('flushes the audit trail and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govdb-shutdown-'));
    const port = await freePort();
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/govdb.js'), 'serve', '--port', String(port)], {
      env: { PATH: process.env.PATH, DB_POSTGRES_URL: db.url, REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `shut${process.pid}:`, GOVDB_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 100 && !stderr.includes('MCP server on'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain('MCP server on');

    // one audited call over HTTP: initialize, then onboard
    const base = `http://127.0.0.1:${port}/mcp`;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '0' } } }) });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const call = await fetch(base, { method: 'POST', headers: { ...headers, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'onboard', arguments: { label: 'shutdown probe' } } }) });
    expect(await call.text()).toContain('agent_id');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: shutting down/);
    const lines = readFileSync(path.join(dataDir, 'audit_log.jsonl'), 'utf8').trim().split('\n');
    expect(lines.some((l) => JSON.parse(l).event_type === 'agent_onboarded')).toBe(true);
    const rows = await db.pool.query(`select count(*)::int as n from audit.events where event_type = 'agent_onboarded'`);
    expect(rows.rows[0].n).toBe(1);
  }, 60_000);
});
