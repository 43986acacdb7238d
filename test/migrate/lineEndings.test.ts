import fc from 'fast-check';
import { promises as fs, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { hasBom, hasCrlf, legacyTextChecksums, normaliseText, sha256, textChecksum } from '../../src/db/migrate/fileText';
import { loadLedgerFiles } from '../../src/db/migrate/ledgerFiles';
import { migrate } from '../../src/db/migrate/migrate';
import { readLedgerStatus, statusExitCode } from '../../src/db/migrate/status';
import { createEmptyDatabase, createMigratedDatabase, TestDatabase } from '../helpers/db';
import { committedFiles, copyLedger, ROOT, toCrlf } from './ledgerHelpers';

/** Files as people save them: CRLF and BOM copies of the repository's own ledger files. */
const BOM = '\uFEFF';

async function rewriteAll(dir: string, suffix: string, fn: (text: string) => string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith(suffix));
  for (const f of names) await fs.writeFile(path.join(dir, f), fn(await fs.readFile(path.join(dir, f), 'utf8')));
  return names;
}

async function statusOf(db: TestDatabase, root: string) {
  const status = await readLedgerStatus(db.pool, await loadLedgerFiles(root, db.url));
  return { status, exit: statusExitCode(status) };
}

describe('checksums over LF text without BOM (units)', () => {
  it('leave every LF, BOM-less text with its old checksum (sha256 of the file): deployed ledger rows stay valid', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\r') && !s.startsWith(BOM)), (text) => {
      expect(textChecksum(text)).toBe(sha256(text));
    }));
  });

  it('give CRLF and BOM copies the checksum of the LF original, and list the raw copies as legacy forms', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\r') && !s.startsWith(BOM)), fc.boolean(), fc.boolean(), (lf, crlf, bom) => {
      const saved = (bom ? BOM : '') + (crlf ? lf.replace(/\n/g, '\r\n') : lf);
      expect(textChecksum(saved)).toBe(textChecksum(lf));
      expect(normaliseText(saved)).toBe(lf);
      if (saved !== lf) expect(legacyTextChecksums(lf)).toContain(sha256(saved));
    }));
  });

  it('the repository itself has LF, BOM-less ledger files (so .gitattributes and the checksums agree)', () => {
    const dirs = ['migrations/committed', 'cypher', 'sql/functions'];
    for (const dir of dirs) {
      for (const f of readdirSync(path.join(ROOT, dir))) {
        const text = readFileSync(path.join(ROOT, dir, f), 'utf8');
        expect([f, hasCrlf(text), hasBom(text)]).toEqual([f, false, false]);
      }
    }
  });
});

describe('CRLF and BOM copies of the repository ledger', () => {
  let db: TestDatabase;
  afterEach(async () => {
    await db.drop();
  });

  it('Cypher and function files saved with CRLF and a BOM migrate an empty database; status is clean against the LF originals', async () => {
    db = await createEmptyDatabase();
    const root = await copyLedger();
    const cypher = await rewriteAll(path.join(root, 'cypher'), '.cypher', (t) => BOM + toCrlf(t));
    const functions = await rewriteAll(path.join(root, 'sql/functions'), '.sql', (t) => BOM + toCrlf(t));
    expect(cypher.length).toBeGreaterThan(0);
    expect(functions.length).toBeGreaterThan(0);
    await migrate(db.url, { root });
    expect((await statusOf(db, root)).exit).toBe(0);
    // the same ledger read from the repository's LF files
    expect((await statusOf(db, ROOT)).exit).toBe(0);
    // the applied function bodies carry no CR or BOM
    const cr = await db.pool.query(`select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('core', 'knowledge', 'audit') and (p.prosrc like '%' || chr(13) || '%' or p.prosrc like '%' || chr(65279) || '%')`);
    expect(cr.rows[0].n).toBe(0);
  });

  it('finding 2: a database migrated from LF files reports clean status for CRLF/BOM checkouts of them, and a later migrate applies nothing', async () => {
    db = await createMigratedDatabase();
    for (const variant of [(t: string) => toCrlf(t), (t: string) => BOM + t, (t: string) => BOM + toCrlf(t)]) {
      const root = await copyLedger();
      await rewriteAll(path.join(root, 'cypher'), '.cypher', variant);
      await rewriteAll(path.join(root, 'sql/functions'), '.sql', variant);
      const { status, exit } = await statusOf(db, root);
      expect(status.problems).toEqual([]);
      expect(exit).toBe(0);
      expect((await migrate(db.url, { root })).applied).toEqual([]);
    }
  });

  it('a database migrated by the CLI (the test template) is clean, and every row holds what the pre-normalisation code stored', async () => {
    db = await createMigratedDatabase();
    expect((await statusOf(db, ROOT)).exit).toBe(0);
    // the earlier checksums: SQL = the Hash header, Cypher/function = sha256 of the raw file
    const rows = (await db.pool.query(`select distinct on (kind, file) kind::text, file, checksum from core.schema_migrations order by kind, file, id desc`)).rows;
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const text = readFileSync(path.join(ROOT, row.file), 'utf8');
      const old = row.kind === 'sql' ? /^--! Hash: (\S+)$/m.exec(text)![1] : sha256(text);
      expect([row.file, row.checksum]).toEqual([row.file, old]);
    }
  });

  it('accepts ledger rows written by earlier versions for CRLF/BOM files (sha256 of the raw file)', async () => {
    db = await createMigratedDatabase();
    const raw = BOM + toCrlf(readFileSync(path.join(ROOT, 'cypher/0001_governance_graph.cypher'), 'utf8'));
    await db.pool.query(`update core.schema_migrations set checksum = $1 where file = 'cypher/0001_governance_graph.cypher'`, [sha256(raw)]);
    expect((await statusOf(db, ROOT)).exit).toBe(0);
  });

  it('finding 2: a BOM in a function file no longer gives a syntax error', async () => {
    db = await createMigratedDatabase();
    const root = await copyLedger();
    await fs.writeFile(path.join(root, 'sql/functions/zz_bom.sql'), `${BOM}create or replace function public.zz_bom() returns int language sql as $$ select 7 $$;\r\n`);
    const result = await migrate(db.url, { root });
    expect(result.applied.map((a) => a.file)).toEqual(['sql/functions/zz_bom.sql']);
    expect((await db.pool.query('select public.zz_bom() as v')).rows[0].v).toBe(7);
  });

  it.each([
    ['CRLF', (t: string) => toCrlf(t), /CRLF line endings/],
    ['BOM', (t: string) => BOM + t, /byte-order mark \(BOM\)/],
    ['CRLF and BOM', (t: string) => BOM + toCrlf(t), /CRLF line endings and a UTF-8 byte-order mark/],
  ])('finding 2: a committed SQL migration saved with %s is refused naming CRLF/BOM, the file and the fix', async (_name, variant, what) => {
    db = await createMigratedDatabase();
    const root = await copyLedger();
    for (const f of await committedFiles(root)) {
      const file = path.join(root, 'migrations/committed', f);
      const original = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, variant(original));
      const err = await loadLedgerFiles(root, db.url).catch((e) => e);
      expect(err.code).toBe('MIGRATION_FILE_INVALID');
      expect(err.message).toMatch(what);
      expect(err.message).toContain(`migrations/committed/${f}`);
      expect(err.hint).toMatch(/git checkout/);
      expect(err.hint).toMatch(/LF/);
      await expect(migrate(db.url, { root })).rejects.toMatchObject({ code: 'MIGRATION_FILE_INVALID' });
      await fs.writeFile(file, original);
    }
    expect((await statusOf(db, root)).exit).toBe(0);
  });
});
