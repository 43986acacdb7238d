import { generate, staleFiles } from '../../src/db/codegen/cli';
import { core } from '../../src/db/generated/functions';
import { callFunction } from '../../src/db/callFunction';
import { GovdbError } from '../../src/errors';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

describe('codegen', () => {
  it('committed generated files are fresh (run `npm run codegen` if this fails)', async () => {
    expect(await staleFiles(await generate())).toEqual([]);
  });

  describe('generated wrappers', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createMigratedDatabase();
      await db.pool.query(`create function core.zz_probe(p_text text, p_doc jsonb default '{}', p_fail boolean default false)
        returns table (echoed text, doc_keys text[]) language plpgsql as $$
        begin
          if p_fail then raise exception using errcode = 'GV422', message = 'probe refused', hint = 'do not fail', detail = 'PROBE'; end if;
          return query select p_text, array(select jsonb_object_keys(p_doc) order by 1);
        end $$`);
    });
    afterAll(async () => db.drop());

    it('calls a scalar function', async () => {
      expect(await core.schemaVersion(db.pool)).toBeGreaterThanOrEqual(2);
    });

    it('passes JSON arguments (arrays and objects) as JSON, omits defaults and maps GV errors', async () => {
      const spec = {
        schema: 'core', name: 'zz_probe', returns: 'rows' as const,
        params: [
          { key: 'text', sqlName: 'p_text', sqlType: 'text', json: false },
          { key: 'doc', sqlName: 'p_doc', sqlType: 'jsonb', json: true },
          { key: 'fail', sqlName: 'p_fail', sqlType: 'boolean', json: false },
        ],
      };
      expect(await callFunction(db.pool, spec, { text: 'x' })).toEqual([{ echoed: 'x', doc_keys: [] }]);
      expect(await callFunction(db.pool, spec, { text: 'y', doc: { b: [1, 2], a: 1 } })).toEqual([{ echoed: 'y', doc_keys: ['a', 'b'] }]);
      const err = (await callFunction(db.pool, spec, { text: 'z', fail: true }).catch((e: unknown) => e)) as GovdbError;
      expect(err).toBeInstanceOf(GovdbError);
      expect(err.toJSON()).toMatchObject({ code: 'INVALID_STATE', message: 'probe refused', hint: 'do not fail', reason: 'PROBE' });
    });
  });
});
