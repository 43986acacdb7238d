import fc from 'fast-check';
import { readUrlsFromEnv } from '../../src/db/replicas';
import { GovdbError } from '../../src/errors';

describe('DB_POSTGRES_READ_URL', () => {
  it('accepts one or more postgres:// URLs separated by commas, ignoring blanks', () => {
    expect(readUrlsFromEnv(undefined)).toEqual([]);
    expect(readUrlsFromEnv('')).toEqual([]);
    expect(readUrlsFromEnv(' postgres://a@h1:5432/db , postgresql://h2/db ,')).toEqual(['postgres://a@h1:5432/db', 'postgresql://h2/db']);
  });

  it('refuses any list with an entry that is not a postgres URL (CONFIG_INVALID), whatever else it holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('postgres://r1/db', 'postgresql://r2:5433/db')),
        fc.string().filter((s) => s.trim() !== '' && !s.includes(',') && !/^\s*postgres(ql)?:\/\/./.test(s)),
        fc.nat(),
        (good, bad, at) => {
          const list: string[] = [...good];
          list.splice(at % (list.length + 1), 0, bad);
          let error: unknown;
          try {
            readUrlsFromEnv(list.join(','));
          } catch (err) {
            error = err;
          }
          expect(error).toBeInstanceOf(GovdbError);
          expect((error as GovdbError).code).toBe('CONFIG_INVALID');
        },
      ),
    );
  });
});
