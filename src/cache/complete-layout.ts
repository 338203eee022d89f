// The shared layout and the stage exports. Entries leave base-image blobs out (the engine's image store has
// them). Each export directory is seeded so that BuildKit writes only new blobs; should an export still read a
// base-image blob from the cache source, the layout gets those blobs from a local copy of the base images.
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blobPath, linkOrCopy, presentBlobs, readLayoutIndex, readStageCache } from './entry.js';
import { isExternal, referencedBlobs, type StageCache } from './oci-layout.js';

/** The caches of the layout's manifests that can be read (an unreadable index or manifest is skipped). */
async function readableCaches(layoutDir: string): Promise<StageCache[]> {
  const index = await readLayoutIndex(layoutDir).catch(() => undefined);
  const caches: StageCache[] = [];
  for (const descriptor of index?.manifests ?? []) {
    const cache = await readStageCache(layoutDir, descriptor).catch(() => undefined);
    if (cache !== undefined) caches.push(cache);
  }
  return caches;
}

/** Blobs that the layout's manifests reference but the layout does not hold. */
export async function missingLayoutBlobs(layoutDir: string): Promise<string[]> {
  const present = await presentBlobs(layoutDir);
  const missing = new Set<string>();
  for (const cache of await readableCaches(layoutDir)) {
    for (const blob of referencedBlobs(cache)) if (!present.has(blob.digest)) missing.add(blob.digest);
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
  for (const cache of await readableCaches(layoutDir)) {
    for (const blob of cache.manifest.manifests) {
      if (!present.has(blob.digest) && isExternal(blob, external)) externalDigests.add(blob.digest);
    }
  }
  for (const digest of externalDigests) await writeFile(blobPath(exportDir, digest), '');
  return { linked, placeholders: externalDigests.size };
}
