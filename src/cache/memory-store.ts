// A store that keeps entries in memory, for tests of the code above the stores. It meets the same contract
// (prefix lookup picks the newest, faults are warnings and misses) and counts what it was asked.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { LookupResult, StageCacheStore, StoreCallOptions } from './store.js';

export type StoreOperation = 'lookup' | 'restore' | 'exists' | 'save';

export interface MemoryEntry {
  /** Relative path (with `/`) → content. Tests may change it to simulate damage. */
  readonly files: Map<string, Buffer>;
  /** Order of saving: a larger number is newer. */
  readonly savedAt: number;
}

export interface MemoryStoreOptions {
  /** Operations that fail as a cache fault (a warning, then a miss). */
  readonly faults?: ReadonlySet<StoreOperation>;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

export class MemoryStore implements StageCacheStore {
  readonly kind = 'memory' as const;
  readonly entries = new Map<string, MemoryEntry>();
  readonly calls: Record<StoreOperation, string[]> = { lookup: [], restore: [], exists: [], save: [] };
  faults: Set<StoreOperation>;
  private clock = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.faults = new Set(options.faults ?? []);
  }

  private faulted(operation: StoreOperation, key: string, options?: StoreCallOptions): boolean {
    if (!this.faults.has(operation)) return false;
    options?.onWarning?.(`memory store: ${operation} of ${key} failed (simulated fault)`);
    return true;
  }

  async lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined> {
    this.calls.lookup.push(key);
    if (this.faulted('lookup', key, options)) return undefined;
    if (this.entries.has(key)) return { key, exact: true };
    for (const prefix of restoreKeys) {
      let newest: [string, MemoryEntry] | undefined;
      for (const candidate of this.entries) {
        if (
          candidate[0].startsWith(prefix) &&
          (newest === undefined || candidate[1].savedAt > newest[1].savedAt)
        ) {
          newest = candidate;
        }
      }
      if (newest !== undefined) return { key: newest[0], exact: false };
    }
    return undefined;
  }

  async restore(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    this.calls.restore.push(key);
    if (this.faulted('restore', key, options)) return 0;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      options?.onWarning?.(`memory store: no entry ${key}`);
      return 0;
    }
    let bytes = 0;
    for (const [rel, content] of entry.files) {
      const file = path.join(dir, ...rel.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      bytes += content.length;
    }
    return bytes;
  }

  async exists(key: string, options?: StoreCallOptions): Promise<boolean> {
    this.calls.exists.push(key);
    if (this.faulted('exists', key, options)) return false;
    return this.entries.has(key);
  }

  async save(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    this.calls.save.push(key);
    if (this.faulted('save', key, options)) return 0;
    if (this.entries.has(key)) return 0;
    const files = new Map<string, Buffer>();
    let bytes = 0;
    for (const rel of await listFiles(dir)) {
      const content = await readFile(path.join(dir, ...rel.split('/')));
      files.set(rel, content);
      bytes += content.length;
    }
    this.clock += 1;
    this.entries.set(key, { files, savedAt: this.clock });
    return bytes;
  }
}
