import { describe, expect, test } from '@jest/globals';

import type { StageKey } from '../keys/index.js';
import { applyRefreshedKeys, refreshStageKey } from './refresh.js';
import type { DriftDocument, PreviousDrift } from './types.js';

const KEY: StageKey = {
  stage: 0,
  stageName: 'deps',
  key: 'stagecraft-v1-aaaaaaaa-linux_amd64-deps-1111111111111111-2222222222222222',
  restoreKeys: [
    'stagecraft-v1-aaaaaaaa-linux_amd64-deps-1111111111111111-',
    'stagecraft-v1-aaaaaaaa-linux_amd64-deps-',
  ],
  runPrefix: '1111111111111111ffff',
  fullHash: '2222222222222222ffff',
};

const previousWith = (stages: DriftDocument['stages']): PreviousDrift => ({
  found: true,
  key: 'stagecraft-drift-v1-x',
  document: {
    kind: 'stagecraft-drift',
    version: 1,
    createdAt: '2025-06-01T00:00:00.000Z',
    target: 't',
    platform: 'linux/amd64',
    images: [],
    stages,
  },
});

describe('refreshStageKey', () => {
  test('a sibling of the stage key, falling back to it; one per time of rebuild', () => {
    const a = refreshStageKey(KEY, '2025-06-09T03:00:00.000Z');
    const b = refreshStageKey(KEY, '2025-06-16T03:00:00.000Z');
    expect(a.key).toMatch(/^stagecraft-v1-aaaaaaaa-linux_amd64-deps-1111111111111111-[0-9a-f]{16}$/);
    expect(a.key).not.toBe(KEY.key);
    expect(b.key).not.toBe(a.key);
    expect(refreshStageKey(KEY, '2025-06-09T03:00:00.000Z')).toEqual(a);
    expect(a.restoreKeys).toEqual([KEY.key, ...KEY.restoreKeys]);
    expect(a.key.length).toBe(KEY.key.length);
    expect({ ...a, key: KEY.key, restoreKeys: KEY.restoreKeys }).toEqual(KEY);
  });
});

describe('applyRefreshedKeys', () => {
  const refreshed = refreshStageKey(KEY, '2025-06-09T03:00:00.000Z').key;

  // prettier-ignore
  test.each([
    ['no previous run',                  { found: false, reason: 'none' } as PreviousDrift,                         KEY.key],
    ['the recorded refreshed key',       previousWith([{ name: 'deps', key: KEY.key, refreshedKey: refreshed }]),   refreshed],
    ['another stage key (it changed)',   previousWith([{ name: 'deps', key: `${KEY.key}0`, refreshedKey: refreshed }]), KEY.key],
    ['another stage’s name',             previousWith([{ name: 'build', key: KEY.key, refreshedKey: refreshed }]),  KEY.key],
    ['no refreshed key',                 previousWith([{ name: 'deps', key: KEY.key }]),                            KEY.key],
    ['not a sibling',                    previousWith([{ name: 'deps', key: KEY.key, refreshedKey: 'stagecraft-v1-bbbbbbbb-linux_amd64-deps-1111111111111111-3333333333333333' }]), KEY.key],
    ['a sibling with junk after it',     previousWith([{ name: 'deps', key: KEY.key, refreshedKey: `${KEY.restoreKeys[0]}x/../y` }]), KEY.key],
  ])('%s', (_name, previous, expected) => {
    const [applied] = applyRefreshedKeys([KEY], previous);
    expect(applied!.key).toBe(expected);
    expect(applied!.restoreKeys).toEqual(expected === KEY.key ? KEY.restoreKeys : [KEY.key, ...KEY.restoreKeys]);
  });
});
