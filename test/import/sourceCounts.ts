import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- legacy sample files are free-form JSON, read field by field
type LegacyRecord = Record<string, any>;

/**
 * An independent count of what the legacy samples hold, written straight from the files with no
 * importer code, to reconcile the import against.
 */
export interface SourceCounts {
  agentIds: Set<string>;
  referencedAgentIds: Set<string>;
  lifecycleEvents: number;
  discoveries: number;
  discoveryTags: number;
  edgesToKnownDiscoveries: number;
  dialecticSessions: number;
  dialecticMessages: number;
  stateRows: number;
  toolUsage: number;
  auditEvents: number;
  calibrationBins: number;
  apiKeys: string[];
}

function sqliteRows(file: string, sql: string): Record<string, unknown>[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-test-sqlite-'));
  try {
    const copy = path.join(dir, 'db');
    copyFileSync(file, copy);
    const db = new Database(copy);
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function countSamples(dir: string, opts: { includeSelfReview?: boolean } = {}): SourceCounts {
  const json = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const agentIds = new Set<string>();
  const apiKeys: string[] = [];
  const events = new Set<string>();
  for (const f of ['agent_metadata.2025-11-20.json', 'agent_metadata.json']) {
    for (const [id, a] of Object.entries<LegacyRecord>(json(f))) {
      agentIds.add(id);
      if (a.api_key) apiKeys.push(a.api_key);
      for (const e of a.lifecycle_events ?? []) events.add(JSON.stringify([id, e.event, e.timestamp, e.reason]));
    }
  }
  for (const r of sqliteRows(path.join(dir, 'governance_new.db'), 'select agent_id, api_key, lifecycle_events_json from agent_metadata')) {
    agentIds.add(r.agent_id as string);
    apiKeys.push(r.api_key as string);
    for (const e of JSON.parse((r.lifecycle_events_json as string) || '[]')) events.add(JSON.stringify([r.agent_id, e.event, e.timestamp, e.reason]));
  }
  const referenced = new Set<string>();
  const kg = json('knowledge_graph.json');
  const discoveryIds = new Set<string>(Object.keys(kg.nodes));
  const tags = new Map<string, Set<string>>();
  for (const [id, n] of Object.entries<LegacyRecord>(kg.nodes)) {
    referenced.add(n.agent_id);
    tags.set(id, new Set((n.tags as string[]).map((t) => t.trim().toLowerCase())));
  }
  const kdb = path.join(dir, 'knowledge.db');
  for (const r of sqliteRows(kdb, 'select id, agent_id from discoveries')) {
    discoveryIds.add(r.id as string);
    referenced.add(r.agent_id as string);
  }
  for (const r of sqliteRows(kdb, 'select discovery_id, tag from discovery_tags')) {
    if (!tags.has(r.discovery_id as string)) tags.set(r.discovery_id as string, new Set());
    tags.get(r.discovery_id as string)!.add((r.tag as string).trim().toLowerCase());
  }
  let edges = 0;
  for (const [id, n] of Object.entries<LegacyRecord>(kg.nodes)) for (const r of n.related_to) if (discoveryIds.has(r) && r !== id) edges++;
  let sessions = 0;
  let messages = 0;
  for (const f of readdirSync(path.join(dir, 'dialectic_sessions'))) {
    const s = json(path.join('dialectic_sessions', f));
    if (!opts.includeSelfReview && s.paused_agent_id === s.reviewer_agent_id) continue; // a self-review is stored with an anomaly since issue 22
    sessions++;
    messages += s.transcript.length;
    referenced.add(s.paused_agent_id);
    if (s.reviewer_agent_id) referenced.add(s.reviewer_agent_id);
    for (const m of s.transcript) referenced.add(m.agent_id);
  }
  let stateRows = 0;
  for (const f of readdirSync(path.join(dir, 'agents'))) {
    const doc = json(path.join('agents', f));
    stateRows += Math.max(...['timestamp_history', 'E_history', 'I_history', 'S_history', 'V_history', 'coherence_history', 'risk_history'].map((k) => (doc[k] ?? []).length));
    referenced.add(f.replace(/_state\.json$/, ''));
  }
  const lines = (f: string) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '').length;
  return {
    agentIds, referencedAgentIds: referenced, lifecycleEvents: events.size, discoveries: discoveryIds.size,
    discoveryTags: [...tags.values()].reduce((a, s) => a + s.size, 0), edgesToKnownDiscoveries: edges,
    dialecticSessions: sessions, dialecticMessages: messages, stateRows, toolUsage: lines('tool_usage.jsonl'), auditEvents: lines('audit_log_sample.jsonl'),
    calibrationBins: Object.keys(json('calibration_state.json').bins).length, apiKeys,
  };
}
