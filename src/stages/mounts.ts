// `RUN --mount=...` and `RUN --device=...` values (BuildKit's instructions/commands_runmount.go and
// commands_rundevice.go), split as CSV the way BuildKit's csvvalue package does (encoding/csv rules).
//
// BuildKit reads a mount twice. While parsing instructions (every stage) it has no expander and looks at
// `from=` only. When it builds a stage it re-reads the mount with each value expanded and checks
// everything else. `readMount` is the first pass, `parseMount` the second.
import { DockerfileError } from '../dockerfile/index.js';
import { goQuote, isAscii } from '../dockerfile/go-text.js';
import type { MountSharing, MountType, RunMount } from './instructions.js';
import { goToLower, withSuggestion } from './flags.js';

/** Expands one value, as BuildKit's `SingleWordExpander`; it may throw. */
export type WordExpander = (word: string) => string;

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly MountSharing[] = ['shared', 'private', 'locked'];
const MOUNT_KEYS: readonly string[] = [
  'type',
  'from',
  'source',
  'target',
  'readonly',
  'id',
  'sharing',
  'required',
  'size',
  'mode',
  'uid',
  'gid',
  'src',
  'dst',
  'destination',
  'ro',
  'rw',
  'readwrite',
  'env',
];

/**
 * The parse-time reading of a mount, which BuildKit does for every stage: a CSV error, or a `from=` with
 * a `$` anywhere but at the end, fails; nothing else is checked. The result interprets the values as
 * written; if they break a rule BuildKit checks when it builds the stage, `deferredError` holds BuildKit's
 * message for the text as written (a variable may still make it valid once expanded).
 */
export function readMount(value: string): RunMount {
  const fields = csvFields(value, 'mounts');
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0 || goToLower(field.slice(0, eq)) !== 'from') continue;
    const from = field.slice(eq + 1);
    const dollar = from.indexOf('$');
    if (dollar !== -1 && dollar !== from.length - 1) {
      throw new DockerfileError("'from' doesn't support variable expansion, define alias stage instead");
    }
  }
  let deferredError: string | undefined;
  const mount = interpretMount(
    value,
    fields,
    (word) => word,
    (message) => {
      deferredError ??= message;
    },
  );
  return deferredError === undefined ? mount : { ...mount, deferredError };
}

/**
 * The build-time reading of a mount: each `key=value` value is expanded with `expand` (the identity when
 * omitted), then every rule applies, with BuildKit's messages.
 */
export function parseMount(value: string, expand: WordExpander = (word) => word): RunMount {
  return interpretMount(value, csvFields(value, 'mounts'), expand, (message) => {
    throw new DockerfileError(message);
  });
}

interface MutableMount {
  type: MountType;
  from: string | undefined;
  source: string | undefined;
  target: string | undefined;
  readOnly: boolean;
  id: string | undefined;
  sharing: MountSharing | undefined;
  mode: string | undefined;
  uid: string | undefined;
  gid: string | undefined;
  size: string | undefined;
  required: boolean | undefined;
  env: string | undefined;
}

/** `fail` either throws or records the message; after it returns, the offending field is skipped. */
function interpretMount(
  raw: string,
  fields: readonly string[],
  expand: WordExpander,
  fail: (message: string) => void,
): RunMount {
  const m: MutableMount = {
    type: 'bind',
    from: undefined,
    source: undefined,
    target: undefined,
    readOnly: false,
    id: undefined,
    sharing: undefined,
    mode: undefined,
    uid: undefined,
    gid: undefined,
    size: undefined,
    required: undefined,
    env: undefined,
  };
  let roAuto = true;
  const unexpectedFor = (key: string): string => `unexpected key '${key}' for mount type '${m.type}'`;

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = goToLower(eq < 0 ? field : field.slice(0, eq));
    if (eq < 0) {
      switch (key) {
        case 'readonly':
        case 'ro':
          m.readOnly = true;
          roAuto = false;
          break;
        case 'readwrite':
        case 'rw':
          m.readOnly = false;
          roAuto = false;
          break;
        case 'required':
          if (m.type === 'secret' || m.type === 'ssh') m.required = true;
          else fail(unexpectedFor(key));
          break;
        default:
          fail(`invalid field '${field}' must be a key=value pair`);
      }
      continue;
    }

    const value = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const type = goToLower(value);
        if (isOneOf(type, MOUNT_TYPES)) m.type = type;
        else fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        break;
      }
      case 'from':
        m.from = nonEmpty(value);
        break;
      case 'source':
      case 'src':
        m.source = nonEmpty(value);
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = nonEmpty(value);
        break;
      case 'readonly':
      case 'ro':
      case 'readwrite':
      case 'rw': {
        const flag = parseGoBool(value);
        if (flag === undefined) {
          fail(`invalid value for ${key}: ${value}`);
          break;
        }
        m.readOnly = key === 'readonly' || key === 'ro' ? flag : !flag;
        roAuto = false;
        break;
      }
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') {
          fail(unexpectedFor(key));
          break;
        }
        m.required = parseGoBool(value);
        if (m.required === undefined) fail(`invalid value for ${key}: ${value}`);
        break;
      case 'size':
        if (m.type !== 'tmpfs') fail(unexpectedFor(key));
        else if (!isRamSize(value)) fail(`invalid value for ${key}: ${value}`);
        else m.size = value;
        break;
      case 'id':
        m.id = nonEmpty(value);
        break;
      case 'sharing': {
        const sharing = goToLower(value);
        if (isOneOf(sharing, SHARING_MODES)) m.sharing = sharing;
        else fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING_MODES, true));
        break;
      }
      case 'mode':
      case 'uid':
      case 'gid':
        if (!isGoUint32(value, key === 'mode' ? 8 : 10)) fail(`invalid value ${value} for ${key}`);
        else m[key] = value;
        break;
      case 'env':
        m.env = nonEmpty(value);
        break;
      default:
        fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, MOUNT_KEYS, true));
    }
  }

  if (m.type !== 'secret' && m.type !== 'ssh' && m.type !== 'cache') {
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (m[key] !== undefined) fail(`${key} not allowed for ${goQuote(m.type)} type mounts`);
    }
  }
  if (roAuto) m.readOnly = m.type !== 'cache' && m.type !== 'tmpfs';
  if (m.type === 'secret') {
    if (m.from !== undefined) fail('secret mount should not have a from');
    if (m.sharing !== undefined) fail('secret mount should not define sharing');
    if (m.source === undefined && m.target === undefined && m.id === undefined) {
      fail('invalid secret mount. one of source, target required');
    }
    if (m.source !== undefined && m.id !== undefined) fail("both source and id can't be set");
  }
  if (m.sharing !== undefined && m.type !== 'cache') fail(`invalid cache sharing set for ${m.type} mount`);

  return { ...m, raw };
}

/** A `--device` value (BuildKit's `ParseDevice`): the CDI device name and whether it is required. */
export interface RunDevice {
  readonly name: string;
  readonly required: boolean;
}

export function parseDevice(value: string): RunDevice {
  let name = '';
  let required = false;
  for (const field of csvFields(value, 'devices')) {
    const eq = field.indexOf('=');
    const key = goToLower(eq < 0 ? field : field.slice(0, eq));
    if (eq < 0) {
      if (key === 'required') required = true;
      else if (name === '') name = field;
      else throw new DockerfileError(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const fieldValue = field.slice(eq + 1);
    if (key === 'name') {
      if (name !== '') throw new DockerfileError(`device name already set to ${name}`);
      name = fieldValue;
    } else if (key === 'required') {
      const flag = parseGoBool(fieldValue);
      if (flag === undefined) throw new DockerfileError(`invalid value for ${key}: ${fieldValue}`);
      required = flag;
    } else if (name === '') {
      name = field;
    } else {
      throw new DockerfileError(
        withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true),
      );
    }
  }
  return { name, required };
}

/**
 * One CSV record, as BuildKit's csvvalue package reads it (encoding/csv rules: `"` quotes a whole field,
 * `""` inside it is a quote, a bare `"` elsewhere is an error). Errors carry encoding/csv's text.
 */
export function csvFields(line: string, what: 'mounts' | 'devices'): string[] {
  const fail = (reason: string, at?: number): never => {
    const detail =
      at === undefined ? reason : `parse error on line 1, column ${byteColumn(line, at)}: ${reason}`;
    throw new DockerfileError(`failed to parse csv ${what}: ${detail}`);
  };
  let text = line;
  if (text.endsWith('\r\n')) text = text.slice(0, -2);
  else if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text === '') return fail('EOF');

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (pos >= text.length || text[pos] !== '"') {
      const comma = text.indexOf(',', pos);
      const field = comma >= 0 ? text.slice(pos, comma) : text.slice(pos);
      const quote = field.indexOf('"');
      if (quote >= 0) fail(BARE_QUOTE, pos + quote);
      fields.push(field);
      if (comma < 0) return fields;
      pos = comma + 1;
      continue;
    }
    pos++; // opening quote
    let field = '';
    for (;;) {
      const quote = text.indexOf('"', pos);
      if (quote < 0) return fail(EXTRANEOUS_QUOTE, pos);
      field += text.slice(pos, quote);
      pos = quote + 1;
      if (text[pos] === '"') {
        field += '"';
        pos++;
      } else if (text[pos] === ',') {
        pos++;
        break;
      } else if (pos >= text.length) {
        fields.push(field);
        return fields;
      } else {
        return fail(EXTRANEOUS_QUOTE, pos - 1);
      }
    }
    fields.push(field);
  }
}

const BARE_QUOTE = 'bare " in non-quoted-field';
const EXTRANEOUS_QUOTE = 'extraneous or missing " in quoted-field';

/** encoding/csv counts columns in bytes, from 1. */
function byteColumn(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length + 1;
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** Go's `strconv.ParseUint(value, base, 32)` succeeds (no sign, no underscores). */
function isGoUint32(value: string, base: 8 | 10): boolean {
  const digits = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  return digits.test(value) && BigInt(base === 8 ? `0o${value}` : value) <= 0xffffffffn;
}

// Go's strconv.ParseFloat syntax: decimal with optional exponent, or hexadecimal with a `p` exponent.
const GO_FLOAT =
  /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)$/;
const BINARY_UNITS = new Set(['k', 'm', 'g', 't', 'p']);

/** docker/go-units `RAMInBytes` accepts the value: a number, optionally a space, then `b`, `k`, `kb`, `kib`... */
function isRamSize(size: string): boolean {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) return false;
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1);
  const rawSuffix = size.slice(sep + 1);
  if (!GO_FLOAT.test(num)) return false;
  const amount = num.startsWith('0x') || num.startsWith('0X') ? hexFloat(num) : Number(num);
  if (!Number.isFinite(amount) || amount < 0) return false;
  if (rawSuffix === '') return true;
  // The length is checked in bytes before lowercasing (so the Kelvin sign passes as `k`).
  if (new TextEncoder().encode(rawSuffix).length > 3) return false;
  const suffix = goToLower(rawSuffix);
  if (!isAscii(suffix)) return false;
  if (suffix === 'b') return true;
  if (!BINARY_UNITS.has(suffix[0]!)) return false;
  return suffix.length === 1 || (suffix.length === 2 ? suffix[1] === 'b' : suffix.slice(1) === 'ib');
}

function hexFloat(text: string): number {
  const match = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text);
  if (match === null) return Number.NaN;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const mantissa = Number.parseInt(`${whole}${fraction}` || '0', 16) / 16 ** fraction.length;
  return (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent);
}
