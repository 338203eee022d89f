// Refreshed keys: where a scheduled run saves a stage it rebuilt although its exact key hit (its cache was too
// old, or built on a stage whose was). The store keeps that key's old entry and refuses a second one (GitHub's
// cache cannot overwrite), so the new cache goes under a sibling key: the same `<head>-<run-prefix>-` with the
// last field hashed from the full hash and the time of the rebuild. The drift document records it, and the next
// scheduled run restores it in the stage key's place (`applyRefreshedKeys`), falling back to the stage key
// itself. Runs that are not scheduled never read the document and keep using the stage key's entry. Pure.
import { createHash } from 'node:crypto';

import type { StageKey } from '../keys/index.js';
import type { PreviousDrift } from './types.js';

const HASH_CHARS = 16;

/** The stage's key for a cache rebuilt at `builtAt` (ISO 8601); its first fallback is the stage key itself. */
export function refreshStageKey(key: StageKey, builtAt: string): StageKey {
  const cut = key.key.lastIndexOf('-');
  const hash = createHash('sha256')
    .update(`${key.fullHash}\nrefreshed ${builtAt}`)
    .digest('hex')
    .slice(0, HASH_CHARS);
  return {
    ...key,
    key: `${key.key.slice(0, cut + 1)}${hash}`,
    restoreKeys: [key.key, ...key.restoreKeys],
  };
}

/**
 * The keys to restore in a scheduled run: a stage whose key the previous run saved under a refreshed key (same
 * name, same stage key) restores that one, then the stage key, then the usual fallbacks. Others are unchanged.
 * A recorded key that is not a sibling of the stage key (same `<head>-<run-prefix>-`) is ignored.
 */
export function applyRefreshedKeys(keys: readonly StageKey[], previous: PreviousDrift): StageKey[] {
  if (!previous.found) return [...keys];
  return keys.map((key) => {
    const record = previous.document.stages.find(
      (stage) => stage.name === key.stageName && stage.key === key.key,
    );
    const refreshed = record?.refreshedKey;
    const sibling = key.key.slice(0, key.key.lastIndexOf('-') + 1);
    if (refreshed === undefined || refreshed === key.key || !refreshed.startsWith(sibling)) return key;
    if (!/^[0-9a-f]+$/.test(refreshed.slice(sibling.length))) return key;
    return { ...key, key: refreshed, restoreKeys: [key.key, ...key.restoreKeys] };
  });
}
