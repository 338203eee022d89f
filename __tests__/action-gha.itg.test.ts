// The bundled action on a runner with the GitHub Actions cache: the real @actions/cache inside dist/index.js
// talks to a local stand-in of the cache service. Each second build runs on a pruned builder.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithBuildKit } from './support/buildkit.js';
import { CacheServiceStandIn } from './support/cache-service.js';
import { REPO_ROOT } from './support/conformance.js';
import { runAction, type ActionRun } from './support/runner.js';

const describeGha = describeWithBuildKit(
  'the action with the GitHub Actions cache (__tests__/action-gha.itg.test.ts)',
);

describeGha('cache: gha through @actions/cache against a cache service stand-in', () => {
  const service = new CacheServiceStandIn();
  let workspace: string;
  // The cache version covers the staging path under RUNNER_TEMP, which a runner keeps from run to run.
  let runnerTemp: string;

  beforeAll(async () => {
    await service.start();
    workspace = mkdtempSync(path.join(tmpdir(), 'stagecraft-gha-'));
    runnerTemp = mkdtempSync(path.join(tmpdir(), 'stagecraft-runner-temp-'));
    cpSync(path.join(REPO_ROOT, 'example'), path.join(workspace, 'example'), { recursive: true });
  });
  afterEach(() => service.clearFaults());
  afterAll(() => service.stop());

  async function build(
    extraEnv: Record<string, string> = {},
  ): Promise<ActionRun & { hits: Record<string, string> }> {
    spawnSync('docker', ['buildx', 'prune', '-af']);
    const run = await runAction(
      workspace,
      { file: 'example/Dockerfile', context: 'example', tags: 'stagecraft-e2e:gha' },
      { name: 'push', payload: {} },
      {
        ...service.env(),
        RUNNER_TEMP: runnerTemp,
        STAGECRAFT_CACHE_LOOKUP_TIMEOUT_SECONDS: '10',
        ...extraEnv,
      },
    );
    return { ...run, hits: JSON.parse(run.outputs.get('cache-hits') ?? '{}') as Record<string, string> };
  }

  test('a first run saves one entry per reachable stage; the next restores them and writes nothing', async () => {
    const first = await build();
    expect(first.exitCode).toBe(0);
    expect(first.stdout).not.toContain('::warning::');
    expect(first.hits).toEqual({ deps: 'miss', build: 'miss', runtime: 'miss' });
    expect(
      service
        .list()
        .map((entry) => entry.key.split('-')[4])
        .sort(),
    ).toEqual(['build', 'deps', 'runtime']);
    expect(Number(first.outputs.get('cache-bytes-saved'))).toBeGreaterThan(0);

    service.resetCounters();
    const second = await build();
    expect(second.exitCode).toBe(0);
    // Restore by need: the target hit, and it is built FROM a base image, so nothing beneath it is needed.
    expect(second.hits).toEqual({ deps: 'unneeded', build: 'unneeded', runtime: 'exact' });
    // Only the target's entry is looked up and downloaded (@actions/cache's restore looks its key up again);
    // the size report's baseline is the other lookup.
    const stageLookups = service.counters.lookedUp.filter((key) => key.startsWith('stagecraft-v1-'));
    expect(new Set(stageLookups.map((key) => key.split('-')[4]))).toEqual(new Set(['runtime']));
    expect(service.counters.requests.download).toBe(1);
    expect(second.stdout).toContain('build: every step was cached');
    expect(second.outputs.get('cache-bytes-saved')).toBe('0');
    expect(service.counters.requests.CreateCacheEntry).toBe(0);
    expect(service.counters.requests.upload).toBe(0);
    expect(service.list()).toHaveLength(3);
  });

  test('a cache service that answers 500 gives a warning and a correct build', async () => {
    service.inject({ fault: 'status-500' });
    const run = await build();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/::warning::cache for deps: /);
    expect(run.hits).toEqual({ deps: 'miss', build: 'miss', runtime: 'miss' });
    expect(run.outputs.get('imageid')).toMatch(/^sha256:/);
  });

  test('a cache service that never answers times out with a warning and a correct build', async () => {
    service.inject({ fault: 'hang', on: 'GetCacheEntryDownloadURL' });
    const run = await build({ STAGECRAFT_CACHE_LOOKUP_TIMEOUT_SECONDS: '2' });
    service.releaseHung();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/::warning::cache for \w+: .*(time|abort)/i);
    expect(run.outputs.get('imageid')).toMatch(/^sha256:/);
  });

  test('a corrupt archive gives a warning and a correct build', async () => {
    service.inject({ fault: 'corrupt-download' });
    const run = await build();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/::warning::/);
    expect(run.outputs.get('imageid')).toMatch(/^sha256:/);
  });
});
