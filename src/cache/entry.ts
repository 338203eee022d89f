// A stage's cache entry on disk, and the shared OCI layout that restored entries are merged into.
//
// An entry directory is itself a valid OCI image layout holding one cache manifest:
//
//   stagecraft-entry.json   what the entry is (EntryMetadata below): schema version, key, stage, createdAt,
//                           tag, the manifest's descriptor, the blobs stored here and those it borrows
//   index.json              {"schemaVersion":2,"manifests":[<the cache manifest, ref.name = tagForKey(key)>]}
//   oci-layout              {"imageLayoutVersion":"1.0.0"}
//   blobs/sha256/<hex>      the stage's own blobs: its cache manifest, its cache config and the layers its own
//                           instructions made; the blobs of the stages it depends on live in their entries, and
//                           external base-image layers are left to the engine's image store
//
// Restoring merges each entry into one layout (blobs hard-linked or copied, stored once; each manifest added
// to index.json under its tag), then `validateLayout` drops every manifest that references an absent blob, so
// BuildKit is never handed a record it cannot load. Bad entries are reported as data, never thrown.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { StageKey } from '../keys/types.js';
import {
  cacheConfigDescriptor,
  checkManifests,
  digestHex,
  encodeOciIndex,
  findManifestByTag,
  isDigest,
  OCI_LAYOUT_CONTENT,
  OciLayoutError,
  parseCacheConfig,
  parseCacheManifest,
  parseOciIndex,
  referencedBlobs,
  refName,
  tagForKey,
  withRefName,
  type Descriptor,
  type IncompleteManifest,
  type ManifestCandidate,
  type OciIndex,
  type StageCache,
  withoutAbsentLayers,
} from './oci-layout.js';

export const ENTRY_METADATA_FILE = 'stagecraft-entry.json';
export const ENTRY_SCHEMA_VERSION = 1;

export interface EntryBlob {
  readonly digest: string;
  readonly size: number;
}

export interface EntryMetadata {
  readonly schemaVersion: typeof ENTRY_SCHEMA_VERSION;
  readonly key: string;
  readonly stage: number;
  readonly stageName: string;
  /** ISO 8601, when the entry was packed. */
  readonly createdAt: string;
  /** The manifest's `ref.name` in index.json, and the `tag=` that imports it from a shared layout. */
  readonly tag: string;
  /** The cache manifest's descriptor (media type, digest, size). */
  readonly manifest: Descriptor;
  /** Blobs stored in this entry, the manifest first. */
  readonly blobs: readonly EntryBlob[];
  /** Blobs the manifest references that live elsewhere (dependency entries, the engine's image store). */
  readonly external: readonly EntryBlob[];
  /**
   * Digests among `blobs` that are another stage's layers too (byte-identical layers), kept here so that the
   * stage's output loads without that stage's entry. The rest of `blobs` are the stage's own.
   */
  readonly shared?: readonly string[];
}

/** An entry or export that cannot be used; the message says why. */
export class EntryError extends Error {
  override readonly name = 'EntryError';
}

export function blobPath(layoutDir: string, digest: string): string {
  return path.join(layoutDir, 'blobs', 'sha256', digestHex(digest));
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new EntryError(`${what}: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'missing';
  return (error as Error).message;
}

function wrap<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof OciLayoutError) throw new EntryError(`${what}: ${error.message}`);
    throw error;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Hard-links `from` to `to`, or copies it where a link cannot be made (another file system). */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    await copyFile(from, to);
  }
}

/** Copies a directory tree, hard-linking files where it can. Returns the bytes of the files. */
export async function copyTree(from: string, to: string): Promise<number> {
  await mkdir(to, { recursive: true });
  let bytes = 0;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) bytes += await copyTree(source, target);
    else if (entry.isFile()) {
      await linkOrCopy(source, target);
      bytes += (await stat(target)).size;
    }
  }
  return bytes;
}

/** Writes a file through a temporary name and a rename, so readers never see half of it. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Total size of the regular files under `dir`. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

/** Reads a layout's index.json. */
export async function readLayoutIndex(layoutDir: string): Promise<OciIndex> {
  const text = await readText(path.join(layoutDir, 'index.json'), `${layoutDir}: index.json`);
  return wrap(`${layoutDir}: index.json`, () => parseOciIndex(text));
}

/** Reads the cache manifest and config that `descriptor` names, from a layout's blobs. */
export async function readStageCache(layoutDir: string, descriptor: Descriptor): Promise<StageCache> {
  const what = `${layoutDir}: cache manifest ${descriptor.digest}`;
  const manifestText = await readText(blobPath(layoutDir, descriptor.digest), what);
  const manifest = wrap(what, () => parseCacheManifest(manifestText, what));
  const configDescriptor = wrap(what, () => cacheConfigDescriptor(manifest));
  const configWhat = `${layoutDir}: cache config ${configDescriptor.digest}`;
  const configText = await readText(blobPath(layoutDir, configDescriptor.digest), configWhat);
  const config = wrap(configWhat, () => parseCacheConfig(configText, configWhat));
  return { descriptor, manifest, config };
}

/**
 * A stage's cache as BuildKit exported it (`--cache-to type=local,dest=<exportDir>,mode=max[,tag=<tag>]`): the
 * manifest tagged `tag`, or the only manifest when no tag is given.
 */
export async function readCacheExport(exportDir: string, tag?: string): Promise<StageCache> {
  const index = await readLayoutIndex(exportDir);
  let descriptor: Descriptor | undefined;
  if (tag !== undefined) {
    descriptor = findManifestByTag(index, tag);
    if (descriptor === undefined) throw new EntryError(`${exportDir}: no cache manifest tagged ${tag}`);
  } else if (index.manifests.length === 1) {
    descriptor = index.manifests[0];
  } else {
    throw new EntryError(`${exportDir}: expected one cache manifest, found ${index.manifests.length}`);
  }
  return readStageCache(exportDir, descriptor as Descriptor);
}

export interface PackOptions {
  /** The tag of the manifest to pack when the export holds several. */
  readonly exportTag?: string;
  /** The entry's creation time (default: now). */
  readonly now?: Date;
  /** Which of the blobs to store are another stage's layers too (see `EntryMetadata.shared`). */
  readonly shared?: Iterable<string>;
}

/**
 * Makes an entry directory for `stageKey` from a stage's cache export, holding the manifest, its config and the
 * given own blobs (digests; see `ownBlobs` in oci-layout.ts). `entryDir` must not exist or be empty.
 */
export async function packEntry(
  exportDir: string,
  stageKey: StageKey,
  ownBlobDigests: Iterable<string>,
  entryDir: string,
  options: PackOptions = {},
): Promise<EntryMetadata> {
  const cache = await readCacheExport(exportDir, options.exportTag);
  const own = new Set(ownBlobDigests);
  own.add(cache.descriptor.digest);
  own.add(cacheConfigDescriptor(cache.manifest).digest);
  const referenced = referencedBlobs(cache);
  const blobs: EntryBlob[] = [];
  const external: EntryBlob[] = [];
  await mkdir(path.join(entryDir, 'blobs', 'sha256'), { recursive: true });
  for (const descriptor of referenced) {
    if (!own.has(descriptor.digest)) {
      external.push({ digest: descriptor.digest, size: descriptor.size });
      continue;
    }
    const from = blobPath(exportDir, descriptor.digest);
    let size: number;
    try {
      size = (await stat(from)).size;
    } catch (error) {
      throw new EntryError(`${exportDir}: blob ${descriptor.digest}: ${describeFsError(error)}`);
    }
    if (descriptor.size >= 0 && size !== descriptor.size) {
      throw new EntryError(
        `${exportDir}: blob ${descriptor.digest} has ${size} bytes, its descriptor says ${descriptor.size}`,
      );
    }
    await linkOrCopy(from, blobPath(entryDir, descriptor.digest));
    blobs.push({ digest: descriptor.digest, size });
  }
  const tag = tagForKey(stageKey.key);
  const manifest: Descriptor = {
    mediaType: cache.descriptor.mediaType,
    digest: cache.descriptor.digest,
    size: cache.descriptor.size,
  };
  const metadata: EntryMetadata = {
    schemaVersion: ENTRY_SCHEMA_VERSION,
    key: stageKey.key,
    stage: stageKey.stage,
    stageName: stageKey.stageName,
    createdAt: (options.now ?? new Date()).toISOString(),
    tag,
    manifest,
    blobs,
    external,
  };
  const shared = [...new Set(options.shared ?? [])].filter((digest) =>
    blobs.some((b) => b.digest === digest),
  );
  if (shared.length > 0) (metadata as { shared?: string[] }).shared = shared;
  await writeFile(path.join(entryDir, 'oci-layout'), OCI_LAYOUT_CONTENT);
  await writeFile(path.join(entryDir, 'index.json'), encodeOciIndex([withRefName(manifest, tag)]));
  await writeFile(path.join(entryDir, ENTRY_METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}

function parseEntryBlobs(value: unknown, what: string): EntryBlob[] {
  if (!Array.isArray(value)) throw new EntryError(`${what} must be an array`);
  return value.map((blob: unknown, i) => {
    const b = blob as Partial<EntryBlob> | null;
    if (b === null || typeof b !== 'object' || !isDigest(b.digest) || typeof b.size !== 'number') {
      throw new EntryError(`${what}[${i}] must be {digest, size}`);
    }
    return { digest: b.digest, size: b.size };
  });
}

function parseDigests(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every(isDigest))
    throw new EntryError(`${what} must be an array of digests`);
  return value;
}

/** Parses and checks `stagecraft-entry.json`. */
export function parseEntryMetadata(text: string, what = ENTRY_METADATA_FILE): EntryMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EntryError(`${what}: invalid JSON (${(error as Error).message})`);
  }
  const m = value as Partial<Record<keyof EntryMetadata, unknown>> | null;
  if (m === null || typeof m !== 'object') throw new EntryError(`${what}: must be a JSON object`);
  if (m.schemaVersion !== ENTRY_SCHEMA_VERSION) {
    throw new EntryError(
      `${what}: schemaVersion ${JSON.stringify(m.schemaVersion)} is not ${ENTRY_SCHEMA_VERSION}`,
    );
  }
  const manifest = m.manifest as Partial<Descriptor> | null | undefined;
  if (
    typeof m.key !== 'string' ||
    typeof m.stage !== 'number' ||
    typeof m.stageName !== 'string' ||
    typeof m.createdAt !== 'string' ||
    typeof m.tag !== 'string' ||
    manifest === null ||
    typeof manifest !== 'object' ||
    !isDigest(manifest.digest) ||
    typeof manifest.size !== 'number' ||
    typeof manifest.mediaType !== 'string'
  ) {
    throw new EntryError(`${what}: key, stage, stageName, createdAt, tag and manifest are required`);
  }
  return {
    schemaVersion: ENTRY_SCHEMA_VERSION,
    key: m.key,
    stage: m.stage,
    stageName: m.stageName,
    createdAt: m.createdAt,
    tag: m.tag,
    manifest: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size },
    blobs: parseEntryBlobs(m.blobs, `${what}: blobs`),
    external: parseEntryBlobs(m.external ?? [], `${what}: external`),
    ...(m.shared === undefined ? {} : { shared: parseDigests(m.shared, `${what}: shared`) }),
  };
}

export async function readEntryMetadata(entryDir: string): Promise<EntryMetadata> {
  const what = `${entryDir}: ${ENTRY_METADATA_FILE}`;
  return parseEntryMetadata(await readText(path.join(entryDir, ENTRY_METADATA_FILE), what), what);
}

export type MergeResult =
  | {
      readonly ok: true;
      readonly key: string;
      readonly tag: string;
      readonly manifest: Descriptor;
      /** Bytes of the entry's blobs. */
      readonly bytes: number;
      /** Blobs that were not in the layout yet. */
      readonly added: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Creates an empty OCI layout at `layoutDir` unless one is there. */
export async function ensureLayout(layoutDir: string): Promise<void> {
  await mkdir(path.join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  const layoutFile = path.join(layoutDir, 'oci-layout');
  await writeFile(layoutFile, OCI_LAYOUT_CONTENT, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await writeFile(path.join(layoutDir, 'index.json'), encodeOciIndex([]), { flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
}

/**
 * Checks an entry (metadata, index.json, every blob's size and sha256) and merges it into the shared layout at
 * `layoutDir`: its blobs hard-linked or copied in (those already there are kept), its manifest added to
 * index.json under the entry's tag (replacing a manifest with the same tag). A bad entry changes nothing in
 * index.json and comes back as `{ok: false, reason}`.
 */
export async function mergeEntryIntoLayout(entryDir: string, layoutDir: string): Promise<MergeResult> {
  try {
    const metadata = await readEntryMetadata(entryDir);
    const index = await readLayoutIndex(entryDir);
    const only = index.manifests[0];
    if (
      index.manifests.length !== 1 ||
      only === undefined ||
      only.digest !== metadata.manifest.digest ||
      refName(only) !== metadata.tag
    ) {
      throw new EntryError(
        `index.json does not hold exactly the manifest ${metadata.manifest.digest} tagged ${metadata.tag}`,
      );
    }
    if (!metadata.blobs.some((b) => b.digest === metadata.manifest.digest)) {
      throw new EntryError(`the entry does not hold its own manifest ${metadata.manifest.digest}`);
    }
    await ensureLayout(layoutDir);
    let bytes = 0;
    let added = 0;
    for (const blob of metadata.blobs) {
      const from = blobPath(entryDir, blob.digest);
      let size: number;
      try {
        size = (await stat(from)).size;
      } catch (error) {
        throw new EntryError(`blob ${blob.digest}: ${describeFsError(error)}`);
      }
      if (size !== blob.size)
        throw new EntryError(`blob ${blob.digest} has ${size} bytes, expected ${blob.size}`);
      const actual = await sha256File(from);
      if (actual !== blob.digest) throw new EntryError(`blob ${blob.digest} has digest ${actual}`);
      bytes += size;
      const to = blobPath(layoutDir, blob.digest);
      const existing = await stat(to).catch(() => undefined);
      if (existing?.size === size) continue;
      const temp = `${to}.${randomBytes(6).toString('hex')}.tmp`;
      await linkOrCopy(from, temp);
      await rename(temp, to);
      added += 1;
    }
    const layoutIndex = await readLayoutIndex(layoutDir);
    const manifests = layoutIndex.manifests.filter((d) => refName(d) !== metadata.tag);
    manifests.push(withRefName(metadata.manifest, metadata.tag));
    await writeFileAtomic(path.join(layoutDir, 'index.json'), encodeOciIndex(manifests));
    return { ok: true, key: metadata.key, tag: metadata.tag, manifest: metadata.manifest, bytes, added };
  } catch (error) {
    if (error instanceof EntryError) return { ok: false, reason: error.message };
    return { ok: false, reason: `${(error as Error).message}` };
  }
}

export interface KeptManifest {
  readonly tag?: string;
  readonly digest: string;
}

/** A manifest rewritten without the layers whose blobs are absent (see `withoutAbsentLayers`). */
export interface PrunedManifest {
  readonly tag?: string;
  /** The rewritten manifest's digest (index.json now names it). */
  readonly digest: string;
  /** The absent blobs, in reference order. */
  readonly absent: readonly string[];
}

export interface LayoutValidation {
  /** Manifests left in index.json (pruned ones with their new digest). */
  readonly kept: readonly KeptManifest[];
  /** Kept manifests that lost the descriptors of absent blobs: BuildKit skips the results that needed them. */
  readonly pruned: readonly PrunedManifest[];
  /** Manifests removed from index.json: unreadable, or their manifest or cache config blob is absent. */
  readonly dropped: readonly IncompleteManifest[];
  /** Set when index.json itself was unreadable; it is then replaced by an empty one. */
  readonly error?: string;
}

export interface ValidateOptions {
  /**
   * Layers of external images that the builder reads from its own image store (compressed digests or diff
   * IDs): they count as present.
   */
  readonly external?: ReadonlySet<string>;
}

/** The sha256 blobs a layout holds. */
export async function presentBlobs(layoutDir: string): Promise<Set<string>> {
  const present = new Set<string>();
  const names = await readdir(path.join(layoutDir, 'blobs', 'sha256')).catch(() => [] as string[]);
  for (const name of names) {
    if (/^[0-9a-f]{64}$/.test(name)) present.add(`sha256:${name}`);
  }
  return present;
}

/**
 * Makes the layout safe to hand to BuildKit: every manifest that references an absent layer blob is rewritten
 * without it (BuildKit then skips the results that needed it, instead of failing the build on them), and a
 * manifest that cannot be read, or whose cache config is absent, is removed from index.json.
 */
export async function validateLayout(
  layoutDir: string,
  options: ValidateOptions = {},
): Promise<LayoutValidation> {
  let index: OciIndex;
  try {
    index = await readLayoutIndex(layoutDir);
  } catch (error) {
    await ensureLayout(layoutDir);
    await writeFileAtomic(path.join(layoutDir, 'index.json'), encodeOciIndex([]));
    return {
      kept: [],
      pruned: [],
      dropped: [],
      error: `index.json is unreadable: ${(error as Error).message}`,
    };
  }
  const present = await presentBlobs(layoutDir);
  const candidates: ManifestCandidate[] = [];
  for (const descriptor of index.manifests) {
    try {
      const cache = await readStageCache(layoutDir, descriptor);
      candidates.push(
        cache.config === undefined
          ? { descriptor, manifest: cache.manifest }
          : { descriptor, manifest: cache.manifest, config: cache.config },
      );
    } catch (error) {
      candidates.push({ descriptor, error: (error as Error).message });
    }
  }
  const check = checkManifests(candidates, present, options.external);
  const manifests: Descriptor[] = [...check.complete];
  const pruned: PrunedManifest[] = [];
  const dropped: IncompleteManifest[] = [];
  for (const incomplete of check.incomplete) {
    const candidate = candidates.find((c) => c.descriptor === incomplete.descriptor)!;
    const rewritten =
      candidate.manifest === undefined || candidate.config === undefined
        ? undefined
        : await pruneManifest(layoutDir, candidate.descriptor, new Set(incomplete.missing));
    if (rewritten === undefined) {
      dropped.push(incomplete);
      continue;
    }
    manifests.push(rewritten);
    // Absent blobs that only the config names (an earlier pruning left them): BuildKit skips those already.
    if (rewritten === candidate.descriptor) continue;
    const tag = refName(rewritten);
    pruned.push({
      ...(tag === undefined ? {} : { tag }),
      digest: rewritten.digest,
      absent: incomplete.missing,
    });
  }
  if (pruned.length > 0 || dropped.length > 0) {
    // Keep index order, so that BuildKit sees the caches in the order they were merged.
    const order = new Map(index.manifests.map((d, i) => [refName(d) ?? d.digest, i]));
    manifests.sort(
      (a, b) => (order.get(refName(a) ?? a.digest) ?? 0) - (order.get(refName(b) ?? b.digest) ?? 0),
    );
    await writeFileAtomic(path.join(layoutDir, 'index.json'), encodeOciIndex(manifests));
  }
  const kept = manifests.map((d): KeptManifest => {
    const tag = refName(d);
    return tag === undefined ? { digest: d.digest } : { tag, digest: d.digest };
  });
  return { kept, pruned, dropped };
}

/**
 * Writes the manifest without the absent layers as a new blob and returns its descriptor (ref name kept), or
 * undefined when the manifest or its config itself is absent (nothing left to keep).
 */
async function pruneManifest(
  layoutDir: string,
  descriptor: Descriptor,
  absent: ReadonlySet<string>,
): Promise<Descriptor | undefined> {
  if (absent.has(descriptor.digest)) return undefined;
  const text = await readFile(blobPath(layoutDir, descriptor.digest), 'utf8');
  const manifest = parseCacheManifest(text);
  if (absent.has(cacheConfigDescriptor(manifest).digest)) return undefined;
  const rewritten = withoutAbsentLayers(text, absent);
  if (rewritten === undefined) return descriptor;
  const bytes = Buffer.from(rewritten);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await writeFileAtomic(blobPath(layoutDir, digest), bytes);
  return { ...descriptor, digest, size: bytes.length };
}

/** Removes a directory tree; a missing one is fine. */
export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
