// The stored drift document, pure: encoded as pretty JSON, read back with every field checked. Anything that is
// not a whole document of this kind and version is refused with the reason, so a damaged or foreign entry reads
// as "no previous run", never as digests.
//
//   {
//     "kind": "stagecraft-drift",
//     "version": 1,
//     "createdAt": "2025-06-02T03:00:00.000Z",
//     "target": "runtime",
//     "platform": "linux/amd64",
//     "run": "9876543210",                                   (optional)
//     "commit": "0123…",                                     (optional)
//     "images": [{"image": "localhost:5000/base:1", "platform": "linux/amd64",
//                 "digest": "sha256:…", "indexDigest": "sha256:…"}],
//     "stages": [{"name": "deps", "key": "stagecraft-v1-…", "baseKey": "stagecraft-v1-…",
//                 "builtAt": "2025-06-02T03:00:00.000Z", "refreshedKey": "stagecraft-v1-…"}],
//     "size": {"compressedBytes": 1234, "uncompressedBytes": 5678}             (optional)
//   }
import {
  DRIFT_DOCUMENT_KIND,
  DRIFT_DOCUMENT_VERSION,
  type DriftDocument,
  type DriftImageRecord,
  type DriftSize,
  type DriftStageRecord,
} from './types.js';

export type ParsedDriftDocument =
  { readonly ok: true; readonly document: DriftDocument } | { readonly ok: false; readonly reason: string };

/** The document as stored: pretty JSON with a final newline, fields in a fixed order. */
export function encodeDriftDocument(document: DriftDocument): string {
  const ordered = {
    kind: document.kind,
    version: document.version,
    createdAt: document.createdAt,
    target: document.target,
    platform: document.platform,
    run: document.run,
    commit: document.commit,
    images: document.images.map((record) => ({
      image: record.image,
      platform: record.platform,
      digest: record.digest,
      indexDigest: record.indexDigest,
    })),
    stages: document.stages.map((record) => ({
      name: record.name,
      key: record.key,
      baseKey: record.baseKey,
      builtAt: record.builtAt,
      refreshedKey: record.refreshedKey,
    })),
    size:
      document.size === undefined
        ? undefined
        : {
            compressedBytes: document.size.compressedBytes,
            uncompressedBytes: document.size.uncompressedBytes,
          },
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path} ${what}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'is not an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'is not a list');
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') fail(path, 'is not a non-empty string');
  return value;
}

function optionalText(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, path);
}

function digest(value: unknown, path: string): string {
  const d = text(value, path);
  if (!/^sha256:[0-9a-f]{64}$/.test(d)) fail(path, 'is not a sha256 digest');
  return d;
}

function time(value: unknown, path: string): string {
  const t = text(value, path);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t) || Number.isNaN(Date.parse(t))) fail(path, 'is not an ISO 8601 time');
  return t;
}

function bytes(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(path, 'is not a whole number of bytes');
  return value;
}

function imageRecord(value: unknown, path: string): DriftImageRecord {
  const o = object(value, path);
  const indexDigest = o.indexDigest === undefined ? undefined : digest(o.indexDigest, `${path}.indexDigest`);
  return {
    image: text(o.image, `${path}.image`),
    platform: text(o.platform, `${path}.platform`),
    digest: digest(o.digest, `${path}.digest`),
    ...(indexDigest === undefined ? {} : { indexDigest }),
  };
}

function stageRecord(value: unknown, path: string): DriftStageRecord {
  const o = object(value, path);
  const baseKey = optionalText(o.baseKey, `${path}.baseKey`);
  const builtAt = o.builtAt === undefined ? undefined : time(o.builtAt, `${path}.builtAt`);
  const refreshedKey = optionalText(o.refreshedKey, `${path}.refreshedKey`);
  return {
    name: text(o.name, `${path}.name`),
    key: text(o.key, `${path}.key`),
    ...(baseKey === undefined ? {} : { baseKey }),
    ...(builtAt === undefined ? {} : { builtAt }),
    ...(refreshedKey === undefined ? {} : { refreshedKey }),
  };
}

function size(value: unknown, path: string): DriftSize {
  const o = object(value, path);
  const uncompressed =
    o.uncompressedBytes === undefined ? undefined : bytes(o.uncompressedBytes, `${path}.uncompressedBytes`);
  return {
    compressedBytes: bytes(o.compressedBytes, `${path}.compressedBytes`),
    ...(uncompressed === undefined ? {} : { uncompressedBytes: uncompressed }),
  };
}

/** A parsed JSON value → a document, or why it is not one. */
export function parseDriftDocument(value: unknown): ParsedDriftDocument {
  try {
    const o = object(value, 'the document');
    if (o.kind !== DRIFT_DOCUMENT_KIND) fail('kind', `is not ${JSON.stringify(DRIFT_DOCUMENT_KIND)}`);
    if (o.version !== DRIFT_DOCUMENT_VERSION) {
      fail(
        'version',
        `is ${JSON.stringify(o.version)}, not ${DRIFT_DOCUMENT_VERSION} (written by another stagecraft version)`,
      );
    }
    const images = array(o.images, 'images').map((record, i) => imageRecord(record, `images[${i}]`));
    const seenImages = new Set<string>();
    for (const [i, record] of images.entries()) {
      const id = `${record.image}\n${record.platform}`;
      if (seenImages.has(id)) fail(`images[${i}]`, `repeats ${record.image} (${record.platform})`);
      seenImages.add(id);
    }
    const stages = array(o.stages, 'stages').map((record, i) => stageRecord(record, `stages[${i}]`));
    const seenStages = new Set<string>();
    for (const [i, record] of stages.entries()) {
      if (seenStages.has(record.name)) fail(`stages[${i}]`, `repeats the stage ${record.name}`);
      seenStages.add(record.name);
    }
    const run = optionalText(o.run, 'run');
    const commit = optionalText(o.commit, 'commit');
    return {
      ok: true,
      document: {
        kind: DRIFT_DOCUMENT_KIND,
        version: DRIFT_DOCUMENT_VERSION,
        createdAt: time(o.createdAt, 'createdAt'),
        target: text(o.target, 'target'),
        platform: text(o.platform, 'platform'),
        ...(run === undefined ? {} : { run }),
        ...(commit === undefined ? {} : { commit }),
        images,
        stages,
        ...(o.size === undefined || o.size === null ? {} : { size: size(o.size, 'size') }),
      },
    };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Stored text → a document, or why it is not one (not JSON included). */
export function parseDriftDocumentJson(json: string): ParsedDriftDocument {
  let value: unknown;
  try {
    value = JSON.parse(json) as unknown;
  } catch (error) {
    return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  return parseDriftDocument(value);
}
