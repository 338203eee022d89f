// The document a scheduled run leaves for the next one. Pure.
import type { ImageResolution } from '../buildx/index.js';
import type { StageKey } from '../keys/index.js';
import {
  DRIFT_DOCUMENT_KIND,
  DRIFT_DOCUMENT_VERSION,
  type DriftDocument,
  type DriftImageRecord,
  type DriftResult,
  type DriftSize,
  type DriftStageRecord,
  type PreviousDrift,
} from './types.js';
import { byImagePlatform } from './usage.js';

export interface DriftRecordInput {
  readonly result: DriftResult;
  readonly previous: PreviousDrift;
  /** This run's resolutions (for the digests, and the index digests). */
  readonly resolutions: readonly ImageResolution[];
  /** The stage keys with digests (before `applyRefreshedKeys`), as given to `computeDrift`. */
  readonly keys: readonly StageKey[];
  readonly baseKeys?: readonly StageKey[];
  /** As given to `computeDrift`: when each restored entry was made. */
  readonly entryCreatedAt?: ReadonlyMap<number, string>;
  /**
   * Stages whose rebuilt cache was not stored (a fault, or `cache: off`): they keep the previous record's time,
   * and their refreshed key is not recorded, so the next run rebuilds them again if it must.
   */
  readonly notSaved?: ReadonlySet<number>;
  readonly target: string;
  readonly platform: string;
  readonly now: Date;
  readonly run?: string;
  readonly commit?: string;
  readonly size?: DriftSize;
}

/**
 * The images of this run (resolved ones with their digests; an unresolved one keeps the previous record, so the
 * next run still compares with the last digest known) and each reached stage: its key, when its cache was built
 * (now, for a rebuilt stage; else the restored entry's own time, or as recorded before) and its refreshed key.
 */
export function buildDriftDocument(input: DriftRecordInput): DriftDocument {
  const { result, previous } = input;
  const resolved = byImagePlatform(input.resolutions);
  const stored = byImagePlatform(previous.found ? previous.document.images : []);
  const images: DriftImageRecord[] = [];
  for (const image of result.images) {
    const resolution = resolved(image.image, image.platform);
    if (resolution?.status === 'resolved') {
      images.push({
        image: image.image,
        platform: image.platform,
        digest: resolution.digest,
        ...(resolution.indexDigest === undefined ? {} : { indexDigest: resolution.indexDigest }),
      });
      continue;
    }
    const kept = stored(image.image, image.platform);
    if (kept !== undefined) images.push(kept);
  }
  images.sort((a, b) => (a.image === b.image ? compare(a.platform, b.platform) : compare(a.image, b.image)));

  const now = input.now.toISOString();
  const rebuilt = new Set(result.rebuiltStages.map((stage) => stage.index));
  const saveKeyOf = new Map(result.saveKeys.map((key) => [key.stage, key.key]));
  const baseKeyOf = new Map((input.baseKeys ?? []).map((key) => [key.stage, key.key]));
  const stages: DriftStageRecord[] = input.keys.map((key) => {
    const before = previous.found
      ? previous.document.stages.find((stage) => stage.name === key.stageName && stage.key === key.key)
      : undefined;
    const saved = !(input.notSaved?.has(key.stage) ?? false);
    const builtAt =
      rebuilt.has(key.stage) && saved ? now : (input.entryCreatedAt?.get(key.stage) ?? before?.builtAt);
    // Where the stage's cache now is: the key it was saved under (rebuilt and saved), else the key it was
    // restored with (the previous run's refreshed key, when it had one).
    const current = rebuilt.has(key.stage) && saved ? saveKeyOf.get(key.stage) : before?.refreshedKey;
    const refreshedKey = current !== undefined && current !== key.key ? current : undefined;
    const baseKey = baseKeyOf.get(key.stage);
    return {
      name: key.stageName,
      key: key.key,
      ...(baseKey === undefined ? {} : { baseKey }),
      ...(builtAt === undefined ? {} : { builtAt }),
      ...(refreshedKey === undefined ? {} : { refreshedKey }),
    };
  });

  return {
    kind: DRIFT_DOCUMENT_KIND,
    version: DRIFT_DOCUMENT_VERSION,
    createdAt: now,
    target: input.target,
    platform: input.platform,
    ...(input.run === undefined || input.run === '' ? {} : { run: input.run }),
    ...(input.commit === undefined || input.commit === '' ? {} : { commit: input.commit }),
    images,
    stages,
    ...(input.size === undefined ? {} : { size: input.size }),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
