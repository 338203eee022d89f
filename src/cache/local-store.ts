// Entries in a directory on this machine: the default store outside GitHub Actions. The caller picks the
// directory (`$XDG_CACHE_HOME/stagecraft`, else `~/.cache/stagecraft`: see `defaultLocalCacheDir`).
//
//   <dir>/v1/entries/<id>/meta.json   {"key", "savedAt", "lastUsedAt", "bytes"} (times in ms since the epoch)
//   <dir>/v1/entries/<id>/entry/      the entry directory, as given to `save`
//   <dir>/v1/tmp/                     saves in progress and evicted entries being deleted
//
// `<id>` is a hash of the key, so any key is a safe file name. A save is written under tmp/ and renamed into
// entries/ in one step: readers see a whole entry or none, and of two jobs saving one key the first rename
// wins. After a save, least recently used entries (by `lastUsedAt`, which a restore updates) are evicted until
// the total is under the size cap. A damaged entry is reported as a warning and treated as absent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { copyTree, directorySize, writeFileAtomic } from './entry.js';
import type { LookupResult, StageCacheStore, StoreCallOptions } from './store.js';

export const DEFAULT_LOCAL_CACHE_MAX_BYTES = 10 * 1024 ** 3;

export interface LocalStoreOptions {
  /** The cache directory; created when first needed. */
  readonly dir: string;
  /** Total size the entries may take; the least recently used are evicted beyond it (default 10 GiB). */
  readonly maxBytes?: number;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  readonly now?: () => number;
}

/** Where the local cache lives by default, from the environment the caller read. */
export function defaultLocalCacheDir(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg !== undefined && path.isAbsolute(xdg)
    ? path.join(xdg, 'stagecraft')
    : path.join(home, '.cache', 'stagecraft');
}

interface EntryMeta {
  readonly key: string;
  readonly savedAt: number;
  readonly lastUsedAt: number;
  readonly bytes: number;
}

interface StoredEntry {
  readonly id: string;
  readonly meta: EntryMeta;
}

function parseMeta(text: string): EntryMeta | undefined {
  try {
    const value = JSON.parse(text) as Partial<EntryMeta> | null;
    if (
      value !== null &&
      typeof value === 'object' &&
      typeof value.key === 'string' &&
      typeof value.savedAt === 'number' &&
      typeof value.lastUsedAt === 'number' &&
      typeof value.bytes === 'number'
    ) {
      return { key: value.key, savedAt: value.savedAt, lastUsedAt: value.lastUsedAt, bytes: value.bytes };
    }
  } catch {
    // fall through
  }
  return undefined;
}

function message(error: unknown): string {
  return typeof (error as Error | undefined)?.message === 'string' ? (error as Error).message : String(error);
}

export class LocalStore implements StageCacheStore {
  readonly kind = 'local' as const;
  readonly dir: string;
  readonly maxBytes: number;
  private readonly now: () => number;

  constructor(options: LocalStoreOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_LOCAL_CACHE_MAX_BYTES;
    this.now = options.now ?? Date.now;
  }

  private get entriesDir(): string {
    return path.join(this.dir, 'v1', 'entries');
  }

  private get tmpDir(): string {
    return path.join(this.dir, 'v1', 'tmp');
  }

  static idOf(key: string): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 40);
  }

  private async readMeta(id: string, options?: StoreCallOptions): Promise<EntryMeta | undefined> {
    const file = path.join(this.entriesDir, id, 'meta.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options?.onWarning?.(`local cache: ${file}: ${message(error)}`);
      }
      return undefined;
    }
    const meta = parseMeta(text);
    if (meta === undefined) options?.onWarning?.(`local cache: ${file} is damaged; the entry is ignored`);
    return meta;
  }

  /** Every readable entry, and the ids of damaged ones (left for eviction; whose key they held is unknown). */
  private async list(options?: StoreCallOptions): Promise<{ entries: StoredEntry[]; damaged: string[] }> {
    let ids: string[];
    try {
      ids = await readdir(this.entriesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options?.onWarning?.(`local cache: ${this.entriesDir}: ${message(error)}`);
      }
      return { entries: [], damaged: [] };
    }
    const entries: StoredEntry[] = [];
    const damaged: string[] = [];
    const quiet: StoreCallOptions = options?.onDebug === undefined ? {} : { onWarning: options.onDebug };
    for (const id of ids.sort()) {
      const meta = await this.readMeta(id, quiet);
      if (meta === undefined) damaged.push(id);
      else entries.push({ id, meta });
    }
    return { entries, damaged };
  }

  async lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined> {
    const exact = await this.readMeta(LocalStore.idOf(key), options);
    if (exact?.key === key) return { key, exact: true };
    if (restoreKeys.length === 0) return undefined;
    const { entries } = await this.list(options);
    for (const prefix of restoreKeys) {
      const newest = entries
        .filter((e) => e.meta.key.startsWith(prefix))
        .sort((a, b) => b.meta.savedAt - a.meta.savedAt || a.meta.key.localeCompare(b.meta.key))[0];
      if (newest !== undefined) return { key: newest.meta.key, exact: newest.meta.key === key };
    }
    return undefined;
  }

  async exists(key: string, options?: StoreCallOptions): Promise<boolean> {
    return (await this.readMeta(LocalStore.idOf(key), options))?.key === key;
  }

  async restore(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    const id = LocalStore.idOf(key);
    const meta = await this.readMeta(id, options);
    if (meta?.key !== key) {
      options?.onWarning?.(`local cache: no entry ${key}`);
      return 0;
    }
    try {
      const bytes = await copyTree(path.join(this.entriesDir, id, 'entry'), dir);
      await writeFileAtomic(
        path.join(this.entriesDir, id, 'meta.json'),
        JSON.stringify({ ...meta, lastUsedAt: this.now() }),
      );
      return bytes;
    } catch (error) {
      // Evicted by another process while we copied, or damaged.
      options?.onWarning?.(`local cache: restoring ${key} failed: ${message(error)}`);
      return 0;
    }
  }

  async save(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    if (await this.exists(key)) return 0;
    const temp = path.join(this.tmpDir, `save-${randomBytes(8).toString('hex')}`);
    try {
      const bytes = await directorySize(dir);
      if (bytes > this.maxBytes) {
        options?.onWarning?.(
          `local cache: entry ${key} (${bytes} bytes) is larger than the cache's size cap (${this.maxBytes} bytes); not saved`,
        );
        return 0;
      }
      await copyTree(dir, path.join(temp, 'entry'));
      const now = this.now();
      const meta: EntryMeta = { key, savedAt: now, lastUsedAt: now, bytes };
      await writeFileAtomic(path.join(temp, 'meta.json'), JSON.stringify(meta));
      await mkdir(this.entriesDir, { recursive: true });
      const id = LocalStore.idOf(key);
      try {
        await rename(temp, path.join(this.entriesDir, id));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') {
          options?.onDebug?.(`local-store.save: ${key} was saved by another process first`);
          return 0;
        }
        throw error;
      }
      await this.evict(id, options);
      return bytes;
    } catch (error) {
      options?.onWarning?.(`local cache: saving ${key} failed: ${message(error)}`);
      return 0;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  /** Evicts damaged entries, then the least recently used until the total fits the cap (never `keep`). */
  private async evict(keep: string, options?: StoreCallOptions): Promise<void> {
    const { entries, damaged } = await this.list(options);
    for (const id of damaged) await this.remove(id);
    let total = entries.reduce((sum, e) => sum + e.meta.bytes, 0);
    const byAge = entries
      .filter((e) => e.id !== keep)
      .sort((a, b) => a.meta.lastUsedAt - b.meta.lastUsedAt || a.meta.savedAt - b.meta.savedAt);
    for (const entry of byAge) {
      if (total <= this.maxBytes) break;
      await this.remove(entry.id);
      options?.onDebug?.(`local-store.evict: ${entry.meta.key} (${entry.meta.bytes} bytes)`);
      total -= entry.meta.bytes;
    }
  }

  /** Moves an entry out of entries/ in one step (so no reader sees half of it), then deletes it. */
  private async remove(id: string): Promise<void> {
    const trash = path.join(this.tmpDir, `evict-${randomBytes(8).toString('hex')}`);
    await mkdir(this.tmpDir, { recursive: true });
    try {
      await rename(path.join(this.entriesDir, id), trash);
    } catch {
      return; // already gone
    }
    await rm(trash, { recursive: true, force: true });
  }
}
