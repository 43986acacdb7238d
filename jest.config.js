/** Tests run against a real PostgreSQL 17 + AGE and a real Redis, provisioned by test/setup/globalSetup.ts. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
