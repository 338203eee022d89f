// Scheduled rebuilds: which base images moved since the last scheduled run, which stages that rebuilds and why,
// and the document each scheduled run leaves for the next. The public API; the rest of the folder is private.
// The rendering (Markdown, text, outputs) is report/drift.ts's; the digests come from buildx/resolve.ts.
//
//   const previous = await findDriftDocument(store, scope);                          // or { found: false, … }
//   const usages = imageUsages(plan, request.targetPlatform);                         // pure
//   const resolutions = await resolveImagePlatforms(exec, resolveRequests(usages));   // buildx/, no pull
//   const imageDigests = imageDigestsForKeys(usages, resolutions, previous.found ? previous.document : undefined);
//   const keys = computeStageKeys({ ...keyOptions, imageDigests });  const baseKeys = computeStageKeys(keyOptions);
//   const restore = await restoreStageCaches({ keys: applyRefreshedKeys(keys, previous), … });
//   const drift = computeDrift({ plan, targetPlatform, previous, resolutions, keys, baseKeys,
//                                restore: restore.stages, entryCreatedAt, maxCacheAgeMs, now });   // pure
//   … build: pinnedImageContexts(resolutions) as --build-context, --pull if pullDecision(resolutions).pull,
//     no-cache-filter += drift.noCacheFilters, no --cache-from for drift.dropCacheFrom, and drift.saveKeys
//     (drift.refreshedKeys' stages counted as misses) for --cache-to and the save …
//   await saveDriftDocument(store, scope, buildDriftDocument({ result: drift, … }), run);
export type {
  DriftDocument,
  DriftImageRecord,
  DriftResult,
  DriftSize,
  DriftStageRecord,
  ImageDrift,
  ImageStatus,
  PreviousDrift,
  RebuildReason,
  RebuiltStage,
} from './types.js';
export { DRIFT_DOCUMENT_KIND, DRIFT_DOCUMENT_VERSION, REBUILD_REASONS } from './types.js';
export { formatAge, parseMaxCacheAge } from './max-age.js';
export {
  encodeDriftDocument,
  parseDriftDocument,
  parseDriftDocumentJson,
  type ParsedDriftDocument,
} from './document.js';
export {
  byImagePlatform,
  imageDigestsForKeys,
  imageUsages,
  resolveRequests,
  type ImageUsage,
} from './usage.js';
export { applyRefreshedKeys, refreshStageKey } from './refresh.js';
export { pinnedImageContexts, pullDecision } from './pins.js';
export { computeDrift, type DriftInput } from './compute.js';
export { checkDrift, type DriftCheck, type DriftCheckInput } from './check.js';
export { buildDriftDocument, type DriftRecordInput } from './record.js';
export {
  DRIFT_DOCUMENT_FILE,
  DRIFT_KEY_PREFIX,
  driftDocumentKey,
  driftKeyField,
  driftRestorePrefix,
  findDriftDocument,
  lookUpStages,
  saveDriftDocument,
  type DriftScope,
  type DriftStoreOptions,
  type SaveDriftResult,
} from './store.js';
