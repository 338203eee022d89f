// buildx: argument vectors, the bake file, running buildx, its metadata and progress, and what the builder
// supports. See each file for details.
export {
  buildBakeFile,
  bakeUnsupportedInputs,
  renderBakeFile,
  type BakeDefinition,
  type BakeFile,
  type BakeFileInput,
  type BakeTarget,
  type ComposeOverride,
  type StageTarget,
} from './bake-file.js';
export {
  buildBakeArgs,
  buildBuildArgs,
  type BakeArgsInput,
  type BuildArgsInput,
  type ProgressMode,
} from './args.js';
export {
  BuildxUnavailableError,
  DOCKER_INFO_FORMAT,
  buildDetectArgs,
  checkBuilderSupport,
  detectBuilder,
  explainNoCacheExport,
  parseBuilderInspect,
  parseBuildxVersion,
  parseDockerInfo,
  resolveBuilderInfo,
  type BuilderInfo,
  type DetectCommands,
  type DetectOptions,
  type DockerInfo,
  type InspectNode,
  type InspectResult,
} from './detect.js';
export {
  EMPTY_METADATA,
  MetadataError,
  parseBakeMetadata,
  parseBuildMetadata,
  type BuildMetadata,
} from './metadata.js';
export {
  parseBuildError,
  parseProgress,
  parseVertexName,
  summarizeProgress,
  type BuildError,
  type ParseProgressOptions,
  type ProgressSummary,
  type Vertex,
  type VertexStatus,
} from './progress.js';
export {
  BuildxRunError,
  createLineSplitter,
  readMetadataFile,
  runBuildx,
  writeBakeFiles,
  type BuildxRunResult,
  type RunBuildxOptions,
  type WrittenBakeFiles,
} from './run.js';
export { attestSpecs, imageOutputs, secretEnvironment, secretSpecs } from './specs.js';
export { digestReference, parseLayerList, pullImage, readImageLayers, saveImagesAsLayout } from './images.js';
export {
  failedBuildProgress,
  isCacheExportFailure,
  mergeProgress,
  runBuild,
  type BuildRequest,
  type BuildResult,
} from './build.js';
export {
  buildImagetoolsRawArgs,
  classifyInspectFailure,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  parseRawManifest,
  pinnedDigest,
  ResolveError,
  resolveImageDigests,
  resolveImagePlatforms,
  type ImagePlatformRequest,
  type ImageResolution,
  type ResolveFailure,
  type ResolveOptions,
} from './resolve.js';
