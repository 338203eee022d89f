// Instruction flags (BuildKit's instructions/bflag.go) and the "did you mean" hint BuildKit adds to
// unknown names (util/suggest/error.go at the repository root).
import { DockerfileError } from '../dockerfile/index.js';
import { isAscii } from '../dockerfile/go-text.js';

/** `bool`: `--f`, `--f=true`, `--f=false`; `string`: `--f=v`; `strings`: `--f=v`, repeatable. */
export type FlagKind = 'bool' | 'string' | 'strings';

/** The flags one instruction accepts, by name without the dashes, in the order BuildKit declares them. */
export type FlagDeclarations = Readonly<Record<string, FlagKind>>;

type FlagValue<K extends FlagKind> = K extends 'bool'
  ? boolean | undefined
  : K extends 'string'
    ? string | undefined
    : readonly string[];

/** Parsed flags: `undefined` for a `bool` or `string` flag that was not given, `[]` for a list flag. */
export type FlagValues<D extends FlagDeclarations> = { readonly [K in keyof D]: FlagValue<D[K]> };

export interface ParsedFlags<D extends FlagDeclarations> {
  readonly values: FlagValues<D>;
  /** Names (without dashes) of the flags that were given. */
  readonly used: ReadonlySet<string>;
}

// BuildKit's declarations per instruction (`req.flags.Add*` in instructions/parse.go and the RUN hooks).
// RUN's hooks run in file-name order: rundevice, runmount, runnetwork, runsecurity.
export const FROM_FLAGS = { platform: 'string' } as const satisfies FlagDeclarations;
export const COPY_FLAGS = {
  chown: 'string',
  from: 'string',
  chmod: 'string',
  link: 'bool',
  exclude: 'strings',
  parents: 'bool',
} as const satisfies FlagDeclarations;
/** No `--from`: `ADD --from=x` is `unknown flag: --from`. */
export const ADD_FLAGS = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  'keep-git-dir': 'bool',
  checksum: 'string',
  unpack: 'bool',
  exclude: 'strings',
} as const satisfies FlagDeclarations;
export const RUN_FLAGS = {
  device: 'strings',
  mount: 'strings',
  network: 'string',
  security: 'string',
} as const satisfies FlagDeclarations;
/** Only parsed for `HEALTHCHECK CMD`; `HEALTHCHECK NONE` ignores every flag, as BuildKit does. */
export const HEALTHCHECK_FLAGS = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
} as const satisfies FlagDeclarations;
/** Every other instruction that checks its flags accepts none. */
export const NO_FLAGS = {} as const satisfies FlagDeclarations;

// Declarations are a handful of constant objects; list each one's entries once (this runs per instruction).
const ENTRIES = new WeakMap<FlagDeclarations, readonly [string, FlagKind][]>();
function declarationEntries(declarations: FlagDeclarations): readonly [string, FlagKind][] {
  let entries = ENTRIES.get(declarations);
  if (entries === undefined) {
    entries = Object.entries(declarations) as [string, FlagKind][];
    ENTRIES.set(declarations, entries);
  }
  return entries;
}

const NO_FLAG_RESULTS = new WeakMap<FlagDeclarations, ParsedFlags<FlagDeclarations>>();
function noFlags(declarations: FlagDeclarations): ParsedFlags<FlagDeclarations> {
  let result = NO_FLAG_RESULTS.get(declarations);
  if (result === undefined) {
    const values: Record<string, readonly string[] | undefined> = {};
    for (const [name, kind] of declarationEntries(declarations)) {
      values[name] = kind === 'strings' ? Object.freeze([]) : undefined;
    }
    result = { values: Object.freeze(values) as FlagValues<FlagDeclarations>, used: new Set<string>() };
    NO_FLAG_RESULTS.set(declarations, result);
  }
  return result;
}

/**
 * Checks an instruction's flag words (as the parser extracted them, quotes removed) against its
 * declarations, with BuildKit's messages. A bare `--` ends the flags. Errors carry no location; the
 * instruction parser adds it.
 */
export function parseFlags<D extends FlagDeclarations>(
  args: readonly string[],
  declarations: D,
): ParsedFlags<D> {
  // Most instructions have no flags: they all share one frozen result per declaration set.
  if (args.length === 0) return noFlags(declarations) as ParsedFlags<D>;
  const values: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, kind] of declarationEntries(declarations)) {
    values[name] = kind === 'strings' ? [] : undefined;
  }
  const used = new Set<string>();

  for (const arg of args) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) throw new DockerfileError(`arg should start with -- : ${arg}`);
    const eq = arg.indexOf('=');
    const hasValue = eq >= 0;
    const flagName = hasValue ? arg.slice(0, eq) : arg;
    const value = hasValue ? arg.slice(eq + 1) : '';
    const name = flagName.slice(2);

    const kind = Object.hasOwn(declarations, name) ? declarations[name] : undefined;
    if (kind === undefined) {
      throw new DockerfileError(
        withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(declarations), true),
      );
    }
    if (used.has(name) && kind !== 'strings') {
      throw new DockerfileError(`duplicate flag specified: ${flagName}`);
    }
    used.add(name);

    switch (kind) {
      case 'bool': {
        // An empty value is only fine without `=`.
        if (hasValue && value === '') throw new DockerfileError(`missing a value on flag: ${flagName}`);
        const lower = goToLower(value);
        if (lower === 'true' || lower === '') values[name] = true;
        else if (lower === 'false') values[name] = false;
        else throw new DockerfileError(`expecting boolean value for flag ${flagName}, not: ${value}`);
        break;
      }
      case 'string':
        if (!hasValue) throw new DockerfileError(`missing a value on flag: ${flagName}`);
        values[name] = value;
        break;
      case 'strings':
        if (!hasValue) throw new DockerfileError(`missing a value on flag: ${flagName}`);
        (values[name] as string[]).push(value);
        break;
      default: {
        const unreachable: never = kind;
        throw new Error(`unknown flag kind ${String(unreachable)}`);
      }
    }
  }
  return { values: values as FlagValues<D>, used };
}

/**
 * The closest option to `value` within an edit distance of 2, spelled in `value`'s case when
 * case-insensitive (BuildKit's `suggest.Search`); `undefined` when there is none or `value` is itself
 * an option. Where BuildKit draws the options from a Go map, ties between equally close options go to
 * whichever the map yields first, which varies; here the first in `options` wins.
 */
export function suggest(
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string | undefined {
  const wanted = caseSensitive ? value : goToLower(value);
  let match: string | undefined;
  let best = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : goToLower(option);
    if (candidate === wanted) return undefined;
    // Lengths that differ by 3 or more cannot be within the distance; skip the quadratic comparison.
    if (Math.abs(candidate.length - wanted.length) > 2) continue;
    const distance = levenshtein(wanted, candidate);
    if (distance < best) {
      match = caseSensitive ? candidate : matchCase(candidate, value);
      best = distance;
    }
  }
  return match === '' ? undefined : match;
}

/** `message (did you mean X?)` when a close option exists (BuildKit's `suggest.WrapError`). */
export function withSuggestion(
  message: string,
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}

function matchCase(option: string, original: string): string {
  if (original === goToLower(original)) return goToLower(option);
  if (original === goToUpper(original)) return goToUpper(option);
  return option;
}

/**
 * Go's `strings.ToLower`: one code point to one, by Unicode's simple mapping. JavaScript's `toLowerCase`
 * also applies the multi-character and context rules (`İ` → `i̇`, a final `Σ` → `ς`).
 */
export function goToLower(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const lower = ch === '\u0130' ? 'i' : ch.toLowerCase();
    out += Array.from(lower).length === 1 ? lower : ch;
  }
  return out;
}

/** Go's `strings.ToUpper`: `ß` stays `ß` where JavaScript gives `SS`. */
export function goToUpper(text: string): string {
  if (isAscii(text)) return text.toUpperCase();
  let out = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    out += Array.from(upper).length === 1 ? upper : ch;
  }
  return out;
}

/** Edit distance over code points, each insertion, deletion and substitution costing 1. */
export function levenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  let previous = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const substitution = previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[t.length]!;
}
