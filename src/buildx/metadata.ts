// The `--metadata-file` buildx writes: one object for `build`, one per target for `bake`. Pure.

/** What build-push-action outputs from a build, plus what stagecraft reads for its own reports. */
export interface BuildMetadata {
  /**
   * build-push-action's `imageid`: what buildx writes to `--iidfile`, the image config digest, or the image
   * (index) digest when there is no config digest (a multi-platform or attested image). Empty without an image.
   */
  readonly imageid: string;
  /** build-push-action's `digest`: `containerimage.digest`, the image manifest or index digest. */
  readonly digest: string;
  /** build-push-action's `metadata`: this build's entry as JSON (two-space indented, as it prints it). */
  readonly metadata: string;
  /** The digest of the exported cache manifest (`cache.manifest`), when this target exported a cache. */
  readonly cacheManifest: string | undefined;
  /** `image.name`: the names the image was exported under, comma-separated by BuildKit. */
  readonly imageName: string | undefined;
}

export class MetadataError extends Error {
  override readonly name = 'MetadataError';
}

/** A `docker buildx build --metadata-file` document. */
export function parseBuildMetadata(text: string): BuildMetadata {
  return toBuildMetadata(parseObject(text, 'build metadata'), 'build metadata');
}

/**
 * A `docker buildx bake --metadata-file` document: target id → its metadata. Top-level keys that are not
 * targets (`buildx.build.warnings` in newer buildx) are skipped.
 */
export function parseBakeMetadata(text: string): ReadonlyMap<string, BuildMetadata> {
  const document = parseObject(text, 'bake metadata');
  const targets = new Map<string, BuildMetadata>();
  for (const [key, value] of Object.entries(document)) {
    if (key.startsWith('buildx.')) continue;
    if (!isRecord(value))
      throw new MetadataError(`bake metadata: target ${JSON.stringify(key)} is not an object`);
    targets.set(key, toBuildMetadata(value, `bake metadata for ${key}`));
  }
  return targets;
}

/** The outputs of a build that produced no metadata (skipped, failed, or a cache-only run). */
export const EMPTY_METADATA: BuildMetadata = {
  imageid: '',
  digest: '',
  metadata: '',
  cacheManifest: undefined,
  imageName: undefined,
};

function toBuildMetadata(entry: Record<string, unknown>, what: string): BuildMetadata {
  const digest = stringField(entry, 'containerimage.digest', what) ?? '';
  const configDigest = stringField(entry, 'containerimage.config.digest', what);
  return {
    imageid: configDigest ?? digest,
    digest,
    metadata: JSON.stringify(entry, null, 2),
    cacheManifest: cacheManifestDigest(entry, what),
    imageName: stringField(entry, 'image.name', what),
  };
}

/** `cache.manifest` is a JSON descriptor inside a string: `{"mediaType":…,"digest":"sha256:…","size":…}`. */
function cacheManifestDigest(entry: Record<string, unknown>, what: string): string | undefined {
  const raw = stringField(entry, 'cache.manifest', what);
  if (raw === undefined) return undefined;
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(raw);
  } catch {
    throw new MetadataError(`${what}: cache.manifest is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  const digest = isRecord(descriptor) ? descriptor.digest : undefined;
  if (typeof digest !== 'string') throw new MetadataError(`${what}: cache.manifest has no digest`);
  return digest;
}

function stringField(entry: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MetadataError(`${what}: ${key} is not a string`);
  return value;
}

function parseObject(text: string, what: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new MetadataError(`${what}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(document)) throw new MetadataError(`${what}: expected a JSON object`);
  return document;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
