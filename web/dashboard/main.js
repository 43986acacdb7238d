// govdb operator dashboard (docs/dashboard.md). Framework-free: hash routes, one render function per
// view, DOM built with textContent only (no innerHTML: data never becomes markup). Bundled by
// scripts/build-dashboard.js with uPlot and Cytoscape.js into dist/dashboard/assets.
import uPlot from 'uplot';
import cytoscape from 'cytoscape';
import { agentStatusValues, decisionValues, dialecticStatusValues, verdictValues } from '../../src/db/generated/enums';
import 'uplot/dist/uPlot.min.css';
import './style.css';

const TOKEN_KEY = 'govdb.dashboard.token';
const API = '/dashboard/api';
const view = document.getElementById('view');
const alertBox = document.getElementById('alert');
const liveStatus = document.getElementById('live-status');

/** Render timings per view (ms from route start to the view's data on screen), read by the browser tests. */
const timings = {};
window.govdbDashboard = { timings, renders: 0, state: () => ({ rendering: !!rendering, renderAgain, live: liveStatus.textContent, onChange: !!onChange, pending: [...pendingTables] }) };

// ------------------------------------------------------------------ DOM helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const fmtTime = (v) => (v ? new Date(v).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const fmtNum = (v, d = 3) => (v === null || v === undefined ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(d)) : String(v));
/** A status shown as text and colour (colour is never the only signal). */
const badge = (s) => h('span', { class: `badge s-${s ?? 'none'}` }, s ?? '—');
const link = (href, text) => h('a', { href }, text);
const agentLink = (id) => (id ? link(`#/agent/${encodeURIComponent(id)}`, id) : '—');
function table(headers, rows, attrs = {}) {
  const thead = h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label))));
  const tbody = h('tbody');
  const frag = document.createDocumentFragment();
  for (const r of rows) frag.append(h('tr', {}, r.map((cell, i) => h('td', { class: headers[i].num ? 'num' : 'wrap' }, cell))));
  tbody.append(frag);
  return h('div', { class: 'scroll' }, h('table', attrs, thead, tbody));
}
function card(title, value, testid, extra) {
  return h('div', { class: 'card' }, h('h3', {}, title), h('div', { class: 'big', 'data-testid': testid }, fmtNum(value)), extra);
}
/** Replaces the view's content; arrays are flattened and null/false children skipped. */
function mount(...children) {
  view.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}
function showAlert(message) {
  alertBox.hidden = !message;
  alertBox.textContent = message ?? '';
}

// ------------------------------------------------------------------ API

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Authorization: `Bearer ${token ?? ''}`, Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['X-Govdb-Csrf'] = '1';
  }
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const data = await res.json().catch(() => null);
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(data?.error?.message);
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
const qs = (params) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

// ------------------------------------------------------------------ login

function showLogin(message) {
  stopLive();
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help' });
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title', onsubmit: async (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value);
    try {
      await api('/session');
      showAlert(null);
      start();
    } catch (err) {
      if (err.status !== 401) showAlert(err.message);
    }
  } },
    h('h2', { id: 'login-title' }, 'Log in'),
    h('label', { for: 'token' }, 'Admin token'),
    input,
    h('p', { id: 'token-help', class: 'muted' }, 'The server\'s GOVDB_ADMIN_TOKEN. It is kept in this tab only (sessionStorage) and sent as a bearer header.'),
    message ? h('p', { role: 'alert' }, message) : null,
    h('button', { type: 'submit', class: 'primary' }, 'Log in'));
  mount(form);
  input.focus();
}

// ------------------------------------------------------------------ live channel (SSE over fetch, so the token goes in a header)

let live = null;
let pollTimer = null;
let changeTimer = null;
const pendingTables = new Set();
let onChange = null;

function setLive(state) {
  liveStatus.textContent = state;
  liveStatus.className = `live ${state === 'live' ? 'on' : 'off'}`;
}

function queueChange(tables) {
  for (const t of tables) pendingTables.add(t);
  if (changeTimer) return;
  changeTimer = setTimeout(() => {
    changeTimer = null;
    const t = [...pendingTables];
    pendingTables.clear();
    // a change during a render: render once more afterwards (the running one may have read older data)
    if (rendering) renderAgain = true;
    else if (onChange) onChange(t);
  }, 150);
}

function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(() => queueChange(['poll']), 5000);
}
function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

function startLive() {
  if (live) return;
  const controller = new AbortController();
  live = { controller, attempt: 0 };
  const connect = async () => {
    while (live && live.controller === controller) {
      try {
        const res = await fetch(`${API}/live`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`, Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
        if (res.status === 401) return showLogin('Your session ended: log in again.');
        if (!res.ok || !res.body) throw new Error(`live channel answered ${res.status}`);
        live.attempt = 0;
        setLive('live');
        stopPolling();
        queueChange(['reconnect']); // catch up on what happened while disconnected
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (event === 'change') queueChange(JSON.parse(data).tables ?? []);
          }
        }
        throw new Error('live channel closed');
      } catch (err) {
        if (controller.signal.aborted) return;
        setLive('polling');
        startPolling();
        live.attempt++;
        await new Promise((r) => setTimeout(r, Math.min(10000, 1000 * 2 ** Math.min(live.attempt - 1, 4))));
      }
    }
  };
  void connect();
}
function stopLive() {
  live?.controller.abort();
  live = null;
  stopPolling();
  setLive('offline');
}

// ------------------------------------------------------------------ views

function heading(text) {
  return h('h2', {}, text);
}

async function fleetView(params, done) {
  const status = params.get('status') ?? '';
  const search = params.get('search') ?? '';
  const limit = 2000;
  const offset = Number(params.get('offset') ?? 0);
  const [{ fleet, health }, agents] = await Promise.all([api('/fleet'), api(`/agents${qs({ status, search, limit, offset })}`)]);
  const byStatus = fleet.agents_by_status ?? {};
  const statuses = agentStatusValues;
  const windowTable = (title, data, keys, id) =>
    h('div', {}, h('h3', {}, title), table([{ label: 'value' }, { label: 'last hour', num: true }, { label: 'last day', num: true }],
      keys.map((k) => [badge(k), h('span', { 'data-testid': `${id}-hour-${k}` }, fmtNum(data.hour?.[k] ?? 0)), h('span', { 'data-testid': `${id}-day-${k}` }, fmtNum(data.day?.[k] ?? 0))])));
  const filters = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    location.hash = `#/fleet${qs({ status: f.get('status'), search: f.get('search') })}`;
  } },
    h('label', {}, 'Status', h('select', { name: 'status' }, h('option', { value: '' }, 'any'), statuses.map((s) => h('option', { value: s, selected: s === status }, s)))),
    h('label', {}, 'Id or label starts with', h('input', { name: 'search', value: search, type: 'search' })),
    h('button', { type: 'submit' }, 'Filter'));
  const pager = h('div', { class: 'actions' },
    offset > 0 ? link(`#/fleet${qs({ status, search, offset: Math.max(0, offset - limit) })}`, '← previous page') : null,
    h('span', { 'data-testid': 'agents-shown' }, `${agents.rows.length ? offset + 1 : 0}–${offset + agents.rows.length} of ${agents.total}`),
    offset + agents.rows.length < agents.total ? link(`#/fleet${qs({ status, search, offset: offset + limit })}`, 'next page →') : null);
  mount(
    heading('Fleet'),
    h('div', { class: 'cards' },
      card('Agents', fleet.agents_total, 'agents-total', h('div', {}, statuses.map((s) => h('div', {}, badge(s), ' ', h('span', { 'data-testid': `agents-${s}` }, fmtNum(byStatus[s] ?? 0)))))),
      card('EISV updates, last hour', fleet.updates.hour, 'updates-hour', h('div', { class: 'muted' }, 'last day: ', h('span', { 'data-testid': 'updates-day' }, fmtNum(fleet.updates.day)))),
      card('Audit events, last hour', fleet.audit_events.hour, 'audit-hour', h('div', { class: 'muted' }, `last day: ${fleet.audit_events.day}`)),
      card('Schema version', health.schema_version, 'schema-version', h('div', { class: 'muted' }, `${health.store} store, govdb ${health.version}`))),
    h('div', { class: 'grid2' },
      windowTable('Decisions', fleet.decisions, [...decisionValues, 'none'], 'decisions'),
      windowTable('Verdicts', fleet.verdicts, verdictValues, 'verdicts')),
    h('h3', {}, 'Health ', badge(health.status)),
    table([{ label: 'component' }, { label: 'status' }, { label: 'message' }],
      Object.entries(health.checks).map(([name, c]) => [name, h('span', { 'data-testid': `health-${name}` }, badge(c.status)), c.message])),
    h('h3', {}, 'Agents'),
    filters,
    pager,
    table([{ label: 'agent' }, { label: 'label' }, { label: 'status' }, { label: 'updates', num: true }, { label: 'risk', num: true }, { label: 'coherence', num: true }, { label: 'verdict' }, { label: 'last activity' }],
      agents.rows.map((a) => [agentLink(a.id), a.label ?? '—', badge(a.status), fmtNum(a.update_count), fmtNum(a.risk), fmtNum(a.coherence), a.verdict ? badge(a.verdict) : '—', fmtTime(a.last_activity_at)]),
      { 'data-testid': 'agents-table', 'aria-label': 'Agents' }),
  );
  done();
  onChange = (tables) => tables.some((t) => /agent|audit|dialectic|discover|poll|reconnect/.test(t)) && rerender();
}

async function loadTrajectory(agentId) {
  const out = { seq: [], t: [], energy: [], information: [], entropy: [], void: [], coherence: [], risk: [], verdict: [], decision: [] };
  let after = 0;
  for (;;) {
    const page = await api(`/agents/${encodeURIComponent(agentId)}/trajectory${qs({ after_seq: after, limit: 10000 })}`);
    for (const k of Object.keys(out)) for (const v of page[k]) out[k].push(v);
    if (page.next_after_seq === null) break;
    after = page.next_after_seq;
  }
  return out;
}

function trajectoryChart(el, tr) {
  // x = seq, so points recorded within one second stay apart; the time is in the legend
  const x = tr.seq;
  const marks = (what) => tr.decision.map((d, i) => (d === what ? tr.risk[i] : null));
  const series = [
    { label: 'seq', value: (u, v, si, i) => (i === null || i === undefined ? '—' : `${v} (${fmtTime(tr.t[i] * 1000)})`) },
    { label: 'E', stroke: '#0b5cad', width: 1 },
    { label: 'I', stroke: '#1a7f37', width: 1 },
    { label: 'S', stroke: '#8250df', width: 1 },
    { label: 'V', stroke: '#9a6700', width: 1 },
    { label: 'coherence', stroke: '#0a7b83', width: 1, dash: [4, 3] },
    { label: 'risk', stroke: '#cf222e', width: 1.5 },
    { label: 'decision: pause', stroke: '#cf222e', fill: '#cf222e', paths: () => null, points: { show: true, size: 9, fill: '#cf222e' } },
    { label: 'decision: guide', stroke: '#9a6700', fill: '#9a6700', paths: () => null, points: { show: true, size: 7, fill: '#ffffff' } },
    { label: 'verdict: high-risk', stroke: '#000000', fill: '#000000', paths: () => null, points: { show: true, size: 5, fill: '#000000' } },
  ];
  const highRisk = tr.verdict.map((v, i) => (v === 'high-risk' ? tr.risk[i] : null));
  const data = [x, tr.energy, tr.information, tr.entropy, tr.void, tr.coherence, tr.risk, marks('pause'), marks('guide'), highRisk];
  const width = Math.max(300, el.clientWidth || 900);
  const plot = new uPlot({ width, height: 360, series, scales: { x: { time: false } }, axes: [{ label: 'seq' }, {}], cursor: { drag: { x: true, y: false } } }, data, el);
  const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 360 }));
  ro.observe(el);
  return plot;
}

async function agentView(agentId, _params, done) {
  const [d, tr] = await Promise.all([api(`/agents/${encodeURIComponent(agentId)}`), loadTrajectory(agentId)]);
  const a = d.agent;
  const act = async (what, body, question) => {
    if (!window.confirm(question)) return;
    try {
      await api(`/actions/${what}`, { method: 'POST', body });
      showAlert(null);
      await rerender();
    } catch (err) {
      if (err.status !== 401) showAlert(`${err.code ?? 'ERROR'}: ${err.message}`);
    }
  };
  const chartEl = h('div', { class: 'chart', 'data-testid': 'trajectory', role: 'img', 'aria-label': `EISV trajectory of ${agentId}: ${tr.seq.length} states; drag to zoom, double-click to reset` });
  mount(
    heading(`Agent ${a.label ?? a.id}`),
    h('p', {}, h('span', { class: 'mono' }, a.id), ' ', h('span', { 'data-testid': 'agent-status' }, badge(a.status)),
      ` · ${a.update_count} updates · created ${fmtTime(a.created_at)} · last activity ${fmtTime(a.last_activity_at)}`),
    h('div', { class: 'actions' },
      a.status === 'paused' ? h('button', { type: 'button', class: 'primary', 'data-testid': 'action-resume', onclick: () => act('resume', { agent_id: a.id }, `Resume ${a.id} after its resolved review?`) }, 'Resume after review') : null,
      !['archived', 'deleted'].includes(a.status) ? h('button', { type: 'button', class: 'danger', 'data-testid': 'action-archive', onclick: () => act('archive', { agent_id: a.id }, `Archive ${a.id}?`) }, 'Archive') : null),
    h('h3', {}, 'EISV trajectory (', h('span', { 'data-testid': 'trajectory-points' }, String(tr.seq.length)), ' states)'),
    chartEl,
    h('div', { class: 'grid2' },
      h('div', {}, h('h3', {}, 'Lineage'),
        h('p', {}, 'Parent: ', d.parent ? agentLink(d.parent.id) : 'none'),
        table([{ label: 'child' }, { label: 'status' }, { label: 'spawn reason' }], d.children.map((c) => [agentLink(c.id), badge(c.status), c.spawn_reason ?? '—']))),
      h('div', {}, h('h3', {}, 'Lifecycle events'),
        table([{ label: 'time' }, { label: 'event' }, { label: 'from → to' }, { label: 'actor' }, { label: 'reason' }],
          d.lifecycle.map((e) => [fmtTime(e.occurred_at), e.event, `${e.from_status ?? '—'} → ${e.to_status ?? '—'}`, e.actor ?? '—', e.reason ?? '—']), { 'data-testid': 'lifecycle-table' }))),
    h('h3', {}, 'Discoveries'),
    table([{ label: 'id' }, { label: 'type' }, { label: 'status' }, { label: 'summary' }, { label: '' }],
      d.discoveries.map((x) => [link(`#/graph${qs({ focus: x.id })}`, x.id), x.type, badge(x.status), x.summary,
        x.status !== 'resolved' ? h('button', { type: 'button', onclick: () => act('resolve-discovery', { discovery_id: x.id }, `Mark discovery ${x.id} resolved?`) }, 'Mark resolved') : '']),
      { 'data-testid': 'discoveries-table' }),
    h('h3', {}, 'Dialectic sessions'),
    table([{ label: 'session' }, { label: 'type' }, { label: 'phase' }, { label: 'status' }, { label: 'paused agent' }, { label: 'reviewer' }, { label: 'created' }],
      d.dialectic.map((s) => [link(`#/dialectic/${encodeURIComponent(s.id)}`, s.id), s.session_type, s.phase, badge(s.status), agentLink(s.paused_agent_id), agentLink(s.reviewer_agent_id), fmtTime(s.created_at)])),
  );
  if (tr.seq.length) trajectoryChart(chartEl, tr);
  else chartEl.append(h('p', { class: 'muted' }, 'No EISV states yet.'));
  done();
  onChange = (tables) => tables.some((t) => /agent|dialectic|discover|poll|reconnect/.test(t)) && rerender();
}

let cy = null;
function nodeId(label, id) {
  return `${label}:${id}`;
}
async function expand(label, id) {
  const { rows } = await api(`/graph/neighbourhood${qs({ label, id })}`);
  const src = nodeId(label, id);
  const add = [];
  for (const r of rows) {
    const other = nodeId(r.other_label, r.other_id);
    if (!cy.getElementById(other).length) {
      const name = r.other_label === 'Discovery' ? `${r.other?.summary ?? r.other_id}`.slice(0, 40) : r.other_label === 'Agent' ? r.other?.label ?? r.other_id : `#${r.other_id}`;
      add.push({ group: 'nodes', data: { id: other, label: name, kind: r.other_label, ref: r.other_id, status: r.other?.status ?? '' } });
    }
    const [s, t] = r.direction === 'out' ? [src, other] : [other, src];
    const eid = `${s}|${r.edge_label}|${t}`;
    if (!cy.getElementById(eid).length && !add.some((x) => x.data.id === eid)) add.push({ group: 'edges', data: { id: eid, source: s, target: t, label: r.edge_label } });
  }
  cy.add(add);
  cy.getElementById(src).data('expanded', 'yes');
  cy.layout({ name: 'cose', animate: false, nodeDimensionsIncludeLabels: true }).run();
  return rows.length;
}

async function graphView(params, done) {
  const f = { q: params.get('q') ?? '', type: params.get('type') ?? '', status: params.get('status') ?? '', tag: params.get('tag') ?? '' };
  const focus = params.get('focus');
  const hits = await api(`/graph/search${qs({ ...f, limit: 50 })}`);
  const graphEl = h('div', { id: 'graph', 'data-testid': 'graph', role: 'img', 'aria-label': 'Knowledge graph neighbourhood; activate a result to draw it, click a node to expand it' });
  const info = h('p', { class: 'muted', 'data-testid': 'graph-info', 'aria-live': 'polite' }, 'Choose a discovery to draw its neighbourhood.');
  const draw = async (id, summary) => {
    cy.elements().remove();
    cy.add({ group: 'nodes', data: { id: nodeId('Discovery', id), label: summary.slice(0, 40), kind: 'Discovery', ref: id } });
    const n = await expand('Discovery', id);
    info.textContent = `${id}: ${n} edge(s); click a node to expand it.`;
  };
  mount(
    heading('Knowledge graph'),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      location.hash = `#/graph${qs(Object.fromEntries(fd.entries()))}`;
    } },
      h('label', {}, 'Search', h('input', { name: 'q', type: 'search', value: f.q })),
      h('label', {}, 'Type', h('input', { name: 'type', value: f.type, size: 10 })),
      h('label', {}, 'Status', h('select', { name: 'status' }, ['', 'open', 'resolved', 'archived', 'disputed'].map((s) => h('option', { value: s, selected: s === f.status }, s || 'any')))),
      h('label', {}, 'Tag', h('input', { name: 'tag', value: f.tag, size: 10 })),
      h('button', { type: 'submit' }, 'Search')),
    h('div', { class: 'grid2' },
      h('div', {}, h('h3', {}, h('span', { 'data-testid': 'search-count' }, String(hits.rows.length)), ' result(s)'),
        table([{ label: 'discovery' }, { label: 'type' }, { label: 'status' }, { label: 'summary' }],
          hits.rows.map((x) => [h('button', { type: 'button', 'data-testid': `draw-${x.id}`, onclick: () => draw(x.id, x.summary) }, x.id), x.type, badge(x.status), x.summary]), { 'data-testid': 'search-table' })),
      h('div', {}, info, graphEl)),
  );
  cy = cytoscape({
    container: graphEl,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-wrap': 'ellipsis', 'text-max-width': 120, 'background-color': '#0b5cad', width: 14, height: 14 } },
      { selector: 'node[kind = "Agent"]', style: { shape: 'round-rectangle', 'background-color': '#1a7f37' } },
      { selector: 'node[kind = "Tag"]', style: { shape: 'diamond', 'background-color': '#8250df' } },
      { selector: 'node[expanded = "yes"]', style: { 'border-width': 3, 'border-color': '#f0a500' } },
      { selector: 'edge', style: { width: 1, 'line-color': '#8c959f', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#8c959f', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 7, color: '#57606a' } },
    ],
    wheelSensitivity: 0.3,
  });
  cy.on('tap', 'node', (e) => {
    const n = e.target;
    void expand(n.data('kind'), n.data('ref')).then((k) => (info.textContent = `${n.data('ref')}: ${k} edge(s) added around it.`)).catch((err) => showAlert(err.message));
  });
  const first = focus ? hits.rows.find((x) => x.id === focus) ?? { id: focus, summary: focus } : null;
  if (first) await draw(first.id, first.summary);
  done();
  onChange = null; // the graph keeps what the operator expanded; search again to refresh
}

async function dialecticListView(params, done) {
  const status = params.get('status') ?? '';
  const phase = params.get('phase') ?? '';
  const [page, fleet] = await Promise.all([api(`/dialectic${qs({ status, phase, limit: 200 })}`), api('/fleet')]);
  const byStatus = fleet.fleet.dialectic_by_status ?? {};
  mount(
    heading('Dialectic reviews'),
    h('div', { class: 'cards' }, dialecticStatusValues.map((s) => card(s, byStatus[s] ?? 0, `dialectic-${s}`))),
    h('form', { class: 'filters', onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      location.hash = `#/dialectic${qs(Object.fromEntries(fd.entries()))}`;
    } },
      h('label', {}, 'Status', h('select', { name: 'status' }, ['', 'active', 'resolved', 'escalated', 'failed'].map((s) => h('option', { value: s, selected: s === status }, s || 'any')))),
      h('label', {}, 'Phase', h('select', { name: 'phase' }, ['', 'thesis', 'antithesis', 'synthesis', 'resolved', 'escalated', 'failed'].map((s) => h('option', { value: s, selected: s === phase }, s || 'any')))),
      h('button', { type: 'submit' }, 'Filter')),
    h('p', {}, h('span', { 'data-testid': 'dialectic-total' }, String(page.total)), ' session(s)'),
    table([{ label: 'session' }, { label: 'type' }, { label: 'phase' }, { label: 'status' }, { label: 'paused agent' }, { label: 'reviewer' }, { label: 'messages', num: true }, { label: 'created' }],
      page.rows.map((s) => [link(`#/dialectic/${encodeURIComponent(s.id)}`, s.id), s.session_type, s.phase, badge(s.status), agentLink(s.paused_agent_id), agentLink(s.reviewer_agent_id), fmtNum(s.messages), fmtTime(s.created_at)]),
      { 'data-testid': 'dialectic-table' }),
  );
  done();
  onChange = (tables) => tables.some((t) => /dialectic|poll|reconnect/.test(t)) && rerender();
}

async function transcriptView(id, _params, done) {
  const s = await api(`/dialectic/${encodeURIComponent(id)}`);
  const msg = (m) =>
    h('article', { class: 'msg' },
      h('header', {}, `#${m.seq} ${m.messageType}`, ' · ', m.agentId ? agentLink(m.agentId) : 'system', ' · ', fmtTime(m.createdAt), m.agrees === null ? '' : ` · agrees: ${m.agrees ? 'yes' : 'no'}`),
      m.rootCause ? h('p', {}, h('strong', {}, 'Root cause: '), m.rootCause) : null,
      m.reasoning ? h('p', {}, h('strong', {}, 'Reasoning: '), m.reasoning) : null,
      m.proposedConditions?.length ? h('p', {}, h('strong', {}, 'Conditions: '), m.proposedConditions.join('; ')) : null,
      m.concerns?.length ? h('p', {}, h('strong', {}, 'Concerns: '), m.concerns.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('; ')) : null,
      m.signature ? h('p', { class: 'mono' }, `signature ${m.signature}`) : null);
  mount(
    heading(`Dialectic session ${s.id}`),
    h('p', {}, `${s.sessionType} · phase ${s.phase} · `, badge(s.status), ' · paused ', agentLink(s.pausedAgentId), ' · reviewer ', agentLink(s.reviewerAgentId), ` · round ${s.synthesisRound}/${s.maxSynthesisRounds}`),
    s.topic ? h('p', {}, h('strong', {}, 'Topic: '), s.topic) : null,
    h('h3', {}, 'Transcript (', h('span', { 'data-testid': 'transcript-count' }, String(s.messages.length)), ' messages)'),
    s.messages.map(msg),
    h('h3', {}, 'Resolution'),
    s.resolution ? h('pre', { class: 'mono wrap', 'data-testid': 'resolution' }, JSON.stringify(s.resolution, null, 2)) : h('p', { class: 'muted' }, 'not resolved'),
  );
  done();
  onChange = (tables) => tables.some((t) => /dialectic|poll|reconnect/.test(t)) && rerender();
}

async function activityView(params, done) {
  const f = { agent_id: params.get('agent_id') ?? '', event_type: params.get('event_type') ?? '', since: params.get('since') ?? '' };
  const page = await api(`/activity${qs({ ...f, limit: 200 })}`);
  const rows = [...page.rows];
  let cursor = page.next_cursor;
  const body = h('div');
  const renderRows = () =>
    body.replaceChildren(table([{ label: 'time' }, { label: 'event' }, { label: 'agent' }, { label: 'actor' }, { label: 'source' }, { label: 'details', class: 'hide-narrow' }],
      rows.map((e) => [fmtTime(e.occurredAt), e.eventType, agentLink(e.agentId), String(e.details?.actor ?? '—'), e.source, h('span', { class: 'mono' }, JSON.stringify(e.details).slice(0, 160))]),
      { 'data-testid': 'activity-table' }));
  renderRows();
  const more = h('button', { type: 'button', hidden: !cursor, onclick: async () => {
    const next = await api(`/activity${qs({ ...f, limit: 200, cursor })}`);
    rows.push(...next.rows);
    cursor = next.next_cursor;
    more.hidden = !cursor;
    renderRows();
  } }, 'Load older events');
  const c = page.chain;
  mount(
    heading('Activity'),
    h('div', { class: 'cards' },
      card('Chain links checked', c.checked, 'chain-checked', h('div', {}, 'unlinked: ', h('span', { 'data-testid': 'chain-unlinked' }, String(c.unlinked)), ' ', badge(c.unlinked ? 'error' : 'healthy'))),
      card('Mirror rejects', c.total_rejects, 'chain-rejects')),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      location.hash = `#/activity${qs(Object.fromEntries(fd.entries()))}`;
    } },
      h('label', {}, 'Agent id', h('input', { name: 'agent_id', value: f.agent_id })),
      h('label', {}, 'Event type', h('input', { name: 'event_type', value: f.event_type })),
      h('label', {}, 'Since (ISO time)', h('input', { name: 'since', value: f.since, placeholder: '2026-11-30T00:00:00Z' })),
      h('button', { type: 'submit' }, 'Filter')),
    h('p', {}, h('span', { 'data-testid': 'activity-count' }, String(rows.length)), ' event(s) shown, newest first'),
    body,
    more,
  );
  done();
  onChange = (tables) => tables.some((t) => /audit|poll|reconnect/.test(t)) && rerender();
}

async function platformView(_params, done) {
  const { platform, health } = await api('/platform');
  const pg = health.checks.postgres ?? {};
  const audit = health.checks.audit ?? {};
  const cache = health.checks.cache ?? {};
  mount(
    heading('Data platform'),
    h('div', { class: 'cards' },
      card('Schema version', health.schema_version, 'platform-schema-version', h('div', {}, badge(pg.status), ' ', pg.message ?? '')),
      card('Pending ledger items', pg.pending ?? 0, 'platform-pending'),
      card('Audit mirror lag (lines)', audit.lag_lines ?? null, 'mirror-lag-lines', h('div', { class: 'muted' }, `${fmtNum(audit.lag_seconds ?? null, 1)} s behind; ingest delay ${fmtNum(platform.mirror_delay_seconds, 2)} s`)),
      card('Mirror rejects', platform.mirror_rejects.count, 'mirror-rejects'),
      card('Redis mode', cache.mode ?? '—', 'redis-mode', h('div', {}, badge(cache.status), ' ', cache.message ?? '')),
      card('Replicas', platform.replication.length, 'replicas')),
    h('h3', {}, 'Ledger (', h('span', { 'data-testid': 'ledger-count' }, String(platform.ledger.length)), ' applied items)'),
    table([{ label: '#', num: true }, { label: 'kind' }, { label: 'version', num: true }, { label: 'name' }, { label: 'checksum', class: 'hide-narrow' }, { label: 'applied at' }, { label: 'ms', num: true }],
      platform.ledger.map((m) => [fmtNum(m.id), m.kind, fmtNum(m.version), m.name, h('span', { class: 'mono' }, String(m.checksum).slice(0, 24)), fmtTime(m.applied_at), fmtNum(m.execution_ms)]),
      { 'data-testid': 'ledger-table' }),
    h('h3', {}, 'Newest mirror rejects'),
    table([{ label: 'file' }, { label: 'line', num: true }, { label: 'reason' }, { label: 'recorded' }],
      platform.mirror_rejects.recent.map((r) => [r.file_name, fmtNum(r.line_no), r.reason, fmtTime(r.recorded_at)])),
    h('h3', {}, 'Replication'),
    platform.replication.length
      ? table([{ label: 'standby' }, { label: 'state' }, { label: 'sync' }, { label: 'replay lag (s)', num: true }],
          platform.replication.map((r) => [r.application_name || r.client_addr || '—', r.state, r.sync_state, fmtNum(r.replay_lag_seconds)]))
      : h('p', { class: 'muted' }, 'No standbys attached to this primary.'),
  );
  done();
  onChange = (tables) => tables.some((t) => /audit|poll|reconnect/.test(t)) && rerender();
}

// ------------------------------------------------------------------ router

const routes = [
  [/^#\/fleet$/, (m, p, d) => fleetView(p, d), 'fleet', '#/fleet'],
  [/^#\/agent\/(.+)$/, (m, p, d) => agentView(decodeURIComponent(m[1]), p, d), 'agent', '#/fleet'],
  [/^#\/graph$/, (m, p, d) => graphView(p, d), 'graph', '#/graph'],
  [/^#\/dialectic$/, (m, p, d) => dialecticListView(p, d), 'dialectic', '#/dialectic'],
  [/^#\/dialectic\/(.+)$/, (m, p, d) => transcriptView(decodeURIComponent(m[1]), p, d), 'transcript', '#/dialectic'],
  [/^#\/activity$/, (m, p, d) => activityView(p, d), 'activity', '#/activity'],
  [/^#\/platform$/, (m, p, d) => platformView(p, d), 'platform', '#/platform'],
];

// Renders run one at a time, in order: a request made while one runs is folded into one more run
// afterwards, so a slow render of an older route or older data never overwrites a newer one.
let rendering = null;
let renderFailed = false;
let renderAgain = false;
function rerender() {
  if (rendering) {
    renderAgain = true;
    return rendering;
  }
  rendering = (async () => {
    do {
      renderAgain = false;
      await renderOnce();
    } while (renderAgain);
  })().finally(() => {
    rendering = null;
  });
  return rendering;
}

async function renderOnce() {
  const hash = location.hash || '#/fleet';
  const [path, query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  const route = routes.find(([re]) => re.test(path));
  if (!route) {
    location.hash = '#/fleet';
    return;
  }
  const [re, fn, name, navHref] = route;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === navHref) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const t0 = performance.now();
  onChange = null;
  try {
    await fn(path.match(re), params, () => {
      timings[name] = Math.round(performance.now() - t0);
      window.govdbDashboard.renders++;
      document.body.dataset.view = name;
      document.body.dataset.route = hash;
      document.body.dataset.renders = String(window.govdbDashboard.renders);
      if (renderFailed) showAlert(null); // the error of an earlier failed render is over
      renderFailed = false;
    });
  } catch (err) {
    if (err.status === 401) return;
    showAlert(`${err.code ?? 'ERROR'}: ${err.message}`);
    // a failed render (e.g. the server was down) is retried on the next change, poll or reconnect
    renderFailed = true;
    onChange = () => rerender();
  }
}

function start() {
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  startLive();
  void rerender();
}

document.getElementById('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin();
});
window.addEventListener('hashchange', () => {
  if (sessionStorage.getItem(TOKEN_KEY)) {
    showAlert(null);
    void rerender().then(() => view.focus({ preventScroll: true }));
  }
});
if (sessionStorage.getItem(TOKEN_KEY)) start();
else showLogin();
