// ts-jest in ESM mode: tests are ES modules, run with --experimental-vm-modules (see package.json).
// Tiers by file name: *.test.ts (plain values, temp files, local servers) and *.e2e.test.ts (dist/ as a
// runner runs it) here; *.itg.test.ts (real BuildKit, one at a time) in jest.itg.config.js.
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  resolver: 'ts-jest-resolver',
  roots: ['<rootDir>/src', '<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.itg\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
  testTimeout: 60000,
};
