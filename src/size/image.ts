// Image JSON and archive formats, pure: OCI and Docker indexes, manifests and configs, platform selection,
// `docker save` tar headers and the gzip trailer. measure.ts feeds these the bytes it reads; nothing here runs
// a process or touches a file.
import { createHash } from 'node:crypto';

import type { Platform } from '../plan/index.js';
import type { UncompressedMethod } from './types.js';

/** A problem with an image or its measurement; the message names the image and what was wrong. */
export class SizeMeasureError extends Error {
  override readonly name = 'SizeMeasureError';
}

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** eStargz layers say how large they are unpacked (their gzip trailer covers only the last member). */
export const ESTARGZ_UNCOMPRESSED_SIZE = 'io.containers.estargz.uncompressed-size';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export interface ImageManifest {
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface HistoryEntry {
  readonly createdBy: string;
  readonly emptyLayer: boolean;
  readonly comment?: string;
  readonly created?: string;
}

export interface ImageConfig {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly diffIds: readonly string[];
  readonly history: readonly HistoryEntry[];
}

/** One layer of the manifest, measured. */
export interface MeasuredLayer {
  readonly digest: string;
  readonly mediaType: string;
  /** The manifest's size for the blob: what a pull transfers. */
  readonly compressedBytes: number;
  /** Unpacked (tar) size; undefined when it could not be measured. */
  readonly uncompressedBytes: number | undefined;
  readonly uncompressedMethod: UncompressedMethod;
}

/** An image for one platform, as measure.ts read it; layers.ts turns it into a `SizeReport`. */
export interface MeasuredImage {
  readonly source: 'image-store' | 'registry';
  /** The reference measured, as given. */
  readonly ref: string;
  /** `os/arch[/variant]` of the manifest chosen. */
  readonly platform: string;
  readonly indexDigest?: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly config: ImageConfig;
  /** The manifest's layers, in order. */
  readonly layers: readonly MeasuredLayer[];
  readonly warnings: readonly string[];
}

// ---- JSON ---------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

export function sha256Digest(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SizeMeasureError(
      `${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parsePlatformObject(value: unknown): Platform | undefined {
  if (!isObject(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string') {
    return undefined;
  }
  return {
    os: value.os,
    architecture: value.architecture,
    ...(typeof value.variant === 'string' && value.variant !== '' ? { variant: value.variant } : {}),
  };
}

function parseDescriptor(value: unknown, what: string): Descriptor {
  if (
    !isObject(value) ||
    typeof value.mediaType !== 'string' ||
    !isDigest(value.digest) ||
    !isSize(value.size)
  ) {
    throw new SizeMeasureError(`${what}: not a descriptor with mediaType, sha256 digest and size`);
  }
  const platform = parsePlatformObject(value.platform);
  let annotations: Record<string, string> | undefined;
  if (isObject(value.annotations)) {
    annotations = {};
    for (const [key, text] of Object.entries(value.annotations)) {
      if (typeof text === 'string') annotations[key] = text;
    }
  }
  return {
    mediaType: value.mediaType,
    digest: value.digest,
    size: value.size,
    ...(platform !== undefined ? { platform } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

/**
 * An index or a manifest, told apart by `mediaType` (or, where an OCI document omits it, by having
 * `manifests` or `layers`), as registries and `docker save` give them.
 */
export function parseImageDocument(
  text: string,
  what: string,
):
  | { readonly kind: 'index'; readonly index: ImageIndex }
  | { readonly kind: 'manifest'; readonly manifest: ImageManifest } {
  const value = parseJson(text, what);
  if (!isObject(value)) throw new SizeMeasureError(`${what} is not a JSON object`);
  const mediaType =
    typeof value.mediaType === 'string'
      ? value.mediaType
      : Array.isArray(value.manifests)
        ? MEDIA_TYPES.ociIndex
        : Array.isArray(value.layers)
          ? MEDIA_TYPES.ociManifest
          : '';
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(value.manifests)) throw new SizeMeasureError(`${what}: an index without manifests`);
    return {
      kind: 'index',
      index: {
        mediaType,
        manifests: value.manifests.map((m, i) => parseDescriptor(m, `${what}: manifests[${i}]`)),
      },
    };
  }
  if (isManifestMediaType(mediaType)) {
    if (!Array.isArray(value.layers)) throw new SizeMeasureError(`${what}: a manifest without layers`);
    return {
      kind: 'manifest',
      manifest: {
        mediaType,
        config: parseDescriptor(value.config, `${what}: config`),
        layers: value.layers.map((l, i) => parseDescriptor(l, `${what}: layers[${i}]`)),
      },
    };
  }
  throw new SizeMeasureError(
    `${what} has media type ${JSON.stringify(mediaType)}, not an image index or manifest (schema 1 manifests are not supported)`,
  );
}

/** An image config (OCI or Docker): platform, `rootfs.diff_ids` and `history`. */
export function parseImageConfig(text: string, what: string): ImageConfig {
  return parseImageConfigValue(parseJson(text, what), what);
}

export function parseImageConfigValue(value: unknown, what: string): ImageConfig {
  if (!isObject(value)) throw new SizeMeasureError(`${what} is not a JSON object`);
  if (typeof value.os !== 'string' || typeof value.architecture !== 'string') {
    throw new SizeMeasureError(`${what}: an image config needs os and architecture`);
  }
  const rootfs = value.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every(isDigest)) {
    throw new SizeMeasureError(`${what}: rootfs.diff_ids is missing or not a list of sha256 digests`);
  }
  const history: HistoryEntry[] = [];
  if (value.history !== undefined && value.history !== null) {
    if (!Array.isArray(value.history)) throw new SizeMeasureError(`${what}: history is not a list`);
    value.history.forEach((entry, i) => {
      if (!isObject(entry)) throw new SizeMeasureError(`${what}: history[${i}] is not an object`);
      history.push({
        createdBy: typeof entry.created_by === 'string' ? entry.created_by : '',
        emptyLayer: entry.empty_layer === true,
        ...(typeof entry.comment === 'string' ? { comment: entry.comment } : {}),
        ...(typeof entry.created === 'string' ? { created: entry.created } : {}),
      });
    });
  }
  return {
    os: value.os,
    architecture: value.architecture,
    ...(typeof value.variant === 'string' && value.variant !== '' ? { variant: value.variant } : {}),
    diffIds: rootfs.diff_ids,
    history,
  };
}

/**
 * `docker buildx imagetools inspect --format '{{json .Image}}'`: the config for a manifest reference, or a map
 * from `os/arch[/variant]` to configs for an index. Returns the one for `platform`.
 */
export function parseImagetoolsImage(text: string, platform: Platform, what: string): ImageConfig {
  const value = parseJson(text, what);
  if (isObject(value) && 'rootfs' in value) return parseImageConfigValue(value, what);
  if (!isObject(value)) throw new SizeMeasureError(`${what} is not a JSON object`);
  for (const [key, config] of Object.entries(value)) {
    const [os = '', architecture = '', variant] = key.split('/');
    if (platformMatches({ os, architecture, ...(variant ? { variant } : {}) }, platform)) {
      return parseImageConfigValue(config, `${what}: ${key}`);
    }
  }
  throw new SizeMeasureError(
    `${what} has no image for ${formatPlatform(platform)} (it has ${Object.keys(value).join(', ') || 'none'})`,
  );
}

// ---- platforms ----------------------------------------------------------------------------------------------

/** `os/arch[/variant]`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant]
    .filter((p) => p !== undefined && p !== '')
    .join('/');
}

/** containerd's defaults: arm64 means v8, arm means v7, amd64 means v1. */
function normalizedVariant(platform: Platform): string {
  const variant = platform.variant ?? '';
  if (variant !== '') return variant;
  switch (platform.architecture) {
    case 'arm64':
      return 'v8';
    case 'arm':
      return 'v7';
    case 'amd64':
      return 'v1';
    default:
      return '';
  }
}

export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  return (
    candidate.os === wanted.os &&
    candidate.architecture === wanted.architecture &&
    normalizedVariant(candidate) === normalizedVariant(wanted)
  );
}

/** BuildKit's attestation manifests (`unknown/unknown`, `vnd.docker.reference.type`) are never images. */
export function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown')
  );
}

/** The index entry for `platform`; throws naming the platforms there are. */
export function selectManifest(index: ImageIndex, platform: Platform, what: string): Descriptor {
  const images = index.manifests.filter((m) => !isAttestation(m));
  const match = images.find((m) => m.platform !== undefined && platformMatches(m.platform, platform));
  if (match !== undefined) return match;
  const present = images.map((m) =>
    m.platform !== undefined ? formatPlatform(m.platform) : '(no platform)',
  );
  throw new SizeMeasureError(
    `${what} has no manifest for ${formatPlatform(platform)} (it has ${present.join(', ') || 'none'})`,
  );
}

/** The config must be for the platform asked for (a single-manifest image has no index to choose from). */
export function checkConfigPlatform(config: ImageConfig, platform: Platform, what: string): void {
  if (!platformMatches(config, platform)) {
    throw new SizeMeasureError(`${what} is for ${formatPlatform(config)}, not ${formatPlatform(platform)}`);
  }
}

// ---- uncompressed sizes -------------------------------------------------------------------------------------

export type LayerCompression = 'gzip' | 'zstd' | 'none' | 'unknown';

export function layerCompression(mediaType: string): LayerCompression {
  if (/(\+|\.)gzip$/.test(mediaType)) return 'gzip';
  if (/(\+|\.)zstd$/.test(mediaType)) return 'zstd';
  if (/(\.|\/)tar$/.test(mediaType) || mediaType.endsWith('.tar')) return 'none';
  return 'unknown';
}

const TWO_32 = 2 ** 32;
/** deflate's best ratio is 1032:1 (a 258-byte match in about two bits); no stream decompresses to more. */
const DEFLATE_MAX_RATIO = 1032;

/** The gzip trailer's ISIZE: the last four bytes, little-endian. */
export function gzipTrailerSize(lastFour: Uint8Array): number {
  if (lastFour.length !== 4) throw new SizeMeasureError('a gzip trailer needs the last 4 bytes of the blob');
  return (lastFour[0]! | (lastFour[1]! << 8) | (lastFour[2]! << 16)) + lastFour[3]! * 2 ** 24;
}

export interface TrailerLength {
  readonly length: number;
  /**
   * The trailer alone was too small for the compressed size, so 2^32 was added: right for a layer of 4 GiB or
   * more unpacked, wrong for a multi-member gzip whose last member is small (eStargz without its annotation).
   */
  readonly wrapped: boolean;
}

/**
 * The uncompressed length of a gzip blob of `compressed` bytes whose trailer says `isize` (the length modulo
 * 2^32): the smallest `isize + k·2^32` that is at least what the compressed bytes must hold (deflate adds at
 * most 5 bytes per 65,535 stored, plus an 18-byte frame). That is the length unless the layer's compression
 * saved 4 GiB or more. Undefined when even that is more than deflate can produce from `compressed` bytes
 * (1032:1): then the trailer cannot be the whole stream's.
 */
export function uncompressedFromGzipTrailer(isize: number, compressed: number): TrailerLength | undefined {
  const atLeast = Math.max(0, Math.floor(((compressed - 18) * 65535) / 65540) - 1024);
  let length = isize;
  if (length < atLeast) length += Math.ceil((atLeast - length) / TWO_32) * TWO_32;
  if (length > compressed * DEFLATE_MAX_RATIO + 1024) return undefined;
  return { length, wrapped: length !== isize };
}

/** eStargz's own uncompressed size, when the layer carries it. */
export function annotatedUncompressedSize(layer: Descriptor): number | undefined {
  const text = layer.annotations?.[ESTARGZ_UNCOMPRESSED_SIZE];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

// ---- tar (docker save) ----------------------------------------------------------------------------------------

export const TAR_BLOCK = 512;

export interface TarHeader {
  readonly name: string;
  /** `0`/NUL file, `5` directory, `x` PAX header for the next entry, `g` global PAX, `L` GNU long name. */
  readonly type: string;
  readonly size: number;
}

function cString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

function tarNumber(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256: big-endian, the top bit of the first byte set.
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(block, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** One 512-byte header block; `undefined` for the zero block that ends an archive. */
export function parseTarHeader(block: Uint8Array): TarHeader | undefined {
  if (block.length !== TAR_BLOCK) throw new SizeMeasureError('a tar header is 512 bytes');
  if (block.every((byte) => byte === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== tarNumber(block, 148, 8))
    throw new SizeMeasureError('not a tar archive (header checksum mismatch)');
  const name = cString(block, 0, 100);
  const magic = cString(block, 257, 6);
  const prefix = magic.startsWith('ustar') ? cString(block, 345, 155) : '';
  const size = tarNumber(block, 124, 12);
  if (!Number.isSafeInteger(size)) throw new SizeMeasureError('tar entry size out of range');
  return { name: prefix === '' ? name : `${prefix}/${name}`, type: cString(block, 156, 1) || '0', size };
}

/** PAX extended header records (`<len> <key>=<value>\n`, `len` in bytes); only `path` and `size` matter here. */
export function parsePaxRecords(data: Uint8Array): ReadonlyMap<string, string> {
  const records = new Map<string, string>();
  const decoder = new TextDecoder();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length) break;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq !== -1) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** Bytes from one entry's header to the next header: the content padded to whole blocks. */
export function tarPaddedSize(size: number): number {
  return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** `blobs/sha256/<hex>` → `sha256:<hex>`, for OCI layouts as `docker save` writes them. */
export function blobDigestFromPath(name: string): string | undefined {
  const match = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
  return match === null ? undefined : `sha256:${match[1]}`;
}

// ---- references -----------------------------------------------------------------------------------------------

/** Where a reference's blobs live: `localhost:5000/app:1` → host `localhost:5000`, repository `app`. */
export interface RepositoryLocation {
  /** The registry as written (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** The host that serves the registry API (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  readonly repository: string;
  /** The reference without tag and digest, as written: for `<name>@<digest>` references. */
  readonly name: string;
}

/** The repository of a reference (tag and digest dropped), with Docker Hub's defaults applied. */
export function parseRepository(ref: string): RepositoryLocation {
  let rest = ref.trim();
  const at = rest.indexOf('@');
  if (at !== -1) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) rest = rest.slice(0, colon);
  if (rest === '' || /\s/.test(rest))
    throw new SizeMeasureError(`not an image reference: ${JSON.stringify(ref)}`);
  const first = rest.split('/')[0]!;
  const hasRegistry =
    rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(first.length + 1) : rest;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return {
    registry,
    apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry,
    repository,
    name: rest,
  };
}

/** `os/arch[/variant]` → a platform (the `Platform` of the plan module is accepted as is). */
export function toPlatform(platform: Platform | string): Platform {
  if (typeof platform !== 'string') return platform;
  const [os = '', architecture = '', variant] = platform.split('/');
  if (os === '' || architecture === '')
    throw new SizeMeasureError(`not a platform: ${JSON.stringify(platform)}`);
  return { os, architecture, ...(variant !== undefined && variant !== '' ? { variant } : {}) };
}
