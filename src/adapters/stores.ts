// Chooses the cache store for `options.cache`. The GitHub Actions store loads @actions/cache only when it
// is used, so the CLI bundle never carries it.
import os from 'node:os';
import path from 'node:path';
import { LocalStore, defaultLocalCacheDir } from '../cache/local-store.js';
import { RegistryStore } from '../cache/registry-store.js';
import type { StageCacheStore } from '../cache/store.js';
import type { Options } from '../options.js';
import type { Exec } from './exec.js';

export interface StoreEnvironment {
  readonly exec: Exec;
  /** Environment variables, for the default local cache directory. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** RUNNER_TEMP on a runner: where the GitHub Actions store stages its archives. */
  readonly runnerTemp: string | undefined;
  /** Whether the GitHub Actions cache service can be reached (inside Actions). */
  readonly actions: boolean;
  /** Time allowed for one cache lookup, in ms (the store's default when undefined). */
  readonly lookupTimeoutMs?: number | undefined;
}

export async function openStore(
  options: Options,
  environment: StoreEnvironment,
): Promise<StageCacheStore | undefined> {
  switch (options.cache) {
    case 'off':
      return undefined;
    case 'local':
      return new LocalStore({ dir: options.cacheDir ?? defaultLocalCacheDir(environment.env, os.homedir()) });
    case 'registry':
      return new RegistryStore({ repository: options.cacheRef!, exec: environment.exec });
    case 'gha': {
      if (!environment.actions) {
        throw new Error('cache: gha needs a GitHub Actions runner; use cache: local or registry here');
      }
      const { GhaStore } = await import('../cache/gha-store.js');
      const stagingDir = path.join(environment.runnerTemp ?? os.tmpdir(), 'stagecraft-gha');
      return new GhaStore({
        stagingDir,
        ...(environment.lookupTimeoutMs === undefined
          ? {}
          : { lookupTimeoutMs: environment.lookupTimeoutMs }),
      });
    }
  }
}
