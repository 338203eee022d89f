// Entry directories and the shared layout, on copies of a real export (testdata/export-two-stages-buildx-0.13/).
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { StageKey } from '../keys/types.js';
import {
  ENTRY_METADATA_FILE,
  mergeEntryIntoLayout,
  packEntry,
  readCacheExport,
  readEntryMetadata,
  validateLayout,
} from './entry.js';
import { ownBlobs } from './oci-layout.js';
import {
  FIXTURE,
  BASE_LAYER,
  BASE_DIFF_ID,
  DEPS_MANIFEST,
  DEPS_CONFIG,
  DEPS_RUN,
  APP_MANIFEST,
  APP_CONFIG,
  APP_COPY,
  APP_RUN,
} from './testdata/export-two-stages.js';

const EXTERNAL = new Set([BASE_DIFF_ID]);

function stageKey(stage: number, stageName: string, full = 'f1'): StageKey {
  const prefix = `stagecraft-v1-df-linux-amd64-${stageName}-`;
  return {
    stage,
    stageName,
    key: `${prefix}p1-${full}`,
    restoreKeys: [`${prefix}p1-`, prefix],
    runPrefix: 'p1',
    fullHash: full,
  };
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'stagecraft-entry-'));
  // Work on a copy: entries hard-link blobs, and some tests damage them.
  cpSync(FIXTURE, path.join(work, 'export'), { recursive: true });
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

const exportOf = (stage: 'deps' | 'app'): string => path.join(work, 'export', stage);
const blobFile = (dir: string, digest: string): string => path.join(dir, 'blobs', 'sha256', digest.slice(7));

/** Packs both fixture stages the way saveStageCaches does: deps' blobs stay out of the app's entry. */
async function packBoth(): Promise<{ depsEntry: string; appEntry: string }> {
  const deps = await readCacheExport(exportOf('deps'));
  const app = await readCacheExport(exportOf('app'));
  const depsEntry = path.join(work, 'entries', 'deps');
  const appEntry = path.join(work, 'entries', 'app');
  const own = (blobs: { digest: string }[]): string[] => blobs.map((d) => d.digest);
  await packEntry(exportOf('deps'), stageKey(0, 'deps'), own(ownBlobs(deps, [], EXTERNAL)), depsEntry, {
    now: new Date('2026-01-02T03:04:05Z'),
  });
  await packEntry(exportOf('app'), stageKey(1, 'app'), own(ownBlobs(app, [deps], EXTERNAL)), appEntry);
  return { depsEntry, appEntry };
}

describe('packEntry', () => {
  test('an entry holds its manifest, config and own layers, and says what it borrows', async () => {
    const { depsEntry, appEntry } = await packBoth();
    const deps = await readEntryMetadata(depsEntry);
    expect(deps).toEqual({
      schemaVersion: 1,
      key: 'stagecraft-v1-df-linux-amd64-deps-p1-f1',
      stage: 0,
      stageName: 'deps',
      createdAt: '2026-01-02T03:04:05.000Z',
      tag: 'stagecraft-v1-df-linux-amd64-deps-p1-f1',
      manifest: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DEPS_MANIFEST, size: 895 },
      blobs: [
        { digest: DEPS_MANIFEST, size: 895 },
        { digest: DEPS_RUN, size: 199 },
        { digest: DEPS_CONFIG, size: 730 },
      ],
      external: [{ digest: BASE_LAYER, size: 1069293 }],
    });
    expect(readdirSync(path.join(depsEntry, 'blobs', 'sha256')).sort()).toEqual(
      [DEPS_MANIFEST, DEPS_RUN, DEPS_CONFIG].map((d) => d.slice(7)).sort(),
    );
    expect(readFileSync(path.join(depsEntry, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');
    expect(JSON.parse(readFileSync(path.join(depsEntry, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: DEPS_MANIFEST,
          size: 895,
          annotations: { 'org.opencontainers.image.ref.name': 'stagecraft-v1-df-linux-amd64-deps-p1-f1' },
        },
      ],
    });
    const app = await readEntryMetadata(appEntry);
    expect(app.blobs.map((b) => b.digest)).toEqual([APP_MANIFEST, APP_RUN, APP_COPY, APP_CONFIG]);
    expect(app.external.map((b) => b.digest)).toEqual([BASE_LAYER, DEPS_RUN]);
  });

  test('an export whose own blob is missing cannot be packed', async () => {
    unlinkSync(blobFile(exportOf('deps'), DEPS_RUN));
    await expect(
      packEntry(exportOf('deps'), stageKey(0, 'deps'), [DEPS_RUN], path.join(work, 'entries', 'x')),
    ).rejects.toThrow(/blob sha256:c2f9ef3c.*: missing/);
  });

  test('an export with several manifests needs the tag to pack', async () => {
    await expect(readCacheExport(path.join(work, 'export'))).rejects.toThrow(/index.json: missing/);
    const shared = path.join(work, 'shared');
    cpSync(exportOf('deps'), shared, { recursive: true });
    const app = JSON.parse(readFileSync(path.join(exportOf('app'), 'index.json'), 'utf8')) as {
      manifests: unknown[];
    };
    const deps = JSON.parse(readFileSync(path.join(shared, 'index.json'), 'utf8')) as {
      manifests: unknown[];
    };
    writeFileSync(
      path.join(shared, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [...deps.manifests, ...app.manifests] }),
    );
    await expect(readCacheExport(shared)).rejects.toThrow(/expected one cache manifest, found 2/);
    expect((await readCacheExport(shared, 'deps')).descriptor.digest).toBe(DEPS_MANIFEST);
  });
});

describe('mergeEntryIntoLayout and validateLayout', () => {
  test('two entries share one layout; both manifests survive validation with the base image external', async () => {
    const { depsEntry, appEntry } = await packBoth();
    const layout = path.join(work, 'layout');
    const deps = await mergeEntryIntoLayout(depsEntry, layout);
    const app = await mergeEntryIntoLayout(appEntry, layout);
    expect(deps).toEqual({
      ok: true,
      key: 'stagecraft-v1-df-linux-amd64-deps-p1-f1',
      tag: 'stagecraft-v1-df-linux-amd64-deps-p1-f1',
      manifest: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DEPS_MANIFEST, size: 895 },
      bytes: 895 + 199 + 730,
      added: 3,
    });
    expect(app).toMatchObject({ ok: true, added: 4 });
    expect(await validateLayout(layout, { external: EXTERNAL })).toEqual({
      kept: [
        { tag: 'stagecraft-v1-df-linux-amd64-deps-p1-f1', digest: DEPS_MANIFEST },
        { tag: 'stagecraft-v1-df-linux-amd64-app-p1-f1', digest: APP_MANIFEST },
      ],
      pruned: [],
      dropped: [],
    });
    // Merging again changes nothing: one manifest per tag, blobs stored once.
    expect(await mergeEntryIntoLayout(depsEntry, layout)).toMatchObject({ ok: true, added: 0 });
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
      manifests: unknown[];
    };
    expect(index.manifests).toHaveLength(2);
    expect(readdirSync(path.join(layout, 'blobs', 'sha256'))).toHaveLength(7);
  });

  test("without the dependency's entry the app's manifest loses that layer, and keeps its records and config", async () => {
    const { appEntry } = await packBoth();
    const layout = path.join(work, 'layout');
    expect(await mergeEntryIntoLayout(appEntry, layout)).toMatchObject({ ok: true });
    const validation = await validateLayout(layout, { external: EXTERNAL });
    expect(validation.dropped).toEqual([]);
    expect(validation.pruned).toHaveLength(1);
    const pruned = validation.pruned[0]!;
    expect(pruned).toMatchObject({ tag: 'stagecraft-v1-df-linux-amd64-app-p1-f1', absent: [DEPS_RUN] });
    expect(pruned.digest).not.toBe(APP_MANIFEST);
    expect(validation.kept).toEqual([{ tag: pruned.tag, digest: pruned.digest }]);
    // index.json names the rewritten manifest, a blob of the layout whose digest is its content's.
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
      manifests: { digest: string; size: number; annotations: Record<string, string> }[];
    };
    expect(
      index.manifests.map((d) => [d.digest, d.annotations['org.opencontainers.image.ref.name']]),
    ).toEqual([[pruned.digest, pruned.tag]]);
    const text = readFileSync(blobFile(layout, pruned.digest));
    expect(`sha256:${createHash('sha256').update(text).digest('hex')}`).toBe(pruned.digest);
    expect(index.manifests[0]!.size).toBe(text.length);
    const manifest = JSON.parse(text.toString('utf8')) as { manifests: { digest: string }[] };
    expect(manifest.manifests.map((d) => d.digest)).toEqual([APP_RUN, APP_COPY, BASE_LAYER, APP_CONFIG]);
    // A second validation finds nothing more to do.
    expect(await validateLayout(layout, { external: EXTERNAL })).toEqual({
      kept: validation.kept,
      pruned: [],
      dropped: [],
    });
  });

  test('base layers that are not external count as absent', async () => {
    const { depsEntry } = await packBoth();
    const layout = path.join(work, 'layout');
    await mergeEntryIntoLayout(depsEntry, layout);
    expect((await validateLayout(layout)).pruned.map((d) => d.absent)).toEqual([[BASE_LAYER]]);
  });

  test('a manifest whose cache config is absent is dropped', async () => {
    const { depsEntry } = await packBoth();
    const layout = path.join(work, 'layout');
    await mergeEntryIntoLayout(depsEntry, layout);
    unlinkSync(blobFile(layout, DEPS_CONFIG));
    const validation = await validateLayout(layout, { external: EXTERNAL });
    expect(validation.kept).toEqual([]);
    expect(validation.dropped.map((d) => d.tag)).toEqual(['stagecraft-v1-df-linux-amd64-deps-p1-f1']);
    expect(JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      manifests: [],
    });
  });

  test.each([
    {
      name: 'metadata is not JSON',
      damage: (entry: string) => writeFileSync(path.join(entry, ENTRY_METADATA_FILE), '{'),
      reason: /stagecraft-entry.json: invalid JSON/,
    },
    {
      name: 'metadata is missing',
      damage: (entry: string) => unlinkSync(path.join(entry, ENTRY_METADATA_FILE)),
      reason: /stagecraft-entry.json: missing/,
    },
    {
      name: 'a blob is missing',
      damage: (entry: string) => unlinkSync(blobFile(entry, DEPS_RUN)),
      reason: /blob sha256:c2f9ef3c\w+: missing/,
    },
    {
      name: 'a blob has the wrong content (same size)',
      damage: (entry: string) => {
        const file = blobFile(entry, DEPS_RUN);
        const size = readFileSync(file).length;
        unlinkSync(file); // not in place: the file is a hard link of the export's
        writeFileSync(file, Buffer.alloc(size, 0x41));
      },
      reason: /blob sha256:c2f9ef3c\w+ has digest sha256:/,
    },
    {
      name: 'a blob has the wrong size',
      damage: (entry: string) => {
        const file = blobFile(entry, DEPS_RUN);
        unlinkSync(file);
        writeFileSync(file, 'short');
      },
      reason: /has 5 bytes, expected 199/,
    },
    {
      name: 'index.json names another manifest',
      damage: (entry: string) =>
        writeFileSync(
          path.join(entry, 'index.json'),
          readFileSync(path.join(entry, 'index.json'), 'utf8').replace(DEPS_MANIFEST, APP_MANIFEST),
        ),
      reason: /index.json does not hold exactly the manifest/,
    },
  ])('a damaged entry is refused, never thrown: $name', async ({ damage, reason }) => {
    const { depsEntry } = await packBoth();
    damage(depsEntry);
    const layout = path.join(work, 'layout');
    const result = await mergeEntryIntoLayout(depsEntry, layout);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
    expect(
      existsSync(path.join(layout, 'index.json'))
        ? readFileSync(path.join(layout, 'index.json'), 'utf8')
        : '',
    ).not.toContain(DEPS_MANIFEST);
  });

  test('a layout whose index.json is unreadable is emptied and says why', async () => {
    const layout = path.join(work, 'layout');
    cpSync(exportOf('deps'), layout, { recursive: true });
    writeFileSync(path.join(layout, 'index.json'), 'not json');
    const validation = await validateLayout(layout);
    expect(validation.error).toMatch(/index.json is unreadable: .*invalid JSON/);
    expect(readFileSync(path.join(layout, 'index.json'), 'utf8')).toBe('{"schemaVersion":2,"manifests":[]}');
    rmSync(layout, { recursive: true });
  });
});
