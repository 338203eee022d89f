// Pure reading of BuildKit's local cache export (an OCI image layout) and the blob arithmetic of per-stage
// entries: which blobs a stage's cache references, which of them are its own, and which cache manifests are
// complete enough to hand to BuildKit. No files, no processes: callers read the bytes and pass them in.
//
// The shapes, as BuildKit 0.13 writes them (see testdata/export-two-stages-buildx-0.13/):
//   index.json      {"schemaVersion":2,"manifests":[{mediaType: OCI index, digest, size,
//                    annotations: {"org.opencontainers.image.ref.name": <tag>}}]}
//   cache manifest  an OCI index whose `manifests` are the layer blobs (with `containerd.io/uncompressed`) and one
//                   `application/vnd.buildkit.cacheconfig.v0` blob
//   cache config    {"layers":[{"blob", "parent"?}], "records":[{"digest", "layers"?: [{"layer", "createdAt"}],
//                    "chains"?: [{"layers": [...]}], "inputs"?}]}; `parent` is omitted when it is 0 (Go omitempty),
//                   -1 marks a chain's root.
import { createHash } from 'node:crypto';

export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.buildkit.cacheconfig.v0';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const UNCOMPRESSED_ANNOTATION = 'containerd.io/uncompressed';
/** The `oci-layout` file's content, byte for byte as BuildKit writes it. */
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** `index.json` of a layout, and a cache manifest: both are OCI image indexes. */
export interface OciIndex {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
}

export interface CacheLayer {
  readonly blob: string;
  /** Index of the parent layer in `layers`, -1 for a chain's root. */
  readonly parent: number;
}

export interface CacheRecord {
  readonly digest: string;
  /** Indexes into `layers` of each result's top layer. */
  readonly results: readonly number[];
}

export interface CacheConfig {
  readonly layers: readonly CacheLayer[];
  readonly records: readonly CacheRecord[];
}

/** Malformed layout data; the message says which file and what is wrong. */
export class OciLayoutError extends Error {
  override readonly name = 'OciLayoutError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OciLayoutError(`${what}: invalid JSON (${(error as Error).message})`);
  }
}

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/** The hex part of a `sha256:` digest: the blob's file name under `blobs/sha256/`. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new OciLayoutError(`not a sha256 digest: ${JSON.stringify(digest)}`);
  return digest.slice('sha256:'.length);
}

function parseDescriptor(value: unknown, what: string): Descriptor {
  if (!isObject(value)) throw new OciLayoutError(`${what}: a descriptor must be an object`);
  const { mediaType, digest, size, annotations } = value;
  if (typeof mediaType !== 'string') throw new OciLayoutError(`${what}: mediaType must be a string`);
  if (!isDigest(digest))
    throw new OciLayoutError(`${what}: digest ${JSON.stringify(digest)} is not a sha256 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new OciLayoutError(`${what}: size must be a non-negative integer`);
  }
  if (annotations === undefined) return { mediaType, digest, size };
  if (!isObject(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
    throw new OciLayoutError(`${what}: annotations must map strings to strings`);
  }
  return { mediaType, digest, size, annotations: annotations as Record<string, string> };
}

/** Parses an OCI image index (a layout's `index.json`, or a cache manifest). */
export function parseOciIndex(text: string, what = 'index.json'): OciIndex {
  const value = parseJson(text, what);
  if (!isObject(value)) throw new OciLayoutError(`${what}: must be a JSON object`);
  if (value.schemaVersion !== 2) throw new OciLayoutError(`${what}: schemaVersion must be 2`);
  if (!Array.isArray(value.manifests)) throw new OciLayoutError(`${what}: manifests must be an array`);
  const manifests = value.manifests.map((entry, i) => parseDescriptor(entry, `${what}: manifests[${i}]`));
  return typeof value.mediaType === 'string'
    ? { schemaVersion: 2, mediaType: value.mediaType, manifests }
    : { schemaVersion: 2, manifests };
}

/** Parses a cache manifest: an OCI index with exactly one cache config among its blobs. */
export function parseCacheManifest(text: string, what = 'cache manifest'): OciIndex {
  const index = parseOciIndex(text, what);
  const configs = index.manifests.filter((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
  if (configs.length !== 1) {
    throw new OciLayoutError(
      `${what}: expected one ${CACHE_CONFIG_MEDIA_TYPE} blob, found ${configs.length}`,
    );
  }
  return index;
}

/** The cache config's descriptor in a cache manifest. */
export function cacheConfigDescriptor(manifest: OciIndex): Descriptor {
  const config = manifest.manifests.find((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
  if (config === undefined) throw new OciLayoutError(`cache manifest has no ${CACHE_CONFIG_MEDIA_TYPE} blob`);
  return config;
}

function parseIndexList(value: unknown, what: string): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OciLayoutError(`${what} must be an array`);
  return value.map((entry, i) => {
    if (!isObject(entry) || typeof entry.layer !== 'number' || !Number.isInteger(entry.layer)) {
      throw new OciLayoutError(`${what}[${i}].layer must be an integer`);
    }
    return entry.layer;
  });
}

/** Parses BuildKit's cache config (`application/vnd.buildkit.cacheconfig.v0`). */
export function parseCacheConfig(text: string, what = 'cache config'): CacheConfig {
  const value = parseJson(text, what);
  if (!isObject(value)) throw new OciLayoutError(`${what}: must be a JSON object`);
  const rawLayers = value.layers ?? [];
  const rawRecords = value.records ?? [];
  if (!Array.isArray(rawLayers)) throw new OciLayoutError(`${what}: layers must be an array`);
  if (!Array.isArray(rawRecords)) throw new OciLayoutError(`${what}: records must be an array`);
  const layers = rawLayers.map((layer, i): CacheLayer => {
    if (!isObject(layer) || !isDigest(layer.blob)) {
      throw new OciLayoutError(`${what}: layers[${i}].blob must be a sha256 digest`);
    }
    const parent = layer.parent ?? 0;
    if (
      typeof parent !== 'number' ||
      !Number.isInteger(parent) ||
      parent < -1 ||
      parent >= rawLayers.length
    ) {
      throw new OciLayoutError(
        `${what}: layers[${i}].parent ${JSON.stringify(layer.parent)} is out of range`,
      );
    }
    return { blob: layer.blob, parent };
  });
  const records = rawRecords.map((record, i): CacheRecord => {
    if (!isObject(record) || typeof record.digest !== 'string') {
      throw new OciLayoutError(`${what}: records[${i}].digest must be a string`);
    }
    const results = parseIndexList(record.layers, `${what}: records[${i}].layers`);
    const chains = record.chains ?? [];
    if (!Array.isArray(chains)) throw new OciLayoutError(`${what}: records[${i}].chains must be an array`);
    // A chained result ({"layers": [int, ...]}) stacks several layers, each with its own parent chain.
    chains.forEach((chain, c) => {
      const indexes = isObject(chain) ? chain.layers : undefined;
      if (!Array.isArray(indexes) || indexes.some((n) => typeof n !== 'number' || !Number.isInteger(n))) {
        throw new OciLayoutError(`${what}: records[${i}].chains[${c}].layers must be an array of integers`);
      }
      results.push(...(indexes as number[]));
    });
    for (const index of results) {
      if (index < 0 || index >= layers.length) {
        throw new OciLayoutError(`${what}: records[${i}] refers to layer ${index}, which does not exist`);
      }
    }
    return { digest: record.digest, results };
  });
  // A parent cycle would make every chain walk endless: reject it here, once.
  layers.forEach((_, start) => layerChain({ layers, records }, start));
  return { layers, records };
}

/** The blobs of a result's layer chain, top first: the layer and its parents down to the root. */
export function layerChain(config: CacheConfig, layer: number): string[] {
  const chain: string[] = [];
  const seen = new Set<number>();
  for (let i = layer; i !== -1; i = config.layers[i]?.parent ?? -1) {
    const entry = config.layers[i];
    if (entry === undefined) throw new OciLayoutError(`cache config: layer ${i} does not exist`);
    if (seen.has(i)) throw new OciLayoutError(`cache config: layer ${layer}'s parent chain has a cycle`);
    seen.add(i);
    chain.push(entry.blob);
  }
  return chain;
}

/** The manifest in a layout's index with this `org.opencontainers.image.ref.name`. */
export function findManifestByTag(index: OciIndex, tag: string): Descriptor | undefined {
  return index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === tag);
}

export function refName(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[REF_NAME_ANNOTATION];
}

/** A stage's exported cache: its manifest's descriptor (from index.json), the manifest and its config. */
export interface StageCache {
  readonly descriptor: Descriptor;
  readonly manifest: OciIndex;
  readonly config?: CacheConfig;
}

/**
 * Every blob a stage's cache references: the manifest itself, each blob it lists, and (when the config is
 * given) each layer the config names, in that order, without repeats.
 */
export function referencedBlobs(cache: StageCache): Descriptor[] {
  const byDigest = new Map<string, Descriptor>();
  const add = (d: Descriptor): void => {
    if (!byDigest.has(d.digest)) byDigest.set(d.digest, d);
  };
  add({
    mediaType: cache.descriptor.mediaType,
    digest: cache.descriptor.digest,
    size: cache.descriptor.size,
  });
  cache.manifest.manifests.forEach(add);
  for (const layer of cache.config?.layers ?? []) {
    // A config layer the manifest does not describe: size unknown (-1); BuildKit never writes one.
    if (!byDigest.has(layer.blob))
      add({ mediaType: 'application/octet-stream', digest: layer.blob, size: -1 });
  }
  return [...byDigest.values()];
}

/**
 * Whether a descriptor is one of the given external layers (an image's layers that the builder reads from its
 * own image store): matched on the blob's digest or on its `containerd.io/uncompressed` digest, so a set of
 * diff IDs (`docker image inspect`'s `RootFS.Layers`) works as well as compressed digests.
 */
export function isExternal(descriptor: Descriptor, external: ReadonlySet<string>): boolean {
  if (external.has(descriptor.digest)) return true;
  const uncompressed = descriptor.annotations?.[UNCOMPRESSED_ANNOTATION];
  return uncompressed !== undefined && external.has(uncompressed);
}

/**
 * A stage's own blobs: those its cache references, less those the caches of the stages it depends on
 * reference (they live in those stages' entries), less external image layers. The manifest and the config are
 * always its own.
 */
export function ownBlobs(
  stage: StageCache,
  dependencies: readonly StageCache[],
  external: ReadonlySet<string> = new Set(),
): Descriptor[] {
  const theirs = new Set(dependencies.flatMap((dep) => referencedBlobs(dep).map((d) => d.digest)));
  const config = cacheConfigDescriptor(stage.manifest).digest;
  return referencedBlobs(stage).filter(
    (d) =>
      d.digest === stage.descriptor.digest ||
      d.digest === config ||
      (!theirs.has(d.digest) && !isExternal(d, external)),
  );
}

/**
 * Blobs that the results of a stage's own instructions need but that are neither present nor external: the
 * layer chains of every record result whose top layer is one of `own` (the blobs the stage's entry stores).
 * Empty when all of them can be loaded, i.e. when BuildKit can take the stage's output from this cache.
 */
export function unloadableOwnResults(
  cache: StageCache,
  own: ReadonlySet<string>,
  present: ReadonlySet<string>,
  external: ReadonlySet<string> = new Set(),
): string[] {
  const described = new Map(cache.manifest.manifests.map((d) => [d.digest, d]));
  return [...ownResultChains(cache, own)].filter((blob) => {
    const descriptor = described.get(blob);
    return !present.has(blob) && (descriptor === undefined || !isExternal(descriptor, external));
  });
}

/**
 * Every blob in the layer chains of the record results whose top layer is one of `own`: what a stage's output
 * is made of. It can hold another stage's blob where two stages made byte-identical layers (a `COPY --from`
 * of a file that stage's RUN wrote alone gives the same tar, and so the same digest).
 */
export function ownResultChains(cache: StageCache, own: ReadonlySet<string>): Set<string> {
  const blobs = new Set<string>();
  const config = cache.config;
  if (config === undefined) return blobs;
  for (const record of config.records) {
    for (const top of record.results) {
      if (!own.has(config.layers[top]!.blob)) continue;
      for (const blob of layerChain(config, top)) blobs.add(blob);
    }
  }
  return blobs;
}

/**
 * A cache manifest's text without the descriptors of the `absent` blobs (the config's is kept), or undefined
 * when it lists none of them. BuildKit reads a layer only through the manifest's descriptors and skips every
 * result whose chain has a layer the manifest does not describe, so the records stay (their keys still link
 * the stages) while the results it could not load are gone.
 */
export function withoutAbsentLayers(manifestText: string, absent: ReadonlySet<string>): string | undefined {
  const value = parseJson(manifestText, 'cache manifest');
  if (!isObject(value) || !Array.isArray(value.manifests)) return undefined;
  const kept = value.manifests.filter(
    (d: unknown) => !isObject(d) || d.mediaType === CACHE_CONFIG_MEDIA_TYPE || !absent.has(String(d.digest)),
  );
  if (kept.length === value.manifests.length) return undefined;
  return JSON.stringify({ ...value, manifests: kept });
}

/** One manifest of a layout's index, with what could be read of it (`undefined` where it was unreadable). */
export interface ManifestCandidate {
  readonly descriptor: Descriptor;
  readonly manifest?: OciIndex;
  readonly config?: CacheConfig;
  /** Why the manifest or its config could not be read, if so. */
  readonly error?: string;
}

export interface IncompleteManifest {
  readonly descriptor: Descriptor;
  readonly tag?: string;
  /** Referenced blobs that are neither present nor external, in reference order. */
  readonly missing: readonly string[];
  readonly reason: string;
}

export interface ManifestCheck {
  readonly complete: readonly Descriptor[];
  readonly incomplete: readonly IncompleteManifest[];
}

function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

/**
 * Splits a layout's manifests into complete ones (every referenced blob present, or an external layer) and
 * incomplete ones, which must be dropped: BuildKit fails a build on a record whose blob is absent.
 */
export function checkManifests(
  candidates: readonly ManifestCandidate[],
  present: ReadonlySet<string>,
  external: ReadonlySet<string> = new Set(),
): ManifestCheck {
  const complete: Descriptor[] = [];
  const incomplete: IncompleteManifest[] = [];
  for (const candidate of candidates) {
    const tag = refName(candidate.descriptor);
    const drop = (missing: string[], reason: string): void => {
      incomplete.push(
        tag === undefined
          ? { descriptor: candidate.descriptor, missing, reason }
          : { descriptor: candidate.descriptor, tag, missing, reason },
      );
    };
    if (candidate.manifest === undefined || candidate.error !== undefined) {
      const there = present.has(candidate.descriptor.digest);
      const name = `cache manifest ${shortDigest(candidate.descriptor.digest)}`;
      drop(
        there ? [] : [candidate.descriptor.digest],
        candidate.error ?? `${name} ${there ? 'could not be read' : 'is absent'}`,
      );
      continue;
    }
    if (candidate.config === undefined) {
      drop([], 'its cache config could not be read');
      continue;
    }
    const missing = referencedBlobs({
      descriptor: candidate.descriptor,
      manifest: candidate.manifest,
      config: candidate.config,
    })
      .filter((d) => !present.has(d.digest) && !isExternal(d, external))
      .map((d) => d.digest);
    if (missing.length === 0) complete.push(candidate.descriptor);
    else {
      const names = missing.slice(0, 3).map(shortDigest).join(', ');
      const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
      drop(
        missing,
        `${missing.length} referenced blob${missing.length === 1 ? ' is' : 's are'} absent: ${names}${more}`,
      );
    }
  }
  return { complete, incomplete };
}

/** `index.json` text for a layout holding these manifests (BuildKit's compact form). */
export function encodeOciIndex(manifests: readonly Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, manifests });
}

/** A descriptor with its `ref.name` set (or replaced). */
export function withRefName(descriptor: Descriptor, tag: string): Descriptor {
  return {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag },
  };
}

const TAG_MAX = 128;

/**
 * The tag under which an entry's manifest sits in a shared layout (its `ref.name`), and in a registry: the key
 * itself where it is a valid OCI tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`), otherwise a cleaned, shortened form
 * with a hash of the key, so distinct keys never share a tag.
 */
export function tagForKey(key: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(key) && key.length <= TAG_MAX) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const cleaned = key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]/, '_');
  return `${cleaned.slice(0, TAG_MAX - hash.length - 1)}-${hash}`;
}
