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
