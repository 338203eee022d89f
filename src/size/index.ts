// The size step: measure the built image (per platform, per layer, mapped to the Dockerfile), store it as the
// baseline on the default branch, and find the baseline of a pull request. The public API; the rest of the
// folder is private to it.
//
//   const target = resolveMeasureTarget({ outputs, tags, driver, digest });       // pure: the store or a registry
//   const image = await measureLocalImage(exec, imageId, 'linux/amd64');           // or measureRegistryImage
//   const chain = resolveStageChain(plan, staged);                                 // pure
//   const report = buildSizeReport({ image, chain, commit, ref, createdAt });      // pure
//   const what = resolveBaselinePlan(event);                                       // pure
//   if (what.save) await saveBaseline(store, dockerfileKeyPart(path), report, what.save);
//   const baseline =
//     what.compare.kind === 'cache' ? await findBaseline(store, { dockerfile, target, platform }, what.compare)
//     : what.compare.kind === 'image' ? await baselineFromImage(exec, what.compare.ref, platform, { target, chain })
//     : { found: false, reason: what.compare.reason };
export type {
  LayerChange,
  LayerChangeStatus,
  LayerOrigin,
  SizeDelta,
  SizeDiff,
  SizeReport,
  SizeReportLayer,
  SizeSource,
  SizeTotals,
  UncompressedMethod,
} from './types.js';
export { SIZE_REPORT_SCHEMA_VERSION } from './types.js';
export {
  formatPlatform,
  parseImageConfig,
  parseImageDocument,
  SizeMeasureError,
  type ImageConfig,
  type HistoryEntry,
  type MeasuredImage,
  type MeasuredLayer,
} from './image.js';
export {
  buildSizeReport,
  expectedHistory,
  historyKeyword,
  mapHistory,
  resolveStageChain,
  type BaseImageLayers,
  type ChainBase,
  type ChainStage,
  type ExpectedEntry,
  type HistoryMapping,
  type SizeReportInput,
  type StageChain,
} from './layers.js';
export {
  measureLocalImage,
  measureLocalImagePlatforms,
  measureRegistryImage,
  readImageDiffIds,
  readUsesContainerdStore,
  type LocalImageOptions,
  type MeasureOptions,
  type RegistryImageOptions,
} from './measure.js';
export { encodeSizeReport, parseSizeReport, parseSizeReportJson, type ParsedSizeReport } from './schema.js';
export {
  needsImageLoad,
  repositoryOf,
  resolveMeasureTarget,
  type BuiltImage,
  type MeasureTarget,
} from './target.js';
export {
  baselineFromImage,
  branchName,
  findBaseline,
  resolveBaselinePlan,
  saveBaseline,
  SIZE_KEY_PREFIX,
  SIZE_REPORT_FILE,
  sizeBranchPrefix,
  sizeReportKey,
  sizeRestoreKeys,
  type BaselineComparison,
  type BaselineEvent,
  type BaselineImageOptions,
  type BaselinePlan,
  type BaselineResult,
  type BaselineScope,
  type BaselineStoreOptions,
  type SaveBaselineResult,
} from './baseline.js';
