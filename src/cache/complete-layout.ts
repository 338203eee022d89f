// Base-image blobs are left out of entries (the engine's image store has them). BuildKit builds from such a
// layout, but when it exports a stage's cache it writes every layer of the chain, base layers included, and
// reads their blobs from the cache source. So before a build that exports, the layout gets those blobs back
// from a local copy of the base images.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { blobPath, linkOrCopy, readLayoutIndex, readStageCache } from './entry.js';
import { referencedBlobs } from './oci-layout.js';

/** Blobs that the layout's manifests reference but the layout does not hold. */
export async function missingLayoutBlobs(layoutDir: string): Promise<string[]> {
  let index;
  try {
    index = await readLayoutIndex(layoutDir);
  } catch {
    return [];
  }
  const missing = new Set<string>();
  for (const descriptor of index.manifests) {
    let cache;
    try {
      cache = await readStageCache(layoutDir, descriptor);
    } catch {
      continue;
    }
    for (const blob of referencedBlobs(cache)) {
      if (!(await exists(blobPath(layoutDir, blob.digest)))) missing.add(blob.digest);
    }
  }
  return [...missing];
}

/** Links the `digests` found in `sourceLayout` (an OCI layout, e.g. `docker save` output) into the layout. */
export async function addBlobsToLayout(
  layoutDir: string,
  sourceLayout: string,
  digests: readonly string[],
): Promise<string[]> {
  const added: string[] = [];
  for (const digest of digests) {
    const source = blobPath(sourceLayout, digest);
    if (!(await exists(source))) continue;
    await linkOrCopy(source, blobPath(layoutDir, digest));
    added.push(digest);
  }
  return added;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(path.resolve(file));
    return true;
  } catch {
    return false;
  }
}
