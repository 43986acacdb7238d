import { ChildProcess, execFile, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { promisify } from 'util';

/** A free loopback port (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A redis-server child process on its own loopback port, without persistence, so tests can kill
 * and restart it without touching the shared Redis on 6379.
 */
export class RedisServer {
  private proc: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly extraArgs: string[]) {}

  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extraArgs);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server again on the same port (empty: nothing is persisted). */
  async restart(): Promise<void> {
    if (this.proc) throw new Error('redis-server is already running');
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...this.extraArgs], { stdio: 'ignore' });
    this.proc.on('exit', () => (this.proc = undefined));
    await waitFor(() => ping(this.port), `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the server disappears at once, as in a crash. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP/SIGCONT: the server keeps its data but stops answering (commands time out). */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  stop(): Promise<void> {
    this.resume();
    return this.kill();
  }
}

/** A 3-master Redis Cluster on loopback ports, created with `redis-cli --cluster create`. */
export class RedisClusterFixture {
  private constructor(readonly nodes: RedisServer[], private readonly dir: string) {}

  static async start(size = 3): Promise<RedisClusterFixture> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-cluster-'));
    const nodes: RedisServer[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const port = await freePort();
        nodes.push(await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000', '--dir', dir], port));
      }
      await promisify(execFile)('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
      for (const node of nodes) {
        await waitFor(async () => {
          const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
          return /cluster_state:ok/.test(stdout);
        }, `cluster state ok on ${node.port}`, 20_000);
      }
    } catch (err) {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new RedisClusterFixture(nodes, dir);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => check(), what, timeoutMs);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
