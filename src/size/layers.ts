// From a measured image to a `SizeReport`, pure: each history entry of the image config gets its layer (the
// non-empty entries pair with the manifest's layers in order) and its origin: the instruction of the target's
// FROM chain that made it, or the base image.
//
// How entries are matched to the Dockerfile. BuildKit (0.13, checked here) records one history entry per
// instruction of every stage in the FROM chain, root first: RUN, COPY, ADD and WORKDIR with a layer (WORKDIR
// `/` without one; a RUN or COPY that changes nothing still gets a 32-byte empty layer), ENV, LABEL, ARG,
// USER, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, MAINTAINER, CMD and ENTRYPOINT as `empty_layer`.
// FROM and ONBUILD record nothing; the ONBUILD triggers of a stage run (and record) at the start of the stage
// built FROM it. `created_by` starts with the keyword (`RUN |1 V=x /bin/sh -c … # buildkit`,
// `COPY a /b # buildkit`, `WORKDIR /app`, `ENV K=v`). The chain's entries are therefore the last ones of the
// history: they are aligned from the end by keyword, and everything before them is the base image's (its own
// history, and what its ONBUILD triggers made). When the base image's layer count or diff ids are known, they
// are checked against that split.
import type { Plan } from '../plan/index.js';
import type { Instruction, StagedDockerfile } from '../stages/index.js';
import type { HistoryEntry, MeasuredImage } from './image.js';
import type { LayerOrigin, SizeReport, SizeReportLayer } from './types.js';
import { SIZE_REPORT_SCHEMA_VERSION } from './types.js';

/** One stage of the target's FROM chain. */
export interface ChainStage {
  /** Display name (`stage-N` when unnamed), as the plan prints it. */
  readonly name: string;
  readonly instructions: readonly Instruction[];
}

/** What the chain's root stage is built FROM. */
export type ChainBase = { readonly image: string } | { readonly context: string };

/** The target's FROM chain, root first (built FROM `base`), target last. */
export interface StageChain {
  readonly stages: readonly ChainStage[];
  readonly base: ChainBase;
}

/** What is known about the external base image: its layer count, or its `rootfs.diff_ids`. */
export type BaseImageLayers = { readonly layerCount: number } | { readonly diffIds: readonly string[] };

/** The target's FROM chain from a plan and its parsed Dockerfile. */
export function resolveStageChain(plan: Plan, dockerfile: StagedDockerfile): StageChain {
  const stages: ChainStage[] = [];
  const seen = new Set<number>();
  let index = plan.targetIndex;
  for (;;) {
    const planned = plan.stages[index];
    const parsed = dockerfile.stages[index];
    if (planned === undefined || parsed === undefined || seen.has(index)) {
      throw new Error(`resolveStageChain: stage ${index} is missing or part of a cycle`);
    }
    seen.add(index);
    stages.unshift({ name: planned.displayName, instructions: parsed.instructions });
    const base = planned.base;
    if ('stage' in base) {
      index = base.stage;
      continue;
    }
    return { stages, base };
  }
}

/** One history entry the chain is expected to have written. */
export interface ExpectedEntry {
  /** Upper-case keyword, as `created_by` starts. */
  readonly keyword: string;
  readonly stage: string;
  readonly line: number;
  readonly instruction: string;
  /** RUN, COPY, ADD, WORKDIR other than `/`: the entry has a layer. */
  readonly createsLayer: boolean;
}

function createsLayer(keyword: string, firstArg: string | undefined): boolean {
  switch (keyword) {
    case 'RUN':
    case 'COPY':
    case 'ADD':
      return true;
    case 'WORKDIR':
      return (firstArg ?? '').trim() !== '/';
    default:
      return false;
  }
}

/** The text shown for an instruction: its logical line as written (continuations joined, no heredoc body). */
function instructionText(instruction: Instruction): string {
  return instruction.node.original.trim();
}

/** The history entries the chain writes, in order (ONBUILD triggers of a chain stage where they run). */
export function expectedHistory(chain: StageChain): ExpectedEntry[] {
  const entries: ExpectedEntry[] = [];
  chain.stages.forEach((stage, s) => {
    const parent = s > 0 ? chain.stages[s - 1] : undefined;
    for (const instruction of parent?.instructions ?? []) {
      if (instruction.kind !== 'onbuild') continue;
      const keyword = instruction.trigger.keyword.toUpperCase();
      entries.push({
        keyword,
        stage: parent!.name,
        line: instruction.range.start,
        instruction: instructionText(instruction),
        createsLayer: createsLayer(keyword, instruction.trigger.args[0]),
      });
    }
    for (const instruction of stage.instructions) {
      if (instruction.kind === 'onbuild') continue;
      const keyword = instruction.kind.toUpperCase();
      entries.push({
        keyword,
        stage: stage.name,
        line: instruction.range.start,
        instruction: instructionText(instruction),
        createsLayer: createsLayer(keyword, instruction.kind === 'workdir' ? instruction.path : undefined),
      });
    }
  });
  return entries;
}

/**
 * The instruction keyword of a `created_by`: BuildKit's `RUN …`, `COPY … # buildkit`, `WORKDIR /x`; the classic
 * builder's `/bin/sh -c #(nop)  ENV …` and `/bin/sh -c <command>` (a RUN, possibly after `|N K=V …`).
 * Empty when there is none (an imported base layer).
 */
export function historyKeyword(createdBy: string): string {
  const text = createdBy.trim();
  const nop = /^\/bin\/sh -c #\(nop\)\s+([A-Za-z]+)/.exec(text);
  if (nop !== null) return nop[1]!.toUpperCase();
  if (/^(\|\d+ .*)?\/bin\/sh -c /.test(text)) return 'RUN';
  const keyword = /^([A-Z]+)(\s|$)/.exec(text);
  return keyword === null ? '' : keyword[1]!;
}

export interface HistoryMapping {
  /** One origin per history entry. */
  readonly origins: readonly LayerOrigin[];
  /** Entries `[0, baseEntries)` belong to the base image. */
  readonly baseEntries: number;
  /** Whether every layer-making instruction of the chain found its entry. */
  readonly complete: boolean;
  readonly warnings: readonly string[];
}

const BASE: LayerOrigin = Object.freeze({ kind: 'base' });

function clip(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function plural(count: number, word: string, words = `${word}s`): string {
  return `${count} ${count === 1 ? word : words}`;
}

/**
 * Maps history entries to the chain's instructions (aligned from the end by keyword) and the rest to the
 * base image; `diffIds` are the image's own, for checking `base` given as diff ids.
 */
export function mapHistory(
  history: readonly HistoryEntry[],
  chain: StageChain | undefined,
  options: {
    readonly base?: BaseImageLayers;
    readonly diffIds?: readonly string[];
    readonly target?: string;
  } = {},
): HistoryMapping {
  const origins: LayerOrigin[] = history.map(() => BASE);
  if (chain === undefined) {
    return { origins, baseEntries: history.length, complete: false, warnings: [] };
  }
  const expected = expectedHistory(chain);
  const warnings: string[] = [];
  let i = history.length - 1;
  let j = expected.length - 1;
  while (i >= 0 && j >= 0) {
    const want = expected[j]!;
    if (historyKeyword(history[i]!.createdBy) === want.keyword) {
      origins[i] = { kind: 'stage', stage: want.stage, line: want.line, instruction: want.instruction };
      i--;
      j--;
    } else if (!want.createsLayer) {
      j--; // a metadata instruction this builder did not record
    } else {
      break;
    }
  }
  const missing = expected.slice(0, j + 1).filter((e) => e.createsLayer);
  const complete = missing.length === 0;
  const target = options.target ?? chain.stages[chain.stages.length - 1]?.name ?? '';
  if (!complete) {
    const want = missing[missing.length - 1]!;
    const found =
      i >= 0 ? `the image has ${JSON.stringify(clip(history[i]!.createdBy))}` : 'the history ended';
    warnings.push(
      `The image's history does not match the Dockerfile's instructions for ${target}: at line ${want.line} ` +
        `(${want.keyword}) ${found}; was the image built from this Dockerfile? ` +
        (i < 0
          ? 'The instructions before it have no history entries.'
          : i === 0
            ? 'The first history entry is shown as a base-image layer.'
            : `The first ${i + 1} history entries are shown as base-image layers.`),
    );
  }
  const baseEntries = i + 1;
  const baseLayers = history.slice(0, baseEntries).filter((entry) => !entry.emptyLayer).length;
  if (complete) checkBase(baseLayers, chain.base, options.base, options.diffIds ?? [], warnings);
  return { origins, baseEntries, complete, warnings };
}

function checkBase(
  baseLayers: number,
  chainBase: ChainBase,
  known: BaseImageLayers | undefined,
  diffIds: readonly string[],
  warnings: string[],
): void {
  let expected: number | undefined;
  let source = '';
  if (known !== undefined && 'diffIds' in known) {
    let common = 0;
    while (common < known.diffIds.length && diffIds[common] === known.diffIds[common]) common++;
    if (common < known.diffIds.length) {
      warnings.push(
        `The image does not start with the base image's ${plural(known.diffIds.length, 'layer')} ` +
          `(${common} match): the base image given is not the one the image was built on.`,
      );
      return;
    }
    expected = known.diffIds.length;
    source = "the base image's diff ids";
  } else if (known !== undefined) {
    expected = known.layerCount;
    source = 'the base layer count given';
  } else if ('image' in chainBase && chainBase.image === 'scratch') {
    expected = 0;
    source = 'FROM scratch';
  }
  if (expected === undefined || expected === baseLayers) return;
  warnings.push(
    baseLayers > expected
      ? `${plural(baseLayers - expected, 'layer')} between the base image and the first instruction ` +
          `${baseLayers - expected === 1 ? 'was' : 'were'} not made by this Dockerfile's instructions ` +
          `(ONBUILD triggers of the base image?); shown as base-image layers.`
      : `The image has ${plural(baseLayers, 'base-image layer')} where ${source} says ${expected}.`,
  );
}

export interface SizeReportInput {
  readonly image: MeasuredImage;
  /** The target's display name; defaults to the chain's last stage. */
  readonly target?: string;
  /** The target's FROM chain; without it every layer is reported as the base image's. */
  readonly chain?: StageChain;
  readonly base?: BaseImageLayers;
  readonly commit?: string;
  readonly ref?: string;
  /** ISO 8601 time of measurement (the caller's clock). */
  readonly createdAt: string;
}

/** The size report of a measured image, its layers mapped to the Dockerfile. */
export function buildSizeReport(input: SizeReportInput): SizeReport {
  const { image } = input;
  const target = input.target ?? input.chain?.stages[input.chain.stages.length - 1]?.name;
  if (target === undefined) throw new Error('buildSizeReport: a target or a stage chain is needed');
  const { history, diffIds } = image.config;
  const mapping = mapHistory(history, input.chain, { base: input.base, diffIds, target });
  const warnings = [...image.warnings, ...mapping.warnings];

  if (diffIds.length !== image.layers.length) {
    warnings.push(
      `The config lists ${plural(diffIds.length, 'diff id')} for the manifest's ${plural(image.layers.length, 'layer')}.`,
    );
  }
  const nonEmpty = history.filter((entry) => !entry.emptyLayer).length;
  if (history.length === 0) {
    warnings.push('The image config has no history: its layers cannot be matched to instructions.');
  } else if (nonEmpty !== image.layers.length) {
    warnings.push(
      `The history has ${plural(nonEmpty, 'entry', 'entries')} with a layer for ${plural(image.layers.length, 'layer')}; ` +
        'layers and instructions are paired in order as far as they go.',
    );
  }

  const layers: SizeReportLayer[] = [];
  let next = 0;
  const layerEntry = (index: number, createdBy: string, origin: LayerOrigin): SizeReportLayer => {
    const layer = image.layers[next]!;
    const diffId = diffIds[next];
    next++;
    return {
      index,
      digest: layer.digest,
      compressedBytes: layer.compressedBytes,
      uncompressedBytes: layer.uncompressedBytes ?? layer.compressedBytes,
      createdBy,
      emptyLayer: false,
      origin,
      mediaType: layer.mediaType,
      ...(diffId !== undefined ? { diffId } : {}),
      uncompressedMethod: layer.uncompressedBytes === undefined ? 'unknown' : layer.uncompressedMethod,
    };
  };
  history.forEach((entry, index) => {
    const origin = mapping.origins[index]!;
    if (!entry.emptyLayer && next < image.layers.length) {
      layers.push(layerEntry(index, entry.createdBy, origin));
    } else {
      layers.push({
        index,
        digest: null,
        compressedBytes: 0,
        uncompressedBytes: 0,
        createdBy: entry.createdBy,
        emptyLayer: true,
        origin,
      });
    }
  });
  while (next < image.layers.length) layers.push(layerEntry(layers.length, '', BASE));

  const unknown = image.layers.filter((layer) => layer.uncompressedBytes === undefined).length;
  return {
    schemaVersion: SIZE_REPORT_SCHEMA_VERSION,
    target,
    platform: image.platform,
    ...(input.commit !== undefined ? { commit: input.commit } : {}),
    ...(input.ref !== undefined ? { ref: input.ref } : {}),
    createdAt: input.createdAt,
    image: {
      ref: image.ref,
      digest: image.manifestDigest,
      configDigest: image.configDigest,
      ...(image.indexDigest !== undefined ? { indexDigest: image.indexDigest } : {}),
    },
    compressedBytes: sum(layers.map((layer) => layer.compressedBytes)),
    uncompressedBytes: sum(layers.map((layer) => layer.uncompressedBytes)),
    layers,
    source: image.source,
    uncompressedComplete: unknown === 0,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
