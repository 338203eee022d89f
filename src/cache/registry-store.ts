// Per-stage caches in an OCI registry, through BuildKit's own registry cache backend. The store moves no files:
// BuildKit pushes an entry during the build (`--cache-to type=registry,ref=<repo>:<tag>,mode=max`) and pulls
// what it needs, lazily, while building (`--cache-from type=registry,ref=<repo>:<tag>`). The store answers
// which entries exist, with `docker buildx imagetools inspect --raw` (no pull), and hands out those specs
// through `StageCacheStore.buildkit`. `restore` and `save` do nothing and return 0.
//
// Tags: an entry's tag is `tagForKey(key)`. Registries cannot list tags by prefix through buildx, so every
// save also moves one tag per restore key, `tagForKey(<restore key> + "latest")`, to the new entry; a lookup
// that misses the exact key tries those tags in order. Such a hit's key is that pseudo-key
// (`<restore key>latest`); `cacheFrom` maps it back to its tag. (A full key ends in a hex hash, never "latest".)
import type { Exec } from '../adapters/exec.js';
import { tailLines } from '../adapters/exec.js';
import { CACHE_CONFIG_MEDIA_TYPE, tagForKey } from './oci-layout.js';
import { registryCacheSpec } from './specs.js';
import type { BuildKitCacheBackend, LookupResult, StageCacheStore, StoreCallOptions } from './store.js';

export interface RegistryStoreOptions {
  /** The cache repository, without a tag: `ghcr.io/acme/app-cache`, `localhost:5000/stagecraft-cache`. */
  readonly repository: string;
  readonly exec: Exec;
  /** The docker CLI (default `docker`). */
  readonly docker?: string;
  /** Time allowed for one inspect, in ms (default 30 s). */
  readonly timeoutMs?: number;
}

/** The pseudo-key under which the newest entry for a restore key is found. */
export function latestKeyFor(restoreKey: string): string {
  return `${restoreKey}latest`;
}

type Inspect = { kind: 'found' } | { kind: 'absent' } | { kind: 'fault'; message: string };

export class RegistryStore implements StageCacheStore, BuildKitCacheBackend {
  readonly kind = 'registry' as const;
  readonly buildkit: BuildKitCacheBackend = this;
  readonly repository: string;
  private readonly exec: Exec;
  private readonly docker: string;
  private readonly timeoutMs: number;

  constructor(options: RegistryStoreOptions) {
    if (
      !/^[a-z0-9][a-z0-9._:/-]*$/i.test(options.repository) ||
      /:[A-Za-z0-9_.-]+$/.test(options.repository.split('/').pop() ?? '')
    ) {
      throw new Error(
        `registry cache repository must be a repository without a tag: ${JSON.stringify(options.repository)}`,
      );
    }
    this.repository = options.repository;
    this.exec = options.exec;
    this.docker = options.docker ?? 'docker';
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** `<repository>:<tag>` for an entry key (or a pseudo-key from `lookup`). */
  refFor(key: string): string {
    return `${this.repository}:${tagForKey(key)}`;
  }

  /** The argv that checks whether a reference exists, without pulling it. */
  inspectArgv(ref: string): string[] {
    return [this.docker, 'buildx', 'imagetools', 'inspect', '--raw', ref];
  }

  cacheFrom(key: string): string {
    return registryCacheSpec(this.refFor(key));
  }

  cacheTo(key: string, restoreKeys: readonly string[]): readonly string[] {
    return [key, ...restoreKeys.map(latestKeyFor)].map((k) => registryCacheSpec(this.refFor(k), true));
  }

  private async inspect(ref: string, options?: StoreCallOptions): Promise<Inspect> {
    const argv = this.inspectArgv(ref);
    options?.onDebug?.(`registry-store.inspect: ${JSON.stringify(argv)}`);
    try {
      const result = await this.exec(argv, {
        timeoutMs: this.timeoutMs,
        ...(options?.signal === undefined ? {} : { signal: options.signal }),
      });
      if (result.exitCode === 0) {
        // A cache manifest is an OCI index listing one cache config; anything else under the tag is not ours.
        if (result.stdout.includes(CACHE_CONFIG_MEDIA_TYPE)) return { kind: 'found' };
        return { kind: 'fault', message: `${ref} is not a BuildKit cache manifest` };
      }
      const said = tailLines(result.stderr, 2);
      if (/not found|manifest unknown|name unknown/i.test(said)) return { kind: 'absent' };
      return { kind: 'fault', message: `${ref}: ${said === '' ? `exit code ${result.exitCode}` : said}` };
    } catch (error) {
      return { kind: 'fault', message: `${ref}: ${(error as Error).message}` };
    }
  }

  async lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined> {
    for (const [candidate, exact] of [
      [key, true] as const,
      ...restoreKeys.map((k) => [latestKeyFor(k), false] as const),
    ]) {
      const found = await this.inspect(this.refFor(candidate), options);
      if (found.kind === 'found') return { key: candidate, exact };
      if (found.kind === 'fault') {
        options?.onWarning?.(`registry cache: lookup of ${key} failed: ${found.message}`);
        return undefined;
      }
    }
    return undefined;
  }

  async exists(key: string, options?: StoreCallOptions): Promise<boolean> {
    const found = await this.inspect(this.refFor(key), options);
    if (found.kind === 'fault')
      options?.onWarning?.(`registry cache: lookup of ${key} failed: ${found.message}`);
    return found.kind === 'found';
  }

  /** Nothing to move: BuildKit pulls from the registry during the build. */
  async restore(): Promise<number> {
    return 0;
  }

  /** Nothing to move: BuildKit pushed during the build (`cacheTo`). */
  async save(): Promise<number> {
    return 0;
  }
}
