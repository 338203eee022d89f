// Docker image references as BuildKit reads them: a port of github.com/distribution/reference v0.6.0
// (reference.go, regexp.go, normalize.go, helpers.go) and the digest checks of
// github.com/opencontainers/go-digest v1.0.0, both as vendored in moby/buildkit.
//
// Only the path BuildKit takes for `FROM` images and `--build-context` names is ported:
// `ParseNormalizedNamed`, `FamiliarString`/`FamiliarName`, `TagNameOnly`, and the name clean-up in
// dockerui's `NamedContext`. Every error message is Go's, byte for byte.

import { formatAllPlatform, normalizePlatform, type Platform } from './platform.js';

/** Any error the Go reference package (or go-digest under it) would return; `message` is Go's text. */
export class InvalidReferenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidReferenceError';
  }
}

// The Go sentinel errors' texts.
export const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format';
export const ERR_NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase';
export const ERR_NAME_EMPTY = 'repository name must have at least one component';
/** Longest repository path (domain excluded) a reference may have. */
export const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;
export const ERR_NAME_TOO_LONG = `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`;
// go-digest's.
export const ERR_DIGEST_INVALID_FORMAT = 'invalid checksum digest format';
export const ERR_DIGEST_INVALID_LENGTH = 'invalid checksum digest length';
export const ERR_DIGEST_UNSUPPORTED = 'unsupported digest algorithm';

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const LOCALHOST = 'localhost';

// ---- regexp.go: the grammar, assembled exactly as Go assembles it ----

const optional = (...res: string[]): string => `(?:${res.join('')})?`;
const anyTimes = (...res: string[]): string => `(?:${res.join('')})*`;
const capture = (...res: string[]): string => `(${res.join('')})`;
const anchored = (...res: string[]): string => `^${res.join('')}$`;

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const OPTIONAL_PORT = '(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
// Go's `[[:xdigit:]]` is `[0-9A-Fa-f]`.
const DIGEST_PAT = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const IDENTIFIER = '([a-f0-9]{64})';
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';

const DOMAIN_NAME = DOMAIN_NAME_COMPONENT + anyTimes('\\.', DOMAIN_NAME_COMPONENT);
const HOST = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})`;
const DOMAIN_AND_PORT = HOST + OPTIONAL_PORT;
const PATH_COMPONENT = ALPHANUMERIC + anyTimes(SEPARATOR, ALPHANUMERIC);
const REMOTE_NAME = PATH_COMPONENT + anyTimes('/', PATH_COMPONENT);
const NAME_PAT = optional(DOMAIN_AND_PORT, '/') + REMOTE_NAME;

const ANCHORED_NAME_RE = new RegExp(anchored(optional(capture(DOMAIN_AND_PORT), '/'), capture(REMOTE_NAME)));
const REFERENCE_RE = new RegExp(
  anchored(capture(NAME_PAT), optional(':', capture(TAG)), optional('@', capture(DIGEST_PAT))),
);
const ANCHORED_IDENTIFIER_RE = new RegExp(anchored(IDENTIFIER));

// ---- the reference value ----

/**
 * A parsed, normalized reference (Go's `reference.Named`, possibly tagged and/or digested).
 * Plain readonly data; `JSON.stringify` gives `{domain, path, tag?, digest?}`.
 */
export class NormalizedRef {
  /** `docker.io`, `ghcr.io`, `localhost:5000`, … (never empty after `parseNormalizedNamed`). */
  readonly domain: string;
  /** `library/alpine`, `owner/app`, … */
  readonly path: string;
  // `declare`: no own property at all when absent (class fields would define them as `undefined`).
  declare readonly tag?: string;
  /** `sha256:<hex>` etc. */
  declare readonly digest?: string;

  constructor(domain: string, path: string, tag?: string, digest?: string) {
    this.domain = domain;
    this.path = path;
    if (tag !== undefined && tag !== '') this.tag = tag;
    if (digest !== undefined && digest !== '') this.digest = digest;
    Object.freeze(this);
  }

  /** `Name()`: `docker.io/library/alpine`. */
  get name(): string {
    return this.domain === '' ? this.path : `${this.domain}/${this.path}`;
  }

  /** `String()`: the full reference, `docker.io/library/alpine:3.20[@sha256:…]`. */
  toString(): string {
    return formatTail(this.name, this.tag, this.digest);
  }

  /** `FamiliarString`: `alpine:3.20`, `owner/app@sha256:…`, `ghcr.io/o/app:1`. */
  familiar(): string {
    return formatTail(familiarizeName(this.domain, this.path), this.tag, this.digest);
  }

  /** `FamiliarName`: the familiar name without tag or digest, e.g. `alpine`. */
  familiarName(): string {
    return familiarizeName(this.domain, this.path);
  }

  /** `TagNameOnly`: adds `:latest` when the reference has neither tag nor digest, else returns itself. */
  tagNameOnly(): NormalizedRef {
    if (this.tag !== undefined || this.digest !== undefined) return this;
    return new NormalizedRef(this.domain, this.path, DEFAULT_TAG);
  }
}

function formatTail(name: string, tag: string | undefined, digest: string | undefined): string {
  return name + (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
}

/** normalize.go `familiarizeName`: drop `docker.io/` and, for one-level names, `library/`. */
function familiarizeName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return domain === '' ? path : `${domain}/${path}`;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const remainder = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!remainder.includes('/')) return remainder;
  }
  return path;
}

// ---- normalize.go ----

/**
 * `reference.ParseNormalizedNamed`: turns a familiar name (`alpine`, `owner/app:1`) into a fully
 * qualified reference (`docker.io/library/alpine`). Throws {@link InvalidReferenceError} with Go's message.
 */
export function parseNormalizedNamed(s: string): NormalizedRef {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    throw new InvalidReferenceError(
      `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (goToLower(remote) !== remote) {
    throw new InvalidReferenceError(
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  // Go's Parse can also yield a name-less (digest-only) reference, which ParseNormalizedNamed rejects
  // with "reference %s has no name"; the grammar requires a path, so that never happens here.
  return parse(`${domain}/${remainder}`);
}

/** normalize.go `splitDockerDomain`. */
function splitDockerDomain(name: string): [domain: string, remoteName: string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemoteName = name.slice(slash + 1);

  let domain: string;
  let remoteName: string;
  if (maybeDomain === LOCALHOST) {
    [domain, remoteName] = [maybeDomain, maybeRemoteName];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remoteName] = [DEFAULT_DOMAIN, maybeRemoteName];
  } else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
    [domain, remoteName] = [maybeDomain, maybeRemoteName];
  } else if (goToLower(maybeDomain) !== maybeDomain) {
    // Namespaces cannot be uppercase, so an uppercase first element must be a domain.
    [domain, remoteName] = [maybeDomain, maybeRemoteName];
  } else {
    [domain, remoteName] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remoteName.includes('/')) {
    remoteName = OFFICIAL_REPO_PREFIX + remoteName;
  }
  return [domain, remoteName];
}

// ---- reference.go ----

/** `reference.Parse`, restricted to what it returns for names (the grammar guarantees one). */
function parse(s: string): NormalizedRef {
  const matches = REFERENCE_RE.exec(s);
  if (matches === null) {
    if (s === '') throw new InvalidReferenceError(ERR_NAME_EMPTY);
    if (REFERENCE_RE.test(goToLower(s))) throw new InvalidReferenceError(ERR_NAME_CONTAINS_UPPERCASE);
    throw new InvalidReferenceError(ERR_REFERENCE_INVALID_FORMAT);
  }
  const name = matches[1] ?? '';
  const nameMatch = ANCHORED_NAME_RE.exec(name);
  const domain = nameMatch === null ? '' : (nameMatch[1] ?? '');
  const path = nameMatch === null ? name : (nameMatch[2] ?? '');
  if (path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX) throw new InvalidReferenceError(ERR_NAME_TOO_LONG);

  const digest = matches[3] ?? '';
  if (digest !== '') validateDigest(digest);
  return new NormalizedRef(domain, path, matches[2], digest);
}

// ---- go-digest: Digest.Validate ----

const DIGEST_RE_ANCHORED = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Available algorithms and their encoded (lowercase hex) length. */
const ALGORITHM_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

function validateDigest(s: string): void {
  const i = s.indexOf(':');
  // Unreachable behind the reference grammar, kept as go-digest has it.
  if (i <= 0 || i + 1 === s.length) throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
  const algorithm = s.slice(0, i);
  const encoded = s.slice(i + 1);
  const size = ALGORITHM_HEX_LENGTH.get(algorithm);
  if (size === undefined) {
    throw new InvalidReferenceError(
      DIGEST_RE_ANCHORED.test(s) ? ERR_DIGEST_UNSUPPORTED : ERR_DIGEST_INVALID_FORMAT,
    );
  }
  if (encoded.length !== size) throw new InvalidReferenceError(ERR_DIGEST_INVALID_LENGTH);
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
}

/**
 * Go's `strings.ToLower`: simple per-rune case mapping. JavaScript's `toLowerCase` applies the full
 * (special-casing) mapping, which differs for U+0130 (Go gives `i`) and for a final sigma.
 */
function goToLower(s: string): string {
  let out = '';
  for (const char of s) out += char === '\u0130' ? 'i' : char.toLowerCase();
  return out;
}

// ---- frontend/dockerui/config.go NamedContext ----

/**
 * The name BuildKit looks a `--build-context` up under: `ParseNormalizedNamed`, then `FamiliarString`
 * with a trailing `:latest` removed (`Alpine` fails, `docker.io/library/alpine:latest` → `alpine`).
 * Throws {@link InvalidReferenceError} `invalid context name <name>: <cause>` (pkg/errors `Wrapf`).
 */
export function normalizeContextName(name: string): string {
  let named: NormalizedRef;
  try {
    named = parseNormalizedNamed(name);
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new InvalidReferenceError(`invalid context name ${name}: ${cause}`, { cause: error });
  }
  const familiar = named.familiar();
  return familiar.endsWith(':latest') ? familiar.slice(0, -':latest'.length) : familiar;
}

/**
 * The build-option keys, in lookup order, under which dockerui's `NamedContext` looks for a named context
 * for a given platform, without the `context:` prefix: first `<name>::<FormatAll(Normalize(platform))>`,
 * then `<name>`. `name` is the raw name; it is normalized with {@link normalizeContextName} (which may throw).
 * `host` only matters when `platform.os` is empty (see `normalizePlatform`).
 */
export function namedContextKeys(name: string, platform: Platform, host?: Platform): [string, string] {
  const normalized = normalizeContextName(name);
  return [`${normalized}::${formatAllPlatform(normalizePlatform(platform, host))}`, normalized];
}
