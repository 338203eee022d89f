// Base-image blobs are left out of entries (the engine's image store has them). BuildKit builds from such a
// layout, but when it exports a stage's cache it writes every layer of the chain, base layers included, and
// reads their blobs from the cache source. So before a build that exports, the layout gets those blobs back
// from a local copy of the base images.
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blobPath, linkOrCopy, presentBlobs, readLayoutIndex, readStageCache } from './entry.js';
import { isExternal, referencedBlobs } from './oci-layout.js';

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

/**
 * Prepares a stage's export directory so that BuildKit writes only what is new. BuildKit's local cache exporter
 * skips a blob the directory already holds, and a `mode=max` export names every layer of the stage's chain:
 * the restored blobs are linked in (their content is real), and each external base-image layer gets an empty
 * placeholder file, since entries never store those layers and nothing reads them from the export. Returns the
 * number of blobs linked and placeholders written.
 */
export async function seedExportDir(
  exportDir: string,
  layoutDir: string,
  external: ReadonlySet<string>,
): Promise<{ linked: number; placeholders: number }> {
  const blobsDir = path.join(exportDir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const present = await presentBlobs(layoutDir);
  let linked = 0;
  for (const digest of present) {
    await linkOrCopy(blobPath(layoutDir, digest), blobPath(exportDir, digest));
    linked += 1;
  }
  const externalDigests = new Set<string>();
  let index;
  try {
    index = await readLayoutIndex(layoutDir);
  } catch {
    return { linked, placeholders: 0 };
  }
  for (const descriptor of index.manifests) {
    const cache = await readStageCache(layoutDir, descriptor).catch(() => undefined);
    for (const blob of cache?.manifest.manifests ?? []) {
      if (!present.has(blob.digest) && isExternal(blob, external)) externalDigests.add(blob.digest);
    }
  }
  for (const digest of externalDigests) await writeFile(blobPath(exportDir, digest), '');
  return { linked, placeholders: externalDigests.size };
}
