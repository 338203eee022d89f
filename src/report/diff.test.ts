import { describe, expect, test } from '@jest/globals';
import type { LayerOrigin, SizeReport, SizeReportLayer } from '../size/types.js';
import { computeSizeDiff, hasSizeChanged, sizeDelta } from './diff.js';

type Spec = [origin: LayerOrigin, compressed: number, empty?: boolean];

function report(specs: readonly Spec[]): SizeReport {
  const layers: SizeReportLayer[] = specs.map(([origin, compressed, empty = false], index) => ({
    index,
    digest: empty ? null : `sha256:${index}-${compressed}`,
    compressedBytes: compressed,
    uncompressedBytes: compressed * 2,
    createdBy: origin.kind === 'stage' ? origin.instruction : `base layer ${index}`,
    emptyLayer: empty,
    origin,
  }));
  return {
    schemaVersion: 1,
    target: 'app',
    platform: 'linux/amd64',
    createdAt: '2025-06-01T00:00:00.000Z',
    image: {},
    compressedBytes: layers.reduce((sum, layer) => sum + layer.compressedBytes, 0),
    uncompressedBytes: layers.reduce((sum, layer) => sum + layer.uncompressedBytes, 0),
    layers,
  };
}

const base: LayerOrigin = { kind: 'base' };
const at = (stage: string, line: number, instruction: string): LayerOrigin => ({
  kind: 'stage',
  stage,
  line,
  instruction,
});

/** `status instruction` per change, for compact expectations. */
function summary(current: SizeReport, baseline: SizeReport): string[] {
  return computeSizeDiff(current, baseline).layers.map((change) => {
    const layer = change.status === 'vanished' ? change.baseline : change.current;
    const text = layer.origin.kind === 'stage' ? layer.origin.instruction : 'base';
    return `${change.status} ${text}`;
  });
}

describe('computeSizeDiff', () => {
  test('totals, deltas and layer count (empty layers are not layers)', () => {
    const before = report([
      [base, 1000],
      [at('app', 3, 'ENV A=1'), 0, true],
      [at('app', 4, 'RUN make'), 500],
    ]);
    const after = report([
      [base, 1000],
      [at('app', 4, 'RUN make'), 750],
      [at('app', 5, 'RUN strip'), 250],
    ]);
    const diff = computeSizeDiff(after, before);
    expect(diff.baseline).toEqual({ compressedBytes: 1500, uncompressedBytes: 3000, layerCount: 2 });
    expect(diff.current).toEqual({ compressedBytes: 2000, uncompressedBytes: 4000, layerCount: 3 });
    expect(diff.delta).toEqual({
      compressed: { change: 500, percent: (500 / 1500) * 100 },
      uncompressed: { change: 1000, percent: (1000 / 3000) * 100 },
      layerCount: { change: 1, percent: 50 },
    });
    expect(summary(after, before)).toEqual(['unchanged base', 'grew RUN make', 'appeared RUN strip']);
  });

  test('matches by stage and instruction text first, whatever moved around them', () => {
    const before = report([
      [at('app', 2, 'COPY . .'), 100],
      [at('app', 3, 'RUN  npm   ci'), 200],
      [at('app', 4, 'RUN npm run build'), 300],
    ]);
    const after = report([
      [at('app', 2, 'RUN apk add git'), 50],
      [at('app', 3, 'COPY . .'), 100],
      [at('app', 4, 'RUN npm ci'), 150],
      [at('app', 5, 'RUN npm run build'), 300],
    ]);
    expect(summary(after, before)).toEqual([
      'appeared RUN apk add git',
      'unchanged COPY . .',
      'shrank RUN npm ci',
      'unchanged RUN npm run build',
    ]);
  });

  test('then by position within the stage, for the same instruction keyword', () => {
    const before = report([
      [at('app', 2, 'RUN apt-get install -y curl'), 100],
      [at('app', 3, 'COPY assets/ /assets/'), 100],
    ]);
    const after = report([
      [at('app', 2, 'RUN apt-get install -y curl git'), 300],
      [at('app', 3, 'RUN adduser app'), 10],
    ]);
    expect(summary(after, before)).toEqual([
      'grew RUN apt-get install -y curl git',
      'appeared RUN adduser app',
      'vanished COPY assets/ /assets/',
    ]);
  });

  test('a new base image pairs its layers by position', () => {
    const before = report([
      [base, 1000],
      [base, 500],
      [at('app', 2, 'RUN x'), 1],
    ]);
    const after = report([
      [base, 900],
      [base, 700],
      [base, 5],
      [at('app', 2, 'RUN x'), 1],
    ]);
    const diff = computeSizeDiff(after, before);
    expect(diff.layers.map((change) => change.status)).toEqual(['shrank', 'grew', 'appeared', 'unchanged']);
    const first = diff.layers[0]!;
    expect(first.status === 'shrank' && first.digestChanged).toBe(true);
  });

  test('stage names match case-insensitively; repeated instructions pair in order', () => {
    const before = report([
      [at('Build', 2, 'RUN make'), 10],
      [at('Build', 3, 'RUN make'), 20],
    ]);
    const after = report([
      [at('build', 2, 'RUN make'), 10],
      [at('build', 3, 'RUN make'), 25],
    ]);
    expect(summary(after, before)).toEqual(['unchanged RUN make', 'grew RUN make']);
  });

  test('a layer in another stage is never paired by position', () => {
    const before = report([[at('a', 2, 'RUN x'), 10]]);
    const after = report([[at('b', 2, 'RUN y'), 10]]);
    expect(summary(after, before)).toEqual(['appeared RUN y', 'vanished RUN x']);
  });

  test('same compressed size, different uncompressed: the direction comes from uncompressed', () => {
    const before = report([[at('a', 2, 'RUN x'), 10]]);
    const after: SizeReport = {
      ...before,
      layers: [{ ...before.layers[0]!, uncompressedBytes: 99, digest: 'sha256:other' }],
    };
    const change = computeSizeDiff(after, before).layers[0]!;
    expect(change).toMatchObject({
      status: 'grew',
      compressedDelta: 0,
      uncompressedDelta: 79,
      digestChanged: true,
    });
  });

  test('no baseline: no deltas, no layer changes', () => {
    const current = report([[base, 1000]]);
    expect(computeSizeDiff(current, undefined)).toEqual({
      current: { compressedBytes: 1000, uncompressedBytes: 2000, layerCount: 1 },
      baseline: undefined,
      delta: undefined,
      layers: [],
    });
  });
});

describe('hasSizeChanged', () => {
  const before = report([[base, 100_000]]);
  test.each([
    [100_100, 0.1, false],
    [100_101, 0.1, true],
    [99_899, 0.1, true],
    [100_000, 0, false],
    [100_001, 0, true],
  ])('%d bytes against 100,000 with threshold %d%%: %s', (bytes, threshold, expected) => {
    const after = report([[base, bytes]]);
    expect(hasSizeChanged(computeSizeDiff(after, before), threshold)).toBe(expected);
  });

  test('without a baseline nothing moved; from 0 bytes anything did', () => {
    expect(hasSizeChanged(computeSizeDiff(before, undefined), 0.1)).toBe(false);
    expect(hasSizeChanged(computeSizeDiff(before, report([])), 0.1)).toBe(true);
    expect(sizeDelta(0, 0)).toEqual({ change: 0, percent: undefined });
  });
});
