// layers.ts on configs and manifests recorded from this machine's BuildKit 0.13 (testdata/record.sh), with
// the stage chains planned from the Dockerfiles they were built from.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseDockerfile } from '../dockerfile/index.js';
import { planStages } from '../plan/index.js';
import { parseStages } from '../stages/index.js';
import {
  parseImageConfig,
  parseImageDocument,
  parseImagetoolsImage,
  type ImageConfig,
  type MeasuredImage,
  type MeasuredLayer,
} from './image.js';
import {
  buildSizeReport,
  expectedHistory,
  historyKeyword,
  mapHistory,
  resolveStageChain,
  type StageChain,
} from './layers.js';
import type { LayerOrigin } from './types.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string) => readFileSync(path.join(testdata, name), 'utf8');
const AMD64 = { os: 'linux', architecture: 'amd64' } as const;
const CREATED = '2026-12-01T15:00:00.000Z';

function chainFor(dir: string, target?: string): StageChain {
  const staged = parseStages(parseDockerfile(readFileSync(path.join(testdata, dir, 'Dockerfile'))));
  const plan = planStages(staged, {
    target,
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: AMD64,
    buildPlatform: AMD64,
  });
  return resolveStageChain(plan, staged);
}

interface RecordedLayer {
  readonly digest: string;
  readonly decompressed: number;
}
const decompressed = new Map(
  (JSON.parse(fixture('layer-sizes-two-stages-containerd-26.1.json')) as RecordedLayer[]).map((l) => [
    l.digest,
    l.decompressed,
  ]),
);

/** A measured image from a recorded manifest and config; unpacked sizes from the recording where known. */
function measured(
  manifestFile: string,
  config: ImageConfig | string,
  overrides: Partial<MeasuredImage> = {},
): MeasuredImage {
  const document = parseImageDocument(fixture(manifestFile), manifestFile);
  if (document.kind !== 'manifest') throw new Error('not a manifest');
  const layers: MeasuredLayer[] = document.manifest.layers.map((l) => ({
    digest: l.digest,
    mediaType: l.mediaType,
    compressedBytes: l.size,
    uncompressedBytes: decompressed.get(l.digest) ?? l.size * 10,
    uncompressedMethod: 'gzip-trailer',
  }));
  return {
    source: 'image-store',
    ref: 'stagecraft-size-record:test',
    platform: 'linux/amd64',
    manifestDigest: 'sha256:' + '1'.repeat(64),
    configDigest: document.manifest.config.digest,
    config: typeof config === 'string' ? parseImageConfig(fixture(config), config) : config,
    layers,
    warnings: [],
    ...overrides,
  };
}

const stage = (name: string, line: number, instruction: string): LayerOrigin => ({
  kind: 'stage',
  stage: name,
  line,
  instruction,
});

describe('the stage chain', () => {
  test('from the target down its FROM chain, root first; a COPY --from stage is not in it', () => {
    const chain = chainFor('every-instruction');
    expect(chain.stages.map((s) => s.name)).toEqual(['base', 'final']);
    expect(chain.base).toEqual({ image: 'stagecraft-test/busybox:1' });
    expect(chainFor('every-instruction', 'other').base).toEqual({ image: 'scratch' });
  });

  test('expected history: every instruction but ONBUILD, with a layer for RUN, COPY, ADD and WORKDIR but /', () => {
    const entries = expectedHistory(chainFor('onbuild'));
    expect(entries.map((e) => [e.keyword, e.stage, e.line, e.createsLayer])).toEqual([
      ['RUN', 'parent', 4, true],
      ['RUN', 'parent', 3, true], // parent's ONBUILD trigger, run at the start of child
      ['WORKDIR', 'child', 7, false],
      ['RUN', 'child', 8, true],
    ]);
  });
});

describe('created_by keywords', () => {
  // prettier-ignore
  test.each([
    ['RUN |1 NONCE=x /bin/sh -c head -c 1 > /a # buildkit', 'RUN'],
    ['COPY --chown=1:1 --chmod=644 a.txt dir/ /dst/ # buildkit', 'COPY'],
    ['WORKDIR /app', 'WORKDIR'],
    ['HEALTHCHECK &{["CMD-SHELL" "true"] "0s" "0s" "0s" "0s" \'\\x00\'}', 'HEALTHCHECK'],
    ['/bin/sh -c #(nop)  ENV PATH=/usr/local/bin', 'ENV'],
    ['/bin/sh -c #(nop) ADD file:abc in / ', 'ADD'],
    ['/bin/sh -c apt-get update', 'RUN'],
    ['|2 A=1 B=2 /bin/sh -c make', 'RUN'],
    ['', ''],
    ['Imported from -', ''],
  ])('%j → %j', (createdBy, keyword) => {
    expect(historyKeyword(createdBy)).toBe(keyword);
  });
});

describe('size reports', () => {
  test('two stages: base layer, then each instruction at its stage and line; totals are the layer sums', () => {
    const image = measured('manifest-two-stages-buildkit-0.13.json', 'config-two-stages-buildkit-0.13.json');
    const report = buildSizeReport({
      image,
      chain: chainFor('two-stages'),
      commit: 'a'.repeat(40),
      ref: 'refs/heads/main',
      createdAt: CREATED,
    });
    expect(report.target).toBe('final');
    expect(report.warnings).toBeUndefined();
    expect(report.layers.map((l) => [l.index, l.emptyLayer, l.origin])).toEqual([
      [0, false, { kind: 'base' }],
      [1, true, stage('base', 3, 'ARG NONCE=0')],
      [
        2,
        false,
        stage('base', 4, 'RUN head -c 1048576 /dev/urandom > /big.bin && echo "$NONCE" > /nonce.txt'),
      ],
      [3, true, stage('base', 5, 'ENV APP_HOME=/app')],
      [4, false, stage('final', 8, 'WORKDIR /app')],
      [5, false, stage('final', 9, 'COPY hello.txt /app/hello.txt')],
      [6, true, stage('final', 10, 'CMD ["sh"]')],
    ]);
    const nonEmpty = report.layers.filter((l) => !l.emptyLayer);
    expect(nonEmpty.map((l) => l.digest)).toEqual(image.layers.map((l) => l.digest));
    expect(nonEmpty.map((l) => l.diffId)).toEqual(image.config.diffIds);
    expect(report.compressedBytes).toBe(1069293 + 1049195 + 93 + 162);
    expect(report.uncompressedBytes).toBe(2129920 + 1052672 + 1536 + 2560);
    expect(report).toMatchObject({
      schemaVersion: 1,
      platform: 'linux/amd64',
      commit: 'a'.repeat(40),
      ref: 'refs/heads/main',
      createdAt: CREATED,
      source: 'image-store',
      uncompressedComplete: true,
      image: { ref: 'stagecraft-size-record:test', configDigest: image.configDigest },
    });
    expect(report.layers[1]).toEqual({
      index: 1,
      digest: null,
      compressedBytes: 0,
      uncompressedBytes: 0,
      createdBy: 'ARG NONCE=0',
      emptyLayer: true,
      origin: stage('base', 3, 'ARG NONCE=0'),
    });
  });

  test('every instruction kind maps to its own line; the skipped stage and ONBUILD record nothing', () => {
    const report = buildSizeReport({
      image: measured(
        'manifest-every-instruction-buildkit-0.13.json',
        'config-every-instruction-buildkit-0.13.json',
      ),
      chain: chainFor('every-instruction'),
      createdAt: CREATED,
    });
    expect(report.warnings).toBeUndefined();
    const lines = report.layers.map((l) =>
      l.origin.kind === 'stage' ? `${l.origin.stage}:${l.origin.line}` : 'base',
    );
    expect(lines).toEqual([
      'base',
      ...[4, 5, 7, 8, 9, 10, 11, 12, 13, 16].map((n) => `base:${n}`),
      ...[22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35].map((n) => `final:${n}`),
    ]);
    for (const layer of report.layers.slice(1)) {
      const text = layer.origin.kind === 'stage' ? layer.origin.instruction : '';
      expect(historyKeyword(layer.createdBy)).toBe(text.split(/\s/)[0]);
    }
    // WORKDIR of an existing directory and `RUN true` still get a (32-byte, empty-tar) layer.
    const workdirTmp = report.layers[4]!;
    expect(workdirTmp).toMatchObject({ createdBy: 'WORKDIR /tmp', emptyLayer: false, compressedBytes: 32 });
    expect(report.layers[8]).toMatchObject({
      createdBy: expect.stringContaining('-c true # buildkit'),
      compressedBytes: 32,
    });
  });

  test('an ONBUILD trigger of our own stage maps to the ONBUILD line; WORKDIR / has no layer', () => {
    const report = buildSizeReport({
      image: measured('manifest-onbuild-buildkit-0.13.json', 'config-onbuild-buildkit-0.13.json'),
      chain: chainFor('onbuild'),
      createdAt: CREATED,
    });
    expect(report.warnings).toBeUndefined();
    expect(report.layers.map((l) => [l.emptyLayer, l.origin])).toEqual([
      [false, { kind: 'base' }],
      [false, stage('parent', 4, 'RUN echo parent > /parent.txt')],
      [false, stage('parent', 3, 'ONBUILD RUN echo triggered > /triggered.txt')],
      [true, stage('child', 7, 'WORKDIR /')],
      [false, stage('child', 8, 'RUN echo child > /child.txt')],
    ]);
  });

  test('FROM scratch: no base layers, and that is checked', () => {
    const config = parseImagetoolsImage(
      fixture('imagetools-image-two-platforms-buildx-0.13.1.json'),
      AMD64,
      'two',
    );
    const chain = chainFor('two-platforms');
    const mapping = mapHistory(config.history, chain);
    expect(mapping).toEqual({
      origins: [stage('stage-0', 3, 'COPY a.txt /a.txt')],
      baseEntries: 0,
      complete: true,
      warnings: [],
    });
  });

  test('the base image given by diff ids or layer count agrees with the split', () => {
    const config = parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config');
    const chain = chainFor('two-stages');
    const options = { diffIds: config.diffIds };
    expect(
      mapHistory(config.history, chain, { ...options, base: { diffIds: config.diffIds.slice(0, 1) } })
        .warnings,
    ).toEqual([]);
    expect(mapHistory(config.history, chain, { ...options, base: { layerCount: 1 } }).warnings).toEqual([]);
    expect(mapHistory(config.history, chain, { ...options, base: { layerCount: 2 } }).warnings).toEqual([
      'The image has 1 base-image layer where the base layer count given says 2.',
    ]);
    expect(
      mapHistory(config.history, chain, { ...options, base: { diffIds: ['sha256:' + 'f'.repeat(64)] } })
        .warnings,
    ).toEqual([
      "The image does not start with the base image's 1 layer (0 match): the base image given is not the one the image was built on.",
    ]);
  });

  test("layers made by the base image's ONBUILD triggers count as the base image's, with a warning", () => {
    const config = parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config');
    const history = [
      config.history[0]!,
      { createdBy: 'RUN /bin/sh -c echo from a trigger # buildkit', emptyLayer: false },
      ...config.history.slice(1),
    ];
    const mapping = mapHistory(history, chainFor('two-stages'), { base: { layerCount: 1 } });
    expect(mapping.baseEntries).toBe(2);
    expect(mapping.origins.slice(0, 3)).toEqual([
      { kind: 'base' },
      { kind: 'base' },
      stage('base', 3, 'ARG NONCE=0'),
    ]);
    expect(mapping.warnings).toEqual([
      "1 layer between the base image and the first instruction was not made by this Dockerfile's instructions (ONBUILD triggers of the base image?); shown as base-image layers.",
    ]);
  });

  test('an image not built from the chain: what matches from the end is mapped, the rest is base, with a warning', () => {
    const report = buildSizeReport({
      image: measured('manifest-two-stages-buildkit-0.13.json', 'config-two-stages-buildkit-0.13.json'),
      chain: chainFor('onbuild'),
      createdAt: CREATED,
    });
    expect(report.target).toBe('child');
    expect(report.layers.every((l) => l.origin.kind === 'base')).toBe(true);
    expect(report.warnings).toEqual([
      "The image's history does not match the Dockerfile's instructions for child: at line 8 (RUN) the image has " +
        '"CMD [\\"sh\\"]"; was the image built from this Dockerfile? The first 7 history entries are shown as base-image layers.',
    ]);
  });

  test('a metadata instruction the builder did not record is skipped; a missing layer instruction is not', () => {
    const config = parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config');
    const withoutArg = config.history.filter((h) => !h.createdBy.startsWith('ARG'));
    const mapping = mapHistory(withoutArg, chainFor('two-stages'));
    expect(mapping.complete).toBe(true);
    expect(mapping.warnings).toEqual([]);
    expect(mapping.origins[1]).toEqual(
      stage('base', 4, expect.stringMatching(/^RUN head/) as unknown as string),
    );
    const withoutWorkdir = config.history.filter((h) => !h.createdBy.startsWith('WORKDIR'));
    expect(mapHistory(withoutWorkdir, chainFor('two-stages')).complete).toBe(false);
    // A history shorter than the chain (an image of another Dockerfile).
    const short = mapHistory(config.history.slice(-2), chainFor('two-stages'));
    expect(short).toMatchObject({ complete: false, baseEntries: 0 });
    expect(short.warnings).toEqual([
      "The image's history does not match the Dockerfile's instructions for final: at line 8 (WORKDIR) the history " +
        'ended; was the image built from this Dockerfile? The instructions before it have no history entries.',
    ]);
  });

  test('without a chain every layer is the base image’s; the target must then be given', () => {
    const image = measured('manifest-two-stages-buildkit-0.13.json', 'config-two-stages-buildkit-0.13.json');
    expect(() => buildSizeReport({ image, createdAt: CREATED })).toThrow(
      'a target or a stage chain is needed',
    );
    const report = buildSizeReport({ image, target: 'final', createdAt: CREATED });
    expect(report.layers.every((l) => l.origin.kind === 'base')).toBe(true);
    expect(report.warnings).toBeUndefined();
  });

  test('an unknown uncompressed size: the compressed size stands in, and the report says so', () => {
    const image = measured('manifest-two-stages-buildkit-0.13.json', 'config-two-stages-buildkit-0.13.json');
    const layers = image.layers.map((l, i) =>
      i === 1 ? { ...l, uncompressedBytes: undefined, uncompressedMethod: 'unknown' as const } : l,
    );
    const report = buildSizeReport({
      image: { ...image, layers, warnings: ['Layer 2 is zstd-compressed: …'] },
      chain: chainFor('two-stages'),
      createdAt: CREATED,
    });
    expect(report.uncompressedComplete).toBe(false);
    expect(report.layers[2]).toMatchObject({ uncompressedBytes: 1049195, uncompressedMethod: 'unknown' });
    expect(report.uncompressedBytes).toBe(2129920 + 1049195 + 1536 + 2560);
    expect(report.warnings).toEqual(['Layer 2 is zstd-compressed: …']);
  });

  test('more layers than history entries: the extra layers are listed as base layers, with a warning', () => {
    const image = measured('manifest-two-stages-buildkit-0.13.json', {
      ...parseImageConfig(fixture('config-two-stages-buildkit-0.13.json'), 'config'),
      history: [],
    });
    const report = buildSizeReport({ image, target: 'final', createdAt: CREATED });
    expect(report.layers.map((l) => [l.index, l.createdBy, l.origin.kind])).toEqual([
      [0, '', 'base'],
      [1, '', 'base'],
      [2, '', 'base'],
      [3, '', 'base'],
    ]);
    expect(report.compressedBytes).toBe(1069293 + 1049195 + 93 + 162);
    expect(report.warnings).toEqual([
      'The image config has no history: its layers cannot be matched to instructions.',
    ]);
  });

  test('fewer layers than history entries with a layer: paired in order, with a warning', () => {
    const image = measured('manifest-two-stages-buildkit-0.13.json', 'config-two-stages-buildkit-0.13.json');
    const report = buildSizeReport({
      image: { ...image, layers: image.layers.slice(0, 3) },
      chain: chainFor('two-stages'),
      createdAt: CREATED,
    });
    expect(report.warnings).toEqual([
      "The config lists 4 diff ids for the manifest's 3 layers.",
      'The history has 4 entries with a layer for 3 layers; layers and instructions are paired in order as far as they go.',
    ]);
    expect(report.layers[5]).toMatchObject({
      createdBy: 'COPY hello.txt /app/hello.txt # buildkit',
      digest: null,
      emptyLayer: true,
    });
    expect(report.compressedBytes).toBe(1069293 + 1049195 + 93);
  });
});
