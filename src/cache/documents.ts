// Small JSON documents (size baselines, drift records) kept in a StageCacheStore: an entry directory that
// holds one file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StageCacheStore, StoreCallOptions } from './store.js';

export interface SaveDocumentResult {
  readonly key: string;
  readonly saved: boolean;
  /** Bytes the store took (0 when not saved). */
  readonly bytes: number;
  /** Why not saved. */
  readonly reason?: string;
}

/** Stores `text` as `fileName` in a fresh entry under `key`; a store that takes nothing is a reason, not a throw. */
export async function saveDocument(
  store: StageCacheStore,
  key: string,
  fileName: string,
  text: string,
  options: StoreCallOptions & { readonly tempDir?: string | undefined } = {},
): Promise<SaveDocumentResult> {
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), 'stagecraft-document-'));
  try {
    await writeFile(path.join(dir, fileName), text);
    const bytes = await store.save(key, dir, options);
    return bytes > 0
      ? { key, saved: true, bytes }
      : {
          key,
          saved: false,
          bytes: 0,
          reason: 'the store did not take it (a fault, or another job stored it first)',
        };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
