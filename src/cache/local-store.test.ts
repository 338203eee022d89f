import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { defaultLocalCacheDir, LocalStore } from './local-store.js';
import type { StoreCallOptions } from './store.js';

let root: string;
let time: number;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'stagecraft-local-'));
  time = 1_000;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function store(maxBytes?: number): LocalStore {
  return new LocalStore({
    dir: path.join(root, 'cache'),
    now: () => time,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
}

/** An entry directory of `size` bytes (one blob plus a small index). */
function entry(name: string, size = 100): string {
  const dir = path.join(root, 'src', name);
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'blobs', 'sha256', 'blob'), Buffer.alloc(size - 10, 0x61));
  writeFileSync(path.join(dir, 'index.json'), name.padEnd(10, '.').slice(0, 10));
  return dir;
}

function recorder(): StoreCallOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}

const target = (name: string): string => {
  const dir = path.join(root, 'out', name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe('LocalStore', () => {
  test('save, exists, exact lookup and restore', async () => {
    const local = store();
    const calls = recorder();
    expect(await local.save('k-deps-p1-f1', entry('deps'), calls)).toBe(100);
    expect(await local.exists('k-deps-p1-f1')).toBe(true);
    expect(await local.exists('k-deps-p1-f2')).toBe(false);
    expect(await local.lookup('k-deps-p1-f1', ['k-deps-p1-'])).toEqual({ key: 'k-deps-p1-f1', exact: true });
    const out = target('deps');
    expect(await local.restore('k-deps-p1-f1', out, calls)).toBe(100);
    expect(readFileSync(path.join(out, 'index.json'), 'utf8')).toBe('deps......');
    expect(calls.warnings).toEqual([]);
  });

  test('prefix lookup picks the newest entry under the first restore key that has one', async () => {
    const local = store();
    await local.save('k-app-p1-old', entry('old'));
    time = 2_000;
    await local.save('k-app-p1-new', entry('new'));
    time = 3_000;
    await local.save('k-app-p2-other', entry('other'));
    expect(await local.lookup('k-app-p1-f9', ['k-app-p1-', 'k-app-'])).toEqual({
      key: 'k-app-p1-new',
      exact: false,
    });
    expect(await local.lookup('k-app-p3-f9', ['k-app-p3-', 'k-app-'])).toEqual({
      key: 'k-app-p2-other',
      exact: false,
    });
    expect(await local.lookup('k-zzz', ['k-zzz-'])).toBeUndefined();
  });

  test('saving a key that exists stores nothing', async () => {
    const local = store();
    await local.save('k', entry('one'));
    expect(await local.save('k', entry('two'))).toBe(0);
    const out = target('k');
    await local.restore('k', out);
    expect(readFileSync(path.join(out, 'index.json'), 'utf8')).toBe('one.......');
  });

  test('the size cap evicts the least recently used entries, never the one just saved', async () => {
    const local = store(350);
    await local.save('k-a', entry('a'));
    time = 2_000;
    await local.save('k-b', entry('b'));
    time = 3_000;
    await local.save('k-c', entry('c'));
    time = 4_000;
    await local.restore('k-a', target('a')); // a is now more recently used than b and c
    time = 5_000;
    await local.save('k-d', entry('d')); // 400 bytes > 350: the least recently used (b) goes
    expect(await local.exists('k-a')).toBe(true);
    expect(await local.exists('k-b')).toBe(false);
    expect(await local.exists('k-c')).toBe(true);
    expect(await local.exists('k-d')).toBe(true);
    time = 6_000;
    await local.save('k-e', entry('e', 300)); // 600 bytes: c, a and d go, in that order
    expect(
      ['k-a', 'k-c', 'k-d', 'k-e'].map((k) => [
        k,
        existsSync(path.join(root, 'cache', 'v1', 'entries', LocalStore.idOf(k))),
      ]),
    ).toEqual([
      ['k-a', false],
      ['k-c', false],
      ['k-d', false],
      ['k-e', true],
    ]);
  });

  test('an entry larger than the cap is not saved, with a warning', async () => {
    const local = store(50);
    const calls = recorder();
    expect(await local.save('k-big', entry('big'), calls)).toBe(0);
    expect(calls.warnings).toEqual([
      "local cache: entry k-big (100 bytes) is larger than the cache's size cap (50 bytes); not saved",
    ]);
    expect(await local.exists('k-big')).toBe(false);
  });

  test('saves are atomic: nothing is left in tmp/, and a half-written save elsewhere is invisible', async () => {
    const local = store();
    await local.save('k', entry('k'));
    expect(readdirSync(path.join(root, 'cache', 'v1', 'tmp'))).toEqual([]);
    // A save that died half-way leaves only a tmp/ directory, which no lookup sees.
    mkdirSync(path.join(root, 'cache', 'v1', 'tmp', 'save-dead', 'entry'), { recursive: true });
    expect(await local.lookup('k-dead', ['k'])).toEqual({ key: 'k', exact: false });
  });

  test('a damaged entry is a warning and a miss, and is evicted by the next save', async () => {
    const local = store();
    await local.save('k-app-p1-f1', entry('a'));
    const meta = path.join(root, 'cache', 'v1', 'entries', LocalStore.idOf('k-app-p1-f1'), 'meta.json');
    writeFileSync(meta, '{not json');
    const calls = recorder();
    expect(await local.lookup('k-app-p1-f1', ['k-app-'], calls)).toBeUndefined();
    expect(calls.warnings).toEqual([expect.stringMatching(/meta.json is damaged; the entry is ignored$/)]);
    expect(await local.restore('k-app-p1-f1', target('x'), calls)).toBe(0);
    await local.save('k-other', entry('o'));
    expect(existsSync(path.dirname(meta))).toBe(false);
  });

  test('an entry whose files vanished restores as 0 bytes with a warning', async () => {
    const local = store();
    await local.save('k', entry('k'));
    const entryDir = path.join(root, 'cache', 'v1', 'entries', LocalStore.idOf('k'), 'entry');
    readdirSync(entryDir); // exists
    const calls = recorder();
    // Simulate another process evicting the entry's files between lookup and copy.
    await import('node:fs/promises').then((fs) => fs.rm(entryDir, { recursive: true }));
    expect(await local.restore('k', target('k'), calls)).toBe(0);
    expect(calls.warnings).toEqual([expect.stringMatching(/^local cache: restoring k failed: ENOENT/)]);
  });

  test('the default directory follows XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultLocalCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe('/x/cache/stagecraft');
    expect(defaultLocalCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/stagecraft');
    expect(defaultLocalCacheDir({}, '/home/u')).toBe('/home/u/.cache/stagecraft');
  });
});
