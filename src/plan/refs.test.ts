import { describe, expect, test } from '@jest/globals';
import {
  InvalidReferenceError,
  namedContextKeys,
  normalizeContextName,
  NormalizedRef,
  parseNormalizedNamed,
} from './refs.js';

const HEX64 = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
const SHA256 = `sha256:${HEX64}`;
const SHA384 = `sha384:${'b'.repeat(96)}`;
const SHA512 = `sha512:${'c'.repeat(128)}`;

/** Asserts that `fn` throws an InvalidReferenceError with exactly `message`. */
function expectReferenceError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidReferenceError);
  expect((thrown as Error).message).toBe(message);
  expect((thrown as Error).name).toBe('InvalidReferenceError');
}

describe('parseNormalizedNamed: accepted references', () => {
  // [input, domain, path, tag, digest, String(), FamiliarString()]
  test.each<[string, string, string, string | undefined, string | undefined, string, string]>([
    ['alpine', 'docker.io', 'library/alpine', undefined, undefined, 'docker.io/library/alpine', 'alpine'],
    [
      'alpine:3.20',
      'docker.io',
      'library/alpine',
      '3.20',
      undefined,
      'docker.io/library/alpine:3.20',
      'alpine:3.20',
    ],
    [
      'library/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine',
      'alpine',
    ],
    [
      'docker.io/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine',
      'alpine',
    ],
    [
      'docker.io/library/alpine:edge',
      'docker.io',
      'library/alpine',
      'edge',
      undefined,
      'docker.io/library/alpine:edge',
      'alpine:edge',
    ],
    [
      'index.docker.io/alpine',
      'docker.io',
      'library/alpine',
      undefined,
      undefined,
      'docker.io/library/alpine',
      'alpine',
    ],
    [
      'index.docker.io/owner/app:1',
      'docker.io',
      'owner/app',
      '1',
      undefined,
      'docker.io/owner/app:1',
      'owner/app:1',
    ],
    ['owner/app', 'docker.io', 'owner/app', undefined, undefined, 'docker.io/owner/app', 'owner/app'],
    [
      'docker.io/library/foo/bar',
      'docker.io',
      'library/foo/bar',
      undefined,
      undefined,
      'docker.io/library/foo/bar',
      'library/foo/bar',
    ],
    [
      'ghcr.io/owner/app:v1.2',
      'ghcr.io',
      'owner/app',
      'v1.2',
      undefined,
      'ghcr.io/owner/app:v1.2',
      'ghcr.io/owner/app:v1.2',
    ],
    [
      'example.com/library/app',
      'example.com',
      'library/app',
      undefined,
      undefined,
      'example.com/library/app',
      'example.com/library/app',
    ],
    ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app', 'localhost/app'],
    [
      'localhost:5000/app:dev',
      'localhost:5000',
      'app',
      'dev',
      undefined,
      'localhost:5000/app:dev',
      'localhost:5000/app:dev',
    ],
    ['myhost:5000/app', 'myhost:5000', 'app', undefined, undefined, 'myhost:5000/app', 'myhost:5000/app'],
    [
      '127.0.0.1:5000/a/b/c:tag',
      '127.0.0.1:5000',
      'a/b/c',
      'tag',
      undefined,
      '127.0.0.1:5000/a/b/c:tag',
      '127.0.0.1:5000/a/b/c:tag',
    ],
    ['[::1]:5000/app', '[::1]:5000', 'app', undefined, undefined, '[::1]:5000/app', '[::1]:5000/app'],
    [
      '[2001:db8::1]/app',
      '[2001:db8::1]',
      'app',
      undefined,
      undefined,
      '[2001:db8::1]/app',
      '[2001:db8::1]/app',
    ],
    [
      'Registry.Example.COM/team/app',
      'Registry.Example.COM',
      'team/app',
      undefined,
      undefined,
      'Registry.Example.COM/team/app',
      'Registry.Example.COM/team/app',
    ],
    ['Registry/app', 'Registry', 'app', undefined, undefined, 'Registry/app', 'Registry/app'],
    [
      'my-registry/app',
      'docker.io',
      'my-registry/app',
      undefined,
      undefined,
      'docker.io/my-registry/app',
      'my-registry/app',
    ],
    ['foo:5000', 'docker.io', 'library/foo', '5000', undefined, 'docker.io/library/foo:5000', 'foo:5000'],
    [
      'localhost',
      'docker.io',
      'library/localhost',
      undefined,
      undefined,
      'docker.io/library/localhost',
      'localhost',
    ],
    [
      'example.com',
      'docker.io',
      'library/example.com',
      undefined,
      undefined,
      'docker.io/library/example.com',
      'example.com',
    ],
    [
      'a.b_c__d-e---f',
      'docker.io',
      'library/a.b_c__d-e---f',
      undefined,
      undefined,
      'docker.io/library/a.b_c__d-e---f',
      'a.b_c__d-e---f',
    ],
    [
      'app:V1_a.b-c',
      'docker.io',
      'library/app',
      'V1_a.b-c',
      undefined,
      'docker.io/library/app:V1_a.b-c',
      'app:V1_a.b-c',
    ],
    [
      `alpine@${SHA256}`,
      'docker.io',
      'library/alpine',
      undefined,
      SHA256,
      `docker.io/library/alpine@${SHA256}`,
      `alpine@${SHA256}`,
    ],
    [
      `alpine:3.20@${SHA256}`,
      'docker.io',
      'library/alpine',
      '3.20',
      SHA256,
      `docker.io/library/alpine:3.20@${SHA256}`,
      `alpine:3.20@${SHA256}`,
    ],
    [
      `ghcr.io/o/app@${SHA384}`,
      'ghcr.io',
      'o/app',
      undefined,
      SHA384,
      `ghcr.io/o/app@${SHA384}`,
      `ghcr.io/o/app@${SHA384}`,
    ],
    [
      `owner/app:1@${SHA512}`,
      'docker.io',
      'owner/app',
      '1',
      SHA512,
      `docker.io/owner/app:1@${SHA512}`,
      `owner/app:1@${SHA512}`,
    ],
    [
      `${HEX64}:tag`,
      'docker.io',
      `library/${HEX64}`,
      'tag',
      undefined,
      `docker.io/library/${HEX64}:tag`,
      `${HEX64}:tag`,
    ],
    [
      `owner/${HEX64}`,
      'docker.io',
      `owner/${HEX64}`,
      undefined,
      undefined,
      `docker.io/owner/${HEX64}`,
      `owner/${HEX64}`,
    ],
  ])('%s', (input, domain, path, tag, digest, full, familiar) => {
    const ref = parseNormalizedNamed(input);
    expect(ref).toBeInstanceOf(NormalizedRef);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(ref.name).toBe(`${domain}/${path}`);
    expect(ref.toString()).toBe(full);
    expect(`${ref}`).toBe(full);
    expect(ref.familiar()).toBe(familiar);
    // A normalized reference parses back to itself.
    expect(parseNormalizedNamed(full).toString()).toBe(full);
  });

  test('the longest tag (128 characters) is accepted', () => {
    const tag = `v${'x'.repeat(127)}`;
    expect(parseNormalizedNamed(`alpine:${tag}`).tag).toBe(tag);
  });

  test.each([
    ['a one-level official name (library/ plus 247 = 255)', 'a'.repeat(247)],
    ['a two-level name of 255', `owner/${'a'.repeat(249)}`],
  ])('the longest path is accepted: %s', (_title, input) => {
    expect(parseNormalizedNamed(input).path).toHaveLength(255);
  });

  test('the domain does not count towards the path length', () => {
    const input = `registry.example.com:5000/${'a'.repeat(255)}`;
    expect(parseNormalizedNamed(input).path).toHaveLength(255);
  });

  test('a reference is frozen plain data', () => {
    const ref = parseNormalizedNamed('alpine:3.20');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(JSON.parse(JSON.stringify(ref))).toEqual({
      domain: 'docker.io',
      path: 'library/alpine',
      tag: '3.20',
    });
    expect(Object.keys(parseNormalizedNamed('alpine'))).toEqual(['domain', 'path']);
  });
});

describe('parseNormalizedNamed: rejected references', () => {
  const lowercase = (remote: string): string =>
    `invalid reference format: repository name (${remote}) must be lowercase`;

  test.each([
    // ParseNormalizedNamed's own checks.
    [
      'a 64-hex identifier',
      HEX64,
      `invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings`,
    ],
    [
      'an uppercase official name (BuildKit prints this for FROM Builder)',
      'Builder',
      lowercase('library/Builder'),
    ],
    ['an uppercase official name with tag', 'ALPINE:3.20', lowercase('library/ALPINE')],
    ['an uppercase namespace path', 'owner/App', lowercase('owner/App')],
    ['an uppercase path under a registry', 'localhost:5000/App:tag', lowercase('App')],
    ['an uppercase path under docker.io', 'docker.io/Alpine', lowercase('library/Alpine')],
    [
      'an uppercase digest algorithm without a tag',
      `alpine@SHA256:${HEX64}`,
      lowercase(`library/alpine@SHA256`),
    ],
    // Parse: the grammar.
    ['the empty string', '', 'invalid reference format'],
    ['an empty tag', 'alpine:', 'invalid reference format'],
    ['a tag starting with a dash', 'alpine:-rc', 'invalid reference format'],
    ['a tag of 129 characters', `alpine:${'x'.repeat(129)}`, 'invalid reference format'],
    ['two tags', 'alpine:3.20:extra', 'invalid reference format'],
    ['a triple underscore separator', 'a___b', 'invalid reference format'],
    ['a double period separator', 'a..b', 'invalid reference format'],
    ['a leading separator', '-alpine', 'invalid reference format'],
    ['a trailing slash', 'owner/', 'invalid reference format'],
    ['an empty path component', 'owner//app', 'invalid reference format'],
    ['a space', 'foo bar', 'invalid reference format'],
    ['a URL scheme', 'http://example.com/app', 'invalid reference format'],
    ['a short digest', `alpine@sha256:${'a'.repeat(31)}`, 'invalid reference format'],
    ['a digest without algorithm', `alpine@${HEX64}`, 'invalid reference format'],
    ['a bad IPv6 host', '[::g]/app', 'invalid reference format'],
    ['a non-ASCII letter', 'café', 'invalid reference format'],
    // Parse: a failing reference that matches once lowercased (Go's strings.ToLower; Kelvin sign → k).
    ['a tag that only lowercasing makes valid (K)', 'alpine:\u212A', 'repository name must be lowercase'],
    [
      'a tag that only Go lowercasing makes valid (İ → i)',
      'alpine:\u0130',
      'repository name must be lowercase',
    ],
    // Parse: the path length.
    [
      'an official name of 248 (path 256)',
      'a'.repeat(248),
      'repository name must not be more than 255 characters',
    ],
    [
      'a registry path of 256',
      `ghcr.io/${'a'.repeat(256)}`,
      'repository name must not be more than 255 characters',
    ],
    // go-digest's Validate.
    ['a sha256 digest one short', `alpine@sha256:${HEX64.slice(1)}`, 'invalid checksum digest length'],
    ['a sha256 digest one long', `alpine@sha256:${HEX64}0`, 'invalid checksum digest length'],
    ['a sha512 digest of sha256 length', `alpine@sha512:${HEX64}`, 'invalid checksum digest length'],
    ['an uppercase hex digest', `alpine@sha256:${HEX64.toUpperCase()}`, 'invalid checksum digest format'],
    ['an unknown algorithm', `alpine@md5:${'d'.repeat(32)}`, 'unsupported digest algorithm'],
    ['a compound algorithm', `alpine@sha256+b64:${HEX64}`, 'unsupported digest algorithm'],
    [
      'an uppercase unknown algorithm after a tag',
      `alpine:1@MD5:${'d'.repeat(32)}`,
      'invalid checksum digest format',
    ],
    ['an uppercase sha256 after a tag', `alpine:1@SHA256:${HEX64}`, 'invalid checksum digest format'],
  ])('%s', (_title, input, message) => {
    expectReferenceError(() => parseNormalizedNamed(input), message);
  });

  test.each([
    ['a long name ending in a bad character', `${'a'.repeat(100_000)}!`],
    ['a long run of dashes', `a${'-'.repeat(100_000)}!`],
    ['long dotted domain components', `${'a.'.repeat(50_000)}/!`],
    ['a long port-like run', `a:${'1'.repeat(100_000)}!`],
    ['a long digest', `a@sha256:${'a'.repeat(100_000)}!`],
  ])('fails fast on adversarial input: %s', (_title, input) => {
    const started = Date.now();
    expect(() => parseNormalizedNamed(input)).toThrow(InvalidReferenceError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('NormalizedRef.tagNameOnly', () => {
  test.each([
    ['a bare name gains :latest', 'alpine', 'docker.io/library/alpine:latest'],
    ['a tag is kept', 'alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['a digest is kept without a tag', `alpine@${SHA256}`, `docker.io/library/alpine@${SHA256}`],
    ['tag and digest are kept', `alpine:3@${SHA256}`, `docker.io/library/alpine:3@${SHA256}`],
    ['a registry name gains :latest', 'localhost:5000/app', 'localhost:5000/app:latest'],
  ])('%s', (_title, input, expected) => {
    const ref = parseNormalizedNamed(input);
    const tagged = ref.tagNameOnly();
    expect(tagged.toString()).toBe(expected);
    if (ref.tag !== undefined || ref.digest !== undefined) expect(tagged).toBe(ref);
  });
});

describe('NormalizedRef.familiarName', () => {
  test.each([
    ['alpine:3.20', 'alpine'],
    [`owner/app@${SHA256}`, 'owner/app'],
    ['docker.io/library/a/b', 'library/a/b'],
    ['ghcr.io/o/app:1', 'ghcr.io/o/app'],
  ])('%s → %s', (input, expected) => {
    expect(parseNormalizedNamed(input).familiarName()).toBe(expected);
  });

  test('a reference without a domain keeps its path as is', () => {
    const ref = new NormalizedRef('', 'library/alpine', '1');
    expect(ref.name).toBe('library/alpine');
    expect(ref.familiar()).toBe('library/alpine:1');
    expect(ref.familiarName()).toBe('library/alpine');
  });
});

describe('normalizeContextName (dockerui NamedContext)', () => {
  test.each([
    ['alpine', 'alpine'],
    ['alpine:latest', 'alpine'],
    ['alpine:3.20', 'alpine:3.20'],
    ['docker.io/library/alpine:latest', 'alpine'],
    ['index.docker.io/library/alpine', 'alpine'],
    ['base', 'base'],
    ['owner/app:latest', 'owner/app'],
    ['ghcr.io/o/app:latest', 'ghcr.io/o/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['app:latest2', 'app:latest2'],
    [`alpine:latest@${SHA256}`, `alpine:latest@${SHA256}`],
    [`alpine@${SHA256}`, `alpine@${SHA256}`],
  ])('%s → %s', (input, expected) => {
    expect(normalizeContextName(input)).toBe(expected);
  });

  test.each([
    [
      'Builder',
      'invalid context name Builder: invalid reference format: repository name (library/Builder) must be lowercase',
    ],
    ['foo bar', 'invalid context name foo bar: invalid reference format'],
    ['', 'invalid context name : invalid reference format'],
    [
      HEX64,
      `invalid context name ${HEX64}: invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings`,
    ],
  ])('rejects %j', (input, message) => {
    expectReferenceError(() => normalizeContextName(input), message);
  });

  test('the wrapped error keeps the reference error as its cause', () => {
    try {
      normalizeContextName('Builder');
      throw new Error('expected a throw');
    } catch (error) {
      expect((error as Error).cause).toBeInstanceOf(InvalidReferenceError);
    }
  });
});

describe('namedContextKeys', () => {
  test.each([
    ['alpine:latest', { os: 'linux', architecture: 'amd64' }, ['alpine::linux/amd64', 'alpine']],
    ['base', { os: 'linux', architecture: 'arm64', variant: 'v8' }, ['base::linux/arm64', 'base']],
    ['base', { os: 'linux', architecture: 'arm' }, ['base::linux/arm/v7', 'base']],
    ['base', { os: 'Linux', architecture: 'x86_64' }, ['base::linux/amd64', 'base']],
    [
      'win',
      { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
      ['win::windows(10.0.20348)/amd64', 'win'],
    ],
  ])('%s for %j', (name, platform, expected) => {
    expect(namedContextKeys(name, platform)).toEqual(expected);
  });

  test('an empty OS is the host OS', () => {
    expect(
      namedContextKeys('x', { os: '', architecture: 'arm64' }, { os: 'darwin', architecture: 'arm64' }),
    ).toEqual(['x::darwin/arm64', 'x']);
  });

  test('an invalid name throws the context-name error', () => {
    expectReferenceError(
      () => namedContextKeys('Base', { os: 'linux', architecture: 'amd64' }),
      'invalid context name Base: invalid reference format: repository name (library/Base) must be lowercase',
    );
  });
});
