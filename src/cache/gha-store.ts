// Entries in GitHub's Actions cache, through the real `@actions/cache` (6.x, the v2 cache service): one archive
// per entry, `restoreCache([stagingDir], key, restoreKeys)` and `saveCache([stagingDir], key)`.
//
// Why a fixed staging directory: the toolkit archives paths relative to GITHUB_WORKSPACE and puts the path
// list into the cache "version", so an entry restores only with the same path string, to the same place. Every
// entry therefore passes through one directory (`stagingDir`, the same in every run: by default under the
// system temp folder) and is copied from or to the caller's directory. Calls are serialised for it.
//
// Faults never throw. The toolkit swallows its own (service down, HTTP 429/5xx, corrupt archive, a reservation
// refused) and prints them; `captureToolkitOutput` takes those lines back, and they become one warning for the
// call and a miss. Each call also runs under a timeout and the caller's abort signal: the toolkit takes no
// signal and retries with back-off, so on a timeout we stop waiting, report a warning, and answer every later
// call at once with a warning too (a service that hung once is not waited for again in this run).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import * as actionsCache from '@actions/cache';
import type { DownloadOptions, UploadOptions } from '@actions/cache';

import { copyTree, directorySize } from './entry.js';
import type { LookupResult, StageCacheStore, StoreCallOptions } from './store.js';
import { captureToolkitOutput, type ToolkitLine } from './toolkit-output.js';

/** The two toolkit calls the store makes (the real `@actions/cache` unless a test passes another). */
export interface GhaToolkit {
  restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys?: string[],
    options?: DownloadOptions,
  ): Promise<string | undefined>;
  saveCache(paths: string[], key: string, options?: UploadOptions): Promise<number>;
}

export interface GhaStoreOptions {
  /** Where entries are staged; part of the cache version, so keep it the same in every run. */
  readonly stagingDir?: string;
  /** Time allowed for a lookup (and `exists`), in ms (default 60 s). */
  readonly lookupTimeoutMs?: number;
  /** Time allowed for a restore or save, in ms (default 10 min). */
  readonly transferTimeoutMs?: number;
  readonly toolkit?: GhaToolkit;
}

export const DEFAULT_GHA_STAGING_DIR = path.join(os.tmpdir(), 'stagecraft', 'gha-entry');

interface CallOutcome<T> {
  readonly value?: T;
  /** Fault messages: the toolkit's warnings and errors, a thrown error, a timeout. Empty when all went well. */
  readonly faults: readonly string[];
  readonly lines: readonly ToolkitLine[];
}

/** Lines that mean the toolkit gave up, whatever level it logged them at. */
function isFault(line: ToolkitLine): boolean {
  if (line.kind === 'warning' || line.kind === 'error') return true;
  if (line.kind === 'info') return /^Failed to (save|restore)\b/.test(line.message);
  return /^Failed to reserve cache\b/.test(line.message);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export class GhaStore implements StageCacheStore {
  readonly kind = 'gha' as const;
  readonly stagingDir: string;
  private readonly lookupTimeoutMs: number;
  private readonly transferTimeoutMs: number;
  private readonly toolkit: GhaToolkit;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set after a timeout: why every later call is skipped. */
  private broken: string | undefined;

  constructor(options: GhaStoreOptions = {}) {
    this.stagingDir = options.stagingDir ?? DEFAULT_GHA_STAGING_DIR;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? 60_000;
    this.transferTimeoutMs = options.transferTimeoutMs ?? 600_000;
    this.toolkit = options.toolkit ?? actionsCache;
  }

  /** Runs `fn` after the calls before it, with the toolkit's output captured, a timeout and the abort signal. */
  private call<T>(
    what: string,
    timeoutMs: number,
    options: StoreCallOptions | undefined,
    fn: () => Promise<T>,
  ): Promise<CallOutcome<T>> {
    const run = async (): Promise<CallOutcome<T>> => {
      if (this.broken !== undefined) return { faults: [`skipped: ${this.broken}`], lines: [] };
      const signal = options?.signal;
      if (signal?.aborted === true) return { faults: ['skipped: cancelled'], lines: [] };
      const lines: ToolkitLine[] = [];
      let open = true;
      const work = captureToolkitOutput((line) => {
        if (!open) return;
        lines.push(line);
        if (!isFault(line)) options?.onDebug?.(`gha-store.${what}: ${line.message}`);
      }, fn);
      type Settled =
        { kind: 'done'; value: T } | { kind: 'threw'; error: unknown } | { kind: 'timeout' | 'aborted' };
      const settled = await new Promise<Settled>((resolve) => {
        const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
        const onAbort = (): void => finish({ kind: 'aborted' });
        function finish(outcome: Settled): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        work.then(
          (value) => finish({ kind: 'done', value }),
          (error: unknown) => finish({ kind: 'threw', error }),
        );
      });
      open = false;
      const faults = lines.filter(isFault).map((line) => line.message);
      switch (settled.kind) {
        case 'done':
          return { value: settled.value, faults, lines };
        case 'threw':
          return { faults: [...faults, (settled.error as Error)?.message ?? String(settled.error)], lines };
        case 'timeout': {
          this.broken = `an earlier GitHub cache ${what} timed out after ${seconds(timeoutMs)}`;
          const last = lines.at(-1)?.message;
          return {
            faults: [
              `${what} timed out after ${seconds(timeoutMs)}${last === undefined ? '' : ` (last: ${last})`}`,
            ],
            lines,
          };
        }
        case 'aborted':
          this.broken = 'cancelled';
          return { faults: [`${what} cancelled`], lines };
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private warn(
    options: StoreCallOptions | undefined,
    what: string,
    key: string,
    faults: readonly string[],
  ): void {
    options?.onWarning?.(`GitHub cache: ${what} of ${key} failed: ${faults.join('; ')}`);
  }

  async lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined> {
    const outcome = await this.call('lookup', this.lookupTimeoutMs, options, () =>
      this.toolkit.restoreCache([this.stagingDir], key, [...restoreKeys], { lookupOnly: true }),
    );
    if (outcome.faults.length > 0) {
      this.warn(options, 'lookup', key, outcome.faults);
      return undefined;
    }
    const found = outcome.value;
    return found === undefined ? undefined : { key: found, exact: found === key };
  }

  async exists(key: string, options?: StoreCallOptions): Promise<boolean> {
    const outcome = await this.call('lookup', this.lookupTimeoutMs, options, () =>
      this.toolkit.restoreCache([this.stagingDir], key, [], { lookupOnly: true }),
    );
    if (outcome.faults.length > 0) {
      this.warn(options, 'lookup', key, outcome.faults);
      return false;
    }
    return outcome.value === key;
  }

  async restore(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    let bytes = 0;
    const outcome = await this.call('restore', this.transferTimeoutMs, options, async () => {
      await rm(this.stagingDir, { recursive: true, force: true });
      try {
        const found = await this.toolkit.restoreCache([this.stagingDir], key, [], {
          timeoutInMs: Math.min(this.transferTimeoutMs, 120_000),
          segmentTimeoutInMs: this.transferTimeoutMs,
        });
        if (found !== key) return found;
        if (!existsSync(this.stagingDir)) {
          throw new Error(
            `the archive did not put the entry at ${this.stagingDir} (saved from a GITHUB_WORKSPACE at another depth?)`,
          );
        }
        bytes = await copyTree(this.stagingDir, dir);
        return found;
      } finally {
        await rm(this.stagingDir, { recursive: true, force: true });
      }
    });
    if (outcome.faults.length > 0) {
      this.warn(options, 'restore', key, outcome.faults);
      return 0;
    }
    if (outcome.value !== key) {
      this.warn(options, 'restore', key, ['the entry is gone']);
      return 0;
    }
    return archiveBytes(outcome.lines, /^Cache Size: ~\d+ MB \((\d+) B\)/) ?? bytes;
  }

  async save(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    let bytes = 0;
    const outcome = await this.call('save', this.transferTimeoutMs, options, async () => {
      await rm(this.stagingDir, { recursive: true, force: true });
      try {
        bytes = await copyTree(dir, this.stagingDir);
        return await this.toolkit.saveCache([this.stagingDir], key);
      } finally {
        await rm(this.stagingDir, { recursive: true, force: true });
      }
    });
    if (outcome.faults.length > 0) {
      this.warn(options, 'save', key, outcome.faults);
      return 0;
    }
    if (outcome.value === undefined || outcome.value < 0) {
      options?.onDebug?.(`gha-store.save: ${key} was not stored (the cache is not writable in this run)`);
      return 0;
    }
    return (
      archiveBytes(outcome.lines, /^File Size: (\d+)$/) ?? (bytes > 0 ? bytes : await directorySize(dir))
    );
  }
}

/** The archive's size, as the toolkit reported it. */
function archiveBytes(lines: readonly ToolkitLine[], pattern: RegExp): number | undefined {
  for (const line of lines) {
    const match = pattern.exec(line.message);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}
