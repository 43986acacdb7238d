import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { importLegacy } from '../../src/import/importLegacy';
import { ImportReport } from '../../src/import/report';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Legacy tags go through the one tag normaliser, core.normalize_tags, in PostgreSQL (issue 17): an
 * imported discovery or agent stores exactly what store_knowledge / onboard would store for the same
 * list, keeps the list as it was when normalising changed it, is quarantined (with its tags counted)
 * when the normalised list breaks a limit, and re-importing changes nothing.
 */

// tag characters: case mappings, every kind of white space ECMAScript trims (and U+200B / U+0085,
// which it does not), separators and quotes a JSON or array literal could trip over
const unit = fc.constantFrom(' ', 'a', 'A', 'Z', 'é', 'É', 'ß', 'Σ', '\t', '\n', '\r', '\u000b', '\u00a0', '\u2003', '\u3000', '\ufeff',
  '\u200b', '\u0085', '\u0007', '\u202e', 'e\u0301', '\u0301', ',', '"', '\\', '{', '}');
const tag = fc.oneof(fc.string({ unit, maxLength: 5 }), fc.constantFrom('', ' Ops ', 'OPS', 'ops\t'));
const tagList = fc.array(tag, { maxLength: 8 });

describe('legacy tags through core.normalize_tags', () => {
  let db: TestDatabase;
  let root: string;
  let runs = 0;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    root = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-tags-'));
    await db.pool.query(`select core.onboard_agent(p_agent_id => 'tag_author')`);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Imports the files (name → JSON) from a fresh directory; the report and the quarantine lines. */
  async function runImport(files: Record<string, unknown>, sameDirAs?: number): Promise<{ report: ImportReport; quarantine: Array<{ entity: string; reason: string }>; run: number }> {
    // the legacy file's path is part of the imported record (provenance.legacy_source): a re-import
    // of "the same file" reads it from the same directory
    const run = sameDirAs ?? ++runs;
    const dir = path.join(root, `run${run}`);
    const out = path.join(root, `out${++runs}`);
    for (const d of [dir, out]) mkdirSync(d, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
    const report = await importLegacy({
      paths: [dir], databaseUrl: db.url, progress: false, sourceTimezone: 'UTC',
      quarantineFile: path.join(out, 'q.jsonl'), reportFile: path.join(out, 'r.json'), checkpointFile: path.join(out, 'cp.json'),
    });
    const text = readFileSync(path.join(out, 'q.jsonl'), 'utf8').trim();
    return { report, quarantine: text ? text.split('\n').map((l) => JSON.parse(l)) : [], run };
  }

  const discovery = (id: string, tags: unknown, extra: Record<string, unknown> = {}) => ({
    id, agent_id: 'tag_author', type: 'insight', summary: `s ${id}`, details: 'd', tags, severity: 'low', timestamp: id,
    status: 'open', related_to: [], references_files: [], updated_at: id, ...extra,
  });
  const graph = (nodes: Array<ReturnType<typeof discovery>>) => ({ version: '1.0', nodes: Object.fromEntries(nodes.map((n) => [n.id, n])), indexes: {} });
  const normalized = async (tags: string[], sorted = false) =>
    (await db.pool.query<{ t: string[] }>('select core.normalize_tags($1::text[], $2) as t', [tags, sorted])).rows[0]!.t;

  test('an imported discovery stores what store_knowledge stores for the same tags, the legacy list kept when it changed', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(tagList, async (tags) => {
        const id = `2025-12-02T10:00:00.${String(++n).padStart(6, '0')}`;
        const { report } = await runImport({ 'knowledge_graph.json': graph([discovery(id, tags)]) });
        const row = (await db.pool.query(`select tags, provenance from knowledge.discoveries where id = $1`, [id])).rows[0];
        const viaApi = (await db.pool.query(
          `select tags from knowledge.store_discovery(p_agent_id => 'tag_author', p_summary => 'api twin', p_tags => $1::text[])`, [tags])).rows[0].tags;
        expect(row.tags).toEqual(viaApi);
        expect(row.tags).toEqual(await normalized(tags));
        if (JSON.stringify(tags) === JSON.stringify(row.tags)) expect(row.provenance.legacy_tags).toBeUndefined();
        else expect(row.provenance.legacy_tags).toEqual(tags);
        const tagRows = (await db.pool.query(`select tag from knowledge.discovery_tags where discovery_id = $1`, [id])).rows.map((r) => r.tag as string);
        expect(tagRows.sort()).toEqual([...(row.tags as string[])].sort());
        expect(report.totals.discovery_tags ?? { read: 0, inserted: 0 }).toMatchObject({ read: row.tags.length, inserted: row.tags.length });
      }),
      { numRuns: 25 },
    );
  });

  test('listed inputs: characters the tools refuse in names, decomposed letters, null elements', async () => {
    const id = '2025-12-03T10:00:00.000002';
    const tags = ['e\u0301cole', '\u00c9COLE', '\u200bzwsp\u200b', 'new\nline', 'inner  tab\there', null, '\u202eflip'];
    const { report, quarantine } = await runImport({ 'knowledge_graph.json': graph([discovery(id, tags)]) });
    expect(quarantine).toEqual([]);
    const row = (await db.pool.query(`select tags, provenance from knowledge.discoveries where id = $1`, [id])).rows[0];
    expect(row.tags).toEqual(['\u00e9cole', 'zwsp', 'new line', 'inner  tab here', 'flip']);
    expect(row.provenance.legacy_tags).toEqual(tags);
    expect(report.totals.discovery_tags).toMatchObject({ read: 5, inserted: 5 });
    // a stored tag is one a client can search for
    const hits = (await db.pool.query(`select id from knowledge.search_discoveries(p_tags => array['zwsp'])`)).rows.map((r) => r.id);
    expect(hits).toContain(id);
  });

  test('listed inputs: white space other than spaces, case and duplicates', async () => {
    const id = '2025-12-03T10:00:00.000001';
    const tags = ['Edge', 'edge ', '\tOps\n', 'ops', '\u00a0Drift\u3000', ' '];
    const { report, run } = await runImport({ 'knowledge_graph.json': graph([discovery(id, tags)]) });
    const row = (await db.pool.query(`select tags, provenance from knowledge.discoveries where id = $1`, [id])).rows[0];
    expect(row.tags).toEqual(['edge', 'ops', 'drift']);
    expect(row.provenance.legacy_tags).toEqual(tags);
    expect(report.totals.discovery_tags).toMatchObject({ read: 3, inserted: 3, quarantined: 0 });

    // the same file again: nothing changes, everything is already present
    const before = (await db.pool.query(`select to_jsonb(d) j from knowledge.discoveries d where id = $1`, [id])).rows[0].j;
    const again = await runImport({ 'knowledge_graph.json': graph([discovery(id, tags)]) }, run);
    expect((await db.pool.query(`select to_jsonb(d) j from knowledge.discoveries d where id = $1`, [id])).rows[0].j).toEqual(before);
    expect(again.report.totals.discoveries).toMatchObject({ read: 1, inserted: 0, updated: 0, already_present: 1 });
    expect(again.report.totals.discovery_tags).toMatchObject({ read: 3, inserted: 0, already_present: 3 });
  });

  test('a discovery over the tag limits is quarantined with its tags; the rest of the batch is imported', async () => {
    const many = Array.from({ length: 65 }, (_, i) => `t${i}`);
    const sameAfterNormalising = [...Array.from({ length: 64 }, (_, i) => `T${i}`), ...Array.from({ length: 64 }, (_, i) => ` t${i} `)];
    const long = ['ok', 'x'.repeat(101)];
    const nodes = [
      discovery('2025-12-04T10:00:00.000001', many),
      discovery('2025-12-04T10:00:00.000002', ['fine']),
      discovery('2025-12-04T10:00:00.000003', long),
      discovery('2025-12-04T10:00:00.000004', sameAfterNormalising),
    ];
    const { report, quarantine } = await runImport({ 'knowledge_graph.json': graph(nodes) });
    expect(report.totals.discoveries).toMatchObject({ read: 4, inserted: 2, quarantined: 2 });
    // read: 1 + 64 normalised tags of the two stored, 65 + 2 as given of the two quarantined
    expect(report.totals.discovery_tags).toMatchObject({ read: 1 + 64 + 65 + 2, inserted: 65, quarantined: 67 });
    const reasons = quarantine.filter((q) => q.entity === 'discoveries').map((q) => q.reason).sort();
    expect(reasons).toEqual([
      expect.stringContaining('discovery 2025-12-04T10:00:00.000001: 65 distinct tags given: at most 64 allowed'),
      expect.stringContaining('discovery 2025-12-04T10:00:00.000003: tag "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." has 101 characters: at most 100 allowed'),
    ]);
    const stored = (await db.pool.query(`select id, cardinality(tags) n from knowledge.discoveries where id like '2025-12-04%' order by id`)).rows;
    expect(stored).toEqual([{ id: '2025-12-04T10:00:00.000002', n: 1 }, { id: '2025-12-04T10:00:00.000004', n: 64 }]);
    expect(report.reconciliation?.ok).toBe(true);
  });

  test('imported agent tags are stored as onboard stores them, the legacy list kept; over 64 distinct tags is quarantined', async () => {
    const agent = (id: string, tags: unknown) => ({ agent_id: id, status: 'active', created_at: '2025-11-01T00:00:00', last_update: '2025-11-02T00:00:00', tags });
    const event = (name: string) => ({ event: name, timestamp: '2025-11-01T00:00:01', reason: 'legacy' });
    const { report, quarantine } = await runImport({
      'agent_metadata.json': {
        legacy_mixed: agent('legacy_mixed', [' Zeta', 'alpha', 'ZETA\t', '', 'Mid']),
        legacy_clean: agent('legacy_clean', ['alpha', 'beta']),
        legacy_many_raw: agent('legacy_many_raw', Array.from({ length: 70 }, (_, i) => (i % 2 ? 'Dup' : ' dup '))),
        legacy_too_many: { ...agent('legacy_too_many', Array.from({ length: 65 }, (_, i) => `t${i}`)), lifecycle_events: [event('created')] },
        // refused while reading (a tag that is not a string): its two events are counted inside it
        legacy_bad_tag: { ...agent('legacy_bad_tag', ['ok', 5]), lifecycle_events: [event('created'), event('paused')] },
      },
    });
    const rows = Object.fromEntries((await db.pool.query(`select id, tags, metadata from core.agents where id like 'legacy_%'`)).rows.map((r) => [r.id, r]));
    const onboarded = (await db.pool.query(`select tags from core.onboard_agent(p_tags => $1::text[])`, [[' Zeta', 'alpha', 'ZETA\t', '', 'Mid']])).rows[0].tags;
    expect(rows.legacy_mixed.tags).toEqual(onboarded);
    expect(rows.legacy_mixed.tags).toEqual(['alpha', 'mid', 'zeta']);
    expect(rows.legacy_mixed.metadata.legacy_tags).toEqual([' Zeta', 'alpha', 'ZETA\t', '', 'Mid']);
    expect(rows.legacy_clean.tags).toEqual(['alpha', 'beta']);
    expect(rows.legacy_clean.metadata.legacy_tags).toBeUndefined();
    expect(rows.legacy_many_raw.tags).toEqual(['dup']);
    expect(rows.legacy_too_many).toBeUndefined();
    expect(report.totals.agents).toMatchObject({ read: 5, inserted: 3, quarantined: 2 });
    expect(report.totals.lifecycle_events).toMatchObject({ read: 3, inserted: 0, quarantined: 3 });
    expect(quarantine.map((q) => q.reason).sort()).toEqual([
      'PostgreSQL refused the record: agent legacy_too_many has 65 distinct tags: at most 64 allowed',
      'agent "legacy_too_many" was not imported (its record is quarantined), so its lifecycle event cannot be',
      expect.stringContaining('tags ["ok",5] is not a list of strings'),
    ]);
  });
});
