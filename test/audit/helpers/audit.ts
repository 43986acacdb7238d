import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { AuditLine, lineHash, serializeLine } from '../../../src/audit/auditLine';
import { listLogFiles } from '../../../src/audit/logFiles';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- audit lines are free-form JSON; tests assert on whichever fields they check
type LoggedLine = Record<string, any>;

export async function tempLogPath(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'govdb-audit-'));
  return path.join(dir, 'audit_log.jsonl');
}

export async function removeLogDir(logPath: string): Promise<void> {
  await fs.rm(path.dirname(logPath), { recursive: true, force: true });
}

export async function logFilePaths(logPath: string): Promise<string[]> {
  return (await listLogFiles(logPath)).map((f) => f.path);
}

/** Every complete line of the log's files, in chain order, parsed. */
export async function readLines(logPath: string): Promise<Array<LoggedLine>> {
  const out: Array<LoggedLine> = [];
  for (const file of await logFilePaths(logPath)) {
    const text = await fs.readFile(file, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n').filter(Boolean)) out.push(JSON.parse(line));
  }
  return out;
}

/** Polls until cond() holds; fails with `what` after timeoutMs (a guard against hangs, not a timing assertion). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A line hashed like the writer hashes, without its PostgreSQL-safety rules (as an older writer or a hand edit could leave it). */
export function handMadeLine(details: Record<string, unknown>, ts: string, prevHash: string | null = null): string {
  const unhashed = { ts, agent_id: null, session_id: null, event_type: 'agent_paused', confidence: null, details, prev_hash: prevHash };
  const line: AuditLine = { ...unhashed, hash: lineHash(unhashed) };
  return serializeLine(line);
}

