/** Tests run against a real PostgreSQL 17 + AGE and a real Redis, provisioned by test/setup/globalSetup.ts. */
module.exports = {
  // the node environment plus a per-file leak guard (open handles that keep a worker alive)
  testEnvironment: '<rootDir>/test/setup/leakGuardEnvironment.js',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
