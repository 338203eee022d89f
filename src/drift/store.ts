// Drift documents in the stage cache store, found again by the next scheduled run. Never fails a run: anything
// missing, unreadable or invalid is "no previous run" with the reason.
//
// Keys: `stagecraft-drift-v1-<dockerfile>-<target>-<platform>-<run>`
//   <dockerfile>  keys/' `dockerfileKeyPart(path)` (no salt: a new salt keeps the history of digests)
//   <target>      the target's display name      } `-` never occurs inside a field: anything but [A-Za-z0-9._]
//   <platform>    `linux/arm64/v8` → linux_arm64_v8 } becomes `_`, and a field that had to change (or was cut)
//   <run>         the run (`GITHUB_RUN_ID`, with `_<attempt>` to keep re-runs apart) } ends in `_<8 hex of sha256>`
// The next run looks up the newest entry whose key starts with `…-<platform>-` (the restore prefix). Each field
// ends where a `-` follows, so target `app` never picks up `app-debug`'s documents. Stores are scoped as GitHub's
// cache is: a run reads its own branch's entries and the default branch's.
//
// An entry is a directory holding one file, `drift.json` (document.ts's `encodeDriftDocument`). The registry
// store keeps only BuildKit's caches, not files: with it there is no previous run, and nothing is stored.
import { saveDocument, type SaveDocumentResult } from '../cache/documents.js';
import { keyField, platformKeyField } from '../cache/key-fields.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { RestoreResult, StageCacheStore, StoreCallOptions } from '../cache/index.js';
import type { StageKey } from '../keys/index.js';
import { encodeDriftDocument, parseDriftDocumentJson } from './document.js';
import type { DriftDocument, PreviousDrift } from './types.js';

export const DRIFT_KEY_PREFIX = 'stagecraft-drift-v1';
export const DRIFT_DOCUMENT_FILE = 'drift.json';

/** What a drift document is for: one Dockerfile, target and platform. */
export interface DriftScope {
  /** keys/' `dockerfileKeyPart(dockerfilePath)`, without a salt. */
  readonly dockerfile: string;
  /** The target's display name. */
  readonly target: string;
  /** `os/arch[/variant]`. */
  readonly platform: string;
}

export interface DriftStoreOptions extends StoreCallOptions {
  /** Where entry directories are staged (default the OS temp dir); removed afterwards. */
  readonly tempDir?: string;
}

/** What saving did (cache/documents.ts). */
export type SaveDriftResult = SaveDocumentResult;

/** The key field rule shared by stored documents (cache/key-fields.ts). */
export const driftKeyField = keyField;

const TARGET_MAX = 40;
const PLATFORM_MAX = 24;
const RUN_MAX = 32;

/** `stagecraft-drift-v1-<dockerfile>-<target>-<platform>-`: the prefix every run of the scope stores under. */
export function driftRestorePrefix(scope: DriftScope): string {
  return [
    DRIFT_KEY_PREFIX,
    keyField(scope.dockerfile, 16),
    keyField(scope.target, TARGET_MAX),
    platformKeyField(scope.platform, PLATFORM_MAX),
    '',
  ].join('-');
}

/** The key a run's document is stored under. */
export function driftDocumentKey(scope: DriftScope, run: string): string {
  return `${driftRestorePrefix(scope)}${keyField(run === '' ? '_' : run, RUN_MAX)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function noFileStore(store: StageCacheStore): string | undefined {
  return store.buildkit !== undefined
    ? `the ${store.kind} cache store holds only BuildKit's own caches, not files: drift history needs the gha or local store`
    : undefined;
}

/** Stores the document under its run's key; a key that exists (the same run) is left as it is. */
export async function saveDriftDocument(
  store: StageCacheStore,
  scope: DriftScope,
  document: DriftDocument,
  run: string,
  options: DriftStoreOptions = {},
): Promise<SaveDriftResult> {
  const key = driftDocumentKey(scope, run);
  const refused = noFileStore(store);
  if (refused !== undefined) return { key, saved: false, bytes: 0, reason: refused };
  if (document.target !== scope.target || document.platform !== scope.platform) {
    return {
      key,
      saved: false,
      bytes: 0,
      reason: `the document is for ${document.target} (${document.platform}), not ${scope.target} (${scope.platform})`,
    };
  }
  if (await store.exists(key, options)) {
    return { key, saved: false, bytes: 0, reason: 'a drift document for this run is already stored' };
  }
  return saveDocument(store, key, DRIFT_DOCUMENT_FILE, encodeDriftDocument(document), options);
}

/**
 * The newest document of the scope: the previous scheduled run. Never throws for a missing, faulty or invalid
 * entry: that is `found: false` with the reason, and the run goes on as the first one.
 */
export async function findDriftDocument(
  store: StageCacheStore,
  scope: DriftScope,
  options: DriftStoreOptions = {},
): Promise<PreviousDrift> {
  const what = `${scope.target} (${scope.platform})`;
  const refused = noFileStore(store);
  if (refused !== undefined) return { found: false, reason: refused };
  const prefix = driftRestorePrefix(scope);
  let hit;
  try {
    hit = await store.lookup(prefix, [prefix], options);
  } catch (error) {
    return { found: false, reason: `the lookup of earlier scheduled runs failed: ${messageOf(error)}` };
  }
  if (hit === undefined) {
    return { found: false, reason: `no earlier scheduled run of ${what} in the ${store.kind} cache` };
  }
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), 'stagecraft-drift-find-'));
  try {
    let bytes: number;
    try {
      bytes = await store.restore(hit.key, dir, options);
    } catch (error) {
      return {
        found: false,
        reason: `the stored drift document ${hit.key} could not be restored: ${messageOf(error)}`,
      };
    }
    let text: string;
    try {
      text = await readFile(path.join(dir, DRIFT_DOCUMENT_FILE), 'utf8');
    } catch {
      return {
        found: false,
        reason: `the stored drift document ${hit.key} could not be restored${bytes === 0 ? ' (the store gave nothing)' : ` (no ${DRIFT_DOCUMENT_FILE} in it)`}`,
      };
    }
    const parsed = parseDriftDocumentJson(text);
    if (!parsed.ok) {
      return {
        found: false,
        reason: `the stored drift document ${hit.key} cannot be used: ${parsed.reason}`,
      };
    }
    const { document } = parsed;
    if (document.target !== scope.target || document.platform !== scope.platform) {
      return {
        found: false,
        reason: `the stored drift document ${hit.key} is for ${document.target} (${document.platform}), not ${what}`,
      };
    }
    return { found: true, document, key: hit.key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What a restore would find for each stage, without downloading anything (`stagecraft drift`, which builds
 * nothing): `exact`, `partial` with the key found, or `miss`; a fault is a miss with the warning. The shape
 * `computeDrift` takes as `restore`. Give it `applyRefreshedKeys(keys, previous)`.
 */
export async function lookUpStages(
  store: StageCacheStore,
  keys: readonly StageKey[],
  options: StoreCallOptions = {},
): Promise<{ stage: number; result: RestoreResult; restoredKey?: string; warning?: string }[]> {
  const results: { stage: number; result: RestoreResult; restoredKey?: string; warning?: string }[] = [];
  for (const key of keys) {
    const warnings: string[] = [];
    let found;
    try {
      found = await store.lookup(key.key, key.restoreKeys, {
        ...options,
        onWarning: (message) => {
          warnings.push(message);
          options.onWarning?.(message);
        },
      });
    } catch (error) {
      warnings.push(`cache lookup of ${key.key} failed: ${messageOf(error)}`);
    }
    const warning = warnings.length === 0 ? {} : { warning: warnings.join('; ') };
    results.push(
      found === undefined
        ? { stage: key.stage, result: 'miss', ...warning }
        : { stage: key.stage, result: found.exact ? 'exact' : 'partial', restoredKey: found.key, ...warning },
    );
  }
  return results;
}
