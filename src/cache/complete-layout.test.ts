// The layout helpers around a stage export, on the recorded two-stage export (testdata/): seeding an export
// directory, and finding and adding the base-image blobs a layout lacks.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { addBlobsToLayout, missingLayoutBlobs, seedExportDir } from './complete-layout.js';

const FIXTURE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'testdata',
  'export-two-stages-buildx-0.13',
);
// The base image's layer, left out of the fixture (see its README), and its uncompressed digest.
const BASE_LAYER = 'sha256:345861747fc25d95a69dde45650b0748a2f4a1eb7c0886fbd6b5b66c7748b7e1';
const BASE_DIFF_ID = 'sha256:6485d92cc7ad142145a5db825019f6b76f63147b7551f5b47e56686c07bb63e1';
const DEPS_RUN = 'sha256:c2f9ef3cc17cc2ddfaba41b84eb9bcce46134fbf5baa9fb7019478f9e9ea6886';

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'stagecraft-complete-'));
  cpSync(path.join(FIXTURE, 'deps'), path.join(work, 'layout'), { recursive: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const blob = (dir: string, digest: string): string => path.join(dir, 'blobs', 'sha256', digest.slice(7));

describe('seedExportDir', () => {
  test('links every restored blob and writes an empty placeholder for each external base layer', async () => {
    const layout = path.join(work, 'layout');
    const exportDir = path.join(work, 'export');
    const seeded = await seedExportDir(exportDir, layout, new Set([BASE_DIFF_ID]));
    const restored = readdirSync(path.join(layout, 'blobs', 'sha256'));
    expect(seeded).toEqual({ linked: restored.length, placeholders: 1 });
    // Linked, not copied: the same inode, the same bytes.
    expect(statSync(blob(exportDir, DEPS_RUN)).ino).toBe(statSync(blob(layout, DEPS_RUN)).ino);
    expect(readFileSync(blob(exportDir, BASE_LAYER))).toHaveLength(0);
  });

  test('no placeholder for a layer that is not external: the export must write it for real', async () => {
    const exportDir = path.join(work, 'export');
    const seeded = await seedExportDir(exportDir, path.join(work, 'layout'), new Set());
    expect(seeded.placeholders).toBe(0);
    expect(readdirSync(path.join(exportDir, 'blobs', 'sha256'))).not.toContain(BASE_LAYER.slice(7));
  });
});

describe('missingLayoutBlobs and addBlobsToLayout', () => {
  test('the base layer is missing until a copy of the base image provides it', async () => {
    const layout = path.join(work, 'layout');
    expect(await missingLayoutBlobs(layout)).toEqual([BASE_LAYER]);
    const images = path.join(work, 'images');
    mkdirSync(path.join(images, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(blob(images, BASE_LAYER), 'base layer bytes');
    expect(await addBlobsToLayout(layout, images, [BASE_LAYER, DEPS_RUN])).toEqual([BASE_LAYER]);
    expect(await missingLayoutBlobs(layout)).toEqual([]);
  });
});
