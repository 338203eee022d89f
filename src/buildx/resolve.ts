// The current digest of each external image a build reads, per platform, without pulling anything: one
// `docker buildx imagetools inspect --raw <ref>` per image (the registry's manifest or index, byte for byte).
//
//   index     → the entry for the platform (attestation manifests skipped); `digest` is that manifest's,
//               `indexDigest` the sha256 of the raw bytes (what the tag points at)
//   manifest  → a single-platform image: `digest` is the sha256 of the raw bytes (its platform is not checked:
//               that needs its config, one more request, and a wrong one fails the build anyway)
//   pinned    → `name@sha256:…` needs no lookup: the pinned digest is the answer (it may be an index's)
//
// Nothing here throws for an image: one that no registry knows (a local-only image such as
// `stagecraft-test/busybox:1`, which resolves against Docker Hub), a registry that cannot be reached or refuses
// us, an index without the platform, a timeout: each is an `unresolved` result with the tool's own message, and
// the caller decides (a scheduled run treats such an image as unchanged and says so). Every call has a timeout
// and honours the caller's abort signal. The parsing is pure and tested on output recorded from this machine
// (testdata/imagetools-*).
import { createHash } from 'node:crypto';

import { tailLines, type Exec } from '../adapters/exec.js';
import { formatPlatform, parsePlatform, type Platform } from '../plan/index.js';

export const DEFAULT_RESOLVE_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;

/** Why an image has no digest. */
export type ResolveFailure =
  | 'not-found'
  | 'unreachable'
  | 'unauthorized'
  | 'invalid-reference'
  | 'no-platform'
  | 'invalid-manifest'
  | 'timeout'
  | 'error';

export type ImageResolution =
  | {
      readonly image: string;
      /** `os/arch[/variant]`, as asked. */
      readonly platform: string;
      readonly status: 'resolved';
      /** The platform's image manifest (`sha256:…`); for a pinned reference, the pinned digest. */
      readonly digest: string;
      /** The index the reference points at, when it is one. */
      readonly indexDigest?: string;
      /** The reference carries its digest (`@sha256:…`): nothing was looked up. */
      readonly pinned: boolean;
    }
  | {
      readonly image: string;
      readonly platform: string;
      readonly status: 'unresolved';
      readonly failure: ResolveFailure;
      /** What went wrong, in the tool's words where it said something. */
      readonly reason: string;
    };

export interface ImagePlatformRequest {
  readonly image: string;
  /** `os/arch[/variant]` or a `Platform`. */
  readonly platform: Platform | string;
}

export interface ResolveOptions {
  /** The docker CLI (default `docker`). */
  readonly docker?: string;
  /** Time allowed for one inspect, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Inspects run at once (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Diagnostics: `resolve.<function>: …` lines with argv as JSON. */
  readonly onDebug?: (message: string) => void;
}

/** A manifest or index that cannot give a digest for the platform; `failure` says which kind. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  constructor(
    readonly failure: ResolveFailure,
    message: string,
  ) {
    super(message);
  }
}

// ---- pure -----------------------------------------------------------------------------------------------------

/** The argv that reads a reference's manifest or index without pulling. */
export function buildImagetoolsRawArgs(ref: string, docker = 'docker'): string[] {
  return [docker, 'buildx', 'imagetools', 'inspect', '--raw', ref];
}

/** `name@sha256:<hex>` (a tag may come before the `@`) → the digest; otherwise undefined. */
export function pinnedDigest(ref: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(ref.trim())?.[1];
}

export function sha256Digest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform: Platform | undefined;
  readonly attestation: boolean;
}

function indexEntry(value: unknown, what: string): IndexEntry {
  if (!isObject(value) || typeof value.digest !== 'string' || !DIGEST.test(value.digest)) {
    throw new ResolveError('invalid-manifest', `${what}: an index entry without a sha256 digest`);
  }
  const p = value.platform;
  const platform =
    isObject(p) && typeof p.os === 'string' && typeof p.architecture === 'string'
      ? {
          os: p.os,
          architecture: p.architecture,
          ...(typeof p.variant === 'string' && p.variant !== '' ? { variant: p.variant } : {}),
        }
      : undefined;
  const annotations = isObject(value.annotations) ? value.annotations : {};
  return {
    digest: value.digest,
    mediaType: typeof value.mediaType === 'string' ? value.mediaType : '',
    platform,
    attestation:
      annotations['vnd.docker.reference.type'] === 'attestation-manifest' ||
      (platform?.os === 'unknown' && platform.architecture === 'unknown'),
  };
}

/** containerd's matching form: lower case, `amd64/v1` → `amd64`, `arm64/v8` → `arm64`, `arm` → `arm/v7`. */
function normalized(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = (platform.variant ?? '').toLowerCase();
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'amd64' && variant === 'v1') variant = '';
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = '';
  if (architecture === 'arm' && (variant === '' || variant === '7')) variant = 'v7';
  if (architecture === 'arm' && /^[568]$/.test(variant)) variant = `v${variant}`;
  return { os, architecture, ...(variant === '' ? {} : { variant }) };
}

/** The variants a platform's images can also run, best first (containerd's `platforms.Only` for amd64 and arm). */
function compatibleVariants(platform: Platform): string[] {
  const variant = platform.variant ?? '';
  const ladder =
    platform.architecture === 'amd64'
      ? ['v4', 'v3', 'v2', '']
      : platform.architecture === 'arm'
        ? ['v8', 'v7', 'v6', 'v5']
        : [variant];
  const at = ladder.indexOf(variant);
  return at < 0 ? [variant] : ladder.slice(at);
}

/** The index entry an engine on `platform` would pull: the exact platform, else the best compatible variant. */
export function selectIndexEntry(
  entries: readonly IndexEntry[],
  platform: Platform,
  what: string,
): IndexEntry {
  const wanted = normalized(platform);
  const images = entries.filter((entry) => !entry.attestation && !INDEX_TYPES.has(entry.mediaType));
  for (const variant of compatibleVariants(wanted)) {
    const match = images.find((entry) => {
      if (entry.platform === undefined) return false;
      const candidate = normalized(entry.platform);
      return (
        candidate.os === wanted.os &&
        candidate.architecture === wanted.architecture &&
        (candidate.variant ?? '') === variant
      );
    });
    if (match !== undefined) return match;
  }
  const present = images.map((entry) =>
    entry.platform === undefined ? '(no platform)' : formatPlatform(normalized(entry.platform)),
  );
  throw new ResolveError(
    'no-platform',
    `${what} has no image for ${formatPlatform(wanted)} (it has ${present.join(', ') || 'none'})`,
  );
}

/**
 * `imagetools inspect --raw` output → the platform's manifest digest, and the index digest when the reference
 * is an index. Throws `ResolveError` for a document that is neither, a schema 1 manifest (its digest is not
 * the hash of what the registry returns), or an index without the platform.
 */
export function parseRawManifest(
  text: string,
  platform: Platform | string,
  what: string,
): { readonly digest: string; readonly indexDigest?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ResolveError(
      'invalid-manifest',
      `${what}: the registry's answer is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isObject(value))
    throw new ResolveError('invalid-manifest', `${what}: the manifest is not a JSON object`);
  const mediaType =
    typeof value.mediaType === 'string'
      ? value.mediaType
      : Array.isArray(value.manifests)
        ? 'application/vnd.oci.image.index.v1+json'
        : Array.isArray(value.layers)
          ? 'application/vnd.oci.image.manifest.v1+json'
          : '';
  const rawDigest = sha256Digest(text);
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(value.manifests))
      throw new ResolveError('invalid-manifest', `${what}: an index without manifests`);
    const entries = value.manifests.map((entry, i) => indexEntry(entry, `${what}: manifests[${i}]`));
    const wanted = typeof platform === 'string' ? parsePlatform(platform) : platform;
    return { digest: selectIndexEntry(entries, wanted, what).digest, indexDigest: rawDigest };
  }
  if (MANIFEST_TYPES.has(mediaType)) return { digest: rawDigest };
  const schema1 = value.schemaVersion === 1 || mediaType.includes('manifest.v1+prettyjws');
  throw new ResolveError(
    'invalid-manifest',
    schema1
      ? `${what} has a schema 1 manifest, which stagecraft cannot digest (push it again with a current client)`
      : `${what} has media type ${JSON.stringify(mediaType)}, not an image index or manifest`,
  );
}

/** A failed inspect → what kind of failure, and buildx's own message (its `ERROR: ` prefix dropped). */
export function classifyInspectFailure(
  exitCode: number,
  stderr: string,
): { readonly failure: ResolveFailure; readonly reason: string } {
  const said = tailLines(stderr, 3)
    .split('\n')
    .map((line) => line.replace(/^ERROR:\s*/, ''))
    .join('; ');
  const reason = said === '' ? `docker buildx imagetools inspect exited with code ${exitCode}` : said;
  if (/invalid reference format|must be lowercase/i.test(said))
    return { failure: 'invalid-reference', reason };
  if (/unauthori[sz]ed|authentication required|denied|insufficient_scope|\b40[13]\b/i.test(said))
    return { failure: 'unauthorized', reason };
  if (/not found|manifest unknown|name unknown|\b404\b/i.test(said)) return { failure: 'not-found', reason };
  if (
    /no such host|connection refused|dial tcp|i\/o timeout|network is unreachable|TLS handshake|server gave HTTP response|connection reset|EOF$/i.test(
      said,
    )
  )
    return { failure: 'unreachable', reason };
  return { failure: 'error', reason };
}

// ---- effects --------------------------------------------------------------------------------------------------

type Fetched =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly failure: ResolveFailure; readonly reason: string };

async function fetchRaw(exec: Exec, ref: string, options: ResolveOptions): Promise<Fetched> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const argv = buildImagetoolsRawArgs(ref, options.docker);
  options.onDebug?.(`resolve.fetchRaw: ${JSON.stringify(argv)}`);
  if (options.signal?.aborted === true) return { ok: false, failure: 'timeout', reason: 'aborted' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const late = (): Fetched => ({
    ok: false,
    failure: 'timeout',
    reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : 'aborted',
  });
  try {
    const result = await exec(argv, { timeoutMs, signal: controller.signal });
    if (timedOut || controller.signal.aborted) return late();
    if (result.exitCode === 0) return { ok: true, text: result.stdout };
    return { ok: false, ...classifyInspectFailure(result.exitCode, result.stderr) };
  } catch (error) {
    if (timedOut || controller.signal.aborted) return late();
    return { ok: false, failure: 'error', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function platformText(platform: Platform | string): string {
  return typeof platform === 'string' ? platform : formatPlatform(platform);
}

/**
 * Each (image, platform) resolved, in the order asked. Each image is inspected once, whatever the number of
 * platforms asked for it; pinned references are not inspected. Never throws for an image.
 */
export async function resolveImagePlatforms(
  exec: Exec,
  requests: readonly ImagePlatformRequest[],
  options: ResolveOptions = {},
): Promise<ImageResolution[]> {
  const queue = [
    ...new Set(requests.map(({ image }) => image).filter((image) => pinnedDigest(image) === undefined)),
  ];
  // A small pool: at most `concurrency` inspects at once.
  const results = new Map<string, Fetched>();
  const workers = Array.from(
    { length: Math.min(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY), queue.length) },
    async () => {
      for (let image = queue.shift(); image !== undefined; image = queue.shift()) {
        results.set(image, await fetchRaw(exec, image, options));
      }
    },
  );
  await Promise.all(workers);

  return requests.map((request): ImageResolution => {
    const { image } = request;
    const platform = platformText(request.platform);
    const pinned = pinnedDigest(image);
    if (pinned !== undefined) return { image, platform, status: 'resolved', digest: pinned, pinned: true };
    const fetched = results.get(image)!;
    if (!fetched.ok)
      return { image, platform, status: 'unresolved', failure: fetched.failure, reason: fetched.reason };
    try {
      const { digest, indexDigest } = parseRawManifest(fetched.text, request.platform, image);
      return {
        image,
        platform,
        status: 'resolved',
        digest,
        ...(indexDigest === undefined ? {} : { indexDigest }),
        pinned: false,
      };
    } catch (error) {
      return error instanceof ResolveError
        ? { image, platform, status: 'unresolved', failure: error.failure, reason: error.message }
        : {
            image,
            platform,
            status: 'unresolved',
            failure: 'error',
            reason: error instanceof Error ? error.message : String(error),
          };
    }
  });
}

/** `resolveImagePlatforms` for one platform: each image's digest for `platform`, in the order given. */
export async function resolveImageDigests(
  exec: Exec,
  images: readonly string[],
  platform: Platform | string,
  options: ResolveOptions = {},
): Promise<ImageResolution[]> {
  return resolveImagePlatforms(
    exec,
    images.map((image) => ({ image, platform })),
    options,
  );
}
