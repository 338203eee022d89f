// Reading a stored size report back, pure: anything that is not a whole, consistent report of this schema
// version is refused with the reason, so a damaged or foreign baseline reads as "no baseline", never as numbers.
import type { LayerOrigin, SizeReport, SizeReportLayer, UncompressedMethod } from './types.js';
import { SIZE_REPORT_SCHEMA_VERSION } from './types.js';

export type ParsedSizeReport =
  { readonly ok: true; readonly report: SizeReport } | { readonly ok: false; readonly reason: string };

/** The report as stored: pretty JSON with a final newline. */
export function encodeSizeReport(report: SizeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

class Invalid extends Error {}

function fail(path: string, what: string): never {
  throw new Invalid(`${path} ${what}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'is not an object');
  return value as Record<string, unknown>;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'is not a string');
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function bytes(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(path, 'is not a whole number of bytes');
  }
  return value;
}

const METHODS: ReadonlySet<string> = new Set<UncompressedMethod>([
  'tar',
  'gzip-trailer',
  'decompressed',
  'annotation',
  'unknown',
]);

function origin(value: unknown, path: string): LayerOrigin {
  const o = object(value, path);
  if (o.kind === 'base') return { kind: 'base' };
  if (o.kind !== 'stage') fail(`${path}.kind`, 'is neither "base" nor "stage"');
  const line = o.line;
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1)
    fail(`${path}.line`, 'is not a line number');
  return {
    kind: 'stage',
    stage: string(o.stage, `${path}.stage`),
    line,
    instruction: string(o.instruction, `${path}.instruction`),
  };
}

function layer(value: unknown, path: string, position: number): SizeReportLayer {
  const l = object(value, path);
  if (l.index !== position) fail(`${path}.index`, `is not ${position}`);
  const emptyLayer = l.emptyLayer;
  if (typeof emptyLayer !== 'boolean') fail(`${path}.emptyLayer`, 'is not a boolean');
  const digest = l.digest === null ? null : string(l.digest, `${path}.digest`);
  if (digest !== null && !/^sha256:[0-9a-f]{64}$/.test(digest))
    fail(`${path}.digest`, 'is not a sha256 digest');
  if (emptyLayer !== (digest === null)) fail(`${path}.digest`, 'must be null exactly for an empty layer');
  const compressedBytes = bytes(l.compressedBytes, `${path}.compressedBytes`);
  const uncompressedBytes = bytes(l.uncompressedBytes, `${path}.uncompressedBytes`);
  if (emptyLayer && (compressedBytes !== 0 || uncompressedBytes !== 0))
    fail(path, 'is an empty layer with bytes');
  const mediaType = optionalString(l.mediaType, `${path}.mediaType`);
  const diffId = optionalString(l.diffId, `${path}.diffId`);
  const method = optionalString(l.uncompressedMethod, `${path}.uncompressedMethod`);
  if (method !== undefined && !METHODS.has(method))
    fail(`${path}.uncompressedMethod`, 'is not a known method');
  return {
    index: position,
    digest,
    compressedBytes,
    uncompressedBytes,
    createdBy: string(l.createdBy, `${path}.createdBy`),
    emptyLayer,
    origin: origin(l.origin, `${path}.origin`),
    ...(mediaType !== undefined ? { mediaType } : {}),
    ...(diffId !== undefined ? { diffId } : {}),
    ...(method !== undefined ? { uncompressedMethod: method as UncompressedMethod } : {}),
  };
}

/** Validates a parsed JSON value as a `SizeReport` of the current schema version. */
export function parseSizeReport(value: unknown): ParsedSizeReport {
  try {
    const r = object(value, 'the report');
    if (r.schemaVersion !== SIZE_REPORT_SCHEMA_VERSION) {
      return {
        ok: false,
        reason: `the report has schema version ${JSON.stringify(r.schemaVersion)}, this stagecraft reads ${SIZE_REPORT_SCHEMA_VERSION}`,
      };
    }
    const image = object(r.image, 'image');
    const layersValue = r.layers;
    if (!Array.isArray(layersValue)) fail('layers', 'is not a list');
    const layers = layersValue.map((l, i) => layer(l, `layers[${i}]`, i));
    const compressedBytes = bytes(r.compressedBytes, 'compressedBytes');
    const uncompressedBytes = bytes(r.uncompressedBytes, 'uncompressedBytes');
    const layerSum = (pick: (l: SizeReportLayer) => number) => layers.reduce((a, l) => a + pick(l), 0);
    if (layerSum((l) => l.compressedBytes) !== compressedBytes)
      fail('compressedBytes', "is not the sum of the layers'");
    if (layerSum((l) => l.uncompressedBytes) !== uncompressedBytes) {
      fail('uncompressedBytes', "is not the sum of the layers'");
    }
    const createdAt = string(r.createdAt, 'createdAt');
    if (Number.isNaN(Date.parse(createdAt))) fail('createdAt', 'is not a time');
    const source = optionalString(r.source, 'source');
    if (source !== undefined && source !== 'image-store' && source !== 'registry')
      fail('source', 'is not known');
    const complete = r.uncompressedComplete;
    if (complete !== undefined && typeof complete !== 'boolean')
      fail('uncompressedComplete', 'is not a boolean');
    const warnings = r.warnings;
    if (
      warnings !== undefined &&
      !(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'))
    ) {
      fail('warnings', 'is not a list of strings');
    }
    const commit = optionalString(r.commit, 'commit');
    const ref = optionalString(r.ref, 'ref');
    const imageRef = optionalString(image.ref, 'image.ref');
    const digest = optionalString(image.digest, 'image.digest');
    const configDigest = optionalString(image.configDigest, 'image.configDigest');
    const indexDigest = optionalString(image.indexDigest, 'image.indexDigest');
    const report: SizeReport = {
      schemaVersion: SIZE_REPORT_SCHEMA_VERSION,
      target: string(r.target, 'target'),
      platform: string(r.platform, 'platform'),
      ...(commit !== undefined ? { commit } : {}),
      ...(ref !== undefined ? { ref } : {}),
      createdAt,
      image: {
        ...(imageRef !== undefined ? { ref: imageRef } : {}),
        ...(digest !== undefined ? { digest } : {}),
        ...(configDigest !== undefined ? { configDigest } : {}),
        ...(indexDigest !== undefined ? { indexDigest } : {}),
      },
      compressedBytes,
      uncompressedBytes,
      layers,
      ...(source !== undefined ? { source: source as 'image-store' | 'registry' } : {}),
      ...(typeof complete === 'boolean' ? { uncompressedComplete: complete } : {}),
      ...(warnings !== undefined ? { warnings: warnings as string[] } : {}),
    };
    return { ok: true, report };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: `the report is invalid: ${error.message}` };
    throw error;
  }
}

/** `parseSizeReport` over text. */
export function parseSizeReportJson(text: string): ParsedSizeReport {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return {
      ok: false,
      reason: `the report is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return parseSizeReport(value);
}
