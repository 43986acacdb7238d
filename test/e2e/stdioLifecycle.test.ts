import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { BIN } from '../helpers/builtServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON-RPC replies are untyped JSON; the test asserts on the fields it reads
type Reply = Record<string, any>;

/**
 * Findings 3 and 4 of issue 13, through the built server as an MCP client app launches it:
 * - when the client closes stdin, the server flushes the audit trail and exits within 2 s;
 * - with no GOVDB_DATA_DIR, the audit log and the embedded store go to the XDG data directory
 *   (`$XDG_DATA_HOME/govdb`, else `~/.local/share/govdb`), and nothing is written to the cwd;
 * - an empty embedded install reports `healthy`.
 */
class StdioChild {
  private out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; at: number }>;
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (c) => (this.out += c));
    child.stderr.on('data', (c) => (this.err += c));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  }

  static async start(env: Record<string, string>, cwd: string, timeoutMs = 120_000): Promise<StdioChild> {
    const s = new StdioChild(spawn(process.execPath, [BIN, 'serve', '--stdio'], { env: env, cwd, stdio: 'pipe' }));
    const deadline = Date.now() + timeoutMs;
    while (!s.err.includes('MCP server on stdio')) {
      if (s.child.exitCode !== null || Date.now() > deadline) throw new Error(`stdio server did not start:\n${s.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return s;
  }

  private nextId = 1;
  async request(method: string, params: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    for (let i = 0; i < 600; i++) {
      const line = this.out.split('\n').find((l) => l.includes(`"id":${id}`) && l.trim().startsWith('{'));
      if (line) return JSON.parse(line);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no answer to ${method}:\n${this.err}`);
  }

  notify(method: string): void {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
  }

  async initialize(): Promise<void> {
    await this.request('initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'lifecycle', version: '0' } });
    this.notify('notifications/initialized');
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<Reply> {
    const r = await this.request('tools/call', { name, arguments: args });
    if (r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r.result)}`);
    return r.result.structuredContent;
  }

  /** closes stdin as a client app does when it quits; resolves with the exit code and how long it took */
  async closeStdin(): Promise<{ code: number | null; ms: number }> {
    const t0 = Date.now();
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const { code, at } = await this.exited;
    clearTimeout(timer);
    return { code, ms: at - t0 };
  }
}

describe('stdio lifecycle and data in its place (built server)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => db.drop());

  it('PostgreSQL: stdin closed → audit flushed, exit 0 within 2 s; data under ~/.local/share/govdb, nothing in the cwd', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'govdb-cwd-'));
    const home = mkdtempSync(path.join(os.tmpdir(), 'govdb-home-'));
    const s = await StdioChild.start({ PATH: process.env.PATH ?? '', HOME: home, DB_POSTGRES_URL: db.url, REDIS_URL: '' }, cwd);
    await s.initialize();
    const agent = await s.call('onboard', { label: 'stdio lifecycle' });
    expect(agent.agent_id).toEqual(expect.any(String));

    const { code, ms } = await s.closeStdin();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(s.err).toMatch(/stdin (ended|closed)|stdio transport closed/);

    expect(readdirSync(cwd)).toEqual([]);
    const log = path.join(home, '.local', 'share', 'govdb', 'audit_log.jsonl');
    expect(readFileSync(log, 'utf8')).toContain('agent_onboarded');
    // flushed to PostgreSQL before the exit
    const rows = await db.pool.query(`select count(*)::int as n from audit.events where event_type = 'agent_onboarded' and agent_id = $1`, [agent.agent_id]);
    expect(rows.rows[0].n).toBe(1);
  }, 60_000);

  it('embedded: an empty install is healthy, its store lives under $XDG_DATA_HOME/govdb, and it exits when stdin closes', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'govdb-cwd-'));
    const home = mkdtempSync(path.join(os.tmpdir(), 'govdb-home-'));
    const xdg = mkdtempSync(path.join(os.tmpdir(), 'govdb-xdg-'));
    const s = await StdioChild.start({ PATH: process.env.PATH ?? '', HOME: home, XDG_DATA_HOME: xdg }, cwd);
    await s.initialize();
    const health = await s.call('health_check');
    expect(health.status).toBe('healthy');
    expect(health.checks.cache).toMatchObject({ status: 'healthy', mode: 'memory' });
    expect(health.checks.calibration.status).toBe('healthy');
    await s.call('onboard', { label: 'embedded lifecycle' });

    const { code, ms } = await s.closeStdin();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(path.join(xdg, 'govdb', 'pglite'))).toBe(true);
    expect(readFileSync(path.join(xdg, 'govdb', 'audit_log.jsonl'), 'utf8')).toContain('agent_onboarded');
    expect(existsSync(path.join(home, '.local'))).toBe(false);
  }, 180_000);
});
