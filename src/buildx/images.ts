// What the engine's image store holds: the layers of a local image, so caches can leave them out.
import type { Exec } from '../adapters/exec.js';

/**
 * The layer diff IDs of `image` in the engine's image store (`docker image inspect`), or undefined when the
 * image is not there.
 */
export async function readImageLayers(exec: Exec, image: string): Promise<string[] | undefined> {
  const result = await exec(['docker', 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', image], {
    timeoutMs: 30_000,
  });
  if (result.exitCode !== 0) return undefined;
  return parseLayerList(result.stdout);
}

/** `["sha256:…", …]` as `docker image inspect` prints it; anything else is no layers. */
export function parseLayerList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `images` from the engine's image store as an OCI layout in `dir` (`docker save`, then its blobs
 * unpacked): a local copy, no registry involved. Returns false when the engine could not save them.
 */
export async function saveImagesAsLayout(
  exec: Exec,
  images: readonly string[],
  dir: string,
): Promise<boolean> {
  const archive = `${dir}/images.tar`;
  const saved = await exec(['docker', 'image', 'save', '--output', archive, ...images], {
    timeoutMs: 600_000,
  });
  if (saved.exitCode !== 0) return false;
  const unpacked = await exec(['tar', '-x', '-f', archive, '-C', dir, 'blobs'], { timeoutMs: 600_000 });
  return unpacked.exitCode === 0;
}

/**
 * The reference that pulls `image` at `digest`: its repository (the tag dropped) `@digest`. A reference that
 * already pins a digest is returned as it is.
 */
export function digestReference(image: string, digest: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const repository = colon > slash ? image.slice(0, colon) : image;
  return `${repository}@${digest}`;
}

/** `docker pull` of one reference for one platform (argument vector, no shell); true when it worked. */
export async function pullImage(exec: Exec, reference: string, platform: string): Promise<boolean> {
  const result = await exec(['docker', 'pull', '--quiet', '--platform', platform, reference], {
    timeoutMs: 600_000,
  });
  return result.exitCode === 0;
}
