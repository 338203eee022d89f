// Stored reports read back: a whole, consistent report of schema version 1, or a reason.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseImageConfig, parseImageDocument, type MeasuredImage } from './image.js';
import { buildSizeReport } from './layers.js';
import { encodeSizeReport, parseSizeReport, parseSizeReportJson } from './schema.js';
import type { SizeReport } from './types.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string) => readFileSync(path.join(testdata, name), 'utf8');

function sampleReport(): SizeReport {
  const document = parseImageDocument(fixture('manifest-two-stages-buildkit-0.13.json'), 'manifest');
  if (document.kind !== 'manifest') throw new Error('not a manifest');
  const image: MeasuredImage = {
    source: 'registry',
    ref: 'localhost:5000/app:1',
    platform: 'linux/amd64',
    indexDigest: 'sha256:' + '2'.repeat(64),
    manifestDigest: 'sha256:' + '1'.repeat(64),
    configDigest: document.manifest.config.digest,
    config: parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config'),
    layers: document.manifest.layers.map((l) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      compressedBytes: l.size,
      uncompressedBytes: l.size * 2,
      uncompressedMethod: 'gzip-trailer',
    })),
    warnings: ['a warning'],
  };
  return buildSizeReport({
    image,
    target: 'final',
    commit: 'c'.repeat(40),
    createdAt: '2026-12-01T15:00:00.000Z',
  });
}

type Mutable = Record<string, unknown> & { layers: Record<string, unknown>[] };

function mutated(change: (report: Mutable) => void): unknown {
  const copy = JSON.parse(JSON.stringify(sampleReport())) as Mutable;
  change(copy);
  return copy;
}

describe('stored reports', () => {
  test('a report survives encoding and parsing unchanged', () => {
    const report = sampleReport();
    const text = encodeSizeReport(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSizeReportJson(text)).toEqual({ ok: true, report });
  });

  test('a report written before the optional fields (source, warnings, media types) still reads', () => {
    const old = mutated((r) => {
      delete r.source;
      delete r.uncompressedComplete;
      delete r.warnings;
      for (const layer of r.layers) {
        delete layer.mediaType;
        delete layer.diffId;
        delete layer.uncompressedMethod;
      }
    });
    const parsed = parseSizeReport(old);
    expect(parsed.ok).toBe(true);
  });

  // prettier-ignore
  test.each([
    ['another schema version', (r: Mutable) => { r.schemaVersion = 2; }, 'the report has schema version 2, this stagecraft reads 1'],
    ['no schema version', (r: Mutable) => { delete r.schemaVersion; }, 'the report has schema version undefined, this stagecraft reads 1'],
    ['a negative size', (r: Mutable) => { r.compressedBytes = -1; }, 'the report is invalid: compressedBytes is not a whole number of bytes'],
    ['a fractional size', (r: Mutable) => { r.layers[0]!.uncompressedBytes = 1.5; }, 'the report is invalid: layers[0].uncompressedBytes is not a whole number of bytes'],
    ['a size as a string', (r: Mutable) => { r.uncompressedBytes = '5'; }, 'the report is invalid: uncompressedBytes is not a whole number of bytes'],
    ['a total that is not the sum', (r: Mutable) => { r.compressedBytes = (r.compressedBytes as number) + 1; }, "the report is invalid: compressedBytes is not the sum of the layers'"],
    ['an empty layer with a digest', (r: Mutable) => { r.layers[1]!.digest = 'sha256:' + '0'.repeat(64); }, 'the report is invalid: layers[1].digest must be null exactly for an empty layer'],
    ['a layer out of place', (r: Mutable) => { r.layers[2]!.index = 5; }, 'the report is invalid: layers[2].index is not 2'],
    ['an unknown origin', (r: Mutable) => { r.layers[0]!.origin = { kind: 'mystery' }; }, 'the report is invalid: layers[0].origin.kind is neither "base" nor "stage"'],
    ['a stage origin without a line', (r: Mutable) => { r.layers[0]!.origin = { kind: 'stage', stage: 'a', line: 0, instruction: 'RUN x' }; }, 'the report is invalid: layers[0].origin.line is not a line number'],
    ['no layers', (r: Mutable) => { delete (r as Record<string, unknown>).layers; }, 'the report is invalid: layers is not a list'],
    ['a bad time', (r: Mutable) => { r.createdAt = 'yesterday'; }, 'the report is invalid: createdAt is not a time'],
    ['an unknown method', (r: Mutable) => { r.layers[0]!.uncompressedMethod = 'guessed'; }, 'the report is invalid: layers[0].uncompressedMethod is not a known method'],
    ['warnings that are not strings', (r: Mutable) => { r.warnings = [1]; }, 'the report is invalid: warnings is not a list of strings'],
  ])('%s is refused', (_name, change, reason) => {
    expect(parseSizeReport(mutated(change))).toEqual({ ok: false, reason });
  });

  test('text that is not JSON, and JSON that is not an object', () => {
    expect(parseSizeReportJson('{"schemaVersion": 1,')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the report is not JSON: /),
    });
    expect(parseSizeReportJson('[]')).toEqual({
      ok: false,
      reason: 'the report is invalid: the report is not an object',
    });
    expect(parseSizeReportJson('null')).toEqual({
      ok: false,
      reason: 'the report is invalid: the report is not an object',
    });
  });
});
