// Measuring an image for one platform: the manifest's layers (compressed sizes: what a pull transfers), the
// config (history, diff ids) and each layer's unpacked size. Effects only here; the parsing is image.ts's and
// the mapping to the Dockerfile layers.ts's.
//
// A loaded image (the engine's containerd image store). With docker 26.1 (API 1.45) the CLI cannot print an
// image's manifest: `docker image inspect` has the config's RootFS and a `Size` that is the sum of every blob
// of the platform's image (index + manifest + config + compressed layers; checked here), but no descriptors
// (its `Descriptor` field needs API 1.48); `docker history` sizes are the snapshots' disk usage in 4 KiB
// blocks, not the layers' tar sizes (an 8,192 for a 1,536-byte WORKDIR layer); `imagetools` reads registries
// only; reading containerd's content store needs its socket (root). So the image is exported with
// `docker image save --output <temp file>` (an OCI layout: the exact index, manifest and config blobs, and
// the compressed layer blobs as stored), the archive's headers are read in place, and the file is deleted.
// Cost: one write of the image's compressed size to the temp dir, and a read of each layer's last 4 bytes.
// An engine without the containerd store keeps no compressed layers (its `docker save` writes uncompressed
// tars), so there is nothing exact to report: that is an error naming the remedy.
//
// A pushed image: `docker buildx imagetools inspect --raw` gives the index and the manifest byte for byte
// (their sha256 is checked against the digests), `--format '{{json .Image}}'` the config, nothing is pulled.
//
// Unpacked sizes. A gzip stream ends with ISIZE, the uncompressed length modulo 2^32: one 4-byte read per
// layer (a range request to the registry, a seek in the archive) gives the exact length of the layer's tar,
// unless its compression saved 4 GiB or more (see `uncompressedFromGzipTrailer`). Where the trailer is smaller
// than the compressed size allows (a layer of 4 GiB or more unpacked, or a multi-member gzip such as
// eStargz), a loaded layer is decompressed and counted; a registry layer is taken as 4 GiB larger, with a
// warning, or reported unknown when even that cannot be. Uncompressed tar layers are their own size; eStargz
// layers carry their size in an annotation; zstd layers are decompressed where Node has zstd (22.15+),
// otherwise (and always in a registry) unknown. So a loaded image and the same image pushed give the same
// numbers, and `measure.itg.test.ts` checks them against a full decompression.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';

import type { Exec } from '../adapters/exec.js';
import { tailLines } from '../adapters/exec.js';
import type { Platform } from '../plan/index.js';
import {
  annotatedUncompressedSize,
  blobDigestFromPath,
  checkConfigPlatform,
  formatPlatform,
  gzipTrailerSize,
  layerCompression,
  parseImageConfig,
  parseImageDocument,
  parseImagetoolsImage,
  parsePaxRecords,
  parseRepository,
  parseTarHeader,
  selectManifest,
  sha256Digest,
  SizeMeasureError,
  TAR_BLOCK,
  tarPaddedSize,
  toPlatform,
  uncompressedFromGzipTrailer,
  type Descriptor,
  type ImageManifest,
  type MeasuredImage,
  type MeasuredLayer,
  type RepositoryLocation,
} from './image.js';

export interface MeasureOptions {
  /** The docker CLI (default `docker`). */
  readonly docker?: string;
  /** Time allowed for one docker command, in ms (default 10 minutes for `docker save`, 2 minutes otherwise). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Diagnostics: `size.<function>: …` lines with argv as JSON. */
  readonly onDebug?: (message: string) => void;
}

export interface LocalImageOptions extends MeasureOptions {
  /** Where `docker save` writes its archive (default the OS temp dir); it is deleted afterwards. */
  readonly tempDir?: string;
}

export interface RegistryImageOptions extends MeasureOptions {
  /** `fetch` for the 4-byte range reads of gzip trailers (default the global one). */
  readonly fetch?: typeof fetch;
  /** Time allowed for one range read, in ms (default 30 s). */
  readonly blobTimeoutMs?: number;
}

const SAVE_TIMEOUT_MS = 10 * 60_000;
const INSPECT_TIMEOUT_MS = 2 * 60_000;
/** Indexes, manifests and configs larger than this are not believed. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

async function runDocker(
  exec: Exec,
  argv: readonly string[],
  what: string,
  options: MeasureOptions,
  defaultTimeout = INSPECT_TIMEOUT_MS,
): Promise<string> {
  options.onDebug?.(`size.${what}: ${JSON.stringify(argv)}`);
  const result = await exec(argv, {
    timeoutMs: options.timeoutMs ?? defaultTimeout,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (result.exitCode !== 0) {
    const said = tailLines(result.stderr, 3);
    throw new SizeMeasureError(
      `${commandName(argv)} failed with exit code ${result.exitCode}${said === '' ? '' : `: ${said}`}`,
    );
  }
  return result.stdout;
}

/** `docker image save` of `docker image save --output f x`: the words before the first flag. */
function commandName(argv: readonly string[]): string {
  const flag = argv.findIndex((word) => word.startsWith('-'));
  return argv.slice(0, flag === -1 ? Math.min(argv.length, 4) : flag).join(' ');
}

function checkDigest(text: string | Uint8Array, digest: string, what: string): void {
  const actual = sha256Digest(text);
  if (actual !== digest) throw new SizeMeasureError(`${what} has digest ${actual}, expected ${digest}`);
}

// ---- a loaded image -----------------------------------------------------------------------------------------

/** Whether the engine uses the containerd image store (`docker info` DriverStatus names its snapshotter). */
export async function readUsesContainerdStore(exec: Exec, options: MeasureOptions = {}): Promise<boolean> {
  const docker = options.docker ?? 'docker';
  const out = await runDocker(
    exec,
    [docker, 'info', '--format', '{{json .DriverStatus}}'],
    'readUsesContainerdStore',
    options,
  );
  return out.includes('io.containerd.snapshotter');
}

interface TarEntry {
  readonly offset: number;
  readonly size: number;
}

/** The regular files of a tar archive: name → where its bytes are. Reads headers only. */
async function readTarEntries(file: FileHandle): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const { size: fileSize } = await file.stat();
  const block = Buffer.alloc(TAR_BLOCK);
  let offset = 0;
  let pax: ReadonlyMap<string, string> | undefined;
  let longName: string | undefined;
  while (offset + TAR_BLOCK <= fileSize) {
    await readExactly(file, block, offset);
    const header = parseTarHeader(block);
    if (header === undefined) break;
    const data = offset + TAR_BLOCK;
    const size = pax?.has('size') === true ? Number(pax.get('size')) : header.size;
    if (!Number.isSafeInteger(size) || data + size > fileSize) {
      throw new SizeMeasureError(`the image archive is truncated at ${JSON.stringify(header.name)}`);
    }
    if (header.type === 'x') {
      pax = parsePaxRecords(await readRange(file, data, size));
    } else if (header.type === 'L') {
      longName = new TextDecoder().decode(await readRange(file, data, size)).replace(/\0.*$/s, '');
    } else {
      if (header.type === '0' || header.type === '7') {
        entries.set((pax?.get('path') ?? longName ?? header.name).replace(/^\.\//, ''), {
          offset: data,
          size,
        });
      }
      if (header.type !== 'g') {
        pax = undefined;
        longName = undefined;
      }
    }
    offset = data + tarPaddedSize(size);
  }
  return entries;
}

async function readExactly(file: FileHandle, buffer: Buffer, position: number): Promise<void> {
  const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
  if (bytesRead !== buffer.length) throw new SizeMeasureError('the image archive ended early');
}

async function readRange(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  if (length > 0) await readExactly(file, buffer, position);
  return buffer;
}

/** The bytes a decompressor makes of a part of a file, counted and dropped. */
async function countDecompressed(
  file: FileHandle,
  entry: TarEntry,
  decompressor: Transform,
): Promise<number> {
  let count = 0;
  const stream = file.createReadStream({
    start: entry.offset,
    end: entry.offset + entry.size - 1,
    autoClose: false,
  });
  await pipeline(
    stream,
    decompressor,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        count += chunk.length;
        callback();
      },
    }),
  );
  return count;
}

function zstdDecompressor(): Transform | undefined {
  const create = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  return typeof create === 'function' ? create() : undefined;
}

/**
 * Measures `image` (a name, `name:tag` or image id) as the engine's image store holds it, for `platform`.
 * Needs the containerd image store; exports the image once to a temp file (see the head of this file).
 */
export async function measureLocalImage(
  exec: Exec,
  image: string,
  platform: Platform | string,
  options: LocalImageOptions = {},
): Promise<MeasuredImage> {
  const [measured] = await measureLocalImagePlatforms(exec, image, [platform], options);
  return measured!;
}

/** `measureLocalImage` for several platforms of one (multi-platform) image, with one `docker save`. */
export async function measureLocalImagePlatforms(
  exec: Exec,
  image: string,
  platforms: readonly (Platform | string)[],
  options: LocalImageOptions = {},
): Promise<MeasuredImage[]> {
  const wanted = platforms.map(toPlatform);
  const docker = options.docker ?? 'docker';
  if (!(await readUsesContainerdStore(exec, options))) {
    throw new SizeMeasureError(
      `cannot measure ${image} from the engine: its image store keeps no compressed layers (enable the ` +
        'containerd image store, `{"features":{"containerd-snapshotter":true}}` in daemon.json, or push the ' +
        'image and measure it in the registry)',
    );
  }
  const dir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), 'stagecraft-size-'));
  try {
    const archive = path.join(dir, 'image.tar');
    await runDocker(
      exec,
      [docker, 'image', 'save', '--output', archive, image],
      'measureLocalImage',
      options,
      SAVE_TIMEOUT_MS,
    );
    const file = await open(archive, 'r');
    try {
      const measured: MeasuredImage[] = [];
      for (const platform of wanted) measured.push(await measureArchive(file, image, platform));
      return measured;
    } finally {
      await file.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Measures the image in an opened `docker save` archive (an OCI layout as a tar). */
export async function measureArchive(
  file: FileHandle,
  image: string,
  platform: Platform,
): Promise<MeasuredImage> {
  const entries = await readTarEntries(file);
  const blobs = new Map<string, TarEntry>();
  for (const [name, entry] of entries) {
    const digest = blobDigestFromPath(name);
    if (digest !== undefined) blobs.set(digest, entry);
  }
  const readJson = async (entry: TarEntry | undefined, what: string): Promise<string> => {
    if (entry === undefined) {
      throw new SizeMeasureError(
        `the engine's image store does not hold ${what} of ${image} (an image pulled for one platform holds only that platform's content)`,
      );
    }
    if (entry.size > MAX_JSON_BYTES)
      throw new SizeMeasureError(`${what} of ${image} is too large to be JSON`);
    return (await readRange(file, entry.offset, entry.size)).toString('utf8');
  };
  const readBlob = async (descriptor: Descriptor, what: string): Promise<string> => {
    const text = await readJson(blobs.get(descriptor.digest), `${what} ${descriptor.digest}`);
    checkDigest(text, descriptor.digest, `${what} of ${image}`);
    return text;
  };

  const layoutEntry = entries.get('index.json');
  if (layoutEntry === undefined) throw new SizeMeasureError(`the archive of ${image} has no index.json`);
  const layout = parseImageDocument(await readJson(layoutEntry, 'index.json'), `index.json of ${image}`);
  if (layout.kind !== 'index' || layout.index.manifests.length === 0) {
    throw new SizeMeasureError(`the archive of ${image} lists no image in index.json`);
  }
  const top = layout.index.manifests[0]!;
  const warnings: string[] = [];
  let indexDigest: string | undefined;
  let manifestDescriptor = top;
  const topDocument = parseImageDocument(await readBlob(top, 'the image'), `the image ${image}`);
  let manifest: ImageManifest;
  if (topDocument.kind === 'index') {
    indexDigest = top.digest;
    manifestDescriptor = selectManifest(topDocument.index, platform, `the image ${image}`);
    const document = parseImageDocument(
      await readBlob(manifestDescriptor, 'the manifest'),
      `the manifest of ${image}`,
    );
    if (document.kind !== 'manifest')
      throw new SizeMeasureError(`the manifest of ${image} is a nested index`);
    manifest = document.manifest;
  } else {
    manifest = topDocument.manifest;
  }
  const config = parseImageConfig(await readBlob(manifest.config, 'the config'), `the config of ${image}`);
  if (indexDigest === undefined) checkConfigPlatform(config, platform, `the image ${image}`);

  const layers: MeasuredLayer[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    const entry = blobs.get(layer.digest);
    if (entry === undefined) {
      throw new SizeMeasureError(
        `the engine's image store does not hold layer ${i + 1} (${layer.digest}) of ${image}`,
      );
    }
    if (entry.size !== layer.size) {
      throw new SizeMeasureError(
        `layer ${i + 1} of ${image} is ${entry.size} bytes in the archive, ${layer.size} in the manifest`,
      );
    }
    layers.push(await measureArchivedLayer(file, entry, layer, i, warnings));
  }
  return {
    source: 'image-store',
    ref: image,
    platform: formatPlatform(config),
    ...(indexDigest !== undefined ? { indexDigest } : {}),
    manifestDigest: manifestDescriptor.digest,
    configDigest: manifest.config.digest,
    config,
    layers,
    warnings,
  };
}

async function measureArchivedLayer(
  file: FileHandle,
  entry: TarEntry,
  layer: Descriptor,
  index: number,
  warnings: string[],
): Promise<MeasuredLayer> {
  const base = { digest: layer.digest, mediaType: layer.mediaType, compressedBytes: layer.size };
  const annotated = annotatedUncompressedSize(layer);
  if (annotated !== undefined)
    return { ...base, uncompressedBytes: annotated, uncompressedMethod: 'annotation' };
  switch (layerCompression(layer.mediaType)) {
    case 'none':
      return { ...base, uncompressedBytes: layer.size, uncompressedMethod: 'tar' };
    case 'gzip': {
      const trailer =
        layer.size >= 4
          ? uncompressedFromGzipTrailer(
              gzipTrailerSize(await readRange(file, entry.offset + layer.size - 4, 4)),
              layer.size,
            )
          : undefined;
      if (trailer !== undefined && !trailer.wrapped) {
        return { ...base, uncompressedBytes: trailer.length, uncompressedMethod: 'gzip-trailer' };
      }
      return decompressed(file, entry, zlib.createGunzip(), base, index, warnings);
    }
    case 'zstd': {
      const decompressor = zstdDecompressor();
      if (decompressor !== undefined) return decompressed(file, entry, decompressor, base, index, warnings);
      warnings.push(
        `Layer ${index + 1} is zstd-compressed and this Node.js cannot decompress zstd: its uncompressed size is unknown.`,
      );
      return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
    }
    case 'unknown':
      warnings.push(
        `Layer ${index + 1} has media type ${layer.mediaType}: its uncompressed size is unknown.`,
      );
      return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
  }
}

async function decompressed(
  file: FileHandle,
  entry: TarEntry,
  decompressor: Transform,
  base: Omit<MeasuredLayer, 'uncompressedBytes' | 'uncompressedMethod'>,
  index: number,
  warnings: string[],
): Promise<MeasuredLayer> {
  try {
    const counted = await countDecompressed(file, entry, decompressor);
    return { ...base, uncompressedBytes: counted, uncompressedMethod: 'decompressed' };
  } catch (error) {
    warnings.push(
      `Layer ${index + 1} could not be decompressed (${error instanceof Error ? error.message : String(error)}): its uncompressed size is unknown.`,
    );
    return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
  }
}

/**
 * The `rootfs.diff_ids` of an image in the engine's store (for a base image: `BaseImageLayers`), or
 * undefined when the engine does not have it. Reads metadata only.
 */
export async function readImageDiffIds(
  exec: Exec,
  image: string,
  options: MeasureOptions = {},
): Promise<readonly string[] | undefined> {
  const docker = options.docker ?? 'docker';
  const argv = [docker, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', image];
  options.onDebug?.(`size.readImageDiffIds: ${JSON.stringify(argv)}`);
  const result = await exec(argv, {
    timeoutMs: options.timeoutMs ?? INSPECT_TIMEOUT_MS,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (result.exitCode !== 0) return undefined;
  const value = JSON.parse(result.stdout) as unknown;
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'string')) return undefined;
  return value;
}

// ---- a pushed image -----------------------------------------------------------------------------------------

/**
 * Measures `ref` in its registry, for `platform`, without pulling: manifests and config through
 * `docker buildx imagetools inspect` (buildx's own registry access and credentials), gzip trailers through
 * 4-byte range requests (anonymous, or with the registry's anonymous bearer token; a registry that wants
 * credentials for them leaves the uncompressed sizes unknown, with a warning).
 */
export async function measureRegistryImage(
  exec: Exec,
  ref: string,
  platform: Platform | string,
  options: RegistryImageOptions = {},
): Promise<MeasuredImage> {
  const wanted = toPlatform(platform);
  const docker = options.docker ?? 'docker';
  const location = parseRepository(ref);
  const inspectRaw = (target: string) =>
    runDocker(
      exec,
      [docker, 'buildx', 'imagetools', 'inspect', '--raw', target],
      'measureRegistryImage',
      options,
    );

  const topText = await inspectRaw(ref);
  const topDigest = sha256Digest(topText);
  const top = parseImageDocument(topText, `the image ${ref}`);
  let indexDigest: string | undefined;
  let manifestDigest = topDigest;
  let manifest: ImageManifest;
  if (top.kind === 'index') {
    indexDigest = topDigest;
    const descriptor = selectManifest(top.index, wanted, `the image ${ref}`);
    manifestDigest = descriptor.digest;
    const text = await inspectRaw(`${location.name}@${manifestDigest}`);
    checkDigest(text, manifestDigest, `the manifest of ${ref}`);
    const document = parseImageDocument(text, `the manifest of ${ref}`);
    if (document.kind !== 'manifest') throw new SizeMeasureError(`the manifest of ${ref} is a nested index`);
    manifest = document.manifest;
  } else {
    manifest = top.manifest;
  }
  const configText = await runDocker(
    exec,
    [
      docker,
      'buildx',
      'imagetools',
      'inspect',
      '--format',
      '{{json .Image}}',
      `${location.name}@${manifestDigest}`,
    ],
    'measureRegistryImage',
    options,
  );
  const config = parseImagetoolsImage(configText, wanted, `the config of ${ref}`);
  if (indexDigest === undefined) checkConfigPlatform(config, wanted, `the image ${ref}`);

  const warnings: string[] = [];
  const blobs = new BlobTailReader(location, options);
  const layers: MeasuredLayer[] = [];
  for (const [i, layer] of manifest.layers.entries()) {
    layers.push(await measureRegistryLayer(blobs, layer, i, warnings));
  }
  if (blobs.failure !== undefined) {
    warnings.push(
      `The uncompressed sizes of ${blobs.failures} gzip ${blobs.failures === 1 ? 'layer' : 'layers'} ` +
        `are unknown: ${blobs.failure}.`,
    );
  }
  return {
    source: 'registry',
    ref,
    platform: formatPlatform(config),
    ...(indexDigest !== undefined ? { indexDigest } : {}),
    manifestDigest,
    configDigest: manifest.config.digest,
    config,
    layers,
    warnings,
  };
}

async function measureRegistryLayer(
  blobs: BlobTailReader,
  layer: Descriptor,
  index: number,
  warnings: string[],
): Promise<MeasuredLayer> {
  const base = { digest: layer.digest, mediaType: layer.mediaType, compressedBytes: layer.size };
  const unknown: MeasuredLayer = { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
  const annotated = annotatedUncompressedSize(layer);
  if (annotated !== undefined)
    return { ...base, uncompressedBytes: annotated, uncompressedMethod: 'annotation' };
  switch (layerCompression(layer.mediaType)) {
    case 'none':
      return { ...base, uncompressedBytes: layer.size, uncompressedMethod: 'tar' };
    case 'gzip': {
      if (layer.size < 4) return unknown;
      const tail = await blobs.readTail(layer.digest, layer.size, 4);
      if (tail === undefined) return unknown;
      const trailer = uncompressedFromGzipTrailer(gzipTrailerSize(tail), layer.size);
      if (trailer === undefined) {
        warnings.push(
          `Layer ${index + 1}'s gzip trailer cannot be the whole stream's (a multi-member gzip?): its uncompressed size is unknown.`,
        );
        return unknown;
      }
      if (trailer.wrapped) {
        warnings.push(
          `Layer ${index + 1}'s gzip trailer is smaller than its compressed size: taken as a layer of 4 GiB or more unpacked.`,
        );
      }
      return { ...base, uncompressedBytes: trailer.length, uncompressedMethod: 'gzip-trailer' };
    }
    case 'zstd':
      warnings.push(
        `Layer ${index + 1} is zstd-compressed: its uncompressed size is not known without downloading it.`,
      );
      return unknown;
    case 'unknown':
      warnings.push(
        `Layer ${index + 1} has media type ${layer.mediaType}: its uncompressed size is unknown.`,
      );
      return unknown;
  }
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function parseBearerChallenge(header: string): ReadonlyMap<string, string> | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (match === null) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1]!.matchAll(/([A-Za-z_]+)="([^"]*)"/g))
    params.set(part[1]!.toLowerCase(), part[2]!);
  return params;
}

/** Range reads of blob tails from one repository; remembers a token and the first failure. */
class BlobTailReader {
  failure: string | undefined;
  failures = 0;
  private token: string | undefined;
  private scheme: 'https' | 'http' | undefined;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly location: RepositoryLocation,
    private readonly options: RegistryImageOptions,
  ) {
    this.fetch = options.fetch ?? fetch;
  }

  async readTail(digest: string, size: number, count: number): Promise<Uint8Array | undefined> {
    if (this.failure !== undefined) {
      this.failures++;
      return undefined; // one failure is enough: the others would fail the same way
    }
    try {
      return await this.read(digest, size, count);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.failures++;
      return undefined;
    }
  }

  private async read(digest: string, size: number, count: number): Promise<Uint8Array> {
    const schemes: ('http' | 'https')[] =
      this.scheme !== undefined
        ? [this.scheme]
        : isLoopback(this.location.apiHost)
          ? ['http', 'https']
          : ['https'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const url = `${scheme}://${this.location.apiHost}/v2/${this.location.repository}/blobs/${digest}`;
      try {
        const bytes = await this.get(url, size, count);
        this.scheme = scheme;
        return bytes;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private async get(url: string, size: number, count: number): Promise<Uint8Array> {
    this.options.onDebug?.(`size.readBlobTail: GET ${url} bytes=${size - count}-${size - 1}`);
    let response = await this.request(url, size, count);
    if (response.status === 401 && this.token === undefined) {
      const challenge = parseBearerChallenge(response.headers.get('www-authenticate') ?? '');
      await response.body?.cancel();
      if (challenge === undefined) throw new Error(`${this.location.registry} wants credentials (HTTP 401)`);
      this.token = await this.fetchToken(challenge);
      response = await this.request(url, size, count);
    }
    if (response.status === 206) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length !== count)
        throw new Error(`${this.location.registry} answered a range read with ${bytes.length} bytes`);
      return bytes;
    }
    await response.body?.cancel();
    if (response.status === 200) throw new Error(`${this.location.registry} ignores range requests`);
    throw new Error(`${this.location.registry} answered HTTP ${response.status} for a layer`);
  }

  private request(url: string, size: number, count: number): Promise<Response> {
    const headers: Record<string, string> = { range: `bytes=${size - count}-${size - 1}` };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    return this.fetch(url, { headers, redirect: 'follow', signal: this.signal() });
  }

  private signal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.blobTimeoutMs ?? 30_000);
    return this.options.signal !== undefined ? AbortSignal.any([timeout, this.options.signal]) : timeout;
  }

  private async fetchToken(challenge: ReadonlyMap<string, string>): Promise<string> {
    const realm = challenge.get('realm');
    if (realm === undefined || !/^https?:\/\//.test(realm))
      throw new Error(`${this.location.registry} sent no token realm`);
    const url = new URL(realm);
    const service = challenge.get('service');
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', challenge.get('scope') ?? `repository:${this.location.repository}:pull`);
    this.options.onDebug?.(`size.readBlobTail: GET ${url.origin}${url.pathname} (anonymous token)`);
    const response = await this.fetch(url, { signal: this.signal() });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(
        `${this.location.registry} refused an anonymous token (HTTP ${response.status}); it wants credentials`,
      );
    }
    const body = (await response.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') throw new Error(`${this.location.registry} sent no token`);
    return token;
  }
}
