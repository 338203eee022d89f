// One validated Options value from raw inputs, whether they came from action.yml inputs or CLI flags.
import path from 'node:path';

/** Input names as action.yml and the CLI spell them. */
export const INPUTS = ['file', 'context', 'target', 'build-args', 'build-contexts', 'platforms'] as const;
export type InputName = (typeof INPUTS)[number];
export type RawInputs = Partial<Record<InputName, string>>;

export const OUTPUTS = ['stages', 'skipped-stages', 'target', 'plan'] as const;
export type OutputName = (typeof OUTPUTS)[number];

export interface Options {
  /** The Dockerfile, relative to the workspace. */
  readonly file: string;
  readonly context: string;
  readonly target: string | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly buildContexts: ReadonlyMap<string, string>;
  readonly platforms: readonly string[];
}

/** A bad input value: the message names the input and what was expected. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

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

export function toOptions(raw: RawInputs): Options {
  const context = nonEmpty(raw.context) ?? '.';
  const file = nonEmpty(raw.file) ?? path.join(context, 'Dockerfile');
  const platforms = splitLines(raw.platforms).flatMap((line) =>
    line
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
  return {
    file,
    context,
    target: nonEmpty(raw.target),
    buildArgs: parseKeyValueLines('build-args', raw['build-args']),
    buildContexts: parseKeyValueLines('build-contexts', raw['build-contexts']),
    platforms,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
