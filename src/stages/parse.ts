// Syntax tree → typed, validated instructions grouped into stages (BuildKit's instructions/parse.go).
// Words stay as written; each instruction is checked as BuildKit checks it, in the same order, so the
// first error and its message are BuildKit's.
import {
  chompHeredocContent,
  DockerfileError,
  parseHeredocWord,
  UnknownInstructionError,
  withLocation,
  type DockerfileAst,
  type Heredoc,
  type InstructionNode,
} from '../dockerfile/index.js';
import { goQuote, goTrimSpace } from '../dockerfile/go-text.js';
import {
  ADD_FLAGS,
  COPY_FLAGS,
  FROM_FLAGS,
  HEALTHCHECK_FLAGS,
  NO_FLAGS,
  goToLower,
  goToUpper,
  parseFlags,
  RUN_FLAGS,
  suggest,
} from './flags.js';
import type {
  ArgDeclaration,
  CommandLine,
  Instruction,
  KeyValue,
  SourcesAndDest,
  Stage,
  StagedDockerfile,
} from './instructions.js';
import { parseDevice, readMount } from './mounts.js';

/** What a FROM line holds before it becomes a `Stage`. */
interface FromInstruction {
  readonly kind: 'from';
  readonly name: string | undefined;
  readonly rawName: string | undefined;
  readonly baseName: string;
  readonly platform: string | undefined;
}

type MetaArg = StagedDockerfile['metaArgs'][number];

/** The instruction keywords, in BuildKit's `command` package order; they are the "did you mean" options. */
const INSTRUCTION_NAMES: readonly string[] = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

/**
 * Every instruction typed and checked, the ARGs before the first FROM as meta args, and the rest grouped
 * by stage (BuildKit's `instructions.Parse`). An instruction error reads
 * `dockerfile parse error on line <first line>: <message>`; an instruction before the first FROM fails
 * with `no build stage in current context`, unprefixed. Every error carries the instruction's lines.
 */
export function parseStages(ast: DockerfileAst): StagedDockerfile {
  const metaArgs: MetaArg[] = [];
  const stages: { stage: Omit<Stage, 'instructions' | 'range'>; instructions: Instruction[] }[] = [];

  for (const node of ast.instructions) {
    let parsed: Instruction | FromInstruction;
    try {
      parsed = parseInstruction(node);
    } catch (error) {
      throw wrapParseError(error, node);
    }
    if (parsed.kind === 'from') {
      stages.push({
        stage: {
          index: stages.length,
          name: parsed.name,
          rawName: parsed.rawName,
          baseName: parsed.baseName,
          platform: parsed.platform,
          fromRange: node.range,
          comments: node.comments,
        },
        instructions: [],
      });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (parsed.kind === 'arg') {
        metaArgs.push(parsed);
        continue;
      }
      throw new DockerfileError('no build stage in current context', [node.range]);
    }
    current.instructions.push(parsed);
  }

  return {
    metaArgs,
    stages: stages.map(({ stage, instructions }) => ({
      index: stage.index,
      name: stage.name,
      rawName: stage.rawName,
      baseName: stage.baseName,
      platform: stage.platform,
      instructions,
      fromRange: stage.fromRange,
      range: { start: stage.fromRange.start, end: instructions.at(-1)?.range.end ?? stage.fromRange.end },
      comments: stage.comments,
    })),
    escapeToken: ast.escapeToken,
  };
}

/**
 * One instruction that is not a FROM (BuildKit's `ParseCommand`), e.g. an ONBUILD trigger parsed on its
 * own. Errors carry the instruction's lines but no `dockerfile parse error` prefix.
 */
export function parseCommand(node: InstructionNode): Instruction {
  let parsed: Instruction | FromInstruction;
  try {
    parsed = parseInstruction(node);
  } catch (error) {
    throw withLocation(error, node.range);
  }
  if (parsed.kind === 'from') {
    throw new DockerfileError('*instructions.Stage is not a command type', [node.range]);
  }
  return parsed;
}

function wrapParseError(error: unknown, node: InstructionNode): DockerfileError {
  const inner = error instanceof Error ? error.message : String(error);
  const message = `dockerfile parse error on line ${node.range.start}: ${inner}`;
  if (error instanceof UnknownInstructionError) {
    // Keep the type callers branch on; BuildKit's parseError unwraps to it as well.
    const wrapped = new UnknownInstructionError(error.instruction, node.range);
    wrapped.message = message;
    return wrapped;
  }
  return new DockerfileError(message, [node.range], undefined, { cause: error });
}

/** An error without a location yet; the callers above attach the instruction's lines. */
function fail(message: string): never {
  throw new DockerfileError(message);
}

const errAtLeastOneArgument = (command: string): never => fail(`${command} requires at least one argument`);
const errExactlyOneArgument = (command: string): never => fail(`${command} requires exactly one argument`);
const errNoDestinationArgument = (command: string): never =>
  fail(
    `${command} requires at least two arguments, but only one was provided. Destination could not be determined`,
  );
const errBadHeredoc = (command: string, option: string): never =>
  fail(`${command} cannot accept a heredoc as ${option}`);
const errBlankCommandNames = (command: string): never => fail(`${command} names can not be blank`);
const errTooManyArguments = (command: string): never => fail(`Bad input to ${command}, too many arguments`);
// The Linux text (errors_unix.go); BuildKit on Windows adds a hint about unescaped backslashes.
const errNotJson = (command: string): never => fail(`${command} requires the arguments to be in JSON form`);

/** BuildKit's `ParseInstruction`: dispatch on the lowercased keyword. */
function parseInstruction(node: InstructionNode): Instruction | FromInstruction {
  switch (node.keyword) {
    case 'env':
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'env', range: node.range, node, env: parseKeyValues(node.args, 'ENV') };
    case 'maintainer':
      if (node.args.length !== 1) errExactlyOneArgument('MAINTAINER');
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'maintainer', range: node.range, node, maintainer: node.args[0]! };
    case 'label':
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'label', range: node.range, node, labels: parseKeyValues(node.args, 'LABEL') };
    case 'add': {
      if (node.args.length < 2) errNoDestinationArgument('ADD');
      const { values } = parseFlags(node.flags, ADD_FLAGS);
      return {
        kind: 'add',
        range: node.range,
        node,
        files: parseSourcesAndDest(node, 'ADD'),
        chown: nonEmpty(values.chown),
        chmod: nonEmpty(values.chmod),
        link: values.link ?? false,
        keepGitDir: values['keep-git-dir'],
        checksum: nonEmpty(values.checksum),
        unpack: values.unpack,
        exclude: values.exclude,
      };
    }
    case 'copy': {
      if (node.args.length < 2) errNoDestinationArgument('COPY');
      const { values } = parseFlags(node.flags, COPY_FLAGS);
      return {
        kind: 'copy',
        range: node.range,
        node,
        files: parseSourcesAndDest(node, 'COPY'),
        from: nonEmpty(values.from),
        chown: nonEmpty(values.chown),
        chmod: nonEmpty(values.chmod),
        link: values.link ?? false,
        parents: values.parents ?? false,
        exclude: values.exclude,
      };
    }
    case 'from':
      return parseFrom(node);
    case 'onbuild':
      return parseOnBuild(node);
    case 'workdir':
      if (node.args.length !== 1) errExactlyOneArgument('WORKDIR');
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'workdir', range: node.range, node, path: node.args[0]! };
    case 'run': {
      const { values } = parseFlags(node.flags, RUN_FLAGS);
      // BuildKit's RUN hooks, in their order: devices, mounts, network, security.
      for (const device of values.device) parseDevice(device);
      const mounts = values.mount.map(readMount);
      const network = values.network ?? 'default';
      if (!['default', 'none', 'host'].includes(network)) fail(`invalid network mode ${goQuote(network)}`);
      const security = values.security ?? 'sandbox';
      if (!['insecure', 'sandbox'].includes(security)) fail(`security ${goQuote(security)} is not valid`);
      return {
        kind: 'run',
        range: node.range,
        node,
        command: commandLine(node),
        heredocs: node.heredocs,
        mounts,
        network: values.network,
        security: values.security,
        devices: values.device,
      };
    }
    case 'cmd':
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'cmd', range: node.range, node, command: commandLine(node) };
    case 'healthcheck':
      return parseHealthcheck(node);
    case 'entrypoint':
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'entrypoint', range: node.range, node, command: commandLine(node) };
    case 'expose':
      if (node.args.length === 0) errAtLeastOneArgument('EXPOSE');
      parseFlags(node.flags, NO_FLAGS);
      // BuildKit sorts the ports (byte order; ports are ASCII).
      return { kind: 'expose', range: node.range, node, ports: [...node.args].sort(compareStrings) };
    case 'user':
      if (node.args.length !== 1) errExactlyOneArgument('USER');
      parseFlags(node.flags, NO_FLAGS);
      return { kind: 'user', range: node.range, node, user: node.args[0]! };
    case 'volume': {
      if (node.args.length === 0) errAtLeastOneArgument('VOLUME');
      parseFlags(node.flags, NO_FLAGS);
      const volumes = node.args.map((volume) => goTrimSpace(volume));
      if (volumes.includes('')) fail('VOLUME specified can not be an empty string');
      return { kind: 'volume', range: node.range, node, volumes };
    }
    case 'stopsignal':
      // BuildKit never checks STOPSIGNAL's flags.
      if (node.args.length !== 1) errExactlyOneArgument('STOPSIGNAL');
      return { kind: 'stopsignal', range: node.range, node, signal: node.args[0]! };
    case 'arg':
      // Nor ARG's.
      return { kind: 'arg', range: node.range, node, args: parseArgs(node.args) };
    case 'shell': {
      parseFlags(node.flags, NO_FLAGS);
      const { args } = commandLine(node);
      if (args.length === 0) errAtLeastOneArgument('SHELL');
      if (!node.json) errNotJson('SHELL');
      return { kind: 'shell', range: node.range, node, shell: args };
    }
    default: {
      const suggestion = suggest(node.rawKeyword, INSTRUCTION_NAMES, false);
      throw new UnknownInstructionError(node.rawKeyword, node.range, suggestion);
    }
  }
}

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function parseFrom(node: InstructionNode): FromInstruction {
  const { args } = node;
  let name: string | undefined;
  let rawName: string | undefined;
  if (args.length === 3 && isAs(args[1]!)) {
    rawName = args[2]!;
    name = goToLower(rawName);
    if (!STAGE_NAME.test(name)) {
      fail(
        `invalid name for build stage: ${goQuote(rawName)}, name can't start with a number or contain symbols`,
      );
    }
  } else if (args.length !== 1) {
    fail('FROM requires either one or three arguments');
  }
  const { values } = parseFlags(node.flags, FROM_FLAGS);
  return { kind: 'from', name, rawName, baseName: args[0]!, platform: nonEmpty(values.platform) };
}

/** `strings.EqualFold(word, "as")`: Go's simple folding also matches `ſ` (U+017F) to `s`. */
function isAs(word: string): boolean {
  return /^[aA][sS\u017f]$/.test(word);
}

function parseOnBuild(node: InstructionNode): Extract<Instruction, { kind: 'onbuild' }> {
  const trigger = node.onbuild;
  if (trigger === undefined) return errAtLeastOneArgument('ONBUILD');
  parseFlags(node.flags, NO_FLAGS);
  const keyword = goToUpper(goTrimSpace(trigger.rawKeyword));
  if (keyword === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (keyword === 'MAINTAINER' || keyword === 'FROM') fail(`${keyword} isn't allowed as an ONBUILD trigger`);
  // The trigger text as BuildKit stores it: the line without `ONBUILD`, then each heredoc body and its
  // terminator, so that re-parsing it downstream finds the bodies again.
  let expression = node.original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, '');
  for (const heredoc of node.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  return { kind: 'onbuild', range: node.range, node, expression, trigger };
}

function parseHealthcheck(node: InstructionNode): Extract<Instruction, { kind: 'healthcheck' }> {
  if (node.args.length === 0) errAtLeastOneArgument('HEALTHCHECK');
  const type = goToUpper(node.args[0]!);
  const rest = node.args.slice(1);
  if (type === 'NONE') {
    // BuildKit doesn't look at the flags of `HEALTHCHECK NONE`.
    if (rest.length !== 0) fail('HEALTHCHECK NONE takes no arguments');
    return {
      kind: 'healthcheck',
      range: node.range,
      node,
      test: ['NONE'],
      interval: undefined,
      timeout: undefined,
      startPeriod: undefined,
      startInterval: undefined,
      retries: undefined,
    };
  }
  const { values } = parseFlags(node.flags, HEALTHCHECK_FLAGS);
  if (type !== 'CMD') fail(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const command = joinShellForm(rest, node.json);
  if (command.length === 0) fail('Missing command after HEALTHCHECK CMD');
  const interval = checkInterval('interval', values.interval);
  const timeout = checkInterval('timeout', values.timeout);
  const startPeriod = checkInterval('start-period', values['start-period']);
  const startInterval = checkInterval('start-interval', values['start-interval']);
  let retries: number | undefined;
  if (values.retries !== undefined && values.retries !== '') {
    retries = parseGoInt32(values.retries);
    if (retries < 0) fail(`--retries cannot be negative (${retries})`);
  }
  return {
    kind: 'healthcheck',
    range: node.range,
    node,
    test: [node.json ? 'CMD' : 'CMD-SHELL', ...command],
    interval,
    timeout,
    startPeriod,
    startInterval,
    retries,
  };
}

/** BuildKit's `parseOptInterval`: empty is unset, zero is fine, anything else at least 1ms. */
function checkInterval(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const nanoseconds = parseGoDuration(value);
  if (nanoseconds !== 0n && nanoseconds < 1_000_000n) {
    fail(`Interval ${goQuote(name)} cannot be less than 1ms`);
  }
  return value;
}

/** Exec form as is; shell form joined into one string (BuildKit's `handleJSONArgs`). */
function joinShellForm(args: readonly string[], json: boolean): readonly string[] {
  if (args.length === 0) return [];
  return json ? args : [args.join(' ')];
}

function commandLine(node: InstructionNode): CommandLine {
  return { args: joinShellForm(node.args, node.json), prependShell: !node.json };
}

/** ENV and LABEL: the parser gives (key, value, delimiter) triples; an empty delimiter is `ENV k v`. */
function parseKeyValues(args: readonly string[], command: string): KeyValue[] {
  if (args.length === 0) errAtLeastOneArgument(command);
  if (args.length % 3 !== 0) errTooManyArguments(command);
  const pairs: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') errBlankCommandNames(command);
    pairs.push({ key: args[i]!, value: args[i + 1]!, noDelimiter: args[i + 2] === '' });
  }
  return pairs;
}

/** `ARG name` or `ARG name=value`, split at the first `=`. */
function parseArgs(args: readonly string[]): ArgDeclaration[] {
  if (args.length === 0) errAtLeastOneArgument('ARG');
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg, value: undefined };
    if (eq === 0) errBlankCommandNames('ARG');
    return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
  });
}

/**
 * COPY and ADD: the last word is the destination, every other word a source; a source that reads as a
 * heredoc operator becomes an inline file with that heredoc's body (BuildKit's `parseSourcesAndDest`).
 */
function parseSourcesAndDest(node: InstructionNode, command: string): SourcesAndDest {
  const sourceWords = node.args.slice(0, -1);
  const dest = node.args[node.args.length - 1]!;
  if (heredocWord(dest) !== undefined) errBadHeredoc(command, 'a destination');

  const bodies = new Map<string, Heredoc>();
  for (const heredoc of node.heredocs) bodies.set(heredoc.name, heredoc);
  const sources: string[] = [];
  const contents: SourcesAndDest['contents'][number][] = [];
  for (const word of sourceWords) {
    const heredoc = heredocWord(word);
    if (heredoc === undefined) {
      sources.push(word);
      continue;
    }
    // A heredoc word with no body (e.g. in JSON form) gives an empty file, as in BuildKit.
    const content = bodies.get(heredoc.name)?.content ?? '';
    contents.push({
      path: heredoc.name,
      data: heredoc.chomp ? chompHeredocContent(content) : content,
      expand: heredoc.expand,
    });
  }
  return { sources, contents, dest };
}

/** BuildKit's `MustParseHeredoc`: the word as a heredoc operator, lexing errors ignored. */
function heredocWord(word: string): ReturnType<typeof parseHeredocWord> {
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- Go's number and duration syntax, for HEALTHCHECK's flags ---

const MAX_DURATION = 1n << 63n;
const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** Go's `time.ParseDuration` in nanoseconds, throwing its messages. */
export function parseGoDuration(text: string): bigint {
  const invalid = (): never => fail(`time: invalid duration ${timeQuote(text)}`);
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') invalid();
  let total = 0n;
  while (s !== '') {
    if (s[0] !== '.' && !isDigit(s[0])) invalid();
    let whole = 0n;
    let i = 0;
    for (; isDigit(s[i]); i++) {
      if (whole > MAX_DURATION / 10n) invalid();
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > MAX_DURATION) invalid();
    }
    const hasWhole = i > 0;
    s = s.slice(i);
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        const next = fraction * 10n + BigInt(s.charCodeAt(j) - 48);
        if (fraction > (MAX_DURATION - 1n) / 10n || next > MAX_DURATION) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = j > 0;
      s = s.slice(j);
    }
    if (!hasWhole && !hasFraction) invalid();
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === 0) fail(`time: missing unit in duration ${timeQuote(text)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = DURATION_UNITS.get(unitName);
    if (unit === undefined) fail(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(text)}`);
    if (whole > MAX_DURATION / unit) invalid();
    let value = whole * unit!;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > MAX_DURATION) invalid();
    }
    total += value;
    if (total > MAX_DURATION) invalid();
  }
  if (negative) return -total;
  if (total > MAX_DURATION - 1n) invalid();
  return total;
}

/** The `time` package's own quoting: non-ASCII and control characters as `\x` bytes. */
function timeQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of new TextEncoder().encode(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

/** Go's `strconv.ParseInt(text, 10, 32)`, throwing its messages. */
export function parseGoInt32(text: string): number {
  const error = (reason: string): never => fail(`strconv.ParseInt: parsing ${goQuote(text)}: ${reason}`);
  let digits = text;
  const negative = digits.startsWith('-');
  if (negative || digits.startsWith('+')) digits = digits.slice(1);
  if (digits === '') error('invalid syntax');
  const maxUint64 = (1n << 64n) - 1n;
  let value = 0n;
  for (const ch of digits) {
    if (!isDigit(ch)) error('invalid syntax');
    if (value >= maxUint64 / 10n + 1n) error('value out of range');
    value = value * 10n + BigInt(ch.charCodeAt(0) - 48);
    if (value > maxUint64) error('value out of range');
  }
  const limit = 1n << 31n;
  if (negative ? value > limit : value >= limit) error('value out of range');
  return Number(negative ? -value : value);
}
