import { describe, expect, test } from '@jest/globals';
import {
  formatAllPlatform,
  formatPlatform,
  hostPlatform,
  InvalidPlatformError,
  LINUX_AMD64,
  normalizePlatform,
  parseAllPlatforms,
  parsePlatform,
  type Platform,
} from './platform.js';

const OS_RE_QUOTED = String.raw`"^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$"`;
const SPECIFIER_RE_QUOTED = '"^[A-Za-z0-9_.-]+$"';

const ARM64_HOST: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const ARM_V6_HOST: Platform = { os: 'linux', architecture: 'arm', variant: 'v6' };
const ARM_V7_HOST: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
const DARWIN_HOST: Platform = { os: 'darwin', architecture: 'arm64', variant: 'v8' };
const WINDOWS_HOST: Platform = { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' };

function expectPlatformError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidPlatformError);
  expect((thrown as Error).message).toBe(message);
  expect((thrown as Error).name).toBe('InvalidPlatformError');
}

describe('parsePlatform: accepted specifiers (host linux/amd64)', () => {
  test.each<[string, Platform]>([
    // A lone OS takes the host architecture.
    ['linux', { os: 'linux', architecture: 'amd64' }],
    ['LINUX', { os: 'linux', architecture: 'amd64' }],
    ['windows', { os: 'windows', architecture: 'amd64' }],
    ['macos', { os: 'darwin', architecture: 'amd64' }],
    ['MacOS', { os: 'darwin', architecture: 'amd64' }],
    ['freebsd', { os: 'freebsd', architecture: 'amd64' }],
    ['windows(10.0.17763)', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }],
    // A lone architecture takes the host OS; arm's default v7 is dropped.
    ['amd64', { os: 'linux', architecture: 'amd64' }],
    ['x86_64', { os: 'linux', architecture: 'amd64' }],
    ['X86-64', { os: 'linux', architecture: 'amd64' }],
    ['aarch64', { os: 'linux', architecture: 'arm64' }],
    ['arm64', { os: 'linux', architecture: 'arm64' }],
    ['arm', { os: 'linux', architecture: 'arm' }],
    ['armhf', { os: 'linux', architecture: 'arm' }],
    ['armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['i386', { os: 'linux', architecture: '386' }],
    ['386', { os: 'linux', architecture: '386' }],
    ['riscv64', { os: 'linux', architecture: 'riscv64' }],
    ['s390x', { os: 'linux', architecture: 's390x' }],
    ['ppc64le', { os: 'linux', architecture: 'ppc64le' }],
    ['wasm', { os: 'linux', architecture: 'wasm' }],
    // os/arch: normalized, but unknown values are taken as given; arm's default v7 is dropped.
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/x86-64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm', { os: 'linux', architecture: 'arm' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm' }],
    ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/i386', { os: 'linux', architecture: '386' }],
    ['macos/arm64', { os: 'darwin', architecture: 'arm64' }],
    ['linux/sparc-ish', { os: 'linux', architecture: 'sparc-ish' }],
    ['plan10/z80', { os: 'plan10', architecture: 'z80' }],
    ['linux(5.15)/amd64', { os: 'linux', architecture: 'amd64', osVersion: '5.15' }],
    ['windows()/amd64', { os: 'windows', architecture: 'amd64' }],
    // os/arch/variant: variants normalized; arm64 without one gets v8.
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64/8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64/v8.0', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/aarch64/V8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm64/v8.2', { os: 'linux', architecture: 'arm64', variant: 'v8.2' }],
    ['linux/arm64/9', { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    ['linux/arm64/9.0', { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    ['linux/arm64/v9.0', { os: 'linux', architecture: 'arm64', variant: 'v9' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm/7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm/5', { os: 'linux', architecture: 'arm', variant: 'v5' }],
    ['linux/arm/6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/arm/8', { os: 'linux', architecture: 'arm', variant: 'v8' }],
    ['linux/arm/V6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/arm/v5te', { os: 'linux', architecture: 'arm', variant: 'v5te' }],
    ['linux/armhf/v6', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/armel/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/amd64/v1', { os: 'linux', architecture: 'amd64' }],
    ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }],
    ['linux/i386/v7', { os: 'linux', architecture: '386' }],
    ['linux/ppc64le/power9', { os: 'linux', architecture: 'ppc64le', variant: 'power9' }],
    // OS versions and features; percent-escapes decoded.
    ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }],
    [
      'windows(10.0.17763+win32k)/amd64',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763', osFeatures: ['win32k'] },
    ],
    ['windows(+b+a+b)/amd64', { os: 'windows', architecture: 'amd64', osFeatures: ['b', 'a', 'b'] }],
    ['windows(10.0%2B1)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0+1' }],
    ['linux(%28x%29%2f%25)/amd64', { os: 'linux', architecture: 'amd64', osVersion: '(x)/%' }],
    ['linux(%c3%a9)/amd64', { os: 'linux', architecture: 'amd64', osVersion: 'é' }],
    ['linux(+a%2Bb)/amd64', { os: 'linux', architecture: 'amd64', osFeatures: ['a+b'] }],
    // Parse does not refuse path-like components; Format cleans them as Go's path.Join does.
    ['linux/../v7', { os: 'linux', architecture: '..', variant: 'v7' }],
  ])('%s', (specifier, expected) => {
    const parsed = parsePlatform(specifier);
    expect(parsed).toStrictEqual(expected);
    expect(parsePlatform(specifier, LINUX_AMD64)).toStrictEqual(expected);
  });
});

describe('parsePlatform: the host fills in a lone OS or architecture', () => {
  test.each<[string, string, Platform, Platform]>([
    ['linux on arm64 (variant not copied)', 'linux', ARM64_HOST, { os: 'linux', architecture: 'arm64' }],
    [
      'linux on arm/v6 (variant copied)',
      'linux',
      ARM_V6_HOST,
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    ['linux on arm/v7 (v7 left out)', 'linux', ARM_V7_HOST, { os: 'linux', architecture: 'arm' }],
    [
      'linux on arm with an unknown variant',
      'linux',
      { os: 'linux', architecture: 'arm', variant: 'unknown' },
      { os: 'linux', architecture: 'arm', variant: 'unknown' },
    ],
    [
      'linux on arm without a variant',
      'linux',
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'arm' },
    ],
    ['windows on darwin/arm64', 'windows', DARWIN_HOST, { os: 'windows', architecture: 'arm64' }],
    [
      'windows(10.0.1) on windows (version from the specifier only)',
      'windows(10.0.1)',
      WINDOWS_HOST,
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.1' },
    ],
    ['arm64 on darwin', 'arm64', DARWIN_HOST, { os: 'darwin', architecture: 'arm64' }],
    ['amd64 on windows (no host osVersion)', 'amd64', WINDOWS_HOST, { os: 'windows', architecture: 'amd64' }],
    ['armhf on arm64', 'armhf', ARM64_HOST, { os: 'linux', architecture: 'arm' }],
    ['linux/amd64 ignores the host', 'linux/amd64', ARM64_HOST, { os: 'linux', architecture: 'amd64' }],
  ])('%s', (_title, specifier, host, expected) => {
    expect(parsePlatform(specifier, host)).toStrictEqual(expected);
  });
});

describe('parsePlatform: rejected specifiers', () => {
  const osComponent = (part: string, specifier: string): string =>
    `${part} is an invalid OS component of ${specifier}: OSAndVersion specifier component must match ${OS_RE_QUOTED}: invalid argument`;
  const component = (part: string, specifier: string): string =>
    `${part} is an invalid component of ${specifier}: platform specifier component must match ${SPECIFIER_RE_QUOTED}: invalid argument`;

  test.each([
    ['a wildcard', 'linux/*', '"linux/*": wildcards not yet supported: invalid argument'],
    ['a lone wildcard', '*', '"*": wildcards not yet supported: invalid argument'],
    [
      'a wildcard before anything else is checked',
      'bad os/*',
      '"bad os/*": wildcards not yet supported: invalid argument',
    ],
    ['the empty string', '', osComponent('""', '""')],
    ['a dot in the OS', 'linux.x/amd64', osComponent('"linux.x"', '"linux.x/amd64"')],
    ['an unclosed OS version', 'windows(10.0', osComponent('"windows(10.0"', '"windows(10.0"')],
    ['a space in the OS', 'lin ux/amd64', osComponent('"lin ux"', '"lin ux/amd64"')],
    ['a tab in the OS (Go-quoted)', 'linux\t', osComponent(String.raw`"linux\t"`, String.raw`"linux\t"`)],
    ['a quote in the OS (Go-quoted)', 'a"b/amd64', osComponent(String.raw`"a\"b"`, String.raw`"a\"b/amd64"`)],
    ['an empty OS', '/amd64', osComponent('""', '"/amd64"')],
    [
      'an empty OS feature',
      'windows(10++a)/amd64',
      osComponent('"windows(10++a)"', '"windows(10++a)/amd64"'),
    ],
    [
      'a bad escape in the OS version',
      'windows(%zz)/amd64',
      '"windows(%zz)/amd64" has an invalid OS version "%zz": invalid URL escape "%zz"',
    ],
    [
      'a short escape in the OS version',
      'windows(1%2)',
      '"windows(1%2)" has an invalid OS version "1%2": invalid URL escape "%2"',
    ],
    [
      'a trailing % in the OS version',
      'windows(10%)',
      '"windows(10%)" has an invalid OS version "10%": invalid URL escape "%"',
    ],
    [
      'the first bad escape is reported',
      'linux(%41%g1%zz)/amd64',
      '"linux(%41%g1%zz)/amd64" has an invalid OS version "%41%g1%zz": invalid URL escape "%g1"',
    ],
    [
      'a bad escape in an OS feature',
      'windows(10.0+ok+%g1)/amd64',
      '"windows(10.0+ok+%g1)/amd64" has invalid OS features: invalid os feature "%g1": invalid URL escape "%g1"',
    ],
    ['an empty architecture', 'linux/', component('""', '"linux/"')],
    ['an empty middle component', 'linux//v7', component('""', '"linux//v7"')],
    ['a space in the architecture', 'linux/amd 64', component('"amd 64"', '"linux/amd 64"')],
    ['parentheses in the architecture', 'linux/amd64(x)', component('"amd64(x)"', '"linux/amd64(x)"')],
    ['a bad variant', 'linux/arm/v7+', component('"v7+"', '"linux/arm/v7+"')],
    [
      'a fifth part (the fourth keeps the rest)',
      'linux/amd64/v8/x/y',
      component('"x/y"', '"linux/amd64/v8/x/y"'),
    ],
    [
      'four parts',
      'linux/amd64/v8/x',
      '"linux/amd64/v8/x": cannot parse platform specifier: invalid argument',
    ],
    ['an unknown lone word', 'foo', '"foo": unknown operating system or architecture: invalid argument'],
    [
      'x86 (not a Go architecture)',
      'x86',
      '"x86": unknown operating system or architecture: invalid argument',
    ],
    [
      'an architecture with a version',
      'amd64(1.0)',
      '"amd64(1.0)": unknown operating system or architecture: invalid argument',
    ],
    [
      'an unknown OS with a version',
      'plan10(1)',
      '"plan10(1)": unknown operating system or architecture: invalid argument',
    ],
  ])('%s', (_title, specifier, message) => {
    expectPlatformError(() => parsePlatform(specifier), message);
  });

  test('a decoding failure keeps its cause', () => {
    try {
      parsePlatform('windows(%zz)');
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(((error as Error).cause as Error).message).toBe('invalid URL escape "%zz"');
    }
  });
});

describe('parseAllPlatforms', () => {
  test('parses every specifier', () => {
    expect(parseAllPlatforms(['linux/amd64', 'linux/arm64/v8', 'arm'], ARM64_HOST)).toStrictEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm' },
    ]);
    expect(parseAllPlatforms([])).toStrictEqual([]);
  });

  test.each([
    [
      ['linux/amd64', 'foo'],
      'invalid platform foo: "foo": unknown operating system or architecture: invalid argument',
    ],
    [
      ['linux/*', 'foo'],
      'invalid platform linux/*: "linux/*": wildcards not yet supported: invalid argument',
    ],
  ])('reports the first failure: %j', (specifiers, message) => {
    expectPlatformError(() => parseAllPlatforms(specifiers), message);
  });
});

describe('formatPlatform and formatAllPlatform', () => {
  // [title, platform, Format, FormatAll]
  test.each<[string, Platform, string, string]>([
    ['os/arch', { os: 'linux', architecture: 'amd64' }, 'linux/amd64', 'linux/amd64'],
    [
      'os/arch/variant',
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      'linux/arm64/v8',
      'linux/arm64/v8',
    ],
    ['no OS', { os: '', architecture: 'amd64', osVersion: '1' }, 'unknown', 'unknown'],
    ['no architecture', { os: 'linux', architecture: '' }, 'linux', 'linux'],
    ['an empty variant', { os: 'linux', architecture: 'arm', variant: '' }, 'linux/arm', 'linux/arm'],
    [
      'a variant without architecture',
      { os: 'linux', architecture: '', variant: 'v7' },
      'linux/v7',
      'linux/v7',
    ],
    [
      'an OS version',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
      'windows/amd64',
      'windows(10.0.20348)/amd64',
    ],
    [
      'an OS version and features, sorted and de-duplicated',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0', osFeatures: ['win32k', 'b', 'win32k', ''] },
      'windows/amd64',
      'windows(10.0+b+win32k)/amd64',
    ],
    [
      'features without a version',
      { os: 'windows', architecture: 'amd64', osFeatures: ['z', 'a'] },
      'windows/amd64',
      'windows(+a+z)/amd64',
    ],
    [
      'only empty features',
      { os: 'windows', architecture: 'amd64', osFeatures: [''] },
      'windows/amd64',
      'windows/amd64',
    ],
    [
      'an empty features list',
      { os: 'windows', architecture: 'amd64', osFeatures: [] },
      'windows/amd64',
      'windows/amd64',
    ],
    [
      'reserved characters are percent-encoded',
      { os: 'linux', architecture: 'amd64', osVersion: '(1)/%+', osFeatures: ['a+b', 'c/d'] },
      'linux/amd64',
      'linux(%281%29%2F%25%2B+a%2Bb+c%2Fd)/amd64',
    ],
    [
      'features sort by code point as Go does',
      { os: 'linux', architecture: 'amd64', osFeatures: ['\u{1F600}', '\uFF21'] },
      'linux/amd64',
      'linux(+\uFF21+\u{1F600})/amd64',
    ],
    ['path elements are cleaned (..)', { os: 'linux', architecture: '..', variant: 'v7' }, 'v7', 'v7'],
    [
      'path elements are cleaned (.)',
      { os: 'linux', architecture: '.', variant: 'v7' },
      'linux/v7',
      'linux/v7',
    ],
    ['a leading .. is kept', { os: '..', architecture: '..', variant: 'x' }, '../../x', '../../x'],
    ['everything cancels out', { os: 'linux', architecture: '..' }, '.', '.'],
    ['a rooted OS stays rooted', { os: '/', architecture: '..' }, '/', '/'],
    ['doubled slashes collapse', { os: 'a/', architecture: '/b' }, 'a/b', 'a/b'],
  ])('%s', (_title, platform, format, formatAll) => {
    expect(formatPlatform(platform)).toBe(format);
    expect(formatAllPlatform(platform)).toBe(formatAll);
  });

  test.each([
    'linux/amd64',
    'linux/arm64/v8',
    'linux/arm/v6',
    'windows(10.0.17763)/amd64',
    'windows(10.0.17763+a+win32k)/amd64',
    'linux(%281%29%2F%25%2B+a%2Bb)/amd64',
  ])('FormatAll round-trips %s', (specifier) => {
    expect(formatAllPlatform(parsePlatform(specifier))).toBe(specifier);
  });
});

describe('normalizePlatform', () => {
  test.each<[string, Platform, Platform]>([
    [
      'arm64/v8 loses its default variant',
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm64' },
    ],
    [
      'arm gains v7',
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      'arm/7 becomes v7',
      { os: 'linux', architecture: 'arm', variant: '7' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      'arm64/9 becomes v9',
      { os: 'linux', architecture: 'aarch64', variant: '9' },
      { os: 'linux', architecture: 'arm64', variant: 'v9' },
    ],
    [
      'case and aliases',
      { os: 'Linux', architecture: 'X86_64', variant: 'V1' },
      { os: 'linux', architecture: 'amd64' },
    ],
    ['macos', { os: 'macos', architecture: 'arm64' }, { os: 'darwin', architecture: 'arm64' }],
    [
      'i386 loses its variant',
      { os: 'linux', architecture: 'i386', variant: 'v7' },
      { os: 'linux', architecture: '386' },
    ],
    ['armel', { os: 'linux', architecture: 'armel' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [
      'unknown values lowercased',
      { os: 'Plan10', architecture: 'Z80', variant: 'X' },
      { os: 'plan10', architecture: 'z80', variant: 'x' },
    ],
    [
      'an empty OS is the (default) host OS',
      { os: '', architecture: 'amd64' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [
      'the OS version is kept as is',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
    ],
    [
      'features sorted and de-duplicated (empty kept)',
      { os: 'windows', architecture: 'amd64', osFeatures: ['b', 'a', 'b', ''] },
      { os: 'windows', architecture: 'amd64', osFeatures: ['', 'a', 'b'] },
    ],
    [
      'an empty features list kept',
      { os: 'windows', architecture: 'amd64', osFeatures: [] },
      { os: 'windows', architecture: 'amd64', osFeatures: [] },
    ],
  ])('%s', (_title, input, expected) => {
    expect(normalizePlatform(input)).toStrictEqual(expected);
  });

  test('an empty OS is the given host OS', () => {
    expect(normalizePlatform({ os: '', architecture: 'arm64' }, DARWIN_HOST)).toStrictEqual({
      os: 'darwin',
      architecture: 'arm64',
    });
  });

  test('the input is not modified', () => {
    const features = ['b', 'a'];
    normalizePlatform({ os: 'windows', architecture: 'amd64', osFeatures: features });
    expect(features).toEqual(['b', 'a']);
  });
});

describe('hostPlatform (containerd DefaultSpec on the host Node runs on)', () => {
  test.each<[string, string, Platform]>([
    ['linux', 'x64', { os: 'linux', architecture: 'amd64' }],
    ['linux', 'arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux', 'arm', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux', 'ia32', { os: 'linux', architecture: '386' }],
    ['linux', 'ppc64', { os: 'linux', architecture: 'ppc64le' }],
    ['linux', 's390x', { os: 'linux', architecture: 's390x' }],
    ['linux', 'riscv64', { os: 'linux', architecture: 'riscv64' }],
    ['linux', 'loong64', { os: 'linux', architecture: 'loong64' }],
    ['linux', 'mips', { os: 'linux', architecture: 'mips' }],
    ['linux', 'mipsel', { os: 'linux', architecture: 'mipsle' }],
    ['android', 'arm64', { os: 'android', architecture: 'arm64', variant: 'v8' }],
    ['darwin', 'arm64', { os: 'darwin', architecture: 'arm64', variant: 'v8' }],
    ['darwin', 'x64', { os: 'darwin', architecture: 'amd64' }],
    ['win32', 'x64', { os: 'windows', architecture: 'amd64' }],
    ['win32', 'arm64', { os: 'windows', architecture: 'arm64', variant: 'v8' }],
    ['win32', 'arm', { os: 'windows', architecture: 'arm', variant: 'v7' }],
    ['win32', 'ia32', { os: 'windows', architecture: '386' }],
    ['cygwin', 'x64', { os: 'windows', architecture: 'amd64' }],
    ['freebsd', 'arm64', { os: 'freebsd', architecture: 'arm64', variant: 'v8' }],
    ['freebsd', 'arm', { os: 'freebsd', architecture: 'arm', variant: 'unknown' }],
    ['freebsd', 'x64', { os: 'freebsd', architecture: 'amd64' }],
    ['openbsd', 'arm64', { os: 'openbsd', architecture: 'arm64' }],
    ['netbsd', 'arm', { os: 'netbsd', architecture: 'arm' }],
    ['aix', 'ppc64', { os: 'aix', architecture: 'ppc64' }],
    ['sunos', 'x64', { os: 'solaris', architecture: 'amd64' }],
    ['haiku', 'x64', { os: 'haiku', architecture: 'amd64' }],
  ])('%s %s', (nodePlatform, nodeArch, expected) => {
    expect(hostPlatform(nodePlatform, nodeArch)).toStrictEqual(expected);
  });

  test.each<[string, string, string, { variant?: string; osVersion?: string }, Platform]>([
    [
      'a reported arm variant',
      'linux',
      'arm',
      { variant: 'v6' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    [
      'a reported arm64 variant',
      'linux',
      'arm64',
      { variant: 'v8' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    [
      'a variant on amd64 is ignored',
      'linux',
      'x64',
      { variant: 'v3' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [
      'the Windows build',
      'win32',
      'x64',
      { osVersion: '10.0.20348' },
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
    ],
    [
      'an OS version off Windows is ignored',
      'linux',
      'x64',
      { osVersion: '6.8.0' },
      { os: 'linux', architecture: 'amd64' },
    ],
  ])('%s', (_title, nodePlatform, nodeArch, details, expected) => {
    expect(hostPlatform(nodePlatform, nodeArch, details)).toStrictEqual(expected);
  });

  test('the default host is linux/amd64', () => {
    expect(LINUX_AMD64).toStrictEqual(hostPlatform('linux', 'x64'));
  });

  test('hostPlatform feeds parsePlatform', () => {
    expect(parsePlatform('linux', hostPlatform('linux', 'arm', { variant: 'v6' }))).toStrictEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v6',
    });
    expect(formatAllPlatform(hostPlatform('win32', 'x64', { osVersion: '10.0.17763' }))).toBe(
      'windows(10.0.17763)/amd64',
    );
  });
});
