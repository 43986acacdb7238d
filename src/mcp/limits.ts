/**
 * Every length, range, count and depth limit of the MCP tools, defined once.
 *
 * The zod input schemas take their limits from here, and the JSON Schema clients see in
 * `tools/list` is generated from those zod schemas, so zod and JSON Schema agree by construction.
 * Where a stored function enforces the same limit, the value here is the one the SQL enforces;
 * `test/mcp/limits.test.ts` probes the stored functions at `limit` and `limit + 1` and fails when
 * they disagree (probing behaviour is robust: it does not depend on how the SQL spells the check).
 *
 * Units: string limits are in characters, counted as Unicode code points in every layer: zod 4.6's
 * `z.string().max()`/`.min()` (a surrogate pair counts once), JSON Schema `maxLength` (characters as
 * defined by RFC 8259) and PostgreSQL `char_length` in a UTF8 database, so zod and the SQL agree on
 * astral characters (emoji) too. The one exception is `anyString`, the boundary's cap on every string
 * (src/mcp/boundary.ts), which counts UTF-16 code units (`String.length`) before anything parses:
 * text of astral characters reaches it at half as many characters.
 * Counts are array elements or object members; depth is nesting levels of JSON values.
 */
export const LIMITS = {
  /** agent ids, discovery ids, dialectic session ids (SQL: id columns/checks) */
  id: 128,
  /** agent label (SQL: core.onboard_agent, core.update_agent_profile) */
  label: 200,
  /** agent purpose, spawn reason, lifecycle reasons (SQL: core.onboard_agent, core.update_agent_profile) */
  purpose: 4000,
  reason: 4000,
  /** agent notes (SQL: core.update_agent_profile) */
  notes: 20_000,
  /** one agent tag, and how many (SQL: core.normalize_tags) */
  agentTag: 64,
  agentTags: 64,
  /** one knowledge tag, and how many (SQL: knowledge.store_discovery) */
  knowledgeTag: 100,
  knowledgeTags: 64,
  /** discovery summary and details (SQL: knowledge.store_discovery) */
  summary: 2000,
  details: 200_000,
  /** discovery type: [a-z][a-z0-9_]{0,63} (SQL: knowledge.store_discovery) */
  discoveryType: 64,
  /** one referenced file path, and how many (SQL: knowledge.store_discovery) */
  referenceFile: 4096,
  referenceFiles: 256,
  /** related_to ids per discovery (SQL: knowledge.store_discovery) */
  relatedTo: 64,
  /** discoveries per store_knowledge batch (the tool; SQL accepts up to 1000) */
  batch: 50,
  /** full-text query (SQL: knowledge.search_discoveries) */
  searchQuery: 1000,
  /** link weight upper bound (SQL: knowledge.link_discoveries) */
  linkWeight: 1000,
  /** response_text characters and response_length (SQL: core.eisv_params() max_response_length) */
  responseLength: 200_000,
  /** task_type (SQL: core.eisv_params() max_task_type_length) */
  taskType: 64,
  /** ethical drift components (SQL: core.eisv_params() max_drift_components) */
  driftComponents: 16,
  /** dialectic topic and reason (SQL: core.request_dialectic_review) */
  topic: 2000,
  dialecticReason: 4000,
  /** root cause and reasoning of a dialectic message (SQL: core.submit_dialectic_message) */
  rootCause: 20_000,
  reasoning: 20_000,
  /** conditions: characters each and how many (the tool) */
  condition: 2000,
  conditions: 50,
  concerns: 50,
  /** max_synthesis_rounds (SQL: core.request_dialectic_review) */
  synthesisRounds: 50,
  /** decision ids of calibration (SQL: core.record_prediction) */
  decisionId: 256,
  /** event_type / tool_name filters and paging cursors */
  eventType: 64,
  toolName: 128,
  cursor: 200,
  /** api_key / admin_token argument */
  secret: 512,
  /** members of a free JSON object argument (details, metadata, observed_metrics, params), top level */
  jsonMembers: 1000,
  /** nesting depth of any argument value (objects and arrays); checked before anything parses or serialises it */
  jsonDepth: 32,
  /** array elements + object members in one call's arguments, all levels together */
  argumentElements: 20_000,
  /** one string anywhere in the arguments (the largest field limit; the HTTP body limit is 4 MB) */
  anyString: 200_000,
} as const;

/** Page sizes and other numeric ranges of tool arguments, [min, max], as the stored functions accept them. */
export const RANGES = {
  listAgents: [1, 1000],
  agentsHistory: [0, 1000],
  searchLimit: [1, 500],
  discoveryDepth: [0, 1000],
  similarLimit: [1, 500],
  relatedLimit: [1, 500],
  relatedHops: [1, 3],
  statsTop: [1, 1000],
  auditLimit: [1, 1000],
  dialecticLimit: [1, 1000],
} as const;

/** The HTTP body limit of POST /mcp, in bytes (checked by express before parsing). */
export const HTTP_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
