// The GitHub cache store through the REAL @actions/cache 6 against a local stand-in for the v2 cache service.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CacheServiceStandIn } from '../../__tests__/support/cache-service.js';
import { GhaStore } from './gha-store.js';
import type { StoreCallOptions } from './store.js';

const ENV_NAMES = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
] as const;
const savedEnv = new Map(ENV_NAMES.map((name) => [name, process.env[name]]));

let service: CacheServiceStandIn;
let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'stagecraft-gha-'));
  mkdirSync(path.join(root, 'workspace'));
  mkdirSync(path.join(root, 'runner-temp'));
});

beforeEach(async () => {
  service = new CacheServiceStandIn();
  await service.start();
  delete process.env.GITHUB_SERVER_URL;
  Object.assign(process.env, service.env(), {
    GITHUB_WORKSPACE: path.join(root, 'workspace'),
    RUNNER_TEMP: path.join(root, 'runner-temp'),
  });
});

afterEach(async () => {
  await service.stop();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

let serial = 0;
function store(options: { lookupTimeoutMs?: number; transferTimeoutMs?: number } = {}): GhaStore {
  serial += 1;
  return new GhaStore({ stagingDir: path.join(root, `staging-${serial}`), ...options });
}

/** An entry-like directory with a couple of files. */
function entryDir(content: string): string {
  const dir = mkdtempSync(path.join(root, 'entry-'));
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'index.json'), `{"content":"${content}"}`);
  writeFileSync(path.join(dir, 'blobs', 'sha256', 'ab'.repeat(32)), content.repeat(100));
  return dir;
}

function emptyDir(): string {
  return mkdtempSync(path.join(root, 'restore-'));
}

/** Call options that collect warnings and debug lines. */
function recorder(): StoreCallOptions & { warnings: string[]; debug: string[] } {
  const warnings: string[] = [];
  const debug: string[] = [];
  return { warnings, debug, onWarning: (m) => warnings.push(m), onDebug: (m) => debug.push(m) };
}

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('GhaStore against the cache service stand-in', () => {
  test('save, then an exact hit: lookup, exists and restore give back the same files', async () => {
    const gha = store();
    const calls = recorder();
    const source = entryDir('alpha');
    const saved = await gha.save('stagecraft-v1-x-deps-p1-f1', source, calls);
    expect(calls.warnings).toEqual([]);
    expect(saved).toBeGreaterThan(0);
    expect(service.list().map((e) => e.key)).toEqual(['stagecraft-v1-x-deps-p1-f1']);
    expect(service.counters.bytesUp).toBe(saved);

    expect(await gha.lookup('stagecraft-v1-x-deps-p1-f1', ['stagecraft-v1-x-deps-'], calls)).toEqual({
      key: 'stagecraft-v1-x-deps-p1-f1',
      exact: true,
    });
    expect(await gha.exists('stagecraft-v1-x-deps-p1-f1', calls)).toBe(true);
    const target = emptyDir();
    const restored = await gha.restore('stagecraft-v1-x-deps-p1-f1', target, calls);
    expect(calls.warnings).toEqual([]);
    expect(restored).toBe(saved);
    expect(service.counters.bytesDown).toBe(saved);
    expect(readFileSync(path.join(target, 'index.json'), 'utf8')).toBe('{"content":"alpha"}');
    expect(readFileSync(path.join(target, 'blobs', 'sha256', 'ab'.repeat(32)), 'utf8')).toBe(
      'alpha'.repeat(100),
    );
    // The toolkit's own log lines went to debug, not to stdout.
    expect(calls.debug.some((line) => line.includes('Cache restored successfully'))).toBe(true);
  });

  test('a miss is undefined / false with no warning', async () => {
    const gha = store();
    const calls = recorder();
    expect(await gha.lookup('stagecraft-v1-none', ['stagecraft-v1-nothing-'], calls)).toBeUndefined();
    expect(await gha.exists('stagecraft-v1-none', calls)).toBe(false);
    expect(calls.warnings).toEqual([]);
    expect(service.counters.requests.GetCacheEntryDownloadURL).toBe(2);
    expect(service.counters.requests.download).toBe(0);
  });

  test('prefix fallback finds the newest entry under the first restore key that matches', async () => {
    const gha = store();
    const calls = recorder();
    await gha.save('stagecraft-v1-x-app-p1-old', entryDir('old'), calls);
    await gha.save('stagecraft-v1-x-app-p1-new', entryDir('new'), calls);
    await gha.save('stagecraft-v1-x-app-p2-other', entryDir('other'), calls);
    expect(
      await gha.lookup(
        'stagecraft-v1-x-app-p1-f9',
        ['stagecraft-v1-x-app-p1-', 'stagecraft-v1-x-app-'],
        calls,
      ),
    ).toEqual({ key: 'stagecraft-v1-x-app-p1-new', exact: false });
    expect(
      await gha.lookup(
        'stagecraft-v1-x-app-p3-f9',
        ['stagecraft-v1-x-app-p3-', 'stagecraft-v1-x-app-'],
        calls,
      ),
    ).toEqual({
      key: 'stagecraft-v1-x-app-p2-other',
      exact: false,
    });
    // exists() is exact: a longer key that starts with the asked one is not it.
    expect(await gha.exists('stagecraft-v1-x-app-p1-', calls)).toBe(false);
    expect(calls.warnings).toEqual([]);
  });

  test('saving a key that exists is refused by the service: a warning and 0 bytes, no throw', async () => {
    const gha = store();
    const calls = recorder();
    expect(await gha.save('stagecraft-v1-dup', entryDir('one'), calls)).toBeGreaterThan(0);
    expect(await gha.exists('stagecraft-v1-dup', calls)).toBe(true);
    expect(await gha.save('stagecraft-v1-dup', entryDir('two'), calls)).toBe(0);
    expect(calls.warnings).toHaveLength(1);
    expect(calls.warnings[0]).toMatch(/^GitHub cache: save of stagecraft-v1-dup failed: .*already exists/);
  });

  test('HTTP 429 on lookup: a warning naming the rate limit and a miss, at once', async () => {
    const gha = store();
    const calls = recorder();
    service.inject({ fault: 'status-429', on: 'GetCacheEntryDownloadURL', retryAfterSeconds: 30 });
    const started = Date.now();
    expect(await gha.lookup('stagecraft-v1-k', [], calls)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls.warnings).toHaveLength(1);
    expect(calls.warnings[0]).toMatch(/^GitHub cache: lookup of stagecraft-v1-k failed: .*429/);
    expect(calls.warnings[0]).toContain('rate limit will reset in 30 seconds');
  });

  test('HTTP 429 on reserving a save: a warning and 0 bytes', async () => {
    const gha = store();
    const calls = recorder();
    service.inject({ fault: 'status-429', on: 'CreateCacheEntry' });
    expect(await gha.save('stagecraft-v1-k', entryDir('x'), calls)).toBe(0);
    expect(calls.warnings).toHaveLength(1);
    expect(calls.warnings[0]).toMatch(/^GitHub cache: save of stagecraft-v1-k failed: .*Rate limited/);
    expect(service.list()).toEqual([]);
  });

  test('HTTP 500 once: the toolkit retries and the lookup hits', async () => {
    const gha = store();
    const calls = recorder();
    await gha.save('stagecraft-v1-retry', entryDir('r'), calls);
    service.inject({ fault: 'status-500', on: 'GetCacheEntryDownloadURL', times: 1 });
    expect(await gha.lookup('stagecraft-v1-retry', [], calls)).toEqual({
      key: 'stagecraft-v1-retry',
      exact: true,
    });
    expect(calls.warnings).toEqual([]);
    expect(service.counters.requests.GetCacheEntryDownloadURL).toBe(2);
    expect(calls.debug.some((line) => /Attempt 1 of 5 failed .*500/.test(line))).toBe(true);
  });

  test('HTTP 500 until the timeout: a warning naming the 500, a miss, and later calls skipped at once', async () => {
    const gha = store({ lookupTimeoutMs: 1500 });
    const calls = recorder();
    service.inject({ fault: 'status-500', on: 'GetCacheEntryDownloadURL' });
    expect(await gha.lookup('stagecraft-v1-k', [], calls)).toBeUndefined();
    expect(calls.warnings).toHaveLength(1);
    expect(calls.warnings[0]).toMatch(
      /lookup of stagecraft-v1-k failed: lookup timed out after 1\.5 s \(last: .*500/,
    );
    const started = Date.now();
    expect(await gha.exists('stagecraft-v1-k', calls)).toBe(false);
    expect(await gha.restore('stagecraft-v1-k', emptyDir(), calls)).toBe(0);
    expect(await gha.save('stagecraft-v1-k', entryDir('x'), calls)).toBe(0);
    expect(Date.now() - started).toBeLessThan(500);
    expect(
      calls.warnings.slice(1).every((w) => w.includes('skipped: an earlier GitHub cache lookup timed out')),
    ).toBe(true);
    // Let the abandoned call's next retry succeed, so nothing is left running after the test.
    service.clearFaults();
    await waitFor(() => service.counters.requests.GetCacheEntryDownloadURL >= 2, 10_000);
  });

  test('a hanging service: the lookup times out with a warning instead of hanging the build', async () => {
    const gha = store({ lookupTimeoutMs: 800 });
    const calls = recorder();
    service.inject({ fault: 'hang', on: 'GetCacheEntryDownloadURL' });
    const started = Date.now();
    expect(await gha.lookup('stagecraft-v1-hang', [], calls)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(calls.warnings).toEqual([
      expect.stringMatching(
        /^GitHub cache: lookup of stagecraft-v1-hang failed: lookup timed out after 0\.8 s/,
      ),
    ]);
  });

  test('a hanging upload: the save times out with a warning', async () => {
    const gha = store({ transferTimeoutMs: 1500 });
    const calls = recorder();
    service.inject({ fault: 'hang', on: 'upload' });
    expect(await gha.save('stagecraft-v1-slow', entryDir('s'), calls)).toBe(0);
    expect(calls.warnings).toEqual([
      expect.stringMatching(/save of stagecraft-v1-slow failed: save timed out/),
    ]);
    expect(service.list()).toEqual([]);
  });

  test('a corrupt archive on download: a warning and 0 bytes, the directory left empty', async () => {
    const gha = store();
    const calls = recorder();
    await gha.save('stagecraft-v1-bad', entryDir('b'), calls);
    service.inject({ fault: 'corrupt-download' });
    const target = emptyDir();
    expect(await gha.restore('stagecraft-v1-bad', target, calls)).toBe(0);
    expect(calls.warnings).toHaveLength(1);
    expect(calls.warnings[0]).toMatch(
      /^GitHub cache: restore of stagecraft-v1-bad failed: Failed to restore: /,
    );
    expect(readdirSync(target)).toEqual([]);
  });

  test('an entry evicted between lookup and restore: a warning, no throw', async () => {
    const gha = store();
    const calls = recorder();
    await gha.save('stagecraft-v1-gone', entryDir('g'), calls);
    expect(await gha.lookup('stagecraft-v1-gone', [], calls)).toEqual({
      key: 'stagecraft-v1-gone',
      exact: true,
    });
    service.evict((key) => key === 'stagecraft-v1-gone');
    expect(await gha.restore('stagecraft-v1-gone', emptyDir(), calls)).toBe(0);
    expect(calls.warnings).toEqual(['GitHub cache: restore of stagecraft-v1-gone failed: the entry is gone']);
  });

  test('the service down: warnings and misses, no throw', async () => {
    const gha = store();
    const calls = recorder();
    await service.stop();
    expect(await gha.lookup('stagecraft-v1-k', [], calls)).toBeUndefined();
    expect(await gha.exists('stagecraft-v1-k', calls)).toBe(false);
    expect(await gha.save('stagecraft-v1-k', entryDir('d'), calls)).toBe(0);
    expect(calls.warnings).toHaveLength(3);
    expect(calls.warnings[0]).toMatch(/lookup of stagecraft-v1-k failed: .*ECONNREFUSED/);
  });

  test('an aborted signal: the call is skipped with a warning', async () => {
    const gha = store();
    const calls = recorder();
    const controller = new AbortController();
    controller.abort();
    expect(await gha.lookup('stagecraft-v1-k', [], { ...calls, signal: controller.signal })).toBeUndefined();
    expect(calls.warnings).toEqual(['GitHub cache: lookup of stagecraft-v1-k failed: skipped: cancelled']);
    expect(service.counters.requests.GetCacheEntryDownloadURL).toBe(0);
  });
});
