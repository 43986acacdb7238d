import { migrationKindValues, MigrationKind } from '../../src/db/generated/enums';
import { LedgerKind, ledgerKinds } from '../../src/db/migrate/status';

/**
 * The migrator cannot import generated code (codegen runs it first), so its ledger kinds are the one
 * list written by hand; this keeps it equal to the database enum core.migration_kind, in both the
 * values and the type.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameType: Same<LedgerKind, MigrationKind> = true;

test('the ledger kinds are the labels of core.migration_kind, in order', () => {
  expect(sameType).toBe(true);
  expect([...ledgerKinds]).toEqual([...migrationKindValues]);
});
