// The cache module's public API: per-stage cache entries, the stores that keep them, and the restore/save
// steps around a build. The GitHub Actions store (gha-store.ts) is imported on its own, lazily: it brings
// @actions/cache along.
export type {
  BuildKitCacheBackend,
  LookupResult,
  StageCacheStore,
  StoreCallOptions,
  StoreKind,
} from './store.js';
export {
  cacheFromSpecs,
  cacheToSpec,
  restoreStageCaches,
  saveStageCaches,
  stageCacheToSpecs,
  type CacheLogger,
  type RestoreOptions,
  type RestoreReport,
  type RestoreResult,
  type SaveOptions,
  type SaveReport,
  type StageRestoreReport,
  type StageSaveReport,
} from './stage-caches.js';
export {
  LocalStore,
  defaultLocalCacheDir,
  DEFAULT_LOCAL_CACHE_MAX_BYTES,
  type LocalStoreOptions,
} from './local-store.js';
export { RegistryStore, latestKeyFor, type RegistryStoreOptions } from './registry-store.js';
export {
  ENTRY_METADATA_FILE,
  ENTRY_SCHEMA_VERSION,
  mergeEntryIntoLayout,
  packEntry,
  readCacheExport,
  readEntryMetadata,
  validateLayout,
  type EntryMetadata,
  type LayoutValidation,
  type MergeResult,
} from './entry.js';
export { ownBlobs, referencedBlobs, checkManifests, tagForKey } from './oci-layout.js';
export { addBlobsToLayout, missingLayoutBlobs, seedExportDir } from './complete-layout.js';
