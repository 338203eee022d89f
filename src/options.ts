// One validated Options value from raw inputs, whether they came from action.yml inputs or CLI flags.
// Names and meanings follow docker/build-push-action; parsing is stricter (STYLE.md section 6).
import { InputError } from './input-error.js';
import path from 'node:path';
import { parseMaxCacheAge } from './drift/max-age.js';
import { parseMaxIncrease, parsePercent, parseSize, type MaxIncrease } from './report/units.js';

/** Input names as action.yml and the CLI spell them. */
export const INPUTS = [
  'file',
  'context',
  'target',
  'build-args',
  'build-contexts',
  'platforms',
  'tags',
  'labels',
  'annotations',
  'push',
  'load',
  'outputs',
  'secrets',
  'secret-files',
  'ssh',
  'builder',
  'pull',
  'no-cache',
  'no-cache-filters',
  'network',
  'add-hosts',
  'shm-size',
  'ulimit',
  'provenance',
  'sbom',
  'cache-from',
  'cache-to',
  'cache',
  'cache-ref',
  'cache-dir',
  'cache-key-salt',
  'github-token',
  'comment',
  'comment-threshold',
  'size-limit',
  'max-increase',
  'fail-on-budget',
  'baseline-image',
  'mode',
  'max-cache-age',
] as const;
export type InputName = (typeof INPUTS)[number];
export type RawInputs = Partial<Record<InputName, string>>;

export const OUTPUTS = [
  'stages',
  'skipped-stages',
  'target',
  'plan',
  'imageid',
  'digest',
  'metadata',
  'cache-hits',
  'cache-bytes-restored',
  'cache-bytes-saved',
  'size',
  'size-uncompressed',
  'size-delta',
  'size-delta-percent',
  'baseline-size',
  'report',
  'base-drift',
  'drifted-images',
  'rebuilt-stages',
] as const;
export type OutputName = (typeof OUTPUTS)[number];

/** Where stage caches live: the GitHub Actions cache, a local directory, a registry, or nowhere. */
export const CACHE_BACKENDS = ['gha', 'local', 'registry', 'off'] as const;
export type CacheBackend = (typeof CACHE_BACKENDS)[number];

/** When the size comment is written: every run, only when the size moved (or one exists), or never. */
export const COMMENT_MODES = ['always', 'on-change', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

/**
 * Scheduled rebuilds (`mode`): `auto` treats schedule and workflow_dispatch events as scheduled runs, `scheduled`
 * every run, `normal` none.
 */
export const RUN_MODES = ['auto', 'scheduled', 'normal'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** `comment-threshold` when empty, in percent: on-change comments on a move of more than this. */
export const DEFAULT_COMMENT_THRESHOLD = 0.1;

/** Where stagecraft runs; it decides the default `cache`. Entry points pass it (nothing here reads env). */
export type RunEnvironment = 'actions' | 'local';

/** BuildKit's network modes for RUN (`--network`). */
export const NETWORK_MODES = ['default', 'none', 'host'] as const;

/** A secret given by value (`secrets` input). The value never reaches argv, a file or a log. */
export interface SecretValue {
  readonly id: string;
  readonly value: string;
}

/** A secret read by buildx from a file (`secret-files` input). */
export interface SecretFile {
  readonly id: string;
  readonly path: string;
}

export interface Options {
  /** The Dockerfile, relative to the workspace. */
  readonly file: string;
  readonly context: string;
  readonly target: string | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly buildContexts: ReadonlyMap<string, string>;
  readonly platforms: readonly string[];
  readonly tags: readonly string[];
  readonly labels: ReadonlyMap<string, string>;
  readonly annotations: readonly string[];
  readonly push: boolean;
  readonly load: boolean;
  /** buildx `--output` specs, as written. */
  readonly outputs: readonly string[];
  readonly secrets: readonly SecretValue[];
  readonly secretFiles: readonly SecretFile[];
  readonly ssh: readonly string[];
  readonly builder: string | undefined;
  readonly pull: boolean;
  readonly noCache: boolean;
  readonly noCacheFilters: readonly string[];
  readonly network: string | undefined;
  readonly addHosts: readonly string[];
  readonly shmSize: string | undefined;
  readonly ulimits: readonly string[];
  /** `true`, `false` or attributes such as `mode=max`; undefined leaves buildx's default. */
  readonly provenance: string | undefined;
  readonly sbom: string | undefined;
  /** Extra cache sources and destinations, passed through to every build. */
  readonly cacheFrom: readonly string[];
  readonly cacheTo: readonly string[];
  readonly cache: CacheBackend;
  readonly cacheRef: string | undefined;
  /** Directory of the local store; undefined means the store's default (resolved by the wiring). */
  readonly cacheDir: string | undefined;
  readonly cacheKeySalt: string;
  /** The token for the pull request comment; undefined when empty. Never logged (see `redact`). */
  readonly githubToken: string | undefined;
  readonly comment: CommentMode;
  /** Percent (`0.1` for `0.1%`). */
  readonly commentThreshold: number;
  /** `size-limit` in bytes. */
  readonly sizeLimit: number | undefined;
  readonly maxIncrease: MaxIncrease | undefined;
  /** Fail the step on a broken budget (after the report is written), or only warn. */
  readonly failOnBudget: boolean;
  /** An image to compare with, measured in its registry, instead of a stored baseline. */
  readonly baselineImage: string | undefined;
  /** Whether this is a scheduled rebuild (base-image drift, max-cache-age): see `isScheduledRun`. */
  readonly mode: RunMode;
  /** `max-cache-age` in ms: a scheduled run rebuilds a stage whose cache is older. */
  readonly maxCacheAge: number | undefined;
}

export { InputError };

/** Newline-separated items, blank lines and surrounding whitespace dropped. */
export function splitLines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** `NAME=VALUE` lines; the value may hold `=` and commas. */
export function parseKeyValueLines(input: InputName, value: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const line of splitLines(value)) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError(`Input ${input}: expected NAME=VALUE, got ${JSON.stringify(line)}`);
    pairs.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return pairs;
}

/**
 * Items one per line, where an item may be double-quoted to span lines (`"KEY=line 1↵line 2"`; `""` is a
 * quote inside). Unquoted lines are trimmed; a quoted item keeps its text exactly. As build-push-action reads
 * `secrets`, so a multi-line secret (a key, a certificate) can be given.
 */
export function splitQuotedItems(input: InputName, value: string | undefined): string[] {
  const text = (value ?? '').replace(/\r\n/g, '\n');
  const items: string[] = [];
  let i = 0;
  while (i < text.length) {
    const lineEnd = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    const line = text.slice(i, lineEnd);
    const lead = line.length - line.trimStart().length;
    if (line.trimStart().startsWith('"')) {
      let j = i + lead + 1;
      let item = '';
      for (;;) {
        const quote = text.indexOf('"', j);
        if (quote === -1) {
          throw new InputError(`Input ${input}: a quoted item is not closed: ${JSON.stringify(line)}`);
        }
        item += text.slice(j, quote);
        if (text[quote + 1] === '"') {
          item += '"';
          j = quote + 2;
          continue;
        }
        j = quote + 1;
        break;
      }
      const restEnd = text.indexOf('\n', j) === -1 ? text.length : text.indexOf('\n', j);
      if (text.slice(j, restEnd).trim() !== '') {
        throw new InputError(
          `Input ${input}: unexpected text after a quoted item: ${JSON.stringify(text.slice(j, restEnd))}`,
        );
      }
      items.push(item);
      i = restEnd + 1;
    } else {
      if (line.trim() !== '') items.push(line.trim());
      i = lineEnd + 1;
    }
  }
  return items;
}

export function toOptions(raw: RawInputs, environment: RunEnvironment = 'local'): Options {
  const problems: string[] = [];
  /** Runs one parser; an InputError becomes a problem (reported together), anything else is a bug. */
  function read<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  }

  const context = nonEmpty(raw.context) ?? '.';
  const file = nonEmpty(raw.file) ?? path.join(context, 'Dockerfile');
  const platforms = splitLines(raw.platforms).flatMap((line) =>
    line
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
  const cache = read(() => parseCache(raw.cache, environment), defaultCache(environment));
  const options: Options = {
    file,
    context,
    target: nonEmpty(raw.target),
    buildArgs: read(() => parseKeyValueLines('build-args', raw['build-args']), new Map()),
    buildContexts: read(() => parseKeyValueLines('build-contexts', raw['build-contexts']), new Map()),
    platforms,
    tags: read(() => parseNoCommaLines('tags', raw.tags, 'one tag per line'), []),
    labels: read(() => parseKeyValueLines('labels', raw.labels), new Map()),
    annotations: read(() => parseAnnotations(raw.annotations), []),
    push: read(() => parseBoolean('push', raw.push, false), false),
    load: read(() => parseBoolean('load', raw.load, false), false),
    outputs: splitLines(raw.outputs),
    secrets: read(() => parseSecrets(raw.secrets), []),
    secretFiles: read(() => parseSecretFiles(raw['secret-files']), []),
    ssh: splitLines(raw.ssh),
    builder: nonEmpty(raw.builder),
    pull: read(() => parseBoolean('pull', raw.pull, false), false),
    noCache: read(() => parseBoolean('no-cache', raw['no-cache'], false), false),
    noCacheFilters: read(
      () => parseNoCommaLines('no-cache-filters', raw['no-cache-filters'], 'one stage per line'),
      [],
    ),
    network: read(() => parseNetwork(raw.network), undefined),
    addHosts: read(() => parseAddHosts(raw['add-hosts']), []),
    shmSize: read(() => parseShmSize(raw['shm-size']), undefined),
    ulimits: read(() => parseUlimits(raw.ulimit), []),
    provenance: read(() => parseAttestation('provenance', raw.provenance), undefined),
    sbom: read(() => parseAttestation('sbom', raw.sbom), undefined),
    cacheFrom: splitLines(raw['cache-from']),
    cacheTo: splitLines(raw['cache-to']),
    cache,
    cacheRef: nonEmpty(raw['cache-ref']),
    cacheDir: nonEmpty(raw['cache-dir']),
    cacheKeySalt: raw['cache-key-salt']?.trim() ?? '',
    githubToken: nonEmpty(raw['github-token']),
    comment: read(() => parseCommentMode(raw.comment), 'always'),
    commentThreshold:
      read(
        () => optional(raw['comment-threshold'], (v) => parsePercent(v, 'comment-threshold')),
        undefined,
      ) ?? DEFAULT_COMMENT_THRESHOLD,
    sizeLimit: read(() => optional(raw['size-limit'], (v) => parseSize(v, 'size-limit')), undefined),
    maxIncrease: read(
      () => optional(raw['max-increase'], (v) => parseMaxIncrease(v, 'max-increase')),
      undefined,
    ),
    failOnBudget: read(() => parseBoolean('fail-on-budget', raw['fail-on-budget'], true), true),
    baselineImage: read(() => parseBaselineImage(raw['baseline-image']), undefined),
    mode: read(() => parseMode(raw.mode), 'auto'),
    maxCacheAge: read(
      () => optional(raw['max-cache-age'], (v) => parseMaxCacheAge(v, 'max-cache-age')),
      undefined,
    ),
  };
  problems.push(...conflicts(options, raw, environment));
  if (problems.length === 1) throw new InputError(problems[0]);
  if (problems.length > 1) {
    throw new InputError(`${problems.length} input problems:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  return options;
}

/** The cache backend when the `cache` input is empty: the Actions cache on a runner, a directory elsewhere. */
export function defaultCache(environment: RunEnvironment): CacheBackend {
  return environment === 'actions' ? 'gha' : 'local';
}

/**
 * The options as they may be logged: Maps as objects, secret values replaced by `***` (ids kept), and
 * credential attributes (`token=`, `secret…=`, `password=`) blanked in cache and output specs.
 */
export function redact(options: Options): Record<string, unknown> {
  return {
    ...options,
    buildArgs: Object.fromEntries(options.buildArgs),
    buildContexts: Object.fromEntries(options.buildContexts),
    labels: Object.fromEntries(options.labels),
    secrets: options.secrets.map((secret) => ({ id: secret.id, value: '***' })),
    githubToken: options.githubToken === undefined ? undefined : '***',
    outputs: options.outputs.map(redactSpec),
    cacheFrom: options.cacheFrom.map(redactSpec),
    cacheTo: options.cacheTo.map(redactSpec),
  };
}

/** A buildx `key=value,...` spec with the values of credential keys replaced by `***`. */
export function redactSpec(spec: string): string {
  return spec.replace(
    /(^|,)(\s*"?[^,=]*(?:token|secret|password)[^,=]*=)[^,]*/gi,
    (_match, sep: string, key: string) => `${sep}${key}***`,
  );
}

/**
 * The exporter type of a buildx `--output` spec: its `type=` field, or what buildx assumes for a bare value
 * (`-` is a tar stream, anything else a local directory). `registry` is reported as itself.
 */
export function outputType(spec: string): string {
  const fields = spec.split(',').map((field) => field.trim());
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq > 0 && field.slice(0, eq).toLowerCase() === 'type') return field.slice(eq + 1).toLowerCase();
  }
  if (fields.length === 1 && !spec.includes('=')) return spec.trim() === '-' ? 'tar' : 'local';
  return '';
}

/**
 * Whether a run is a scheduled rebuild: `mode: scheduled`, or `mode: auto` (the default) on a schedule or
 * workflow_dispatch event.
 */
export function isScheduledRun(mode: RunMode, eventName: string): boolean {
  return mode === 'scheduled' || (mode === 'auto' && ['schedule', 'workflow_dispatch'].includes(eventName));
}

function conflicts(options: Options, raw: RawInputs, environment: RunEnvironment): string[] {
  const found: string[] = [];
  if (options.mode === 'normal' && options.maxCacheAge !== undefined) {
    found.push(
      'Inputs max-cache-age and mode conflict: max-cache-age applies to scheduled runs, but mode is normal; use mode auto (scheduled on schedule and workflow_dispatch events) or scheduled',
    );
  }
  if (options.push) {
    const others = options.outputs.filter((spec) => !['image', 'registry'].includes(outputType(spec)));
    if (others.length > 0) {
      found.push(
        `Inputs push and outputs conflict: push applies to image outputs, but outputs has ${others
          .map((spec) => JSON.stringify(spec))
          .join(', ')}; drop push and add an output type=image,push=true or type=registry`,
      );
    }
  }
  if (options.load) {
    const others = options.outputs.filter((spec) => outputType(spec) !== 'docker');
    if (others.length > 0) {
      found.push(
        `Inputs load and outputs conflict: load is the output type=docker, but outputs has ${others
          .map((spec) => JSON.stringify(spec))
          .join(', ')}; drop load or list type=docker in outputs`,
      );
    }
  }
  if (options.cache === 'registry' && options.cacheRef === undefined) {
    found.push('Input cache-ref is required when cache is registry (for example ghcr.io/acme/app-cache)');
  }
  const cacheSource =
    nonEmpty(raw.cache) === undefined
      ? ` (the default ${environment === 'actions' ? 'on a runner' : 'outside Actions'})`
      : '';
  if (options.cacheRef !== undefined && options.cache !== 'registry') {
    found.push(
      `Inputs cache-ref and cache conflict: cache-ref applies to cache: registry, but cache is ${options.cache}${cacheSource}`,
    );
  }
  if (options.cacheDir !== undefined && options.cache !== 'local') {
    found.push(
      `Inputs cache-dir and cache conflict: cache-dir applies to cache: local, but cache is ${options.cache}${cacheSource}`,
    );
  }
  const fromSecrets = new Set(options.secrets.map((secret) => secret.id));
  const twice = [
    ...new Set(options.secretFiles.map((secret) => secret.id).filter((id) => fromSecrets.has(id))),
  ];
  if (twice.length > 0) {
    found.push(
      `Inputs secrets and secret-files conflict: both define the secret id ${twice.map((id) => JSON.stringify(id)).join(', ')}`,
    );
  }
  return found;
}

// YAML 1.2 core booleans, as @actions/core getBooleanInput accepts them.
const TRUE_VALUES = new Set(['true', 'True', 'TRUE']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE']);

/** A boolean input: `true` or `false` (YAML 1.2 core spellings); empty means the default. */
export function parseBoolean(input: InputName, value: string | undefined, fallback: boolean): boolean {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return fallback;
  if (TRUE_VALUES.has(trimmed)) return true;
  if (FALSE_VALUES.has(trimmed)) return false;
  throw new InputError(`Input ${input}: expected true or false, got ${JSON.stringify(value)}`);
}

function parseMode(value: string | undefined): RunMode {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return 'auto';
  if ((RUN_MODES as readonly string[]).includes(trimmed)) return trimmed as RunMode;
  throw new InputError(`Input mode: expected one of ${RUN_MODES.join(', ')}, got ${JSON.stringify(value)}`);
}

function parseCommentMode(value: string | undefined): CommentMode {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return 'always';
  if ((COMMENT_MODES as readonly string[]).includes(trimmed)) return trimmed as CommentMode;
  throw new InputError(
    `Input comment: expected one of ${COMMENT_MODES.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** A parser applied to a non-empty value (trimmed); empty means undefined. */
function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  const trimmed = nonEmpty(value);
  return trimmed === undefined ? undefined : parse(trimmed);
}

/** One image reference, as `docker buildx imagetools inspect` takes it. */
function parseBaselineImage(value: string | undefined): string | undefined {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return undefined;
  if (/[\s,]/.test(trimmed)) {
    throw new InputError(
      `Input baseline-image: expected one image reference such as ghcr.io/acme/app:main, got ${JSON.stringify(value)}`,
    );
  }
  return trimmed;
}

function parseCache(value: string | undefined, environment: RunEnvironment): CacheBackend {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return defaultCache(environment);
  if ((CACHE_BACKENDS as readonly string[]).includes(trimmed)) return trimmed as CacheBackend;
  throw new InputError(
    `Input cache: expected one of ${CACHE_BACKENDS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** Newline-separated items that can never contain a comma; one that does is a list written the wrong way. */
function parseNoCommaLines(input: InputName, value: string | undefined, hint: string): string[] {
  const items = splitLines(value);
  for (const item of items) {
    if (item.includes(',')) {
      throw new InputError(
        `Input ${input}: ${hint} (only platforms also splits on commas), got ${JSON.stringify(item)}`,
      );
    }
    if (/\s/.test(item)) throw new InputError(`Input ${input}: ${hint}, got ${JSON.stringify(item)}`);
  }
  return items;
}

function parseAnnotations(value: string | undefined): string[] {
  const items = splitLines(value);
  for (const item of items) {
    if (item.indexOf('=') <= 0) {
      throw new InputError(
        `Input annotations: expected KEY=VALUE or TYPE:KEY=VALUE (such as manifest:org.opencontainers.image.title=app), got ${JSON.stringify(item)}`,
      );
    }
  }
  return items;
}

function parseSecrets(value: string | undefined): SecretValue[] {
  return splitQuotedItems('secrets', value).map((item) => {
    const eq = item.indexOf('=');
    const id = eq === -1 ? '' : item.slice(0, eq).trim();
    // The message must not echo the item: it may be a secret written the wrong way.
    if (id === '')
      throw new InputError('Input secrets: expected ID=VALUE on each line (the value is not shown)');
    return { id, value: item.slice(eq + 1) };
  });
}

function parseSecretFiles(value: string | undefined): SecretFile[] {
  return splitQuotedItems('secret-files', value).map((item) => {
    const eq = item.indexOf('=');
    const id = eq === -1 ? '' : item.slice(0, eq).trim();
    const file = eq === -1 ? '' : item.slice(eq + 1).trim();
    if (id === '' || file === '') {
      throw new InputError(`Input secret-files: expected ID=PATH, got ${JSON.stringify(item)}`);
    }
    return { id, path: file };
  });
}

function parseNetwork(value: string | undefined): string | undefined {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return undefined;
  if ((NETWORK_MODES as readonly string[]).includes(trimmed)) return trimmed;
  throw new InputError(
    `Input network: expected one of ${NETWORK_MODES.join(', ')} (BuildKit's modes for RUN), got ${JSON.stringify(value)}`,
  );
}

function parseAddHosts(value: string | undefined): string[] {
  const items = parseNoCommaLines('add-hosts', value, 'one HOST:IP per line');
  for (const item of items) {
    if (!/^[^:=\s]+[:=]\S+$/.test(item)) {
      throw new InputError(
        `Input add-hosts: expected HOST:IP such as docker:10.180.0.1, got ${JSON.stringify(item)}`,
      );
    }
  }
  return items;
}

/** go-units RAMInBytes, which buildx uses for `--shm-size`: a number and an optional binary unit. */
function parseShmSize(value: string | undefined): string | undefined {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return undefined;
  if (/^\d+(\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$/.test(trimmed)) return trimmed;
  throw new InputError(`Input shm-size: expected a size such as 2g or 512m, got ${JSON.stringify(value)}`);
}

// The names go-units ParseUlimit knows.
const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

function parseUlimits(value: string | undefined): string[] {
  const items = splitLines(value);
  for (const item of items) {
    const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(item);
    const name = match?.[1];
    if (match === null || name === undefined || !ULIMIT_NAMES.has(name)) {
      throw new InputError(
        `Input ulimit: expected TYPE=SOFT[:HARD] such as nofile=1024:1024, got ${JSON.stringify(item)}`,
      );
    }
    const soft = Number(match[2]);
    const hard = match[3] === undefined ? soft : Number(match[3]);
    if (soft !== -1 && hard !== -1 && soft > hard) {
      throw new InputError(`Input ulimit: the soft limit exceeds the hard limit in ${JSON.stringify(item)}`);
    }
  }
  return items;
}

/** `provenance` / `sbom`: `true`, `false`, or buildx attestation attributes (`mode=max`, `generator=...`). */
function parseAttestation(input: 'provenance' | 'sbom', value: string | undefined): string | undefined {
  const trimmed = nonEmpty(value);
  if (trimmed === undefined) return undefined;
  if (TRUE_VALUES.has(trimmed)) return 'true';
  if (FALSE_VALUES.has(trimmed)) return 'false';
  const fields = trimmed.split(',').map((field) => field.trim());
  if (fields.every((field) => /^[A-Za-z][\w.-]*=/.test(field)) && !/(^|,)\s*type=/i.test(trimmed)) {
    return trimmed;
  }
  throw new InputError(
    `Input ${input}: expected true, false or attributes such as ${input === 'provenance' ? 'mode=max' : 'generator=IMAGE'} (without type=), got ${JSON.stringify(value)}`,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
