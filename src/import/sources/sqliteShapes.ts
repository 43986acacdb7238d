/**
 * Shapes of the legacy SQLite tables, recognised by their columns (several historical shapes share a
 * table name). A shape name is "<table>/<variant>"; "skip:<why>" marks tables that hold nothing to
 * import (indexes derived from other tables, rate-limit windows, bookkeeping) and "unknown" a table
 * the importer does not understand: both are listed in the report, never silently passed over.
 */
export function sqliteTableShape(table: string, columns: string[]): string {
  const has = (...names: string[]) => names.every((n) => columns.includes(n));
  switch (table) {
    case 'agent_metadata':
      if (has('agent_id', 'last_update', 'tags_json', 'lifecycle_events_json')) return 'agent_metadata/metadata_db';
      if (has('agent_id', 'api_key', 'metadata_json')) return 'agent_metadata/sqlite_backend';
      if (has('agent_id')) return 'agent_metadata/generic';
      return 'unknown';
    case 'session_identities':
      return has('session_id', 'agent_id', 'created_at', 'expires_at') ? 'session_identities/sqlite_backend' : 'unknown';
    case 'agent_state':
      if (has('agent_id', 'E', 'I', 'S', 'V', 'state_json')) return 'agent_state/state_db';
      if (has('agent_id', 'recorded_at', 'entropy', 'integrity', 'stability_index', 'volatility')) return 'agent_state/sqlite_backend';
      return 'unknown';
    case 'audit_events':
      if (has('timestamp', 'event_type', 'details_json')) return columns.includes('session_id') ? 'audit_events/sqlite_backend' : 'audit_events/audit_db';
      return 'unknown';
    case 'tool_usage':
      return has('timestamp', 'tool_name') ? 'tool_usage/sqlite_backend' : 'unknown';
    case 'calibration_state':
      return has('state_json') ? (columns.includes('version') ? 'calibration_state/sqlite_backend' : 'calibration_state/calibration_db') : 'unknown';
    case 'discoveries':
      return has('id', 'agent_id', 'summary') ? 'discoveries/knowledge_db' : 'unknown';
    case 'discovery_tags':
      return has('discovery_id', 'tag') ? 'discovery_tags/knowledge_db' : 'unknown';
    case 'discovery_edges':
      return has('src_id', 'dst_id', 'edge_type') ? 'discovery_edges/knowledge_db' : 'unknown';
    case 'dialectic_sessions':
      return has('session_id', 'paused_agent_id', 'phase', 'created_at') ? 'dialectic_sessions/sqlite_backend' : 'unknown';
    case 'dialectic_messages':
      // imported with its sessions (the dialectic pass reads both tables)
      return has('session_id', 'message_type', 'timestamp') ? 'dialectic_messages/sqlite_backend' : 'unknown';
    case 'rate_limits':
      return 'skip:rate-limit window of the old server, not history';
    case 'sqlite_sequence':
    case 'schema_version':
    case 'schema_versions':
    case 'knowledge_schema_version':
      return 'skip:bookkeeping of the old store';
    default:
      if (/_fts(_(data|idx|content|docsize|config))?$/.test(table)) return 'skip:full-text index derived from another table';
      return 'unknown';
  }
}
