import { promises as fs } from 'fs';
import path from 'path';
import { Detected } from './types';
import { isObject } from './normalize/common';
import { looksLikeStateDocument } from './normalize/state';
import { looksLikeDialecticSession } from './normalize/dialectic';
import { looksLikeCalibration } from './normalize/misc';
import { sqliteTableShape } from './sources/sqliteShapes';
import { openSqliteSnapshot } from './sources/sqliteSnapshot';

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const SNIFF_BYTES = 64 * 1024;

export interface DetectedFile {
  path: string;
  size: number;
  mtimeMs: number;
  detected: Detected;
  /** the parsed document, for whole-document JSON formats */
  doc?: unknown;
}

async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The kind of a parsed JSON document, from its keys (never from the file name). */
export function classifyDocument(doc: unknown): Detected {
  if (!isObject(doc)) return { kind: 'unknown', reason: `JSON ${Array.isArray(doc) ? 'array' : typeof doc} at top level; no legacy format is one` };
  if (isObject(doc.nodes)) return { kind: 'knowledge_graph_json' };
  if (looksLikeCalibration(doc)) return { kind: 'calibration_json' };
  if (looksLikeDialecticSession(doc)) return { kind: 'dialectic_session_json' };
  if (looksLikeStateDocument(doc)) return { kind: 'agent_state_json' };
  const values = Object.values(doc);
  if (values.length && values.every(isObject) && values.some((v) => 'agent_id' in v || ('status' in v && 'created_at' in v))) {
    const dec = values.some((v) => 'api_key' in v || 'parent_agent_id' in v || 'spawn_reason' in v);
    return { kind: 'agent_metadata_json', shape: dec ? 'dec-2025' : 'nov-2025' };
  }
  return { kind: 'unknown', reason: `JSON object with keys ${Object.keys(doc).slice(0, 8).map((k) => JSON.stringify(k)).join(', ')} matches no legacy format` };
}

function classifyLine(obj: unknown): 'audit_jsonl' | 'tool_usage_jsonl' | undefined {
  if (!isObject(obj)) return undefined;
  if ('tool_name' in obj) return 'tool_usage_jsonl';
  if ('event_type' in obj) return 'audit_jsonl';
  return undefined;
}

function detectSqlite(file: string): Detected {
  let snapshot: ReturnType<typeof openSqliteSnapshot> | undefined;
  try {
    snapshot = openSqliteSnapshot(file);
    const db = snapshot.db;
    const tables = db.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[];
    return {
      kind: 'sqlite',
      tables: tables.map(({ name }) => {
        const columns = (db.prepare(`select name from pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name);
        let rows = 0;
        try {
          rows = (db.prepare(`select count(*) as n from "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
        } catch {
          rows = -1;
        }
        return { name, shape: sqliteTableShape(name, columns), rows };
      }),
    };
  } catch (err) {
    return { kind: 'malformed', reason: `cannot read the SQLite database: ${(err as Error).message}` };
  } finally {
    snapshot?.close();
  }
}

/** Detects a file's format from its content: SQLite magic, JSON document keys, or JSON-lines keys. */
export async function detectFile(file: string): Promise<DetectedFile> {
  const stat = await fs.stat(file);
  const base: Omit<DetectedFile, 'detected'> = { path: file, size: stat.size, mtimeMs: stat.mtimeMs };
  const sidecar = /^(.*)-(wal|shm|journal)$/.exec(file);
  if (sidecar) {
    const main = await head(sidecar[1]!, 16).catch(() => undefined);
    if (main && main.toString('latin1') === SQLITE_MAGIC) return { ...base, detected: { kind: 'sqlite_sidecar', of: path.basename(sidecar[1]!) } };
  }
  if (stat.size === 0) return { ...base, detected: { kind: 'unknown', reason: 'empty file' } };
  const sniff = await head(file, SNIFF_BYTES);
  if (sniff.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return { ...base, detected: detectSqlite(file) };
  let text = sniff.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ...base, detected: { kind: 'unknown', reason: 'neither SQLite nor JSON nor JSON lines' } };

  // JSON lines: some of the first lines are complete objects of an audit or tool-usage shape
  const lines = text.split('\n');
  const complete = stat.size <= SNIFF_BYTES ? lines : lines.slice(0, -1);
  let jsonl: 'audit_jsonl' | 'tool_usage_jsonl' | undefined;
  let parsedLines = 0;
  for (const line of complete.slice(0, 50)) {
    if (line.trim() === '') continue;
    try {
      const kind = classifyLine(JSON.parse(line));
      parsedLines++;
      jsonl ??= kind;
    } catch {
      /* a bad line or a pretty-printed document */
    }
  }
  const nonEmpty = complete.filter((l) => l.trim() !== '').length;
  if (jsonl && (nonEmpty > 1 || stat.size > SNIFF_BYTES)) return { ...base, detected: { kind: jsonl } };

  const whole = stat.size <= SNIFF_BYTES ? text : (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(whole);
  } catch (err) {
    if (parsedLines > 1) return { ...base, detected: { kind: 'unknown', reason: 'JSON lines whose objects are neither audit events nor tool calls' } };
    return { ...base, detected: { kind: 'malformed', reason: `invalid JSON (${(err as Error).message}); a truncated or corrupted file` } };
  }
  if (jsonl) return { ...base, detected: { kind: jsonl } };
  return { ...base, detected: classifyDocument(doc), doc };
}

/** Every file under the given paths (directories walked recursively, in name order). */
export async function listFiles(paths: string[], exclude: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const abs = path.resolve(p);
    if (exclude.has(abs)) return;
    const stat = await fs.stat(abs);
    if (stat.isDirectory()) {
      for (const entry of (await fs.readdir(abs)).sort()) await walk(path.join(abs, entry));
    } else if (stat.isFile()) out.push(abs);
  };
  for (const p of paths) await walk(p);
  return [...new Set(out)];
}
