import fs from 'fs';
import path from 'path';
import express, { Express, Request, Response, Router } from 'express';
import { z } from 'zod';
import { agentStatusValues, dialecticPhaseValues, dialecticStatusValues, discoveryStatusValues } from '../../db/generated/enums';
import type { ServerDeps } from '../../mcp/deps';
import { archiveAgent, OPERATOR_ACTOR, resolveDiscovery, resumeAfterReview } from './actions';
import { LiveHub } from './live';
import { requireAdmin, requireCsrf, securityHeaders, sendError, sendThrown } from './security';

/**
 * The operator dashboard (docs/dashboard.md), mounted on the MCP server's HTTP app:
 * - GET /            → 302 /dashboard
 * - GET /dashboard   → the page (dist/dashboard/index.html, built by scripts/build-dashboard.js)
 * - GET /dashboard/assets/* → the bundled script and styles (uPlot, Cytoscape.js bundled at build time)
 * - /dashboard/api/* → JSON, admin token required (401 JSON without it); POST actions also need the
 *   CSRF header. Errors are `{ error: { code, message, hint? } }`.
 * Reads go through the domain services (the dashboard service wraps the read-only stored functions
 * of sql/functions/dashboard.sql); writes only through ./actions.ts.
 */

/** Where the built page lives: <repo>/dist/dashboard (same path from src/ under jest and from dist/). */
export const ASSET_DIR = path.resolve(__dirname, '..', '..', '..', 'dist', 'dashboard');

export interface DashboardHandle {
  live: LiveHub;
  close(): Promise<void>;
}

const log = (line: string) => process.stderr.write(line + '\n');

const intParam = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);
const optText = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : undefined));

const schemas = {
  agents: z.object({ status: z.enum(agentStatusValues).optional(), search: optText(200), limit: intParam(1, 5000, 500), offset: intParam(0, 10_000_000, 0) }),
  trajectory: z.object({ after_seq: intParam(0, Number.MAX_SAFE_INTEGER, 0), limit: intParam(1, 20000, 10000) }),
  dialectic: z.object({ status: z.enum(dialecticStatusValues).optional(), phase: z.enum(dialecticPhaseValues).optional(), limit: intParam(1, 1000, 100), offset: intParam(0, 10_000_000, 0) }),
  search: z.object({ q: optText(500), type: optText(64), status: z.enum(discoveryStatusValues).optional(), tag: optText(100), limit: intParam(1, 200, 50) }),
  neighbourhood: z.object({ label: z.enum(['Discovery', 'Agent', 'Tag']), id: z.string().min(1).max(256), limit: intParam(1, 500, 200) }),
  activity: z.object({ agent_id: optText(256), event_type: optText(64), since: z.coerce.date().optional(), until: z.coerce.date().optional(), limit: intParam(1, 1000, 100), cursor: optText(80) }),
  resume: z.object({ agent_id: z.string().min(1).max(256), reason: z.string().max(4000).optional() }).strict(),
  archive: z.object({ agent_id: z.string().min(1).max(256), reason: z.string().max(4000).optional() }).strict(),
  resolveDiscovery: z.object({ discovery_id: z.string().min(1).max(128) }).strict(),
};

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, res: Response): z.infer<T> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  sendError(res, 400, 'INVALID_INPUT', r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '), 'Check the parameters against docs/dashboard.md.');
  return undefined;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
/** Runs a handler and sends its value as JSON (unless it already answered); errors become JSON errors. */
const json = (fn: Handler) => async (req: Request, res: Response) => {
  try {
    const value = await fn(req, res);
    if (!res.headersSent) res.json(value);
  } catch (err) {
    if (!res.headersSent) sendThrown(res, err, log);
  }
};

/** The JSON API (exported for the access tests, which walk its routes). */
export function apiRouter(deps: ServerDeps, live: LiveHub): Router {
  const api = Router();
  api.use(requireAdmin(deps.adminToken));

  api.get('/session', json(async () => ({ ok: true, actor: OPERATOR_ACTOR })));

  api.get('/fleet', json(async () => {
    const [fleet, health] = await Promise.all([deps.services.dashboard.fleet(), deps.health()]);
    return { fleet, health };
  }));

  api.get('/agents', json(async (req, res) => {
    const q = parse(schemas.agents, req.query, res);
    if (!q) return;
    const rows = await deps.services.dashboard.agents(q);
    return { total: Number(rows[0]?.total_count ?? 0), offset: q.offset, limit: q.limit, rows: rows.map(({ total_count: _t, ...r }) => ({ ...r, update_count: Number(r.update_count) })) };
  }));

  api.get('/agents/:id', json(async (req) => deps.services.dashboard.agent(String(req.params.id))));

  api.get('/agents/:id/trajectory', json(async (req, res) => {
    const q = parse(schemas.trajectory, req.query, res);
    if (!q) return;
    const rows = await deps.services.dashboard.trajectory({ agentId: String(req.params.id), afterSeq: q.after_seq, limit: q.limit });
    // columnar: what the chart takes, and about half the bytes of row objects
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    return {
      count: rows.length,
      next_after_seq: rows.length === q.limit ? Number(rows[rows.length - 1]!.seq) : null,
      seq: rows.map((r) => Number(r.seq)),
      t: rows.map((r) => (r.recorded_at).getTime() / 1000),
      energy: col('energy'),
      information: col('information'),
      entropy: col('entropy'),
      void: col('void'),
      coherence: col('coherence'),
      risk: col('risk'),
      verdict: col('verdict'),
      decision: col('decision'),
      regime: col('regime'),
    };
  }));

  api.get('/dialectic', json(async (req, res) => {
    const q = parse(schemas.dialectic, req.query, res);
    if (!q) return;
    const rows = await deps.services.dashboard.dialecticSessions(q);
    return { total: Number(rows[0]?.total_count ?? 0), rows: rows.map(({ total_count: _t, ...r }) => ({ ...r, messages: Number(r.messages) })) };
  }));

  api.get('/dialectic/:id', json(async (req) => deps.services.dialectic.getSession(String(req.params.id), { agentId: null, isAdmin: true })));

  api.get('/graph/search', json(async (req, res) => {
    const q = parse(schemas.search, req.query, res);
    if (!q) return;
    const hits = await deps.services.knowledge.search({ query: q.q, type: q.type, status: q.status, tags: q.tag ? [q.tag] : undefined, limit: q.limit });
    return { rows: hits };
  }));

  api.get('/graph/neighbourhood', json(async (req, res) => {
    const q = parse(schemas.neighbourhood, req.query, res);
    if (!q) return;
    return { rows: await deps.services.dashboard.neighbourhood(q) };
  }));

  api.get('/activity', json(async (req, res) => {
    const q = parse(schemas.activity, req.query, res);
    if (!q) return;
    const [page, chain] = await Promise.all([
      deps.services.auditQueries.queryEvents({ agentId: q.agent_id, eventType: q.event_type, since: q.since, until: q.until, limit: q.limit, cursor: q.cursor }),
      deps.services.dashboard.auditChain(1000),
    ]);
    return { rows: page.rows, next_cursor: page.nextCursor, chain };
  }));

  api.get('/platform', json(async () => {
    const [platform, health] = await Promise.all([deps.services.dashboard.platform(), deps.health()]);
    return { platform, health };
  }));

  api.get('/live', async (req, res) => {
    try {
      await live.serve(req, res);
    } catch (err) {
      if (!res.headersSent) sendThrown(res, err, log);
    }
  });

  const body = express.json({ limit: '16kb' });
  api.post('/actions/resume', requireCsrf, body, json(async (req, res) => {
    const b = parse(schemas.resume, req.body, res);
    if (b) return resumeAfterReview(deps, b.agent_id, b.reason);
  }));
  api.post('/actions/archive', requireCsrf, body, json(async (req, res) => {
    const b = parse(schemas.archive, req.body, res);
    if (b) return archiveAgent(deps, b.agent_id, b.reason);
  }));
  api.post('/actions/resolve-discovery', requireCsrf, body, json(async (req, res) => {
    const b = parse(schemas.resolveDiscovery, req.body, res);
    if (b) return resolveDiscovery(deps, b.discovery_id);
  }));

  api.use((_req: Request, res: Response) => sendError(res, 404, 'NOT_FOUND', 'No such dashboard API endpoint.', 'See docs/dashboard.md for the endpoints.'));
  return api;
}

/** Mounts the dashboard on `app`; returns a handle whose close() ends the live connections. */
export function mountDashboard(app: Express, deps: ServerDeps): DashboardHandle {
  let store: Promise<'listen' | 'poll'> | null = null;
  const live = new LiveHub(deps.services.dashboard, {
    log,
    mode: () => (store ??= deps.health().then((h) => (h.store === 'embedded' ? 'poll' : 'listen'))),
  });

  app.get('/', (_req, res) => res.redirect(302, '/dashboard'));
  const dash = Router();
  dash.use(securityHeaders);
  dash.use('/api', apiRouter(deps, live));
  dash.use('/assets', express.static(path.join(ASSET_DIR, 'assets'), { fallthrough: false, index: false, maxAge: '1h' }));
  dash.get('/', (_req, res) => {
    const index = path.join(ASSET_DIR, 'index.html');
    if (!fs.existsSync(index)) return sendError(res, 503, 'UNAVAILABLE', 'The dashboard page is not built.', 'Run npm run build (it bundles the dashboard into dist/dashboard).');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  app.use('/dashboard', dash);
  return { live, close: () => live.close() };
}
