// Platform specifiers (`linux/arm64`, `windows(10.0.17763)/amd64`) as BuildKit reads them: a port of
// github.com/containerd/platforms v1.0.0-rc.4 (platforms.go, database.go, defaults*.go, cpuinfo*.go) as
// vendored in moby/buildkit. Go reads the host's GOOS/GOARCH/CPU variant itself; here the host is data:
// build it with `hostPlatform(process.platform, process.arch)` at the edge and pass it in.

import { goQuote } from '../dockerfile/go-text.js';

/** OCI image-spec `Platform`. Absent optional fields are Go's empty strings / nil slice. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
}

/** A platform specifier or platform that containerd rejects; `message` is containerd's text. */
export class InvalidPlatformError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidPlatformError';
  }
}

const ERR_INVALID_ARGUMENT = 'invalid argument';

const SPECIFIER_PATTERN = '^[A-Za-z0-9_.-]+$';
const OS_PATTERN = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';
const SPECIFIER_RE = new RegExp(SPECIFIER_PATTERN);
const OS_RE = new RegExp(OS_PATTERN);

/**
 * Host used when a caller passes none: what containerd's `DefaultSpec()` gives on linux/amd64, the usual
 * GitHub-hosted runner. Pass `hostPlatform(process.platform, process.arch)` to be exact.
 */
export const LINUX_AMD64: Platform = Object.freeze({ os: 'linux', architecture: 'amd64' });

// ---- database.go ----

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
]);

const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);

/** `normalizeOS`: lowercase, `macos` → `darwin`; empty means the host's OS. */
function normalizeOS(os: string, host: Platform): string {
  if (os === '') return host.os;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** `normalizeArch`: canonical architecture and variant names (`x86_64` → amd64, `armhf` → arm/v7, …). */
function normalizeArch(archIn: string, variantIn: string): [arch: string, variant: string] {
  let arch = archIn.toLowerCase();
  let variant = variantIn.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return [arch, variant];
}

// ---- platforms.go ----

/**
 * `platforms.Parse`: a specifier `<os>[(<osversion>[+<osfeature>]*)][/<arch>[/<variant>]]`, or a lone
 * architecture. A lone OS takes `host`'s architecture (and, for 32-bit arm, its variant unless v7); a lone
 * architecture takes `host`'s OS. Note containerd drops the default variant of a two-part `linux/arm`
 * (arm, no variant) but fills it in for a three-part arm64 (`linux/arm64/v8` → arm64/v8).
 * Throws {@link InvalidPlatformError} with containerd's message.
 */
export function parsePlatform(specifier: string, host: Platform = LINUX_AMD64): Platform {
  if (specifier.includes('*')) {
    throw invalid(`${goQuote(specifier)}: wildcards not yet supported: ${ERR_INVALID_ARGUMENT}`);
  }
  const parts = splitN(specifier, '/', 4);

  let os = '';
  let osVersion = '';
  let osFeatures: string[] | undefined;
  for (const [i, part] of parts.entries()) {
    if (i === 0) {
      const osOptions = OS_RE.exec(part);
      if (osOptions === null) {
        throw invalid(
          `${goQuote(part)} is an invalid OS component of ${goQuote(specifier)}: ` +
            `OSAndVersion specifier component must match ${goQuote(OS_PATTERN)}: ${ERR_INVALID_ARGUMENT}`,
        );
      }
      os = normalizeOS(osOptions[1] ?? '', host);
      const rawVersion = osOptions[2] ?? '';
      try {
        osVersion = decodeOSOption(rawVersion);
      } catch (error) {
        throw invalid(
          `${goQuote(specifier)} has an invalid OS version ${goQuote(rawVersion)}: ${messageOf(error)}`,
          error,
        );
      }
      const rawFeatures = osOptions[3] ?? '';
      if (rawFeatures !== '') {
        try {
          osFeatures = parseOSFeatures(rawFeatures.slice(1));
        } catch (error) {
          throw invalid(`${goQuote(specifier)} has invalid OS features: ${messageOf(error)}`, error);
        }
      }
    } else if (!SPECIFIER_RE.test(part)) {
      throw invalid(
        `${goQuote(part)} is an invalid component of ${goQuote(specifier)}: ` +
          `platform specifier component must match ${goQuote(SPECIFIER_PATTERN)}: ${ERR_INVALID_ARGUMENT}`,
      );
    }
  }

  const make = (operatingSystem: string, arch: string, variant: string): Platform =>
    platform(operatingSystem, arch, variant, osVersion, osFeatures);

  switch (parts.length) {
    case 1: {
      // An OS (with or without version) takes the host's architecture; otherwise try an architecture.
      if (KNOWN_OS.has(os)) {
        const arch = host.architecture;
        const variant = arch === 'arm' && host.variant !== 'v7' ? (host.variant ?? '') : '';
        return make(os, arch, variant);
      }
      const [arch, normalizedVariant] = normalizeArch(parts[0]!, '');
      const variant = arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant;
      if (KNOWN_ARCH.has(arch)) return make(host.os, arch, variant);
      throw invalid(
        `${goQuote(specifier)}: unknown operating system or architecture: ${ERR_INVALID_ARGUMENT}`,
      );
    }
    case 2: {
      // os/arch: known or not, it is taken as given.
      const [arch, normalizedVariant] = normalizeArch(parts[1]!, '');
      return make(os, arch, arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant);
    }
    case 3: {
      const [arch, normalizedVariant] = normalizeArch(parts[1]!, parts[2]!);
      return make(os, arch, arch === 'arm64' && normalizedVariant === '' ? 'v8' : normalizedVariant);
    }
  }
  throw invalid(`${goQuote(specifier)}: cannot parse platform specifier: ${ERR_INVALID_ARGUMENT}`);
}

/** `platforms.ParseAll`: the first failure is reported as `invalid platform <specifier>: <cause>`. */
export function parseAllPlatforms(specifiers: readonly string[], host: Platform = LINUX_AMD64): Platform[] {
  return specifiers.map((specifier) => {
    try {
      return parsePlatform(specifier, host);
    } catch (error) {
      throw invalid(`invalid platform ${specifier}: ${messageOf(error)}`, error);
    }
  });
}

/** `parseOSFeatures`, on the text after the first `+`. */
function parseOSFeatures(s: string): string[] | undefined {
  if (s === '') return undefined;
  const features: string[] = [];
  for (const piece of s.split('+')) {
    // The OS regexp admits neither empty nor space-padded features; kept as containerd has it.
    const raw = piece.trim();
    if (raw === '') throw invalid(`empty os feature: ${ERR_INVALID_ARGUMENT}`);
    let feature: string;
    try {
      feature = decodeOSOption(raw);
    } catch (error) {
      throw invalid(`invalid os feature ${goQuote(raw)}: ${messageOf(error)}`, error);
    }
    if (feature !== '') features.push(feature);
  }
  return features.length === 0 ? undefined : features;
}

/** `platforms.Format`: `os/arch[/variant]` (`unknown` without an OS). */
export function formatPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  return pathJoin(p.os, p.architecture, p.variant ?? '');
}

/** `platforms.FormatAll`: like {@link formatPlatform} plus `(<osversion>[+<feature>]*)` after the OS. */
export function formatAllPlatform(p: Platform): string {
  if (p.os === '') return 'unknown';
  const features = p.osFeatures ?? [];
  if ((p.osVersion ?? '') === '' && features.length === 0) {
    return pathJoin(p.os, p.architecture, p.variant ?? '');
  }
  let os = p.os;
  const osv = encodeOSOption(p.osVersion ?? '');
  const formatted = formatOSFeatures(features);
  if (osv !== '' || formatted !== '') {
    os += `(${osv}${formatted === '' ? '' : `+${formatted}`})`;
  }
  return pathJoin(os, p.architecture, p.variant ?? '');
}

/** Sorted, de-duplicated, empty-free, each encoded, joined with `+`. */
function formatOSFeatures(features: readonly string[]): string {
  const sorted = [...features].sort(compareGoStrings);
  const out: string[] = [];
  for (const feature of sorted) {
    if (feature === '' || feature === out.at(-1)) continue;
    out.push(feature);
  }
  return out.map(encodeOSOption).join('+');
}

/**
 * `platforms.Normalize`: canonical OS (empty → `host`'s), architecture and variant; OS features sorted
 * and de-duplicated. Normalizing `linux/arm64/v8` gives `linux/arm64`, `linux/arm` gives `linux/arm/v7`.
 */
export function normalizePlatform(p: Platform, host: Platform = LINUX_AMD64): Platform {
  const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
  let features: string[] | undefined;
  if (p.osFeatures !== undefined && p.osFeatures.length > 0) {
    features = [];
    for (const feature of [...p.osFeatures].sort(compareGoStrings)) {
      if (features.length === 0 || features.at(-1) !== feature) features.push(feature);
    }
  } else if (p.osFeatures !== undefined) {
    features = [];
  }
  return platform(normalizeOS(p.os, host), arch, variant, p.osVersion ?? '', features);
}

// ---- defaults*.go / cpuinfo*.go ----

/** Host facts Node cannot give purely; both optional. */
export interface HostDetails {
  /**
   * The ARM variant the kernel reports (`v6`, `v7`, …; `/proc/cpuinfo` "CPU architecture" on Linux).
   * Overrides the assumed value for `arm`/`arm64` hosts (see {@link hostPlatform}).
   */
  readonly variant?: string;
  /** Windows `major.minor.build`, e.g. Node's `os.release()` (`10.0.20348`). */
  readonly osVersion?: string;
}

const NODE_OS: Readonly<Record<string, string>> = {
  win32: 'windows',
  cygwin: 'windows',
  sunos: 'solaris',
};

const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  mipsel: 'mipsle',
};

/**
 * What containerd's `DefaultSpec()` returns in a process on this host, from Node's `process.platform` and
 * `process.arch`: `{os: GOOS, architecture: GOARCH, variant: cpuVariant()}`, plus `osVersion` on Windows.
 *
 * - OS: `win32`/`cygwin` → `windows`, `sunos` → `solaris` (Node says `sunos` on illumos too); others as is.
 * - Arch: `x64` → `amd64`, `ia32` → `386`, `mipsel` → `mipsle`, `ppc64` → `ppc64le` except on AIX (Node
 *   ships little-endian ppc64 builds only for Linux); others as is.
 * - Variant (only for arm/arm64): linux/android read `/proc/cpuinfo`, so the usual `v8` for arm64 and an
 *   assumed `v7` for arm (pass `details.variant` to be exact); windows and darwin `v8`/`v7`; freebsd `v8` for
 *   arm64 and `unknown` for arm; any other OS none (containerd's lookup fails there).
 * - osVersion: Windows only, from `details.osVersion` when given (Go asks `RtlGetNtVersionNumbers`).
 */
export function hostPlatform(nodePlatform: string, nodeArch: string, details: HostDetails = {}): Platform {
  const os = NODE_OS[nodePlatform] ?? nodePlatform;
  const arch =
    nodeArch === 'ppc64' ? (os === 'aix' ? 'ppc64' : 'ppc64le') : (NODE_ARCH[nodeArch] ?? nodeArch);
  let variant = '';
  if (arch === 'arm' || arch === 'arm64') {
    variant = details.variant ?? defaultCpuVariant(os, arch);
  }
  return platform(os, arch, variant, os === 'windows' ? (details.osVersion ?? '') : '', undefined);
}

function defaultCpuVariant(os: string, arch: 'arm' | 'arm64'): string {
  switch (os) {
    case 'linux':
    case 'android':
    case 'windows':
    case 'darwin':
      return arch === 'arm64' ? 'v8' : 'v7';
    case 'freebsd':
      return arch === 'arm64' ? 'v8' : 'unknown';
    default:
      return '';
  }
}

// ---- helpers ----

/** Builds a Platform, leaving out what Go would hold as an empty string or nil slice. */
function platform(
  os: string,
  architecture: string,
  variant: string,
  osVersion: string,
  osFeatures: readonly string[] | undefined,
): Platform {
  return {
    os,
    architecture,
    ...(variant === '' ? {} : { variant }),
    ...(osVersion === '' ? {} : { osVersion }),
    ...(osFeatures === undefined ? {} : { osFeatures }),
  };
}

function invalid(message: string, cause?: unknown): InvalidPlatformError {
  return new InvalidPlatformError(message, cause === undefined ? undefined : { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Go's `strings.SplitN(s, sep, n)` for n > 0: at most n pieces, the last holding the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  out.push(rest);
  return out;
}

/** `encodeOSOption`: percent-encode `%`, `+`, `(`, `)` and `/`. */
function encodeOSOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `decodeOSOption`: Go's `url.PathUnescape` when the text holds a `%`; throws Go's `url.EscapeError`. */
function decodeOSOption(v: string): string {
  if (!v.includes('%')) return v;
  const bytes: number[] = [];
  for (let i = 0; i < v.length;) {
    if (v[i] === '%') {
      if (i + 2 >= v.length || !isHex(v[i + 1]!) || !isHex(v[i + 2]!)) {
        throw new Error(`invalid URL escape ${goQuote(v.slice(i, i + 3))}`);
      }
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      // The OS regexp only lets ASCII through, so one code unit is one byte.
      bytes.push(v.charCodeAt(i));
      i += 1;
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** Go's `path.Join`: empty elements dropped, result `path.Clean`ed, `''` when nothing is left. */
function pathJoin(...elements: string[]): string {
  const joined = elements.filter((e) => e !== '').join('/');
  return joined === '' ? '' : pathClean(joined);
}

/** Go's `path.Clean`. */
function pathClean(p: string): string {
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const cleaned = (rooted ? '/' : '') + out.join('/');
  return cleaned === '' ? (rooted ? '/' : '.') : cleaned;
}

/** Go's string order (UTF-8 bytes, i.e. code points), not JavaScript's UTF-16 code units. */
function compareGoStrings(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
