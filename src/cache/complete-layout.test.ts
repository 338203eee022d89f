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

import { addBlobsToLayout, missingLayoutBlobs, seedExportDir } from './complete-layout.js';
import { FIXTURE, BASE_LAYER, BASE_DIFF_ID, DEPS_RUN } from './testdata/export-two-stages.js';

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
