import { isDataError } from '../../src/db/sqlErrors';
import { GovdbError } from '../../src/errors';

/** The one rule the loaders (audit mirror, backfill, legacy import) use to set a row aside instead of retrying. */
test.each([
  ['22P02', true], ['23505', true], ['23514', true], ['42804', true], ['P0001', true], ['GV400', true], ['GV404', true],
  ['08006', false], ['57P01', false], ['53300', false], ['40001', false], ['42P01', false], [undefined, false],
])('SQLSTATE %s → data error %s', (code, expected) => {
  expect(isDataError(Object.assign(new Error('x'), { code }))).toBe(expected);
  expect(isDataError(new GovdbError('INVALID_INPUT', 'x', { sqlstate: code }))).toBe(expected);
});
