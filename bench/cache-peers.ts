// The peers bench/cache.ts sets stagecraft against, and what the strategies share: running a build, keeping
// its log, the measurement record, the failure a round is run again for.
//
// single-dir: what docs.docker.com shows for actions/cache with the local cache backend — one
// `type=local,mode=max` cache directory restored whole (key `Linux-buildx-<sha>`, restore key
// `Linux-buildx-`), `docker buildx build --cache-from type=local,src=… --cache-to type=local,dest=…-new,mode=max
// --load`, the new directory moved over the old and saved whole under the commit's key unless that key hit.
// Its store is a LocalStore, as stagecraft's is, so both move bytes the same way (hard links where they can).
//
// gha: what build-push-action users run — BuildKit's own `type=gha` backend, `--cache-from type=gha,…
// --cache-to type=gha,…,mode=max`, against the v1 cache service stand-in (__tests__/support/cache-service-v1.ts)
// on loopback. BuildKit writes one entry per layer blob it has not seen plus an index entry per build, and
// downloads blobs lazily (only what the build reads): bytes restored are what the stand-in sent, bytes saved
// what it committed. Where it matters, gha is measured from two starting points (GHA_LABEL; bench/cache.ts
// swaps the stand-in's directory between builds, see replaceWithCopy).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CacheServiceV1 } from '../__tests__/support/cache-service-v1.js';
import { parseProgress, summarizeProgress, type ProgressSummary } from '../src/buildx/index.js';
import { copyTree } from '../src/cache/entry.js';
import type { LocalStore } from '../src/cache/local-store.js';
import type { RunResult } from '../src/main.js';
import { formatNumber } from './harness.js';

export const IMAGE_TAG = {
  stagecraft: 'stagecraft-bench/app:stagecraft',
  singleDir: 'stagecraft-bench/app:single-dir',
  gha: 'stagecraft-bench/app:gha',
};
const PEER_KEY_PREFIX = 'Linux-buildx-';
/** The gha peer's `scope=` (its index entries are `index-<scope>-1-<hash of the token's scope>#<n>`). */
const GHA_SCOPE = 'bench-app';

// ---------------------------------------------------------------------------------------------------------
// Shared

/** `STAGECRAFT_BENCH_LOG_DIR=dir` keeps every build's whole log there (stagecraft's log lines, buildx's output). */
const LOG_DIR = process.env.STAGECRAFT_BENCH_LOG_DIR;
let logCount = 0;

export function keepLog(name: string, text: string): void {
  if (LOG_DIR === undefined || LOG_DIR === '') return;
  mkdirSync(LOG_DIR, { recursive: true });
  logCount++;
  writeFileSync(path.join(LOG_DIR, `${String(logCount).padStart(2, '0')}-${name}.log`), text);
}

/**
 * Runs a process asynchronously (the event loop keeps turning, so an in-process cache service answers);
 * resolves with its combined output.
 */
export function runAsync(
  argv: readonly string[],
  cwd: string,
): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

export interface Phase {
  readonly name: string;
  readonly seconds: number;
}

export interface Measured {
  readonly strategy: string;
  readonly wallS: number;
  readonly restoredBytes: number;
  readonly savedBytes: number;
  readonly entriesWritten: number;
  readonly phases: readonly Phase[];
  readonly progress: ProgressSummary | undefined;
  readonly detail: string[];
}

/** stagecraft's run (main.run in-process): the measurement plus what the pipeline reported and asked the store. */
export interface StagecraftRun extends Measured {
  readonly result: RunResult;
  readonly lookedUp: readonly string[];
  readonly restoredKeys: readonly string[];
}

/** A build that failed; the round it was in is run again (see ATTEMPTS), and the failure is reported. */
export class BuildFailure extends Error {
  constructor(
    readonly strategy: string,
    readonly summary: string,
  ) {
    super(`${strategy} build failed: ${summary}`);
  }
}

/** The distinct `ERROR:` lines of a failed build's output, shortened, for one line of the report. */
export function errorSummary(text: string): string {
  const errors = [
    ...new Set(
      text
        .split('\n')
        .map((line) => /ERROR: (.*)$/.exec(line)?.[1]?.trim())
        .filter((line): line is string => line !== undefined && line !== '')
        .map((line) => line.replace(/locked for [\d.]+s \(since [^)]*\)/, 'locked').slice(0, 220)),
    ),
  ];
  return errors.length === 0 ? text.trim().split('\n').slice(-3).join(' / ') : errors.join(' / ');
}

/**
 * Replaces directory `to` with a hard-linked copy of `from` (removes it when `from` is absent): how the bench
 * snapshots its stores and puts them back. Safe with hard links because no store changes a file in place
 * (LocalStore writes new files; the v1 stand-in writes new blobs and replaces its index through a rename).
 */
export async function replaceWithCopy(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  if (existsSync(from)) await copyTree(from, to);
}

export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  if (bytes < 1e6) return `${formatNumber(bytes / 1e3, 1)} kB`;
  return `${formatNumber(bytes / 1e6, 1)} MB`;
}

function buildArgv(tag: string, cacheFrom: string, cacheTo: string): string[] {
  return [
    'docker',
    'buildx',
    'build',
    '--progress=plain',
    '--target',
    'runtime',
    '--tag',
    tag,
    '--cache-from',
    cacheFrom,
    '--cache-to',
    cacheTo,
    '--load',
    '.',
  ];
}

// ---------------------------------------------------------------------------------------------------------
// single-dir

/** docs.docker.com's actions/cache + `type=local,mode=max` recipe, step by step. */
export async function runSingleDir(
  project: string,
  peerDir: string,
  store: LocalStore,
  sha: string,
): Promise<Measured> {
  const cacheDir = path.join(peerDir, '.buildx-cache');
  const newDir = path.join(peerDir, '.buildx-cache-new');
  rmSync(peerDir, { recursive: true, force: true });
  mkdirSync(peerDir, { recursive: true });
  const key = `${PEER_KEY_PREFIX}${sha}`;
  const phases: Phase[] = [];
  const start = performance.now();
  let mark = start;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, seconds: (now - mark) / 1000 });
    mark = now;
  };

  // actions/cache (restore): the exact key, else the newest entry under the restore key.
  const found = await store.lookup(key, [PEER_KEY_PREFIX]);
  let restoredBytes = 0;
  if (found !== undefined) {
    mkdirSync(cacheDir, { recursive: true });
    restoredBytes = await store.restore(found.key, cacheDir);
  }
  phase('restore');

  const argv = buildArgv(
    IMAGE_TAG.singleDir,
    `type=local,src=${cacheDir}`,
    `type=local,dest=${newDir},mode=max`,
  );
  const build = await runAsync(argv, project);
  keepLog('single-dir', build.output);
  if (build.exitCode !== 0) throw new BuildFailure('single-dir', errorSummary(build.output));
  phase('build');

  // "Temp fix" from the docs: move the new cache over the old one, so the directory does not grow.
  await rm(cacheDir, { recursive: true, force: true });
  await rename(newDir, cacheDir);
  // actions/cache (post): save under the primary key unless it was an exact hit.
  let savedBytes = 0;
  if (found?.exact !== true) savedBytes = await store.save(key, cacheDir);
  phase('save');
  const wallS = (performance.now() - start) / 1000;
  return {
    strategy: 'single-dir',
    wallS,
    restoredBytes,
    savedBytes,
    entriesWritten: savedBytes > 0 ? 1 : 0,
    phases,
    progress: summarizeProgress(parseProgress(build.output, { prefixedByTarget: false })),
    detail: [
      `restored ${found === undefined ? 'nothing' : `${found.key}${found.exact ? ' (exact)' : ' (restore key)'}`}` +
        `; ${found?.exact === true ? 'save skipped (exact hit)' : `saved ${key}`}`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// gha

/**
 * The gha peer's two starting points in the scenarios where they differ. BuildKit 0.13 writes a new index on
 * every build, and a fully cached build's (the no-change scenario's, on a pruned builder) lists only the final
 * image's layers; being the newest, it is what the next build imports (docker/build-push-action#735).
 * - last: the store as gha's own previous build left it, that index included;
 * - full: the store as the last gha build that ran a RUN step left it (its index lists every layer it built).
 * Where the two are the same (cold, no change) the one run is labelled plain `gha`.
 */
export const GHA_LABEL = { last: 'gha (index of the last run)', full: 'gha (last full index)' } as const;

/** A gha build: the measurement plus the index it imported and the one it wrote (key and layer count). */
export interface GhaRun extends Measured {
  readonly indexImported: string;
  readonly indexWritten: string;
}

/**
 * build-push-action's `cache-from: type=gha` / `cache-to: type=gha,mode=max`: one `docker buildx build`
 * against the v1 cache service stand-in, timed whole (the cache traffic happens inside it), from whatever the
 * stand-in's directory holds; `label` names the run in the report.
 */
export async function runGha(project: string, service: CacheServiceV1, label = 'gha'): Promise<GhaRun> {
  // The index BuildKit will import (the newest under the scope's prefix), to show what it offered.
  const indexPrefix = `index-${GHA_SCOPE}-`;
  const indexText = (): string => {
    const entry = service.find(indexPrefix);
    if (entry === undefined) return 'none';
    const config = JSON.parse(service.content(entry).toString('utf8')) as { layers?: unknown[] };
    return `${entry.key.slice(indexPrefix.length)} (${config.layers?.length ?? 0} layers)`;
  };
  const indexImported = indexText();
  service.resetCounters();
  const { cacheFrom, cacheTo } = service.ghaCacheSpecs({ scope: GHA_SCOPE, mode: 'max' });
  const start = performance.now();
  const build = await runAsync(buildArgv(IMAGE_TAG.gha, cacheFrom, cacheTo), project);
  const wallS = (performance.now() - start) / 1000;
  keepLog(label.replace(/\W+/g, '-').replace(/-$/, ''), build.output);
  if (build.exitCode !== 0) throw new BuildFailure(label, errorSummary(build.output));
  const counters = service.counters();
  const blobs = counters.committedKeys.filter((key) => key.startsWith('buildkit-blob-')).length;
  const indexes = counters.committedKeys.filter((key) => key.startsWith('index-')).length;
  const indexWritten = indexText();
  return {
    strategy: label,
    wallS,
    restoredBytes: counters.bytesDownloaded,
    savedBytes: counters.bytesCommitted,
    entriesWritten: counters.entriesCommitted,
    phases: [{ name: 'build (restore and save inside)', seconds: wallS }],
    progress: summarizeProgress(parseProgress(build.output, { prefixedByTarget: false })),
    detail: [
      `cache service: ${counters.lookups} lookups (${counters.hits} hits), ${counters.downloads} downloads ` +
        `(${formatBytes(counters.bytesDownloaded)}); committed ${blobs} layer blob${blobs === 1 ? '' : 's'} + ` +
        `${indexes} index (${formatBytes(counters.bytesCommitted)})` +
        (counters.conflicts === 0 ? '' : `; ${counters.conflicts} reservations refused (already there)`),
      `index imported: ${indexImported}; index written: ${indexWritten}`,
    ],
    indexImported,
    indexWritten,
  };
}
