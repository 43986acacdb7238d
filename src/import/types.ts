/** Shared vocabulary of the legacy importer. */

/** Destinations, in the order they are reported. */
export const ENTITIES = [
  'agents', 'lifecycle_events', 'parent_links', 'sessions', 'agent_states', 'dialectic_sessions', 'dialectic_messages',
  'discoveries', 'discovery_tags', 'discovery_edges', 'calibration_bins', 'audit_events', 'tool_usage',
] as const;
export type Entity = (typeof ENTITIES)[number];

/**
 * Passes run in this order over every file, so that parents exist before children: all agents of
 * all files first, then parent links, then discoveries, then the edges between them, and so on.
 */
export const PASSES = ['agents', 'parent_links', 'discoveries', 'discovery_links', 'dialectic', 'states', 'sessions', 'calibration', 'audit'] as const;
export type Pass = (typeof PASSES)[number];

export interface Counts {
  read: number;
  inserted: number;
  updated: number;
  already_present: number;
  quarantined: number;
}

export function emptyCounts(): Counts {
  return { read: 0, inserted: 0, updated: 0, already_present: 0, quarantined: 0 };
}

/** Where a record sits in its source: enough for a person to find it. */
export interface Locator {
  line?: number;
  byte_offset?: number;
  table?: string;
  rowid?: number;
  key?: string;
  index?: number;
  path?: string;
}

/**
 * One unit a source yields in a pass: a normalised record for an entity, or a rejection with the
 * reason and the (scrubbed) raw record. `index` is the item's position in the (file, pass) stream;
 * `resumeOffset` is the byte offset just after it, for sources that can seek.
 */
export interface Item {
  index: number;
  resumeOffset?: number;
  /** line number of the item, for sources that count lines */
  resumeLine?: number;
  entity: Entity;
  locator: Locator;
  record?: Record<string, unknown>;
  reject?: { reason: string; raw: unknown };
  /** raw record to quarantine if the database refuses this record */
  raw?: unknown;
  /** a record that is read but adds nothing (e.g. a duplicate copy); counted as read only */
  note?: string;
}

export interface NormalizeContext {
  zone: import('./timezone').SourceZone;
  /** file path as shown in reports */
  file: string;
}

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string };

export type Detected =
  | { kind: 'agent_metadata_json'; shape: 'nov-2025' | 'dec-2025' }
  | { kind: 'knowledge_graph_json' }
  | { kind: 'dialectic_session_json' }
  | { kind: 'agent_state_json' }
  | { kind: 'calibration_json' }
  | { kind: 'audit_jsonl' }
  | { kind: 'tool_usage_jsonl' }
  | { kind: 'sqlite'; tables: { name: string; shape: string; rows: number }[] }
  | { kind: 'sqlite_sidecar'; of: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'malformed'; reason: string };
