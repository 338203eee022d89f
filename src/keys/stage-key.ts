// Stage keys as DESIGN.md "Stage keys" defines them: a hash over a canonical encoding of the base (the base
// stage's key, or the image reference after ARG expansion with its digest where known, or a named context
// by its value), the platform, each instruction normalized with the ARG values BuildKit would substitute,
// the keys of the stages it copies or mounts from, the digests of the context files it reads, the user
// salt and the rotation period.
//
// Readable form: `stagecraft-v1-<dockerfile>-<platform>-<stage>-<run-prefix>-<full-hash>`. `-` separates
// fields and never appears inside one (`linux/arm/v7` → `linux_arm_v7`, `build-tools` → `build_tools`,
// `stage-2` → `stage_2`), so each restore key is a prefix of exactly one stage's keys: `…-build-3f9a1c` cannot
// pick up an entry of `build-tools`. Keys are at most 128 characters of [A-Za-z0-9_.-], so they fit
// GitHub's cache key limit (512) and are valid registry tags as they are.
//
// The run prefix is what makes an older entry worth its download. An entry is all or nothing, and BuildKit
// hits only an unbroken run of leading steps, so an entry of the same stage is useful only if it shares at
// least the first RUN with its inputs (the steps before a RUN are cheap to redo). The field holds one short
// hash per leading RUN, each over everything up to and including that RUN that can change what it runs:
// the base, the platform, and every instruction but the ones that only set image metadata. Restore keys
// are its prefixes, longest first, so a lookup finds the entry sharing the most RUN steps, and never one
// that shares none. (DESIGN.md's prefix hash, the instructions before the first context read, was
// coarser: with `COPY src; RUN make` it matched entries whose RUN could not hit.)
import type { Plan, PlanRequest } from '../plan/index.js';
import type { StagedDockerfile } from '../stages/index.js';
import { encodeCanonical, sha256Hex, type Canonical } from './encode.js';
import { normalizeStages, type NormalizedStage, type SourceRef } from './normalize.js';
import type { ContextRead, StageKey } from './types.js';

export const KEY_PREFIX = 'stagecraft-v1';
/** Hex characters of the full hash in a key. */
const HASH_CHARS = 16;
/**
 * Hex characters of each leading RUN's hash in the run prefix: 16 in all, like the full hash. The first is
 * the widest, because an older entry sharing no RUN must not match it by chance; after the fourth RUN, all
 * entries sharing the first four are alike.
 */
const RUN_HASH_CHARS = [6, 4, 3, 3] as const;
/** Instructions that only set image metadata: no step of BuildKit's changes with them. */
const METADATA_ONLY = new Set([
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'STOPSIGNAL',
  'VOLUME',
]);
const DOCKERFILE_CHARS = 8;
/** Longest platform and stage fields; longer ones are cut and end in a hash of the whole. */
const PLATFORM_MAX = 24;
const STAGE_MAX = 46;
const TAG_MAX = 128;

export interface StageKeyOptions {
  readonly plan: Plan;
  readonly dockerfile: StagedDockerfile;
  readonly request: PlanRequest;
  /** The Dockerfile's path in the repository, e.g. `docker/app.Dockerfile` (`\` and a leading `./` are fine). */
  readonly dockerfilePath: string;
  /** `hashContext`'s digests by read id; every context read of a reachable stage must be there. */
  readonly contextDigests: ReadonlyMap<string, string>;
  /** Separates caches: a new salt starts every stage afresh, fallbacks included. Empty means none. */
  readonly salt?: string | undefined;
  /**
   * Scheduled mode: the current rotation period's name (e.g. `2025-W23`), worked out by the caller from
   * the clock and the period option. Like the salt, it scopes the fallbacks too.
   */
  readonly rotation?: string | undefined;
  /** Resolved digests of external images (`sha256:…`), by the reference as the plan lists it. */
  readonly imageDigests?: ReadonlyMap<string, string> | undefined;
}

/** The exact texts hashed for a stage's key, for goldens and debugging. */
export interface StageKeyDocument {
  readonly stage: number;
  readonly name: string;
  readonly platform: string;
  /** One per RUN of the stage, in order: what the run prefix hashes for it. */
  readonly runs: readonly string[];
  readonly full: string;
}

/** One key per stage the target reaches, in plan (build) order. */
export function computeStageKeys(options: StageKeyOptions): StageKey[] {
  const namespace = dockerfileKeyPart(options.dockerfilePath, options.salt, options.rotation);
  return encodeStageKeyDocuments(options).map((document) => {
    const fullHash = sha256Hex(document.full);
    const head = `${KEY_PREFIX}-${namespace}-${keyField(document.platform, PLATFORM_MAX)}-${keyField(document.name, STAGE_MAX)}`;
    const runHashes = RUN_HASH_CHARS.flatMap((chars, i) => {
      const run = document.runs[i];
      return run === undefined ? [] : [sha256Hex(run).slice(0, chars)];
    });
    const runPrefix = runHashes.join('').padEnd(HASH_CHARS, '0');
    return {
      stage: document.stage,
      stageName: document.name,
      key: `${head}-${runPrefix}-${fullHash.slice(0, HASH_CHARS)}`,
      restoreKeys: runHashes.map((_, i) => `${head}-${runHashes.slice(0, runHashes.length - i).join('')}`),
      runPrefix,
      fullHash,
    };
  });
}

/**
 * The canonical documents behind the keys: the full one, and one per RUN holding the instructions up to
 * and including it, image metadata left out.
 */
export function encodeStageKeyDocuments(options: StageKeyOptions): StageKeyDocument[] {
  const { contextDigests } = options;
  const fullHashes = new Map<number, string>();
  const refValue = (ref: SourceRef): Canonical => {
    if ('stage' in ref) {
      const hash = fullHashes.get(ref.stage);
      if (hash === undefined) throw new Error(`keys: stage ${ref.stage} is used before its key is known`);
      return { stage: hash };
    }
    if ('image' in ref) return { image: ref.image, digest: options.imageDigests?.get(ref.image) };
    return { context: ref.context, value: ref.value };
  };
  const digestOf = (read: ContextRead): string => {
    const digest = contextDigests.get(read.id);
    if (digest === undefined) {
      throw new Error(`keys: no digest for the context read of stage ${read.stage}, line ${read.line}`);
    }
    return digest;
  };

  return normalizeStages(options.plan, options.dockerfile, options.request).map((stage: NormalizedStage) => {
    const header = {
      version: KEY_PREFIX,
      platform: stage.platform,
      base: refValue(stage.base),
      salt: nonEmpty(options.salt),
      rotation: nonEmpty(options.rotation),
    };
    const keywords = stage.instructions.map((instruction) => instruction.encoded.keyword);
    const instructions = stage.instructions.map((instruction) => ({
      ...instruction.encoded,
      refs: instruction.refs.length === 0 ? undefined : instruction.refs.map(refValue),
      reads: instruction.reads.length === 0 ? undefined : instruction.reads.map(digestOf),
    }));
    const steps = instructions.flatMap((step, i) =>
      METADATA_ONLY.has(String(keywords[i])) ? [] : [{ step, run: keywords[i] === 'RUN' }],
    );
    const runs = steps.flatMap(({ run }, i) =>
      run
        ? [encodeCanonical({ ...header, instructions: steps.slice(0, i + 1).map(({ step }) => step) })]
        : [],
    );
    const full = encodeCanonical({ ...header, instructions });
    fullHashes.set(stage.index, sha256Hex(full));
    return { stage: stage.index, name: stage.name, platform: stage.platform, runs, full };
  });
}

/**
 * The `<dockerfile>` field: a short hash of the Dockerfile's repository path, so two Dockerfiles may both
 * have a `builder`. A salt or rotation period is hashed in too, so that no fallback crosses them.
 */
export function dockerfileKeyPart(dockerfilePath: string, salt?: string, rotation?: string): string {
  const normalized = normalizeRepositoryPath(dockerfilePath);
  const namespace =
    nonEmpty(salt) === undefined && nonEmpty(rotation) === undefined
      ? normalized
      : encodeCanonical({ path: normalized, salt: nonEmpty(salt), rotation: nonEmpty(rotation) });
  return sha256Hex(namespace).slice(0, DOCKERFILE_CHARS);
}

function normalizeRepositoryPath(file: string): string {
  const parts: string[] = [];
  for (const part of file.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** A key field: runs of anything but [A-Za-z0-9.] become `_`; too long, it is cut and ends in a hash. */
export function keyField(text: string, max: number): string {
  const field = text.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || '_';
  if (field.length <= max) return field;
  return `${field.slice(0, max - DOCKERFILE_CHARS - 1)}_${sha256Hex(text).slice(0, DOCKERFILE_CHARS)}`;
}

/**
 * A registry tag for a key: [A-Za-z0-9_.-], starting with [A-Za-z0-9_], at most 128 characters. Keys from
 * `computeStageKeys` already are, and come back unchanged; anything else is mapped and, if too long, cut
 * with a hash of the whole appended.
 */
export function keyToTag(key: string): string {
  let tag = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (!/^[A-Za-z0-9_]/.test(tag)) tag = `_${tag}`;
  if (tag.length > TAG_MAX)
    tag = `${tag.slice(0, TAG_MAX - DOCKERFILE_CHARS - 1)}-${sha256Hex(key).slice(0, DOCKERFILE_CHARS)}`;
  return tag;
}

/**
 * `stagecraft plan --format json` with keys: each stage object (matched by `index`) gains `key` and
 * `restoreKeys`; stages the target does not reach get `key: null` and no restore keys.
 */
export function addKeysToPlanJson(planJson: object, keys: readonly StageKey[]): object {
  const stages = (planJson as { stages?: unknown }).stages;
  if (!Array.isArray(stages)) return planJson;
  const byStage = new Map(keys.map((key) => [key.stage, key]));
  return {
    ...planJson,
    stages: stages.map((stage: unknown) => {
      const index = (stage as { index?: unknown }).index;
      const key = typeof index === 'number' ? byStage.get(index) : undefined;
      return { ...(stage as object), key: key?.key ?? null, restoreKeys: key?.restoreKeys ?? [] };
    }),
  };
}

/** Keys and the documents behind them as text, one stage after another (the key-encoding golden). */
export function renderStageKeyDocuments(
  documents: readonly StageKeyDocument[],
  keys: readonly StageKey[],
): string {
  const lines: string[] = [];
  documents.forEach((document, i) => {
    const key = keys[i];
    lines.push(`# stage ${document.stage}: ${document.name} (${document.platform})`);
    if (key !== undefined) {
      lines.push(`key: ${key.key}`);
      for (const restoreKey of key.restoreKeys) lines.push(`restore: ${restoreKey}`);
    }
    document.runs.forEach((run, j) => lines.push(`run ${j + 1}: ${run}`));
    lines.push(`full: ${document.full}`, '');
  });
  return lines.join('\n');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
