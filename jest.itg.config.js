// Integration tests against a real BuildKit: run one file at a time (they prune the builder).
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['**/*.itg.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300000,
};
