// Baselines: size reports stored in the stage cache store, and found again for a pull request; or a
// `baseline-image` measured in its registry. Never fails a run: anything missing, unreadable or invalid is
// "no baseline" with the reason.
//
// Keys: `stagecraft-size-v1-<dockerfile>-<target>-<platform>-<branch>-<commit>[-<run>]`
//   <dockerfile>  keys/' `dockerfileKeyPart(path)`: two Dockerfiles may both have a `runtime`
//   <target>      the target's display name     } `-` never occurs inside a field: anything but [A-Za-z0-9._]
//   <platform>    `linux/arm64/v8` → linux_arm64_v8 } becomes `_`, and a field that had to change (or was cut)
//   <branch>      `refs/heads/` dropped           } ends in `_<8 hex of sha256>`, so `a-b` and `a_b` differ
//   <commit>      the full commit sha
//   <run>         scheduled runs only (e.g. the run id): every scheduled rebuild of one commit keeps its report
// A pull request looks up, in order: the exact key of its base commit on its base branch, the newest entry
// whose key starts with `…-<branch>-<commit>` (a scheduled run of that commit), then the newest starting with
// `…-<branch>-` (the base branch's latest report). Each prefix ends where a field ends, so `main` never picks
// up `main-old`, nor one commit another. GitHub's cache lets a pull request read its base branch's entries.
//
// An entry is a directory holding one file, `size-report.json` (schema.ts's `encodeSizeReport`).
import { saveDocument, type SaveDocumentResult } from '../cache/documents.js';
import { keyField, platformKeyField } from '../cache/key-fields.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Exec } from '../adapters/exec.js';
import type { StageCacheStore, StoreCallOptions } from '../cache/store.js';
import type { Platform } from '../plan/index.js';
import { buildSizeReport, type BaseImageLayers, type StageChain } from './layers.js';
import { measureRegistryImage, type RegistryImageOptions } from './measure.js';
import { encodeSizeReport, parseSizeReportJson } from './schema.js';
import type { SizeReport } from './types.js';

export const SIZE_KEY_PREFIX = 'stagecraft-size-v1';
export const SIZE_REPORT_FILE = 'size-report.json';

/** What a baseline is for: one Dockerfile, target and platform. */
export interface BaselineScope {
  /** keys/' `dockerfileKeyPart(dockerfilePath)` (without a salt, so that a new salt keeps the baselines). */
  readonly dockerfile: string;
  /** The target's display name, as in `SizeReport.target`. */
  readonly target: string;
  /** `os/arch[/variant]`, as in `SizeReport.platform`. */
  readonly platform: string;
}

const TARGET_MAX = 40;
const PLATFORM_MAX = 24;
const BRANCH_MAX = 48;
const RUN_MAX = 24;

/** `refs/heads/main` → `main`; other refs are kept whole. */
export function branchName(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}

function commitField(commit: string): string {
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : keyField(commit, 64);
}

/** `stagecraft-size-v1-<dockerfile>-<target>-<platform>-` */
function scopePrefix(scope: BaselineScope): string {
  return [
    SIZE_KEY_PREFIX,
    keyField(scope.dockerfile, 16),
    keyField(scope.target, TARGET_MAX),
    platformKeyField(scope.platform, PLATFORM_MAX),
    '',
  ].join('-');
}

/** The prefix of every report of `branch`. */
export function sizeBranchPrefix(scope: BaselineScope, branch: string): string {
  return `${scopePrefix(scope)}${keyField(branchName(branch), BRANCH_MAX)}-`;
}

/** The key a report is stored under. */
export function sizeReportKey(scope: BaselineScope, branch: string, commit: string, run?: string): string {
  const key = `${sizeBranchPrefix(scope, branch)}${commitField(commit)}`;
  return run === undefined || run === '' ? key : `${key}-${keyField(run, RUN_MAX)}`;
}

/** Restore keys for a pull request: its base commit's entries (any run), then the branch's newest. */
export function sizeRestoreKeys(scope: BaselineScope, branch: string, commit?: string): string[] {
  const branchPrefix = sizeBranchPrefix(scope, branch);
  return commit === undefined || commit === ''
    ? [branchPrefix]
    : [`${branchPrefix}${commitField(commit)}`, branchPrefix];
}

// ---- what this run does ---------------------------------------------------------------------------------------

/** The facts of a run that decide what happens to baselines (from the event; read by the caller). */
export interface BaselineEvent {
  /** `GITHUB_EVENT_NAME`: push, pull_request, pull_request_target, schedule, workflow_dispatch, … */
  readonly eventName: string;
  /** `GITHUB_REF`, e.g. `refs/heads/main`. */
  readonly ref?: string;
  /** `GITHUB_SHA`. */
  readonly sha?: string;
  /** The repository's default branch (`repository.default_branch` in the event). */
  readonly defaultBranch?: string;
  /** A pull request's base: `pull_request.base.ref` and `pull_request.base.sha`. */
  readonly pullRequest?: { readonly baseRef: string; readonly baseSha: string };
  /** The `baseline-image` input, when set. */
  readonly baselineImage?: string;
  /** The run id (`GITHUB_RUN_ID`), keeping scheduled runs' reports apart. */
  readonly runId?: string;
}

export type BaselineComparison =
  | { readonly kind: 'cache'; readonly branch: string; readonly commit?: string }
  | { readonly kind: 'image'; readonly ref: string }
  | { readonly kind: 'none'; readonly reason: string };

export interface BaselinePlan {
  /** Compare with this. */
  readonly compare: BaselineComparison;
  /** Store this run's report under these key parts (a push to the default branch, a scheduled run). */
  readonly save?: { readonly branch: string; readonly commit: string; readonly run?: string };
}

/**
 * What to compare with and whether to store: a pull request compares with its base (or `baseline-image`);
 * a push to the default branch stores; a scheduled run stores (per run) and compares with the branch's
 * newest report, so it shows how the size moved since; other runs compare only with a `baseline-image`.
 */
export function resolveBaselinePlan(event: BaselineEvent): BaselinePlan {
  const image = event.baselineImage?.trim();
  const imageComparison: BaselineComparison | undefined =
    image !== undefined && image !== '' ? { kind: 'image', ref: image } : undefined;
  const branch =
    event.ref !== undefined && event.ref.startsWith('refs/heads/') ? branchName(event.ref) : undefined;
  const onDefault = branch !== undefined && branch === event.defaultBranch;
  const sha = event.sha ?? '';

  if (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') {
    const base = event.pullRequest;
    if (imageComparison !== undefined) return { compare: imageComparison };
    if (base === undefined || base.baseRef === '') {
      return { compare: { kind: 'none', reason: 'the pull request event names no base branch' } };
    }
    return {
      compare: {
        kind: 'cache',
        branch: branchName(base.baseRef),
        ...(base.baseSha !== '' ? { commit: base.baseSha } : {}),
      },
    };
  }
  if (event.eventName === 'schedule' && branch !== undefined && sha !== '') {
    return {
      compare: imageComparison ?? { kind: 'cache', branch },
      save: { branch, commit: sha, ...(event.runId !== undefined ? { run: event.runId } : {}) },
    };
  }
  if (event.eventName === 'push' && onDefault && sha !== '') {
    return {
      compare: imageComparison ?? {
        kind: 'none',
        reason: 'a push to the default branch stores the baseline',
      },
      save: { branch, commit: sha },
    };
  }
  return {
    compare: imageComparison ?? {
      kind: 'none',
      reason: `a ${event.eventName} run has no base to compare with (set baseline-image to compare anyway)`,
    },
  };
}

// ---- the store ------------------------------------------------------------------------------------------------

export type BaselineResult =
  | {
      readonly found: true;
      readonly report: SizeReport;
      /** The base commit's report, the base branch's newest, a `baseline-image`, or a report file (CLI). */
      readonly source: 'base-commit' | 'base-branch' | 'image' | 'file';
      /** The store key (`base-commit`, `base-branch`), the image reference (`image`) or the file's path. */
      readonly from: string;
    }
  | { readonly found: false; readonly reason: string };

export interface BaselineStoreOptions extends StoreCallOptions {
  /** Where entry directories are staged (default the OS temp dir); removed afterwards. */
  readonly tempDir?: string;
}

/** What saving did (cache/documents.ts). */
export type SaveBaselineResult = SaveDocumentResult;

function noFileStore(store: StageCacheStore): string | undefined {
  return store.buildkit !== undefined
    ? `the ${store.kind} cache store holds only BuildKit's own caches, not files: size baselines need the gha or local store (or baseline-image)`
    : undefined;
}

function scopeOf(report: SizeReport, dockerfile: string): BaselineScope {
  return { dockerfile, target: report.target, platform: report.platform };
}

/** Stores `report` as the baseline for its commit (and run); a key that exists is left as it is. */
export async function saveBaseline(
  store: StageCacheStore,
  dockerfile: string,
  report: SizeReport,
  where: { readonly branch: string; readonly commit: string; readonly run?: string },
  options: BaselineStoreOptions = {},
): Promise<SaveBaselineResult> {
  const key = sizeReportKey(scopeOf(report, dockerfile), where.branch, where.commit, where.run);
  const refused = noFileStore(store);
  if (refused !== undefined) return { key, saved: false, bytes: 0, reason: refused };
  if (await store.exists(key, options)) {
    return { key, saved: false, bytes: 0, reason: 'a report for this commit is already stored' };
  }
  const stored: SizeReport = {
    ...report,
    commit: report.commit ?? where.commit,
    ref: report.ref ?? `refs/heads/${branchName(where.branch)}`,
  };
  return saveDocument(store, key, SIZE_REPORT_FILE, encodeSizeReport(stored), options);
}

/**
 * The baseline for a pull request: the report of `commit` on `branch`, else the newest one from `branch`.
 * Never throws for a missing, faulty or invalid entry: that is `found: false` with the reason.
 */
export async function findBaseline(
  store: StageCacheStore,
  scope: BaselineScope,
  where: { readonly branch: string; readonly commit?: string },
  options: BaselineStoreOptions = {},
): Promise<BaselineResult> {
  const branch = branchName(where.branch);
  const what = `${scope.target} (${scope.platform}) on ${branch}`;
  const refused = noFileStore(store);
  if (refused !== undefined) return { found: false, reason: refused };
  const commit = where.commit !== undefined && where.commit !== '' ? where.commit : undefined;
  const exactKey =
    commit !== undefined ? sizeReportKey(scope, branch, commit) : sizeBranchPrefix(scope, branch);
  const restoreKeys = sizeRestoreKeys(scope, branch, commit);
  const hit = await store.lookup(exactKey, restoreKeys, options);
  if (hit === undefined) {
    return { found: false, reason: `no size report for ${what} in the ${store.kind} cache yet` };
  }
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), 'stagecraft-size-find-'));
  try {
    const bytes = await store.restore(hit.key, dir, options);
    let text: string;
    try {
      text = await readFile(path.join(dir, SIZE_REPORT_FILE), 'utf8');
    } catch {
      return {
        found: false,
        reason: `the stored report ${hit.key} could not be restored${bytes === 0 ? ' (the store gave nothing)' : ` (no ${SIZE_REPORT_FILE} in it)`}`,
      };
    }
    const parsed = parseSizeReportJson(text);
    if (!parsed.ok)
      return { found: false, reason: `the stored report ${hit.key} cannot be used: ${parsed.reason}` };
    const { report } = parsed;
    if (report.target !== scope.target || report.platform !== scope.platform) {
      return {
        found: false,
        reason: `the stored report ${hit.key} is for ${report.target} (${report.platform}), not ${scope.target} (${scope.platform})`,
      };
    }
    const fromCommit = commit !== undefined && hit.key.startsWith(sizeRestoreKeys(scope, branch, commit)[0]!);
    return { found: true, report, source: fromCommit ? 'base-commit' : 'base-branch', from: hit.key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- a baseline image -----------------------------------------------------------------------------------------

export interface BaselineImageOptions extends RegistryImageOptions {
  /** The target's display name for the report. */
  readonly target: string;
  /** The target's FROM chain, to map the baseline's layers (the current Dockerfile's is the best guess). */
  readonly chain?: StageChain;
  readonly base?: BaseImageLayers;
  /** The clock (default the system's). */
  readonly now?: () => Date;
}

/**
 * The report of `ref` measured in its registry without pulling (`baseline-image`). An image that cannot be
 * read (absent, no such platform, unauthorized) is `found: false` with the reason.
 */
export async function baselineFromImage(
  exec: Exec,
  ref: string,
  platform: Platform | string,
  options: BaselineImageOptions,
): Promise<BaselineResult> {
  try {
    const image = await measureRegistryImage(exec, ref, platform, options);
    const report = buildSizeReport({
      image,
      target: options.target,
      ...(options.chain !== undefined ? { chain: options.chain } : {}),
      ...(options.base !== undefined ? { base: options.base } : {}),
      createdAt: (options.now ?? (() => new Date()))().toISOString(),
    });
    return { found: true, report, source: 'image', from: ref };
  } catch (error) {
    return {
      found: false,
      reason: `the baseline image ${ref} cannot be measured: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
