/** @jest-config-loader ts-node */
/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "commonjs", "moduleResolution": "node"}} */
import type { Config } from 'jest';

// One embedded PostgreSQL per run (global setup); each test file creates and migrates its own
// database on it, so files are independent and can run in any order. `npm run test:hardening`
// (SB_HARDENING=1) runs the long fault, fuzz and security suites instead.
const hardening = process.env.SB_HARDENING === '1';
// backend/test/redis needs a Redis server: CI's second pass names the machine's in TEST_REDIS_URL.
const redis = process.env.TEST_REDIS_URL ? [] : ['/backend/test/redis/'];

const config: Config = {
  rootDir: '.',
  roots: hardening ? ['<rootDir>/backend/test/hardening'] : ['<rootDir>/backend'],
  testEnvironment: 'node',
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  testPathIgnorePatterns: hardening ? ['/node_modules/'] : ['/node_modules/', '/backend/test/hardening/', ...redis],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { isolatedModules: true, sourceMap: true } }],
  },
  globalSetup: '<rootDir>/backend/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/backend/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};

export default config;
