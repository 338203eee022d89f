import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 8962:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AR: () => (/* binding */ packEntry),
/* harmony export */   D$: () => (/* binding */ readStageCache),
/* harmony export */   EL: () => (/* binding */ copyTree),
/* harmony export */   F2: () => (/* binding */ validateLayout),
/* harmony export */   L7: () => (/* binding */ linkOrCopy),
/* harmony export */   NG: () => (/* binding */ mergeEntryIntoLayout),
/* harmony export */   RG: () => (/* binding */ directorySize),
/* harmony export */   Xn: () => (/* binding */ readLayoutIndex),
/* harmony export */   Yp: () => (/* binding */ presentBlobs),
/* harmony export */   Zf: () => (/* binding */ writeFileAtomic),
/* harmony export */   dM: () => (/* binding */ removeTree),
/* harmony export */   nD: () => (/* binding */ blobPath),
/* harmony export */   p0: () => (/* binding */ ensureLayout),
/* harmony export */   wM: () => (/* binding */ readEntryMetadata),
/* harmony export */   z: () => (/* binding */ readCacheExport)
/* harmony export */ });
/* unused harmony exports ENTRY_METADATA_FILE, ENTRY_SCHEMA_VERSION, EntryError, sha256File, parseEntryMetadata */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _oci_layout_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2654);
// A stage's cache entry on disk, and the shared OCI layout that restored entries are merged into.
//
// An entry directory is itself a valid OCI image layout holding one cache manifest:
//
//   stagecraft-entry.json   what the entry is (EntryMetadata below): schema version, key, stage, createdAt,
//                           tag, the manifest's descriptor, the blobs stored here and those it borrows
//   index.json              {"schemaVersion":2,"manifests":[<the cache manifest, ref.name = tagForKey(key)>]}
//   oci-layout              {"imageLayoutVersion":"1.0.0"}
//   blobs/sha256/<hex>      the stage's own blobs: its cache manifest, its cache config and the layers its own
//                           instructions made; the blobs of the stages it depends on live in their entries, and
//                           external base-image layers are left to the engine's image store
//
// Restoring merges each entry into one layout (blobs hard-linked or copied, stored once; each manifest added
// to index.json under its tag), then `validateLayout` drops every manifest that references an absent blob, so
// BuildKit is never handed a record it cannot load. Bad entries are reported as data, never thrown.





const ENTRY_METADATA_FILE = 'stagecraft-entry.json';
const ENTRY_SCHEMA_VERSION = 1;
/** An entry or export that cannot be used; the message says why. */
class EntryError extends Error {
    name = 'EntryError';
}
function blobPath(layoutDir, digest) {
    return node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'blobs', 'sha256', (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .digestHex */ .sU)(digest));
}
async function readText(file, what) {
    try {
        return await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile)(file, 'utf8');
    }
    catch (error) {
        throw new EntryError(`${what}: ${describeFsError(error)}`);
    }
}
function describeFsError(error) {
    const code = error.code;
    if (code === 'ENOENT')
        return 'missing';
    return error.message;
}
function wrap(what, parse) {
    try {
        return parse();
    }
    catch (error) {
        if (error instanceof _oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .OciLayoutError */ .mV)
            throw new EntryError(`${what}: ${error.message}`);
        throw error;
    }
}
async function sha256File(file) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    for await (const chunk of (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(file))
        hash.update(chunk);
    return `sha256:${hash.digest('hex')}`;
}
/** Hard-links `from` to `to`, or copies it where a link cannot be made (another file system). */
async function linkOrCopy(from, to) {
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.link)(from, to);
    }
    catch (error) {
        const code = error.code;
        if (code === 'EEXIST')
            throw error;
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.copyFile)(from, to);
    }
}
/** Copies a directory tree, hard-linking files where it can. Returns the bytes of the files. */
async function copyTree(from, to) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)(to, { recursive: true });
    let bytes = 0;
    for (const entry of await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir)(from, { withFileTypes: true })) {
        const source = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(from, entry.name);
        const target = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(to, entry.name);
        if (entry.isDirectory())
            bytes += await copyTree(source, target);
        else if (entry.isFile()) {
            await linkOrCopy(source, target);
            bytes += (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(target)).size;
        }
    }
    return bytes;
}
/** Writes a file through a temporary name and a rename, so readers never see half of it. */
async function writeFileAtomic(file, content) {
    const temp = `${file}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}.tmp`;
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(temp, content);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(temp, file);
}
/** Total size of the regular files under `dir`. */
async function directorySize(dir) {
    let total = 0;
    for (const entry of await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir)(dir, { withFileTypes: true })) {
        const full = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, entry.name);
        if (entry.isDirectory())
            total += await directorySize(full);
        else if (entry.isFile())
            total += (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(full)).size;
    }
    return total;
}
/** Reads a layout's index.json. */
async function readLayoutIndex(layoutDir) {
    const text = await readText(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'index.json'), `${layoutDir}: index.json`);
    return wrap(`${layoutDir}: index.json`, () => (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .parseOciIndex */ .ri)(text));
}
/** Reads the cache manifest and config that `descriptor` names, from a layout's blobs. */
async function readStageCache(layoutDir, descriptor) {
    const what = `${layoutDir}: cache manifest ${descriptor.digest}`;
    const manifestText = await readText(blobPath(layoutDir, descriptor.digest), what);
    const manifest = wrap(what, () => (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .parseCacheManifest */ .Lm)(manifestText, what));
    const configDescriptor = wrap(what, () => (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .cacheConfigDescriptor */ .Uw)(manifest));
    const configWhat = `${layoutDir}: cache config ${configDescriptor.digest}`;
    const configText = await readText(blobPath(layoutDir, configDescriptor.digest), configWhat);
    const config = wrap(configWhat, () => (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .parseCacheConfig */ .Sw)(configText, configWhat));
    return { descriptor, manifest, config };
}
/**
 * A stage's cache as BuildKit exported it (`--cache-to type=local,dest=<exportDir>,mode=max[,tag=<tag>]`): the
 * manifest tagged `tag`, or the only manifest when no tag is given.
 */
async function readCacheExport(exportDir, tag) {
    const index = await readLayoutIndex(exportDir);
    let descriptor;
    if (tag !== undefined) {
        descriptor = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .findManifestByTag */ .EM)(index, tag);
        if (descriptor === undefined)
            throw new EntryError(`${exportDir}: no cache manifest tagged ${tag}`);
    }
    else if (index.manifests.length === 1) {
        descriptor = index.manifests[0];
    }
    else {
        throw new EntryError(`${exportDir}: expected one cache manifest, found ${index.manifests.length}`);
    }
    return readStageCache(exportDir, descriptor);
}
/**
 * Makes an entry directory for `stageKey` from a stage's cache export, holding the manifest, its config and the
 * given own blobs (digests; see `ownBlobs` in oci-layout.ts). `entryDir` must not exist or be empty.
 */
async function packEntry(exportDir, stageKey, ownBlobDigests, entryDir, options = {}) {
    const cache = await readCacheExport(exportDir, options.exportTag);
    const own = new Set(ownBlobDigests);
    own.add(cache.descriptor.digest);
    own.add((0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .cacheConfigDescriptor */ .Uw)(cache.manifest).digest);
    const referenced = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .referencedBlobs */ .sW)(cache);
    const blobs = [];
    const external = [];
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(entryDir, 'blobs', 'sha256'), { recursive: true });
    for (const descriptor of referenced) {
        if (!own.has(descriptor.digest)) {
            external.push({ digest: descriptor.digest, size: descriptor.size });
            continue;
        }
        const from = blobPath(exportDir, descriptor.digest);
        let size;
        try {
            size = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(from)).size;
        }
        catch (error) {
            throw new EntryError(`${exportDir}: blob ${descriptor.digest}: ${describeFsError(error)}`);
        }
        if (descriptor.size >= 0 && size !== descriptor.size) {
            throw new EntryError(`${exportDir}: blob ${descriptor.digest} has ${size} bytes, its descriptor says ${descriptor.size}`);
        }
        await linkOrCopy(from, blobPath(entryDir, descriptor.digest));
        blobs.push({ digest: descriptor.digest, size });
    }
    const tag = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .tagForKey */ .F8)(stageKey.key);
    const manifest = {
        mediaType: cache.descriptor.mediaType,
        digest: cache.descriptor.digest,
        size: cache.descriptor.size,
    };
    const metadata = {
        schemaVersion: ENTRY_SCHEMA_VERSION,
        key: stageKey.key,
        stage: stageKey.stage,
        stageName: stageKey.stageName,
        createdAt: (options.now ?? new Date()).toISOString(),
        tag,
        manifest,
        blobs,
        external,
    };
    const shared = [...new Set(options.shared ?? [])].filter((digest) => blobs.some((b) => b.digest === digest));
    if (shared.length > 0)
        metadata.shared = shared;
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(entryDir, 'oci-layout'), _oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .OCI_LAYOUT_CONTENT */ .vS);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(entryDir, 'index.json'), (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeOciIndex */ .K8)([(0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .withRefName */ .JU)(manifest, tag)]));
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(entryDir, ENTRY_METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    return metadata;
}
function parseEntryBlobs(value, what) {
    if (!Array.isArray(value))
        throw new EntryError(`${what} must be an array`);
    return value.map((blob, i) => {
        const b = blob;
        if (b === null || typeof b !== 'object' || !(0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .isDigest */ .Bc)(b.digest) || typeof b.size !== 'number') {
            throw new EntryError(`${what}[${i}] must be {digest, size}`);
        }
        return { digest: b.digest, size: b.size };
    });
}
function parseDigests(value, what) {
    if (!Array.isArray(value) || !value.every(_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .isDigest */ .Bc))
        throw new EntryError(`${what} must be an array of digests`);
    return value;
}
/** Parses and checks `stagecraft-entry.json`. */
function parseEntryMetadata(text, what = ENTRY_METADATA_FILE) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (error) {
        throw new EntryError(`${what}: invalid JSON (${error.message})`);
    }
    const m = value;
    if (m === null || typeof m !== 'object')
        throw new EntryError(`${what}: must be a JSON object`);
    if (m.schemaVersion !== ENTRY_SCHEMA_VERSION) {
        throw new EntryError(`${what}: schemaVersion ${JSON.stringify(m.schemaVersion)} is not ${ENTRY_SCHEMA_VERSION}`);
    }
    const manifest = m.manifest;
    if (typeof m.key !== 'string' ||
        typeof m.stage !== 'number' ||
        typeof m.stageName !== 'string' ||
        typeof m.createdAt !== 'string' ||
        typeof m.tag !== 'string' ||
        manifest === null ||
        typeof manifest !== 'object' ||
        !(0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .isDigest */ .Bc)(manifest.digest) ||
        typeof manifest.size !== 'number' ||
        typeof manifest.mediaType !== 'string') {
        throw new EntryError(`${what}: key, stage, stageName, createdAt, tag and manifest are required`);
    }
    return {
        schemaVersion: ENTRY_SCHEMA_VERSION,
        key: m.key,
        stage: m.stage,
        stageName: m.stageName,
        createdAt: m.createdAt,
        tag: m.tag,
        manifest: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size },
        blobs: parseEntryBlobs(m.blobs, `${what}: blobs`),
        external: parseEntryBlobs(m.external ?? [], `${what}: external`),
        ...(m.shared === undefined ? {} : { shared: parseDigests(m.shared, `${what}: shared`) }),
    };
}
async function readEntryMetadata(entryDir) {
    const what = `${entryDir}: ${ENTRY_METADATA_FILE}`;
    return parseEntryMetadata(await readText(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(entryDir, ENTRY_METADATA_FILE), what), what);
}
/** Creates an empty OCI layout at `layoutDir` unless one is there. */
async function ensureLayout(layoutDir) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'blobs', 'sha256'), { recursive: true });
    const layoutFile = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'oci-layout');
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(layoutFile, _oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .OCI_LAYOUT_CONTENT */ .vS, { flag: 'wx' }).catch((error) => {
        if (error.code !== 'EEXIST')
            throw error;
    });
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'index.json'), (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeOciIndex */ .K8)([]), { flag: 'wx' }).catch((error) => {
        if (error.code !== 'EEXIST')
            throw error;
    });
}
/**
 * Checks an entry (metadata, index.json, every blob's size and sha256) and merges it into the shared layout at
 * `layoutDir`: its blobs hard-linked or copied in (those already there are kept), its manifest added to
 * index.json under the entry's tag (replacing a manifest with the same tag). A bad entry changes nothing in
 * index.json and comes back as `{ok: false, reason}`.
 */
async function mergeEntryIntoLayout(entryDir, layoutDir) {
    try {
        const metadata = await readEntryMetadata(entryDir);
        const index = await readLayoutIndex(entryDir);
        const only = index.manifests[0];
        if (index.manifests.length !== 1 ||
            only === undefined ||
            only.digest !== metadata.manifest.digest ||
            (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(only) !== metadata.tag) {
            throw new EntryError(`index.json does not hold exactly the manifest ${metadata.manifest.digest} tagged ${metadata.tag}`);
        }
        if (!metadata.blobs.some((b) => b.digest === metadata.manifest.digest)) {
            throw new EntryError(`the entry does not hold its own manifest ${metadata.manifest.digest}`);
        }
        await ensureLayout(layoutDir);
        let bytes = 0;
        let added = 0;
        for (const blob of metadata.blobs) {
            const from = blobPath(entryDir, blob.digest);
            let size;
            try {
                size = (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(from)).size;
            }
            catch (error) {
                throw new EntryError(`blob ${blob.digest}: ${describeFsError(error)}`);
            }
            if (size !== blob.size)
                throw new EntryError(`blob ${blob.digest} has ${size} bytes, expected ${blob.size}`);
            const actual = await sha256File(from);
            if (actual !== blob.digest)
                throw new EntryError(`blob ${blob.digest} has digest ${actual}`);
            bytes += size;
            const to = blobPath(layoutDir, blob.digest);
            const existing = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(to).catch(() => undefined);
            if (existing?.size === size)
                continue;
            const temp = `${to}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}.tmp`;
            await linkOrCopy(from, temp);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(temp, to);
            added += 1;
        }
        const layoutIndex = await readLayoutIndex(layoutDir);
        const manifests = layoutIndex.manifests.filter((d) => (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(d) !== metadata.tag);
        manifests.push((0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .withRefName */ .JU)(metadata.manifest, metadata.tag));
        await writeFileAtomic(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'index.json'), (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeOciIndex */ .K8)(manifests));
        return { ok: true, key: metadata.key, tag: metadata.tag, manifest: metadata.manifest, bytes, added };
    }
    catch (error) {
        if (error instanceof EntryError)
            return { ok: false, reason: error.message };
        return { ok: false, reason: `${error.message}` };
    }
}
/** The sha256 blobs a layout holds. */
async function presentBlobs(layoutDir) {
    const present = new Set();
    const names = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'blobs', 'sha256')).catch(() => []);
    for (const name of names) {
        if (/^[0-9a-f]{64}$/.test(name))
            present.add(`sha256:${name}`);
    }
    return present;
}
/**
 * Makes the layout safe to hand to BuildKit: every manifest that references an absent layer blob is rewritten
 * without it (BuildKit then skips the results that needed it, instead of failing the build on them), and a
 * manifest that cannot be read, or whose cache config is absent, is removed from index.json.
 */
async function validateLayout(layoutDir, options = {}) {
    let index;
    try {
        index = await readLayoutIndex(layoutDir);
    }
    catch (error) {
        await ensureLayout(layoutDir);
        await writeFileAtomic(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'index.json'), (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeOciIndex */ .K8)([]));
        return {
            kept: [],
            pruned: [],
            dropped: [],
            error: `index.json is unreadable: ${error.message}`,
        };
    }
    const present = await presentBlobs(layoutDir);
    const candidates = [];
    for (const descriptor of index.manifests) {
        try {
            const cache = await readStageCache(layoutDir, descriptor);
            candidates.push(cache.config === undefined
                ? { descriptor, manifest: cache.manifest }
                : { descriptor, manifest: cache.manifest, config: cache.config });
        }
        catch (error) {
            candidates.push({ descriptor, error: error.message });
        }
    }
    const check = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .checkManifests */ .d5)(candidates, present, options.external);
    const manifests = [...check.complete];
    const pruned = [];
    const dropped = [];
    for (const incomplete of check.incomplete) {
        const candidate = candidates.find((c) => c.descriptor === incomplete.descriptor);
        const rewritten = candidate.manifest === undefined || candidate.config === undefined
            ? undefined
            : await pruneManifest(layoutDir, candidate.descriptor, new Set(incomplete.missing));
        if (rewritten === undefined) {
            dropped.push(incomplete);
            continue;
        }
        manifests.push(rewritten);
        // Absent blobs that only the config names (an earlier pruning left them): BuildKit skips those already.
        if (rewritten === candidate.descriptor)
            continue;
        const tag = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(rewritten);
        pruned.push({
            ...(tag === undefined ? {} : { tag }),
            digest: rewritten.digest,
            absent: incomplete.missing,
        });
    }
    if (pruned.length > 0 || dropped.length > 0) {
        // Keep index order, so that BuildKit sees the caches in the order they were merged.
        const order = new Map(index.manifests.map((d, i) => [(0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(d) ?? d.digest, i]));
        manifests.sort((a, b) => (order.get((0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(a) ?? a.digest) ?? 0) - (order.get((0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(b) ?? b.digest) ?? 0));
        await writeFileAtomic(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(layoutDir, 'index.json'), (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeOciIndex */ .K8)(manifests));
    }
    const kept = manifests.map((d) => {
        const tag = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .refName */ .P7)(d);
        return tag === undefined ? { digest: d.digest } : { tag, digest: d.digest };
    });
    return { kept, pruned, dropped };
}
/**
 * Writes the manifest without the absent layers as a new blob and returns its descriptor (ref name kept), or
 * undefined when the manifest or its config itself is absent (nothing left to keep).
 */
async function pruneManifest(layoutDir, descriptor, absent) {
    if (absent.has(descriptor.digest))
        return undefined;
    const text = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readFile)(blobPath(layoutDir, descriptor.digest), 'utf8');
    const manifest = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .parseCacheManifest */ .Lm)(text);
    if (absent.has((0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .cacheConfigDescriptor */ .Uw)(manifest).digest))
        return undefined;
    const rewritten = (0,_oci_layout_js__WEBPACK_IMPORTED_MODULE_4__/* .withoutAbsentLayers */ .Gc)(text, absent);
    if (rewritten === undefined)
        return descriptor;
    const bytes = Buffer.from(rewritten);
    const digest = `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(bytes).digest('hex')}`;
    await writeFileAtomic(blobPath(layoutDir, digest), bytes);
    return { ...descriptor, digest, size: bytes.length };
}
/** Removes a directory tree; a missing one is fine. */
async function removeTree(dir) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(dir, { recursive: true, force: true });
}


/***/ }),

/***/ 2654:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ isDigest),
/* harmony export */   Dj: () => (/* binding */ ownBlobs),
/* harmony export */   EM: () => (/* binding */ findManifestByTag),
/* harmony export */   F8: () => (/* binding */ tagForKey),
/* harmony export */   Gc: () => (/* binding */ withoutAbsentLayers),
/* harmony export */   JU: () => (/* binding */ withRefName),
/* harmony export */   K8: () => (/* binding */ encodeOciIndex),
/* harmony export */   Lm: () => (/* binding */ parseCacheManifest),
/* harmony export */   P7: () => (/* binding */ refName),
/* harmony export */   Sw: () => (/* binding */ parseCacheConfig),
/* harmony export */   Uw: () => (/* binding */ cacheConfigDescriptor),
/* harmony export */   cJ: () => (/* binding */ unloadableOwnResults),
/* harmony export */   d5: () => (/* binding */ checkManifests),
/* harmony export */   ge: () => (/* binding */ isExternal),
/* harmony export */   mV: () => (/* binding */ OciLayoutError),
/* harmony export */   ri: () => (/* binding */ parseOciIndex),
/* harmony export */   sU: () => (/* binding */ digestHex),
/* harmony export */   sW: () => (/* binding */ referencedBlobs),
/* harmony export */   vS: () => (/* binding */ OCI_LAYOUT_CONTENT),
/* harmony export */   y0: () => (/* binding */ ownResultChains),
/* harmony export */   yI: () => (/* binding */ CACHE_CONFIG_MEDIA_TYPE)
/* harmony export */ });
/* unused harmony exports OCI_INDEX_MEDIA_TYPE, REF_NAME_ANNOTATION, UNCOMPRESSED_ANNOTATION, layerChain */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
// Pure reading of BuildKit's local cache export (an OCI image layout) and the blob arithmetic of per-stage
// entries: which blobs a stage's cache references, which of them are its own, and which cache manifests are
// complete enough to hand to BuildKit. No files, no processes: callers read the bytes and pass them in.
//
// The shapes, as BuildKit 0.13 writes them (see testdata/export-two-stages-buildx-0.13/):
//   index.json      {"schemaVersion":2,"manifests":[{mediaType: OCI index, digest, size,
//                    annotations: {"org.opencontainers.image.ref.name": <tag>}}]}
//   cache manifest  an OCI index whose `manifests` are the layer blobs (with `containerd.io/uncompressed`) and one
//                   `application/vnd.buildkit.cacheconfig.v0` blob
//   cache config    {"layers":[{"blob", "parent"?}], "records":[{"digest", "layers"?: [{"layer", "createdAt"}],
//                    "chains"?: [{"layers": [...]}], "inputs"?}]}; `parent` is omitted when it is 0 (Go omitempty),
//                   -1 marks a chain's root.

const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.buildkit.cacheconfig.v0';
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const UNCOMPRESSED_ANNOTATION = 'containerd.io/uncompressed';
/** The `oci-layout` file's content, byte for byte as BuildKit writes it. */
const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** Malformed layout data; the message says which file and what is wrong. */
class OciLayoutError extends Error {
    name = 'OciLayoutError';
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function parseJson(text, what) {
    try {
        return JSON.parse(text);
    }
    catch (error) {
        throw new OciLayoutError(`${what}: invalid JSON (${error.message})`);
    }
}
function isDigest(value) {
    return typeof value === 'string' && DIGEST_PATTERN.test(value);
}
/** The hex part of a `sha256:` digest: the blob's file name under `blobs/sha256/`. */
function digestHex(digest) {
    if (!isDigest(digest))
        throw new OciLayoutError(`not a sha256 digest: ${JSON.stringify(digest)}`);
    return digest.slice('sha256:'.length);
}
function parseDescriptor(value, what) {
    if (!isObject(value))
        throw new OciLayoutError(`${what}: a descriptor must be an object`);
    const { mediaType, digest, size, annotations } = value;
    if (typeof mediaType !== 'string')
        throw new OciLayoutError(`${what}: mediaType must be a string`);
    if (!isDigest(digest))
        throw new OciLayoutError(`${what}: digest ${JSON.stringify(digest)} is not a sha256 digest`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw new OciLayoutError(`${what}: size must be a non-negative integer`);
    }
    if (annotations === undefined)
        return { mediaType, digest, size };
    if (!isObject(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
        throw new OciLayoutError(`${what}: annotations must map strings to strings`);
    }
    return { mediaType, digest, size, annotations: annotations };
}
/** Parses an OCI image index (a layout's `index.json`, or a cache manifest). */
function parseOciIndex(text, what = 'index.json') {
    const value = parseJson(text, what);
    if (!isObject(value))
        throw new OciLayoutError(`${what}: must be a JSON object`);
    if (value.schemaVersion !== 2)
        throw new OciLayoutError(`${what}: schemaVersion must be 2`);
    if (!Array.isArray(value.manifests))
        throw new OciLayoutError(`${what}: manifests must be an array`);
    const manifests = value.manifests.map((entry, i) => parseDescriptor(entry, `${what}: manifests[${i}]`));
    return typeof value.mediaType === 'string'
        ? { schemaVersion: 2, mediaType: value.mediaType, manifests }
        : { schemaVersion: 2, manifests };
}
/** Parses a cache manifest: an OCI index with exactly one cache config among its blobs. */
function parseCacheManifest(text, what = 'cache manifest') {
    const index = parseOciIndex(text, what);
    const configs = index.manifests.filter((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
    if (configs.length !== 1) {
        throw new OciLayoutError(`${what}: expected one ${CACHE_CONFIG_MEDIA_TYPE} blob, found ${configs.length}`);
    }
    return index;
}
/** The cache config's descriptor in a cache manifest. */
function cacheConfigDescriptor(manifest) {
    const config = manifest.manifests.find((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
    if (config === undefined)
        throw new OciLayoutError(`cache manifest has no ${CACHE_CONFIG_MEDIA_TYPE} blob`);
    return config;
}
function parseIndexList(value, what) {
    if (value === undefined)
        return [];
    if (!Array.isArray(value))
        throw new OciLayoutError(`${what} must be an array`);
    return value.map((entry, i) => {
        if (!isObject(entry) || typeof entry.layer !== 'number' || !Number.isInteger(entry.layer)) {
            throw new OciLayoutError(`${what}[${i}].layer must be an integer`);
        }
        return entry.layer;
    });
}
/** Parses BuildKit's cache config (`application/vnd.buildkit.cacheconfig.v0`). */
function parseCacheConfig(text, what = 'cache config') {
    const value = parseJson(text, what);
    if (!isObject(value))
        throw new OciLayoutError(`${what}: must be a JSON object`);
    const rawLayers = value.layers ?? [];
    const rawRecords = value.records ?? [];
    if (!Array.isArray(rawLayers))
        throw new OciLayoutError(`${what}: layers must be an array`);
    if (!Array.isArray(rawRecords))
        throw new OciLayoutError(`${what}: records must be an array`);
    const layers = rawLayers.map((layer, i) => {
        if (!isObject(layer) || !isDigest(layer.blob)) {
            throw new OciLayoutError(`${what}: layers[${i}].blob must be a sha256 digest`);
        }
        const parent = layer.parent ?? 0;
        if (typeof parent !== 'number' ||
            !Number.isInteger(parent) ||
            parent < -1 ||
            parent >= rawLayers.length) {
            throw new OciLayoutError(`${what}: layers[${i}].parent ${JSON.stringify(layer.parent)} is out of range`);
        }
        return { blob: layer.blob, parent };
    });
    const records = rawRecords.map((record, i) => {
        if (!isObject(record) || typeof record.digest !== 'string') {
            throw new OciLayoutError(`${what}: records[${i}].digest must be a string`);
        }
        const results = parseIndexList(record.layers, `${what}: records[${i}].layers`);
        const chains = record.chains ?? [];
        if (!Array.isArray(chains))
            throw new OciLayoutError(`${what}: records[${i}].chains must be an array`);
        // A chained result ({"layers": [int, ...]}) stacks several layers, each with its own parent chain.
        chains.forEach((chain, c) => {
            const indexes = isObject(chain) ? chain.layers : undefined;
            if (!Array.isArray(indexes) || indexes.some((n) => typeof n !== 'number' || !Number.isInteger(n))) {
                throw new OciLayoutError(`${what}: records[${i}].chains[${c}].layers must be an array of integers`);
            }
            results.push(...indexes);
        });
        for (const index of results) {
            if (index < 0 || index >= layers.length) {
                throw new OciLayoutError(`${what}: records[${i}] refers to layer ${index}, which does not exist`);
            }
        }
        return { digest: record.digest, results };
    });
    // A parent cycle would make every chain walk endless: reject it here, once.
    layers.forEach((_, start) => layerChain({ layers, records }, start));
    return { layers, records };
}
/** The blobs of a result's layer chain, top first: the layer and its parents down to the root. */
function layerChain(config, layer) {
    const chain = [];
    const seen = new Set();
    for (let i = layer; i !== -1; i = config.layers[i]?.parent ?? -1) {
        const entry = config.layers[i];
        if (entry === undefined)
            throw new OciLayoutError(`cache config: layer ${i} does not exist`);
        if (seen.has(i))
            throw new OciLayoutError(`cache config: layer ${layer}'s parent chain has a cycle`);
        seen.add(i);
        chain.push(entry.blob);
    }
    return chain;
}
/** The manifest in a layout's index with this `org.opencontainers.image.ref.name`. */
function findManifestByTag(index, tag) {
    return index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === tag);
}
function refName(descriptor) {
    return descriptor.annotations?.[REF_NAME_ANNOTATION];
}
/**
 * Every blob a stage's cache references: the manifest itself, each blob it lists, and (when the config is
 * given) each layer the config names, in that order, without repeats.
 */
function referencedBlobs(cache) {
    const byDigest = new Map();
    const add = (d) => {
        if (!byDigest.has(d.digest))
            byDigest.set(d.digest, d);
    };
    add({
        mediaType: cache.descriptor.mediaType,
        digest: cache.descriptor.digest,
        size: cache.descriptor.size,
    });
    cache.manifest.manifests.forEach(add);
    for (const layer of cache.config?.layers ?? []) {
        // A config layer the manifest does not describe: size unknown (-1); BuildKit never writes one.
        if (!byDigest.has(layer.blob))
            add({ mediaType: 'application/octet-stream', digest: layer.blob, size: -1 });
    }
    return [...byDigest.values()];
}
/**
 * Whether a descriptor is one of the given external layers (an image's layers that the builder reads from its
 * own image store): matched on the blob's digest or on its `containerd.io/uncompressed` digest, so a set of
 * diff IDs (`docker image inspect`'s `RootFS.Layers`) works as well as compressed digests.
 */
function isExternal(descriptor, external) {
    if (external.has(descriptor.digest))
        return true;
    const uncompressed = descriptor.annotations?.[UNCOMPRESSED_ANNOTATION];
    return uncompressed !== undefined && external.has(uncompressed);
}
/**
 * A stage's own blobs: those its cache references, less those the caches of the stages it depends on
 * reference (they live in those stages' entries), less external image layers. The manifest and the config are
 * always its own.
 */
function ownBlobs(stage, dependencies, external = new Set()) {
    const theirs = new Set(dependencies.flatMap((dep) => referencedBlobs(dep).map((d) => d.digest)));
    const config = cacheConfigDescriptor(stage.manifest).digest;
    return referencedBlobs(stage).filter((d) => d.digest === stage.descriptor.digest ||
        d.digest === config ||
        (!theirs.has(d.digest) && !isExternal(d, external)));
}
/**
 * Blobs that the results of a stage's own instructions need but that are neither present nor external: the
 * layer chains of every record result whose top layer is one of `own` (the blobs the stage's entry stores).
 * Empty when all of them can be loaded, i.e. when BuildKit can take the stage's output from this cache.
 */
function unloadableOwnResults(cache, own, present, external = new Set()) {
    const described = new Map(cache.manifest.manifests.map((d) => [d.digest, d]));
    return [...ownResultChains(cache, own)].filter((blob) => {
        const descriptor = described.get(blob);
        return !present.has(blob) && (descriptor === undefined || !isExternal(descriptor, external));
    });
}
/**
 * Every blob in the layer chains of the record results whose top layer is one of `own`: what a stage's output
 * is made of. It can hold another stage's blob where two stages made byte-identical layers (a `COPY --from`
 * of a file that stage's RUN wrote alone gives the same tar, and so the same digest).
 */
function ownResultChains(cache, own) {
    const blobs = new Set();
    const config = cache.config;
    if (config === undefined)
        return blobs;
    for (const record of config.records) {
        for (const top of record.results) {
            if (!own.has(config.layers[top].blob))
                continue;
            for (const blob of layerChain(config, top))
                blobs.add(blob);
        }
    }
    return blobs;
}
/**
 * A cache manifest's text without the descriptors of the `absent` blobs (the config's is kept), or undefined
 * when it lists none of them. BuildKit reads a layer only through the manifest's descriptors and skips every
 * result whose chain has a layer the manifest does not describe, so the records stay (their keys still link
 * the stages) while the results it could not load are gone.
 */
function withoutAbsentLayers(manifestText, absent) {
    const value = parseJson(manifestText, 'cache manifest');
    if (!isObject(value) || !Array.isArray(value.manifests))
        return undefined;
    const kept = value.manifests.filter((d) => !isObject(d) || d.mediaType === CACHE_CONFIG_MEDIA_TYPE || !absent.has(String(d.digest)));
    if (kept.length === value.manifests.length)
        return undefined;
    return JSON.stringify({ ...value, manifests: kept });
}
function shortDigest(digest) {
    return digest.slice(0, 'sha256:'.length + 12);
}
/**
 * Splits a layout's manifests into complete ones (every referenced blob present, or an external layer) and
 * incomplete ones, which must be dropped: BuildKit fails a build on a record whose blob is absent.
 */
function checkManifests(candidates, present, external = new Set()) {
    const complete = [];
    const incomplete = [];
    for (const candidate of candidates) {
        const tag = refName(candidate.descriptor);
        const drop = (missing, reason) => {
            incomplete.push(tag === undefined
                ? { descriptor: candidate.descriptor, missing, reason }
                : { descriptor: candidate.descriptor, tag, missing, reason });
        };
        if (candidate.manifest === undefined || candidate.error !== undefined) {
            const there = present.has(candidate.descriptor.digest);
            const name = `cache manifest ${shortDigest(candidate.descriptor.digest)}`;
            drop(there ? [] : [candidate.descriptor.digest], candidate.error ?? `${name} ${there ? 'could not be read' : 'is absent'}`);
            continue;
        }
        if (candidate.config === undefined) {
            drop([], 'its cache config could not be read');
            continue;
        }
        const missing = referencedBlobs({
            descriptor: candidate.descriptor,
            manifest: candidate.manifest,
            config: candidate.config,
        })
            .filter((d) => !present.has(d.digest) && !isExternal(d, external))
            .map((d) => d.digest);
        if (missing.length === 0)
            complete.push(candidate.descriptor);
        else {
            const names = missing.slice(0, 3).map(shortDigest).join(', ');
            const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
            drop(missing, `${missing.length} referenced blob${missing.length === 1 ? ' is' : 's are'} absent: ${names}${more}`);
        }
    }
    return { complete, incomplete };
}
/** `index.json` text for a layout holding these manifests (BuildKit's compact form). */
function encodeOciIndex(manifests) {
    return JSON.stringify({ schemaVersion: 2, manifests });
}
/** A descriptor with its `ref.name` set (or replaced). */
function withRefName(descriptor, tag) {
    return {
        mediaType: descriptor.mediaType,
        digest: descriptor.digest,
        size: descriptor.size,
        annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag },
    };
}
const TAG_MAX = 128;
/**
 * The tag under which an entry's manifest sits in a shared layout (its `ref.name`), and in a registry: the key
 * itself where it is a valid OCI tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`), otherwise a cleaned, shortened form
 * with a hash of the key, so distinct keys never share a tag.
 */
function tagForKey(key) {
    if (/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(key) && key.length <= TAG_MAX)
        return key;
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(key).digest('hex').slice(0, 16);
    const cleaned = key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]/, '_');
    return `${cleaned.slice(0, TAG_MAX - hash.length - 1)}-${hash}`;
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 8995:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: ./src/adapters/exec.ts
// Runs processes with an argument vector, never through a shell. Inputs are untrusted.

/** A failed process: keeps its argv, exit code and the tail of what it said on stderr. */
class RunError extends Error {
    argv;
    exitCode;
    stderrTail;
    name = 'RunError';
    constructor(argv, exitCode, stderrTail) {
        super(`${argv.slice(0, 3).join(' ')} failed with exit code ${exitCode}${stderrTail === '' ? '' : `: ${stderrTail}`}`);
        this.argv = argv;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }
}
/** The last few non-empty lines of a process's stderr, for error messages. */
function tailLines(text, count = 5) {
    return text
        .split('\n')
        .map((line) => line.trimEnd())
        .filter((line) => line !== '')
        .slice(-count)
        .join('\n');
}
const execProcess = (argv, options = {}) => new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) {
        reject(new Error('execProcess: empty argv'));
        return;
    }
    const child = (0,external_node_child_process_namespaceObject.spawn)(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: options.signal,
    });
    const stdout = [];
    const stderr = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
        stdout.push(chunk);
        options.onStdout?.(chunk);
    });
    child.stderr.on('data', (chunk) => {
        stderr.push(chunk);
        options.onStderr?.(chunk);
    });
    let timer;
    if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }, options.timeoutMs);
        timer.unref();
    }
    child.on('error', (error) => {
        if (timer !== undefined)
            clearTimeout(timer);
        reject(error);
    });
    child.on('close', (code, signal) => {
        if (timer !== undefined)
            clearTimeout(timer);
        resolve({
            exitCode: code ?? (signal === null ? 1 : 128),
            stdout: stdout.join(''),
            stderr: stderr.join(''),
        });
    });
    if (options.input !== undefined)
        child.stdin.end(options.input);
    else
        child.stdin.end();
});

;// CONCATENATED MODULE: ./src/dockerfile/errors.ts
/**
 * An error in a Dockerfile. BuildKit attaches locations as an error rises (parser, then instructions),
 * and only the code that read the file knows its name; `file` is set there.
 */
class errors_DockerfileError extends Error {
    name = 'DockerfileError';
    ranges;
    file;
    constructor(message, ranges = [], file, options) {
        super(message, options);
        this.ranges = ranges;
        this.file = file;
    }
    /** First line of the first range, where an annotation goes. */
    get line() {
        return this.ranges[0]?.start;
    }
    withFile(file) {
        return new errors_DockerfileError(this.message, this.ranges, file, { cause: this.cause });
    }
    /** `file:line: message`, the form the CLI prints. */
    format() {
        const where = [this.file, this.line].filter((part) => part !== undefined).join(':');
        return where === '' ? this.message : `${where}: ${this.message}`;
    }
}
/** Attaches a location to an error that has none yet (BuildKit's `WithLocation`). */
function withLocation(error, range) {
    if (error instanceof errors_DockerfileError) {
        return error.ranges.length > 0 ? error : new errors_DockerfileError(error.message, [range], error.file);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new errors_DockerfileError(message, [range], undefined, { cause: error });
}
/** An instruction keyword BuildKit does not know; callers branch on it to suggest a spelling. */
class UnknownInstructionError extends errors_DockerfileError {
    instruction;
    constructor(instruction, range, suggestion) {
        const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
        super(`unknown instruction: ${instruction}${hint}`, [range]);
        this.instruction = instruction;
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/directives.ts
// Parser directives (`# syntax=`, `# escape=`, `# check=`): only in the leading run of directive lines
// (BuildKit's parser/directives.go).

// Go's `\s` is ASCII-only and excludes \v.
// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` in BuildKit; the lazy value with trailing blanks backtracks
// quadratically here, so the value is matched greedily and its trailing blanks trimmed by hand.
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+)$/;
const isGoRegexpSpace = (code) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
const VALID = new Set(['syntax', 'escape', 'check']);
class DirectiveScanner {
    done = false;
    seen = new Map();
    /**
     * Looks at a line with leading whitespace and the newline already removed. Returns the directive it
     * holds, or `undefined`; the first line that is no directive ends the scan for good.
     */
    scan(line) {
        if (this.done)
            return undefined;
        if (!line.startsWith('#')) {
            this.done = true;
            return undefined;
        }
        const match = DIRECTIVE.exec(line.slice(1).replace(/^[\s\u0085]+/, ''));
        const key = match?.[1]?.toLowerCase();
        if (match === null || key === undefined || !VALID.has(key)) {
            this.done = true;
            return undefined;
        }
        const name = key;
        if (this.seen.has(name))
            throw new errors_DockerfileError(`only one ${name} parser directive can be used`);
        let end = match[2].length;
        while (end > 1 && isGoRegexpSpace(match[2].charCodeAt(end - 1)))
            end--;
        const value = match[2].slice(0, end);
        if (name === 'escape' && value !== '`' && value !== '\\') {
            throw new errors_DockerfileError(`invalid escape token '${value}' does not match \` or \\`);
        }
        this.seen.set(name, value);
        return { name, value };
    }
    get(name) {
        return this.seen.get(name);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/go-text.ts
// Go's notions of whitespace and quoting, which BuildKit's parser relies on. JavaScript's `\s` and
// `trim()` differ from Go's `unicode.IsSpace` (JS counts U+FEFF, Go counts U+0085), so we spell Go's out.
/** Go's `unicode.IsSpace` for one UTF-16 code unit (no space lies outside the BMP). */
function isGoSpace(code) {
    if (code <= 0x20)
        return code === 0x20 || (code >= 0x09 && code <= 0x0d);
    if (code < 0x85)
        return false;
    return (code === 0x85 ||
        code === 0xa0 ||
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000);
}
/** Go's `strings.TrimSpace`. */
function goTrimSpace(text) {
    const trimmed = goTrimLeftSpace(text);
    let end = trimmed.length;
    while (end > 0 && isGoSpace(trimmed.charCodeAt(end - 1)))
        end--;
    return end === trimmed.length ? trimmed : trimmed.slice(0, end);
}
/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
function goTrimLeftSpace(text) {
    let start = 0;
    while (start < text.length && isGoSpace(text.charCodeAt(start)))
        start++;
    return start === 0 ? text : text.slice(start);
}
// Unicode categories L, M, N, P and S, which with ASCII space make Go's `unicode.IsPrint`.
const GO_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
/** Go's `strconv.Quote`, for strings that came from valid UTF-8. */
function goQuote(text) {
    let out = '"';
    let plainFrom = 0;
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c)
            continue;
        out += text.slice(plainFrom, i);
        const point = text.codePointAt(i) ?? code;
        const width = point > 0xffff ? 2 : 1;
        out += quoteCodePoint(point, text.slice(i, i + width));
        i += width - 1;
        plainFrom = i + 1;
    }
    return out + text.slice(plainFrom) + '"';
}
const SHORT_ESCAPES = {
    0x07: '\\a',
    0x08: '\\b',
    0x0c: '\\f',
    0x0a: '\\n',
    0x0d: '\\r',
    0x09: '\\t',
    0x0b: '\\v',
    0x22: '\\"',
    0x5c: '\\\\',
};
function quoteCodePoint(point, char) {
    const short = SHORT_ESCAPES[point];
    if (short !== undefined)
        return short;
    if (point < 0x20 || point === 0x7f)
        return `\\x${point.toString(16).padStart(2, '0')}`;
    if (GO_PRINTABLE.test(char))
        return char;
    if (point <= 0xffff)
        return `\\u${point.toString(16).padStart(4, '0')}`;
    return `\\U${point.toString(16).padStart(8, '0')}`;
}
/** True when every code unit is ASCII, so byte offsets equal string offsets. */
function isAscii(text) {
    // eslint-disable-next-line no-control-regex
    return !/[^\x00-\x7f]/.test(text);
}
/**
 * Some of BuildKit's scanners walk a string byte by byte and treat each byte as a rune (flag extraction,
 * HEALTHCHECK's type word). To reproduce them exactly on non-ASCII text we work on the UTF-8 bytes
 * spelled as Latin-1 characters and convert back where Go would have kept the bytes.
 */
function toByteString(text) {
    return Buffer.from(text, 'utf8').toString('latin1');
}
function fromByteString(bytes) {
    return Buffer.from(bytes, 'latin1').toString('utf8');
}

;// CONCATENATED MODULE: ./src/dockerfile/shell.ts
/**
 * Shell-word expansion as BuildKit does it for Dockerfile instructions: a port of
 * `frontend/dockerfile/shell/lex.go` (moby/buildkit, Apache-2.0), written anew for TypeScript.
 *
 * One pass over the word removes quotes, processes the escape token and expands `$VAR` / `${VAR...}`.
 * `processWords` also splits the result into words, where only whitespace that came out of an
 * unquoted variable expansion, or was written unquoted and unescaped, splits.
 *
 * BuildKit's quirks are kept on purpose, because images must come out the same:
 * - `processWords` shares one word buffer between nesting levels, so any `${V<modifier>...}` or
 *   `${V/p/r}` throws away the part of the current word written before it: `a${X:-b}` gives `["b"]`.
 * - Inside double quotes with raw escapes on (pattern and replacement text), an escape token before a
 *   character it does not escape comes out twice: `${V#"a\b"}` gets the pattern `a\\b`, matching `a\b`.
 * - `${V//p/r}` treats `r` (after shell expansion) as a Go `Regexp.ReplaceAllString` template: `$0` and
 *   `${0}` insert the match, `$$` a `$`, any other `$name` nothing. `${V/p/r}` inserts `r` literally.
 * - `*` and `?` in patterns do not match `\n` (Go's `.`), and `//` replaces the way Go does around
 *   empty matches: replacing every match of the pattern `*` by `-` gives `-`, not `--`.
 * - With `skipUnsetEnv`, `${V//p/r}` of an unset `V` is written back as `${V/p/r}`.
 * - A U+FEFF at the very start of the word (or of a pattern) is dropped, as Go's `text/scanner` does.
 */

/** A word BuildKit refuses to expand. The message is BuildKit's: `failed to process "<word>": <reason>`. */
class ShellExpansionError extends Error {
    name = 'ShellExpansionError';
    /** The word as given. */
    word;
    /** The message without the `failed to process "<word>": ` prefix, e.g. `syntax error: bad substitution`. */
    reason;
    constructor(word, reason) {
        super(`failed to process ${goQuote(word)}: ${reason}`);
        this.word = word;
        this.reason = reason;
    }
}
const DEFAULT_OPTIONS = {};
/** Expands one word (BuildKit's `Lex.ProcessWord`): quotes removed, escapes processed, no splitting. */
function processWord(word, env, escapeToken = '\\', options = DEFAULT_OPTIONS) {
    if (isPlain(word, escapeToken, options))
        return word;
    return run(new Lexer(word, env, escapeToken, options, false, false), word);
}
/** Whether the word has nothing to expand, quote or escape, so it comes out unchanged. */
function isPlain(word, escapeToken, options) {
    if (escapeToken.length !== 1 || (escapeToken.charCodeAt(0) & 0xf800) === 0xd800)
        return false; // let Lexer throw
    const quotes = options.skipProcessQuotes !== true;
    const re = scanner(escapeToken.charCodeAt(0), quotes, false, EOF, true);
    re.lastIndex = 0;
    return !re.test(word);
}
/** `processWord`, also telling which variables were found and which were not (for `UndefinedVar`). */
function processWordWithMatches(word, env, escapeToken = '\\', options = DEFAULT_OPTIONS) {
    const lexer = new Lexer(word, env, escapeToken, options, false, true);
    const result = run(lexer, word);
    return { result, matched: lexer.matched, unmatched: lexer.unmatched };
}
/** Expands and splits into words (BuildKit's `Lex.ProcessWords`, used for `EXPOSE`); empty words are dropped. */
function processWords(word, env, escapeToken = '\\', options = DEFAULT_OPTIONS) {
    const lexer = new Lexer(word, env, escapeToken, options, true, false);
    run(lexer, word);
    return lexer.words ?? [];
}
function run(lexer, word) {
    try {
        return lexer.processStopOn(EOF, lexer.rawEscapes);
    }
    catch (error) {
        if (error instanceof LexFailure)
            throw new ShellExpansionError(word, error.message);
        throw error;
    }
}
/** An expansion error before the word is attached (BuildKit's unwrapped error). */
class LexFailure extends Error {
}
const EOF = -1;
const TAB = 0x09;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const DOLLAR = 0x24;
const PERCENT = 0x25;
const SQUOTE = 0x27;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const LT = 0x3c;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const UNDERSCORE = 0x5f;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BOM = 0xfeff;
/** Go's `string(r)` for a scanner result: EOF (and any invalid rune) becomes U+FFFD. */
function runeString(cp) {
    return cp < 0 ? '\uFFFD' : String.fromCodePoint(cp);
}
const UNICODE_LETTER = /^\p{L}$/u;
const UNICODE_DIGIT = /^\p{Nd}$/u;
/** Go's `unicode.IsLetter`. */
function isLetter(cp) {
    if (cp < 0x80)
        return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a);
    return UNICODE_LETTER.test(String.fromCodePoint(cp));
}
/** Go's `unicode.IsDigit` (any decimal digit, not only ASCII). */
function isDigit(cp) {
    if (cp < 0x80)
        return cp >= 0x30 && cp <= 0x39;
    return UNICODE_DIGIT.test(String.fromCodePoint(cp));
}
/** POSIX special parameters; like positional ones they are never set in a Dockerfile. */
function isSpecialParam(cp) {
    switch (cp) {
        case 0x40: // @
        case STAR:
        case HASH:
        case QUESTION:
        case MINUS:
        case DOLLAR:
        case 0x21: // !
        case 0x30: // 0
            return true;
        default:
            return false;
    }
}
/** Go's `unicode.IsSpace` as a character class (every such character is in the BMP). */
const GO_SPACE_CLASS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_SPACE_SCAN = new RegExp(`[${GO_SPACE_CLASS}]`, 'g');
function classChar(code) {
    return '\\u' + code.toString(16).padStart(4, '0');
}
const SCANNER_CACHE_LIMIT = 16;
/** Per escape token, the scanners by slot (see `scanner`; slot 32 is the double-quote one). */
const scanners = new Map();
const DOUBLE_QUOTE_SLOT = 32;
let lastEscape = -1;
let lastTable = [];
function scannerTable(esc) {
    if (esc === lastEscape)
        return lastTable;
    let table = scanners.get(esc);
    if (table === undefined) {
        if (scanners.size >= SCANNER_CACHE_LIMIT)
            scanners.clear();
        table = [];
        scanners.set(esc, table);
    }
    lastEscape = esc;
    lastTable = table;
    return table;
}
/**
 * Finds the next character that ends a run of ordinary characters (native regex scanning is several
 * times faster than a charCodeAt loop). `stop` is EOF, `}` or `/`. With `plain`, it finds any
 * character that could make the word come out changed.
 */
function scanner(esc, quotes, split, stop, plain) {
    const table = scannerTable(esc);
    const slot = (quotes ? 1 : 0) | (split ? 2 : 0) | (plain ? 4 : 0) | (stop === RBRACE ? 8 : stop === SLASH ? 16 : 0);
    let re = table[slot];
    if (re === undefined) {
        let chars = classChar(DOLLAR) + classChar(esc) + classChar(plain ? BOM : LT);
        if (quotes)
            chars += classChar(SQUOTE) + classChar(DQUOTE);
        if (stop !== EOF)
            chars += classChar(stop);
        if (split)
            chars += GO_SPACE_CLASS;
        re = new RegExp(`[${chars}]`, 'g');
        table[slot] = re;
    }
    return re;
}
/** Inside double quotes only `"`, `$` and the escape token are special. */
function doubleQuoteScanner(esc) {
    const table = scannerTable(esc);
    let re = table[DOUBLE_QUOTE_SLOT];
    if (re === undefined) {
        re = new RegExp(`[${classChar(DQUOTE) + classChar(DOLLAR) + classChar(esc)}]`, 'g');
        table[DOUBLE_QUOTE_SLOT] = re;
    }
    return re;
}
/** Shared by lexers that do not track names; never written to. */
const NO_NAMES = new Set();
/** How deep `${…}` expansions may nest (see `Lexer.nested`). */
const MAX_NESTING = 200;
class Lexer {
    src;
    env;
    capture;
    /** UTF-16 index of the next character. */
    pos;
    /** Whether escape tokens are kept; changes while nested parts (patterns) are read. */
    rawEscapes;
    /** Words finished so far by the outermost level; only when splitting. */
    words;
    /** The word being built. BuildKit shares this buffer with nested levels, which empty it. */
    buf = '';
    depth = 0;
    matched;
    unmatched;
    len;
    esc;
    escStr;
    rawQuotes;
    skipUnsetEnv;
    processQuotes;
    constructor(src, env, escapeToken, options, split, capture) {
        this.src = src;
        this.env = env;
        this.capture = capture;
        if (escapeToken.length !== 1 || (escapeToken.charCodeAt(0) & 0xf800) === 0xd800) {
            throw new RangeError(`escape token must be a single character, got ${JSON.stringify(escapeToken)}`);
        }
        this.len = src.length;
        this.pos = src.charCodeAt(0) === BOM ? 1 : 0;
        this.esc = escapeToken.charCodeAt(0);
        this.escStr = escapeToken;
        this.rawQuotes = options.rawQuotes === true;
        this.rawEscapes = options.rawEscapes === true;
        this.skipUnsetEnv = options.skipUnsetEnv === true;
        this.processQuotes = options.skipProcessQuotes !== true;
        this.words = split ? [] : undefined;
        this.matched = capture ? new Set() : NO_NAMES;
        this.unmatched = capture ? new Set() : NO_NAMES;
    }
    peek() {
        return this.pos < this.len ? this.src.codePointAt(this.pos) : EOF;
    }
    next() {
        const cp = this.peek();
        if (cp !== EOF)
            this.pos += cp > 0xffff ? 2 : 1;
        return cp;
    }
    fail(message) {
        return new LexFailure(message);
    }
    /** Adds expanded text to the current word, splitting at whitespace (Go's `wordsStruct.addString`). */
    addSplitting(text) {
        const words = this.words;
        let start = 0;
        GO_SPACE_SCAN.lastIndex = 0;
        while (GO_SPACE_SCAN.test(text)) {
            const at = GO_SPACE_SCAN.lastIndex - 1;
            if (at > start)
                this.buf += text.slice(start, at);
            if (this.buf !== '') {
                words.push(this.buf);
                this.buf = '';
            }
            start = at + 1;
        }
        if (start < text.length)
            this.buf += start === 0 ? text : text.slice(start);
    }
    /**
     * Reads up to `stop` (consumed) or to the end of the word when `stop` is EOF (Go's `processStopOn`).
     * Nested calls read modifier words, patterns and replacements.
     */
    processStopOn(stop, rawEscapes) {
        const saved = this.rawEscapes;
        this.rawEscapes = rawEscapes;
        const outermost = stop === EOF;
        const split = outermost && this.words !== undefined;
        // Every level resets the shared word buffer and leaves it empty when it succeeds.
        this.buf = '';
        const { src, len, esc, processQuotes } = this;
        const scan = scanner(esc, processQuotes, split, stop, false);
        let out = '';
        while (this.pos < len) {
            const c = src.charCodeAt(this.pos);
            if (c === stop) {
                this.pos++;
                this.rawEscapes = saved;
                return out;
            }
            if (c === DOLLAR) {
                const value = this.processDollar();
                out += value;
                if (split)
                    this.addSplitting(value);
                continue;
            }
            if (c === LT || (processQuotes && (c === SQUOTE || c === DQUOTE))) {
                const text = c === LT
                    ? this.processPossibleHeredoc()
                    : c === SQUOTE
                        ? this.processSingleQuote()
                        : this.processDoubleQuote();
                out += text;
                if (split)
                    this.buf += text;
                continue;
            }
            if (c === esc) {
                this.pos++;
                if (rawEscapes) {
                    out += this.escStr;
                    if (split)
                        this.buf += this.escStr;
                }
                if (this.pos >= len)
                    break; // an escape token at the end is dropped
                const cp = src.codePointAt(this.pos);
                const escaped = cp > 0xffff ? src.slice(this.pos, this.pos + 2) : src[this.pos];
                this.pos += escaped.length;
                out += escaped;
                if (split)
                    this.buf += escaped; // escaped whitespace does not split
                continue;
            }
            if (split && isGoSpace(c)) {
                this.pos++;
                out += src[this.pos - 1];
                if (this.buf !== '') {
                    this.words.push(this.buf);
                    this.buf = '';
                }
                continue;
            }
            // A run of ordinary characters, up to the next one the loop above handles.
            const start = this.pos;
            scan.lastIndex = start + 1;
            const end = scan.test(src) ? scan.lastIndex - 1 : len;
            this.pos = end;
            const text = src.slice(start, end);
            out += text;
            if (split)
                this.buf += text;
        }
        this.rawEscapes = saved;
        if (!outermost) {
            throw this.fail(`unexpected end of statement while looking for matching ${String.fromCharCode(stop)}`);
        }
        if (split && this.buf !== '') {
            this.words.push(this.buf);
            this.buf = '';
        }
        return out;
    }
    /** `'...'`: everything literal up to the next `'`; nothing can be escaped. */
    processSingleQuote() {
        const start = this.pos + 1;
        const end = this.src.indexOf("'", start);
        if (end < 0) {
            this.pos = this.len;
            throw this.fail('unexpected end of statement while looking for matching single-quote');
        }
        this.pos = end + 1;
        const text = this.src.slice(start, end);
        return this.rawQuotes ? `'${text}'` : text;
    }
    /** `"..."`: `$` expands; the escape token escapes only `"`, `$` and itself, otherwise it stays. */
    processDoubleQuote() {
        const { src, len, esc } = this;
        this.pos++;
        let out = this.rawQuotes ? '"' : '';
        for (;;) {
            if (this.pos >= len) {
                throw this.fail('unexpected end of statement while looking for matching double-quote');
            }
            const c = src.charCodeAt(this.pos);
            if (c === DQUOTE) {
                this.pos++;
                return this.rawQuotes ? out + '"' : out;
            }
            if (c === DOLLAR) {
                out += this.processDollar();
                continue;
            }
            if (c === esc) {
                this.pos++;
                if (this.rawEscapes)
                    out += this.escStr;
                if (this.pos >= len)
                    continue; // unterminated: fails above
                const d = src.charCodeAt(this.pos);
                if (d === DQUOTE || d === DOLLAR || d === esc) {
                    this.pos++;
                    out += src[this.pos - 1];
                }
                else {
                    out += this.escStr;
                }
                continue;
            }
            const start = this.pos;
            const scan = doubleQuoteScanner(esc);
            scan.lastIndex = start + 1;
            this.pos = scan.test(src) ? scan.lastIndex - 1 : len;
            out += src.slice(start, this.pos);
        }
    }
    /** `<<` and the blanks after it stay together, so a heredoc marker is one word with its name. */
    processPossibleHeredoc() {
        const start = this.pos;
        this.pos++;
        if (this.pos >= this.len || this.src.charCodeAt(this.pos) !== LT)
            return '<';
        this.pos++;
        while (this.pos < this.len) {
            const c = this.src.charCodeAt(this.pos);
            if (c !== SPACE && c !== TAB && c !== CR)
                break;
            this.pos++;
        }
        return this.src.slice(start, this.pos);
    }
    /** A name (letters, digits, `_`), a run of digits (positional), or one special parameter character. */
    processName() {
        const start = this.pos;
        const cp = this.peek();
        if (cp === EOF)
            return '';
        let end;
        if (isDigit(cp))
            end = this.nameEnd(start, true);
        else if (isSpecialParam(cp))
            end = start + 1;
        else
            end = this.nameEnd(start, false); // a letter or `_` starts a name; anything else gives ''
        this.pos = end;
        return this.src.slice(start, end);
    }
    /** Where a run of name characters (or only digits) starting at `p` ends; ASCII first, then Unicode. */
    nameEnd(p, digitsOnly) {
        const { src, len } = this;
        while (p < len) {
            const c = src.charCodeAt(p);
            if (c < 0x80) {
                const digit = c >= 0x30 && c <= 0x39;
                if (!digit &&
                    (digitsOnly || !((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === UNDERSCORE))) {
                    return p;
                }
                p++;
                continue;
            }
            const cp = src.codePointAt(p);
            if (!isDigit(cp) && (digitsOnly || !isLetter(cp)))
                return p;
            p += cp > 0xffff ? 2 : 1;
        }
        return p;
    }
    getEnv(name) {
        const value = this.env.get(name);
        if (this.capture)
            (value === undefined ? this.unmatched : this.matched).add(name);
        return value;
    }
    /** Reads a nested part; an error that ran into the end of the word is reported as `eofMessage`. */
    nested(stop, rawEscapes, eofMessage) {
        // Go's stacks grow; ours do not. No real Dockerfile nests expansions this deep, so stop with an error
        // instead of overflowing the stack.
        if (++this.depth > MAX_NESTING)
            throw this.fail(`expansions nested deeper than ${MAX_NESTING} levels`);
        try {
            return this.processStopOn(stop, rawEscapes);
        }
        catch (error) {
            if (error instanceof LexFailure && this.pos >= this.len)
                throw this.fail(eofMessage);
            throw error;
        }
        finally {
            this.depth--;
        }
    }
    processDollar() {
        this.pos++; // $
        if (this.src.charCodeAt(this.pos) !== LBRACE) {
            const name = this.processName();
            if (name === '')
                return '$';
            const value = this.getEnv(name);
            if (value === undefined)
                return this.skipUnsetEnv ? '$' + name : '';
            return value;
        }
        this.pos++; // {
        switch (this.peek()) {
            case EOF:
                throw this.fail("syntax error: missing '}'");
            case LBRACE:
            case RBRACE:
            case COLON:
                throw this.fail('syntax error: bad substitution');
        }
        const name = this.processName();
        let ch = this.next();
        let chs = runeString(ch);
        let nullIsUnset = false;
        switch (ch) {
            case RBRACE: {
                const value = this.getEnv(name);
                if (value === undefined)
                    return this.skipUnsetEnv ? `\${${name}}` : '';
                return value;
            }
            case COLON:
                // Whatever follows the colon is read as a modifier word; only -, + and ? are accepted after it.
                nullIsUnset = true;
                ch = this.next();
                chs += runeString(ch);
                return this.modifier(name, ch, chs, nullIsUnset);
            case PLUS:
            case MINUS:
            case QUESTION:
            case HASH:
            case PERCENT:
                return this.modifier(name, ch, chs, nullIsUnset);
            case SLASH:
                return this.substitution(name);
            default:
                throw this.fail(`unsupported modifier (${chs}) in substitution`);
        }
    }
    /** `${name:-w}`, `${name-w}`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%` and rejected `:x` forms. */
    modifier(name, ch, chs, nullIsUnset) {
        const patternWord = ch === HASH || ch === PERCENT;
        if (nullIsUnset && patternWord)
            throw this.fail(`unsupported modifier (${chs}) in substitution`);
        let word = this.nested(RBRACE, patternWord, "syntax error: missing '}'");
        const value = this.getEnv(name);
        if (value === undefined && this.skipUnsetEnv)
            return `\${${name}${chs}${word}}`;
        const empty = value === undefined || (nullIsUnset && value === '');
        switch (ch) {
            case MINUS:
                return empty ? word : value;
            case PLUS:
                return empty ? '' : word;
            case QUESTION:
                if (value === undefined) {
                    throw this.fail(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
                }
                if (nullIsUnset && value === '') {
                    throw this.fail(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
                }
                return value;
            case HASH:
            case PERCENT: {
                // The doubled form is recognised on the expanded word, as BuildKit does.
                let greedy = false;
                if (word.charCodeAt(0) === ch) {
                    greedy = true;
                    word = word.slice(1);
                }
                return ch === PERCENT
                    ? this.trimSuffix(word, value ?? '', greedy)
                    : this.trimPrefix(word, value ?? '', greedy);
            }
            default:
                throw this.fail(`unsupported modifier (${chs}) in substitution`);
        }
    }
    /** `${name/pattern/replacement}` (first match) and `${name//pattern/replacement}` (all matches). */
    substitution(name) {
        const replaceAll = this.peek() === SLASH;
        if (replaceAll)
            this.pos++;
        const pattern = this.nested(SLASH, true, "syntax error: missing '/' in ${}");
        const replacement = this.nested(RBRACE, true, "syntax error: missing '}'");
        const found = this.getEnv(name);
        if (found === undefined && this.skipUnsetEnv)
            return `\${${name}/${pattern}/${replacement}}`;
        const value = found ?? '';
        const re = this.compile(pattern, true, false, pattern);
        if (replaceAll)
            return goReplaceAll(re, value, replacement);
        re.lastIndex = 0;
        const m = re.exec(value);
        if (m === null)
            return value;
        return value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
    }
    trimPrefix(pattern, value, greedy) {
        const re = this.compile(pattern, greedy, true, pattern);
        re.lastIndex = 0;
        const m = re.exec(value);
        return m === null ? value : value.slice(m[0].length);
    }
    /** Shortest/longest suffix: reverse both sides and trim a prefix, as BuildKit does. */
    trimSuffix(pattern, value, greedy) {
        return reverseString(this.trimPrefix(reversePattern(pattern), reverseString(value), greedy));
    }
    compile(pattern, greedy, anchored, shown) {
        try {
            return cachedPattern(pattern, greedy, anchored);
        }
        catch (error) {
            if (error instanceof ShellPatternError) {
                throw this.fail(`invalid pattern (${shown}) in substitution: ${error.message}`);
            }
            throw error;
        }
    }
}
/** A shell pattern BuildKit cannot convert, e.g. `invalid escape '\x'`. */
class ShellPatternError extends Error {
    name = 'ShellPatternError';
}
/**
 * Turns a `${V#pattern}` / `${V/pattern/...}` shell pattern into a regular expression: `*` is any run
 * (shortest unless `greedy`), `?` one character, `\` escapes `*`, `?` and `\` (and is dropped before `}`
 * and `/`); there are no bracket expressions. Throws `ShellPatternError` for any other escape.
 */
function convertShellPatternToRegex(pattern, greedy, anchored) {
    let go = anchored ? '^' : '';
    let js = go;
    const goStar = greedy ? '.*' : '.*?';
    const jsStar = greedy ? '[^\\n]*' : '[^\\n]*?';
    const len = pattern.length;
    let i = pattern.charCodeAt(0) === BOM ? 1 : 0;
    while (i < len) {
        const c = pattern.charCodeAt(i);
        switch (c) {
            case STAR:
                go += goStar;
                js += jsStar;
                i++;
                continue;
            case QUESTION:
                go += '.';
                js += '[^\\n]';
                i++;
                continue;
            case BACKSLASH: {
                i++;
                const d = i < len ? pattern.charCodeAt(i) : EOF;
                // `}` and `/` are escaped only to get past `${...}`; the escape is not part of the pattern.
                if (d === RBRACE || d === SLASH)
                    continue;
                if (d !== STAR && d !== QUESTION && d !== BACKSLASH) {
                    throw new ShellPatternError(`invalid escape '\\${runeString(i < len ? pattern.codePointAt(i) : EOF)}'`);
                }
                go += '\\' + pattern[i];
                js += '\\' + pattern[i];
                i++;
                continue;
            }
            case 0x5b: // [
            case 0x5d: // ]
            case LBRACE:
            case RBRACE:
            case 0x2e: // .
            case PLUS:
            case 0x28: // (
            case 0x29: // )
            case 0x7c: // |
            case 0x5e: // ^
            case DOLLAR:
                go += '\\' + pattern[i];
                js += '\\' + pattern[i];
                i++;
                continue;
        }
        // A run of literal characters.
        const start = i;
        i++;
        while (i < len && !isPatternSpecial(pattern.charCodeAt(i)))
            i++;
        const text = pattern.slice(start, i);
        go += text;
        js += text;
    }
    return { source: go, regexp: new RegExp(js, 'gu') };
}
function isPatternSpecial(c) {
    switch (c) {
        case STAR:
        case QUESTION:
        case BACKSLASH:
        case 0x5b:
        case 0x5d:
        case LBRACE:
        case RBRACE:
        case 0x2e:
        case PLUS:
        case 0x28:
        case 0x29:
        case 0x7c:
        case 0x5e:
        case DOLLAR:
            return true;
        default:
            return false;
    }
}
const PATTERN_CACHE_LIMIT = 256;
const patternCache = new Map();
function cachedPattern(pattern, greedy, anchored) {
    const key = (greedy ? 'g' : 'n') + (anchored ? '^' : '-') + pattern;
    let entry = patternCache.get(key);
    if (entry === undefined) {
        try {
            entry = convertShellPatternToRegex(pattern, greedy, anchored).regexp;
        }
        catch (error) {
            if (!(error instanceof ShellPatternError))
                throw error;
            entry = error;
        }
        if (patternCache.size >= PATTERN_CACHE_LIMIT)
            patternCache.clear();
        patternCache.set(key, entry);
    }
    if (entry instanceof ShellPatternError)
        throw entry;
    return entry;
}
/** Reverses by code point, keeping each `\x` escape pair in order (`a\*c` becomes `c\*a`). */
function reversePattern(pattern) {
    const chars = Array.from(pattern);
    const last = chars.length - 1;
    const out = new Array(chars.length);
    for (let i = 0; i <= last;) {
        const at = last - i;
        if (chars[i] === '\\' && i !== last) {
            out[at - 1] = '\\';
            out[at] = chars[i + 1];
            i += 2;
        }
        else {
            out[at] = chars[i];
            i++;
        }
    }
    return out.join('');
}
function reverseString(text) {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) >= 0xd800) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        let out = '';
        for (let i = text.length - 1; i >= 0; i--)
            out += text[i];
        return out;
    }
    return Array.from(text).reverse().join('');
}
/**
 * Go's `Regexp.ReplaceAllString`: an empty match right after a match is not replaced, the search moves
 * on by one character after an empty match, and the replacement is a template (see `expandTemplate`).
 */
function goReplaceAll(re, src, template) {
    const end = src.length;
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= end) {
        re.lastIndex = searchPos;
        const m = re.exec(src);
        if (m === null)
            break;
        const a0 = m.index;
        const a1 = a0 + m[0].length;
        out += src.slice(lastMatchEnd, a0);
        if (a1 > lastMatchEnd || a0 === 0)
            out += expandTemplate(template, src, a0, a1);
        lastMatchEnd = a1;
        let width = 0;
        if (searchPos < end)
            width = src.codePointAt(searchPos) > 0xffff ? 2 : 1;
        if (searchPos + width > a1)
            searchPos += width;
        else if (searchPos + 1 > a1)
            searchPos++;
        else
            searchPos = a1;
    }
    return out + src.slice(lastMatchEnd);
}
/**
 * Go's `Regexp.Expand` for a pattern without groups: `$$` is `$`, `$0`/`${0}` the match, any other
 * `$name`/`${name}` nothing, and a malformed `$` stays literal.
 */
function expandTemplate(template, src, a0, a1) {
    let at = template.indexOf('$');
    if (at < 0)
        return template;
    let out = '';
    let rest = template;
    while (at >= 0) {
        out += rest.slice(0, at);
        rest = rest.slice(at + 1);
        if (rest.charCodeAt(0) === DOLLAR) {
            out += '$';
            rest = rest.slice(1);
        }
        else {
            const ref = templateRef(rest);
            if (ref === undefined) {
                out += '$';
            }
            else {
                if (ref.name === '0')
                    out += src.slice(a0, a1);
                rest = rest.slice(ref.length);
            }
        }
        at = rest.indexOf('$');
    }
    return out + rest;
}
/** Go's `extract`: the name after a `$` and how many characters it takes, or undefined if malformed. */
function templateRef(text) {
    const brace = text.charCodeAt(0) === LBRACE;
    const start = brace ? 1 : 0;
    let i = start;
    while (i < text.length) {
        const cp = text.codePointAt(i);
        if (!isLetter(cp) && !isDigit(cp) && cp !== UNDERSCORE)
            break;
        i += cp > 0xffff ? 2 : 1;
    }
    if (i === start)
        return undefined;
    const name = text.slice(start, i);
    if (brace) {
        if (text.charCodeAt(i) !== RBRACE)
            return undefined;
        i++;
    }
    return { name, length: i };
}

;// CONCATENATED MODULE: ./src/dockerfile/heredoc.ts
// Heredoc operators on RUN, COPY and ADD lines (BuildKit's `heredocsFromLine` and `heredocFromMatch`).


const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV = { get: () => undefined };
/** Instructions whose lines may carry heredocs; ONBUILD may wrap one of them. */
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);
/**
 * Reads one word as a heredoc operator, e.g. `<<EOF`, `<<-"EOF"`, `3<<EOF`; `undefined` when it is none.
 * Quoting any part of the delimiter turns expansion of the body off.
 */
function parseHeredocWord(word) {
    const match = HEREDOC_WORD.exec(word);
    if (match === null)
        return undefined;
    const [, fd = '', dash = '', rest = ''] = match;
    if (rest === '')
        return undefined;
    const words = lexHeredocName(rest, false);
    if (words.length !== 1)
        return undefined;
    const raw = lexHeredocName(rest, true);
    if (raw.length !== words.length) {
        throw new errors_DockerfileError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
    }
    const name = words[0];
    return {
        name,
        expand: countQuotes(name) === countQuotes(raw[0]),
        chomp: dash === '-',
        fileDescriptor: fd === '' ? 0 : Number.parseInt(fd, 10),
    };
}
function lexHeredocName(text, rawQuotes) {
    try {
        return processWords(text, NO_ENV, '\\', { rawQuotes, skipUnsetEnv: true });
    }
    catch (error) {
        throw new errors_DockerfileError(error instanceof Error ? error.message : String(error), [], undefined, {
            cause: error,
        });
    }
}
function countQuotes(text) {
    let count = 0;
    for (const ch of text)
        if (ch === "'" || ch === '"')
            count++;
    return count;
}
/** Every heredoc operator on a logical line, in the order the bodies follow it. */
function heredocsFromLine(line) {
    let words;
    try {
        // The escape token is always `\` here, whatever the escape directive says (as in BuildKit).
        words = processWords(line, NO_ENV, '\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    }
    catch {
        return []; // BuildKit ignores lexing errors at this point
    }
    const headers = [];
    for (const word of words) {
        const header = parseHeredocWord(word);
        if (header !== undefined)
            headers.push(header);
    }
    return headers;
}
/** `<<-` bodies lose their leading tabs where the instruction uses them (BuildKit's `ChompHeredocContent`). */
function chompHeredocContent(content) {
    // Go's `(?m)^` starts a line only after `\n`; JavaScript's `m` flag also after `\r`, so spell it out.
    return content.replace(/(^|\n)\t+/g, '$1');
}

;// CONCATENATED MODULE: ./src/dockerfile/line-parsers.ts
// One parser per argument shape, and the keyword → parser table (BuildKit's `dispatch` map in parser.go
// with the functions of line_parsers.go and split_command.go).


const WHITESPACE_RUN = /[\t\v\f\r ]+/;
const NONE = { args: [], json: false };
const NOT_STRING_ARRAY_MESSAGE = 'when using JSON array syntax, arrays must be comprised of strings only';
/** `[\t\v\f\r ]`, the blanks BuildKit's `reWhitespace` splits on. */
function isSplitBlank(code) {
    return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}
/** Splits off the keyword and the leading flags (BuildKit's `splitCommand`). */
function splitCommand(line, escapeToken) {
    const trimmed = goTrimSpace(line);
    let end = 0;
    while (end < trimmed.length && !isSplitBlank(trimmed.charCodeAt(end)))
        end++;
    if (end === trimmed.length)
        return { keyword: trimmed, flags: [], rest: '' };
    let argsFrom = end + 1;
    while (argsFrom < trimmed.length && isSplitBlank(trimmed.charCodeAt(argsFrom)))
        argsFrom++;
    const { rest, flags } = extractBuilderFlags(trimmed.slice(argsFrom), escapeToken);
    return { keyword: trimmed.slice(0, end), flags, rest: goTrimSpace(rest) };
}
/**
 * Leading `--flag` words, quotes removed and escapes applied; a bare `--` ends them. BuildKit scans
 * bytes here, so on non-ASCII text we scan the UTF-8 bytes as it does (see `toByteString`).
 */
function extractBuilderFlags(line, escapeToken) {
    // Most lines have no flags: when the first word (after ASCII blanks) does not start with `--`, the
    // byte-wise scan below would stop right there, so skip it.
    let first = 0;
    while (first < line.length && line.charCodeAt(first) < 0x80 && isGoSpace(line.charCodeAt(first)))
        first++;
    if (first < line.length && line.charCodeAt(first) < 0x80 && !line.startsWith('--', first)) {
        return { rest: line.slice(first), flags: [] };
    }
    // Plain flag words (ASCII, no quotes, no escapes) are taken as they stand; the full scan below takes over
    // from the first word that is not plain. Everything consumed here is ASCII, so offsets agree with it.
    const flags = [];
    let start = first;
    while (start < line.length && line.startsWith('--', start)) {
        let end = start;
        let plain = true;
        for (; end < line.length; end++) {
            const code = line.charCodeAt(end);
            if (code >= 0x80 || code === 0x22 || code === 0x27 || line[end] === escapeToken) {
                plain = false;
                break;
            }
            if (isGoSpace(code))
                break;
        }
        if (!plain)
            break;
        const word = line.slice(start, end);
        if (word === '--')
            return { rest: line.slice(end), flags };
        flags.push(word);
        start = end;
        while (start < line.length && line.charCodeAt(start) < 0x80 && isGoSpace(line.charCodeAt(start)))
            start++;
        if (start < line.length && line.charCodeAt(start) < 0x80 && !line.startsWith('--', start)) {
            return { rest: line.slice(start), flags };
        }
    }
    if (start >= line.length)
        return { rest: '', flags };
    const ascii = isAscii(line);
    const text = ascii ? line : toByteString(line);
    const restFrom = (pos) => (ascii ? text.slice(pos) : fromByteString(text.slice(pos)));
    let word = '';
    let blankOk = false;
    let quote = '';
    let phase = 'spaces';
    for (let pos = start; pos <= text.length; pos++) {
        const atEnd = pos === text.length;
        const ch = atEnd ? '' : text[pos];
        if (phase === 'spaces') {
            if (atEnd)
                break;
            if (isGoSpace(ch.charCodeAt(0)))
                continue;
            if (ch !== '-' || text[pos + 1] !== '-')
                return { rest: restFrom(pos), flags };
            phase = 'word';
        }
        if (atEnd) {
            if (word !== '--' && (blankOk || word.length > 0))
                flags.push(word);
            break;
        }
        if (phase === 'word') {
            if (isGoSpace(ch.charCodeAt(0))) {
                if (word === '--')
                    return { rest: restFrom(pos), flags };
                if (blankOk || word.length > 0)
                    flags.push(word);
                phase = 'spaces';
                word = '';
                blankOk = false;
                continue;
            }
            if (ch === "'" || ch === '"') {
                quote = ch;
                blankOk = true;
                phase = 'quote';
                continue;
            }
            if (ch === escapeToken) {
                if (pos + 1 === text.length)
                    continue;
                pos++;
                word += text[pos];
                continue;
            }
            word += ch;
            continue;
        }
        // phase === 'quote'
        if (ch === quote) {
            phase = 'word';
            continue;
        }
        if (ch === escapeToken) {
            if (pos + 1 === text.length) {
                phase = 'word';
                continue;
            }
            pos++;
            word += text[pos];
            continue;
        }
        word += ch;
    }
    return { rest: '', flags };
}
/**
 * Words split on whitespace outside quotes; quotes and escapes are kept for the expander to remove later
 * (BuildKit's `parseWords`).
 */
function parseWords(rest, escapeToken) {
    const words = [];
    let phase = 'spaces';
    let quote = '';
    let blankOk = false;
    let word = '';
    for (let pos = 0; pos <= rest.length; pos++) {
        const atEnd = pos === rest.length;
        let ch = atEnd ? '' : rest[pos];
        if (phase === 'spaces') {
            if (atEnd)
                break;
            if (isGoSpace(ch.charCodeAt(0)))
                continue;
            phase = 'word';
        }
        if (atEnd) {
            if (blankOk || word.length > 0)
                words.push(word);
            break;
        }
        if (phase === 'word') {
            if (isGoSpace(ch.charCodeAt(0))) {
                phase = 'spaces';
                if (blankOk || word.length > 0)
                    words.push(word);
                word = '';
                blankOk = false;
                continue;
            }
            if (ch === "'" || ch === '"') {
                quote = ch;
                blankOk = true;
                phase = 'quote';
            }
            if (ch === escapeToken) {
                if (pos + 1 === rest.length)
                    continue;
                word += ch;
                pos++;
                ch = rest[pos];
            }
            word += ch;
            continue;
        }
        // phase === 'quote'
        if (ch === quote)
            phase = 'word';
        if (ch === escapeToken && quote !== "'") {
            if (pos + 1 === rest.length) {
                phase = 'word';
                continue;
            }
            pos++;
            word += ch;
            ch = rest[pos];
        }
        word += ch;
    }
    return words;
}
function parseIgnore() {
    return { args: [''], json: false };
}
function parseSubCommand(rest) {
    return rest === '' ? NONE : { args: [], json: false, subCommand: rest };
}
function parseStringsWhitespaceDelimited(rest) {
    return rest === '' ? NONE : { args: rest.split(WHITESPACE_RUN), json: false };
}
function parseString(rest) {
    return rest === '' ? NONE : { args: [rest], json: false };
}
function parseNameOrNameVal(rest, escapeToken) {
    return { args: parseWords(rest, escapeToken), json: false };
}
function parseNameVal(rest, escapeToken, keyword) {
    const words = parseWords(rest, escapeToken);
    if (words.length === 0)
        return NONE;
    if (!words[0].includes('=')) {
        const match = WHITESPACE_RUN.exec(rest);
        if (match === null)
            throw new errors_DockerfileError(`${keyword} must have two arguments`);
        return { args: [rest.slice(0, match.index), rest.slice(match.index + match[0].length), ''], json: false };
    }
    const args = [];
    for (const word of words) {
        const eq = word.indexOf('=');
        if (eq < 0) {
            throw new errors_DockerfileError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
        }
        args.push(word.slice(0, eq), word.slice(eq + 1), '=');
    }
    return { args, json: false };
}
/** A JSON array of strings, or `undefined` when the text is not JSON (BuildKit then falls back). */
function parseJsonArray(rest) {
    const text = goTrimLeftSpace(rest);
    if (!text.startsWith('['))
        return undefined;
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    if (!Array.isArray(value))
        return undefined;
    if (!value.every((item) => typeof item === 'string'))
        throw new errors_DockerfileError(NOT_STRING_ARRAY_MESSAGE);
    return value;
}
function parseMaybeJson(rest) {
    if (rest === '')
        return NONE;
    const json = parseJsonArray(rest);
    return json === undefined ? { args: [rest], json: false } : { args: json, json: true };
}
function parseMaybeJsonToList(rest) {
    const json = parseJsonArray(rest);
    return json === undefined ? parseStringsWhitespaceDelimited(rest) : { args: json, json: true };
}
/** HEALTHCHECK: a type word (`CMD`, `NONE`) then the command like RUN. BuildKit scans bytes here too. */
function parseHealthConfig(rest) {
    const text = isAscii(rest) ? rest : toByteString(rest);
    let sep = 0;
    while (sep < text.length && !isGoSpace(text.charCodeAt(sep)))
        sep++;
    let next = sep;
    while (next < text.length && isGoSpace(text.charCodeAt(next)))
        next++;
    if (sep === 0)
        return NONE;
    const back = (part) => (text === rest ? part : fromByteString(part));
    const command = parseMaybeJson(back(text.slice(next)));
    return { args: [back(text.slice(0, sep)), ...command.args], json: command.json };
}
/** The argument parser for each keyword (lowercase); unknown keywords get `parseIgnore`. */
const DISPATCH = new Map([
    ['add', parseMaybeJsonToList],
    ['arg', parseNameOrNameVal],
    ['cmd', parseMaybeJson],
    ['copy', parseMaybeJsonToList],
    ['entrypoint', parseMaybeJson],
    ['env', (rest, escape) => parseNameVal(rest, escape, 'ENV')],
    ['expose', parseStringsWhitespaceDelimited],
    ['from', parseStringsWhitespaceDelimited],
    ['healthcheck', parseHealthConfig],
    ['label', (rest, escape) => parseNameVal(rest, escape, 'LABEL')],
    ['maintainer', parseString],
    ['onbuild', parseSubCommand],
    ['run', parseMaybeJson],
    ['shell', parseMaybeJson],
    ['stopsignal', parseString],
    ['user', parseString],
    ['volume', parseMaybeJsonToList],
    ['workdir', parseString],
]);
function lineParserFor(keyword) {
    return DISPATCH.get(keyword) ?? parseIgnore;
}
function isKnownKeyword(keyword) {
    return DISPATCH.has(keyword);
}

;// CONCATENATED MODULE: ./src/dockerfile/parse.ts



const NO_COMMENTS = Object.freeze([]);


/** bufio.Scanner's limit: a line of more bytes than this fails the parse. */
const MAX_LINE_BYTES = 65535;
/** Physical lines with their line endings, failing as Go's scanner does on an over-long line. */
class LineScanner {
    text;
    pos = 0;
    tooLong = false;
    constructor(text) {
        this.text = text;
    }
    next() {
        if (this.tooLong || this.pos >= this.text.length)
            return undefined;
        const newline = this.text.indexOf('\n', this.pos);
        const end = newline < 0 ? this.text.length : newline + 1;
        const line = this.text.slice(this.pos, end);
        const contentLength = newline < 0 ? line.length : line.length - 1;
        // UTF-8 needs at most 3 bytes per UTF-16 unit, so only long lines need counting.
        if (contentLength * 3 > MAX_LINE_BYTES &&
            Buffer.byteLength(line) - (end - contentLength - this.pos) > MAX_LINE_BYTES) {
            this.tooLong = true;
            return undefined;
        }
        this.pos = end;
        return line;
    }
}
/** Drops trailing CR and LF characters (Go's `bytes.TrimRight(line, "\r\n")`). */
function trimNewline(line) {
    let end = line.length;
    while (end > 0) {
        const code = line.charCodeAt(end - 1);
        if (code !== 0x0a && code !== 0x0d)
            break;
        end--;
    }
    return end === line.length ? line : line.slice(0, end);
}
function isBlank(line) {
    for (let i = 0; i < line.length; i++)
        if (!isGoSpace(line.charCodeAt(i)))
            return false;
    return true;
}
/** The first non-blank character is `#` (checked without copying the line). */
function isComment(line) {
    let i = 0;
    while (i < line.length && isGoSpace(line.charCodeAt(i)))
        i++;
    return line.charCodeAt(i) === 0x23;
}
/**
 * BuildKit's continuation rule, `([^E])E[ \t]*$|^E[ \t]*$` for the escape token E: the line ends with an
 * escape token (blanks may follow) that is not itself escaped. Returns the line without the token and
 * the blanks, or `undefined` when the line does not continue.
 */
function stripContinuation(line, escapeToken) {
    let end = line.length;
    while (end > 0) {
        const code = line.charCodeAt(end - 1);
        if (code !== 0x20 && code !== 0x09)
            break;
        end--;
    }
    if (end === 0 || line[end - 1] !== escapeToken)
        return undefined;
    if (end >= 2 && line[end - 2] === escapeToken)
        return undefined;
    return line.slice(0, end - 1);
}
function parse_parseDockerfile(source) {
    const text = typeof source === 'string' ? source : new TextDecoder('utf-8').decode(source);
    const scanner = new LineScanner(text.startsWith('\uFEFF') ? text.slice(1) : text);
    const directives = new DirectiveScanner();
    let escapeToken = '\\';
    const instructions = [];
    const warnings = [];
    let comments = [];
    let currentLine = 0;
    /** Directive scanning sees every line outside heredoc bodies, as in BuildKit. */
    const scanDirective = (line) => {
        let directive;
        try {
            directive = directives.scan(line);
        }
        catch (error) {
            throw withLocation(error, { start: currentLine + 1, end: currentLine + 1 });
        }
        if (directive?.name === 'escape') {
            escapeToken = directive.value;
        }
        return directive !== undefined;
    };
    /** Removes a continuation token; `ended` is false when the next line continues this one. */
    const trimContinuation = (line) => {
        const stripped = stripContinuation(line, escapeToken);
        return stripped === undefined ? { line, ended: true } : { line: stripped, ended: false };
    };
    for (let raw = scanner.next(); raw !== undefined; raw = scanner.next()) {
        if (isComment(raw)) {
            const comment = goTrimSpace(raw.slice(1));
            if (comment === '')
                comments = [];
            else
                comments.push(comment);
        }
        const first = goTrimLeftSpace(trimNewline(raw));
        if (scanDirective(first))
            comments.pop();
        currentLine++;
        const startLine = currentLine;
        let { line: logical, ended } = trimContinuation(first.charCodeAt(0) === 0x23 ? '' : first);
        if (ended && logical.length === 0)
            continue;
        let emptyContinuation = false;
        while (!ended) {
            const next = scanner.next();
            if (next === undefined)
                break;
            const content = trimNewline(next);
            scanDirective(content);
            currentLine++;
            if (isComment(next))
                continue;
            if (isBlank(content)) {
                emptyContinuation = true;
                continue;
            }
            const trimmed = trimContinuation(content);
            logical += trimmed.line;
            ended = trimmed.ended;
        }
        if (emptyContinuation) {
            warnings.push({
                rule: 'NoEmptyContinuation',
                message: `Empty continuation line found in: ${logical}`,
                range: { start: currentLine, end: currentLine },
            });
        }
        let node;
        try {
            node = buildNode(logical, escapeToken, comments, { start: startLine, end: currentLine });
        }
        catch (error) {
            throw withLocation(error, { start: startLine, end: currentLine });
        }
        const heredocTarget = node.onbuild ?? node;
        if (HEREDOC_KEYWORDS.has(heredocTarget.keyword) && !heredocTarget.json && logical.includes('<<')) {
            let headers;
            try {
                headers = heredocsFromLine(logical);
            }
            catch (error) {
                throw withLocation(error, { start: startLine, end: currentLine });
            }
            const heredocs = [];
            for (const header of headers) {
                let content = '';
                let terminated = false;
                for (let body = scanner.next(); body !== undefined; body = scanner.next()) {
                    currentLine++;
                    let candidate = trimNewline(body);
                    if (header.chomp)
                        candidate = candidate.replace(/^\t+/, '');
                    if (candidate === header.name) {
                        terminated = true;
                        break;
                    }
                    content += body;
                }
                if (!terminated) {
                    throw new errors_DockerfileError('unterminated heredoc', [{ start: startLine, end: currentLine }]);
                }
                heredocs.push({ ...header, content });
            }
            const range = { start: startLine, end: currentLine };
            node =
                node.onbuild === undefined
                    ? { ...node, heredocs, range }
                    : { ...node, heredocs, range, onbuild: { ...node.onbuild, heredocs, range } };
        }
        instructions.push(node);
        comments = [];
    }
    if (instructions.length === 0) {
        throw new errors_DockerfileError('file with no instructions', [
            { start: Math.max(currentLine, 1), end: Math.max(currentLine, 1) },
        ]);
    }
    if (scanner.tooLong) {
        throw new errors_DockerfileError(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, [
            { start: currentLine + 1, end: currentLine + 1 },
        ]);
    }
    return {
        instructions,
        directives: {
            syntax: directives.get('syntax'),
            escape: directives.get('escape'),
            check: directives.get('check'),
        },
        escapeToken,
        warnings,
        range: { start: instructions[0].range.start, end: instructions[instructions.length - 1].range.end },
    };
}
/** One logical line → node; ONBUILD's argument is parsed again as an instruction of its own. */
function buildNode(line, escapeToken, comments, range) {
    const { keyword: rawKeyword, flags, rest } = splitCommand(line, escapeToken);
    const keyword = rawKeyword.toLowerCase();
    const parsed = lineParserFor(keyword)(rest, escapeToken);
    return {
        keyword,
        rawKeyword,
        flags,
        args: parsed.args,
        json: parsed.json,
        onbuild: parsed.subCommand === undefined ? undefined : buildNode(parsed.subCommand, escapeToken, [], range),
        heredocs: [],
        original: line,
        range,
        comments: comments.length === 0 ? NO_COMMENTS : [...comments],
    };
}

;// CONCATENATED MODULE: ./src/dockerfile/dump.ts

function dumpInstruction(node) {
    let out = node.rawKeyword.toLowerCase();
    if (node.flags.length > 0)
        out += ` [${node.flags.map(goQuote).join(' ')}]`;
    for (const arg of node.args)
        out += ` ${goQuote(arg)}`;
    if (node.onbuild !== undefined)
        out += ` (${dumpInstruction(node.onbuild)})`;
    return goTrimSpace(out);
}
/** The whole tree, one `(instruction)` per line, without a final newline (as `Dump` returns it). */
function dumpAst(ast) {
    return goTrimSpace(ast.instructions.map((node) => `(${dumpInstruction(node)})\n`).join(''));
}

;// CONCATENATED MODULE: ./src/dockerfile/filepath-match.ts
// Go's `filepath.Match` on Unix, on code points as Go works on runes. BuildKit uses it to match COPY source
// components and to reject malformed .dockerignore patterns.
class FilepathPatternError extends Error {
    constructor() {
        super('syntax error in pattern');
    }
}
/** Whether `name` matches `pattern`; throws FilepathPatternError where Go returns ErrBadPattern. */
function goFilepathMatch(pattern, name) {
    return match(Array.from(pattern), Array.from(name));
}
function match(patternIn, nameIn) {
    let pattern = patternIn;
    let name = nameIn;
    outer: while (pattern.length > 0) {
        const { star, chunk, rest } = scanChunk(pattern);
        pattern = rest;
        if (star && chunk.length === 0)
            return !name.includes('/');
        const here = matchChunk(chunk, name);
        if (here !== undefined && (here.length === 0 || pattern.length > 0)) {
            name = here;
            continue;
        }
        if (star) {
            for (let i = 0; i < name.length && name[i] !== '/'; i++) {
                const skipped = matchChunk(chunk, name.slice(i + 1));
                if (skipped !== undefined) {
                    if (pattern.length === 0 && skipped.length > 0)
                        continue;
                    name = skipped;
                    continue outer;
                }
            }
        }
        // Go checks the rest of the pattern is well-formed before answering false.
        while (pattern.length > 0) {
            const next = scanChunk(pattern);
            pattern = next.rest;
            matchChunk(next.chunk, []);
        }
        return false;
    }
    return name.length === 0;
}
function scanChunk(patternIn) {
    let pattern = patternIn;
    let star = false;
    while (pattern.length > 0 && pattern[0] === '*') {
        pattern = pattern.slice(1);
        star = true;
    }
    let inRange = false;
    let i = 0;
    scan: for (; i < pattern.length; i++) {
        switch (pattern[i]) {
            case '\\':
                if (i + 1 < pattern.length)
                    i++;
                break;
            case '[':
                inRange = true;
                break;
            case ']':
                inRange = false;
                break;
            case '*':
                if (!inRange)
                    break scan;
                break;
        }
    }
    return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}
/** The rest of `s` after `chunk` matched its start, or undefined; throws BadPattern like Go. */
function matchChunk(chunkIn, sIn) {
    let chunk = chunkIn;
    let s = sIn;
    let failed = false;
    while (chunk.length > 0) {
        if (!failed && s.length === 0)
            failed = true;
        const head = chunk[0];
        if (head === '[') {
            let r = '';
            if (!failed) {
                r = s[0];
                s = s.slice(1);
            }
            chunk = chunk.slice(1);
            let negated = false;
            if (chunk.length > 0 && chunk[0] === '^') {
                negated = true;
                chunk = chunk.slice(1);
            }
            let matched = false;
            let ranges = 0;
            for (;;) {
                if (chunk.length > 0 && chunk[0] === ']' && ranges > 0) {
                    chunk = chunk.slice(1);
                    break;
                }
                const low = escaped(chunk);
                chunk = low.rest;
                let high = low.rune;
                if (chunk[0] === '-') {
                    const upper = escaped(chunk.slice(1));
                    chunk = upper.rest;
                    high = upper.rune;
                }
                if (!failed && codePoint(low.rune) <= codePoint(r) && codePoint(r) <= codePoint(high))
                    matched = true;
                ranges++;
            }
            if (matched === negated)
                failed = true;
        }
        else if (head === '?') {
            if (!failed) {
                if (s[0] === '/')
                    failed = true;
                s = s.slice(1);
            }
            chunk = chunk.slice(1);
        }
        else {
            if (head === '\\') {
                chunk = chunk.slice(1);
                if (chunk.length === 0)
                    throw new FilepathPatternError();
            }
            if (!failed) {
                if (chunk[0] !== s[0])
                    failed = true;
                s = s.slice(1);
            }
            chunk = chunk.slice(1);
        }
    }
    return failed ? undefined : s;
}
/** Go's `getEsc`: one (possibly escaped) character of a class, which must be followed by more. */
function escaped(chunkIn) {
    let chunk = chunkIn;
    if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']')
        throw new FilepathPatternError();
    if (chunk[0] === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0)
            throw new FilepathPatternError();
    }
    const rune = chunk[0];
    const rest = chunk.slice(1);
    if (rest.length === 0)
        throw new FilepathPatternError();
    return { rune, rest };
}
function codePoint(rune) {
    return rune.codePointAt(0) ?? -1;
}

;// CONCATENATED MODULE: ./src/dockerfile/dockerignore.ts
/**
 * `.dockerignore` parsing and matching, reproducing what BuildKit does when it sends the main build context.
 *
 * Three Go pieces are mirrored here:
 *  - `moby/patternmatcher/ignorefile.ReadAll` turns the file into pattern strings;
 *  - `patternmatcher.New` and `Pattern.compile`/`match` validate and match them (including the quirks of
 *    building a Go regular expression from the glob, see {@link compileGlob});
 *  - `tonistiigi/fsutil` `filterFS.Walk` decides, directory by directory, what the context contains, feeding each
 *    directory's per-pattern results to its children (`MatchesUsingParentResults`) and skipping directories
 *    that nothing can re-include.
 *
 * Which file is read is decided by `frontend/dockerui` (see {@link dockerignoreCandidates}).
 */

/** A `.dockerignore` BuildKit refuses. The message is Go's; `line` is the 1-based line of the culprit. */
class DockerignoreError extends Error {
    name = 'DockerignoreError';
    line;
    constructor(message, line) {
        super(message);
        this.line = line;
    }
}
const BAD_PATTERN = 'syntax error in pattern'; // Go's filepath.ErrBadPattern
const BARE_EXCLAMATION = 'illegal exclusion pattern: "!"';
const TOKEN_TOO_LONG = 'bufio.Scanner: token too long';
/** bufio.Scanner's default buffer: a line must fit in it together with its newline. */
const MAX_SCAN_TOKEN = 64 * 1024;
// ---------------------------------------------------------------------------------------------------------------
// Go string helpers
/** Go's `unicode.IsSpace` (what `strings.TrimSpace` trims). Unlike JS `trim`, U+0085 is space and U+FEFF is not. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
function dockerignore_goTrimSpace(s) {
    return s.replace(GO_TRIM, '');
}
/** Go's `filepath.Clean` on a Unix host (also `path.Clean`). */
function goClean(p) {
    if (p === '')
        return '.';
    const rooted = p.startsWith('/');
    const out = [];
    for (const segment of p.split('/')) {
        if (segment === '' || segment === '.')
            continue;
        if (segment === '..') {
            if (out.length > 0 && out[out.length - 1] !== '..')
                out.pop();
            else if (!rooted)
                out.push('..');
            continue;
        }
        out.push(segment);
    }
    const joined = (rooted ? '/' : '') + out.join('/');
    return joined === '' ? '.' : joined;
}
function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80)
            n += 1;
        else if (c < 0x800)
            n += 2;
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
            const d = s.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
                n += 4;
                i++;
            }
            else
                n += 3;
        }
        else
            n += 3;
    }
    return n;
}
/** `bufio.Scanner` with `ScanLines`: split on `\n`, drop one trailing `\r`, no empty token after a final `\n`. */
function scanLines(text) {
    if (text === '')
        return [];
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '')
        lines.pop();
    return lines.map((line, index) => {
        if (line.length * 3 >= MAX_SCAN_TOKEN && utf8Length(line) >= MAX_SCAN_TOKEN) {
            throw new DockerignoreError(TOKEN_TOO_LONG, index + 1);
        }
        return line.endsWith('\r') ? line.slice(0, -1) : line;
    });
}
// ---------------------------------------------------------------------------------------------------------------
// Go regexp (RE2 syntax, Perl flags) → JavaScript RegExp with the `u` flag. Only needs to accept what
// compileGlob can produce, but that is more than it seems: `[`, `]`, `^`, `{`, `|`, `}` and every `\x` escape
// reach Go's regexp parser untouched.
class GoRegexpError extends Error {
}
const GO_MAX_SIZE = Math.floor((128 << 20) / 40);
const GO_MAX_REPEAT = 1000;
const MAX_RUNE = 0x10ffff;
const PERL_GROUPS = {
    '\\d': { negated: false, ranges: [[0x30, 0x39]] },
    '\\D': { negated: true, ranges: [[0x30, 0x39]] },
    '\\s': {
        negated: false,
        ranges: [
            [0x09, 0x0a],
            [0x0c, 0x0d],
            [0x20, 0x20],
        ],
    },
    '\\S': {
        negated: true,
        ranges: [
            [0x09, 0x0a],
            [0x0c, 0x0d],
            [0x20, 0x20],
        ],
    },
    '\\w': {
        negated: false,
        ranges: [
            [0x30, 0x39],
            [0x41, 0x5a],
            [0x5f, 0x5f],
            [0x61, 0x7a],
        ],
    },
    '\\W': {
        negated: true,
        ranges: [
            [0x30, 0x39],
            [0x41, 0x5a],
            [0x5f, 0x5f],
            [0x61, 0x7a],
        ],
    },
};
const POSIX_CLASSES = {
    alnum: [
        [0x30, 0x39],
        [0x41, 0x5a],
        [0x61, 0x7a],
    ],
    alpha: [
        [0x41, 0x5a],
        [0x61, 0x7a],
    ],
    ascii: [[0x00, 0x7f]],
    blank: [
        [0x09, 0x09],
        [0x20, 0x20],
    ],
    cntrl: [
        [0x00, 0x1f],
        [0x7f, 0x7f],
    ],
    digit: [[0x30, 0x39]],
    graph: [[0x21, 0x7e]],
    lower: [[0x61, 0x7a]],
    print: [[0x20, 0x7e]],
    punct: [
        [0x21, 0x2f],
        [0x3a, 0x40],
        [0x5b, 0x60],
        [0x7b, 0x7e],
    ],
    space: [
        [0x09, 0x0d],
        [0x20, 0x20],
    ],
    upper: [[0x41, 0x5a]],
    word: [
        [0x30, 0x39],
        [0x41, 0x5a],
        [0x5f, 0x5f],
        [0x61, 0x7a],
    ],
    xdigit: [
        [0x30, 0x39],
        [0x41, 0x46],
        [0x61, 0x66],
    ],
};
/** Go's unicode.Categories keys, in regexp/syntax's canonical spelling. */
const GO_CATEGORIES = new Set('C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));
/** unicode.CategoryAliases (Go ≥ 1.25), keyed by canonical name. */
const GO_CATEGORY_ALIASES = Object.fromEntries(Object.entries({
    Cased_Letter: 'LC',
    Close_Punctuation: 'Pe',
    Combining_Mark: 'M',
    Connector_Punctuation: 'Pc',
    Control: 'Cc',
    cntrl: 'Cc',
    Currency_Symbol: 'Sc',
    Dash_Punctuation: 'Pd',
    Decimal_Number: 'Nd',
    digit: 'Nd',
    Enclosing_Mark: 'Me',
    Final_Punctuation: 'Pf',
    Format: 'Cf',
    Initial_Punctuation: 'Pi',
    Letter: 'L',
    Letter_Number: 'Nl',
    Line_Separator: 'Zl',
    Lowercase_Letter: 'Ll',
    Mark: 'M',
    Math_Symbol: 'Sm',
    Modifier_Letter: 'Lm',
    Modifier_Symbol: 'Sk',
    Nonspacing_Mark: 'Mn',
    Number: 'N',
    Open_Punctuation: 'Ps',
    Other: 'C',
    Other_Letter: 'Lo',
    Other_Number: 'No',
    Other_Punctuation: 'Po',
    Other_Symbol: 'So',
    Paragraph_Separator: 'Zp',
    Private_Use: 'Co',
    Punctuation: 'P',
    punct: 'P',
    Separator: 'Z',
    Space_Separator: 'Zs',
    Spacing_Mark: 'Mc',
    Surrogate: 'Cs',
    Symbol: 'S',
    Titlecase_Letter: 'Lt',
    Unassigned: 'Cn',
    Uppercase_Letter: 'Lu',
}).map(([alias, category]) => [canonicalName(alias), category]));
/** regexp/syntax `canonicalName`: drop `_`, `-`, space; first letter upper case, the rest lower case. */
function canonicalName(name) {
    let out = '';
    let first = true;
    for (const ch of name) {
        if (ch === '_' || ch === '-' || ch === ' ')
            continue;
        if (first) {
            out += ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
            first = false;
        }
        else
            out += ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
    }
    return out;
}
function categoryFragment(category, negated) {
    // Go's C is Cc|Cf|Co|Cs; JavaScript's also holds the unassigned code points (Cn).
    if (category === 'C')
        return negated ? '\\P{C}\\p{Cn}' : '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}';
    return `${negated ? '\\P' : '\\p'}{${category}}`;
}
const scriptSupport = new Map();
function isJsScript(name) {
    let known = scriptSupport.get(name);
    if (known === undefined) {
        known = /^[A-Za-z0-9]+$/.test(name);
        if (known) {
            try {
                new RegExp(`\\p{Script=${name}}`, 'u');
            }
            catch {
                known = false;
            }
        }
        scriptSupport.set(name, known);
    }
    return known;
}
/** regexp/syntax `unicodeTable`, as a fragment for a JS `u` class; undefined when Go knows no such table. */
function unicodeFragment(rawName, negated) {
    const name = canonicalName(rawName);
    const p = negated ? '\\P' : '\\p';
    switch (name) {
        case 'Any':
            return `${p}{Any}`;
        case 'Assigned':
            return `${p}{Assigned}`;
        case 'Ascii':
            return `${p}{ASCII}`;
        case 'Lc':
            return `${p}{LC}`;
    }
    if (GO_CATEGORIES.has(name))
        return categoryFragment(name, negated);
    if (isJsScript(name))
        return `${p}{Script=${name}}`;
    const alias = GO_CATEGORY_ALIASES[name];
    return alias === undefined ? undefined : categoryFragment(alias, negated);
}
function jsCodePoint(cp) {
    if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
        return String.fromCodePoint(cp);
    }
    return `\\u{${cp.toString(16)}}`;
}
function jsClass(negated, ranges, fragments) {
    let body = '';
    for (const [lo, hi] of ranges)
        body += lo === hi ? jsCodePoint(lo) : `${jsCodePoint(lo)}-${jsCodePoint(hi)}`;
    return `[${negated ? '^' : ''}${body}${fragments.join('')}]`;
}
function isOctal(c) {
    return c !== undefined && c >= '0' && c <= '7';
}
function unhex(c) {
    if (c === undefined)
        return -1;
    if (c >= '0' && c <= '9')
        return c.charCodeAt(0) - 0x30;
    if (c >= 'a' && c <= 'f')
        return c.charCodeAt(0) - 0x61 + 10;
    if (c >= 'A' && c <= 'F')
        return c.charCodeAt(0) - 0x41 + 10;
    return -1;
}
function isAlnum(c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
/** Translates a Go regular expression (as patternmatcher builds them) to JavaScript source for the `u` flag. */
function translateGoRegexp(source) {
    const cs = Array.from(source); // one element per code point, as Go walks runes
    let i = 0;
    const fail = () => {
        throw new GoRegexpError();
    };
    const literal = (cp) => ({ js: jsCodePoint(cp), size: 1, needsGroup: false });
    const classPiece = (js) => ({ js, size: 1, needsGroup: false });
    const assertion = (js) => ({ js, size: 1, needsGroup: true });
    /** parseEscape: `\` at cs[at]; returns the rune and the index after the escape. */
    const parseEscape = (at) => {
        let p = at + 1;
        const c = cs[p++];
        if (c === undefined)
            return fail(); // trailing backslash
        if (isOctal(c)) {
            // `\1`..`\7` alone would be a back-reference, which Go does not support; otherwise up to three digits.
            if (c !== '0' && !isOctal(cs[p]))
                return fail();
            let r = c.charCodeAt(0) - 0x30;
            for (let k = 1; k < 3 && isOctal(cs[p]); k++)
                r = r * 8 + cs[p++].charCodeAt(0) - 0x30;
            return [r, p];
        }
        switch (c) {
            case 'x': {
                const first = cs[p++];
                if (first === undefined)
                    return fail();
                if (first === '{') {
                    let r = 0;
                    let digits = 0;
                    for (;;) {
                        const d = cs[p++];
                        if (d === undefined)
                            return fail();
                        if (d === '}')
                            break;
                        const v = unhex(d);
                        if (v < 0)
                            return fail();
                        r = r * 16 + v;
                        if (r > MAX_RUNE)
                            return fail();
                        digits++;
                    }
                    if (digits === 0)
                        return fail();
                    return [r, p];
                }
                const x = unhex(first);
                const y = unhex(cs[p++]);
                if (x < 0 || y < 0)
                    return fail();
                return [x * 16 + y, p];
            }
            case 'a':
                return [0x07, p];
            case 'f':
                return [0x0c, p];
            case 'n':
                return [0x0a, p];
            case 'r':
                return [0x0d, p];
            case 't':
                return [0x09, p];
            case 'v':
                return [0x0b, p];
            default: {
                const cp = c.codePointAt(0);
                if (cp < 0x80 && !isAlnum(c))
                    return [cp, p];
                return fail();
            }
        }
    };
    /** parseUnicodeClass: `\p` or `\P` at cs[at]; returns a class fragment and the index after it. */
    const parseUnicodeClass = (at) => {
        let negated = cs[at + 1] === 'P';
        let name;
        let end;
        if (cs[at + 2] !== '{') {
            name = cs[at + 2] ?? '';
            end = Math.min(at + 3, cs.length);
        }
        else {
            const close = cs.indexOf('}', at);
            if (close < 0)
                return fail();
            name = cs.slice(at + 3, close).join('');
            end = close + 1;
        }
        if (name.startsWith('^')) {
            negated = !negated;
            name = name.slice(1);
        }
        const fragment = unicodeFragment(name, negated);
        if (fragment === undefined)
            return fail();
        return [fragment, end];
    };
    /** parseClass: `[` at cs[i]. */
    const parseClass = () => {
        i++;
        let negated = false;
        if (cs[i] === '^') {
            negated = true;
            i++;
        }
        const ranges = [];
        const fragments = [];
        let first = true; // `]` is a literal when it comes first
        while (i >= cs.length || cs[i] !== ']' || first) {
            first = false;
            if (cs.length - i > 2 && cs[i] === '[' && cs[i + 1] === ':') {
                let close = -1;
                for (let k = i + 2; k + 1 < cs.length; k++) {
                    if (cs[k] === ':' && cs[k + 1] === ']') {
                        close = k;
                        break;
                    }
                }
                if (close >= 0) {
                    let name = cs.slice(i + 2, close).join('');
                    const negatedGroup = name.startsWith('^');
                    if (negatedGroup)
                        name = name.slice(1);
                    const group = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
                    if (group === undefined)
                        return fail();
                    ranges.push(...(negatedGroup ? complement(group) : group));
                    i = close + 2;
                    continue;
                }
            }
            if (cs[i] === '\\' && (cs[i + 1] === 'p' || cs[i + 1] === 'P')) {
                const [fragment, next] = parseUnicodeClass(i);
                fragments.push(fragment);
                i = next;
                continue;
            }
            const perl = cs[i] === '\\' ? PERL_GROUPS[`\\${cs[i + 1] ?? ''}`] : undefined;
            if (perl !== undefined) {
                ranges.push(...(perl.negated ? complement(perl.ranges) : perl.ranges));
                i += 2;
                continue;
            }
            const lo = classChar();
            let hi = lo;
            if (cs.length - i >= 2 && cs[i] === '-' && cs[i + 1] !== ']') {
                i++;
                hi = classChar();
                if (hi < lo)
                    return fail();
            }
            ranges.push([lo, hi]);
        }
        i++; // the closing `]`
        return classPiece(jsClass(negated, ranges, fragments));
    };
    const classChar = () => {
        const c = cs[i];
        if (c === undefined)
            return fail(); // missing closing ]
        if (c === '\\') {
            const [r, next] = parseEscape(i);
            i = next;
            return r;
        }
        i++;
        return c.codePointAt(0);
    };
    const parseDecimal = () => {
        const start = i;
        if (!(cs[i] !== undefined && cs[i] >= '0' && cs[i] <= '9'))
            return undefined;
        if (cs[i] === '0' &&
            cs[i + 1] !== undefined &&
            cs[i + 1] >= '0' &&
            cs[i + 1] <= '9') {
            return undefined;
        }
        while (cs[i] !== undefined && cs[i] >= '0' && cs[i] <= '9')
            i++;
        let n = 0;
        for (let k = start; k < i; k++) {
            if (n >= 1e8)
                return -1;
            n = n * 10 + cs[k].charCodeAt(0) - 0x30;
        }
        return n;
    };
    /** parseRepeat: `{n}`, `{n,}` or `{n,m}` at cs[i]; undefined (and i untouched) when it is a literal `{`. */
    const parseRepeat = () => {
        const start = i;
        i++;
        let min = parseDecimal();
        let max;
        if (min !== undefined && i < cs.length) {
            if (cs[i] !== ',')
                max = min;
            else {
                i++;
                if (i < cs.length) {
                    if (cs[i] === '}')
                        max = -1;
                    else {
                        max = parseDecimal();
                        if (max !== undefined && max < 0)
                            min = -1;
                    }
                }
            }
        }
        if (min === undefined || max === undefined || cs[i] !== '}') {
            i = start;
            return undefined;
        }
        i++;
        return { min, max };
    };
    const quantify = (items, op, min, max, afterRepeat) => {
        let suffix = '';
        if (cs[i] === '?') {
            i++;
            suffix = '?';
        }
        if (afterRepeat)
            fail(); // invalid nested repetition operator
        const sub = items.pop();
        if (sub === undefined)
            return fail(); // missing argument to repetition operator
        let size;
        if (op === '*')
            size = 2 + sub.size;
        else if (op === '+' || op === '?')
            size = 1 + sub.size;
        else if (max === -1)
            size = min === 0 ? 2 + sub.size : 1 + min * sub.size;
        else
            size = max * sub.size + (max - min);
        const atom = sub.needsGroup ? `(?:${sub.js})` : sub.js;
        items.push({ js: atom + op + suffix, size: Math.max(1, size), needsGroup: true });
    };
    const parseConcat = () => {
        const items = [];
        let lastWasRepeat = false;
        while (i < cs.length) {
            const c = cs[i];
            if (c === '|' || c === ')')
                break;
            let isRepeat = false;
            switch (c) {
                case '(': {
                    if (cs[i + 1] === '?')
                        return fail(); // Perl flags: never produced from a glob
                    i++;
                    const inner = parseAlternation();
                    if (cs[i] !== ')')
                        return fail(); // missing closing )
                    i++;
                    items.push({ js: `(?:${inner.js})`, size: 2 + inner.size, needsGroup: false });
                    break;
                }
                case '^':
                    i++;
                    items.push(assertion('^'));
                    break;
                case '$':
                    i++;
                    items.push(assertion('$'));
                    break;
                case '.':
                    i++;
                    items.push(classPiece('[^\\n]')); // Go's `.` only refuses \n
                    break;
                case '[':
                    items.push(parseClass());
                    break;
                case '*':
                case '+':
                case '?':
                    i++;
                    quantify(items, c, 0, 0, lastWasRepeat);
                    isRepeat = true;
                    break;
                case '{': {
                    const repeat = parseRepeat();
                    if (repeat === undefined) {
                        i++;
                        items.push(literal(0x7b));
                        break;
                    }
                    const { min, max } = repeat;
                    if (min < 0 || min > GO_MAX_REPEAT || max > GO_MAX_REPEAT || (max >= 0 && min > max))
                        return fail();
                    const op = max === -1 ? `{${min},}` : max === min ? `{${min}}` : `{${min},${max}}`;
                    quantify(items, op, min, max, lastWasRepeat);
                    isRepeat = true;
                    break;
                }
                case '\\':
                    parseBackslash(items);
                    break;
                default:
                    i++;
                    items.push(literal(c.codePointAt(0)));
            }
            lastWasRepeat = isRepeat;
        }
        return {
            js: items.map((item) => item.js).join(''),
            size: items.reduce((sum, item) => sum + item.size, 0),
            needsGroup: false,
        };
    };
    const parseBackslash = (items) => {
        switch (cs[i + 1]) {
            case 'A':
                i += 2;
                items.push(assertion('^'));
                return;
            case 'b':
                i += 2;
                items.push(assertion('\\b'));
                return;
            case 'B':
                i += 2;
                items.push(assertion('\\B'));
                return;
            case 'C':
                return fail();
            case 'Q': {
                // \Q...\E: everything up to \E (or the very end, our `$` included) is literal.
                let end = cs.length;
                for (let k = i + 2; k + 1 < cs.length; k++) {
                    if (cs[k] === '\\' && cs[k + 1] === 'E') {
                        end = k;
                        break;
                    }
                }
                for (let k = i + 2; k < end; k++)
                    items.push(literal(cs[k].codePointAt(0)));
                i = Math.min(end + 2, cs.length);
                return;
            }
            case 'z':
                i += 2;
                items.push(assertion('$'));
                return;
            case 'p':
            case 'P': {
                const [fragment, next] = parseUnicodeClass(i);
                i = next;
                items.push(classPiece(`[${fragment}]`));
                return;
            }
        }
        const perl = PERL_GROUPS[`\\${cs[i + 1] ?? ''}`];
        if (perl !== undefined) {
            i += 2;
            items.push(classPiece(jsClass(perl.negated, perl.ranges, [])));
            return;
        }
        const [r, next] = parseEscape(i);
        i = next;
        items.push(literal(r));
    };
    const parseAlternation = () => {
        const branches = [parseConcat()];
        while (cs[i] === '|') {
            i++;
            branches.push(parseConcat());
        }
        return {
            js: branches.map((branch) => branch.js).join('|'),
            size: branches.reduce((sum, branch) => sum + branch.size, 0) + branches.length - 1,
            needsGroup: false,
        };
    };
    const whole = parseAlternation();
    if (i < cs.length)
        fail(); // an unmatched `)`
    if (whole.size > GO_MAX_SIZE)
        fail(); // expression too large
    return whole.js;
}
function complement(ranges) {
    const out = [];
    let next = 0;
    for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
        if (next <= lo - 1)
            out.push([next, lo - 1]);
        next = Math.max(next, hi + 1);
    }
    if (next <= MAX_RUNE)
        out.push([next, MAX_RUNE]);
    return out;
}
/** Go's `shouldEscape`: its bitmap only covers bytes below 64, so `{`, `|` and `}` slip through unescaped. */
const ESCAPED_FOR_REGEXP = new Set(['.', '+', '(', ')', '$']);
/**
 * `Pattern.compile`: classifies the pattern as exact, prefix (`abc/**`), suffix (`**` first) or regexp, and
 * for the last builds the same regular expression as Go. Throws {@link GoRegexpError}.
 */
function compileGlob(pattern) {
    const chars = Array.from(pattern);
    // text/scanner skips a byte-order mark at the start of its input.
    const bomLed = chars[0] === '\uFEFF';
    let pos = bomLed ? 1 : 0;
    let re = '^';
    let kind = 'exact';
    for (let i = 0; pos < chars.length; i++) {
        const ch = chars[pos++];
        if (ch === '*') {
            if (chars[pos] === '*') {
                pos++;
                if (chars[pos] === '/')
                    pos++; // `**/` is `**`
                if (pos >= chars.length) {
                    if (kind === 'exact')
                        kind = 'prefix';
                    else {
                        re += '.*';
                        kind = 'regexp';
                    }
                }
                else {
                    re += '(.*/)?';
                    kind = 'regexp';
                }
                if (i === 0)
                    kind = 'suffix';
            }
            else {
                re += '[^/]*';
                kind = 'regexp';
            }
        }
        else if (ch === '?') {
            re += '[^/]';
            kind = 'regexp';
        }
        else if (ESCAPED_FOR_REGEXP.has(ch)) {
            re += `\\${ch}`;
        }
        else if (ch === '\\') {
            if (pos < chars.length) {
                re += `\\${chars[pos++]}`;
                kind = 'regexp';
            }
            else
                re += '\\';
        }
        else if (ch === '[' || ch === ']') {
            re += ch;
            kind = 'regexp';
        }
        else {
            re += ch;
        }
    }
    switch (kind) {
        case 'exact':
            return { kind, text: pattern };
        case 'prefix':
            return { kind, prefix: pattern.slice(0, -2) };
        case 'suffix':
            // Go slices two bytes off the pattern; behind a byte-order mark that leaves a broken UTF-8 string that
            // no path can end with.
            return bomLed ? { kind: 'never' } : { kind, suffix: pattern.slice(2) };
        case 'regexp':
            return { kind, re: new RegExp(translateGoRegexp(re + '$'), 'u') };
    }
}
function matches(matcher, path) {
    switch (matcher.kind) {
        case 'exact':
            return path === matcher.text;
        case 'prefix':
            return path.startsWith(matcher.prefix);
        case 'suffix':
            // `**/foo` also matches a top-level `foo`.
            return (path.endsWith(matcher.suffix) || (matcher.suffix.startsWith('/') && path === matcher.suffix.slice(1)));
        case 'never':
            return false;
        case 'regexp':
            return matcher.re.test(path);
    }
}
// ---------------------------------------------------------------------------------------------------------------
// Parsing
/** `ignorefile.ReadAll` for one line; undefined when the line yields no pattern. */
function readAllLine(raw) {
    if (raw.startsWith('#'))
        return undefined;
    let pattern = dockerignore_goTrimSpace(raw);
    if (pattern === '')
        return undefined;
    const invert = pattern.startsWith('!');
    if (invert)
        pattern = dockerignore_goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
        pattern = goClean(pattern);
        if (pattern.length > 1 && pattern.startsWith('/'))
            pattern = pattern.slice(1);
    }
    return invert ? `!${pattern}` : pattern;
}
/**
 * Parses a `.dockerignore` file: `ignorefile.ReadAll` followed by `patternmatcher.New`, so the result is what
 * BuildKit matches with (for example `!/a/../b` becomes `{ pattern: 'b', exclusion: true }`).
 * Throws {@link DockerignoreError} where BuildKit fails the build; errors Go only notices while matching (a
 * pattern that compiles to an invalid regular expression) are reported here too.
 */
function parseDockerignore(text) {
    const lines = scanLines(text);
    if (lines.length > 0 && lines[0]?.startsWith('\uFEFF'))
        lines[0] = lines[0].slice(1);
    const patterns = [];
    lines.forEach((raw, index) => {
        const line = index + 1;
        const fromFile = readAllLine(raw);
        if (fromFile === undefined)
            return;
        // patternmatcher.New trims and cleans again, which matters when stripping `/` exposed whitespace.
        let pattern = dockerignore_goTrimSpace(fromFile);
        if (pattern === '')
            return;
        pattern = goClean(pattern);
        let exclusion = false;
        if (pattern.startsWith('!')) {
            if (pattern.length === 1)
                throw new DockerignoreError(BARE_EXCLAMATION, line);
            exclusion = true;
            pattern = pattern.slice(1);
        }
        validateSyntax(pattern, line);
        patterns.push({ pattern, exclusion, line });
    });
    // Go compiles a pattern's regular expression on first use, after every pattern passed New's checks.
    for (const pattern of patterns)
        compilePattern(pattern);
    return patterns;
}
function validateSyntax(pattern, line) {
    try {
        // filepath.Match, used by patternmatcher.New only to reject malformed patterns (checked all the way
        // through, as Go ≥ 1.20 does, even when the name stops matching early).
        goFilepathMatch(pattern, '.');
    }
    catch (error) {
        if (error instanceof FilepathPatternError)
            throw new DockerignoreError(BAD_PATTERN, line);
        throw error;
    }
}
function compilePattern(pattern) {
    try {
        return compileGlob(pattern.pattern);
    }
    catch (error) {
        if (error instanceof GoRegexpError || error instanceof SyntaxError) {
            throw new DockerignoreError(BAD_PATTERN, pattern.line);
        }
        throw error;
    }
}
// ---------------------------------------------------------------------------------------------------------------
// Matching
const PATTERN_CHARS = /[*[\]?^\\]/;
/** fsutil's `patternWithoutTrailingGlob`. */
function withoutTrailingGlob(pattern) {
    let p = pattern;
    if (p.endsWith('/**'))
        p = p.slice(0, -3);
    if (p.endsWith('/*'))
        p = p.slice(0, -2);
    return p;
}
const NOT_VISITED = { info: new Uint8Array(0), excluded: true, descend: false };
const MAX_CACHED_DIRS = 1 << 17;
const NEEDS_CLEAN = /^\.{1,2}(\/|$)|^\/|\/$|\/\/|\/\.{1,2}(\/|$)/;
function normalizeRelative(path) {
    if (!NEEDS_CLEAN.test(path))
        return path;
    const cleaned = goClean(path).replace(/^\/+/, '');
    return cleaned === '.' ? '' : cleaned;
}
/**
 * Matches paths against parsed patterns the way BuildKit's context walker does. Each directory's per-pattern
 * results are computed once and reused for everything below it.
 */
class IgnoreMatcher {
    hasExclusions;
    matchers;
    exclusion;
    /** fsutil's `onlyPrefixExcludeExceptions`: no exception uses wildcards (bar a trailing `/*` or `/**`). */
    onlyPrefixExceptions;
    exceptionPrefixes;
    dirs = new Map();
    constructor(patterns) {
        this.matchers = patterns.map((pattern) => {
            validateSyntax(pattern.pattern, pattern.line);
            return compilePattern(pattern);
        });
        this.exclusion = patterns.map((pattern) => pattern.exclusion);
        this.hasExclusions = this.exclusion.includes(true);
        const exceptions = patterns
            .filter((pattern) => pattern.exclusion)
            .map((p) => withoutTrailingGlob(p.pattern));
        this.onlyPrefixExceptions = exceptions.every((pattern) => !PATTERN_CHARS.test(pattern));
        this.exceptionPrefixes = exceptions.map((pattern) => `${pattern}/`);
    }
    /** Path relative to the context root, `/`-separated, no leading `./`. true when the file or dir is excluded. */
    isExcluded(relativePath) {
        const path = normalizeRelative(relativePath);
        if (path === '' || this.matchers.length === 0)
            return false; // the root itself is always sent
        const known = this.dirs.get(path);
        if (known !== undefined)
            return known.excluded;
        const slash = path.lastIndexOf('/');
        if (slash < 0)
            return this.evaluate(path, undefined, undefined);
        const parent = this.dirState(path.slice(0, slash));
        if (!parent.descend)
            return true;
        return this.evaluate(path, parent.info, undefined);
    }
    /**
     * true when the directory's contents may still be re-included by an exception, so a walker must descend.
     * false exactly where BuildKit's walker skips the directory: then everything below it is excluded.
     * (An excluded directory that is descended into still appears in the context if something below it is kept.)
     */
    mayIncludeUnder(relativeDir) {
        const dir = normalizeRelative(relativeDir);
        if (dir === '' || this.matchers.length === 0)
            return true;
        return this.dirState(dir).descend;
    }
    dirState(dir) {
        const known = this.dirs.get(dir);
        if (known !== undefined)
            return known;
        const slash = dir.lastIndexOf('/');
        let state;
        const parent = slash < 0 ? undefined : this.dirState(dir.slice(0, slash));
        if (parent !== undefined && !parent.descend)
            state = NOT_VISITED;
        else {
            const info = new Uint8Array(this.matchers.length);
            const excluded = this.evaluate(dir, parent?.info, info);
            state = { info, excluded, descend: !excluded || this.descendsIntoExcluded(dir) };
        }
        if (this.dirs.size >= MAX_CACHED_DIRS)
            this.dirs.clear();
        this.dirs.set(dir, state);
        return state;
    }
    /** fsutil: an excluded directory is still walked unless every exception is a plain path outside it. */
    descendsIntoExcluded(dir) {
        if (!this.onlyPrefixExceptions)
            return true;
        const dirSlash = `${dir}/`;
        return this.exceptionPrefixes.some((prefix) => prefix.startsWith(dirSlash));
    }
    /**
     * `MatchesUsingParentResults`: patterns are applied in order, the last one that matches wins. A pattern
     * that matched the parent directory matches here without being evaluated; otherwise it is evaluated only if
     * it could change the outcome (an exception while excluded, an exclusion while included). Without parent
     * results (top-level entries) a pattern also matches when it matches one of the path's parent directories.
     */
    evaluate(path, parentInfo, info) {
        let excluded = false;
        for (let i = 0; i < this.matchers.length; i++) {
            const exclusion = this.exclusion[i];
            let match = parentInfo !== undefined && parentInfo[i] === 1;
            if (!match) {
                if (exclusion !== excluded)
                    continue;
                const matcher = this.matchers[i];
                match = matches(matcher, path);
                if (!match && parentInfo === undefined) {
                    for (let slash = path.indexOf('/'); slash >= 0 && !match; slash = path.indexOf('/', slash + 1)) {
                        match = matches(matcher, path.slice(0, slash));
                    }
                }
            }
            if (info !== undefined)
                info[i] = match ? 1 : 0;
            if (match)
                excluded = !exclusion;
        }
        return excluded;
    }
}
/**
 * Which ignore files BuildKit reads for a Dockerfile path given relative to the context (e.g. `app/Dockerfile`):
 * `<dockerfile>.dockerignore` first (replacing, not merging), then `.dockerignore` at the context root.
 * The name is built from the `filename` option as given, so a lowercase `dockerfile` found as a fallback for
 * `Dockerfile` still uses `Dockerfile.dockerignore`.
 */
function dockerignoreCandidates(dockerfilePath) {
    let file = goClean(dockerfilePath.trim() === '' ? 'Dockerfile' : dockerfilePath).replace(/^\/+/, '');
    if (file === '' || file === '.')
        file = 'Dockerfile';
    return [`${file}.dockerignore`, '.dockerignore'];
}

;// CONCATENATED MODULE: ./src/dockerfile/index.ts









;// CONCATENATED MODULE: ./src/stages/instructions.ts
/** Display name as BuildKit prints it: the stage's name, else `stage-<index>`. */
function stageDisplayName(stage) {
    return stage.name ?? `stage-${stage.index}`;
}

;// CONCATENATED MODULE: ./src/stages/flags.ts
// Instruction flags (BuildKit's instructions/bflag.go) and the "did you mean" hint BuildKit adds to
// unknown names (util/suggest/error.go at the repository root).


// BuildKit's declarations per instruction (`req.flags.Add*` in instructions/parse.go and the RUN hooks).
// RUN's hooks run in file-name order: rundevice, runmount, runnetwork, runsecurity.
const FROM_FLAGS = { platform: 'string' };
const COPY_FLAGS = {
    chown: 'string',
    from: 'string',
    chmod: 'string',
    link: 'bool',
    exclude: 'strings',
    parents: 'bool',
};
/** No `--from`: `ADD --from=x` is `unknown flag: --from`. */
const ADD_FLAGS = {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    unpack: 'bool',
    exclude: 'strings',
};
const RUN_FLAGS = {
    device: 'strings',
    mount: 'strings',
    network: 'string',
    security: 'string',
};
/** Only parsed for `HEALTHCHECK CMD`; `HEALTHCHECK NONE` ignores every flag, as BuildKit does. */
const HEALTHCHECK_FLAGS = {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
};
/** Every other instruction that checks its flags accepts none. */
const NO_FLAGS = {};
// Declarations are a handful of constant objects; list each one's entries once (this runs per instruction).
const ENTRIES = new WeakMap();
function declarationEntries(declarations) {
    let entries = ENTRIES.get(declarations);
    if (entries === undefined) {
        entries = Object.entries(declarations);
        ENTRIES.set(declarations, entries);
    }
    return entries;
}
const NO_FLAG_RESULTS = new WeakMap();
function noFlags(declarations) {
    let result = NO_FLAG_RESULTS.get(declarations);
    if (result === undefined) {
        const values = {};
        for (const [name, kind] of declarationEntries(declarations)) {
            values[name] = kind === 'strings' ? Object.freeze([]) : undefined;
        }
        result = { values: Object.freeze(values), used: new Set() };
        NO_FLAG_RESULTS.set(declarations, result);
    }
    return result;
}
/**
 * Checks an instruction's flag words (as the parser extracted them, quotes removed) against its
 * declarations, with BuildKit's messages. A bare `--` ends the flags. Errors carry no location; the
 * instruction parser adds it.
 */
function parseFlags(args, declarations) {
    // Most instructions have no flags: they all share one frozen result per declaration set.
    if (args.length === 0)
        return noFlags(declarations);
    const values = {};
    for (const [name, kind] of declarationEntries(declarations)) {
        values[name] = kind === 'strings' ? [] : undefined;
    }
    const used = new Set();
    for (const arg of args) {
        if (arg === '--')
            break;
        if (!arg.startsWith('--'))
            throw new errors_DockerfileError(`arg should start with -- : ${arg}`);
        const eq = arg.indexOf('=');
        const hasValue = eq >= 0;
        const flagName = hasValue ? arg.slice(0, eq) : arg;
        const value = hasValue ? arg.slice(eq + 1) : '';
        const name = flagName.slice(2);
        const kind = Object.hasOwn(declarations, name) ? declarations[name] : undefined;
        if (kind === undefined) {
            throw new errors_DockerfileError(withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(declarations), true));
        }
        if (used.has(name) && kind !== 'strings') {
            throw new errors_DockerfileError(`duplicate flag specified: ${flagName}`);
        }
        used.add(name);
        switch (kind) {
            case 'bool': {
                // An empty value is only fine without `=`.
                if (hasValue && value === '')
                    throw new errors_DockerfileError(`missing a value on flag: ${flagName}`);
                const lower = goToLower(value);
                if (lower === 'true' || lower === '')
                    values[name] = true;
                else if (lower === 'false')
                    values[name] = false;
                else
                    throw new errors_DockerfileError(`expecting boolean value for flag ${flagName}, not: ${value}`);
                break;
            }
            case 'string':
                if (!hasValue)
                    throw new errors_DockerfileError(`missing a value on flag: ${flagName}`);
                values[name] = value;
                break;
            case 'strings':
                if (!hasValue)
                    throw new errors_DockerfileError(`missing a value on flag: ${flagName}`);
                values[name].push(value);
                break;
            default: {
                const unreachable = kind;
                throw new Error(`unknown flag kind ${String(unreachable)}`);
            }
        }
    }
    return { values: values, used };
}
/**
 * The closest option to `value` within an edit distance of 2, spelled in `value`'s case when
 * case-insensitive (BuildKit's `suggest.Search`); `undefined` when there is none or `value` is itself
 * an option. Where BuildKit draws the options from a Go map, ties between equally close options go to
 * whichever the map yields first, which varies; here the first in `options` wins.
 */
function suggest(value, options, caseSensitive) {
    const wanted = caseSensitive ? value : goToLower(value);
    let match;
    let best = 3;
    for (const option of options) {
        const candidate = caseSensitive ? option : goToLower(option);
        if (candidate === wanted)
            return undefined;
        // Lengths that differ by 3 or more cannot be within the distance; skip the quadratic comparison.
        if (Math.abs(candidate.length - wanted.length) > 2)
            continue;
        const distance = levenshtein(wanted, candidate);
        if (distance < best) {
            match = caseSensitive ? candidate : matchCase(candidate, value);
            best = distance;
        }
    }
    return match === '' ? undefined : match;
}
/** `message (did you mean X?)` when a close option exists (BuildKit's `suggest.WrapError`). */
function withSuggestion(message, value, options, caseSensitive) {
    const match = suggest(value, options, caseSensitive);
    return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
function matchCase(option, original) {
    if (original === goToLower(original))
        return goToLower(option);
    if (original === goToUpper(original))
        return goToUpper(option);
    return option;
}
/**
 * Go's `strings.ToLower`: one code point to one, by Unicode's simple mapping. JavaScript's `toLowerCase`
 * also applies the multi-character and context rules (`İ` → `i̇`, a final `Σ` → `ς`).
 */
function goToLower(text) {
    if (isAscii(text))
        return text.toLowerCase();
    let out = '';
    for (const ch of text) {
        const lower = ch === '\u0130' ? 'i' : ch.toLowerCase();
        out += Array.from(lower).length === 1 ? lower : ch;
    }
    return out;
}
/** Go's `strings.ToUpper`: `ß` stays `ß` where JavaScript gives `SS`. */
function goToUpper(text) {
    if (isAscii(text))
        return text.toUpperCase();
    let out = '';
    for (const ch of text) {
        const upper = ch.toUpperCase();
        out += Array.from(upper).length === 1 ? upper : ch;
    }
    return out;
}
/** Edit distance over code points, each insertion, deletion and substitution costing 1. */
function levenshtein(a, b) {
    const s = Array.from(a);
    const t = Array.from(b);
    let previous = Array.from({ length: t.length + 1 }, (_, i) => i);
    for (let i = 1; i <= s.length; i++) {
        const current = [i];
        for (let j = 1; j <= t.length; j++) {
            const substitution = previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[t.length];
}

;// CONCATENATED MODULE: ./src/stages/mounts.ts
// `RUN --mount=...` and `RUN --device=...` values (BuildKit's instructions/commands_runmount.go and
// commands_rundevice.go), split as CSV the way BuildKit's csvvalue package does (encoding/csv rules).
//
// BuildKit reads a mount twice. While parsing instructions (every stage) it has no expander and looks at
// `from=` only. When it builds a stage it re-reads the mount with each value expanded and checks
// everything else. `readMount` is the first pass, `parseMount` the second.



const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES = ['shared', 'private', 'locked'];
const MOUNT_KEYS = [
    'type',
    'from',
    'source',
    'target',
    'readonly',
    'id',
    'sharing',
    'required',
    'size',
    'mode',
    'uid',
    'gid',
    'src',
    'dst',
    'destination',
    'ro',
    'rw',
    'readwrite',
    'env',
];
/**
 * The parse-time reading of a mount, which BuildKit does for every stage: a CSV error, or a `from=` with
 * a `$` anywhere but at the end, fails; nothing else is checked. The result interprets the values as
 * written; if they break a rule BuildKit checks when it builds the stage, `deferredError` holds BuildKit's
 * message for the text as written (a variable may still make it valid once expanded).
 */
function readMount(value) {
    const fields = csvFields(value, 'mounts');
    for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq < 0 || goToLower(field.slice(0, eq)) !== 'from')
            continue;
        const from = field.slice(eq + 1);
        const dollar = from.indexOf('$');
        if (dollar !== -1 && dollar !== from.length - 1) {
            throw new errors_DockerfileError("'from' doesn't support variable expansion, define alias stage instead");
        }
    }
    let deferredError;
    const mount = interpretMount(value, fields, (word) => word, (message) => {
        deferredError ??= message;
    });
    return deferredError === undefined ? mount : { ...mount, deferredError };
}
/**
 * The build-time reading of a mount: each `key=value` value is expanded with `expand` (the identity when
 * omitted), then every rule applies, with BuildKit's messages.
 */
function parseMount(value, expand = (word) => word) {
    return interpretMount(value, csvFields(value, 'mounts'), expand, (message) => {
        throw new errors_DockerfileError(message);
    });
}
/** `fail` either throws or records the message; after it returns, the offending field is skipped. */
function interpretMount(raw, fields, expand, fail) {
    const m = {
        type: 'bind',
        from: undefined,
        source: undefined,
        target: undefined,
        readOnly: false,
        id: undefined,
        sharing: undefined,
        mode: undefined,
        uid: undefined,
        gid: undefined,
        size: undefined,
        required: undefined,
        env: undefined,
    };
    let roAuto = true;
    const unexpectedFor = (key) => `unexpected key '${key}' for mount type '${m.type}'`;
    for (const field of fields) {
        const eq = field.indexOf('=');
        const key = goToLower(eq < 0 ? field : field.slice(0, eq));
        if (eq < 0) {
            switch (key) {
                case 'readonly':
                case 'ro':
                    m.readOnly = true;
                    roAuto = false;
                    break;
                case 'readwrite':
                case 'rw':
                    m.readOnly = false;
                    roAuto = false;
                    break;
                case 'required':
                    if (m.type === 'secret' || m.type === 'ssh')
                        m.required = true;
                    else
                        fail(unexpectedFor(key));
                    break;
                default:
                    fail(`invalid field '${field}' must be a key=value pair`);
            }
            continue;
        }
        const value = expand(field.slice(eq + 1));
        switch (key) {
            case 'type': {
                const type = goToLower(value);
                if (isOneOf(type, MOUNT_TYPES))
                    m.type = type;
                else
                    fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
                break;
            }
            case 'from':
                m.from = nonEmpty(value);
                break;
            case 'source':
            case 'src':
                m.source = nonEmpty(value);
                break;
            case 'target':
            case 'dst':
            case 'destination':
                m.target = nonEmpty(value);
                break;
            case 'readonly':
            case 'ro':
            case 'readwrite':
            case 'rw': {
                const flag = parseGoBool(value);
                if (flag === undefined) {
                    fail(`invalid value for ${key}: ${value}`);
                    break;
                }
                m.readOnly = key === 'readonly' || key === 'ro' ? flag : !flag;
                roAuto = false;
                break;
            }
            case 'required':
                if (m.type !== 'secret' && m.type !== 'ssh') {
                    fail(unexpectedFor(key));
                    break;
                }
                m.required = parseGoBool(value);
                if (m.required === undefined)
                    fail(`invalid value for ${key}: ${value}`);
                break;
            case 'size':
                if (m.type !== 'tmpfs')
                    fail(unexpectedFor(key));
                else if (!isRamSize(value))
                    fail(`invalid value for ${key}: ${value}`);
                else
                    m.size = value;
                break;
            case 'id':
                m.id = nonEmpty(value);
                break;
            case 'sharing': {
                const sharing = goToLower(value);
                if (isOneOf(sharing, SHARING_MODES))
                    m.sharing = sharing;
                else
                    fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING_MODES, true));
                break;
            }
            case 'mode':
            case 'uid':
            case 'gid':
                if (!isGoUint32(value, key === 'mode' ? 8 : 10))
                    fail(`invalid value ${value} for ${key}`);
                else
                    m[key] = value;
                break;
            case 'env':
                m.env = nonEmpty(value);
                break;
            default:
                fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, MOUNT_KEYS, true));
        }
    }
    if (m.type !== 'secret' && m.type !== 'ssh' && m.type !== 'cache') {
        for (const key of ['mode', 'uid', 'gid']) {
            if (m[key] !== undefined)
                fail(`${key} not allowed for ${goQuote(m.type)} type mounts`);
        }
    }
    if (roAuto)
        m.readOnly = m.type !== 'cache' && m.type !== 'tmpfs';
    if (m.type === 'secret') {
        if (m.from !== undefined)
            fail('secret mount should not have a from');
        if (m.sharing !== undefined)
            fail('secret mount should not define sharing');
        if (m.source === undefined && m.target === undefined && m.id === undefined) {
            fail('invalid secret mount. one of source, target required');
        }
        if (m.source !== undefined && m.id !== undefined)
            fail("both source and id can't be set");
    }
    if (m.sharing !== undefined && m.type !== 'cache')
        fail(`invalid cache sharing set for ${m.type} mount`);
    return { ...m, raw };
}
function parseDevice(value) {
    let name = '';
    let required = false;
    for (const field of csvFields(value, 'devices')) {
        const eq = field.indexOf('=');
        const key = goToLower(eq < 0 ? field : field.slice(0, eq));
        if (eq < 0) {
            if (key === 'required')
                required = true;
            else if (name === '')
                name = field;
            else
                throw new errors_DockerfileError(`invalid field '${field}' must be a key=value pair`);
            continue;
        }
        const fieldValue = field.slice(eq + 1);
        if (key === 'name') {
            if (name !== '')
                throw new errors_DockerfileError(`device name already set to ${name}`);
            name = fieldValue;
        }
        else if (key === 'required') {
            const flag = parseGoBool(fieldValue);
            if (flag === undefined)
                throw new errors_DockerfileError(`invalid value for ${key}: ${fieldValue}`);
            required = flag;
        }
        else if (name === '') {
            name = field;
        }
        else {
            throw new errors_DockerfileError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
        }
    }
    return { name, required };
}
/**
 * One CSV record, as BuildKit's csvvalue package reads it (encoding/csv rules: `"` quotes a whole field,
 * `""` inside it is a quote, a bare `"` elsewhere is an error). Errors carry encoding/csv's text.
 */
function csvFields(line, what) {
    const fail = (reason, at) => {
        const detail = at === undefined ? reason : `parse error on line 1, column ${byteColumn(line, at)}: ${reason}`;
        throw new errors_DockerfileError(`failed to parse csv ${what}: ${detail}`);
    };
    let text = line;
    if (text.endsWith('\r\n'))
        text = text.slice(0, -2);
    else if (text.endsWith('\n'))
        text = text.slice(0, -1);
    if (text === '')
        return fail('EOF');
    const fields = [];
    let pos = 0;
    for (;;) {
        if (pos >= text.length || text[pos] !== '"') {
            const comma = text.indexOf(',', pos);
            const field = comma >= 0 ? text.slice(pos, comma) : text.slice(pos);
            const quote = field.indexOf('"');
            if (quote >= 0)
                fail(BARE_QUOTE, pos + quote);
            fields.push(field);
            if (comma < 0)
                return fields;
            pos = comma + 1;
            continue;
        }
        pos++; // opening quote
        let field = '';
        for (;;) {
            const quote = text.indexOf('"', pos);
            if (quote < 0)
                return fail(EXTRANEOUS_QUOTE, pos);
            field += text.slice(pos, quote);
            pos = quote + 1;
            if (text[pos] === '"') {
                field += '"';
                pos++;
            }
            else if (text[pos] === ',') {
                pos++;
                break;
            }
            else if (pos >= text.length) {
                fields.push(field);
                return fields;
            }
            else {
                return fail(EXTRANEOUS_QUOTE, pos - 1);
            }
        }
        fields.push(field);
    }
}
const BARE_QUOTE = 'bare " in non-quoted-field';
const EXTRANEOUS_QUOTE = 'extraneous or missing " in quoted-field';
/** encoding/csv counts columns in bytes, from 1. */
function byteColumn(text, index) {
    return new TextEncoder().encode(text.slice(0, index)).length + 1;
}
function isOneOf(value, options) {
    return options.includes(value);
}
function nonEmpty(value) {
    return value === '' ? undefined : value;
}
/** Go's `strconv.ParseBool`. */
function parseGoBool(value) {
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value))
        return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value))
        return false;
    return undefined;
}
/** Go's `strconv.ParseUint(value, base, 32)` succeeds (no sign, no underscores). */
function isGoUint32(value, base) {
    const digits = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
    return digits.test(value) && BigInt(base === 8 ? `0o${value}` : value) <= 0xffffffffn;
}
// Go's strconv.ParseFloat syntax: decimal with optional exponent, or hexadecimal with a `p` exponent.
const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)$/;
const BINARY_UNITS = new Set(['k', 'm', 'g', 't', 'p']);
/** docker/go-units `RAMInBytes` accepts the value: a number, optionally a space, then `b`, `k`, `kb`, `kib`... */
function isRamSize(size) {
    let sep = -1;
    for (let i = size.length - 1; i >= 0; i--) {
        if ('0123456789. '.includes(size[i])) {
            sep = i;
            break;
        }
    }
    if (sep === -1)
        return false;
    const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1);
    const rawSuffix = size.slice(sep + 1);
    if (!GO_FLOAT.test(num))
        return false;
    const amount = num.startsWith('0x') || num.startsWith('0X') ? hexFloat(num) : Number(num);
    if (!Number.isFinite(amount) || amount < 0)
        return false;
    if (rawSuffix === '')
        return true;
    // The length is checked in bytes before lowercasing (so the Kelvin sign passes as `k`).
    if (new TextEncoder().encode(rawSuffix).length > 3)
        return false;
    const suffix = goToLower(rawSuffix);
    if (!isAscii(suffix))
        return false;
    if (suffix === 'b')
        return true;
    if (!BINARY_UNITS.has(suffix[0]))
        return false;
    return suffix.length === 1 || (suffix.length === 2 ? suffix[1] === 'b' : suffix.slice(1) === 'ib');
}
function hexFloat(text) {
    const match = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text);
    if (match === null)
        return Number.NaN;
    const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
    const mantissa = Number.parseInt(`${whole}${fraction}` || '0', 16) / 16 ** fraction.length;
    return (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent);
}

;// CONCATENATED MODULE: ./src/stages/parse.ts
// Syntax tree → typed, validated instructions grouped into stages (BuildKit's instructions/parse.go).
// Words stay as written; each instruction is checked as BuildKit checks it, in the same order, so the
// first error and its message are BuildKit's.




/** The instruction keywords, in BuildKit's `command` package order; they are the "did you mean" options. */
const INSTRUCTION_NAMES = [
    'ADD',
    'ARG',
    'CMD',
    'COPY',
    'ENTRYPOINT',
    'ENV',
    'EXPOSE',
    'FROM',
    'HEALTHCHECK',
    'LABEL',
    'MAINTAINER',
    'ONBUILD',
    'RUN',
    'SHELL',
    'STOPSIGNAL',
    'USER',
    'VOLUME',
    'WORKDIR',
];
/**
 * Every instruction typed and checked, the ARGs before the first FROM as meta args, and the rest grouped
 * by stage (BuildKit's `instructions.Parse`). An instruction error reads
 * `dockerfile parse error on line <first line>: <message>`; an instruction before the first FROM fails
 * with `no build stage in current context`, unprefixed. Every error carries the instruction's lines.
 */
function parse_parseStages(ast) {
    const metaArgs = [];
    const stages = [];
    for (const node of ast.instructions) {
        let parsed;
        try {
            parsed = parseInstruction(node);
        }
        catch (error) {
            throw wrapParseError(error, node);
        }
        if (parsed.kind === 'from') {
            stages.push({
                stage: {
                    index: stages.length,
                    name: parsed.name,
                    rawName: parsed.rawName,
                    baseName: parsed.baseName,
                    platform: parsed.platform,
                    fromRange: node.range,
                    comments: node.comments,
                },
                instructions: [],
            });
            continue;
        }
        const current = stages[stages.length - 1];
        if (current === undefined) {
            if (parsed.kind === 'arg') {
                metaArgs.push(parsed);
                continue;
            }
            throw new errors_DockerfileError('no build stage in current context', [node.range]);
        }
        current.instructions.push(parsed);
    }
    return {
        metaArgs,
        stages: stages.map(({ stage, instructions }) => ({
            index: stage.index,
            name: stage.name,
            rawName: stage.rawName,
            baseName: stage.baseName,
            platform: stage.platform,
            instructions,
            fromRange: stage.fromRange,
            range: { start: stage.fromRange.start, end: instructions.at(-1)?.range.end ?? stage.fromRange.end },
            comments: stage.comments,
        })),
        escapeToken: ast.escapeToken,
    };
}
/**
 * One instruction that is not a FROM (BuildKit's `ParseCommand`), e.g. an ONBUILD trigger parsed on its
 * own. Errors carry the instruction's lines but no `dockerfile parse error` prefix.
 */
function parseCommand(node) {
    let parsed;
    try {
        parsed = parseInstruction(node);
    }
    catch (error) {
        throw withLocation(error, node.range);
    }
    if (parsed.kind === 'from') {
        throw new errors_DockerfileError('*instructions.Stage is not a command type', [node.range]);
    }
    return parsed;
}
function wrapParseError(error, node) {
    const inner = error instanceof Error ? error.message : String(error);
    const message = `dockerfile parse error on line ${node.range.start}: ${inner}`;
    if (error instanceof UnknownInstructionError) {
        // Keep the type callers branch on; BuildKit's parseError unwraps to it as well.
        const wrapped = new UnknownInstructionError(error.instruction, node.range);
        wrapped.message = message;
        return wrapped;
    }
    return new errors_DockerfileError(message, [node.range], undefined, { cause: error });
}
/** An error without a location yet; the callers above attach the instruction's lines. */
function fail(message) {
    throw new errors_DockerfileError(message);
}
const errAtLeastOneArgument = (command) => fail(`${command} requires at least one argument`);
const errExactlyOneArgument = (command) => fail(`${command} requires exactly one argument`);
const errNoDestinationArgument = (command) => fail(`${command} requires at least two arguments, but only one was provided. Destination could not be determined`);
const errBadHeredoc = (command, option) => fail(`${command} cannot accept a heredoc as ${option}`);
const errBlankCommandNames = (command) => fail(`${command} names can not be blank`);
const errTooManyArguments = (command) => fail(`Bad input to ${command}, too many arguments`);
// The Linux text (errors_unix.go); BuildKit on Windows adds a hint about unescaped backslashes.
const errNotJson = (command) => fail(`${command} requires the arguments to be in JSON form`);
/** BuildKit's `ParseInstruction`: dispatch on the lowercased keyword. */
function parseInstruction(node) {
    switch (node.keyword) {
        case 'env':
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'env', range: node.range, node, env: parseKeyValues(node.args, 'ENV') };
        case 'maintainer':
            if (node.args.length !== 1)
                errExactlyOneArgument('MAINTAINER');
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'maintainer', range: node.range, node, maintainer: node.args[0] };
        case 'label':
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'label', range: node.range, node, labels: parseKeyValues(node.args, 'LABEL') };
        case 'add': {
            if (node.args.length < 2)
                errNoDestinationArgument('ADD');
            const { values } = parseFlags(node.flags, ADD_FLAGS);
            return {
                kind: 'add',
                range: node.range,
                node,
                files: parseSourcesAndDest(node, 'ADD'),
                chown: parse_nonEmpty(values.chown),
                chmod: parse_nonEmpty(values.chmod),
                link: values.link ?? false,
                keepGitDir: values['keep-git-dir'],
                checksum: parse_nonEmpty(values.checksum),
                unpack: values.unpack,
                exclude: values.exclude,
            };
        }
        case 'copy': {
            if (node.args.length < 2)
                errNoDestinationArgument('COPY');
            const { values } = parseFlags(node.flags, COPY_FLAGS);
            return {
                kind: 'copy',
                range: node.range,
                node,
                files: parseSourcesAndDest(node, 'COPY'),
                from: parse_nonEmpty(values.from),
                chown: parse_nonEmpty(values.chown),
                chmod: parse_nonEmpty(values.chmod),
                link: values.link ?? false,
                parents: values.parents ?? false,
                exclude: values.exclude,
            };
        }
        case 'from':
            return parseFrom(node);
        case 'onbuild':
            return parseOnBuild(node);
        case 'workdir':
            if (node.args.length !== 1)
                errExactlyOneArgument('WORKDIR');
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'workdir', range: node.range, node, path: node.args[0] };
        case 'run': {
            const { values } = parseFlags(node.flags, RUN_FLAGS);
            // BuildKit's RUN hooks, in their order: devices, mounts, network, security.
            for (const device of values.device)
                parseDevice(device);
            const mounts = values.mount.map(readMount);
            const network = values.network ?? 'default';
            if (!['default', 'none', 'host'].includes(network))
                fail(`invalid network mode ${goQuote(network)}`);
            const security = values.security ?? 'sandbox';
            if (!['insecure', 'sandbox'].includes(security))
                fail(`security ${goQuote(security)} is not valid`);
            return {
                kind: 'run',
                range: node.range,
                node,
                command: commandLine(node),
                heredocs: node.heredocs,
                mounts,
                network: values.network,
                security: values.security,
                devices: values.device,
            };
        }
        case 'cmd':
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'cmd', range: node.range, node, command: commandLine(node) };
        case 'healthcheck':
            return parseHealthcheck(node);
        case 'entrypoint':
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'entrypoint', range: node.range, node, command: commandLine(node) };
        case 'expose':
            if (node.args.length === 0)
                errAtLeastOneArgument('EXPOSE');
            parseFlags(node.flags, NO_FLAGS);
            // BuildKit sorts the ports (byte order; ports are ASCII).
            return { kind: 'expose', range: node.range, node, ports: [...node.args].sort(compareStrings) };
        case 'user':
            if (node.args.length !== 1)
                errExactlyOneArgument('USER');
            parseFlags(node.flags, NO_FLAGS);
            return { kind: 'user', range: node.range, node, user: node.args[0] };
        case 'volume': {
            if (node.args.length === 0)
                errAtLeastOneArgument('VOLUME');
            parseFlags(node.flags, NO_FLAGS);
            const volumes = node.args.map((volume) => goTrimSpace(volume));
            if (volumes.includes(''))
                fail('VOLUME specified can not be an empty string');
            return { kind: 'volume', range: node.range, node, volumes };
        }
        case 'stopsignal':
            // BuildKit never checks STOPSIGNAL's flags.
            if (node.args.length !== 1)
                errExactlyOneArgument('STOPSIGNAL');
            return { kind: 'stopsignal', range: node.range, node, signal: node.args[0] };
        case 'arg':
            // Nor ARG's.
            return { kind: 'arg', range: node.range, node, args: parseArgs(node.args) };
        case 'shell': {
            parseFlags(node.flags, NO_FLAGS);
            const { args } = commandLine(node);
            if (args.length === 0)
                errAtLeastOneArgument('SHELL');
            if (!node.json)
                errNotJson('SHELL');
            return { kind: 'shell', range: node.range, node, shell: args };
        }
        default: {
            const suggestion = suggest(node.rawKeyword, INSTRUCTION_NAMES, false);
            throw new UnknownInstructionError(node.rawKeyword, node.range, suggestion);
        }
    }
}
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
function parseFrom(node) {
    const { args } = node;
    let name;
    let rawName;
    if (args.length === 3 && isAs(args[1])) {
        rawName = args[2];
        name = goToLower(rawName);
        if (!STAGE_NAME.test(name)) {
            fail(`invalid name for build stage: ${goQuote(rawName)}, name can't start with a number or contain symbols`);
        }
    }
    else if (args.length !== 1) {
        fail('FROM requires either one or three arguments');
    }
    const { values } = parseFlags(node.flags, FROM_FLAGS);
    return { kind: 'from', name, rawName, baseName: args[0], platform: parse_nonEmpty(values.platform) };
}
/** `strings.EqualFold(word, "as")`: Go's simple folding also matches `ſ` (U+017F) to `s`. */
function isAs(word) {
    return /^[aA][sS\u017f]$/.test(word);
}
function parseOnBuild(node) {
    const trigger = node.onbuild;
    if (trigger === undefined)
        return errAtLeastOneArgument('ONBUILD');
    parseFlags(node.flags, NO_FLAGS);
    const keyword = goToUpper(goTrimSpace(trigger.rawKeyword));
    if (keyword === 'ONBUILD')
        fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (keyword === 'MAINTAINER' || keyword === 'FROM')
        fail(`${keyword} isn't allowed as an ONBUILD trigger`);
    // The trigger text as BuildKit stores it: the line without `ONBUILD`, then each heredoc body and its
    // terminator, so that re-parsing it downstream finds the bodies again.
    let expression = node.original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, '');
    for (const heredoc of node.heredocs)
        expression += `\n${heredoc.content}${heredoc.name}`;
    return { kind: 'onbuild', range: node.range, node, expression, trigger };
}
function parseHealthcheck(node) {
    if (node.args.length === 0)
        errAtLeastOneArgument('HEALTHCHECK');
    const type = goToUpper(node.args[0]);
    const rest = node.args.slice(1);
    if (type === 'NONE') {
        // BuildKit doesn't look at the flags of `HEALTHCHECK NONE`.
        if (rest.length !== 0)
            fail('HEALTHCHECK NONE takes no arguments');
        return {
            kind: 'healthcheck',
            range: node.range,
            node,
            test: ['NONE'],
            interval: undefined,
            timeout: undefined,
            startPeriod: undefined,
            startInterval: undefined,
            retries: undefined,
        };
    }
    const { values } = parseFlags(node.flags, HEALTHCHECK_FLAGS);
    if (type !== 'CMD')
        fail(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
    const command = joinShellForm(rest, node.json);
    if (command.length === 0)
        fail('Missing command after HEALTHCHECK CMD');
    const interval = checkInterval('interval', values.interval);
    const timeout = checkInterval('timeout', values.timeout);
    const startPeriod = checkInterval('start-period', values['start-period']);
    const startInterval = checkInterval('start-interval', values['start-interval']);
    let retries;
    if (values.retries !== undefined && values.retries !== '') {
        retries = parseGoInt32(values.retries);
        if (retries < 0)
            fail(`--retries cannot be negative (${retries})`);
    }
    return {
        kind: 'healthcheck',
        range: node.range,
        node,
        test: [node.json ? 'CMD' : 'CMD-SHELL', ...command],
        interval,
        timeout,
        startPeriod,
        startInterval,
        retries,
    };
}
/** BuildKit's `parseOptInterval`: empty is unset, zero is fine, anything else at least 1ms. */
function checkInterval(name, value) {
    if (value === undefined || value === '')
        return undefined;
    const nanoseconds = parseGoDuration(value);
    if (nanoseconds !== 0n && nanoseconds < 1000000n) {
        fail(`Interval ${goQuote(name)} cannot be less than 1ms`);
    }
    return value;
}
/** Exec form as is; shell form joined into one string (BuildKit's `handleJSONArgs`). */
function joinShellForm(args, json) {
    if (args.length === 0)
        return [];
    return json ? args : [args.join(' ')];
}
function commandLine(node) {
    return { args: joinShellForm(node.args, node.json), prependShell: !node.json };
}
/** ENV and LABEL: the parser gives (key, value, delimiter) triples; an empty delimiter is `ENV k v`. */
function parseKeyValues(args, command) {
    if (args.length === 0)
        errAtLeastOneArgument(command);
    if (args.length % 3 !== 0)
        errTooManyArguments(command);
    const pairs = [];
    for (let i = 0; i < args.length; i += 3) {
        if (args[i] === '')
            errBlankCommandNames(command);
        pairs.push({ key: args[i], value: args[i + 1], noDelimiter: args[i + 2] === '' });
    }
    return pairs;
}
/** `ARG name` or `ARG name=value`, split at the first `=`. */
function parseArgs(args) {
    if (args.length === 0)
        errAtLeastOneArgument('ARG');
    return args.map((arg) => {
        const eq = arg.indexOf('=');
        if (eq < 0)
            return { key: arg, value: undefined };
        if (eq === 0)
            errBlankCommandNames('ARG');
        return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
    });
}
/**
 * COPY and ADD: the last word is the destination, every other word a source; a source that reads as a
 * heredoc operator becomes an inline file with that heredoc's body (BuildKit's `parseSourcesAndDest`).
 */
function parseSourcesAndDest(node, command) {
    const sourceWords = node.args.slice(0, -1);
    const dest = node.args[node.args.length - 1];
    if (heredocWord(dest) !== undefined)
        errBadHeredoc(command, 'a destination');
    const bodies = new Map();
    for (const heredoc of node.heredocs)
        bodies.set(heredoc.name, heredoc);
    const sources = [];
    const contents = [];
    for (const word of sourceWords) {
        const heredoc = heredocWord(word);
        if (heredoc === undefined) {
            sources.push(word);
            continue;
        }
        // A heredoc word with no body (e.g. in JSON form) gives an empty file, as in BuildKit.
        const content = bodies.get(heredoc.name)?.content ?? '';
        contents.push({
            path: heredoc.name,
            data: heredoc.chomp ? chompHeredocContent(content) : content,
            expand: heredoc.expand,
        });
    }
    return { sources, contents, dest };
}
/** BuildKit's `MustParseHeredoc`: the word as a heredoc operator, lexing errors ignored. */
function heredocWord(word) {
    try {
        return parseHeredocWord(word);
    }
    catch {
        return undefined;
    }
}
function parse_nonEmpty(value) {
    return value === '' ? undefined : value;
}
function compareStrings(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
// --- Go's number and duration syntax, for HEALTHCHECK's flags ---
const MAX_DURATION = 1n << 63n;
const DURATION_UNITS = new Map([
    ['ns', 1n],
    ['us', 1000n],
    ['\u00b5s', 1000n],
    ['\u03bcs', 1000n],
    ['ms', 1000000n],
    ['s', 1000000000n],
    ['m', 60000000000n],
    ['h', 3600000000000n],
]);
const parse_isDigit = (ch) => ch !== undefined && ch >= '0' && ch <= '9';
/** Go's `time.ParseDuration` in nanoseconds, throwing its messages. */
function parseGoDuration(text) {
    const invalid = () => fail(`time: invalid duration ${timeQuote(text)}`);
    let s = text;
    let negative = false;
    if (s[0] === '-' || s[0] === '+') {
        negative = s[0] === '-';
        s = s.slice(1);
    }
    if (s === '0')
        return 0n;
    if (s === '')
        invalid();
    let total = 0n;
    while (s !== '') {
        if (s[0] !== '.' && !parse_isDigit(s[0]))
            invalid();
        let whole = 0n;
        let i = 0;
        for (; parse_isDigit(s[i]); i++) {
            if (whole > MAX_DURATION / 10n)
                invalid();
            whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
            if (whole > MAX_DURATION)
                invalid();
        }
        const hasWhole = i > 0;
        s = s.slice(i);
        let fraction = 0n;
        let scale = 1;
        let hasFraction = false;
        if (s[0] === '.') {
            s = s.slice(1);
            let overflow = false;
            let j = 0;
            for (; parse_isDigit(s[j]); j++) {
                if (overflow)
                    continue;
                const next = fraction * 10n + BigInt(s.charCodeAt(j) - 48);
                if (fraction > (MAX_DURATION - 1n) / 10n || next > MAX_DURATION) {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10;
            }
            hasFraction = j > 0;
            s = s.slice(j);
        }
        if (!hasWhole && !hasFraction)
            invalid();
        let u = 0;
        while (u < s.length && s[u] !== '.' && !parse_isDigit(s[u]))
            u++;
        if (u === 0)
            fail(`time: missing unit in duration ${timeQuote(text)}`);
        const unitName = s.slice(0, u);
        s = s.slice(u);
        const unit = DURATION_UNITS.get(unitName);
        if (unit === undefined)
            fail(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(text)}`);
        if (whole > MAX_DURATION / unit)
            invalid();
        let value = whole * unit;
        if (fraction > 0n) {
            value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
            if (value > MAX_DURATION)
                invalid();
        }
        total += value;
        if (total > MAX_DURATION)
            invalid();
    }
    if (negative)
        return -total;
    if (total > MAX_DURATION - 1n)
        invalid();
    return total;
}
/** The `time` package's own quoting: non-ASCII and control characters as `\x` bytes. */
function timeQuote(text) {
    let out = '"';
    for (const ch of text) {
        const code = ch.codePointAt(0);
        if (code >= 0x80 || code < 0x20) {
            for (const byte of new TextEncoder().encode(ch))
                out += `\\x${byte.toString(16).padStart(2, '0')}`;
        }
        else {
            out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
        }
    }
    return `${out}"`;
}
/** Go's `strconv.ParseInt(text, 10, 32)`, throwing its messages. */
function parseGoInt32(text) {
    const error = (reason) => fail(`strconv.ParseInt: parsing ${goQuote(text)}: ${reason}`);
    let digits = text;
    const negative = digits.startsWith('-');
    if (negative || digits.startsWith('+'))
        digits = digits.slice(1);
    if (digits === '')
        error('invalid syntax');
    const maxUint64 = (1n << 64n) - 1n;
    let value = 0n;
    for (const ch of digits) {
        if (!parse_isDigit(ch))
            error('invalid syntax');
        if (value >= maxUint64 / 10n + 1n)
            error('value out of range');
        value = value * 10n + BigInt(ch.charCodeAt(0) - 48);
        if (value > maxUint64)
            error('value out of range');
    }
    const limit = 1n << 31n;
    if (negative ? value > limit : value >= limit)
        error('value out of range');
    return Number(negative ? -value : value);
}

;// CONCATENATED MODULE: ./src/stages/index.ts





;// CONCATENATED MODULE: ./src/plan/platform.ts
// Platform specifiers (`linux/arm64`, `windows(10.0.17763)/amd64`) as BuildKit reads them: a port of
// github.com/containerd/platforms v1.0.0-rc.4 (platforms.go, database.go, defaults*.go, cpuinfo*.go) as
// vendored in moby/buildkit. Go reads the host's GOOS/GOARCH/CPU variant itself; here the host is data:
// build it with `hostPlatform(process.platform, process.arch)` at the edge and pass it in.

/** A platform specifier or platform that containerd rejects; `message` is containerd's text. */
class InvalidPlatformError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'InvalidPlatformError';
    }
}
const ERR_INVALID_ARGUMENT = 'invalid argument';
const SPECIFIER_PATTERN = '^[A-Za-z0-9_.-]+$';
const OS_PATTERN = '^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$';
const SPECIFIER_RE = new RegExp(SPECIFIER_PATTERN);
const OS_RE = new RegExp(OS_PATTERN);
/**
 * Host used when a caller passes none: what containerd's `DefaultSpec()` gives on linux/amd64, the usual
 * GitHub-hosted runner. Pass `hostPlatform(process.platform, process.arch)` to be exact.
 */
const LINUX_AMD64 = Object.freeze({ os: 'linux', architecture: 'amd64' });
// ---- database.go ----
const KNOWN_OS = new Set([
    'aix',
    'android',
    'darwin',
    'dragonfly',
    'freebsd',
    'hurd',
    'illumos',
    'ios',
    'js',
    'linux',
    'nacl',
    'netbsd',
    'openbsd',
    'plan9',
    'solaris',
    'windows',
    'zos',
]);
const KNOWN_ARCH = new Set([
    '386',
    'amd64',
    'amd64p32',
    'arm',
    'armbe',
    'arm64',
    'arm64be',
    'ppc64',
    'ppc64le',
    'loong64',
    'mips',
    'mipsle',
    'mips64',
    'mips64le',
    'mips64p32',
    'mips64p32le',
    'ppc',
    'riscv',
    'riscv64',
    's390',
    's390x',
    'sparc',
    'sparc64',
    'wasm',
]);
/** `normalizeOS`: lowercase, `macos` → `darwin`; empty means the host's OS. */
function normalizeOS(os, host) {
    if (os === '')
        return host.os;
    const lower = os.toLowerCase();
    return lower === 'macos' ? 'darwin' : lower;
}
/** `normalizeArch`: canonical architecture and variant names (`x86_64` → amd64, `armhf` → arm/v7, …). */
function normalizeArch(archIn, variantIn) {
    let arch = archIn.toLowerCase();
    let variant = variantIn.toLowerCase();
    switch (arch) {
        case 'i386':
            arch = '386';
            variant = '';
            break;
        case 'x86_64':
        case 'x86-64':
        case 'amd64':
            arch = 'amd64';
            if (variant === 'v1')
                variant = '';
            break;
        case 'aarch64':
        case 'arm64':
            arch = 'arm64';
            if (variant === '8' || variant === 'v8' || variant === 'v8.0')
                variant = '';
            else if (variant === '9' || variant === '9.0' || variant === 'v9.0')
                variant = 'v9';
            break;
        case 'armhf':
            arch = 'arm';
            variant = 'v7';
            break;
        case 'armel':
            arch = 'arm';
            variant = 'v6';
            break;
        case 'arm':
            if (variant === '' || variant === '7')
                variant = 'v7';
            else if (variant === '5' || variant === '6' || variant === '8')
                variant = `v${variant}`;
            break;
    }
    return [arch, variant];
}
// ---- platforms.go ----
/**
 * `platforms.Parse`: a specifier `<os>[(<osversion>[+<osfeature>]*)][/<arch>[/<variant>]]`, or a lone
 * architecture. A lone OS takes `host`'s architecture (and, for 32-bit arm, its variant unless v7); a lone
 * architecture takes `host`'s OS. Note containerd drops the default variant of a two-part `linux/arm`
 * (arm, no variant) but fills it in for a three-part arm64 (`linux/arm64/v8` → arm64/v8).
 * Throws {@link InvalidPlatformError} with containerd's message.
 */
function parsePlatform(specifier, host = LINUX_AMD64) {
    if (specifier.includes('*')) {
        throw invalid(`${goQuote(specifier)}: wildcards not yet supported: ${ERR_INVALID_ARGUMENT}`);
    }
    const parts = splitN(specifier, '/', 4);
    let os = '';
    let osVersion = '';
    let osFeatures;
    for (const [i, part] of parts.entries()) {
        if (i === 0) {
            const osOptions = OS_RE.exec(part);
            if (osOptions === null) {
                throw invalid(`${goQuote(part)} is an invalid OS component of ${goQuote(specifier)}: ` +
                    `OSAndVersion specifier component must match ${goQuote(OS_PATTERN)}: ${ERR_INVALID_ARGUMENT}`);
            }
            os = normalizeOS(osOptions[1] ?? '', host);
            const rawVersion = osOptions[2] ?? '';
            try {
                osVersion = decodeOSOption(rawVersion);
            }
            catch (error) {
                throw invalid(`${goQuote(specifier)} has an invalid OS version ${goQuote(rawVersion)}: ${messageOf(error)}`, error);
            }
            const rawFeatures = osOptions[3] ?? '';
            if (rawFeatures !== '') {
                try {
                    osFeatures = parseOSFeatures(rawFeatures.slice(1));
                }
                catch (error) {
                    throw invalid(`${goQuote(specifier)} has invalid OS features: ${messageOf(error)}`, error);
                }
            }
        }
        else if (!SPECIFIER_RE.test(part)) {
            throw invalid(`${goQuote(part)} is an invalid component of ${goQuote(specifier)}: ` +
                `platform specifier component must match ${goQuote(SPECIFIER_PATTERN)}: ${ERR_INVALID_ARGUMENT}`);
        }
    }
    const make = (operatingSystem, arch, variant) => platform(operatingSystem, arch, variant, osVersion, osFeatures);
    switch (parts.length) {
        case 1: {
            // An OS (with or without version) takes the host's architecture; otherwise try an architecture.
            if (KNOWN_OS.has(os)) {
                const arch = host.architecture;
                const variant = arch === 'arm' && host.variant !== 'v7' ? (host.variant ?? '') : '';
                return make(os, arch, variant);
            }
            const [arch, normalizedVariant] = normalizeArch(parts[0], '');
            const variant = arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant;
            if (KNOWN_ARCH.has(arch))
                return make(host.os, arch, variant);
            throw invalid(`${goQuote(specifier)}: unknown operating system or architecture: ${ERR_INVALID_ARGUMENT}`);
        }
        case 2: {
            // os/arch: known or not, it is taken as given.
            const [arch, normalizedVariant] = normalizeArch(parts[1], '');
            return make(os, arch, arch === 'arm' && normalizedVariant === 'v7' ? '' : normalizedVariant);
        }
        case 3: {
            const [arch, normalizedVariant] = normalizeArch(parts[1], parts[2]);
            return make(os, arch, arch === 'arm64' && normalizedVariant === '' ? 'v8' : normalizedVariant);
        }
    }
    throw invalid(`${goQuote(specifier)}: cannot parse platform specifier: ${ERR_INVALID_ARGUMENT}`);
}
/** `platforms.ParseAll`: the first failure is reported as `invalid platform <specifier>: <cause>`. */
function parseAllPlatforms(specifiers, host = LINUX_AMD64) {
    return specifiers.map((specifier) => {
        try {
            return parsePlatform(specifier, host);
        }
        catch (error) {
            throw invalid(`invalid platform ${specifier}: ${messageOf(error)}`, error);
        }
    });
}
/** `parseOSFeatures`, on the text after the first `+`. */
function parseOSFeatures(s) {
    if (s === '')
        return undefined;
    const features = [];
    for (const piece of s.split('+')) {
        // The OS regexp admits neither empty nor space-padded features; kept as containerd has it.
        const raw = piece.trim();
        if (raw === '')
            throw invalid(`empty os feature: ${ERR_INVALID_ARGUMENT}`);
        let feature;
        try {
            feature = decodeOSOption(raw);
        }
        catch (error) {
            throw invalid(`invalid os feature ${goQuote(raw)}: ${messageOf(error)}`, error);
        }
        if (feature !== '')
            features.push(feature);
    }
    return features.length === 0 ? undefined : features;
}
/** `platforms.Format`: `os/arch[/variant]` (`unknown` without an OS). */
function formatPlatform(p) {
    if (p.os === '')
        return 'unknown';
    return pathJoin(p.os, p.architecture, p.variant ?? '');
}
/** `platforms.FormatAll`: like {@link formatPlatform} plus `(<osversion>[+<feature>]*)` after the OS. */
function platform_formatAllPlatform(p) {
    if (p.os === '')
        return 'unknown';
    const features = p.osFeatures ?? [];
    if ((p.osVersion ?? '') === '' && features.length === 0) {
        return pathJoin(p.os, p.architecture, p.variant ?? '');
    }
    let os = p.os;
    const osv = encodeOSOption(p.osVersion ?? '');
    const formatted = formatOSFeatures(features);
    if (osv !== '' || formatted !== '') {
        os += `(${osv}${formatted === '' ? '' : `+${formatted}`})`;
    }
    return pathJoin(os, p.architecture, p.variant ?? '');
}
/** Sorted, de-duplicated, empty-free, each encoded, joined with `+`. */
function formatOSFeatures(features) {
    const sorted = [...features].sort(compareGoStrings);
    const out = [];
    for (const feature of sorted) {
        if (feature === '' || feature === out.at(-1))
            continue;
        out.push(feature);
    }
    return out.map(encodeOSOption).join('+');
}
/**
 * `platforms.Normalize`: canonical OS (empty → `host`'s), architecture and variant; OS features sorted
 * and de-duplicated. Normalizing `linux/arm64/v8` gives `linux/arm64`, `linux/arm` gives `linux/arm/v7`.
 */
function platform_normalizePlatform(p, host = LINUX_AMD64) {
    const [arch, variant] = normalizeArch(p.architecture, p.variant ?? '');
    let features;
    if (p.osFeatures !== undefined && p.osFeatures.length > 0) {
        features = [];
        for (const feature of [...p.osFeatures].sort(compareGoStrings)) {
            if (features.length === 0 || features.at(-1) !== feature)
                features.push(feature);
        }
    }
    else if (p.osFeatures !== undefined) {
        features = [];
    }
    return platform(normalizeOS(p.os, host), arch, variant, p.osVersion ?? '', features);
}
const NODE_OS = {
    win32: 'windows',
    cygwin: 'windows',
    sunos: 'solaris',
};
const NODE_ARCH = {
    x64: 'amd64',
    ia32: '386',
    mipsel: 'mipsle',
};
/**
 * What containerd's `DefaultSpec()` returns in a process on this host, from Node's `process.platform` and
 * `process.arch`: `{os: GOOS, architecture: GOARCH, variant: cpuVariant()}`, plus `osVersion` on Windows.
 *
 * - OS: `win32`/`cygwin` → `windows`, `sunos` → `solaris` (Node says `sunos` on illumos too); others as is.
 * - Arch: `x64` → `amd64`, `ia32` → `386`, `mipsel` → `mipsle`, `ppc64` → `ppc64le` except on AIX (Node
 *   ships little-endian ppc64 builds only for Linux); others as is.
 * - Variant (only for arm/arm64): linux/android read `/proc/cpuinfo`, so the usual `v8` for arm64 and an
 *   assumed `v7` for arm (pass `details.variant` to be exact); windows and darwin `v8`/`v7`; freebsd `v8` for
 *   arm64 and `unknown` for arm; any other OS none (containerd's lookup fails there).
 * - osVersion: Windows only, from `details.osVersion` when given (Go asks `RtlGetNtVersionNumbers`).
 */
function hostPlatform(nodePlatform, nodeArch, details = {}) {
    const os = NODE_OS[nodePlatform] ?? nodePlatform;
    const arch = nodeArch === 'ppc64' ? (os === 'aix' ? 'ppc64' : 'ppc64le') : (NODE_ARCH[nodeArch] ?? nodeArch);
    let variant = '';
    if (arch === 'arm' || arch === 'arm64') {
        variant = details.variant ?? defaultCpuVariant(os, arch);
    }
    return platform(os, arch, variant, os === 'windows' ? (details.osVersion ?? '') : '', undefined);
}
function defaultCpuVariant(os, arch) {
    switch (os) {
        case 'linux':
        case 'android':
        case 'windows':
        case 'darwin':
            return arch === 'arm64' ? 'v8' : 'v7';
        case 'freebsd':
            return arch === 'arm64' ? 'v8' : 'unknown';
        default:
            return '';
    }
}
// ---- helpers ----
/** Builds a Platform, leaving out what Go would hold as an empty string or nil slice. */
function platform(os, architecture, variant, osVersion, osFeatures) {
    return {
        os,
        architecture,
        ...(variant === '' ? {} : { variant }),
        ...(osVersion === '' ? {} : { osVersion }),
        ...(osFeatures === undefined ? {} : { osFeatures }),
    };
}
function invalid(message, cause) {
    return new InvalidPlatformError(message, cause === undefined ? undefined : { cause });
}
function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}
/** Go's `strings.SplitN(s, sep, n)` for n > 0: at most n pieces, the last holding the rest. */
function splitN(s, sep, n) {
    const out = [];
    let rest = s;
    while (out.length < n - 1) {
        const at = rest.indexOf(sep);
        if (at < 0)
            break;
        out.push(rest.slice(0, at));
        rest = rest.slice(at + sep.length);
    }
    out.push(rest);
    return out;
}
/** `encodeOSOption`: percent-encode `%`, `+`, `(`, `)` and `/`. */
function encodeOSOption(v) {
    return v.replace(/[%+()/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** `decodeOSOption`: Go's `url.PathUnescape` when the text holds a `%`; throws Go's `url.EscapeError`. */
function decodeOSOption(v) {
    if (!v.includes('%'))
        return v;
    const bytes = [];
    for (let i = 0; i < v.length;) {
        if (v[i] === '%') {
            if (i + 2 >= v.length || !isHex(v[i + 1]) || !isHex(v[i + 2])) {
                throw new Error(`invalid URL escape ${goQuote(v.slice(i, i + 3))}`);
            }
            bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
            i += 3;
        }
        else {
            // The OS regexp only lets ASCII through, so one code unit is one byte.
            bytes.push(v.charCodeAt(i));
            i += 1;
        }
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
}
function isHex(c) {
    return /^[0-9a-fA-F]$/.test(c);
}
/** Go's `path.Join`: empty elements dropped, result `path.Clean`ed, `''` when nothing is left. */
function pathJoin(...elements) {
    const joined = elements.filter((e) => e !== '').join('/');
    return joined === '' ? '' : pathClean(joined);
}
/** Go's `path.Clean`. */
function pathClean(p) {
    const rooted = p.startsWith('/');
    const out = [];
    for (const segment of p.split('/')) {
        if (segment === '' || segment === '.')
            continue;
        if (segment === '..') {
            if (out.length > 0 && out.at(-1) !== '..')
                out.pop();
            else if (!rooted)
                out.push('..');
            continue;
        }
        out.push(segment);
    }
    const cleaned = (rooted ? '/' : '') + out.join('/');
    return cleaned === '' ? (rooted ? '/' : '.') : cleaned;
}
/** Go's string order (UTF-8 bytes, i.e. code points), not JavaScript's UTF-16 code units. */
function compareGoStrings(a, b) {
    const left = [...a];
    const right = [...b];
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
        const difference = left[i].codePointAt(0) - right[i].codePointAt(0);
        if (difference !== 0)
            return difference;
    }
    return left.length - right.length;
}

;// CONCATENATED MODULE: ./src/plan/args.ts
// The global scope FROM lines see: BuildKit's automatic platform ARGs, then the ARGs declared before the
// first FROM, in order, with `--build-arg` overrides (dockerfile2llb: defaultArgs, buildMetaArgs).


function resolveGlobalArgs(metaArgs, request, targetStage, escapeToken) {
    const build = request.buildPlatform;
    const target = request.targetPlatform;
    const args = new Map();
    const builtins = [
        ['BUILDPLATFORM', formatPlatform(build)],
        ['BUILDOS', build.os],
        ['BUILDOSVERSION', build.osVersion ?? ''],
        ['BUILDARCH', build.architecture],
        ['BUILDVARIANT', build.variant ?? ''],
        ['TARGETPLATFORM', platform_formatAllPlatform(target)],
        ['TARGETOS', target.os],
        ['TARGETOSVERSION', target.osVersion ?? ''],
        ['TARGETARCH', target.architecture],
        ['TARGETVARIANT', target.variant ?? ''],
        ['TARGETSTAGE', targetStage === '' ? 'default' : targetStage],
    ];
    for (const [key, value] of builtins)
        args.set(key, request.buildArgs.get(key) ?? value);
    for (const declaration of metaArgs) {
        for (const { key, value } of declaration.args) {
            // A build arg replaces the default unexpanded; a default is expanded against the scope so far.
            let resolved = request.buildArgs.get(key);
            if (resolved === undefined && value !== undefined) {
                try {
                    resolved = processWordWithMatches(value, args, escapeToken).result;
                }
                catch (error) {
                    throw withLocation(error, declaration.range);
                }
            }
            if (resolved !== undefined)
                args.set(key, resolved);
        }
    }
    return args;
}

;// CONCATENATED MODULE: ./src/plan/refs.ts
// Docker image references as BuildKit reads them: a port of github.com/distribution/reference v0.6.0
// (reference.go, regexp.go, normalize.go, helpers.go) and the digest checks of
// github.com/opencontainers/go-digest v1.0.0, both as vendored in moby/buildkit.
//
// Only the path BuildKit takes for `FROM` images and `--build-context` names is ported:
// `ParseNormalizedNamed`, `FamiliarString`/`FamiliarName`, `TagNameOnly`, and the name clean-up in
// dockerui's `NamedContext`. Every error message is Go's, byte for byte.

/** Any error the Go reference package (or go-digest under it) would return; `message` is Go's text. */
class InvalidReferenceError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'InvalidReferenceError';
    }
}
// The Go sentinel errors' texts.
const ERR_REFERENCE_INVALID_FORMAT = 'invalid reference format';
const ERR_NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase';
const ERR_NAME_EMPTY = 'repository name must have at least one component';
/** Longest repository path (domain excluded) a reference may have. */
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;
const ERR_NAME_TOO_LONG = `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`;
// go-digest's.
const ERR_DIGEST_INVALID_FORMAT = 'invalid checksum digest format';
const ERR_DIGEST_INVALID_LENGTH = 'invalid checksum digest length';
const ERR_DIGEST_UNSUPPORTED = 'unsupported digest algorithm';
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
const LOCALHOST = 'localhost';
// ---- regexp.go: the grammar, assembled exactly as Go assembles it ----
const optional = (...res) => `(?:${res.join('')})?`;
const anyTimes = (...res) => `(?:${res.join('')})*`;
const capture = (...res) => `(${res.join('')})`;
const anchored = (...res) => `^${res.join('')}$`;
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
const REFERENCE_RE = new RegExp(anchored(capture(NAME_PAT), optional(':', capture(TAG)), optional('@', capture(DIGEST_PAT))));
const ANCHORED_IDENTIFIER_RE = new RegExp(anchored(IDENTIFIER));
// ---- the reference value ----
/**
 * A parsed, normalized reference (Go's `reference.Named`, possibly tagged and/or digested).
 * Plain readonly data; `JSON.stringify` gives `{domain, path, tag?, digest?}`.
 */
class NormalizedRef {
    /** `docker.io`, `ghcr.io`, `localhost:5000`, … (never empty after `parseNormalizedNamed`). */
    domain;
    /** `library/alpine`, `owner/app`, … */
    path;
    constructor(domain, path, tag, digest) {
        this.domain = domain;
        this.path = path;
        if (tag !== undefined && tag !== '')
            this.tag = tag;
        if (digest !== undefined && digest !== '')
            this.digest = digest;
        Object.freeze(this);
    }
    /** `Name()`: `docker.io/library/alpine`. */
    get name() {
        return this.domain === '' ? this.path : `${this.domain}/${this.path}`;
    }
    /** `String()`: the full reference, `docker.io/library/alpine:3.20[@sha256:…]`. */
    toString() {
        return formatTail(this.name, this.tag, this.digest);
    }
    /** `FamiliarString`: `alpine:3.20`, `owner/app@sha256:…`, `ghcr.io/o/app:1`. */
    familiar() {
        return formatTail(familiarizeName(this.domain, this.path), this.tag, this.digest);
    }
    /** `FamiliarName`: the familiar name without tag or digest, e.g. `alpine`. */
    familiarName() {
        return familiarizeName(this.domain, this.path);
    }
    /** `TagNameOnly`: adds `:latest` when the reference has neither tag nor digest, else returns itself. */
    tagNameOnly() {
        if (this.tag !== undefined || this.digest !== undefined)
            return this;
        return new NormalizedRef(this.domain, this.path, DEFAULT_TAG);
    }
}
function formatTail(name, tag, digest) {
    return name + (tag === undefined ? '' : `:${tag}`) + (digest === undefined ? '' : `@${digest}`);
}
/** normalize.go `familiarizeName`: drop `docker.io/` and, for one-level names, `library/`. */
function familiarizeName(domain, path) {
    if (domain !== DEFAULT_DOMAIN)
        return domain === '' ? path : `${domain}/${path}`;
    if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
        const remainder = path.slice(OFFICIAL_REPO_PREFIX.length);
        if (!remainder.includes('/'))
            return remainder;
    }
    return path;
}
// ---- normalize.go ----
/**
 * `reference.ParseNormalizedNamed`: turns a familiar name (`alpine`, `owner/app:1`) into a fully
 * qualified reference (`docker.io/library/alpine`). Throws {@link InvalidReferenceError} with Go's message.
 */
function parseNormalizedNamed(s) {
    if (ANCHORED_IDENTIFIER_RE.test(s)) {
        throw new InvalidReferenceError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
    }
    const [domain, remainder] = splitDockerDomain(s);
    const tagSep = remainder.indexOf(':');
    const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
    if (refs_goToLower(remote) !== remote) {
        throw new InvalidReferenceError(`invalid reference format: repository name (${remote}) must be lowercase`);
    }
    // Go's Parse can also yield a name-less (digest-only) reference, which ParseNormalizedNamed rejects
    // with "reference %s has no name"; the grammar requires a path, so that never happens here.
    return parse(`${domain}/${remainder}`);
}
/** normalize.go `splitDockerDomain`. */
function splitDockerDomain(name) {
    const slash = name.indexOf('/');
    if (slash < 0)
        return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
    const maybeDomain = name.slice(0, slash);
    const maybeRemoteName = name.slice(slash + 1);
    let domain;
    let remoteName;
    if (maybeDomain === LOCALHOST) {
        [domain, remoteName] = [maybeDomain, maybeRemoteName];
    }
    else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
        [domain, remoteName] = [DEFAULT_DOMAIN, maybeRemoteName];
    }
    else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
        [domain, remoteName] = [maybeDomain, maybeRemoteName];
    }
    else if (refs_goToLower(maybeDomain) !== maybeDomain) {
        // Namespaces cannot be uppercase, so an uppercase first element must be a domain.
        [domain, remoteName] = [maybeDomain, maybeRemoteName];
    }
    else {
        [domain, remoteName] = [DEFAULT_DOMAIN, name];
    }
    if (domain === DEFAULT_DOMAIN && !remoteName.includes('/')) {
        remoteName = OFFICIAL_REPO_PREFIX + remoteName;
    }
    return [domain, remoteName];
}
// ---- reference.go ----
/** `reference.Parse`, restricted to what it returns for names (the grammar guarantees one). */
function parse(s) {
    const matches = REFERENCE_RE.exec(s);
    if (matches === null) {
        if (s === '')
            throw new InvalidReferenceError(ERR_NAME_EMPTY);
        if (REFERENCE_RE.test(refs_goToLower(s)))
            throw new InvalidReferenceError(ERR_NAME_CONTAINS_UPPERCASE);
        throw new InvalidReferenceError(ERR_REFERENCE_INVALID_FORMAT);
    }
    const name = matches[1] ?? '';
    const nameMatch = ANCHORED_NAME_RE.exec(name);
    const domain = nameMatch === null ? '' : (nameMatch[1] ?? '');
    const path = nameMatch === null ? name : (nameMatch[2] ?? '');
    if (path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX)
        throw new InvalidReferenceError(ERR_NAME_TOO_LONG);
    const digest = matches[3] ?? '';
    if (digest !== '')
        validateDigest(digest);
    return new NormalizedRef(domain, path, matches[2], digest);
}
// ---- go-digest: Digest.Validate ----
const DIGEST_RE_ANCHORED = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Available algorithms and their encoded (lowercase hex) length. */
const ALGORITHM_HEX_LENGTH = new Map([
    ['sha256', 64],
    ['sha384', 96],
    ['sha512', 128],
]);
function validateDigest(s) {
    const i = s.indexOf(':');
    // Unreachable behind the reference grammar, kept as go-digest has it.
    if (i <= 0 || i + 1 === s.length)
        throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
    const algorithm = s.slice(0, i);
    const encoded = s.slice(i + 1);
    const size = ALGORITHM_HEX_LENGTH.get(algorithm);
    if (size === undefined) {
        throw new InvalidReferenceError(DIGEST_RE_ANCHORED.test(s) ? ERR_DIGEST_UNSUPPORTED : ERR_DIGEST_INVALID_FORMAT);
    }
    if (encoded.length !== size)
        throw new InvalidReferenceError(ERR_DIGEST_INVALID_LENGTH);
    if (!/^[a-f0-9]+$/.test(encoded))
        throw new InvalidReferenceError(ERR_DIGEST_INVALID_FORMAT);
}
/**
 * Go's `strings.ToLower`: simple per-rune case mapping. JavaScript's `toLowerCase` applies the full
 * (special-casing) mapping, which differs for U+0130 (Go gives `i`) and for a final sigma.
 */
function refs_goToLower(s) {
    let out = '';
    for (const char of s)
        out += char === '\u0130' ? 'i' : char.toLowerCase();
    return out;
}
// ---- frontend/dockerui/config.go NamedContext ----
/**
 * The name BuildKit looks a `--build-context` up under: `ParseNormalizedNamed`, then `FamiliarString`
 * with a trailing `:latest` removed (`Alpine` fails, `docker.io/library/alpine:latest` → `alpine`).
 * Throws {@link InvalidReferenceError} `invalid context name <name>: <cause>` (pkg/errors `Wrapf`).
 */
function normalizeContextName(name) {
    let named;
    try {
        named = parseNormalizedNamed(name);
    }
    catch (error) {
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
function namedContextKeys(name, platform, host) {
    const normalized = normalizeContextName(name);
    return [`${normalized}::${formatAllPlatform(normalizePlatform(platform, host))}`, normalized];
}

;// CONCATENATED MODULE: ./src/plan/graph.ts
// The stage graph as BuildKit's dockerfile2llb builds it (convert.go: buildDispatchStates, resolveTarget,
// buildStageDependencyGraph, resolveStages, dispatchStages), without resolving anything over the network.
// Errors come in BuildKit's order, so a file fails with the same message BuildKit gives first.





const SCRATCH = 'scratch';
const graph_NO_ENV = { get: () => undefined };
class States {
    all = [];
    byName = new Map();
    add(state) {
        this.all.push(state);
        const base = this.byName.get(state.baseName);
        if (base !== undefined)
            state.base = base;
        if (state.stage?.name !== undefined)
            this.byName.set(state.stage.name, state);
    }
    findByName(name) {
        return this.byName.get(name.toLowerCase());
    }
    names() {
        return this.all.filter((state) => state.displayName !== '').map((state) => state.displayName);
    }
}
function newState(position, stage, baseName, range) {
    return {
        position,
        stage,
        baseName,
        range,
        displayName: stage === undefined ? '' : (stage.name ?? `stage-${stage.index}`),
        platform: undefined,
        base: undefined,
        namedContext: undefined,
        baseContext: undefined,
        deps: new Map(),
        edges: [],
        commands: [],
        onBuildInit: false,
        resolved: false,
        dispatched: false,
    };
}
/** Parses, stages and plans a Dockerfile in one go; throws `DockerfileError` as BuildKit would fail. */
function planDockerfile(source, request) {
    if (source.length === 0)
        throw new DockerfileError('the Dockerfile cannot be empty');
    return planStages(parseStages(parseDockerfile(source)), request);
}
function planStages(dockerfile, request) {
    const { stages } = dockerfile;
    if (stages.length === 0)
        throw new errors_DockerfileError('dockerfile contains no stages to build');
    const escape = dockerfile.escapeToken;
    const target = request.target ?? '';
    const targetStage = target !== '' ? target : (stages[stages.length - 1].name ?? '');
    const globalArgs = resolveGlobalArgs(dockerfile.metaArgs, request, targetStage, escape);
    const contexts = normalizeContexts(request.buildContexts);
    const states = new States();
    // buildDispatchStates: every stage, reachable or not.
    for (const stage of stages) {
        const expanded = expand(stage.baseName, globalArgs, escape, stage.fromRange);
        if (expanded === '') {
            throw new errors_DockerfileError(`base name (${stage.baseName}) should not be blank`, [stage.fromRange]);
        }
        const state = newState(states.all.length, stage, expanded, stage.fromRange);
        if (stage.platform !== undefined)
            state.platform = resolvePlatform(stage.platform, globalArgs, escape, stage, request.buildPlatform);
        if (stage.name !== undefined) {
            const context = lookupContext(stage.name, contexts, stage.fromRange);
            if (context !== undefined) {
                state.namedContext = context;
                states.add(state);
                state.base = undefined;
                continue;
            }
        }
        states.add(state);
    }
    // resolveTarget
    const targetState = target === '' ? states.all[states.all.length - 1] : states.findByName(target);
    if (targetState === undefined) {
        throw new errors_DockerfileError(withSuggestion(`target stage ${goQuote(target)} could not be found`, target, states.names(), true));
    }
    // buildStageDependencyGraph: the commands of every stage, and the states they read.
    for (const state of [...states.all]) {
        state.commands = state.stage.instructions.map((instruction) => toCommand(instruction, states, escape, undefined));
        for (const command of state.commands)
            addSources(state, command, states);
    }
    validateNoCycles(states.all);
    // resolveStages: reachability, repeated while ONBUILD triggers of base stages add dependencies.
    let reachable;
    for (;;) {
        reachable = reachableFrom(targetState);
        resolveBases(states, reachable, contexts);
        let newDeps = false;
        for (const state of [...reachable].sort((a, b) => a.position - b.position)) {
            if (state.base === undefined || state.onBuildInit)
                continue;
            state.onBuildInit = true;
            const triggers = state.base.commands.filter((command) => command.instruction.kind === 'onbuild');
            if (triggers.length === 0)
                continue;
            const added = [];
            for (const trigger of triggers) {
                const instruction = trigger.instruction;
                const command = parseTrigger(instruction, states, escape, state.range);
                if (command.sources.length > 0)
                    newDeps = true;
                addSources(state, command, states);
                added.push(command);
            }
            state.commands = [...added, ...state.commands];
        }
        if (!newDeps)
            break;
    }
    // dispatchStages: a stage may only read stages that were dispatched before it.
    for (const state of states.all) {
        if (!reachable.has(state) || state.dispatched)
            continue;
        state.dispatched = true;
        for (const command of state.commands)
            checkDispatched(state, command);
    }
    return buildPlan(states, targetState, reachable, globalArgs);
}
function expand(word, env, escape, range) {
    try {
        return processWordWithMatches(word, env, escape).result;
    }
    catch (error) {
        throw withLocation(error, range);
    }
}
function resolvePlatform(raw, env, escape, stage, host) {
    let result;
    try {
        result = processWordWithMatches(raw, env, escape).result;
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new errors_DockerfileError(`failed to process arguments for platform : ${message}`, [stage.fromRange]);
    }
    if (result === '') {
        throw new errors_DockerfileError(`empty platform value from expression ${raw}`, [stage.fromRange]);
    }
    try {
        return platform_formatAllPlatform(parsePlatform(result, host));
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new errors_DockerfileError(`failed to parse platform ${raw}: ${message}`, [stage.fromRange]);
    }
}
function normalizeContexts(contexts) {
    const normalized = new Map();
    for (const name of contexts.keys())
        normalized.set(normalizeContextName(name), name);
    return normalized;
}
/** The `--build-context` name that replaces `name`, if any. BuildKit never looks up scratch or context. */
function lookupContext(name, contexts, range) {
    const lower = name.toLowerCase();
    if (lower === SCRATCH || lower === 'context')
        return undefined;
    let normalized;
    try {
        normalized = normalizeContextName(name);
    }
    catch (error) {
        throw withLocation(error, range);
    }
    return contexts.get(normalized);
}
function toCommand(instruction, states, escape, onbuildLine) {
    if (instruction.kind === 'copy' && instruction.from !== undefined && instruction.from !== '') {
        const from = instruction.from;
        if (expand(from, graph_NO_ENV, escape, instruction.range) !== from) {
            throw new errors_DockerfileError('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', [instruction.range]);
        }
        const index = parseGoInt(from);
        if (index !== undefined) {
            const source = states.all[index];
            if (index < 0 || source === undefined) {
                throw new errors_DockerfileError(`invalid stage index ${index}`, [instruction.range]);
            }
            return { instruction, sources: [source], onbuildLine };
        }
        const source = states.findByName(from) ?? newState(-1, undefined, from, instruction.range);
        return { instruction, sources: [source], onbuildLine };
    }
    if (instruction.kind === 'run') {
        const sources = instruction.mounts.map((mount) => {
            const from = mount.from === undefined || mount.from === '' ? SCRATCH : mount.from;
            return states.findByName(from) ?? newState(-1, undefined, from, instruction.range);
        });
        return { instruction, sources, onbuildLine };
    }
    return { instruction, sources: [], onbuildLine };
}
/** Go's `strconv.Atoi`: optional sign, decimal digits, within 64 bits. */
function parseGoInt(text) {
    if (!/^[+-]?[0-9]+$/.test(text))
        return undefined;
    const value = BigInt(text);
    if (value > 2n ** 63n - 1n || value < -(2n ** 63n))
        return undefined;
    return Number(value);
}
function addSources(state, command, states) {
    const kind = command.onbuildLine !== undefined ? 'onbuild' : command.instruction.kind === 'copy' ? 'copy' : 'mount';
    const line = command.onbuildLine ?? command.instruction.range.start;
    const { instruction } = command;
    command.sources.forEach((source, i) => {
        if (source === undefined)
            return;
        const reference = instruction.kind === 'copy'
            ? (instruction.from ?? '')
            : instruction.kind === 'run'
                ? (instruction.mounts[i]?.from ?? SCRATCH)
                : '';
        state.deps.set(source, command);
        state.edges.push({ source, kind, line, reference });
        if (source.position < 0) {
            source.position = states.all.length;
            states.add(source);
        }
    });
}
function parseTrigger(onbuild, states, escape, stageRange) {
    try {
        // BuildKit parses each trigger anew, with default directives.
        const ast = parse_parseDockerfile(onbuild.expression);
        if (ast.instructions.length !== 1)
            throw new errors_DockerfileError('onbuild trigger should be a single expression');
        const instruction = parseCommand({ ...ast.instructions[0], range: onbuild.range });
        return toCommand(instruction, states, escape, onbuild.range.start);
    }
    catch (error) {
        // BuildKit replaces the location with the consuming stage's.
        throw new errors_DockerfileError(withLocation(error, stageRange).message, [stageRange], undefined, {
            cause: error,
        });
    }
}
function validateNoCycles(all) {
    const visited = new Set();
    const path = new Set();
    const visit = (state, trail) => {
        if (visited.has(state))
            return undefined;
        visited.add(state);
        path.add(state);
        for (const [dep, command] of state.deps) {
            const next = [...trail, command];
            if (path.has(dep))
                return next;
            const cycle = visit(dep, next);
            if (cycle !== undefined)
                return cycle;
        }
        path.delete(state);
        return undefined;
    };
    for (const state of all) {
        const cycle = visit(state, []);
        if (cycle !== undefined) {
            throw new errors_DockerfileError(`circular dependency detected on stage: ${state.displayName}`, cycle.map((command) => command.instruction.range));
        }
    }
}
function reachableFrom(target) {
    const seen = new Set();
    const stack = [target];
    while (stack.length > 0) {
        const state = stack.pop();
        if (seen.has(state))
            continue;
        seen.add(state);
        if (state.base !== undefined)
            stack.push(state.base);
        for (const dep of state.deps.keys())
            stack.push(dep);
    }
    return seen;
}
/** BuildKit's resolveReachableStages without the registry: references are checked for every state. */
function resolveBases(states, reachable, contexts) {
    for (const state of states.all) {
        if (state.base !== undefined || state.dispatched || state.resolved)
            continue;
        const isReachable = reachable.has(state);
        state.resolved = isReachable;
        const unregistered = state.stage === undefined;
        if (state.baseName === SCRATCH && state.namedContext === undefined) {
            if (unregistered)
                state.dispatched = true;
            continue;
        }
        try {
            parseNormalizedNamed(state.baseName);
        }
        catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new errors_DockerfileError(`failed to parse stage name ${goQuote(state.baseName)}: ${message}`, [
                state.range,
            ]);
        }
        if (isReachable && state.namedContext !== undefined)
            state.dispatched = true;
        // BuildKit looks contexts up for reachable states only; the name parsed above, so this cannot fail.
        if (state.namedContext === undefined)
            state.baseContext = lookupContext(state.baseName, contexts, state.range);
        if (unregistered)
            state.dispatched = true;
    }
}
function checkDispatched(state, command) {
    const { instruction } = command;
    if (instruction.kind === 'copy') {
        const source = command.sources[0];
        if (source !== undefined && !source.dispatched) {
            throw new errors_DockerfileError(`cannot copy from stage ${goQuote(instruction.from ?? '')}, it needs to be defined before current stage ${goQuote(state.displayName)}`, [instruction.range]);
        }
    }
    else if (instruction.kind === 'run') {
        instruction.mounts.forEach((mount, i) => {
            const from = mount.from ?? (mount.type === 'cache' ? SCRATCH : undefined);
            const source = command.sources[i];
            if (from !== undefined && from !== '' && source !== undefined && !source.dispatched) {
                throw new errors_DockerfileError(`cannot mount from stage ${goQuote(from)} to ${goQuote(mount.target ?? '')}, stage needs to be defined before current command`, [instruction.range]);
            }
        });
    }
}
function buildPlan(states, target, reachable, globalArgs) {
    const stageStates = states.all.filter((state) => state.stage !== undefined);
    const externalImages = [];
    const stages = stageStates.map((state) => {
        const stage = state.stage;
        const images = [];
        const dependsOn = [];
        if (state.base !== undefined) {
            dependsOn.push({
                stage: state.base.stage.index,
                via: 'from',
                line: stage.fromRange.start,
                reference: state.baseName,
            });
        }
        else if (state.namedContext === undefined &&
            state.baseContext === undefined &&
            state.baseName !== SCRATCH) {
            images.push(state.baseName);
        }
        for (const edge of state.edges) {
            if (edge.source.stage !== undefined) {
                dependsOn.push({
                    stage: edge.source.stage.index,
                    via: edge.kind,
                    line: edge.line,
                    reference: edge.reference,
                });
            }
            else if (edge.source.baseName !== SCRATCH &&
                edge.source.baseContext === undefined &&
                !images.includes(edge.source.baseName)) {
                images.push(edge.source.baseName);
            }
        }
        const isReachable = reachable.has(state);
        if (isReachable)
            for (const image of images)
                if (!externalImages.includes(image))
                    externalImages.push(image);
        return {
            index: stage.index,
            name: stage.name ?? null,
            displayName: stage.name ?? `stage-${stage.index}`,
            base: baseOf(state),
            platform: state.platform,
            reachable: isReachable,
            dependsOn,
            images,
            range: stage.range,
        };
    });
    const order = stages.filter((stage) => stage.reachable).map((stage) => stage.index);
    return {
        target: target.stage.name ?? null,
        targetIndex: target.stage.index,
        order,
        skipped: stages.filter((stage) => !stage.reachable).map((stage) => stage.index),
        stages,
        externalImages,
        globalArgs,
    };
}
function baseOf(state) {
    if (state.namedContext !== undefined)
        return { context: state.namedContext };
    if (state.base !== undefined)
        return { stage: state.base.stage.index };
    if (state.baseContext !== undefined)
        return { context: state.baseContext };
    return { image: state.baseName };
}

;// CONCATENATED MODULE: ./src/plan/dependencies.ts
/** Each reachable stage's transitive dependencies (FROM chain, COPY --from, mounts, ONBUILD), in index order. */
function transitiveDependencies(plan) {
    const direct = new Map(plan.stages.map((stage) => [stage.index, stage.dependsOn.map((edge) => edge.stage)]));
    const result = new Map();
    for (const index of plan.order) {
        const seen = new Set();
        const stack = [...(direct.get(index) ?? [])];
        while (stack.length > 0) {
            const next = stack.pop();
            if (seen.has(next))
                continue;
            seen.add(next);
            stack.push(...(direct.get(next) ?? []));
        }
        result.set(index, [...seen].sort((a, b) => a - b));
    }
    return result;
}
/**
 * Per reachable stage, what a restore by need looks at: when the stage's exact key hits, only its FROM stage's
 * layers are needed; when it misses, every stage it reads.
 */
function restoreNeeds(plan) {
    const needs = new Map();
    for (const index of plan.order) {
        const stage = plan.stages[index];
        const dependencies = [...new Set(stage.dependsOn.map((edge) => edge.stage))].sort((a, b) => a - b);
        needs.set(index, 'stage' in stage.base ? { from: stage.base.stage, dependencies } : { dependencies });
    }
    return needs;
}

;// CONCATENATED MODULE: ./src/plan/render.ts
const KEYWORD = {
    from: 'FROM',
    copy: 'COPY --from=',
    mount: 'RUN --mount=from=',
    onbuild: 'ONBUILD COPY/RUN from',
};
function describeEdge(edge, holder) {
    const what = edge.via === 'from'
        ? `FROM ${edge.reference}`
        : edge.via === 'onbuild'
            ? `ONBUILD trigger (from=${edge.reference})`
            : `${KEYWORD[edge.via]}${edge.reference}`;
    return `${what} in ${holder.displayName}, line ${edge.line}`;
}
/** Why each reachable stage is built: the edges that reach it from other reachable stages. */
function reasonsFor(plan, index) {
    const reasons = [];
    if (index === plan.targetIndex)
        reasons.push('target');
    for (const holder of plan.stages) {
        if (!holder.reachable)
            continue;
        for (const edge of holder.dependsOn)
            if (edge.stage === index)
                reasons.push(describeEdge(edge, holder));
    }
    return reasons;
}
function describeBase(plan, stage) {
    const base = stage.base;
    if ('stage' in base)
        return `FROM ${plan.stages[base.stage].displayName}`;
    if ('context' in base)
        return `build context ${base.context}`;
    return `FROM ${base.image}`;
}
function renderPlanText(plan, platform) {
    const target = plan.stages[plan.targetIndex];
    const width = Math.max(...plan.stages.map((stage) => stage.displayName.length));
    const lines = [
        `Target: ${target.displayName} (stage ${plan.targetIndex}${platform === undefined ? '' : `, ${platform}`})`,
        `Build order (${plan.order.length} of ${plan.stages.length} stages):`,
    ];
    plan.order.forEach((index, position) => {
        const stage = plan.stages[index];
        const [first = '', ...rest] = reasonsFor(plan, index);
        const head = `  ${String(position + 1).padStart(2)}. ${stage.displayName.padEnd(width)}  `;
        lines.push(`${head}← ${first}`);
        for (const reason of rest)
            lines.push(`${' '.repeat(head.length)}← ${reason}`);
        lines.push(`${' '.repeat(head.length)}  ${describeBase(plan, stage)}`);
    });
    if (plan.skipped.length === 0) {
        lines.push('Skipped: none');
    }
    else {
        lines.push(`Skipped (${plan.skipped.length}, not needed by ${target.displayName}):`);
        for (const index of plan.skipped) {
            const stage = plan.stages[index];
            lines.push(`      ${stage.displayName.padEnd(width)}  line ${stage.range.start}`);
        }
    }
    lines.push(`External images: ${plan.externalImages.length === 0 ? 'none' : plan.externalImages.join(', ')}`);
    return lines.join('\n') + '\n';
}
/** The JSON of `stagecraft plan --format json`; `error` is null on success. */
function planToJson(plan) {
    return {
        target: plan.target,
        targetIndex: plan.targetIndex,
        order: plan.order,
        skipped: plan.skipped,
        stages: plan.stages.map((stage) => ({
            index: stage.index,
            name: stage.name,
            base: stage.base,
            ...(stage.platform === undefined ? {} : { platform: stage.platform }),
            reachable: stage.reachable,
            dependsOn: stage.dependsOn.map(({ stage: dependency, via, line }) => ({
                stage: dependency,
                via,
                line,
            })),
            images: stage.images,
            lines: { start: stage.range.start, end: stage.range.end },
        })),
        externalImages: plan.externalImages,
        error: null,
    };
}
function planErrorToJson(error) {
    return {
        target: null,
        targetIndex: null,
        order: [],
        skipped: [],
        stages: [],
        externalImages: [],
        error: { message: error.message, line: error.line ?? null },
    };
}
/** Mermaid labels live inside quotes; keep them from closing the quote or opening markup. */
function mermaidText(text) {
    return text.replace(/["<>&#]/g, (ch) => `#${ch.charCodeAt(0)};`);
}
function renderPlanMermaid(plan) {
    const lines = ['flowchart TD'];
    const images = new Map();
    for (const stage of plan.stages) {
        const label = `${stage.displayName}${stage.index === plan.targetIndex ? ' (target)' : ''}`;
        lines.push(`  s${stage.index}["${mermaidText(label)}"]`);
    }
    const imageNode = (image) => {
        let id = images.get(image);
        if (id === undefined) {
            id = `i${images.size}`;
            images.set(image, id);
            lines.push(`  ${id}[("${mermaidText(image)}")]`);
        }
        return id;
    };
    for (const stage of plan.stages) {
        if ('image' in stage.base && stage.base.image !== 'scratch') {
            lines.push(`  ${imageNode(stage.base.image)} -->|FROM| s${stage.index}`);
        }
        for (const edge of stage.dependsOn) {
            lines.push(`  s${edge.stage} -->|${edge.via}| s${stage.index}`);
        }
    }
    lines.push('  classDef target stroke-width:3px', '  classDef skipped opacity:0.4,stroke-dasharray:4 4');
    lines.push(`  class s${plan.targetIndex} target`);
    if (plan.skipped.length > 0)
        lines.push(`  class ${plan.skipped.map((index) => `s${index}`).join(',')} skipped`);
    return lines.join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/plan/index.ts
// The stage graph and the targeted plan: what the target needs, in which order, and what is skipped.






;// CONCATENATED MODULE: ./src/adapters/host.ts

/** The platform this process runs on, as BuildKit's default platform would name it. */
function currentPlatform() {
    return hostPlatform(process.platform, process.arch);
}

;// CONCATENATED MODULE: ./src/adapters/local.ts
// Adapters for the CLI: logs on stderr, the report in a Markdown file, outputs as `name=value` lines.


function located(message, where) {
    if (where?.file === undefined)
        return message;
    return `${where.file}${where.line === undefined ? '' : `:${where.line}`}: ${message}`;
}
function consoleLogger(stream = process.stderr, verbose = false) {
    let depth = 0;
    const write = (line) => {
        const indent = '  '.repeat(depth);
        stream.write(line
            .replace(/\n$/, '')
            .split('\n')
            .map((text) => indent + text)
            .join('\n') + '\n');
    };
    return {
        info: write,
        debug: (message) => {
            if (verbose)
                write(`debug: ${message}`);
        },
        warning: (message, where) => write(`warning: ${located(message, where)}`),
        error: (message, where) => write(`error: ${located(message, where)}`),
        group: async (title, body) => {
            write(`▸ ${title}`);
            depth++;
            try {
                return await body();
            }
            finally {
                depth--;
            }
        },
    };
}
/** Writes the report to `reportFile` (created anew per run) and collects outputs. */
async function fileReporter(reportFile) {
    if (reportFile !== undefined) {
        await (0,promises_.mkdir)(external_node_path_default().dirname(external_node_path_default().resolve(reportFile)), { recursive: true });
        await (0,promises_.writeFile)(reportFile, '');
    }
    const outputs = new Map();
    return {
        outputs,
        setOutput: (name, value) => void outputs.set(name, value),
        appendSummary: async (markdown) => {
            if (reportFile !== undefined)
                await (0,promises_.appendFile)(reportFile, markdown);
        },
    };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: ./src/cache/entry.ts
var entry = __nccwpck_require__(8962);
;// CONCATENATED MODULE: ./src/cache/local-store.ts
// Entries in a directory on this machine: the default store outside GitHub Actions. The caller picks the
// directory (`$XDG_CACHE_HOME/stagecraft`, else `~/.cache/stagecraft`: see `defaultLocalCacheDir`).
//
//   <dir>/v1/entries/<id>/meta.json   {"key", "savedAt", "lastUsedAt", "bytes"} (times in ms since the epoch)
//   <dir>/v1/entries/<id>/entry/      the entry directory, as given to `save`
//   <dir>/v1/tmp/                     saves in progress and evicted entries being deleted
//
// `<id>` is a hash of the key, so any key is a safe file name. A save is written under tmp/ and renamed into
// entries/ in one step: readers see a whole entry or none, and of two jobs saving one key the first rename
// wins. After a save, least recently used entries (by `lastUsedAt`, which a restore updates) are evicted until
// the total is under the size cap. A damaged entry is reported as a warning and treated as absent.




const DEFAULT_LOCAL_CACHE_MAX_BYTES = 10 * 1024 ** 3;
/** Where the local cache lives by default, from the environment the caller read. */
function defaultLocalCacheDir(env, home) {
    const xdg = env.XDG_CACHE_HOME;
    return xdg !== undefined && external_node_path_default().isAbsolute(xdg)
        ? external_node_path_default().join(xdg, 'stagecraft')
        : external_node_path_default().join(home, '.cache', 'stagecraft');
}
function parseMeta(text) {
    try {
        const value = JSON.parse(text);
        if (value !== null &&
            typeof value === 'object' &&
            typeof value.key === 'string' &&
            typeof value.savedAt === 'number' &&
            typeof value.lastUsedAt === 'number' &&
            typeof value.bytes === 'number') {
            return { key: value.key, savedAt: value.savedAt, lastUsedAt: value.lastUsedAt, bytes: value.bytes };
        }
    }
    catch {
        // fall through
    }
    return undefined;
}
function message(error) {
    return typeof error?.message === 'string' ? error.message : String(error);
}
class LocalStore {
    kind = 'local';
    dir;
    maxBytes;
    now;
    constructor(options) {
        this.dir = options.dir;
        this.maxBytes = options.maxBytes ?? DEFAULT_LOCAL_CACHE_MAX_BYTES;
        this.now = options.now ?? Date.now;
    }
    get entriesDir() {
        return external_node_path_default().join(this.dir, 'v1', 'entries');
    }
    get tmpDir() {
        return external_node_path_default().join(this.dir, 'v1', 'tmp');
    }
    static idOf(key) {
        return (0,external_node_crypto_.createHash)('sha256').update(key).digest('hex').slice(0, 40);
    }
    async readMeta(id, options) {
        const file = external_node_path_default().join(this.entriesDir, id, 'meta.json');
        let text;
        try {
            text = await (0,promises_.readFile)(file, 'utf8');
        }
        catch (error) {
            if (error.code !== 'ENOENT') {
                options?.onWarning?.(`local cache: ${file}: ${message(error)}`);
            }
            return undefined;
        }
        const meta = parseMeta(text);
        if (meta === undefined)
            options?.onWarning?.(`local cache: ${file} is damaged; the entry is ignored`);
        return meta;
    }
    /** Every readable entry, and the ids of damaged ones (left for eviction; whose key they held is unknown). */
    async list(options) {
        let ids;
        try {
            ids = await (0,promises_.readdir)(this.entriesDir);
        }
        catch (error) {
            if (error.code !== 'ENOENT') {
                options?.onWarning?.(`local cache: ${this.entriesDir}: ${message(error)}`);
            }
            return { entries: [], damaged: [] };
        }
        const entries = [];
        const damaged = [];
        const quiet = options?.onDebug === undefined ? {} : { onWarning: options.onDebug };
        for (const id of ids.sort()) {
            const meta = await this.readMeta(id, quiet);
            if (meta === undefined)
                damaged.push(id);
            else
                entries.push({ id, meta });
        }
        return { entries, damaged };
    }
    async lookup(key, restoreKeys, options) {
        const exact = await this.readMeta(LocalStore.idOf(key), options);
        if (exact?.key === key)
            return { key, exact: true };
        if (restoreKeys.length === 0)
            return undefined;
        const { entries } = await this.list(options);
        for (const prefix of restoreKeys) {
            const newest = entries
                .filter((e) => e.meta.key.startsWith(prefix))
                .sort((a, b) => b.meta.savedAt - a.meta.savedAt || a.meta.key.localeCompare(b.meta.key))[0];
            if (newest !== undefined)
                return { key: newest.meta.key, exact: newest.meta.key === key };
        }
        return undefined;
    }
    async exists(key, options) {
        return (await this.readMeta(LocalStore.idOf(key), options))?.key === key;
    }
    async restore(key, dir, options) {
        const id = LocalStore.idOf(key);
        const meta = await this.readMeta(id, options);
        if (meta?.key !== key) {
            options?.onWarning?.(`local cache: no entry ${key}`);
            return 0;
        }
        try {
            const bytes = await (0,entry/* copyTree */.EL)(external_node_path_default().join(this.entriesDir, id, 'entry'), dir);
            await (0,entry/* writeFileAtomic */.Zf)(external_node_path_default().join(this.entriesDir, id, 'meta.json'), JSON.stringify({ ...meta, lastUsedAt: this.now() }));
            return bytes;
        }
        catch (error) {
            // Evicted by another process while we copied, or damaged.
            options?.onWarning?.(`local cache: restoring ${key} failed: ${message(error)}`);
            return 0;
        }
    }
    async save(key, dir, options) {
        if (await this.exists(key))
            return 0;
        const temp = external_node_path_default().join(this.tmpDir, `save-${(0,external_node_crypto_.randomBytes)(8).toString('hex')}`);
        try {
            const bytes = await (0,entry/* directorySize */.RG)(dir);
            if (bytes > this.maxBytes) {
                options?.onWarning?.(`local cache: entry ${key} (${bytes} bytes) is larger than the cache's size cap (${this.maxBytes} bytes); not saved`);
                return 0;
            }
            await (0,entry/* copyTree */.EL)(dir, external_node_path_default().join(temp, 'entry'));
            const now = this.now();
            const meta = { key, savedAt: now, lastUsedAt: now, bytes };
            await (0,entry/* writeFileAtomic */.Zf)(external_node_path_default().join(temp, 'meta.json'), JSON.stringify(meta));
            await (0,promises_.mkdir)(this.entriesDir, { recursive: true });
            const id = LocalStore.idOf(key);
            try {
                await (0,promises_.rename)(temp, external_node_path_default().join(this.entriesDir, id));
            }
            catch (error) {
                const code = error.code;
                if (code === 'EEXIST' || code === 'ENOTEMPTY') {
                    options?.onDebug?.(`local-store.save: ${key} was saved by another process first`);
                    return 0;
                }
                throw error;
            }
            await this.evict(id, options);
            return bytes;
        }
        catch (error) {
            options?.onWarning?.(`local cache: saving ${key} failed: ${message(error)}`);
            return 0;
        }
        finally {
            await (0,promises_.rm)(temp, { recursive: true, force: true });
        }
    }
    /** Evicts damaged entries, then the least recently used until the total fits the cap (never `keep`). */
    async evict(keep, options) {
        const { entries, damaged } = await this.list(options);
        for (const id of damaged)
            await this.remove(id);
        let total = entries.reduce((sum, e) => sum + e.meta.bytes, 0);
        const byAge = entries
            .filter((e) => e.id !== keep)
            .sort((a, b) => a.meta.lastUsedAt - b.meta.lastUsedAt || a.meta.savedAt - b.meta.savedAt);
        for (const entry of byAge) {
            if (total <= this.maxBytes)
                break;
            await this.remove(entry.id);
            options?.onDebug?.(`local-store.evict: ${entry.meta.key} (${entry.meta.bytes} bytes)`);
            total -= entry.meta.bytes;
        }
    }
    /** Moves an entry out of entries/ in one step (so no reader sees half of it), then deletes it. */
    async remove(id) {
        const trash = external_node_path_default().join(this.tmpDir, `evict-${(0,external_node_crypto_.randomBytes)(8).toString('hex')}`);
        await (0,promises_.mkdir)(this.tmpDir, { recursive: true });
        try {
            await (0,promises_.rename)(external_node_path_default().join(this.entriesDir, id), trash);
        }
        catch {
            return; // already gone
        }
        await (0,promises_.rm)(trash, { recursive: true, force: true });
    }
}

// EXTERNAL MODULE: ./src/cache/oci-layout.ts
var oci_layout = __nccwpck_require__(2654);
;// CONCATENATED MODULE: ./src/cache/specs.ts
// buildx `--cache-from` / `--cache-to` values. buildx reads them as one CSV record of `key=value` fields, so a
// field holding a comma or a quote (a path, say) is quoted CSV-style.
/** One `key=value` field of a buildx cache spec, quoted where CSV needs it. */
function specField(key, value) {
    const field = `${key}=${value}`;
    return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
function encodeSpec(fields) {
    return fields.map(([key, value]) => specField(key, value)).join(',');
}
/** `--cache-from` for one tag of a local OCI layout. */
function localCacheFromSpec(layoutDir, tag) {
    return encodeSpec([
        ['type', 'local'],
        ['src', layoutDir],
        ['tag', tag],
    ]);
}
/** `--cache-to` that exports a stage's whole cache graph (mode=max) into a local OCI layout. */
function specs_localCacheToSpec(exportDir, tag) {
    const fields = [
        ['type', 'local'],
        ['dest', exportDir],
        ['mode', 'max'],
    ];
    if (tag !== undefined)
        fields.push(['tag', tag]);
    return encodeSpec(fields);
}
/** `--cache-from` / `--cache-to` for a registry reference (`repository:tag`). */
function registryCacheSpec(ref, modeMax) {
    const fields = [
        ['type', 'registry'],
        ['ref', ref],
    ];
    if (modeMax === true)
        fields.push(['mode', 'max']);
    return encodeSpec(fields);
}

;// CONCATENATED MODULE: ./src/cache/registry-store.ts



/** The pseudo-key under which the newest entry for a restore key is found. */
function latestKeyFor(restoreKey) {
    return `${restoreKey}latest`;
}
class RegistryStore {
    kind = 'registry';
    buildkit = this;
    repository;
    exec;
    docker;
    timeoutMs;
    constructor(options) {
        if (!/^[a-z0-9][a-z0-9._:/-]*$/i.test(options.repository) ||
            /:[A-Za-z0-9_.-]+$/.test(options.repository.split('/').pop() ?? '')) {
            throw new Error(`registry cache repository must be a repository without a tag: ${JSON.stringify(options.repository)}`);
        }
        this.repository = options.repository;
        this.exec = options.exec;
        this.docker = options.docker ?? 'docker';
        this.timeoutMs = options.timeoutMs ?? 30_000;
    }
    /** `<repository>:<tag>` for an entry key (or a pseudo-key from `lookup`). */
    refFor(key) {
        return `${this.repository}:${(0,oci_layout/* tagForKey */.F8)(key)}`;
    }
    /** The argv that checks whether a reference exists, without pulling it. */
    inspectArgv(ref) {
        return [this.docker, 'buildx', 'imagetools', 'inspect', '--raw', ref];
    }
    cacheFrom(key) {
        return registryCacheSpec(this.refFor(key));
    }
    cacheTo(key, restoreKeys) {
        return [key, ...restoreKeys.map(latestKeyFor)].map((k) => registryCacheSpec(this.refFor(k), true));
    }
    async inspect(ref, options) {
        const argv = this.inspectArgv(ref);
        options?.onDebug?.(`registry-store.inspect: ${JSON.stringify(argv)}`);
        try {
            const result = await this.exec(argv, {
                timeoutMs: this.timeoutMs,
                ...(options?.signal === undefined ? {} : { signal: options.signal }),
            });
            if (result.exitCode === 0) {
                // A cache manifest is an OCI index listing one cache config; anything else under the tag is not ours.
                if (result.stdout.includes(oci_layout/* CACHE_CONFIG_MEDIA_TYPE */.yI))
                    return { kind: 'found' };
                return { kind: 'fault', message: `${ref} is not a BuildKit cache manifest` };
            }
            const said = tailLines(result.stderr, 2);
            if (/not found|manifest unknown|name unknown/i.test(said))
                return { kind: 'absent' };
            return { kind: 'fault', message: `${ref}: ${said === '' ? `exit code ${result.exitCode}` : said}` };
        }
        catch (error) {
            return { kind: 'fault', message: `${ref}: ${error.message}` };
        }
    }
    async lookup(key, restoreKeys, options) {
        for (const [candidate, exact] of [
            [key, true],
            ...restoreKeys.map((k) => [latestKeyFor(k), false]),
        ]) {
            const found = await this.inspect(this.refFor(candidate), options);
            if (found.kind === 'found')
                return { key: candidate, exact };
            if (found.kind === 'fault') {
                options?.onWarning?.(`registry cache: lookup of ${key} failed: ${found.message}`);
                return undefined;
            }
        }
        return undefined;
    }
    async exists(key, options) {
        const found = await this.inspect(this.refFor(key), options);
        if (found.kind === 'fault')
            options?.onWarning?.(`registry cache: lookup of ${key} failed: ${found.message}`);
        return found.kind === 'found';
    }
    /** Nothing to move: BuildKit pulls from the registry during the build. */
    async restore() {
        return 0;
    }
    /** Nothing to move: BuildKit pushed during the build (`cacheTo`). */
    async save() {
        return 0;
    }
}

;// CONCATENATED MODULE: ./src/adapters/stores.ts
// Chooses the cache store for `options.cache`. The GitHub Actions store loads @actions/cache only when it
// is used, so the CLI bundle never carries it.




async function openStore(options, environment) {
    switch (options.cache) {
        case 'off':
            return undefined;
        case 'local':
            return new LocalStore({ dir: options.cacheDir ?? defaultLocalCacheDir(environment.env, external_node_os_default().homedir()) });
        case 'registry':
            return new RegistryStore({ repository: options.cacheRef, exec: environment.exec });
        case 'gha': {
            if (!environment.actions) {
                throw new Error('cache: gha needs a GitHub Actions runner; use cache: local or registry here');
            }
            const { GhaStore } = await Promise.all(/* import() */[__nccwpck_require__.e(329), __nccwpck_require__.e(706)]).then(__nccwpck_require__.bind(__nccwpck_require__, 7706));
            const stagingDir = external_node_path_default().join(environment.runnerTemp ?? external_node_os_default().tmpdir(), 'stagecraft-gha');
            return new GhaStore({
                stagingDir,
                ...(environment.lookupTimeoutMs === undefined
                    ? {}
                    : { lookupTimeoutMs: environment.lookupTimeoutMs }),
            });
        }
    }
}

;// CONCATENATED MODULE: ./src/adapters/types.ts
/** A run outside GitHub Actions: nothing to compare with or store unless asked. */
const LOCAL_RUN = { eventName: 'local' };

;// CONCATENATED MODULE: ./src/adapters/workspace.ts


/** Files relative to `root`; work directories under `tempDir` (RUNNER_TEMP on a runner). */
function fileWorkspace(root, tempDir) {
    return {
        root,
        readFile: (file) => (0,promises_.readFile)(external_node_path_default().resolve(root, file)),
        makeWorkDir: async () => {
            await (0,promises_.mkdir)(tempDir, { recursive: true });
            return (0,promises_.mkdtemp)(external_node_path_default().join(tempDir, 'stagecraft-'));
        },
    };
}

;// CONCATENATED MODULE: ./src/input-error.ts
/** A bad input value: the message names the input and what was expected. */
class InputError extends Error {
    name = 'InputError';
}

;// CONCATENATED MODULE: ./src/drift/max-age.ts
// `max-cache-age`: how old a stage's cache may be before a scheduled run rebuilds it anyway (package updates
// behind an unchanged base). Strict, pure.

const UNITS = new Map([
    ['m', 60_000],
    ['h', 3_600_000],
    ['d', 86_400_000],
    ['w', 604_800_000],
]);
/** `7d`, `12h`, `30m`, `2w` → milliseconds. A whole number of at least 1, then one unit; nothing else. */
function parseMaxCacheAge(value, input = 'max-cache-age') {
    const match = /^([0-9]+)([mhdw])$/.exec(value.trim());
    const unit = match === null ? undefined : UNITS.get(match[2]);
    if (match === null || unit === undefined) {
        const hint = /^[0-9]+$/.test(value.trim()) ? ' (the unit is required)' : '';
        throw new InputError(`Input ${input}: expected a whole number and a unit m, h, d or w (minutes, hours, days, weeks), such as 7d, 12h, 30m or 2w${hint}, got ${JSON.stringify(value)}`);
    }
    const count = Number(match[1]);
    if (count < 1)
        throw new InputError(`Input ${input}: must be at least 1${match[2]}, got ${JSON.stringify(value)}`);
    const ms = count * unit;
    if (!Number.isSafeInteger(ms))
        throw new InputError(`Input ${input}: ${JSON.stringify(value)} is too large`);
    return ms;
}
/**
 * An age or a limit, short and rounded down: days from 2 days (`9d`, `14d` for two weeks), hours from 2 hours
 * (`36h`), else minutes (`45m`, `0m`).
 */
function formatAge(ms) {
    const minutes = Math.max(0, Math.floor(ms / 60_000));
    if (minutes >= 2 * 24 * 60)
        return `${Math.floor(minutes / (24 * 60))}d`;
    if (minutes >= 2 * 60)
        return `${Math.floor(minutes / 60)}h`;
    return `${minutes}m`;
}

;// CONCATENATED MODULE: ./src/drift/usage.ts

/** Every (image, platform) the reachable stages read, in first-use order (build order, then within a stage). */
function imageUsages(plan, targetPlatform) {
    const target = platform_formatAllPlatform(targetPlatform);
    const usages = new Map();
    for (const index of plan.order) {
        const stage = plan.stages[index];
        for (const image of stage.images) {
            const isBase = 'image' in stage.base && stage.base.image === image;
            const platform = isBase ? (stage.platform ?? target) : target;
            const id = `${image}\n${platform}`;
            const usage = usages.get(id) ?? { image, platform, stages: [] };
            if (!usage.stages.includes(index))
                usage.stages.push(index);
            usages.set(id, usage);
        }
    }
    return [...usages.values()];
}
/** The `(image, platform)` requests for `resolveImagePlatforms`. */
function resolveRequests(usages) {
    return usages.map(({ image, platform }) => ({ image, platform }));
}
/** A lookup of resolutions (or stored records) by image and platform. */
function byImagePlatform(items) {
    const map = new Map(items.map((item) => [`${item.image}\n${item.platform}`, item]));
    return (image, platform) => map.get(`${image}\n${platform}`);
}
/**
 * The `imageDigests` for `computeStageKeys`: each image's digest at the platform it is read at. An image read at
 * several platforms (a `FROM --platform=$BUILDPLATFORM` stage and a target-platform one) gets every
 * `platform=digest`, sorted and space-separated, so a move at either platform changes the keys of its readers.
 * An unresolved image keeps the previous run's digest (so its stages keep their keys: treated as unchanged);
 * with none, it is left out and keys on its reference alone.
 */
function imageDigestsForKeys(usages, resolutions, previous) {
    const resolved = byImagePlatform(resolutions);
    const stored = byImagePlatform(previous?.images ?? []);
    const perImage = new Map();
    for (const { image, platform } of usages) {
        const resolution = resolved(image, platform);
        const digest = resolution?.status === 'resolved' ? resolution.digest : stored(image, platform)?.digest;
        if (digest === undefined)
            continue;
        const platforms = perImage.get(image) ?? new Map();
        platforms.set(platform, digest);
        perImage.set(image, platforms);
    }
    const digests = new Map();
    const platformsOf = new Map();
    for (const { image, platform } of usages) {
        platformsOf.set(image, (platformsOf.get(image) ?? new Set()).add(platform));
    }
    for (const [image, platforms] of perImage) {
        const used = platformsOf.get(image);
        if (used.size === 1) {
            digests.set(image, [...platforms.values()][0]);
            continue;
        }
        digests.set(image, [...used]
            .sort()
            .map((platform) => `${platform}=${platforms.get(platform) ?? 'unresolved'}`)
            .join(' '));
    }
    return digests;
}

;// CONCATENATED MODULE: ./src/drift/refresh.ts
// Refreshed keys: where a scheduled run saves a stage it rebuilt although its exact key hit (its cache was too
// old, or built on a stage whose was). The store keeps that key's old entry and refuses a second one (GitHub's
// cache cannot overwrite), so the new cache goes under a sibling key: the same `<head>-<run-prefix>-` with the
// last field hashed from the full hash and the time of the rebuild. The drift document records it, and the next
// scheduled run restores it in the stage key's place (`applyRefreshedKeys`), falling back to the stage key
// itself. Runs that are not scheduled never read the document and keep using the stage key's entry. Pure.

const HASH_CHARS = 16;
/** The stage's key for a cache rebuilt at `builtAt` (ISO 8601); its first fallback is the stage key itself. */
function refreshStageKey(key, builtAt) {
    const cut = key.key.lastIndexOf('-');
    const hash = (0,external_node_crypto_.createHash)('sha256')
        .update(`${key.fullHash}\nrefreshed ${builtAt}`)
        .digest('hex')
        .slice(0, HASH_CHARS);
    return {
        ...key,
        key: `${key.key.slice(0, cut + 1)}${hash}`,
        restoreKeys: [key.key, ...key.restoreKeys],
    };
}
/**
 * The keys to restore in a scheduled run: a stage whose key the previous run saved under a refreshed key (same
 * name, same stage key) restores that one, then the stage key, then the usual fallbacks. Others are unchanged.
 * A recorded key that is not a sibling of the stage key (same `<head>-<run-prefix>-`) is ignored.
 */
function applyRefreshedKeys(keys, previous) {
    if (!previous.found)
        return [...keys];
    return keys.map((key) => {
        const record = previous.document.stages.find((stage) => stage.name === key.stageName && stage.key === key.key);
        const refreshed = record?.refreshedKey;
        const sibling = key.key.slice(0, key.key.lastIndexOf('-') + 1);
        if (refreshed === undefined || refreshed === key.key || !refreshed.startsWith(sibling))
            return key;
        if (!/^[0-9a-f]+$/.test(refreshed.slice(sibling.length)))
            return key;
        return { ...key, key: refreshed, restoreKeys: [key.key, ...key.restoreKeys] };
    });
}

;// CONCATENATED MODULE: ./src/drift/pins.ts
/** Each resolved image (not pinned already) → `docker-image://<image>@<index digest, else manifest digest>`. */
function pinnedImageContexts(resolutions) {
    const pins = new Map();
    for (const resolution of resolutions) {
        if (resolution.status !== 'resolved' || resolution.pinned)
            continue;
        const digest = resolution.indexDigest ?? resolution.digest;
        const existing = pins.get(resolution.image);
        // Several platforms of one image share its index; an image without one is a single manifest.
        if (existing === undefined || resolution.indexDigest !== undefined) {
            pins.set(resolution.image, `docker-image://${resolution.image}@${digest}`);
        }
    }
    return pins;
}
/** Whether the build may pass `--pull`: only when every image resolved; otherwise why not. */
function pullDecision(resolutions) {
    const unresolved = [...new Set(resolutions.filter((r) => r.status === 'unresolved').map((r) => r.image))];
    if (unresolved.length === 0)
        return { pull: true };
    return {
        pull: false,
        reason: `not pulling: ${unresolved.join(', ')} could not be resolved in a registry, and --pull would fail the build on ${unresolved.length === 1 ? 'it' : 'them'}; the resolved images are pinned to their digests instead`,
    };
}

;// CONCATENATED MODULE: ./src/drift/types.ts
// The values of scheduled rebuilds: the stored document a scheduled run leaves for the next one, and what a run
// works out from it (which base images moved, which stages rebuild and why).
/** The document's `version`; a document of another version reads as "no previous run". */
const DRIFT_DOCUMENT_VERSION = 1;
/** The document's `kind`, so a stray JSON file is never taken for one. */
const DRIFT_DOCUMENT_KIND = 'stagecraft-drift';
const REBUILD_REASONS = [
    'base moved',
    'key changed',
    'cache too old',
    'not cached',
];

;// CONCATENATED MODULE: ./src/drift/compute.ts





/** Every stage in `seeds`, and every reachable stage that depends on one of them, transitively. */
function withDependents(plan, deps, seeds) {
    const closure = new Set(seeds);
    for (const index of plan.order) {
        if ((deps.get(index) ?? []).some((dep) => seeds.has(dep)))
            closure.add(index);
    }
    return closure;
}
/** The first stage of `among`, in build order, that `index` depends on. */
function firstDependency(plan, deps, index, among) {
    const mine = new Set(deps.get(index) ?? []);
    return plan.order.find((candidate) => mine.has(candidate) && among.has(candidate));
}
function computeDrift(input) {
    const { plan, previous, now } = input;
    const nameOf = (index) => plan.stages[index].displayName;
    const deps = transitiveDependencies(plan);
    const warnings = [];
    // ---- images ----
    const resolved = byImagePlatform(input.resolutions);
    const stored = byImagePlatform(previous.found ? previous.document.images : []);
    const usages = imageUsages(plan, input.targetPlatform);
    const images = usages.map((usage) => {
        const resolution = resolved(usage.image, usage.platform);
        const old = stored(usage.image, usage.platform)?.digest;
        const stages = usage.stages.map(nameOf);
        const base = {
            image: usage.image,
            platform: usage.platform,
            ...(old === undefined ? {} : { old }),
            stages,
        };
        if (resolution === undefined || resolution.status === 'unresolved') {
            return {
                ...base,
                status: 'unresolved',
                reason: resolution === undefined ? 'it was not looked up' : resolution.reason,
            };
        }
        const status = old === undefined ? 'new' : old === resolution.digest ? 'unchanged' : 'moved';
        return { ...base, status, new: resolution.digest, ...(resolution.pinned ? { pinned: true } : {}) };
    });
    const driftedImages = images.flatMap((image) => image.status === 'moved' && image.old !== undefined && image.new !== undefined
        ? [{ image: image.image, platform: image.platform, old: image.old, new: image.new }]
        : []);
    // ---- stages on a moved base ----
    const movedBy = new Map();
    images.forEach((image, i) => {
        if (image.status !== 'moved')
            return;
        for (const index of usages[i].stages)
            movedBy.set(index, [...(movedBy.get(index) ?? []), image.image]);
    });
    const movedDirect = new Set(movedBy.keys());
    const moved = withDependents(plan, deps, movedDirect);
    // ---- cache ages ----
    const restoreOf = new Map((input.restore ?? []).map((report) => [report.stage, report]));
    const builtAtOfKey = new Map();
    if (previous.found) {
        for (const record of previous.document.stages) {
            if (record.builtAt === undefined)
                continue;
            builtAtOfKey.set(record.refreshedKey ?? record.key, record.builtAt);
        }
    }
    const ages = new Map();
    const unknownAges = [];
    for (const index of plan.order) {
        const report = restoreOf.get(index);
        if (report === undefined || report.result === 'miss')
            continue;
        const createdAt = input.entryCreatedAt?.get(index) ??
            (report.restoredKey === undefined ? undefined : builtAtOfKey.get(report.restoredKey));
        const time = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
        if (Number.isNaN(time))
            unknownAges.push(nameOf(index));
        else
            ages.set(index, Math.max(0, now.getTime() - time));
    }
    const maxAge = input.maxCacheAgeMs;
    const staleDirect = new Set();
    if (maxAge !== undefined) {
        for (const [index, age] of ages)
            if (age > maxAge)
                staleDirect.add(index);
        if (unknownAges.length > 0) {
            warnings.push(`max-cache-age cannot apply to ${unknownAges.join(', ')}: the store does not say when ${unknownAges.length === 1 ? 'its cache was' : 'their caches were'} made, and no earlier scheduled run recorded it`);
        }
    }
    const stale = withDependents(plan, deps, staleDirect);
    // Unnamed stages that must be rebuilt from a too old cache: no filter reaches them.
    const unfilterable = new Set([...stale].filter((index) => plan.stages[index].name === null));
    const dropCacheFrom = withDependents(plan, deps, unfilterable);
    for (const index of plan.order) {
        if (!unfilterable.has(index))
            continue;
        warnings.push(`${nameOf(index)} must be rebuilt (its cache, or that of a stage it builds on, is too old) but has no name, and BuildKit applies no-cache-filter to named stages only: its cached records are left out of the build instead, which rebuilds it on a fresh builder; name it (FROM … AS name) to have it rebuilt on any builder`);
    }
    // ---- why each stage rebuilds ----
    const baseKeyOf = new Map((input.baseKeys ?? []).map((key) => [key.stage, key]));
    const keyOf = new Map(input.keys.map((key) => [key.stage, key]));
    const keyChange = (index) => {
        if (!previous.found)
            return undefined;
        const name = nameOf(index);
        const record = previous.document.stages.find((stage) => stage.name === name);
        if (record === undefined)
            return 'not built by the last scheduled run';
        const baseKey = baseKeyOf.get(index)?.key;
        const key = keyOf.get(index)?.key;
        const digestsChanged = key !== undefined && key !== record.key && !moved.has(index);
        if (baseKey !== undefined && record.baseKey !== undefined) {
            if (baseKey !== record.baseKey)
                return 'its instructions, build arguments or context files changed since the last scheduled run';
            // The same stage, other digests, no move here: keys/ takes one digest per image, so an image read at two
            // platforms changes every reader's key when it moves at either; or it was not resolved before.
            return digestsChanged
                ? 'the image digests in its key changed (an image it reads moved at another platform, or was not resolved before)'
                : undefined;
        }
        return digestsChanged ? 'its key changed since the last scheduled run' : undefined;
    };
    const rebuiltStages = [];
    for (const index of plan.order) {
        const report = restoreOf.get(index);
        const exact = report?.result === 'exact';
        const details = new Map();
        if (moved.has(index)) {
            const images = movedBy.get(index);
            const via = firstDependency(plan, deps, index, movedDirect);
            details.set('base moved', images !== undefined
                ? `${[...new Set(images)].join(', ')} moved`
                : `built on ${via === undefined ? 'a stage on a moved base' : nameOf(via)}`);
        }
        if (!exact) {
            const change = keyChange(index);
            if (change !== undefined)
                details.set('key changed', change);
        }
        if (stale.has(index)) {
            const age = ages.get(index);
            const via = firstDependency(plan, deps, index, staleDirect);
            details.set('cache too old', staleDirect.has(index) && age !== undefined && maxAge !== undefined
                ? `its cache is ${formatAge(age)} old (max-cache-age ${formatAge(maxAge)})`
                : `built on ${via === undefined ? 'a stage with a too old cache' : nameOf(via)}`);
        }
        if (!exact && !details.has('base moved') && !details.has('key changed')) {
            details.set('not cached', report === undefined
                ? input.restore === undefined
                    ? 'caching is off'
                    : 'no cache lookup for it'
                : report.warning !== undefined
                    ? `no usable cache entry (${report.warning})`
                    : report.result === 'partial'
                        ? `no cache entry for its key (built from ${report.restoredKey ?? 'a fallback entry'})`
                        : 'no cache entry for it');
        }
        const reasons = REBUILD_REASONS.filter((reason) => details.has(reason));
        if (reasons.length === 0)
            continue;
        rebuiltStages.push({
            index,
            stage: nameOf(index),
            reason: reasons[0],
            reasons,
            detail: details.get(reasons[0]),
        });
    }
    // ---- what the build is given ----
    const forced = new Set([...moved, ...stale]);
    const noCacheFilters = plan.order.flatMap((index) => {
        const name = plan.stages[index].name;
        return (movedDirect.has(index) || staleDirect.has(index)) && name !== null ? [name] : [];
    });
    const builtAt = now.toISOString();
    const refreshed = new Map();
    for (const key of input.keys) {
        if (forced.has(key.stage) && restoreOf.get(key.stage)?.result === 'exact') {
            refreshed.set(key.stage, refreshStageKey(key, builtAt));
        }
    }
    const saveKeys = applyRefreshedKeys(input.keys, previous).map((key) => refreshed.get(key.stage) ?? key);
    return {
        images,
        driftedImages,
        baseDrift: driftedImages.length > 0,
        stagesOnMovedBase: plan.order.filter((index) => moved.has(index)).map(nameOf),
        staleStages: plan.order.filter((index) => staleDirect.has(index)).map(nameOf),
        rebuiltStages,
        noCacheFilters,
        dropCacheFrom: plan.order.filter((index) => dropCacheFrom.has(index)),
        refreshedKeys: [...refreshed.values()].map(({ stage, key, restoreKeys }) => ({
            stage,
            key,
            restoreKeys,
        })),
        saveKeys,
        warnings,
        previous: previous.found
            ? {
                found: true,
                createdAt: previous.document.createdAt,
                key: previous.key,
                ...(previous.document.run === undefined ? {} : { run: previous.document.run }),
                ...(previous.document.size === undefined ? {} : { size: previous.document.size }),
            }
            : { found: false, reason: previous.reason },
        ...(maxAge === undefined ? {} : { maxCacheAgeMs: maxAge }),
    };
}

;// CONCATENATED MODULE: ./src/report/units.ts
// Sizes as Docker prints them, and the strict parsers for the size and budget inputs. Pure.
//
// Docker formats image sizes with go-units `HumanSizeWithPrecision(size, 3)`: divide by 1000 while the value
// is at least 1000 (B, kB, MB, GB, …), then Go's `%.3g` and the unit with no space: `999B`, `1kB`, `1.02kB`,
// `77.9MB`, `1.5GB`. We reproduce `%.3g` exactly (three significant digits, ties to even on the exact binary
// value, trailing zeros dropped) with one deliberate difference: where Go rounds 999.5–999.99 up to `1e+03kB`,
// we move to the next unit and print `1MB`.

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const PRECISION = 3;
/** `bytes` as Docker shows it: `0B`, `999B`, `1.23kB`, `77.9MB`. A negative size gets a leading `-`. */
function formatSize(bytes) {
    if (!Number.isFinite(bytes))
        throw new RangeError(`formatSize: ${bytes} is not a finite number`);
    if (bytes < 0)
        return `-${formatSize(-bytes)}`;
    const last = DECIMAL_UNITS.length - 1;
    let size = bytes;
    let unit = 0;
    while (size >= 1000 && unit < last) {
        size /= 1000;
        unit++;
    }
    if (unit < last && size > 0 && roundSignificant(size, PRECISION).exponent >= PRECISION) {
        size /= 1000;
        unit++;
    }
    return `${formatGo(size, PRECISION)}${DECIMAL_UNITS[unit]}`;
}
/** A size change with an explicit ASCII sign: `+1.2MB`, `-512B`; no change is `0B`. */
function formatSizeDelta(bytes) {
    return bytes === 0 ? '0B' : `${bytes > 0 ? '+' : '-'}${formatSize(Math.abs(bytes))}`;
}
/** A count change with an explicit sign: `+2`, `-1`, `0`. */
function formatCountDelta(count) {
    return count > 0 ? `+${count}` : `${count}`;
}
/**
 * A relative change, one decimal, signed by the direction of the change itself (so a tiny growth reads
 * `+0.0%`): `+3.4%`, `-0.5%`, `0.0%`; `n/a` when the baseline was 0 and the value moved.
 */
function formatPercentDelta(delta) {
    if (delta.change === 0)
        return '0.0%';
    if (delta.percent === undefined)
        return 'n/a';
    return `${delta.change > 0 ? '+' : '-'}${Math.abs(delta.percent).toFixed(1)}%`;
}
/** Go's `%.<precision>g` for a non-negative finite number. */
function formatGo(value, precision) {
    if (value === 0)
        return '0';
    const { digits, exponent } = roundSignificant(value, precision);
    if (exponent < -4 || exponent >= precision) {
        const mantissa = trimFraction(`${digits[0]}.${digits.slice(1)}`);
        const sign = exponent < 0 ? '-' : '+';
        return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
    }
    if (exponent >= 0) {
        return trimFraction(`${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`);
    }
    return trimFraction(`0.${'0'.repeat(-exponent - 1)}${digits}`);
}
/**
 * `value` (positive, finite) rounded to `precision` significant digits: the digits and the decimal exponent
 * of the first one. Rounds the exact binary value, ties to even, as Go's strconv does.
 */
function roundSignificant(value, precision) {
    if (value >= 1e21) {
        const [mantissa, exp] = value.toExponential(precision - 1).split('e');
        return { digits: mantissa.replace('.', ''), exponent: Number(exp) };
    }
    // toFixed is exact (the spec asks for the integer n closest to value × 10^f), and 100 places hold the whole
    // decimal expansion of any double from 2^-48 up, which covers every size.
    const fixed = value.toFixed(100);
    const point = fixed.indexOf('.');
    const all = fixed.slice(0, point) + fixed.slice(point + 1);
    const first = all.search(/[1-9]/);
    let exponent = point - first - 1;
    let digits = all.slice(first, first + precision).padEnd(precision, '0');
    const rest = all.slice(first + precision);
    const head = rest[0] ?? '0';
    const tail = /[1-9]/.test(rest.slice(1));
    const odd = Number(digits[digits.length - 1]) % 2 === 1;
    if (head > '5' || (head === '5' && (tail || odd))) {
        const next = (BigInt(digits) + 1n).toString();
        if (next.length > precision) {
            digits = next.slice(0, precision);
            exponent++;
        }
        else {
            digits = next;
        }
    }
    return { digits, exponent };
}
function trimFraction(text) {
    return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
const SIZE_UNITS = new Map([
    ['b', 1],
    ['k', 1e3],
    ['kb', 1e3],
    ['m', 1e6],
    ['mb', 1e6],
    ['g', 1e9],
    ['gb', 1e9],
    ['t', 1e12],
    ['tb', 1e12],
    ['kib', 1024],
    ['mib', 1024 ** 2],
    ['gib', 1024 ** 3],
    ['tib', 1024 ** 4],
]);
const SIZE_EXAMPLES = 'a size with a unit such as 150MB, 1.5GB or 500kB';
/**
 * A size input in bytes: a non-negative number and a unit, decimal as Docker's (`B`, `kB`, `MB`, `GB`, `TB`,
 * case-insensitive, the `B` optional after a prefix) or binary (`KiB`, `MiB`, `GiB`, `TiB`); one space
 * between them at most. A bare number is refused: `150` is far more likely a slip than 150 bytes.
 */
function parseSize(value, input = 'size') {
    const match = /^(\d+(?:\.\d+)?|\.\d+) ?([A-Za-z]+)$/.exec(value);
    const multiplier = match === null ? undefined : SIZE_UNITS.get(match[2].toLowerCase());
    if (match === null || multiplier === undefined) {
        const hint = /^\d+(?:\.\d+)?$/.test(value.trim()) ? ' (the unit is required)' : '';
        throw new InputError(`Input ${input}: expected ${SIZE_EXAMPLES}${hint}, got ${JSON.stringify(value)}`);
    }
    const bytes = Math.round(Number(match[1]) * multiplier);
    if (!Number.isSafeInteger(bytes)) {
        throw new InputError(`Input ${input}: ${JSON.stringify(value)} is too large`);
    }
    return bytes;
}
/** A percentage input such as `5%` or `0.1%`: a non-negative number, then `%`. */
function parsePercent(value, input = 'percent') {
    const match = /^(\d+(?:\.\d+)?|\.\d+) ?%$/.exec(value);
    if (match === null) {
        throw new InputError(`Input ${input}: expected a percentage such as 5% or 0.1%, got ${JSON.stringify(value)}`);
    }
    return Number(match[1]);
}
/** `max-increase`: a percentage of the baseline (`5%`) or a size (`10MB`). */
function parseMaxIncrease(value, input = 'max-increase') {
    if (/%\s*$/.test(value))
        return { kind: 'percent', percent: parsePercent(value, input) };
    if (/^(\d+(?:\.\d+)?|\.\d+) ?[A-Za-z]+$/.test(value)) {
        return { kind: 'bytes', bytes: parseSize(value, input) };
    }
    throw new InputError(`Input ${input}: expected a percentage such as 5% or ${SIZE_EXAMPLES}, got ${JSON.stringify(value)}`);
}
function formatMaxIncrease(limit) {
    return limit.kind === 'percent' ? `${limit.percent}%` : formatSize(limit.bytes);
}

;// CONCATENATED MODULE: ./src/options.ts
// One validated Options value from raw inputs, whether they came from action.yml inputs or CLI flags.
// Names and meanings follow docker/build-push-action; parsing is stricter (STYLE.md section 6).




/** Input names as action.yml and the CLI spell them. */
const INPUTS = [
    'file',
    'context',
    'target',
    'build-args',
    'build-contexts',
    'platforms',
    'tags',
    'labels',
    'annotations',
    'push',
    'load',
    'outputs',
    'secrets',
    'secret-files',
    'ssh',
    'builder',
    'pull',
    'no-cache',
    'no-cache-filters',
    'network',
    'add-hosts',
    'shm-size',
    'ulimit',
    'provenance',
    'sbom',
    'cache-from',
    'cache-to',
    'cache',
    'cache-ref',
    'cache-dir',
    'cache-key-salt',
    'github-token',
    'comment',
    'comment-threshold',
    'size-limit',
    'max-increase',
    'fail-on-budget',
    'baseline-image',
    'mode',
    'max-cache-age',
];
const OUTPUTS = (/* unused pure expression or super */ null && ([
    'stages',
    'skipped-stages',
    'target',
    'plan',
    'imageid',
    'digest',
    'metadata',
    'cache-hits',
    'cache-bytes-restored',
    'cache-bytes-saved',
    'size',
    'size-uncompressed',
    'size-delta',
    'size-delta-percent',
    'baseline-size',
    'report',
    'base-drift',
    'drifted-images',
    'rebuilt-stages',
]));
/** Where stage caches live: the GitHub Actions cache, a local directory, a registry, or nowhere. */
const CACHE_BACKENDS = ['gha', 'local', 'registry', 'off'];
/** When the size comment is written: every run, only when the size moved (or one exists), or never. */
const COMMENT_MODES = ['always', 'on-change', 'never'];
/**
 * Scheduled rebuilds (`mode`): `auto` treats schedule and workflow_dispatch events as scheduled runs, `scheduled`
 * every run, `normal` none.
 */
const RUN_MODES = ['auto', 'scheduled', 'normal'];
/** `comment-threshold` when empty, in percent: on-change comments on a move of more than this. */
const DEFAULT_COMMENT_THRESHOLD = 0.1;
/** BuildKit's network modes for RUN (`--network`). */
const NETWORK_MODES = ['default', 'none', 'host'];

/** Newline-separated items, blank lines and surrounding whitespace dropped. */
function splitLines(value) {
    return (value ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
}
/** `NAME=VALUE` lines; the value may hold `=` and commas. */
function parseKeyValueLines(input, value) {
    const pairs = new Map();
    for (const line of splitLines(value)) {
        const eq = line.indexOf('=');
        if (eq <= 0)
            throw new InputError(`Input ${input}: expected NAME=VALUE, got ${JSON.stringify(line)}`);
        pairs.set(line.slice(0, eq), line.slice(eq + 1));
    }
    return pairs;
}
/**
 * Items one per line, where an item may be double-quoted to span lines (`"KEY=line 1↵line 2"`; `""` is a
 * quote inside). Unquoted lines are trimmed; a quoted item keeps its text exactly. As build-push-action reads
 * `secrets`, so a multi-line secret (a key, a certificate) can be given.
 */
function splitQuotedItems(input, value) {
    const text = (value ?? '').replace(/\r\n/g, '\n');
    const items = [];
    let i = 0;
    while (i < text.length) {
        const lineEnd = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
        const line = text.slice(i, lineEnd);
        const lead = line.length - line.trimStart().length;
        if (line.trimStart().startsWith('"')) {
            let j = i + lead + 1;
            let item = '';
            for (;;) {
                const quote = text.indexOf('"', j);
                if (quote === -1) {
                    throw new InputError(`Input ${input}: a quoted item is not closed: ${JSON.stringify(line)}`);
                }
                item += text.slice(j, quote);
                if (text[quote + 1] === '"') {
                    item += '"';
                    j = quote + 2;
                    continue;
                }
                j = quote + 1;
                break;
            }
            const restEnd = text.indexOf('\n', j) === -1 ? text.length : text.indexOf('\n', j);
            if (text.slice(j, restEnd).trim() !== '') {
                throw new InputError(`Input ${input}: unexpected text after a quoted item: ${JSON.stringify(text.slice(j, restEnd))}`);
            }
            items.push(item);
            i = restEnd + 1;
        }
        else {
            if (line.trim() !== '')
                items.push(line.trim());
            i = lineEnd + 1;
        }
    }
    return items;
}
function toOptions(raw, environment = 'local') {
    const problems = [];
    /** Runs one parser; an InputError becomes a problem (reported together), anything else is a bug. */
    function read(parse, fallback) {
        try {
            return parse();
        }
        catch (error) {
            if (!(error instanceof InputError))
                throw error;
            problems.push(error.message);
            return fallback;
        }
    }
    const context = options_nonEmpty(raw.context) ?? '.';
    const file = options_nonEmpty(raw.file) ?? external_node_path_default().join(context, 'Dockerfile');
    const platforms = splitLines(raw.platforms).flatMap((line) => line
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''));
    const cache = read(() => parseCache(raw.cache, environment), defaultCache(environment));
    const options = {
        file,
        context,
        target: options_nonEmpty(raw.target),
        buildArgs: read(() => parseKeyValueLines('build-args', raw['build-args']), new Map()),
        buildContexts: read(() => parseKeyValueLines('build-contexts', raw['build-contexts']), new Map()),
        platforms,
        tags: read(() => parseNoCommaLines('tags', raw.tags, 'one tag per line'), []),
        labels: read(() => parseKeyValueLines('labels', raw.labels), new Map()),
        annotations: read(() => parseAnnotations(raw.annotations), []),
        push: read(() => parseBoolean('push', raw.push, false), false),
        load: read(() => parseBoolean('load', raw.load, false), false),
        outputs: splitLines(raw.outputs),
        secrets: read(() => parseSecrets(raw.secrets), []),
        secretFiles: read(() => parseSecretFiles(raw['secret-files']), []),
        ssh: splitLines(raw.ssh),
        builder: options_nonEmpty(raw.builder),
        pull: read(() => parseBoolean('pull', raw.pull, false), false),
        noCache: read(() => parseBoolean('no-cache', raw['no-cache'], false), false),
        noCacheFilters: read(() => parseNoCommaLines('no-cache-filters', raw['no-cache-filters'], 'one stage per line'), []),
        network: read(() => parseNetwork(raw.network), undefined),
        addHosts: read(() => parseAddHosts(raw['add-hosts']), []),
        shmSize: read(() => parseShmSize(raw['shm-size']), undefined),
        ulimits: read(() => parseUlimits(raw.ulimit), []),
        provenance: read(() => parseAttestation('provenance', raw.provenance), undefined),
        sbom: read(() => parseAttestation('sbom', raw.sbom), undefined),
        cacheFrom: splitLines(raw['cache-from']),
        cacheTo: splitLines(raw['cache-to']),
        cache,
        cacheRef: options_nonEmpty(raw['cache-ref']),
        cacheDir: options_nonEmpty(raw['cache-dir']),
        cacheKeySalt: raw['cache-key-salt']?.trim() ?? '',
        githubToken: options_nonEmpty(raw['github-token']),
        comment: read(() => parseCommentMode(raw.comment), 'always'),
        commentThreshold: read(() => options_optional(raw['comment-threshold'], (v) => parsePercent(v, 'comment-threshold')), undefined) ?? DEFAULT_COMMENT_THRESHOLD,
        sizeLimit: read(() => options_optional(raw['size-limit'], (v) => parseSize(v, 'size-limit')), undefined),
        maxIncrease: read(() => options_optional(raw['max-increase'], (v) => parseMaxIncrease(v, 'max-increase')), undefined),
        failOnBudget: read(() => parseBoolean('fail-on-budget', raw['fail-on-budget'], true), true),
        baselineImage: read(() => parseBaselineImage(raw['baseline-image']), undefined),
        mode: read(() => parseMode(raw.mode), 'auto'),
        maxCacheAge: read(() => options_optional(raw['max-cache-age'], (v) => parseMaxCacheAge(v, 'max-cache-age')), undefined),
    };
    problems.push(...conflicts(options, raw, environment));
    if (problems.length === 1)
        throw new InputError(problems[0]);
    if (problems.length > 1) {
        throw new InputError(`${problems.length} input problems:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    }
    return options;
}
/** The cache backend when the `cache` input is empty: the Actions cache on a runner, a directory elsewhere. */
function defaultCache(environment) {
    return environment === 'actions' ? 'gha' : 'local';
}
/**
 * The options as they may be logged: Maps as objects, secret values replaced by `***` (ids kept), and
 * credential attributes (`token=`, `secret…=`, `password=`) blanked in cache and output specs.
 */
function redact(options) {
    return {
        ...options,
        buildArgs: Object.fromEntries(options.buildArgs),
        buildContexts: Object.fromEntries(options.buildContexts),
        labels: Object.fromEntries(options.labels),
        secrets: options.secrets.map((secret) => ({ id: secret.id, value: '***' })),
        githubToken: options.githubToken === undefined ? undefined : '***',
        outputs: options.outputs.map(redactSpec),
        cacheFrom: options.cacheFrom.map(redactSpec),
        cacheTo: options.cacheTo.map(redactSpec),
    };
}
/** A buildx `key=value,...` spec with the values of credential keys replaced by `***`. */
function redactSpec(spec) {
    return spec.replace(/(^|,)(\s*"?[^,=]*(?:token|secret|password)[^,=]*=)[^,]*/gi, (_match, sep, key) => `${sep}${key}***`);
}
/**
 * The exporter type of a buildx `--output` spec: its `type=` field, or what buildx assumes for a bare value
 * (`-` is a tar stream, anything else a local directory). `registry` is reported as itself.
 */
function outputType(spec) {
    const fields = spec.split(',').map((field) => field.trim());
    for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq > 0 && field.slice(0, eq).toLowerCase() === 'type')
            return field.slice(eq + 1).toLowerCase();
    }
    if (fields.length === 1 && !spec.includes('='))
        return spec.trim() === '-' ? 'tar' : 'local';
    return '';
}
/**
 * Whether a run is a scheduled rebuild: `mode: scheduled`, or `mode: auto` (the default) on a schedule or
 * workflow_dispatch event.
 */
function isScheduledRun(mode, eventName) {
    return mode === 'scheduled' || (mode === 'auto' && ['schedule', 'workflow_dispatch'].includes(eventName));
}
function conflicts(options, raw, environment) {
    const found = [];
    if (options.mode === 'normal' && options.maxCacheAge !== undefined) {
        found.push('Inputs max-cache-age and mode conflict: max-cache-age applies to scheduled runs, but mode is normal; use mode auto (scheduled on schedule and workflow_dispatch events) or scheduled');
    }
    if (options.push) {
        const others = options.outputs.filter((spec) => !['image', 'registry'].includes(outputType(spec)));
        if (others.length > 0) {
            found.push(`Inputs push and outputs conflict: push applies to image outputs, but outputs has ${others
                .map((spec) => JSON.stringify(spec))
                .join(', ')}; drop push and add an output type=image,push=true or type=registry`);
        }
    }
    if (options.load) {
        const others = options.outputs.filter((spec) => outputType(spec) !== 'docker');
        if (others.length > 0) {
            found.push(`Inputs load and outputs conflict: load is the output type=docker, but outputs has ${others
                .map((spec) => JSON.stringify(spec))
                .join(', ')}; drop load or list type=docker in outputs`);
        }
    }
    if (options.cache === 'registry' && options.cacheRef === undefined) {
        found.push('Input cache-ref is required when cache is registry (for example ghcr.io/acme/app-cache)');
    }
    const cacheSource = options_nonEmpty(raw.cache) === undefined
        ? ` (the default ${environment === 'actions' ? 'on a runner' : 'outside Actions'})`
        : '';
    if (options.cacheRef !== undefined && options.cache !== 'registry') {
        found.push(`Inputs cache-ref and cache conflict: cache-ref applies to cache: registry, but cache is ${options.cache}${cacheSource}`);
    }
    if (options.cacheDir !== undefined && options.cache !== 'local') {
        found.push(`Inputs cache-dir and cache conflict: cache-dir applies to cache: local, but cache is ${options.cache}${cacheSource}`);
    }
    const fromSecrets = new Set(options.secrets.map((secret) => secret.id));
    const twice = [
        ...new Set(options.secretFiles.map((secret) => secret.id).filter((id) => fromSecrets.has(id))),
    ];
    if (twice.length > 0) {
        found.push(`Inputs secrets and secret-files conflict: both define the secret id ${twice.map((id) => JSON.stringify(id)).join(', ')}`);
    }
    return found;
}
// YAML 1.2 core booleans, as @actions/core getBooleanInput accepts them.
const TRUE_VALUES = new Set(['true', 'True', 'TRUE']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE']);
/** A boolean input: `true` or `false` (YAML 1.2 core spellings); empty means the default. */
function parseBoolean(input, value, fallback) {
    const trimmed = value?.trim() ?? '';
    if (trimmed === '')
        return fallback;
    if (TRUE_VALUES.has(trimmed))
        return true;
    if (FALSE_VALUES.has(trimmed))
        return false;
    throw new InputError(`Input ${input}: expected true or false, got ${JSON.stringify(value)}`);
}
function parseMode(value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return 'auto';
    if (RUN_MODES.includes(trimmed))
        return trimmed;
    throw new InputError(`Input mode: expected one of ${RUN_MODES.join(', ')}, got ${JSON.stringify(value)}`);
}
function parseCommentMode(value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return 'always';
    if (COMMENT_MODES.includes(trimmed))
        return trimmed;
    throw new InputError(`Input comment: expected one of ${COMMENT_MODES.join(', ')}, got ${JSON.stringify(value)}`);
}
/** A parser applied to a non-empty value (trimmed); empty means undefined. */
function options_optional(value, parse) {
    const trimmed = options_nonEmpty(value);
    return trimmed === undefined ? undefined : parse(trimmed);
}
/** One image reference, as `docker buildx imagetools inspect` takes it. */
function parseBaselineImage(value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return undefined;
    if (/[\s,]/.test(trimmed)) {
        throw new InputError(`Input baseline-image: expected one image reference such as ghcr.io/acme/app:main, got ${JSON.stringify(value)}`);
    }
    return trimmed;
}
function parseCache(value, environment) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return defaultCache(environment);
    if (CACHE_BACKENDS.includes(trimmed))
        return trimmed;
    throw new InputError(`Input cache: expected one of ${CACHE_BACKENDS.join(', ')}, got ${JSON.stringify(value)}`);
}
/** Newline-separated items that can never contain a comma; one that does is a list written the wrong way. */
function parseNoCommaLines(input, value, hint) {
    const items = splitLines(value);
    for (const item of items) {
        if (item.includes(',')) {
            throw new InputError(`Input ${input}: ${hint} (only platforms also splits on commas), got ${JSON.stringify(item)}`);
        }
        if (/\s/.test(item))
            throw new InputError(`Input ${input}: ${hint}, got ${JSON.stringify(item)}`);
    }
    return items;
}
function parseAnnotations(value) {
    const items = splitLines(value);
    for (const item of items) {
        if (item.indexOf('=') <= 0) {
            throw new InputError(`Input annotations: expected KEY=VALUE or TYPE:KEY=VALUE (such as manifest:org.opencontainers.image.title=app), got ${JSON.stringify(item)}`);
        }
    }
    return items;
}
function parseSecrets(value) {
    return splitQuotedItems('secrets', value).map((item) => {
        const eq = item.indexOf('=');
        const id = eq === -1 ? '' : item.slice(0, eq).trim();
        // The message must not echo the item: it may be a secret written the wrong way.
        if (id === '')
            throw new InputError('Input secrets: expected ID=VALUE on each line (the value is not shown)');
        return { id, value: item.slice(eq + 1) };
    });
}
function parseSecretFiles(value) {
    return splitQuotedItems('secret-files', value).map((item) => {
        const eq = item.indexOf('=');
        const id = eq === -1 ? '' : item.slice(0, eq).trim();
        const file = eq === -1 ? '' : item.slice(eq + 1).trim();
        if (id === '' || file === '') {
            throw new InputError(`Input secret-files: expected ID=PATH, got ${JSON.stringify(item)}`);
        }
        return { id, path: file };
    });
}
function parseNetwork(value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return undefined;
    if (NETWORK_MODES.includes(trimmed))
        return trimmed;
    throw new InputError(`Input network: expected one of ${NETWORK_MODES.join(', ')} (BuildKit's modes for RUN), got ${JSON.stringify(value)}`);
}
function parseAddHosts(value) {
    const items = parseNoCommaLines('add-hosts', value, 'one HOST:IP per line');
    for (const item of items) {
        if (!/^[^:=\s]+[:=]\S+$/.test(item)) {
            throw new InputError(`Input add-hosts: expected HOST:IP such as docker:10.180.0.1, got ${JSON.stringify(item)}`);
        }
    }
    return items;
}
/** go-units RAMInBytes, which buildx uses for `--shm-size`: a number and an optional binary unit. */
function parseShmSize(value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return undefined;
    if (/^\d+(\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$/.test(trimmed))
        return trimmed;
    throw new InputError(`Input shm-size: expected a size such as 2g or 512m, got ${JSON.stringify(value)}`);
}
// The names go-units ParseUlimit knows.
const ULIMIT_NAMES = new Set([
    'core',
    'cpu',
    'data',
    'fsize',
    'locks',
    'memlock',
    'msgqueue',
    'nice',
    'nofile',
    'nproc',
    'rss',
    'rtprio',
    'rttime',
    'sigpending',
    'stack',
]);
function parseUlimits(value) {
    const items = splitLines(value);
    for (const item of items) {
        const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(item);
        const name = match?.[1];
        if (match === null || name === undefined || !ULIMIT_NAMES.has(name)) {
            throw new InputError(`Input ulimit: expected TYPE=SOFT[:HARD] such as nofile=1024:1024, got ${JSON.stringify(item)}`);
        }
        const soft = Number(match[2]);
        const hard = match[3] === undefined ? soft : Number(match[3]);
        if (soft !== -1 && hard !== -1 && soft > hard) {
            throw new InputError(`Input ulimit: the soft limit exceeds the hard limit in ${JSON.stringify(item)}`);
        }
    }
    return items;
}
/** `provenance` / `sbom`: `true`, `false`, or buildx attestation attributes (`mode=max`, `generator=...`). */
function parseAttestation(input, value) {
    const trimmed = options_nonEmpty(value);
    if (trimmed === undefined)
        return undefined;
    if (TRUE_VALUES.has(trimmed))
        return 'true';
    if (FALSE_VALUES.has(trimmed))
        return 'false';
    const fields = trimmed.split(',').map((field) => field.trim());
    if (fields.every((field) => /^[A-Za-z][\w.-]*=/.test(field)) && !/(^|,)\s*type=/i.test(trimmed)) {
        return trimmed;
    }
    throw new InputError(`Input ${input}: expected true, false or attributes such as ${input === 'provenance' ? 'mode=max' : 'generator=IMAGE'} (without type=), got ${JSON.stringify(value)}`);
}
function options_nonEmpty(value) {
    const trimmed = value?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

;// CONCATENATED MODULE: ./src/buildx/specs.ts
// The buildx specs both ways of building share (bake file and `docker buildx build` argv): secrets, attestations,
// the image's outputs, the Dockerfile path. Pure.


/** The environment variable that carries the value of `options.secrets[index]` to buildx. */
function secretEnvName(index) {
    return `STAGECRAFT_SECRET_${index}`;
}
/**
 * Values for the variables the secret specs name. The caller adds them to buildx's environment; they never
 * appear in argv, in the bake file or in a log.
 */
function secretEnvironment(options) {
    const env = {};
    options.secrets.forEach((secret, index) => {
        env[secretEnvName(index)] = secret.value;
    });
    return env;
}
/** buildx `--secret` specs: `id=…,env=STAGECRAFT_SECRET_n` for values, `id=…,src=…` for files. */
function secretSpecs(options) {
    return [
        ...options.secrets.map((secret, index) => specs_csvFields([`id=${secret.id}`, `env=${secretEnvName(index)}`])),
        ...options.secretFiles.map((secret) => specs_csvFields([`id=${secret.id}`, `src=${secret.path}`])),
    ];
}
/**
 * `--attest` specs for the provenance and sbom inputs, as buildx's CanonicalizeAttest writes them:
 * `true` → `type=T,disabled=false`, `false` → `type=T,disabled=true`, attributes → `type=T,<attributes>`.
 */
function attestSpecs(options) {
    const specs = [];
    for (const [type, value] of [
        ['provenance', options.provenance],
        ['sbom', options.sbom],
    ]) {
        if (value === undefined)
            continue;
        if (value === 'true' || value === 'false')
            specs.push(`type=${type},disabled=${value === 'false'}`);
        else
            specs.push(`type=${type},${value}`);
    }
    return specs;
}
/**
 * The image's outputs with `push` and `load` folded in, as buildx 0.13 does for `docker buildx build`
 * (controller/build/build.go): push sets `push=true` on every image output or adds `type=image,push=true`;
 * load adds `type=docker` unless a docker output without `dest` is there. Bake has no push/load field per
 * target (its `--push`/`--load` flags apply to every target), so the bake file carries this list.
 */
function imageOutputs(options) {
    const outputs = [...options.outputs];
    if (options.push) {
        let pushed = false;
        outputs.forEach((spec, index) => {
            const type = outputType(spec);
            if (type === 'image') {
                outputs[index] = /(^|,)\s*push=/.test(spec)
                    ? spec.replace(/((?:^|,)\s*push=)[^,]*/, '$1true')
                    : `${spec},push=true`;
                pushed = true;
            }
            else if (type === 'registry') {
                pushed = true;
            }
        });
        if (!pushed)
            outputs.push('type=image,push=true');
    }
    if (options.load) {
        const loaded = outputs.some((spec) => outputType(spec) === 'docker' && !/(^|,)\s*dest=/.test(spec));
        if (!loaded)
            outputs.push('type=docker');
    }
    return outputs;
}
/** Whether a context is a remote one (git or HTTP URL), which buildx reads itself. */
function isRemoteContext(context) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || /^git@/.test(context);
}
/**
 * The Dockerfile as the bake file names it. Bake resolves a relative `dockerfile` against the context (not
 * the working directory, as `docker buildx build --file` does), so a local file is made absolute from `cwd`.
 */
function bakeDockerfile(options, cwd) {
    if (isRemoteContext(options.context) || external_node_path_default().isAbsolute(options.file))
        return options.file;
    return external_node_path_default().resolve(cwd, options.file);
}
/** One CSV record the way Go's encoding/csv reads it back: fields with `,`, `"` or a newline are quoted. */
function specs_csvFields(fields) {
    return fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
}
/** `NAME=VALUE` items from a map, in insertion order. */
function keyValues(map) {
    return [...map].map(([key, value]) => `${key}=${value}`);
}

;// CONCATENATED MODULE: ./src/buildx/bake-file.ts

/** Inputs set in `options` that a buildx 0.13 bake file cannot express (build with `buildBuildArgs` then). */
function bakeUnsupportedInputs(options) {
    return options.addHosts.length > 0 ? ['add-hosts'] : [];
}
function buildBakeFile(input) {
    const { options } = input;
    const unsupported = bakeUnsupportedInputs(options);
    if (unsupported.length > 0) {
        throw new Error(`buildBakeFile: buildx bake cannot express ${unsupported.join(', ')}; use buildBuildArgs`);
    }
    const target = input.targetName?.toLowerCase();
    for (const stage of input.stageTargets) {
        if (stage.name.trim() === '')
            throw new Error('buildBakeFile: a stage target without a name');
        if (target !== undefined && stage.name.toLowerCase() === target) {
            throw new Error(`buildBakeFile: ${JSON.stringify(stage.name)} is the image target; give its export as targetCacheTo`);
        }
    }
    const shared = sharedFields(options, input.cwd);
    const cacheFrom = [...input.cacheFrom, ...options.cacheFrom];
    const ids = new Set();
    const stageTargetIds = new Map();
    const targets = {};
    for (const stage of input.stageTargets) {
        const id = uniqueId(stage.name, ids);
        stageTargetIds.set(stage.name, id);
        targets[id] = {
            context: shared.context,
            dockerfile: shared.dockerfile,
            target: stage.name,
            ...shared.build,
            ...listField('cache-from', cacheFrom),
            ...listField('cache-to', stage.cacheTo),
            output: ['type=cacheonly'],
        };
    }
    const imageTarget = uniqueId(input.targetName ?? 'image', ids);
    targets[imageTarget] = {
        context: shared.context,
        dockerfile: shared.dockerfile,
        ...(input.targetName === undefined ? {} : { target: input.targetName }),
        ...shared.args,
        ...mapField('labels', options.labels),
        ...listField('tags', options.tags),
        ...listField('annotations', options.annotations),
        ...shared.rest,
        ...listField('attest', attestSpecs(options)),
        ...listField('cache-from', cacheFrom),
        ...listField('cache-to', [...input.targetCacheTo, ...options.cacheTo]),
        ...listField('output', imageOutputs(options)),
    };
    const order = [...stageTargetIds.values(), imageTarget];
    const compose = options.network === undefined
        ? undefined
        : {
            services: Object.fromEntries(order.map((id) => [id, { build: { network: options.network } }])),
        };
    return {
        definition: { target: escapeTemplates(targets) },
        compose,
        targets: order,
        imageTarget,
        stageTargetIds,
        secretEnv: secretEnvironment(options),
    };
}
/** The bake file's text: two-space JSON, one trailing newline. */
function renderBakeFile(definition) {
    return `${JSON.stringify(definition, null, 2)}\n`;
}
/** The fields every target shares, so their solves are the same and BuildKit runs each step once. */
function sharedFields(options, cwd) {
    const args = {
        ...mapField('args', options.buildArgs),
        ...mapField('contexts', options.buildContexts),
    };
    const rest = {
        ...listField('platforms', options.platforms),
        ...listField('secret', secretSpecs(options)),
        ...listField('ssh', options.ssh),
        ...(options.pull ? { pull: true } : {}),
        ...(options.noCache ? { 'no-cache': true } : {}),
        ...listField('no-cache-filter', options.noCacheFilters),
        ...(options.shmSize === undefined ? {} : { 'shm-size': options.shmSize }),
        ...listField('ulimits', options.ulimits),
    };
    return {
        context: options.context,
        dockerfile: bakeDockerfile(options, cwd),
        args,
        rest,
        build: { ...args, ...rest },
    };
}
function listField(key, values) {
    return values.length === 0 ? {} : { [key]: [...values] };
}
function mapField(key, values) {
    return values.size === 0
        ? {}
        : { [key]: Object.fromEntries(values) };
}
/** A bake target id (`[a-zA-Z0-9_-]+`, not starting with `-`) from a stage name, unique among `taken`. */
function uniqueId(name, taken) {
    const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').replace(/^-/, '_') || 'image';
    let id = base;
    for (let n = 2; taken.has(id); n++)
        id = `${base}-${n}`;
    taken.add(id);
    return id;
}
/** Escapes HCL template sequences in every string, keys included: `${` → `$${`, `%{` → `%%{`. */
function escapeTemplates(value) {
    const escape = (text) => text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
    if (typeof value === 'string')
        return escape(value);
    if (Array.isArray(value))
        return value.map((item) => escapeTemplates(item));
    if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [escape(key), escapeTemplates(item)]));
    }
    return value;
}

;// CONCATENATED MODULE: ./src/buildx/args.ts

/** `docker buildx bake [--builder B] --file F [--file C] --metadata-file M --progress=P <targets…>`. */
function buildBakeArgs(input) {
    if (input.targets.length === 0)
        throw new Error('buildBakeArgs: no targets');
    for (const target of input.targets) {
        if (!/^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/.test(target)) {
            throw new Error(`buildBakeArgs: ${JSON.stringify(target)} is not a bake target id`);
        }
    }
    return [
        'docker',
        'buildx',
        'bake',
        ...args_optional('--builder', input.builder),
        '--file',
        input.bakeFile,
        ...args_optional('--file', input.composeFile),
        '--metadata-file',
        input.metadataFile,
        `--progress=${input.progress}`,
        ...input.targets,
    ];
}
/**
 * `docker buildx build …` for one target: the fallback when bake cannot be used (no cache export on the
 * builder, `cache: off`, or inputs bake cannot express such as `add-hosts`), or one step of a sequence of
 * cache-only stage builds followed by the image build. Secrets name the same environment variables as the
 * bake file (specs.ts `secretEnvironment`). `options.file` and `options.context` are passed as written:
 * buildx resolves both against its working directory.
 */
function buildBuildArgs(input) {
    const { options } = input;
    const image = input.kind === 'image';
    const argv = ['docker', 'buildx', 'build', ...args_optional('--builder', options.builder)];
    argv.push('--file', options.file);
    if (input.target !== undefined)
        argv.push('--target', input.target);
    argv.push(...repeat('--build-arg', keyValues(options.buildArgs)));
    argv.push(...repeat('--build-context', keyValues(options.buildContexts)));
    if (options.platforms.length > 0)
        argv.push('--platform', options.platforms.join(','));
    argv.push(...repeat('--secret', secretSpecs(options)));
    argv.push(...repeat('--ssh', options.ssh));
    if (options.pull)
        argv.push('--pull');
    if (options.noCache)
        argv.push('--no-cache');
    argv.push(...repeat('--no-cache-filter', options.noCacheFilters));
    argv.push(...args_optional('--network', options.network));
    argv.push(...repeat('--add-host', options.addHosts));
    argv.push(...args_optional('--shm-size', options.shmSize));
    argv.push(...repeat('--ulimit', options.ulimits));
    if (image) {
        argv.push(...repeat('--tag', options.tags));
        argv.push(...repeat('--label', keyValues(options.labels)));
        argv.push(...repeat('--annotation', options.annotations));
        argv.push(...repeat('--attest', attestSpecs(options)));
    }
    argv.push(...repeat('--cache-from', [...input.cacheFrom, ...options.cacheFrom]));
    argv.push(...repeat('--cache-to', image ? [...input.cacheTo, ...options.cacheTo] : input.cacheTo));
    argv.push(...repeat('--output', image ? imageOutputs(options) : ['type=cacheonly']));
    argv.push(...args_optional('--metadata-file', input.metadataFile));
    argv.push(`--progress=${input.progress}`);
    // A context that starts with `-` would read as a flag.
    argv.push(options.context.startsWith('-') ? `./${options.context}` : options.context);
    return argv;
}
function args_optional(flag, value) {
    return value === undefined ? [] : [flag, value];
}
function repeat(flag, values) {
    return values.flatMap((value) => [flag, value]);
}

;// CONCATENATED MODULE: ./src/buildx/detect.ts
// What the builder can do: buildx's version, the builder, its driver, BuildKit's version, and whether it can
// export caches and build for several platforms. `detectBuilder` runs three commands once; everything it
// reads is parsed by the pure functions below, tested on output recorded from this machine (testdata/).

/** `docker buildx` is missing or does not run: the message says what the command printed. */
class BuildxUnavailableError extends Error {
    name = 'BuildxUnavailableError';
}
/** The fields of `docker info` we read, as one JSON object. */
const DOCKER_INFO_FORMAT = '{"serverVersion":{{json .ServerVersion}},"driver":{{json .Driver}},"driverStatus":{{json .DriverStatus}}}';
/**
 * The three commands. `--debug` makes `buildx inspect` print the driver's feature list (Cache export,
 * Multi-platform build, …), buildx's own verdict; `--bootstrap` starts a stopped builder so it can answer.
 */
function buildDetectArgs(builder) {
    return {
        version: ['docker', 'buildx', 'version'],
        inspect: [
            'docker',
            '--debug',
            'buildx',
            'inspect',
            '--bootstrap',
            ...(builder === undefined ? [] : [builder]),
        ],
        info: ['docker', 'info', '--format', DOCKER_INFO_FORMAT],
    };
}
/**
 * Runs `docker buildx version`, `docker --debug buildx inspect --bootstrap [builder]` and `docker info`.
 * Throws BuildxUnavailableError when buildx is missing, RunError when inspecting the builder fails. A
 * failing `docker info` (a remote builder without a local engine) only means no containerd store is seen.
 */
async function detectBuilder(exec, options = {}) {
    const commands = buildDetectArgs(options.builder);
    const execOptions = {
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    // All three at once (they take ~0.1 s each); the version decides whether the others mean anything.
    const [version, inspect, info] = await Promise.all([
        exec(commands.version, execOptions).catch((error) => asError(error)),
        exec(commands.inspect, execOptions).catch((error) => asError(error)),
        exec(commands.info, execOptions).catch(() => undefined),
    ]);
    if (version instanceof Error) {
        throw new BuildxUnavailableError(`docker buildx is not available: ${version.message}`);
    }
    if (version.exitCode !== 0) {
        throw new BuildxUnavailableError(`docker buildx is not available: ${tailLines(version.stderr || version.stdout, 3) || `exit code ${version.exitCode}`}`);
    }
    if (inspect instanceof Error)
        throw inspect;
    if (inspect.exitCode !== 0) {
        throw new RunError(commands.inspect, inspect.exitCode, tailLines(inspect.stderr || inspect.stdout));
    }
    return resolveBuilderInfo(version.stdout, inspect.stdout, info !== undefined && info.exitCode === 0 ? info.stdout : undefined);
}
function asError(error) {
    return error instanceof Error ? error : new Error(String(error));
}
/** `github.com/docker/buildx v0.13.1 788433953…` or Debian's `github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3`. */
function parseBuildxVersion(text) {
    const match = /^\S*buildx\S*\s+v?(\d+\.\d+\.\d+\S*)/m.exec(text.trim());
    if (match === null)
        throw new Error(`cannot read a version from docker buildx version: ${JSON.stringify(text.trim())}`);
    return match[1];
}
/**
 * `docker buildx inspect` text: `Key: value` lines for the builder, then `Nodes:` with one block per node
 * (each opened by `Name:`), whose `Features:` and `Labels:` sections are indented lines. Reads buildx 0.13's
 * `BuildKit version:` and older `BuildKit:` / `Buildkit:` alike.
 */
function parseBuilderInspect(text) {
    const builder = new Map();
    const nodes = [];
    let section;
    let inNodes = false;
    for (const raw of text.split('\n')) {
        const line = raw.replace(/\r$/, '');
        if (line.trim() === '')
            continue;
        const indented = /^\s/.test(line);
        const colon = line.indexOf(':');
        const key = colon === -1 ? line.trim() : line.slice(0, colon).trim();
        const value = colon === -1 ? '' : line.slice(colon + 1).trim();
        const node = nodes[nodes.length - 1];
        if (indented) {
            if (node === undefined)
                continue;
            if (section === 'features')
                node.features.set(key, value === 'true');
            else if (section === 'labels')
                node.labels.set(key, value);
            continue;
        }
        section = undefined;
        if (!inNodes) {
            if (key === 'Nodes' && value === '')
                inNodes = true;
            else
                builder.set(key, value);
            continue;
        }
        if (key === 'Name') {
            nodes.push({ name: value, fields: new Map(), features: new Map(), labels: new Map() });
        }
        else if (node !== undefined) {
            if (key === 'Features' && value === '')
                section = 'features';
            else if (key === 'Labels' && value === '')
                section = 'labels';
            else if (value === '')
                section = 'other';
            else
                node.fields.set(key, value);
        }
    }
    const name = builder.get('Name');
    const driver = builder.get('Driver');
    if (name === undefined || driver === undefined) {
        throw new Error(`cannot read the builder's name and driver from docker buildx inspect: ${JSON.stringify(text.slice(0, 200))}`);
    }
    return {
        name,
        driver,
        error: builder.get('Error'),
        nodes: nodes.map((node) => ({
            name: node.name,
            endpoint: node.fields.get('Endpoint'),
            status: node.fields.get('Status'),
            error: node.fields.get('Error'),
            buildkitVersion: node.fields.get('BuildKit version') ?? node.fields.get('BuildKit') ?? node.fields.get('Buildkit'),
            platforms: (node.fields.get('Platforms') ?? '')
                .split(',')
                .map((platform) => platform.trim().replace(/\*$/, ''))
                .filter((platform) => platform !== ''),
            features: node.features,
            labels: node.labels,
        })),
    };
}
/** The JSON object `docker info --format DOCKER_INFO_FORMAT` prints. */
function parseDockerInfo(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        throw new Error(`cannot read docker info: ${JSON.stringify(text.trim().slice(0, 200))}`);
    }
    const info = typeof value === 'object' && value !== null ? value : {};
    const status = Array.isArray(info.driverStatus) ? info.driverStatus : [];
    const containerdStore = status.some((pair) => Array.isArray(pair) && pair[0] === 'driver-type' && pair[1] === 'io.containerd.snapshotter.v1');
    return {
        serverVersion: typeof info.serverVersion === 'string' ? info.serverVersion : undefined,
        storageDriver: typeof info.driver === 'string' ? info.driver : undefined,
        containerdStore,
    };
}
/**
 * Combines the three outputs. Support comes from the driver's feature list where buildx printed one (every
 * node must have the feature); otherwise from the rule buildx 0.13 applies (driver/docker/driver.go): the
 * docker driver can export caches and build multi-platform only on the containerd image store; the other
 * drivers run their own BuildKit and can.
 */
function resolveBuilderInfo(versionText, inspectText, infoText) {
    const inspect = parseBuilderInspect(inspectText);
    const failure = inspect.error ?? inspect.nodes.find((node) => node.error !== undefined)?.error;
    if (failure !== undefined)
        throw new Error(`builder ${inspect.name} (${inspect.driver}): ${failure}`);
    const info = infoText === undefined ? undefined : parseDockerInfo(infoText);
    const containerdStore = info?.containerdStore ?? false;
    const ruleSays = inspect.driver !== 'docker' || containerdStore;
    const feature = (name) => {
        const listed = inspect.nodes.filter((node) => node.features.has(name));
        if (listed.length === 0)
            return ruleSays;
        return listed.every((node) => node.features.get(name) === true);
    };
    const version = inspect.nodes.map((node) => node.buildkitVersion).find((v) => v !== undefined);
    return {
        buildxVersion: parseBuildxVersion(versionText),
        builder: inspect.name,
        driver: inspect.driver,
        buildkitVersion: version === undefined || /^v?0\.0\.0\b/.test(version) ? undefined : version,
        containerdStore,
        supportsCacheExport: feature('Cache export'),
        supportsMultiPlatform: feature('Multi-platform build'),
        platforms: [...new Set(inspect.nodes.flatMap((node) => node.platforms))],
        dockerVersion: info?.serverVersion,
    };
}
/**
 * Why per-stage caches cannot be exported on this builder, for the log; undefined when they can. The build
 * then goes ahead without per-stage export rather than failing.
 */
function explainNoCacheExport(info) {
    if (info.supportsCacheExport)
        return undefined;
    if (info.driver === 'docker' && !info.containerdStore) {
        return (`builder ${info.builder} uses the docker driver without the containerd image store, which cannot ` +
            'export build caches (only inline); building without per-stage caches. Enable the containerd image ' +
            'store ({"features":{"containerd-snapshotter":true}} in daemon.json) or use a docker-container builder ' +
            '(docker/setup-buildx-action).');
    }
    return `builder ${info.builder} (${info.driver} driver) cannot export build caches; building without per-stage caches.`;
}
/**
 * Inputs this builder cannot honour, each naming the inputs and the builder; empty when it can. Checked
 * before anything is restored, so the job fails up front as with conflicting inputs.
 */
function checkBuilderSupport(options, info) {
    const problems = [];
    if (options.platforms.length > 1 && !info.supportsMultiPlatform) {
        const why = info.driver === 'docker' && !info.containerdStore
            ? 'the docker driver builds several platforms only with the containerd image store'
            : 'the builder does not support multi-platform builds';
        problems.push(`Input platforms lists ${options.platforms.length} platforms (${options.platforms.join(', ')}) but builder ${info.builder} (${info.driver} driver) cannot build them: ${why}`);
    }
    return problems;
}

;// CONCATENATED MODULE: ./src/buildx/metadata.ts
// The `--metadata-file` buildx writes: one object for `build`, one per target for `bake`. Pure.
class MetadataError extends Error {
    name = 'MetadataError';
}
/** A `docker buildx build --metadata-file` document. */
function parseBuildMetadata(text) {
    return toBuildMetadata(parseObject(text, 'build metadata'), 'build metadata');
}
/**
 * A `docker buildx bake --metadata-file` document: target id → its metadata. Top-level keys that are not
 * targets (`buildx.build.warnings` in newer buildx) are skipped.
 */
function parseBakeMetadata(text) {
    const document = parseObject(text, 'bake metadata');
    const targets = new Map();
    for (const [key, value] of Object.entries(document)) {
        if (key.startsWith('buildx.'))
            continue;
        if (!isRecord(value))
            throw new MetadataError(`bake metadata: target ${JSON.stringify(key)} is not an object`);
        targets.set(key, toBuildMetadata(value, `bake metadata for ${key}`));
    }
    return targets;
}
/** The outputs of a build that produced no metadata (skipped, failed, or a cache-only run). */
const EMPTY_METADATA = {
    imageid: '',
    digest: '',
    metadata: '',
    cacheManifest: undefined,
    imageName: undefined,
};
function toBuildMetadata(entry, what) {
    const digest = stringField(entry, 'containerimage.digest', what) ?? '';
    const configDigest = stringField(entry, 'containerimage.config.digest', what);
    return {
        imageid: configDigest ?? digest,
        digest,
        metadata: JSON.stringify(entry, null, 2),
        cacheManifest: cacheManifestDigest(entry, what),
        imageName: stringField(entry, 'image.name', what),
    };
}
/** `cache.manifest` is a JSON descriptor inside a string: `{"mediaType":…,"digest":"sha256:…","size":…}`. */
function cacheManifestDigest(entry, what) {
    const raw = stringField(entry, 'cache.manifest', what);
    if (raw === undefined)
        return undefined;
    let descriptor;
    try {
        descriptor = JSON.parse(raw);
    }
    catch {
        throw new MetadataError(`${what}: cache.manifest is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
    }
    const digest = isRecord(descriptor) ? descriptor.digest : undefined;
    if (typeof digest !== 'string')
        throw new MetadataError(`${what}: cache.manifest has no digest`);
    return digest;
}
function stringField(entry, key, what) {
    const value = entry[key];
    if (value === undefined)
        return undefined;
    if (typeof value !== 'string')
        throw new MetadataError(`${what}: ${key} is not a string`);
    return value;
}
function parseObject(text, what) {
    let document;
    try {
        document = JSON.parse(text);
    }
    catch (error) {
        throw new MetadataError(`${what}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!isRecord(document))
        throw new MetadataError(`${what}: expected a JSON object`);
    return document;
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

;// CONCATENATED MODULE: ./src/buildx/progress.ts
// buildx `--progress=plain` output: the vertices (steps) it reports, whether each was cached or ran, and the
// error block a failed build ends with. Pure; tested on output recorded from buildx 0.13 (testdata/).
//
// The plain printer writes, per vertex `#N`: its name when it starts (again after another vertex interrupted
// it, with `#N ...` marking the interruption), status lines (`transferring context: 40B done`), log lines
// with a timestamp (`#8 0.270 built`), and one of `#N DONE 1.3s`, `#N CACHED`, `#N ERROR: …`, `#N CANCELED`.
// Dockerfile steps are named by BuildKit `[<platform> <stage> k/n] INSTRUCTION` (platform only when building
// for several, stage omitted in a one-stage Dockerfile, `stage-N` for an unnamed stage); `[internal] …` are
// BuildKit's own. A bake of several targets prefixes every name with its target: `[build deps 1/2] FROM …`,
// `[deps] exporting cache to client directory`. A bake of one target does not.
const VERTEX_LINE = /^#(\d+) (.*)$/;
const LOG_LINE = /^\d+\.\d+ (.*)$/;
const DONE_LINE = /^DONE (\d+(?:\.\d+)?)s$/;
/** Every vertex the output reports, in the order each first appeared. */
function parseProgress(text, options) {
    const vertices = new Map();
    for (const raw of text.split('\n')) {
        const line = raw.replace(/\r$/, '');
        const match = VERTEX_LINE.exec(line);
        if (match === null)
            continue;
        const id = Number(match[1]);
        const rest = match[2];
        if (id === 0)
            continue; // `#0 building with "default" instance using docker driver`
        let vertex = vertices.get(id);
        if (vertex === undefined) {
            vertex = { id, name: rest, status: 'running', logs: [] };
            vertices.set(id, vertex);
            continue;
        }
        if (rest === vertex.name || rest === '...')
            continue;
        const done = DONE_LINE.exec(rest);
        if (done !== null) {
            vertex.status = vertex.status === 'cached' ? 'cached' : 'done';
            vertex.durationS = Number(done[1]);
        }
        else if (rest === 'CACHED') {
            vertex.status = 'cached';
        }
        else if (rest === 'CANCELED') {
            vertex.status = 'canceled';
        }
        else if (rest.startsWith('ERROR: ')) {
            vertex.status = 'error';
            vertex.error = rest.slice('ERROR: '.length);
        }
        else {
            const log = LOG_LINE.exec(rest);
            if (log !== null)
                vertex.logs.push(log[1]);
        }
    }
    return [...vertices.values()].map((vertex) => describeVertex(vertex, options));
}
function describeVertex(vertex, options) {
    const parsed = parseVertexName(vertex.name, options.prefixedByTarget);
    return {
        id: vertex.id,
        name: vertex.name,
        ...parsed,
        status: vertex.status,
        cached: vertex.status === 'cached',
        ...(vertex.error === undefined ? {} : { error: vertex.error }),
        ...(vertex.durationS === undefined ? {} : { durationS: vertex.durationS }),
        logs: vertex.logs,
    };
}
/** Splits `[target platform stage k/n] INSTRUCTION` into its parts. */
function parseVertexName(name, prefixedByTarget) {
    const bracket = /^\[([^\]]*)\] ?(.*)$/.exec(name);
    if (bracket === null) {
        return {
            target: undefined,
            platform: undefined,
            stage: undefined,
            step: undefined,
            instruction: name,
            internal: true,
        };
    }
    const tokens = bracket[1].split(' ').filter((token) => token !== '');
    const instruction = bracket[2];
    // Bake's own `[internal] load local bake definitions` has no target.
    const ownInternal = tokens.length === 1 && tokens[0] === 'internal';
    const target = prefixedByTarget && !ownInternal ? tokens.shift() : undefined;
    if (tokens[0] === 'internal') {
        return { target, platform: undefined, stage: undefined, step: undefined, instruction, internal: true };
    }
    let platform;
    let step;
    const stepMatch = /^(\d+)\/(\d+)$/.exec(tokens[tokens.length - 1] ?? '');
    if (stepMatch !== null) {
        tokens.pop();
        step = { index: Number(stepMatch[1]), total: Number(stepMatch[2]) };
    }
    if (tokens[0]?.includes('/'))
        platform = tokens.shift();
    const stage = step === undefined ? undefined : tokens[0];
    // `[deps] exporting cache …`: a target's own vertex, not a Dockerfile step.
    const internal = step === undefined;
    return { target, platform, stage, step, instruction, internal };
}
/**
 * What the log and the tests want to know: which steps were cached, which stages ran, which RUN steps
 * executed. FROM steps are left out: an image already in the store shows `DONE` after a prune although
 * nothing was built. A vertex BuildKit shares between bake targets is printed once, under one target.
 */
function summarizeProgress(vertices) {
    // A bake prints a step shared by several targets under each of them, under new vertex numbers: count
    // each (platform, stage, step) once, as executed if any of its copies ran.
    const byStep = new Map();
    for (const vertex of vertices) {
        if (vertex.step === undefined || /^FROM\s/i.test(vertex.instruction))
            continue;
        const id = `${vertex.platform ?? ''}|${vertex.stage ?? ''}|${vertex.step.index}/${vertex.step.total}|${vertex.instruction}`;
        const seen = byStep.get(id);
        if (seen === undefined || (seen.cached && !vertex.cached))
            byStep.set(id, vertex);
    }
    const steps = [...byStep.values()];
    const cachedSteps = steps.filter((vertex) => vertex.cached);
    const executedSteps = steps.filter((vertex) => !vertex.cached);
    const stageOf = (vertex) => vertex.stage ?? '(unnamed)';
    const stagesRun = unique(executedSteps.map(stageOf));
    const stagesCached = unique(steps.map(stageOf)).filter((stage) => !stagesRun.includes(stage));
    return {
        steps,
        cachedSteps,
        executedSteps,
        executedRuns: executedSteps.filter((vertex) => /^RUN\s/i.test(vertex.instruction)),
        stagesRun,
        stagesCached,
        fullyCached: steps.length > 0 && executedSteps.length === 0,
        failed: vertices.filter((vertex) => vertex.status === 'error'),
    };
}
/** The error block that ends a failed build's output, or undefined when there is no `ERROR:` line. */
function parseBuildError(output) {
    const lines = output.split('\n').map((line) => line.replace(/\r$/, ''));
    let errorIndex = -1;
    for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i].startsWith('ERROR: ')) {
            errorIndex = i;
            break;
        }
    }
    if (errorIndex === -1)
        return undefined;
    let start = errorIndex;
    while (start > 0 && !VERTEX_LINE.test(lines[start - 1]))
        start--;
    const block = lines.slice(start, errorIndex + 1);
    while (block.length > 0 && block[0].trim() === '')
        block.shift();
    const stepLine = block.find((line) => line.startsWith(' > '));
    const locationLine = block.map((line) => /^(\S+):(\d+)$/.exec(line)).find((match) => match !== null);
    return {
        message: lines[errorIndex].slice('ERROR: '.length),
        step: stepLine?.slice(3).replace(/:$/, ''),
        location: locationLine === undefined || locationLine === null
            ? undefined
            : { file: locationLine[1], line: Number(locationLine[2]) },
        text: block.join('\n'),
    };
}
function unique(values) {
    return [...new Set(values)];
}

;// CONCATENATED MODULE: ./src/buildx/run.ts
// Runs buildx through Exec (argv only, never a shell), streams its progress line by line to the caller, and
// turns a failure into a RunError that carries buildx's own error block. Also writes the bake files and
// reads the metadata file: the only file access in buildx/.





/** A failed buildx run: `stderrTail` is buildx's error block (failing step, Dockerfile excerpt, `ERROR:`). */
class BuildxRunError extends RunError {
    buildError;
    output;
    constructor(argv, exitCode, 
    /** The parsed error block, when buildx printed one. */
    buildError, 
    /** All buildx printed, for parsing the progress of the steps that did run. */
    output) {
        super(argv, exitCode, buildError?.text ?? tailLines(output, 20));
        this.buildError = buildError;
        this.output = output;
    }
}
/** Runs one buildx command; resolves on exit code 0, throws BuildxRunError otherwise. */
async function runBuildx(exec, argv, options = {}) {
    const onLine = options.onLine ?? (() => undefined);
    const stderrLines = createLineSplitter(onLine);
    const stdoutLines = createLineSplitter(onLine);
    const result = await exec(argv, {
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onStderr: stderrLines.push,
        onStdout: stdoutLines.push,
    });
    stderrLines.flush();
    stdoutLines.flush();
    const output = result.stdout === '' ? result.stderr : `${result.stderr}${result.stdout}`;
    if (result.exitCode !== 0) {
        throw new BuildxRunError(argv, result.exitCode, parseBuildError(result.stderr), output);
    }
    return { exitCode: 0, output, stderrTail: tailLines(result.stderr) };
}
/** Cuts a stream of chunks into lines (`\r\n` or `\n`); `flush` hands over a last line without a newline. */
function createLineSplitter(onLine) {
    let pending = '';
    return {
        push(chunk) {
            pending += chunk;
            let newline = pending.indexOf('\n');
            while (newline !== -1) {
                onLine(pending.slice(0, newline).replace(/\r$/, ''));
                pending = pending.slice(newline + 1);
                newline = pending.indexOf('\n');
            }
        },
        flush() {
            if (pending !== '')
                onLine(pending.replace(/\r$/, ''));
            pending = '';
        },
    };
}
/**
 * Writes the bake definition (and the compose override for `network`) into `dir`, readable by the owner
 * only: extra cache specs may carry credentials.
 */
async function writeBakeFiles(dir, bake) {
    const bakeFile = external_node_path_default().join(dir, 'stagecraft.bake.json');
    await writePrivate(bakeFile, renderBakeFile(bake.definition));
    let composeFile;
    if (bake.compose !== undefined) {
        // JSON is YAML; bake recognises a compose file by its .yaml name.
        composeFile = external_node_path_default().join(dir, 'stagecraft.compose.yaml');
        await writePrivate(composeFile, renderBakeFile(bake.compose));
    }
    return { bakeFile, composeFile };
}
/** The metadata file's text, or undefined when buildx wrote none (a failed build). */
async function readMetadataFile(file) {
    try {
        return await (0,promises_.readFile)(file, 'utf8');
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }
}
async function writePrivate(file, text) {
    await (0,promises_.writeFile)(file, text, { mode: 0o600 });
    await (0,promises_.chmod)(file, 0o600);
}

;// CONCATENATED MODULE: ./src/buildx/images.ts
/**
 * The layer diff IDs of `image` in the engine's image store (`docker image inspect`), or undefined when the
 * image is not there.
 */
async function readImageLayers(exec, image) {
    const result = await exec(['docker', 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', image], {
        timeoutMs: 30_000,
    });
    if (result.exitCode !== 0)
        return undefined;
    return parseLayerList(result.stdout);
}
/** `["sha256:…", …]` as `docker image inspect` prints it; anything else is no layers. */
function parseLayerList(text) {
    try {
        const value = JSON.parse(text);
        return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Writes `images` from the engine's image store as an OCI layout in `dir` (`docker save`, then its blobs
 * unpacked): a local copy, no registry involved. Returns false when the engine could not save them.
 */
async function saveImagesAsLayout(exec, images, dir) {
    const archive = `${dir}/images.tar`;
    const saved = await exec(['docker', 'image', 'save', '--output', archive, ...images], {
        timeoutMs: 600_000,
    });
    if (saved.exitCode !== 0)
        return false;
    const unpacked = await exec(['tar', '-x', '-f', archive, '-C', dir, 'blobs'], { timeoutMs: 600_000 });
    return unpacked.exitCode === 0;
}
/**
 * The reference that pulls `image` at `digest`: its repository (the tag dropped) `@digest`. A reference that
 * already pins a digest is returned as it is.
 */
function digestReference(image, digest) {
    if (image.includes('@'))
        return image;
    const slash = image.lastIndexOf('/');
    const colon = image.lastIndexOf(':');
    const repository = colon > slash ? image.slice(0, colon) : image;
    return `${repository}@${digest}`;
}
/** `docker pull` of one reference for one platform (argument vector, no shell); true when it worked. */
async function pullImage(exec, reference, platform) {
    const result = await exec(['docker', 'pull', '--quiet', '--platform', platform, reference], {
        timeoutMs: 600_000,
    });
    return result.exitCode === 0;
}

;// CONCATENATED MODULE: ./src/buildx/build.ts
// One build of the target and the stage exports: a single `docker buildx bake` run (one solve, shared work),
// or, when bake cannot express an input (add-hosts), a `docker buildx build` per stage export and one for
// the image, in build order.







async function runBuild(exec, request) {
    return bakeUnsupportedInputs(request.options).length === 0
        ? runBake(exec, request)
        : runBuildsInSequence(exec, request);
}
async function runBake(exec, request) {
    const bake = buildBakeFile({
        options: request.options,
        stageTargets: request.stageTargets,
        targetCacheTo: request.targetCacheTo,
        cacheFrom: request.cacheFrom,
        targetName: request.targetName,
        cwd: request.cwd,
    });
    const files = await writeBakeFiles(request.workDir, bake);
    const metadataFile = external_node_path_default().join(request.workDir, 'metadata.json');
    const argv = buildBakeArgs({
        bakeFile: files.bakeFile,
        composeFile: files.composeFile,
        metadataFile,
        builder: request.options.builder,
        progress: 'plain',
        targets: bake.targets,
    });
    request.onCommand?.(argv);
    const result = await runBuildx(exec, argv, {
        cwd: request.cwd,
        env: { ...request.env, ...bake.secretEnv },
        onLine: request.onLine,
    });
    const text = await readMetadataFile(metadataFile);
    return {
        metadata: text === undefined ? undefined : parseBakeMetadata(text).get(bake.imageTarget),
        progress: summarizeProgress(parseProgress(result.output, { prefixedByTarget: bake.targets.length > 1 })),
    };
}
async function runBuildsInSequence(exec, request) {
    const env = { ...request.env, ...secretEnvironment(request.options) };
    const outputs = [];
    const build = async (argv) => {
        request.onCommand?.(argv);
        outputs.push((await runBuildx(exec, argv, { cwd: request.cwd, env, onLine: request.onLine })).output);
    };
    for (const stage of request.stageTargets) {
        await build(buildBuildArgs({
            options: request.options,
            kind: 'cache-only',
            target: stage.name,
            cacheFrom: request.cacheFrom,
            cacheTo: stage.cacheTo,
            progress: 'plain',
        }));
    }
    const metadataFile = external_node_path_default().join(request.workDir, 'metadata.json');
    await build(buildBuildArgs({
        options: request.options,
        kind: 'image',
        target: request.targetName,
        cacheFrom: request.cacheFrom,
        cacheTo: request.targetCacheTo,
        metadataFile,
        progress: 'plain',
    }));
    const text = await readMetadataFile(metadataFile);
    return {
        metadata: text === undefined ? undefined : parseBuildMetadata(text),
        progress: summarizeProgress(parseProgress(outputs.join('\n'), { prefixedByTarget: false })),
    };
}
/**
 * A failure in BuildKit's cache export rather than in the build itself (e.g. two stage exports writing the
 * same blob at once: `error writing layer blob`, a `locked` ref). The image can still be built without the
 * exports, so the caller retries instead of failing the job over a cache fault.
 */
function isCacheExportFailure(error) {
    const text = `${error.buildError?.step ?? ''}\n${error.buildError?.text ?? ''}\n${error.stderrTail}`;
    return /exporting (?:cache|to client directory)|error writing layer blob|writing cache manifest/i.test(text);
}
/** What BuildKit ran in a build that failed: its progress up to the failure. */
function failedBuildProgress(error, request) {
    const bake = bakeUnsupportedInputs(request.options).length === 0;
    return summarizeProgress(parseProgress(error.output, { prefixedByTarget: bake && request.stageTargets.length > 0 }));
}
/** Two attempts at one build as one: a step counts as run when it ran in either. */
function mergeProgress(earlier, later) {
    return summarizeProgress([...earlier.steps, ...later.steps]);
}

;// CONCATENATED MODULE: ./src/buildx/resolve.ts
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



const DEFAULT_RESOLVE_TIMEOUT_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;
/** A manifest or index that cannot give a digest for the platform; `failure` says which kind. */
class ResolveError extends Error {
    failure;
    name = 'ResolveError';
    constructor(failure, message) {
        super(message);
        this.failure = failure;
    }
}
// ---- pure -----------------------------------------------------------------------------------------------------
/** The argv that reads a reference's manifest or index without pulling. */
function buildImagetoolsRawArgs(ref, docker = 'docker') {
    return [docker, 'buildx', 'imagetools', 'inspect', '--raw', ref];
}
/** `name@sha256:<hex>` (a tag may come before the `@`) → the digest; otherwise undefined. */
function pinnedDigest(ref) {
    return /@(sha256:[0-9a-f]{64})$/.exec(ref.trim())?.[1];
}
function sha256Digest(text) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(text, 'utf8').digest('hex')}`;
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
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function indexEntry(value, what) {
    if (!isObject(value) || typeof value.digest !== 'string' || !DIGEST.test(value.digest)) {
        throw new ResolveError('invalid-manifest', `${what}: an index entry without a sha256 digest`);
    }
    const p = value.platform;
    const platform = isObject(p) && typeof p.os === 'string' && typeof p.architecture === 'string'
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
        attestation: annotations['vnd.docker.reference.type'] === 'attestation-manifest' ||
            (platform?.os === 'unknown' && platform.architecture === 'unknown'),
    };
}
/** containerd's matching form: lower case, `amd64/v1` → `amd64`, `arm64/v8` → `arm64`, `arm` → `arm/v7`. */
function normalized(platform) {
    const os = platform.os.toLowerCase();
    let architecture = platform.architecture.toLowerCase();
    let variant = (platform.variant ?? '').toLowerCase();
    if (architecture === 'x86_64' || architecture === 'x86-64')
        architecture = 'amd64';
    if (architecture === 'aarch64')
        architecture = 'arm64';
    if (architecture === 'amd64' && variant === 'v1')
        variant = '';
    if (architecture === 'arm64' && (variant === 'v8' || variant === '8'))
        variant = '';
    if (architecture === 'arm' && (variant === '' || variant === '7'))
        variant = 'v7';
    if (architecture === 'arm' && /^[568]$/.test(variant))
        variant = `v${variant}`;
    return { os, architecture, ...(variant === '' ? {} : { variant }) };
}
/** The variants a platform's images can also run, best first (containerd's `platforms.Only` for amd64 and arm). */
function compatibleVariants(platform) {
    const variant = platform.variant ?? '';
    const ladder = platform.architecture === 'amd64'
        ? ['v4', 'v3', 'v2', '']
        : platform.architecture === 'arm'
            ? ['v8', 'v7', 'v6', 'v5']
            : [variant];
    const at = ladder.indexOf(variant);
    return at < 0 ? [variant] : ladder.slice(at);
}
/** The index entry an engine on `platform` would pull: the exact platform, else the best compatible variant. */
function selectIndexEntry(entries, platform, what) {
    const wanted = normalized(platform);
    const images = entries.filter((entry) => !entry.attestation && !INDEX_TYPES.has(entry.mediaType));
    for (const variant of compatibleVariants(wanted)) {
        const match = images.find((entry) => {
            if (entry.platform === undefined)
                return false;
            const candidate = normalized(entry.platform);
            return (candidate.os === wanted.os &&
                candidate.architecture === wanted.architecture &&
                (candidate.variant ?? '') === variant);
        });
        if (match !== undefined)
            return match;
    }
    const present = images.map((entry) => entry.platform === undefined ? '(no platform)' : formatPlatform(normalized(entry.platform)));
    throw new ResolveError('no-platform', `${what} has no image for ${formatPlatform(wanted)} (it has ${present.join(', ') || 'none'})`);
}
/**
 * `imagetools inspect --raw` output → the platform's manifest digest, and the index digest when the reference
 * is an index. Throws `ResolveError` for a document that is neither, a schema 1 manifest (its digest is not
 * the hash of what the registry returns), or an index without the platform.
 */
function parseRawManifest(text, platform, what) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (error) {
        throw new ResolveError('invalid-manifest', `${what}: the registry's answer is not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!isObject(value))
        throw new ResolveError('invalid-manifest', `${what}: the manifest is not a JSON object`);
    const mediaType = typeof value.mediaType === 'string'
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
    if (MANIFEST_TYPES.has(mediaType))
        return { digest: rawDigest };
    const schema1 = value.schemaVersion === 1 || mediaType.includes('manifest.v1+prettyjws');
    throw new ResolveError('invalid-manifest', schema1
        ? `${what} has a schema 1 manifest, which stagecraft cannot digest (push it again with a current client)`
        : `${what} has media type ${JSON.stringify(mediaType)}, not an image index or manifest`);
}
/** A failed inspect → what kind of failure, and buildx's own message (its `ERROR: ` prefix dropped). */
function classifyInspectFailure(exitCode, stderr) {
    const said = tailLines(stderr, 3)
        .split('\n')
        .map((line) => line.replace(/^ERROR:\s*/, ''))
        .join('; ');
    const reason = said === '' ? `docker buildx imagetools inspect exited with code ${exitCode}` : said;
    if (/invalid reference format|must be lowercase/i.test(said))
        return { failure: 'invalid-reference', reason };
    if (/unauthori[sz]ed|authentication required|denied|insufficient_scope|\b40[13]\b/i.test(said))
        return { failure: 'unauthorized', reason };
    if (/not found|manifest unknown|name unknown|\b404\b/i.test(said))
        return { failure: 'not-found', reason };
    if (/no such host|connection refused|dial tcp|i\/o timeout|network is unreachable|TLS handshake|server gave HTTP response|connection reset|EOF$/i.test(said))
        return { failure: 'unreachable', reason };
    return { failure: 'error', reason };
}
async function fetchRaw(exec, ref, options) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
    const argv = buildImagetoolsRawArgs(ref, options.docker);
    options.onDebug?.(`resolve.fetchRaw: ${JSON.stringify(argv)}`);
    if (options.signal?.aborted === true)
        return { ok: false, failure: 'timeout', reason: 'aborted' };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const late = () => ({
        ok: false,
        failure: 'timeout',
        reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : 'aborted',
    });
    try {
        const result = await exec(argv, { timeoutMs, signal: controller.signal });
        if (timedOut || controller.signal.aborted)
            return late();
        if (result.exitCode === 0)
            return { ok: true, text: result.stdout };
        return { ok: false, ...classifyInspectFailure(result.exitCode, result.stderr) };
    }
    catch (error) {
        if (timedOut || controller.signal.aborted)
            return late();
        return { ok: false, failure: 'error', reason: error instanceof Error ? error.message : String(error) };
    }
    finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
    }
}
function platformText(platform) {
    return typeof platform === 'string' ? platform : formatPlatform(platform);
}
/**
 * Each (image, platform) resolved, in the order asked. Each image is inspected once, whatever the number of
 * platforms asked for it; pinned references are not inspected. Never throws for an image.
 */
async function resolveImagePlatforms(exec, requests, options = {}) {
    const queue = [
        ...new Set(requests.map(({ image }) => image).filter((image) => pinnedDigest(image) === undefined)),
    ];
    // A small pool: at most `concurrency` inspects at once.
    const results = new Map();
    const workers = Array.from({ length: Math.min(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY), queue.length) }, async () => {
        for (let image = queue.shift(); image !== undefined; image = queue.shift()) {
            results.set(image, await fetchRaw(exec, image, options));
        }
    });
    await Promise.all(workers);
    return requests.map((request) => {
        const { image } = request;
        const platform = platformText(request.platform);
        const pinned = pinnedDigest(image);
        if (pinned !== undefined)
            return { image, platform, status: 'resolved', digest: pinned, pinned: true };
        const fetched = results.get(image);
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
        }
        catch (error) {
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
async function resolveImageDigests(exec, images, platform, options = {}) {
    return resolveImagePlatforms(exec, images.map((image) => ({ image, platform })), options);
}

;// CONCATENATED MODULE: ./src/buildx/index.ts
// buildx: argument vectors, the bake file, running buildx, its metadata and progress, and what the builder
// supports. See each file for details.











;// CONCATENATED MODULE: ./src/keys/encode.ts
// The canonical encoding everything in a key is hashed through: JSON with object keys sorted and
// `undefined` fields left out, so the same value always gives the same bytes, whatever order the code
// built it in. Hashes are sha256 in lowercase hex.

/** JSON with object keys in code-unit order and no whitespace; arrays keep their order. */
function encodeCanonical(value) {
    if (value === null || typeof value !== 'object') {
        if (typeof value === 'number' && !Number.isFinite(value)) {
            throw new TypeError(`encodeCanonical: ${value} has no JSON form`);
        }
        return JSON.stringify(value ?? null);
    }
    if (Array.isArray(value)) {
        return `[${value.map((item) => encodeCanonical(item ?? null)).join(',')}]`;
    }
    const object = value;
    const fields = [];
    for (const key of Object.keys(object).sort(compareCodeUnits)) {
        const field = object[key];
        if (field === undefined)
            continue;
        fields.push(`${JSON.stringify(key)}:${encodeCanonical(field)}`);
    }
    return `{${fields.join(',')}}`;
}
function compareCodeUnits(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
/** sha256 of the UTF-8 bytes, lowercase hex (64 characters). */
function encode_sha256Hex(text) {
    return (0,external_node_crypto_.createHash)('sha256').update(text, 'utf8').digest('hex');
}
/** sha256 of the canonical encoding. */
function hashCanonical(value) {
    return encode_sha256Hex(encodeCanonical(value));
}

;// CONCATENATED MODULE: ./src/keys/glob.ts
// Paths and wildcards of COPY/ADD sources as BuildKit resolves them against the build context:
// `system.NormalizePath` (clean, rooted at the context), fsutil's `splitWildcards`/`containsWildcards`,
// and Go's `filepath.Match` on Unix, applied one path component at a time as fsutil's `resolveWildcards`
// does (`*` and `?` never match `/`).

/** `/`-separated, cleaned, relative to the context root; `''` is the root. `..` cannot leave the root. */
function cleanContextPath(path) {
    const out = [];
    for (const part of path.split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part === '..')
            out.pop();
        else
            out.push(part);
    }
    return out.join('/');
}
function splitContextPath(path) {
    return path === '' ? [] : path.split('/');
}
function joinContextPath(dir, name) {
    return dir === '' ? name : `${dir}/${name}`;
}
/** fsutil `containsWildcards` on Unix: `*`, `?` or `[`, where `\` escapes the next character. */
function containsWildcards(component) {
    for (let i = 0; i < component.length; i++) {
        const ch = component[i];
        if (ch === '\\')
            i++;
        else if (ch === '*' || ch === '?' || ch === '[')
            return true;
    }
    return false;
}
/** ADD sources BuildKit fetches itself (HTTP or git), which never read the build context. */
function isRemoteSource(source) {
    return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source) || source.startsWith('git@');
}
/**
 * Go's `filepath.Match(pattern, name)` on Unix for one path component; a malformed pattern matches
 * nothing, as BuildKit ignores the error (`match, _ := filepath.Match(...)`).
 */
function matchComponent(pattern, name) {
    try {
        return goFilepathMatch(pattern, name);
    }
    catch (error) {
        if (error instanceof FilepathPatternError)
            return false;
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/keys/scope.ts
// The variables one build stage sees, as BuildKit's dispatcher keeps them (dockerfile2llb: dispatchArg,
// dispatchEnv, getEnv): ENV values and declared ARG values, inherited through `FROM <stage>`, used for
// `$VAR` expansion and as the environment of every RUN. Global ARGs are visible only where a stage
// redeclares them, so a build arg the Dockerfile never declares cannot change anything here.
//
// The base image's own ENV is not known here (its digest stands for it in the key). A name that only the
// base image could set, or a value derived from one, is "uncertain": a context path built from it is read
// as the whole context, so the key can never miss a file BuildKit copies.


/** BuildKit's `system.DefaultPathEnvUnix`: the PATH of a stage built `FROM scratch`. */
const DEFAULT_PATH_UNIX = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** ARGs BuildKit declares without adding them to the environment (convert.go `nonEnvArgs`). */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
/** The raw-heredoc expander BuildKit uses for COPY/ADD inline files: always `\`, quotes are text. */
const RAW_HEREDOC = { skipProcessQuotes: true };
class StageScope {
    env;
    uncertain;
    baseEnvUnknown;
    escapeToken;
    constructor(env, uncertain, 
    /** Names not in `env` might still be set by the base image (an image or a named context). */
    baseEnvUnknown, escapeToken) {
        this.env = env;
        this.uncertain = uncertain;
        this.baseEnvUnknown = baseEnvUnknown;
        this.escapeToken = escapeToken;
    }
    /** A stage on an image or a named context: its base ENV is unknown. */
    static onImage(escapeToken) {
        return new StageScope(new Map(), new Set(), true, escapeToken);
    }
    /** A stage `FROM scratch`: BuildKit's empty image, whose only variable is the default PATH. */
    static onScratch(escapeToken) {
        return new StageScope(new Map([['PATH', DEFAULT_PATH_UNIX]]), new Set(), false, escapeToken);
    }
    /** A stage `FROM <stage>` starts with everything its base stage ended with. */
    inherit() {
        return new StageScope(new Map(this.env), new Set(this.uncertain), this.baseEnvUnknown, this.escapeToken);
    }
    /** BuildKit's `ProcessWord` with the current environment (quotes removed, no word splitting). */
    expand(word, range) {
        return this.run(range, () => processWordWithMatches(word, this.env, this.escapeToken));
    }
    /** Inline COPY/ADD heredoc bodies (`ExpandRaw`): escape token `\`, quotes kept as text. */
    expandRaw(word, range) {
        return this.run(range, () => processWordWithMatches(word, this.env, '\\', RAW_HEREDOC));
    }
    /** `ProcessWords` (EXPOSE): expanded, then split into words. */
    expandWords(word, range) {
        try {
            return processWords(word, this.env, this.escapeToken);
        }
        catch (error) {
            throw withLocation(error, range);
        }
    }
    /** One ENV instruction: every pair is expanded with the environment from before the instruction. */
    applyEnv(pairs, range) {
        const expanded = pairs.map(({ key, value }) => [this.expand(key, range), this.expand(value, range)]);
        for (const [key, value] of expanded)
            this.set(key.value, value.value, key.certain && value.certain);
        return expanded.map(([key, value]) => [key.value, value.value]);
    }
    /**
     * One ARG instruction (dispatchArg): a build arg verbatim, else the default expanded with the stage's
     * environment, else the global value; declared without either, it stays unset. Returns each name with
     * its value, `null` for unset.
     */
    applyArgs(declarations, sources, range) {
        return declarations.map(({ key, value: defaultValue }) => {
            let value;
            let certain = true;
            const buildArg = sources.buildArgs.get(key);
            if (buildArg !== undefined)
                value = buildArg;
            else if (defaultValue !== undefined) {
                const expanded = this.expand(defaultValue, range);
                value = expanded.value;
                certain = expanded.certain;
            }
            else
                value = sources.globalArgs.get(key);
            if (value !== undefined && !NON_ENV_ARGS.has(key))
                this.set(key, value, certain);
            return [key, value ?? null];
        });
    }
    /** The RUN environment as sorted pairs (ENV and declared ARG values; base image ENV not included). */
    entries() {
        return [...this.env.entries()]
            .sort(([a], [b]) => compareCodeUnits(a, b))
            .map(([key, value]) => [key, value]);
    }
    set(name, value, certain) {
        this.env.set(name, value);
        if (certain)
            this.uncertain.delete(name);
        else
            this.uncertain.add(name);
    }
    run(range, lex) {
        let result;
        try {
            result = lex();
        }
        catch (error) {
            throw withLocation(error, range);
        }
        let certain = true;
        for (const name of result.matched)
            if (this.uncertain.has(name))
                certain = false;
        if (this.baseEnvUnknown && result.unmatched.size > 0)
            certain = false;
        return { value: result.result, certain };
    }
}

;// CONCATENATED MODULE: ./src/keys/normalize.ts
// Each reachable stage's instructions as BuildKit dispatches them, reduced to the values that decide what
// it builds: keyword, flags and arguments, with ARG/ENV values substituted exactly where BuildKit expands
// them (SEMANTICS §9), plus the stages, images and context paths each instruction reads.
//
// Whitespace: every argument comes from the parser as words, so comments, blank lines, continuations and
// the blanks between words never reach the encoding. A shell-form RUN (or CMD, ENTRYPOINT, HEALTHCHECK)
// command is one string that BuildKit hands to the shell unchanged and hashes into the RUN's cache key;
// it is kept byte for byte. Collapsing blanks inside it would give a key that hits where BuildKit's own
// cache misses, so the stage would rebuild on every run and never be saved again.






/** The reachable stages in plan order, normalized. Throws `DockerfileError` where BuildKit would fail. */
function normalizeStages(plan, dockerfile, request) {
    const stageByName = new Map();
    for (const stage of dockerfile.stages)
        if (stage.name !== undefined)
            stageByName.set(stage.name, stage.index);
    const context = {
        dockerfile,
        request,
        args: { buildArgs: request.buildArgs, globalArgs: plan.globalArgs },
        stageByName,
    };
    const finalScopes = new Map();
    const stages = [];
    for (const index of plan.order) {
        const planned = plan.stages[index];
        const scope = initialScope(planned.base, finalScopes, dockerfile.escapeToken);
        const instructions = [
            ...triggersOf(planned.base, dockerfile),
            ...dockerfile.stages[index].instructions,
        ].map((instruction) => normalizeInstruction(instruction, scope, planned, context));
        finalScopes.set(index, scope);
        stages.push({
            index,
            name: stageDisplayName(dockerfile.stages[index]),
            platform: planned.platform ?? platform_formatAllPlatform(request.targetPlatform),
            base: baseRef(planned.base, request),
            instructions,
        });
    }
    return stages;
}
function initialScope(base, finalScopes, escape) {
    if ('stage' in base) {
        const parent = finalScopes.get(base.stage);
        if (parent === undefined)
            throw new Error(`keys: base stage ${base.stage} is not before its child`);
        return parent.inherit();
    }
    if ('image' in base && base.image === 'scratch')
        return StageScope.onScratch(escape);
    return StageScope.onImage(escape);
}
function baseRef(base, request) {
    if ('context' in base)
        return { context: base.context, value: request.buildContexts.get(base.context) };
    return base;
}
/** A base stage's ONBUILD triggers run first in the child, parsed anew with default directives. */
function triggersOf(base, dockerfile) {
    if (!('stage' in base))
        return [];
    const triggers = [];
    for (const instruction of dockerfile.stages[base.stage].instructions) {
        if (instruction.kind !== 'onbuild')
            continue;
        try {
            const ast = parse_parseDockerfile(instruction.expression);
            if (ast.instructions.length !== 1)
                throw new errors_DockerfileError('onbuild trigger should be a single expression');
            triggers.push(parseCommand({ ...ast.instructions[0], range: instruction.range }));
        }
        catch (error) {
            throw withLocation(error, instruction.range);
        }
    }
    return triggers;
}
function normalizeInstruction(instruction, scope, holder, context) {
    const range = instruction.range;
    const line = range.start;
    const expand = (word) => scope.expand(word, range).value;
    const plain = (encoded) => ({
        line,
        encoded,
        reads: [],
        refs: [],
    });
    switch (instruction.kind) {
        case 'env':
            return plain({ keyword: 'ENV', env: scope.applyEnv(instruction.env, range) });
        case 'label':
            return plain({
                keyword: 'LABEL',
                labels: instruction.labels.map(({ key, value }) => [expand(key), expand(value)]),
            });
        case 'maintainer':
            return plain({ keyword: 'MAINTAINER', maintainer: instruction.maintainer });
        case 'copy':
        case 'add':
            return normalizeCopy(instruction, scope, holder, context);
        case 'onbuild':
            // Metadata here; the trigger runs (and is keyed) in the stages built FROM this one.
            return plain({ keyword: 'ONBUILD', expression: instruction.expression });
        case 'workdir':
            return plain({ keyword: 'WORKDIR', path: expand(instruction.path) });
        case 'run':
            return normalizeRun(instruction, scope, holder, context);
        case 'cmd':
        case 'entrypoint':
            return plain({
                keyword: instruction.kind.toUpperCase(),
                args: instruction.command.args,
                shell: instruction.command.prependShell,
            });
        case 'healthcheck':
            return plain({
                keyword: 'HEALTHCHECK',
                test: instruction.test,
                interval: instruction.interval,
                timeout: instruction.timeout,
                startPeriod: instruction.startPeriod,
                startInterval: instruction.startInterval,
                retries: instruction.retries,
            });
        case 'expose':
            return plain({
                keyword: 'EXPOSE',
                ports: instruction.ports.flatMap((port) => scope.expandWords(port, range)),
            });
        case 'user':
            return plain({ keyword: 'USER', user: expand(instruction.user) });
        case 'volume':
            return plain({ keyword: 'VOLUME', volumes: instruction.volumes.map(expand) });
        case 'stopsignal':
            return plain({ keyword: 'STOPSIGNAL', signal: expand(instruction.signal) });
        case 'arg':
            return plain({ keyword: 'ARG', args: scope.applyArgs(instruction.args, context.args, range) });
        case 'shell':
            return plain({ keyword: 'SHELL', shell: instruction.shell });
        default: {
            const unknown = instruction;
            throw new Error(`keys: unhandled instruction ${unknown.kind}`);
        }
    }
}
function normalizeCopy(instruction, scope, holder, context) {
    const range = instruction.range;
    const expand = (word) => word === undefined ? undefined : scope.expand(word, range).value;
    const sources = instruction.files.sources.map((source) => scope.expand(source, range));
    const contents = instruction.files.contents.map(({ path, data, expand: expandBody }) => ({
        path,
        data: expandBody ? scope.expandRaw(data, range).value : data,
    }));
    const from = instruction.kind === 'copy' ? instruction.from : undefined;
    const encoded = {
        keyword: instruction.kind.toUpperCase(),
        sources: sources.map((source) => source.value),
        contents,
        dest: expand(instruction.files.dest),
        chown: expand(instruction.chown),
        chmod: expand(instruction.chmod),
        link: instruction.link,
        exclude: instruction.exclude,
    };
    if (instruction.kind === 'copy') {
        encoded.from = instruction.from;
        encoded.parents = instruction.parents;
    }
    else {
        encoded.checksum = expand(instruction.checksum);
        encoded.keepGitDir = instruction.keepGitDir;
        encoded.unpack = instruction.unpack;
    }
    if (from !== undefined) {
        return { line: range.start, encoded, reads: [], refs: [resolveRef(from, holder, context)] };
    }
    const local = sources.filter((source) => !isRemoteSource(source.value));
    const parents = instruction.kind === 'copy' && instruction.parents;
    const read = copyRead(local, instruction.exclude, parents, holder.index, range);
    return { line: range.start, encoded, reads: read === undefined ? [] : [read], refs: [] };
}
function copyRead(sources, excludes, parents, stage, range) {
    if (sources.length === 0)
        return undefined;
    if (sources.some((source) => !source.certain))
        return wholeContext(stage, range);
    const paths = sources.map((source) => {
        const path = cleanContextPath(source.value);
        // `--parents` sources are include patterns, where `**` spans directories: read from above it.
        if (!parents || !path.includes('**'))
            return path;
        const parts = path.split('/');
        return parts
            .slice(0, parts.findIndex((part) => part.includes('**')))
            .join('/');
    });
    return contextRead(stage, range, paths, true, excludes);
}
function wholeContext(stage, range) {
    return contextRead(stage, range, [''], false, []);
}
function contextRead(stage, range, sources, wildcards, excludes) {
    const unique = [...new Set(sources)];
    return {
        id: encodeCanonical({ sources: unique, wildcards, excludes }),
        stage,
        line: range.start,
        sources: unique,
        wildcards,
        excludes,
    };
}
function normalizeRun(instruction, scope, holder, context) {
    const range = instruction.range;
    const reads = [];
    const refs = [];
    const mounts = instruction.mounts.map((written) => {
        let certain = true;
        let mount;
        try {
            mount = parseMount(written.raw, (word) => {
                const expanded = scope.expand(word, range);
                certain &&= expanded.certain;
                return expanded.value;
            });
        }
        catch (error) {
            throw withLocation(error, range);
        }
        if (mount.from !== undefined)
            refs.push(resolveRef(mount.from, holder, context));
        else if (mount.type === 'bind') {
            reads.push(certain
                ? contextRead(holder.index, range, [cleanContextPath(mount.source ?? '')], false, [])
                : wholeContext(holder.index, range));
        }
        return encodeMount(mount);
    });
    return {
        line: range.start,
        encoded: {
            keyword: 'RUN',
            command: instruction.command.args,
            shell: instruction.command.prependShell,
            heredocs: instruction.heredocs.map((heredoc) => ({
                name: heredoc.name,
                content: heredoc.content,
                expand: heredoc.expand,
                chomp: heredoc.chomp,
                fileDescriptor: heredoc.fileDescriptor,
            })),
            mounts,
            network: instruction.network ?? 'default',
            security: instruction.security ?? 'sandbox',
            devices: instruction.devices,
            // The RUN's environment: ENV and declared ARG values, so `ARG X` before a RUN keys it on X.
            env: scope.entries(),
        },
        reads,
        refs,
    };
}
/** A mount's values after expansion; `raw` (the text as written) is left out. */
function encodeMount(mount) {
    return {
        type: mount.type,
        from: mount.from,
        source: mount.source,
        target: mount.target,
        readOnly: mount.readOnly,
        id: mount.id,
        sharing: mount.sharing,
        mode: mount.mode,
        uid: mount.uid,
        gid: mount.gid,
        size: mount.size,
        required: mount.required,
        env: mount.env,
    };
}
/** `--from`/`from=`: a stage by index or name, else an image, or a named context replacing that image. */
function resolveRef(name, holder, context) {
    if (/^[+-]?[0-9]+$/.test(name)) {
        const index = Number(name);
        if (context.dockerfile.stages[index] !== undefined)
            return { stage: index };
    }
    const stage = context.stageByName.get(name.toLowerCase());
    if (stage !== undefined)
        return { stage };
    // The plan lists the images a stage reads; one it leaves out was replaced by a named context.
    if (name.toLowerCase() === 'scratch' || holder.images.includes(name))
        return { image: name };
    const key = namedContextKey(name, context.request.buildContexts);
    return {
        context: key ?? name,
        value: key === undefined ? undefined : context.request.buildContexts.get(key),
    };
}
/** The `--build-context` name that stands for `name`, compared as BuildKit normalizes context names. */
function namedContextKey(name, contexts) {
    const wanted = normalizedOrSelf(name);
    for (const key of contexts.keys())
        if (normalizedOrSelf(key) === wanted)
            return key;
    return undefined;
}
function normalizedOrSelf(name) {
    try {
        return normalizeContextName(name);
    }
    catch {
        return name;
    }
}
/** Every read of the main build context by the stages the target reaches, in plan order. */
function collectContextReads(plan, dockerfile, request) {
    return normalizeStages(plan, dockerfile, request).flatMap((stage) => stage.instructions.flatMap((instruction) => instruction.reads));
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: ./src/keys/git.ts
// What git says about a work tree, parsed from its `-z` output (pure; `context-hash.ts` runs git):
// which files git's index can vouch for, with the mode and blob id a content hash of the file would give.
/**
 * `git ls-files -s -v -z` (`<tag> <mode> <oid> <stage>\t<path>\0` per entry), keeping the entries that can
 * stand for a file on disk: tag `H` (not assume-unchanged `h`, not skip-worktree `S`), stage 0 (not a
 * conflict), a regular file or a symlink (not a submodule). Paths are relative to where git ran.
 */
function parseIndexCandidates(output) {
    const candidates = new Map();
    let start = 0;
    while (start < output.length) {
        let end = output.indexOf('\0', start);
        if (end < 0)
            end = output.length;
        const tab = output.indexOf('\t', start);
        const space1 = output.indexOf(' ', start);
        const space2 = space1 < 0 ? -1 : output.indexOf(' ', space1 + 1);
        const space3 = space2 < 0 ? -1 : output.indexOf(' ', space2 + 1);
        if (tab < 0 ||
            tab > end ||
            space3 < 0 ||
            space3 > tab ||
            !/^[0-3]$/.test(output.slice(space3 + 1, tab))) {
            throw new Error(`git ls-files: cannot read entry ${JSON.stringify(output.slice(start, end))}`);
        }
        const mode = output.slice(space1 + 1, space2);
        const trusted = space1 === start + 1 &&
            output[start] === 'H' &&
            output[space3 + 1] === '0' &&
            (mode === '100644' || mode === '100755' || mode === '120000');
        if (trusted)
            candidates.set(output.slice(tab + 1, end), { mode, oid: output.slice(space2 + 1, space3) });
        start = end + 1;
    }
    return candidates;
}
/** NUL-separated paths (`git ls-files -m -z`). */
function parsePathList(output) {
    return splitNul(output);
}
/** `git config -z --list`: `key\nvalue\0`, or `key\0` for a key without a value (boolean true). */
function parseConfigList(output) {
    const config = new Map();
    for (const record of splitNul(output)) {
        const newline = record.indexOf('\n');
        const key = (newline < 0 ? record : record.slice(0, newline)).toLowerCase();
        config.set(key, newline < 0 ? 'true' : record.slice(newline + 1));
    }
    return config;
}
/** git's boolean config syntax; undefined when the value is unset or not a boolean. */
function configBoolean(value) {
    if (value === undefined)
        return undefined;
    const lower = value.toLowerCase();
    if (['true', 'yes', 'on', '1', ''].includes(lower))
        return lower !== '';
    if (['false', 'no', 'off', '0'].includes(lower))
        return false;
    return undefined;
}
/**
 * Why the index cannot stand for the work tree as a whole (git rewrites file contents on checkout), or
 * undefined when it can.
 */
function configRejectsIndex(config) {
    const autocrlf = config.get('core.autocrlf');
    if (autocrlf !== undefined && configBoolean(autocrlf) !== false && autocrlf.toLowerCase() !== 'input') {
        return `core.autocrlf=${autocrlf} converts line endings on checkout`;
    }
    if ((config.get('core.eol') ?? '').toLowerCase() === 'crlf') {
        return 'core.eol=crlf converts line endings on checkout';
    }
    if (configBoolean(config.get('core.filemode')) === false) {
        return 'core.fileMode=false: the index does not record executable bits from disk';
    }
    return undefined;
}
/**
 * `git check-attr -a -z`: `<path>\0<attribute>\0<value>\0`. Returns the paths whose checkout differs from
 * the blob: a filter (e.g. LFS), `ident`, `working-tree-encoding` or `eol=crlf`.
 */
function parseRewrittenPaths(output) {
    const fields = splitNul(output);
    const rewritten = new Set();
    for (let i = 0; i + 2 < fields.length; i += 3) {
        const path = fields[i];
        const attribute = fields[i + 1];
        const value = fields[i + 2];
        if (rewrites(attribute, value))
            rewritten.add(path);
    }
    return rewritten;
}
function rewrites(attribute, value) {
    const set = value !== 'unset' && value !== 'unspecified';
    switch (attribute) {
        case 'filter':
        case 'ident':
        case 'working-tree-encoding':
            return set;
        case 'eol':
            return value === 'crlf';
        default:
            return false;
    }
}
function splitNul(output) {
    if (output === '')
        return [];
    const parts = output.split('\0');
    if (parts[parts.length - 1] === '')
        parts.pop();
    return parts;
}

;// CONCATENATED MODULE: ./src/keys/context-hash.ts
// Reads the build context (the one file in keys/ that touches the file system or runs git): for each
// context read of the reachable stages, the files BuildKit would copy or mount, after .dockerignore
// (`<Dockerfile>.dockerignore` first, else the context's `.dockerignore`) and `--exclude`, and a digest
// over their paths, git modes (regular, executable or symlink) and git blob ids. Timestamps, owners and
// the other permission bits never count, and directories count only through the files in them.
//
// Both ways of getting a blob id give the same digest: inside a git work tree, tracked files that git says
// are unmodified (and that no checkout filter, ident, encoding or CRLF conversion rewrites) take their
// mode and blob id from git's index; every other file is read and hashed here as git would hash it,
// sha1("blob <size>\0" + content), a symlink by its target.









/** Files larger than this are hashed in chunks, in the background, rather than read whole. */
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;
/** Let git's output and background reads in after this many files hashed in a row. */
const YIELD_EVERY = 256;
const CHUNK_SIZE = 1024 * 1024;
/** Linux's MAXSYMLINKS; fs.RootPath gives up after as many. */
const MAX_SYMLINK_HOPS = 255;
/**
 * Digests of `reads` (by read id) in the context `contextDir`. `dockerfilePath` is absolute or relative to
 * `contextDir`; its `.dockerignore` sibling is used when it exists. `exec` runs git (argv, no shell).
 */
async function hashContext(exec, contextDir, dockerfilePath, reads, options = {}) {
    const root = external_node_path_default().resolve(contextDir);
    const limiter = new Limiter(options.concurrency ?? 64);
    const unique = [...new Map(reads.map((read) => [read.id, read])).values()];
    const git = options.useGit === false || unique.length === 0
        ? Promise.resolve({ reason: options.useGit === false ? 'disabled' : 'nothing to read' })
        : readGitIndex(exec, root).catch((error) => ({
            reason: `git failed: ${error instanceof Error ? error.message : String(error)}`,
        }));
    const ignore = await readIgnoreFile(root, dockerfilePath);
    const tree = new ContextTree(root, ignore.matcher, limiter);
    const selections = await Promise.all(unique.map((read) => selectEntries(tree, read)));
    const index = await git;
    const { blobs, filesFromGit, filesHashed } = await resolveBlobs(root, selections, 'blobs' in index ? index.blobs : new Map(), limiter);
    const digests = new Map();
    unique.forEach((read, i) => digests.set(read.id, digestOf(selections[i], blobs)));
    return {
        digests,
        stats: {
            reads: unique.length,
            files: blobs.size,
            filesHashed,
            filesFromGit,
            git: 'blobs' in index ? { used: true } : { used: false, reason: index.reason },
            ignoreFile: ignore.file,
        },
    };
}
/**
 * The blob of every selected file: from git's index where it vouches for the file (and agrees it is a
 * file or a symlink), else hashed here. Small files are read with synchronous calls, which cost a fraction
 * of Node's promise-based file handles per file; large ones are read in chunks in the background,
 * `limiter` deciding how many at once.
 */
async function resolveBlobs(root, selections, index, limiter) {
    const blobs = new Map();
    const toHash = new Map();
    for (const selection of selections) {
        for (const [file, kind] of selection) {
            if (blobs.has(file))
                continue;
            const blob = index.get(file);
            if (blob !== undefined && (blob.mode === '120000') === (kind === 'symlink'))
                blobs.set(file, blob);
            else
                toHash.set(file, kind);
        }
    }
    const filesFromGit = blobs.size;
    let filesHashed = 0;
    const record = (file, blob) => {
        if (blob === undefined)
            return; // gone since it was listed
        blobs.set(file, blob);
        filesHashed++;
    };
    const large = [];
    let count = 0;
    for (const [file, kind] of toHash) {
        const absolute = external_node_path_default().join(root, file);
        const small = hashSmallEntry(absolute, kind);
        if (small === LARGE)
            large.push(limiter.run(async () => record(file, await hashLargeFile(absolute))));
        else
            record(file, small);
        if (++count % YIELD_EVERY === 0)
            await yieldToEventLoop();
    }
    await Promise.all(large);
    return { blobs, filesFromGit, filesHashed };
}
/**
 * sha256 over `<path length>:<path> <mode> <oid>\n` per selected file, in path order (the length makes
 * any path unambiguous without escaping).
 */
function digestOf(selection, blobs) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const files = [...selection.keys()].sort(compareCodeUnits);
    let chunk = '';
    for (const file of files) {
        const blob = blobs.get(file);
        if (blob === undefined)
            continue;
        chunk += `${file.length}:${file} ${blob.mode} ${blob.oid}\n`;
        if (chunk.length > 65536) {
            hash.update(chunk, 'utf8');
            chunk = '';
        }
    }
    return `sha256:${hash.update(chunk, 'utf8').digest('hex')}`;
}
// --- .dockerignore ---
async function readIgnoreFile(root, dockerfilePath) {
    const dockerfile = external_node_path_default().resolve(root, dockerfilePath);
    for (const candidate of [`${dockerfile}.dockerignore`, external_node_path_default().join(root, '.dockerignore')]) {
        let text;
        try {
            text = await (0,promises_.readFile)(candidate, 'utf8');
        }
        catch (error) {
            if (isMissing(error))
                continue;
            throw error;
        }
        const relative = external_node_path_default().relative(root, candidate);
        const file = relative.startsWith('..') || external_node_path_default().isAbsolute(relative) ? candidate : relative;
        try {
            return { matcher: new IgnoreMatcher(parseDockerignore(text)), file };
        }
        catch (error) {
            const line = error.line;
            const where = line === undefined ? file : `${file}:${line}`;
            throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, {
                cause: error,
            });
        }
    }
    return { matcher: undefined, file: undefined };
}
// --- the context as BuildKit sees it ---
/** The context directory with .dockerignore applied: what is listed is what BuildKit receives. */
class ContextTree {
    root;
    ignore;
    limiter;
    listings = new Map();
    stats = new Map();
    constructor(root, ignore, limiter) {
        this.root = root;
        this.ignore = ignore;
        this.limiter = limiter;
    }
    /** Whether BuildKit receives this path (a directory: whether anything below it can be received). */
    visible(relative, kind) {
        if (this.ignore === undefined || relative === '')
            return true;
        return kind === 'dir' ? this.ignore.mayIncludeUnder(relative) : !this.ignore.isExcluded(relative);
    }
    list(dir) {
        let listing = this.listings.get(dir);
        if (listing === undefined) {
            listing = this.limiter.run(() => this.readListing(dir));
            this.listings.set(dir, listing);
        }
        return listing;
    }
    lstat(relative) {
        let stats = this.stats.get(relative);
        if (stats === undefined) {
            stats = (0,promises_.lstat)(external_node_path_default().join(this.root, relative)).catch((error) => {
                if (isMissing(error))
                    return undefined;
                throw error;
            });
            this.stats.set(relative, stats);
        }
        return stats;
    }
    /**
     * fs.RootPath with links followed: every symlink on the way is resolved inside the context (an
     * absolute target starts again at the context root, `..` stops at it). Returns the real path and the
     * links passed, or undefined when a component does not exist or is not received.
     */
    async resolve(relative) {
        const pending = splitContextPath(relative);
        const current = [];
        const links = [];
        let hops = 0;
        while (pending.length > 0) {
            const part = pending.shift();
            if (part === '' || part === '.')
                continue;
            if (part === '..') {
                current.pop();
                continue;
            }
            const candidate = [...current, part].join('/');
            const stats = await this.lstat(candidate);
            if (stats === undefined)
                return undefined;
            if (!stats.isSymbolicLink()) {
                current.push(part);
                continue;
            }
            if (++hops > MAX_SYMLINK_HOPS || !this.visible(candidate, 'symlink'))
                return undefined;
            links.push(candidate);
            const target = await (0,promises_.readlink)(external_node_path_default().join(this.root, candidate), 'utf8');
            if (target.startsWith('/'))
                current.length = 0;
            pending.unshift(...target.split('/'));
        }
        return { path: current.join('/'), links };
    }
    async readListing(dir) {
        let dirents;
        try {
            dirents = await (0,promises_.readdir)(external_node_path_default().join(this.root, dir), { withFileTypes: true });
        }
        catch (error) {
            if (isMissing(error) || error.code === 'ENOTDIR')
                return [];
            throw error;
        }
        const entries = [];
        for (const dirent of dirents) {
            const relative = joinContextPath(dir, dirent.name);
            let kind = direntKind(dirent);
            if (kind === undefined && !isSpecial(dirent)) {
                const stats = await this.lstat(relative); // file systems without d_type
                kind = stats === undefined ? undefined : statsKind(stats);
            }
            if (kind !== undefined && this.visible(relative, kind)) {
                entries.push({ path: relative, name: dirent.name, kind });
            }
        }
        return entries;
    }
}
function direntKind(dirent) {
    if (dirent.isFile())
        return 'file';
    if (dirent.isDirectory())
        return 'dir';
    if (dirent.isSymbolicLink())
        return 'symlink';
    return undefined;
}
function statsKind(stats) {
    return direntKind(stats);
}
/** Pipes, sockets and devices: BuildKit's copy has nothing to hash for them; skipped. */
function isSpecial(dirent) {
    return dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice();
}
/** The files and symlinks one read selects, by context path. */
async function selectEntries(tree, read) {
    const selected = new Map();
    const excludes = read.excludes.length === 0 ? undefined : excludeMatcher(read);
    for (const source of read.sources) {
        const roots = read.wildcards ? await expandWildcards(tree, source, selected) : [source];
        await Promise.all(roots.map((root) => addRoot(tree, root, excludes, selected)));
    }
    return selected;
}
/** `--exclude` patterns, in the .dockerignore language; a bad one fails on the instruction's line. */
function excludeMatcher(read) {
    try {
        return new IgnoreMatcher(parseDockerignore(read.excludes.join('\n')));
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new errors_DockerfileError(`invalid --exclude pattern: ${message}`, [{ start: read.line, end: read.line }], undefined, {
            cause: error,
        });
    }
}
/**
 * fsutil's ResolveWildcards: the part before the first wildcard component is resolved (links followed),
 * then each further component is matched against the entries of the directories matched so far; only real
 * directories are entered, as filepath.Walk does. An empty result is not an error (AllowEmptyWildcard).
 */
async function expandWildcards(tree, source, selected) {
    const parts = splitContextPath(source);
    const first = parts.findIndex(containsWildcards);
    if (first < 0)
        return [source];
    const prefix = await tree.resolve(parts.slice(0, first).join('/'));
    if (prefix === undefined)
        return [];
    for (const link of prefix.links)
        selected.set(link, 'symlink');
    const patterns = parts.slice(first);
    const matches = [];
    const walk = async (dir, depth) => {
        const pattern = patterns[depth];
        const last = depth === patterns.length - 1;
        const entries = (await tree.list(dir)).filter((entry) => matchComponent(pattern, entry.name));
        for (const entry of entries)
            if (last)
                matches.push(entry.path);
        if (!last) {
            await Promise.all(entries.filter((entry) => entry.kind === 'dir').map((entry) => walk(entry.path, depth + 1)));
        }
    };
    await walk(prefix.path, 0);
    return matches;
}
/** One source path: links on the way followed (FollowSymlinks), then a file, or a directory's contents. */
async function addRoot(tree, root, excludes, selected) {
    const resolved = await tree.resolve(root);
    if (resolved === undefined)
        return;
    for (const link of resolved.links)
        selected.set(link, 'symlink');
    const target = resolved.path;
    if (target === '') {
        await addTree(tree, '', '', excludes, selected);
        return;
    }
    const stats = await tree.lstat(target);
    if (stats === undefined)
        return;
    if (stats.isDirectory()) {
        if (tree.visible(target, 'dir'))
            await addTree(tree, target, target, excludes, selected);
    }
    else if (stats.isFile() && tree.visible(target, 'file')) {
        selected.set(target, 'file');
    }
}
/** Everything received below `dir`; `--exclude` patterns match paths relative to the source `base`. */
async function addTree(tree, dir, base, excludes, selected) {
    const subdirectories = [];
    for (const entry of await tree.list(dir)) {
        const below = base === '' ? entry.path : entry.path.slice(base.length + 1);
        if (entry.kind === 'dir') {
            if (excludes === undefined || excludes.mayIncludeUnder(below))
                subdirectories.push(entry.path);
        }
        else if (excludes === undefined || !excludes.isExcluded(below)) {
            selected.set(entry.path, entry.kind);
        }
    }
    await Promise.all(subdirectories.map((subdirectory) => addTree(tree, subdirectory, base, excludes, selected)));
}
// --- blob ids ---
const LARGE = Symbol('large');
/**
 * git's blob id and mode for a file or symlink on disk; undefined when it is gone or changed type, LARGE
 * for a file too big to read whole here.
 */
function hashSmallEntry(absolute, kind) {
    try {
        if (kind === 'symlink') {
            const target = (0,external_node_fs_.readlinkSync)(absolute, { encoding: 'buffer' });
            return { mode: '120000', oid: blobId(target.length, [target]) };
        }
        const fd = (0,external_node_fs_.openSync)(absolute, 'r');
        try {
            const stats = (0,external_node_fs_.fstatSync)(fd);
            if (!stats.isFile())
                return undefined;
            if (stats.size > WHOLE_FILE_LIMIT)
                return LARGE;
            const content = (0,external_node_fs_.readFileSync)(fd);
            return { mode: gitMode(stats), oid: blobId(content.length, [content]) };
        }
        finally {
            (0,external_node_fs_.closeSync)(fd);
        }
    }
    catch (error) {
        if (isMissing(error) || error.code === 'EINVAL')
            return undefined;
        throw error;
    }
}
async function hashLargeFile(absolute) {
    let handle;
    try {
        handle = await (0,promises_.open)(absolute, 'r');
    }
    catch (error) {
        if (isMissing(error))
            return undefined;
        throw error;
    }
    try {
        const stats = await handle.stat();
        if (!stats.isFile())
            return undefined;
        return { mode: gitMode(stats), oid: await blobIdInChunks(handle, stats.size) };
    }
    finally {
        await handle.close();
    }
}
/** git records only the owner's executable bit (`ce_mode_from_stat`). */
function gitMode(stats) {
    return (stats.mode & 0o100) !== 0 ? '100755' : '100644';
}
function yieldToEventLoop() {
    return new Promise((resolve) => setImmediate(resolve));
}
function blobId(size, chunks) {
    const hash = (0,external_node_crypto_.createHash)('sha1').update(`blob ${size}\0`);
    for (const chunk of chunks)
        hash.update(chunk);
    return hash.digest('hex');
}
async function blobIdInChunks(handle, size) {
    const hash = (0,external_node_crypto_.createHash)('sha1').update(`blob ${size}\0`);
    const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
    let total = 0;
    while (total < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_SIZE, size - total), total);
        if (bytesRead === 0)
            break;
        hash.update(buffer.subarray(0, bytesRead));
        total += bytesRead;
    }
    if (total !== size)
        throw new Error(`context-hash: file shrank while it was hashed (${total} of ${size} bytes)`);
    return hash.digest('hex');
}
/**
 * Tracked files under `root` that git vouches for: `git ls-files -s` for the index entries, then
 * `git check-attr` on them while `git ls-files -m` (modified files) and `git config` run; paths come back
 * relative to `root`.
 */
async function readGitIndex(exec, root) {
    const git = (args, input) => {
        const running = exec(['git', '--no-optional-locks', ...args], input === undefined ? { cwd: root } : { cwd: root, input });
        running.catch(() => undefined); // awaited below; an early return must not leave it unhandled
        return running;
    };
    const config = git(['config', '-z', '--list']);
    const modified = git(['ls-files', '-m', '-z']);
    const staged = await git(['ls-files', '-s', '-v', '-z']);
    if (staged.exitCode !== 0)
        return failed('ls-files -s', staged);
    const blobs = parseIndexCandidates(staged.stdout);
    const attributes = blobs.size === 0
        ? undefined
        : git(['check-attr', '-a', '--stdin', '-z'], `${[...blobs.keys()].join('\0')}\0`);
    const rejected = configRejectsIndex(parseConfigList((await config).exitCode === 0 ? (await config).stdout : ''));
    if (rejected !== undefined)
        return { reason: rejected };
    const modifiedResult = await modified;
    if (modifiedResult.exitCode !== 0)
        return failed('ls-files -m', modifiedResult);
    for (const file of parsePathList(modifiedResult.stdout))
        blobs.delete(file);
    if (attributes !== undefined) {
        const attributesResult = await attributes;
        if (attributesResult.exitCode !== 0)
            return failed('check-attr', attributesResult);
        for (const file of parseRewrittenPaths(attributesResult.stdout))
            blobs.delete(file);
    }
    return { blobs };
}
function failed(command, result) {
    return { reason: `git ${command}: ${tailLines(result.stderr, 1) || `exit code ${result.exitCode}`}` };
}
// --- small helpers ---
function isMissing(error) {
    const code = error?.code;
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
/** At most `limit` tasks at once; a finishing task hands its slot to the next in line. */
class Limiter {
    limit;
    active = 0;
    waiting = [];
    constructor(limit) {
        this.limit = limit;
    }
    async run(task) {
        if (this.active >= this.limit)
            await new Promise((resolve) => this.waiting.push(resolve));
        else
            this.active++;
        try {
            return await task();
        }
        finally {
            const next = this.waiting.shift();
            if (next !== undefined)
                next();
            else
                this.active--;
        }
    }
}

;// CONCATENATED MODULE: ./src/keys/stage-key.ts


const KEY_PREFIX = 'stagecraft-v1';
/** Hex characters of the full hash in a key. */
const stage_key_HASH_CHARS = 16;
/**
 * Hex characters of each leading RUN's hash in the run prefix: 16 in all, like the full hash. The first is
 * the widest, because an older entry sharing no RUN must not match it by chance; after the fourth RUN, all
 * entries sharing the first four are alike.
 */
const RUN_HASH_CHARS = [6, 4, 3, 3];
/** Instructions that only set image metadata: no step of BuildKit's changes with them. */
const METADATA_ONLY = new Set([
    'CMD',
    'ENTRYPOINT',
    'EXPOSE',
    'HEALTHCHECK',
    'LABEL',
    'MAINTAINER',
    'ONBUILD',
    'STOPSIGNAL',
    'VOLUME',
]);
const DOCKERFILE_CHARS = 8;
/** Longest platform and stage fields; longer ones are cut and end in a hash of the whole. */
const PLATFORM_MAX = 24;
const STAGE_MAX = 46;
const TAG_MAX = 128;
/** One key per stage the target reaches, in plan (build) order. */
function computeStageKeys(options) {
    const namespace = dockerfileKeyPart(options.dockerfilePath, options.salt, options.rotation);
    return encodeStageKeyDocuments(options).map((document) => {
        const fullHash = encode_sha256Hex(document.full);
        const head = `${KEY_PREFIX}-${namespace}-${stage_key_keyField(document.platform, PLATFORM_MAX)}-${stage_key_keyField(document.name, STAGE_MAX)}`;
        const runHashes = RUN_HASH_CHARS.flatMap((chars, i) => {
            const run = document.runs[i];
            return run === undefined ? [] : [encode_sha256Hex(run).slice(0, chars)];
        });
        const runPrefix = runHashes.join('').padEnd(stage_key_HASH_CHARS, '0');
        return {
            stage: document.stage,
            stageName: document.name,
            key: `${head}-${runPrefix}-${fullHash.slice(0, stage_key_HASH_CHARS)}`,
            restoreKeys: runHashes.map((_, i) => `${head}-${runHashes.slice(0, runHashes.length - i).join('')}`),
            runPrefix,
            fullHash,
        };
    });
}
/**
 * The canonical documents behind the keys: the full one, and one per RUN holding the instructions up to
 * and including it, image metadata left out.
 */
function encodeStageKeyDocuments(options) {
    const { contextDigests } = options;
    const fullHashes = new Map();
    const refValue = (ref) => {
        if ('stage' in ref) {
            const hash = fullHashes.get(ref.stage);
            if (hash === undefined)
                throw new Error(`keys: stage ${ref.stage} is used before its key is known`);
            return { stage: hash };
        }
        if ('image' in ref)
            return { image: ref.image, digest: options.imageDigests?.get(ref.image) };
        return { context: ref.context, value: ref.value };
    };
    const digestOf = (read) => {
        const digest = contextDigests.get(read.id);
        if (digest === undefined) {
            throw new Error(`keys: no digest for the context read of stage ${read.stage}, line ${read.line}`);
        }
        return digest;
    };
    return normalizeStages(options.plan, options.dockerfile, options.request).map((stage) => {
        const header = {
            version: KEY_PREFIX,
            platform: stage.platform,
            base: refValue(stage.base),
            salt: stage_key_nonEmpty(options.salt),
            rotation: stage_key_nonEmpty(options.rotation),
        };
        const keywords = stage.instructions.map((instruction) => instruction.encoded.keyword);
        const instructions = stage.instructions.map((instruction) => ({
            ...instruction.encoded,
            refs: instruction.refs.length === 0 ? undefined : instruction.refs.map(refValue),
            reads: instruction.reads.length === 0 ? undefined : instruction.reads.map(digestOf),
        }));
        const steps = instructions.flatMap((step, i) => METADATA_ONLY.has(String(keywords[i])) ? [] : [{ step, run: keywords[i] === 'RUN' }]);
        const runs = steps.flatMap(({ run }, i) => run
            ? [encodeCanonical({ ...header, instructions: steps.slice(0, i + 1).map(({ step }) => step) })]
            : []);
        const full = encodeCanonical({ ...header, instructions });
        fullHashes.set(stage.index, encode_sha256Hex(full));
        return { stage: stage.index, name: stage.name, platform: stage.platform, runs, full };
    });
}
/**
 * The `<dockerfile>` field: a short hash of the Dockerfile's repository path, so two Dockerfiles may both
 * have a `builder`. A salt or rotation period is hashed in too, so that no fallback crosses them.
 */
function dockerfileKeyPart(dockerfilePath, salt, rotation) {
    const normalized = normalizeRepositoryPath(dockerfilePath);
    const namespace = stage_key_nonEmpty(salt) === undefined && stage_key_nonEmpty(rotation) === undefined
        ? normalized
        : encodeCanonical({ path: normalized, salt: stage_key_nonEmpty(salt), rotation: stage_key_nonEmpty(rotation) });
    return encode_sha256Hex(namespace).slice(0, DOCKERFILE_CHARS);
}
function normalizeRepositoryPath(file) {
    const parts = [];
    for (const part of file.replace(/\\/g, '/').split('/')) {
        if (part === '' || part === '.')
            continue;
        if (part === '..')
            parts.pop();
        else
            parts.push(part);
    }
    return parts.join('/');
}
/** A key field: runs of anything but [A-Za-z0-9.] become `_`; too long, it is cut and ends in a hash. */
function stage_key_keyField(text, max) {
    const field = text.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || '_';
    if (field.length <= max)
        return field;
    return `${field.slice(0, max - DOCKERFILE_CHARS - 1)}_${encode_sha256Hex(text).slice(0, DOCKERFILE_CHARS)}`;
}
/**
 * A registry tag for a key: [A-Za-z0-9_.-], starting with [A-Za-z0-9_], at most 128 characters. Keys from
 * `computeStageKeys` already are, and come back unchanged; anything else is mapped and, if too long, cut
 * with a hash of the whole appended.
 */
function keyToTag(key) {
    let tag = key.replace(/[^A-Za-z0-9_.-]/g, '_');
    if (!/^[A-Za-z0-9_]/.test(tag))
        tag = `_${tag}`;
    if (tag.length > TAG_MAX)
        tag = `${tag.slice(0, TAG_MAX - DOCKERFILE_CHARS - 1)}-${sha256Hex(key).slice(0, DOCKERFILE_CHARS)}`;
    return tag;
}
/**
 * `stagecraft plan --format json` with keys: each stage object (matched by `index`) gains `key` and
 * `restoreKeys`; stages the target does not reach get `key: null` and no restore keys.
 */
function addKeysToPlanJson(planJson, keys) {
    const stages = planJson.stages;
    if (!Array.isArray(stages))
        return planJson;
    const byStage = new Map(keys.map((key) => [key.stage, key]));
    return {
        ...planJson,
        stages: stages.map((stage) => {
            const index = stage.index;
            const key = typeof index === 'number' ? byStage.get(index) : undefined;
            return { ...stage, key: key?.key ?? null, restoreKeys: key?.restoreKeys ?? [] };
        }),
    };
}
/** Keys and the documents behind them as text, one stage after another (the key-encoding golden). */
function renderStageKeyDocuments(documents, keys) {
    const lines = [];
    documents.forEach((document, i) => {
        const key = keys[i];
        lines.push(`# stage ${document.stage}: ${document.name} (${document.platform})`);
        if (key !== undefined) {
            lines.push(`key: ${key.key}`);
            for (const restoreKey of key.restoreKeys)
                lines.push(`restore: ${restoreKey}`);
        }
        document.runs.forEach((run, j) => lines.push(`run ${j + 1}: ${run}`));
        lines.push(`full: ${document.full}`, '');
    });
    return lines.join('\n');
}
function stage_key_nonEmpty(value) {
    return value === undefined || value === '' ? undefined : value;
}

;// CONCATENATED MODULE: ./src/keys/index.ts




;// CONCATENATED MODULE: ./src/cache/documents.ts
// Small JSON documents (size baselines, drift records) kept in a StageCacheStore: an entry directory that
// holds one file.



/** Stores `text` as `fileName` in a fresh entry under `key`; a store that takes nothing is a reason, not a throw. */
async function saveDocument(store, key, fileName, text, options = {}) {
    const dir = await (0,promises_.mkdtemp)(external_node_path_default().join(options.tempDir ?? (0,external_node_os_.tmpdir)(), 'stagecraft-document-'));
    try {
        await (0,promises_.writeFile)(external_node_path_default().join(dir, fileName), text);
        const bytes = await store.save(key, dir, options);
        return bytes > 0
            ? { key, saved: true, bytes }
            : {
                key,
                saved: false,
                bytes: 0,
                reason: 'the store did not take it (a fault, or another job stored it first)',
            };
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/cache/key-fields.ts
// Fields of the readable cache keys for stored documents (size baselines, drift records): `-` only ever
// separates fields, so a restore prefix such as `…-main-` never matches `…-main-old-`.

function shortHash(text) {
    return (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex').slice(0, 8);
}
/** A key field: kept when it is already [A-Za-z0-9._] and short, else cleaned, cut and given a hash. */
function key_fields_keyField(text, max) {
    if (/^[A-Za-z0-9._]+$/.test(text) && text.length <= max)
        return text;
    const clean = text.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || '_';
    return `${clean.slice(0, max - 9)}_${shortHash(text)}`;
}
/** `linux/arm64/v8` → `linux_arm64_v8`; anything unusual goes through `keyField`. */
function platformKeyField(platform, max) {
    return /^[a-z0-9]+(\/[a-z0-9.]+){1,2}$/.test(platform) && platform.length <= max
        ? platform.replace(/\//g, '_')
        : key_fields_keyField(platform, max);
}

;// CONCATENATED MODULE: ./src/drift/document.ts
// The stored drift document, pure: encoded as pretty JSON, read back with every field checked. Anything that is
// not a whole document of this kind and version is refused with the reason, so a damaged or foreign entry reads
// as "no previous run", never as digests.
//
//   {
//     "kind": "stagecraft-drift",
//     "version": 1,
//     "createdAt": "2025-06-02T03:00:00.000Z",
//     "target": "runtime",
//     "platform": "linux/amd64",
//     "run": "9876543210",                                   (optional)
//     "commit": "0123…",                                     (optional)
//     "images": [{"image": "localhost:5000/base:1", "platform": "linux/amd64",
//                 "digest": "sha256:…", "indexDigest": "sha256:…"}],
//     "stages": [{"name": "deps", "key": "stagecraft-v1-…", "baseKey": "stagecraft-v1-…",
//                 "builtAt": "2025-06-02T03:00:00.000Z", "refreshedKey": "stagecraft-v1-…"}],
//     "size": {"compressedBytes": 1234, "uncompressedBytes": 5678}             (optional)
//   }

/** The document as stored: pretty JSON with a final newline, fields in a fixed order. */
function encodeDriftDocument(document) {
    const ordered = {
        kind: document.kind,
        version: document.version,
        createdAt: document.createdAt,
        target: document.target,
        platform: document.platform,
        run: document.run,
        commit: document.commit,
        images: document.images.map((record) => ({
            image: record.image,
            platform: record.platform,
            digest: record.digest,
            indexDigest: record.indexDigest,
        })),
        stages: document.stages.map((record) => ({
            name: record.name,
            key: record.key,
            baseKey: record.baseKey,
            builtAt: record.builtAt,
            refreshedKey: record.refreshedKey,
        })),
        size: document.size === undefined
            ? undefined
            : {
                compressedBytes: document.size.compressedBytes,
                uncompressedBytes: document.size.uncompressedBytes,
            },
    };
    return `${JSON.stringify(ordered, null, 2)}\n`;
}
class Invalid extends Error {
}
function document_fail(path, what) {
    throw new Invalid(`${path} ${what}`);
}
function object(value, path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        document_fail(path, 'is not an object');
    return value;
}
function array(value, path) {
    if (!Array.isArray(value))
        document_fail(path, 'is not a list');
    return value;
}
function document_text(value, path) {
    if (typeof value !== 'string' || value === '')
        document_fail(path, 'is not a non-empty string');
    return value;
}
function optionalText(value, path) {
    return value === undefined || value === null ? undefined : document_text(value, path);
}
function digest(value, path) {
    const d = document_text(value, path);
    if (!/^sha256:[0-9a-f]{64}$/.test(d))
        document_fail(path, 'is not a sha256 digest');
    return d;
}
function time(value, path) {
    const t = document_text(value, path);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(t) || Number.isNaN(Date.parse(t)))
        document_fail(path, 'is not an ISO 8601 time');
    return t;
}
function bytes(value, path) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        document_fail(path, 'is not a whole number of bytes');
    return value;
}
function imageRecord(value, path) {
    const o = object(value, path);
    const indexDigest = o.indexDigest === undefined ? undefined : digest(o.indexDigest, `${path}.indexDigest`);
    return {
        image: document_text(o.image, `${path}.image`),
        platform: document_text(o.platform, `${path}.platform`),
        digest: digest(o.digest, `${path}.digest`),
        ...(indexDigest === undefined ? {} : { indexDigest }),
    };
}
function stageRecord(value, path) {
    const o = object(value, path);
    const baseKey = optionalText(o.baseKey, `${path}.baseKey`);
    const builtAt = o.builtAt === undefined ? undefined : time(o.builtAt, `${path}.builtAt`);
    const refreshedKey = optionalText(o.refreshedKey, `${path}.refreshedKey`);
    return {
        name: document_text(o.name, `${path}.name`),
        key: document_text(o.key, `${path}.key`),
        ...(baseKey === undefined ? {} : { baseKey }),
        ...(builtAt === undefined ? {} : { builtAt }),
        ...(refreshedKey === undefined ? {} : { refreshedKey }),
    };
}
function size(value, path) {
    const o = object(value, path);
    const uncompressed = o.uncompressedBytes === undefined ? undefined : bytes(o.uncompressedBytes, `${path}.uncompressedBytes`);
    return {
        compressedBytes: bytes(o.compressedBytes, `${path}.compressedBytes`),
        ...(uncompressed === undefined ? {} : { uncompressedBytes: uncompressed }),
    };
}
/** A parsed JSON value → a document, or why it is not one. */
function parseDriftDocument(value) {
    try {
        const o = object(value, 'the document');
        if (o.kind !== DRIFT_DOCUMENT_KIND)
            document_fail('kind', `is not ${JSON.stringify(DRIFT_DOCUMENT_KIND)}`);
        if (o.version !== DRIFT_DOCUMENT_VERSION) {
            document_fail('version', `is ${JSON.stringify(o.version)}, not ${DRIFT_DOCUMENT_VERSION} (written by another stagecraft version)`);
        }
        const images = array(o.images, 'images').map((record, i) => imageRecord(record, `images[${i}]`));
        const seenImages = new Set();
        for (const [i, record] of images.entries()) {
            const id = `${record.image}\n${record.platform}`;
            if (seenImages.has(id))
                document_fail(`images[${i}]`, `repeats ${record.image} (${record.platform})`);
            seenImages.add(id);
        }
        const stages = array(o.stages, 'stages').map((record, i) => stageRecord(record, `stages[${i}]`));
        const seenStages = new Set();
        for (const [i, record] of stages.entries()) {
            if (seenStages.has(record.name))
                document_fail(`stages[${i}]`, `repeats the stage ${record.name}`);
            seenStages.add(record.name);
        }
        const run = optionalText(o.run, 'run');
        const commit = optionalText(o.commit, 'commit');
        return {
            ok: true,
            document: {
                kind: DRIFT_DOCUMENT_KIND,
                version: DRIFT_DOCUMENT_VERSION,
                createdAt: time(o.createdAt, 'createdAt'),
                target: document_text(o.target, 'target'),
                platform: document_text(o.platform, 'platform'),
                ...(run === undefined ? {} : { run }),
                ...(commit === undefined ? {} : { commit }),
                images,
                stages,
                ...(o.size === undefined || o.size === null ? {} : { size: size(o.size, 'size') }),
            },
        };
    }
    catch (error) {
        if (error instanceof Invalid)
            return { ok: false, reason: error.message };
        throw error;
    }
}
/** Stored text → a document, or why it is not one (not JSON included). */
function parseDriftDocumentJson(json) {
    let value;
    try {
        value = JSON.parse(json);
    }
    catch (error) {
        return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
    }
    return parseDriftDocument(value);
}

;// CONCATENATED MODULE: ./src/drift/store.ts
// Drift documents in the stage cache store, found again by the next scheduled run. Never fails a run: anything
// missing, unreadable or invalid is "no previous run" with the reason.
//
// Keys: `stagecraft-drift-v1-<dockerfile>-<target>-<platform>-<run>`
//   <dockerfile>  keys/' `dockerfileKeyPart(path)` (no salt: a new salt keeps the history of digests)
//   <target>      the target's display name      } `-` never occurs inside a field: anything but [A-Za-z0-9._]
//   <platform>    `linux/arm64/v8` → linux_arm64_v8 } becomes `_`, and a field that had to change (or was cut)
//   <run>         the run (`GITHUB_RUN_ID`, with `_<attempt>` to keep re-runs apart) } ends in `_<8 hex of sha256>`
// The next run looks up the newest entry whose key starts with `…-<platform>-` (the restore prefix). Each field
// ends where a `-` follows, so target `app` never picks up `app-debug`'s documents. Stores are scoped as GitHub's
// cache is: a run reads its own branch's entries and the default branch's.
//
// An entry is a directory holding one file, `drift.json` (document.ts's `encodeDriftDocument`). The registry
// store keeps only BuildKit's caches, not files: with it there is no previous run, and nothing is stored.






const DRIFT_KEY_PREFIX = 'stagecraft-drift-v1';
const DRIFT_DOCUMENT_FILE = 'drift.json';
/** The key field rule shared by stored documents (cache/key-fields.ts). */
const driftKeyField = (/* unused pure expression or super */ null && (keyField));
const TARGET_MAX = 40;
const store_PLATFORM_MAX = 24;
const RUN_MAX = 32;
/** `stagecraft-drift-v1-<dockerfile>-<target>-<platform>-`: the prefix every run of the scope stores under. */
function driftRestorePrefix(scope) {
    return [
        DRIFT_KEY_PREFIX,
        key_fields_keyField(scope.dockerfile, 16),
        key_fields_keyField(scope.target, TARGET_MAX),
        platformKeyField(scope.platform, store_PLATFORM_MAX),
        '',
    ].join('-');
}
/** The key a run's document is stored under. */
function driftDocumentKey(scope, run) {
    return `${driftRestorePrefix(scope)}${key_fields_keyField(run === '' ? '_' : run, RUN_MAX)}`;
}
function store_messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}
function noFileStore(store) {
    return store.buildkit !== undefined
        ? `the ${store.kind} cache store holds only BuildKit's own caches, not files: drift history needs the gha or local store`
        : undefined;
}
/** Stores the document under its run's key; a key that exists (the same run) is left as it is. */
async function saveDriftDocument(store, scope, document, run, options = {}) {
    const key = driftDocumentKey(scope, run);
    const refused = noFileStore(store);
    if (refused !== undefined)
        return { key, saved: false, bytes: 0, reason: refused };
    if (document.target !== scope.target || document.platform !== scope.platform) {
        return {
            key,
            saved: false,
            bytes: 0,
            reason: `the document is for ${document.target} (${document.platform}), not ${scope.target} (${scope.platform})`,
        };
    }
    if (await store.exists(key, options)) {
        return { key, saved: false, bytes: 0, reason: 'a drift document for this run is already stored' };
    }
    return saveDocument(store, key, DRIFT_DOCUMENT_FILE, encodeDriftDocument(document), options);
}
/**
 * The newest document of the scope: the previous scheduled run. Never throws for a missing, faulty or invalid
 * entry: that is `found: false` with the reason, and the run goes on as the first one.
 */
async function findDriftDocument(store, scope, options = {}) {
    const what = `${scope.target} (${scope.platform})`;
    const refused = noFileStore(store);
    if (refused !== undefined)
        return { found: false, reason: refused };
    const prefix = driftRestorePrefix(scope);
    let hit;
    try {
        hit = await store.lookup(prefix, [prefix], options);
    }
    catch (error) {
        return { found: false, reason: `the lookup of earlier scheduled runs failed: ${store_messageOf(error)}` };
    }
    if (hit === undefined) {
        return { found: false, reason: `no earlier scheduled run of ${what} in the ${store.kind} cache` };
    }
    const dir = await (0,promises_.mkdtemp)(external_node_path_default().join(options.tempDir ?? (0,external_node_os_.tmpdir)(), 'stagecraft-drift-find-'));
    try {
        let bytes;
        try {
            bytes = await store.restore(hit.key, dir, options);
        }
        catch (error) {
            return {
                found: false,
                reason: `the stored drift document ${hit.key} could not be restored: ${store_messageOf(error)}`,
            };
        }
        let text;
        try {
            text = await (0,promises_.readFile)(external_node_path_default().join(dir, DRIFT_DOCUMENT_FILE), 'utf8');
        }
        catch {
            return {
                found: false,
                reason: `the stored drift document ${hit.key} could not be restored${bytes === 0 ? ' (the store gave nothing)' : ` (no ${DRIFT_DOCUMENT_FILE} in it)`}`,
            };
        }
        const parsed = parseDriftDocumentJson(text);
        if (!parsed.ok) {
            return {
                found: false,
                reason: `the stored drift document ${hit.key} cannot be used: ${parsed.reason}`,
            };
        }
        const { document } = parsed;
        if (document.target !== scope.target || document.platform !== scope.platform) {
            return {
                found: false,
                reason: `the stored drift document ${hit.key} is for ${document.target} (${document.platform}), not ${what}`,
            };
        }
        return { found: true, document, key: hit.key };
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/**
 * What a restore would find for each stage, without downloading anything (`stagecraft drift`, which builds
 * nothing): `exact`, `partial` with the key found, or `miss`; a fault is a miss with the warning. The shape
 * `computeDrift` takes as `restore`. Give it `applyRefreshedKeys(keys, previous)`.
 */
async function lookUpStages(store, keys, options = {}) {
    const results = [];
    for (const key of keys) {
        const warnings = [];
        let found;
        try {
            found = await store.lookup(key.key, key.restoreKeys, {
                ...options,
                onWarning: (message) => {
                    warnings.push(message);
                    options.onWarning?.(message);
                },
            });
        }
        catch (error) {
            warnings.push(`cache lookup of ${key.key} failed: ${store_messageOf(error)}`);
        }
        const warning = warnings.length === 0 ? {} : { warning: warnings.join('; ') };
        results.push(found === undefined
            ? { stage: key.stage, result: 'miss', ...warning }
            : { stage: key.stage, result: found.exact ? 'exact' : 'partial', restoredKey: found.key, ...warning });
    }
    return results;
}

;// CONCATENATED MODULE: ./src/drift/check.ts






async function checkDrift(input) {
    const { keyOptions } = input;
    const storeOptions = {
        ...(input.tempDir === undefined ? {} : { tempDir: input.tempDir }),
        ...(input.signal === undefined ? {} : { signal: input.signal }),
        ...(input.onWarning === undefined ? {} : { onWarning: input.onWarning }),
        ...(input.onDebug === undefined ? {} : { onDebug: input.onDebug }),
    };
    const previous = input.store === undefined
        ? { found: false, reason: 'with cache off there is no store for the history of scheduled runs' }
        : await findDriftDocument(input.store, input.scope, storeOptions);
    const usages = imageUsages(keyOptions.plan, keyOptions.request.targetPlatform);
    const resolutions = await resolveImagePlatforms(input.exec, resolveRequests(usages), {
        ...(input.signal === undefined ? {} : { signal: input.signal }),
        ...(input.onDebug === undefined ? {} : { onDebug: input.onDebug }),
    });
    const imageDigests = imageDigestsForKeys(usages, resolutions, previous.found ? previous.document : undefined);
    const keys = computeStageKeys({ ...keyOptions, imageDigests });
    const baseKeys = input.baseKeys ?? computeStageKeys(keyOptions);
    const unresolved = resolutions.flatMap((resolution) => resolution.status === 'unresolved'
        ? [
            `${resolution.image} (${resolution.platform}) could not be resolved, treated as unchanged: ${resolution.reason}`,
        ]
        : []);
    // A stage on a moved base restores its exact key only: an older entry was built on the old base, which the new
    // build cannot use, and where entries leave base-image layers to the engine's image store (which now holds
    // the new base) it could not even be read back whole.
    const onMovedBase = new Set(computeDrift({
        plan: keyOptions.plan,
        targetPlatform: keyOptions.request.targetPlatform,
        previous,
        resolutions,
        keys,
        now: new Date(0),
    }).stagesOnMovedBase);
    const restoreKeys = applyRefreshedKeys(keys, previous).map((key) => onMovedBase.has(key.stageName) ? { ...key, restoreKeys: [] } : key);
    return { previous, usages, resolutions, keys, baseKeys, restoreKeys, unresolved };
}

;// CONCATENATED MODULE: ./src/drift/record.ts


/**
 * The images of this run (resolved ones with their digests; an unresolved one keeps the previous record, so the
 * next run still compares with the last digest known) and each reached stage: its key, when its cache was built
 * (now, for a rebuilt stage; else the restored entry's own time, or as recorded before) and its refreshed key.
 */
function buildDriftDocument(input) {
    const { result, previous } = input;
    const resolved = byImagePlatform(input.resolutions);
    const stored = byImagePlatform(previous.found ? previous.document.images : []);
    const images = [];
    for (const image of result.images) {
        const resolution = resolved(image.image, image.platform);
        if (resolution?.status === 'resolved') {
            images.push({
                image: image.image,
                platform: image.platform,
                digest: resolution.digest,
                ...(resolution.indexDigest === undefined ? {} : { indexDigest: resolution.indexDigest }),
            });
            continue;
        }
        const kept = stored(image.image, image.platform);
        if (kept !== undefined)
            images.push(kept);
    }
    images.sort((a, b) => (a.image === b.image ? compare(a.platform, b.platform) : compare(a.image, b.image)));
    const now = input.now.toISOString();
    const rebuilt = new Set(result.rebuiltStages.map((stage) => stage.index));
    const saveKeyOf = new Map(result.saveKeys.map((key) => [key.stage, key.key]));
    const baseKeyOf = new Map((input.baseKeys ?? []).map((key) => [key.stage, key.key]));
    const stages = input.keys.map((key) => {
        const before = previous.found
            ? previous.document.stages.find((stage) => stage.name === key.stageName && stage.key === key.key)
            : undefined;
        const saved = !(input.notSaved?.has(key.stage) ?? false);
        const builtAt = rebuilt.has(key.stage) && saved ? now : (input.entryCreatedAt?.get(key.stage) ?? before?.builtAt);
        // Where the stage's cache now is: the key it was saved under (rebuilt and saved), else the key it was
        // restored with (the previous run's refreshed key, when it had one).
        const current = rebuilt.has(key.stage) && saved ? saveKeyOf.get(key.stage) : before?.refreshedKey;
        const refreshedKey = current !== undefined && current !== key.key ? current : undefined;
        const baseKey = baseKeyOf.get(key.stage);
        return {
            name: key.stageName,
            key: key.key,
            ...(baseKey === undefined ? {} : { baseKey }),
            ...(builtAt === undefined ? {} : { builtAt }),
            ...(refreshedKey === undefined ? {} : { refreshedKey }),
        };
    });
    return {
        kind: DRIFT_DOCUMENT_KIND,
        version: DRIFT_DOCUMENT_VERSION,
        createdAt: now,
        target: input.target,
        platform: input.platform,
        ...(input.run === undefined || input.run === '' ? {} : { run: input.run }),
        ...(input.commit === undefined || input.commit === '' ? {} : { commit: input.commit }),
        images,
        stages,
        ...(input.size === undefined ? {} : { size: input.size }),
    };
}
function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}

;// CONCATENATED MODULE: ./src/drift/index.ts











;// CONCATENATED MODULE: ./src/report/markdown.ts


/** A fence longer than any backtick run in the text, so the text cannot close it. */
function fenced(language, text) {
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(longest + 1);
    return `${fence}${language}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}\n`;
}
/** Escapes text for inline Markdown and HTML. */
function escapeMarkdown(text) {
    return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/**
 * Escapes text for one line of inline Markdown: a table cell, a heading, a `<summary>`. Whitespace runs
 * (newlines included) become one space, control and bidirectional-override characters become U+FFFD, and
 * `$` is escaped too (GitHub renders `$…$` as math).
 */
function escapeInline(text) {
    return escapeMarkdown(text.replace(/\s+/g, ' ').trim().replace(CONTROL_CHARACTERS, '\ufffd')).replace(/\$/g, '&#36;');
}
/**
 * Text from the Dockerfile or the image, shown as inline code. `<code>` rather than a backtick span, so the
 * entities inside (`&#124;` for a table's `|`) are decoded; GitHub does not turn `@name` or `#1` inside code
 * into mentions or links.
 */
function codeInline(text, maxLength = 100) {
    return `<code>${escapeInline(clipText(text.replace(/\s+/g, ' ').trim(), maxLength))}</code>`;
}
/** At most `maxLength` UTF-16 units, ending in `…` when cut; never splits a surrogate pair. */
function clipText(text, maxLength) {
    if (text.length <= maxLength)
        return text;
    let end = Math.max(0, maxLength - 1);
    if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]))
        end--;
    return `${text.slice(0, end)}…`;
}
/**
 * A URL safe inside a Markdown link destination: http(s) only (else undefined), and every character that
 * could end the destination or open markup percent-encoded.
 */
function safeLinkUrl(url) {
    if (!/^https?:\/\/[^\s]/i.test(url))
        return undefined;
    return url.replace(/[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]/gu, percentEncode);
}
/** `%XX` for each UTF-8 byte (a lone surrogate becomes U+FFFD). */
function percentEncode(text) {
    return [...new TextEncoder().encode(text)]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
}
function renderPlanMarkdown(plan, file, platform) {
    const target = plan.stages[plan.targetIndex];
    return [
        `## stagecraft plan: ${escapeMarkdown(target.displayName)} from ${escapeMarkdown(file)}`,
        '',
        `Builds ${plan.order.length} of ${plan.stages.length} stages for ${escapeMarkdown(platform)}; skips ${plan.skipped.length}.`,
        '',
        fenced('text', renderPlanText(plan, platform)),
        '<details><summary>Stage graph</summary>',
        '',
        fenced('mermaid', renderPlanMermaid(plan)),
        '</details>',
        '',
    ].join('\n');
}
function renderErrorMarkdown(file, message, line) {
    const where = line === undefined ? escapeMarkdown(file) : `${escapeMarkdown(file)}:${line}`;
    return [`## stagecraft: ${where} cannot be built`, '', fenced('text', message), ''].join('\n');
}
/** What the build did: which stages hit their caches, what moved, and what BuildKit ran. */
function renderBuildMarkdown(rows, progress) {
    const restored = rows.reduce((sum, row) => sum + row.bytesRestored, 0);
    const saved = rows.reduce((sum, row) => sum + row.bytesSaved, 0);
    const lines = [
        '### Build',
        '',
        progress.fullyCached
            ? 'Every step was cached.'
            : `Stages that ran: ${progress.stagesRun.map((stage) => `<code>${escapeMarkdown(stage)}</code>`).join(', ') || 'none'}; ${progress.executedRuns.length} RUN steps executed.`,
        '',
        '| stage | cache | restored | saved |',
        '| --- | --- | ---: | ---: |',
        ...rows.map((row) => `| <code>${escapeMarkdown(row.stage)}</code> | ${row.result} | ${formatSize(row.bytesRestored)} | ${formatSize(row.bytesSaved)} |`),
        `| **total** | | ${formatSize(restored)} | ${formatSize(saved)} |`,
        '',
        '<details><summary>Cache keys</summary>',
        '',
        fenced('text', rows.map((row) => `${row.stage}  ${row.key}`).join('\n')),
        '</details>',
        '',
    ];
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/report/diff.ts
function sizeTotals(report) {
    return {
        compressedBytes: report.compressedBytes,
        uncompressedBytes: report.uncompressedBytes,
        layerCount: report.layers.filter((layer) => !layer.emptyLayer).length,
    };
}
function sizeDelta(baseline, current) {
    const change = current - baseline;
    return { change, percent: baseline === 0 ? undefined : (change / baseline) * 100 };
}
/**
 * Matches the non-empty layers of both reports: first by origin and instruction text (the k-th occurrence of
 * the same stage and instruction in one with the k-th in the other), then what is left by position within
 * the same origin (the base image, or one stage) and instruction keyword, so an edited instruction shows as
 * one layer that grew or shrank rather than one that vanished and one that appeared.
 */
function computeSizeDiff(current, baseline) {
    const currentTotals = sizeTotals(current);
    if (baseline === undefined) {
        return { current: currentTotals, baseline: undefined, delta: undefined, layers: [] };
    }
    const baselineTotals = sizeTotals(baseline);
    const before = baseline.layers.filter((layer) => !layer.emptyLayer);
    const after = current.layers.filter((layer) => !layer.emptyLayer);
    const pairOf = new Map(); // index in `after` → index in `before`
    const taken = new Set();
    const byKey = new Map();
    before.forEach((layer, i) => {
        const key = matchKey(layer);
        byKey.set(key, [...(byKey.get(key) ?? []), i]);
    });
    after.forEach((layer, i) => {
        const candidates = byKey.get(matchKey(layer));
        const j = candidates?.shift();
        if (j !== undefined) {
            pairOf.set(i, j);
            taken.add(j);
        }
    });
    const beforeByPosition = new Map();
    groupPositions(before).forEach((position, i) => {
        if (!taken.has(i))
            beforeByPosition.set(position, i);
    });
    groupPositions(after).forEach((position, i) => {
        if (pairOf.has(i))
            return;
        const j = beforeByPosition.get(position);
        if (j !== undefined) {
            pairOf.set(i, j);
            taken.add(j);
        }
    });
    const layers = after.map((layer, i) => {
        const j = pairOf.get(i);
        return j === undefined ? { status: 'appeared', current: layer } : matched(before[j], layer);
    });
    before.forEach((layer, j) => {
        if (!taken.has(j))
            layers.push({ status: 'vanished', baseline: layer });
    });
    return {
        current: currentTotals,
        baseline: baselineTotals,
        delta: {
            compressed: sizeDelta(baselineTotals.compressedBytes, currentTotals.compressedBytes),
            uncompressed: sizeDelta(baselineTotals.uncompressedBytes, currentTotals.uncompressedBytes),
            layerCount: sizeDelta(baselineTotals.layerCount, currentTotals.layerCount),
        },
        layers,
    };
}
/**
 * Whether the image moved by more than `thresholdPercent` (compressed or uncompressed), for
 * `comment: on-change`. Without a baseline nothing can have moved.
 */
function hasSizeChanged(diff, thresholdPercent) {
    if (diff.delta === undefined)
        return false;
    return [diff.delta.compressed, diff.delta.uncompressed].some((delta) => delta.percent === undefined ? delta.change !== 0 : Math.abs(delta.percent) > thresholdPercent);
}
function matched(baseline, current) {
    const compressedDelta = current.compressedBytes - baseline.compressedBytes;
    const uncompressedDelta = current.uncompressedBytes - baseline.uncompressedBytes;
    const direction = compressedDelta !== 0 ? compressedDelta : uncompressedDelta;
    return {
        status: direction > 0 ? 'grew' : direction < 0 ? 'shrank' : 'unchanged',
        baseline,
        current,
        compressedDelta,
        uncompressedDelta,
        digestChanged: baseline.digest !== current.digest,
    };
}
function groupOf(layer) {
    return layer.origin.kind === 'base' ? 'base' : `stage\0${layer.origin.stage.toLowerCase()}`;
}
function matchKey(layer) {
    const text = layer.origin.kind === 'base' ? layer.createdBy : layer.origin.instruction;
    return `${groupOf(layer)}\0${text.trim().replace(/\s+/g, ' ')}`;
}
/**
 * Each layer's `group\0position-within-group\0keyword`: an edited `RUN` pairs with the `RUN` that was in its
 * place, but a `COPY` replaced by a `RUN` is one layer vanished and one appeared. Base image layers pair by
 * position alone (a new base has new history lines).
 */
function groupPositions(layers) {
    const counts = new Map();
    return layers.map((layer) => {
        const group = groupOf(layer);
        const position = counts.get(group) ?? 0;
        counts.set(group, position + 1);
        const keyword = layer.origin.kind === 'base'
            ? ''
            : (/^\s*(\S+)/.exec(layer.origin.instruction)?.[1] ?? '').toUpperCase();
        return `${group}\0${position}\0${keyword}`;
    });
}

;// CONCATENATED MODULE: ./src/report/budget.ts


const VERDICT_LABELS = {
    within: 'Within budget',
    over: 'Over budget',
    'no-baseline': 'No baseline',
};
function evaluateBudget(current, baseline, budget) {
    const basis = budget.basis ?? 'compressed';
    const bytesOf = (report) => basis === 'compressed' ? report.compressedBytes : report.uncompressedBytes;
    const actual = bytesOf(current);
    const breaches = [];
    const checks = [];
    if (baseline === undefined) {
        checks.push('no size report of the base branch to compare with');
    }
    if (budget.sizeLimit !== undefined) {
        const over = actual > budget.sizeLimit;
        const clause = `${basis} size ${formatSize(actual)} is ${over ? 'over' : 'within'} the size-limit of ${formatSize(budget.sizeLimit)}`;
        checks.push(clause);
        if (over) {
            breaches.push({
                kind: 'size-limit',
                limitBytes: budget.sizeLimit,
                actualBytes: actual,
                message: clause,
            });
        }
    }
    if (budget.maxIncrease !== undefined) {
        if (baseline === undefined) {
            checks.push(`max-increase of ${formatMaxIncrease(budget.maxIncrease)} not checked`);
        }
        else {
            const delta = sizeDelta(bytesOf(baseline), actual);
            const limit = budget.maxIncrease;
            const over = limit.kind === 'bytes'
                ? delta.change > limit.bytes
                : delta.percent === undefined
                    ? delta.change > 0
                    : delta.percent > limit.percent;
            const clause = `the ${basis} change of ${formatSizeDelta(delta.change)} (${formatPercentDelta(delta)}) is ${over ? 'over' : 'within'} the max-increase of ${formatMaxIncrease(limit)}`;
            checks.push(clause);
            if (over) {
                breaches.push({
                    kind: 'max-increase',
                    limit,
                    increaseBytes: delta.change,
                    increasePercent: delta.percent,
                    message: clause,
                });
            }
        }
    }
    if (budget.sizeLimit === undefined && budget.maxIncrease === undefined) {
        checks.push('no size-limit or max-increase set');
    }
    const status = breaches.length > 0 ? 'over' : baseline === undefined ? 'no-baseline' : 'within';
    return {
        status,
        basis,
        breaches,
        checks,
        message: `${VERDICT_LABELS[status]}: ${checks.join('; ')}.`,
    };
}

;// CONCATENATED MODULE: ./src/report/comment-markdown.ts



/** GitHub refuses an issue comment longer than this many characters. */
const GITHUB_COMMENT_MAX_LENGTH = 65_536;
/** GitHub refuses a job summary larger than this many bytes (per step). */
const GITHUB_SUMMARY_MAX_BYTES = 1_048_576;
/**
 * The hidden marker that finds a comment again:
 * `<!-- stagecraft:size dockerfile=<hash> target=<target> platform=<platform> -->`. Values are written as is
 * where they are plain (`[A-Za-z0-9._/:+@-]`); anything else, and a `-` after a `-` (an HTML comment may not
 * hold `--`), is percent-encoded, so no value can end the comment or run into the next field.
 */
function renderSizeMarker(fields) {
    return `<!-- stagecraft:size dockerfile=${markerValue(fields.dockerfile)} target=${markerValue(fields.target)} platform=${markerValue(fields.platform)} -->`;
}
function markerValue(value) {
    let out = '';
    for (const ch of value) {
        const plain = /^[A-Za-z0-9._/:+@]$/.test(ch) || (ch === '-' && !out.endsWith('-'));
        out += plain ? ch : percentEncode(ch);
    }
    return out;
}
const COMMENT_LIMIT = {
    maxLength: GITHUB_COMMENT_MAX_LENGTH,
    measure: 'utf16',
    note: "> [!NOTE]\n> This comment was cut to fit GitHub's limit of 65,536 characters. The job summary of this run has the whole report.\n",
};
const SUMMARY_LIMIT = {
    maxLength: GITHUB_SUMMARY_MAX_BYTES,
    measure: 'utf8',
    note: "> [!NOTE]\n> This report was cut to fit GitHub's job summary limit of 1 MiB.\n",
};
const VERDICT_ICONS = {
    within: '✅',
    over: '❌',
    'no-baseline': 'ℹ️',
};
const CACHE_LABELS = {
    exact: 'cache hit',
    partial: 'partial cache hit',
    miss: 'cache miss',
    unneeded: 'not needed (a stage built on it hit)',
    skipped: 'skipped (not needed)',
};
const comment_markdown_NONE = '—';
function renderSizeComment(input, limit = COMMENT_LIMIT) {
    return assemble(sizeCommentParts(input), limit, input.marker);
}
function sizeCommentParts(input) {
    const { current, diff, verdict } = input;
    const parts = [
        {
            kind: 'text',
            text: `${input.marker}\n### Image size of ${codeInline(current.target)} for ${codeInline(current.platform)}\n`,
        },
    ];
    const context = subtitle(input);
    if (context !== '')
        parts.push({ kind: 'text', text: context });
    parts.push({ kind: 'text', text: totalsTable(diff, currentLabel(input)) });
    parts.push({
        kind: 'text',
        // The checks are budget.ts's own words and numbers: nothing from the Dockerfile to escape.
        text: `${VERDICT_ICONS[verdict.status]} **${VERDICT_LABELS[verdict.status]}**: ${verdict.checks.join('; ')}.\n`,
    });
    if (diff.baseline !== undefined) {
        const changed = diff.layers.filter((change) => change.status !== 'unchanged');
        parts.push({ kind: 'text', text: '#### Changed layers\n' });
        if (changed.length === 0) {
            parts.push({ kind: 'text', text: 'No layer changed in size.\n' });
        }
        else {
            parts.push({
                kind: 'rows',
                priority: 0,
                head: `| | Stage | Line | Instruction | Base | ${currentLabel(input)} | Change |\n| :-- | :-- | --: | :-- | --: | --: | --: |\n`,
                rows: changed.map((change) => changedRow(change, input.fileUrl)),
                tail: (omitted, shown) => omittedLine(omitted, shown, 'changed layer'),
            });
        }
    }
    const layers = current.layers.filter((layer) => !layer.emptyLayer);
    parts.push({
        kind: 'text',
        text: `<details><summary>All ${layers.length} ${plural(layers.length, 'layer')} of this image</summary>\n`,
    });
    parts.push({
        kind: 'rows',
        priority: 2,
        head: '| # | Stage | Line | Instruction | Compressed | Uncompressed |\n| --: | :-- | --: | :-- | --: | --: |\n',
        rows: layers.map((layer, i) => `| ${i + 1} | ${stageCell(layer)} | ${lineCell(layer, input.fileUrl)} | ${instructionCell(layer)} | ${formatSize(layer.compressedBytes)} | ${formatSize(layer.uncompressedBytes)} |\n`),
        tail: (omitted, shown) => omittedLine(omitted, shown, 'layer'),
    });
    parts.push({ kind: 'text', text: '</details>\n' });
    const stages = input.stages ?? [];
    if (stages.length > 0 || input.mermaid !== undefined) {
        parts.push({ kind: 'text', text: `<details><summary>${planSummary(stages)}</summary>\n` });
        if (stages.length > 0) {
            parts.push({
                kind: 'rows',
                priority: 1,
                head: '| Stage | Cache |\n| :-- | :-- |\n',
                rows: stages.map((stage) => `| ${codeInline(stage.stage, 60)} | ${CACHE_LABELS[stage.result]} |\n`),
                tail: (omitted, shown) => omittedLine(omitted, shown, 'stage'),
            });
        }
        if (input.mermaid !== undefined) {
            parts.push({
                kind: 'optional',
                priority: 3,
                text: fenced('mermaid', input.mermaid),
                fallback: '_The stage graph is left out: it is too large for a comment._\n',
            });
        }
        parts.push({ kind: 'text', text: '</details>\n' });
    }
    return parts;
}
function subtitle(input) {
    const pieces = [];
    if (input.file !== undefined)
        pieces.push(`Dockerfile ${codeInline(input.file)}`);
    if (input.current.commit !== undefined)
        pieces.push(`commit ${codeInline(input.current.commit.slice(0, 12))}`);
    const base = input.baseline;
    if (base !== undefined) {
        const ref = base.ref === undefined ? undefined : base.ref.replace(/^refs\/(heads|tags)\//, '');
        const where = [
            ref === undefined ? undefined : codeInline(ref),
            base.commit === undefined ? undefined : `at ${codeInline(base.commit.slice(0, 12))}`,
        ].filter((piece) => piece !== undefined);
        pieces.push(`compared with ${where.length === 0 ? 'the baseline' : where.join(' ')}`);
    }
    return pieces.length === 0 ? '' : `${pieces.join(' · ')}\n`;
}
function currentLabel(input) {
    return input.currentLabel ?? 'This PR';
}
function totalsTable(diff, label) {
    const rows = [
        ['Compressed', (totals) => totals.compressedBytes, formatSize],
        ['Uncompressed', (totals) => totals.uncompressedBytes, formatSize],
        ['Layers', (totals) => totals.layerCount, String],
    ];
    if (diff.baseline === undefined || diff.delta === undefined) {
        return [
            `| | ${label} |`,
            '| :-- | --: |',
            ...rows.map(([label, get, format]) => `| ${label} | ${format(get(diff.current))} |`),
            '',
        ].join('\n');
    }
    const deltas = [diff.delta.compressed, diff.delta.uncompressed, diff.delta.layerCount];
    const baseline = diff.baseline;
    return [
        `| | Base | ${label} | Change | % |`,
        '| :-- | --: | --: | --: | --: |',
        ...rows.map(([label, get, format], i) => {
            const delta = deltas[i];
            const change = i === 2 ? formatCountDelta(delta.change) : formatSizeDelta(delta.change);
            return `| ${label} | ${format(get(baseline))} | ${format(get(diff.current))} | ${change} | ${formatPercentDelta(delta)} |`;
        }),
        '',
    ].join('\n');
}
function changedRow(change, fileUrl) {
    switch (change.status) {
        case 'grew':
        case 'shrank':
        case 'unchanged': {
            const layer = change.current;
            return `| ${change.status} | ${stageCell(layer)} | ${lineCell(layer, fileUrl)} | ${instructionCell(layer)} | ${formatSize(change.baseline.compressedBytes)} | ${formatSize(layer.compressedBytes)} | ${formatSizeDelta(change.compressedDelta)} |\n`;
        }
        case 'appeared': {
            const layer = change.current;
            return `| appeared | ${stageCell(layer)} | ${lineCell(layer, fileUrl)} | ${instructionCell(layer)} | ${comment_markdown_NONE} | ${formatSize(layer.compressedBytes)} | ${formatSizeDelta(layer.compressedBytes)} |\n`;
        }
        case 'vanished': {
            // The line is the baseline's: the current Dockerfile may not have it, so it is not linked.
            const layer = change.baseline;
            return `| vanished | ${stageCell(layer)} | ${lineCell(layer, undefined)} | ${instructionCell(layer)} | ${formatSize(layer.compressedBytes)} | ${comment_markdown_NONE} | ${formatSizeDelta(-layer.compressedBytes)} |\n`;
        }
        default: {
            const never = change;
            return never;
        }
    }
}
function stageCell(layer) {
    return layer.origin.kind === 'base' ? 'base image' : codeInline(layer.origin.stage, 60);
}
function lineCell(layer, fileUrl) {
    if (layer.origin.kind === 'base')
        return '';
    const line = layer.origin.line;
    if (!Number.isSafeInteger(line) || line < 1)
        return '';
    const url = fileUrl === undefined ? undefined : safeLinkUrl(`${fileUrl}#L${line}`);
    return url === undefined ? String(line) : `[${line}](${url})`;
}
function instructionCell(layer) {
    const text = layer.origin.kind === 'stage' ? layer.origin.instruction : layer.createdBy;
    // An imported base layer (`docker import`) has no history text: an empty cell rather than empty code.
    return text.trim() === '' ? '' : codeInline(text);
}
function planSummary(stages) {
    const count = (result) => stages.filter((stage) => stage.result === result).length;
    const skipped = count('skipped');
    const built = stages.length - skipped;
    const cache = [
        [count('exact'), 'cache hit', 'cache hits'],
        [count('partial'), 'partial', 'partial'],
        [count('miss'), 'miss', 'misses'],
        [count('unneeded'), 'not needed', 'not needed'],
    ];
    const results = cache
        .filter(([n]) => n > 0)
        .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
        .join(', ');
    if (stages.length === 0)
        return 'Stage graph';
    return `Build plan: ${built} of ${stages.length} ${plural(stages.length, 'stage')} built${results === '' ? '' : ` (${results})`}, ${skipped} skipped`;
}
function omittedLine(omitted, shown, noun) {
    if (omitted === 0)
        return '';
    return `\n_${omitted}${shown === 0 ? '' : ' more'} ${plural(omitted, noun)} not shown (size limit)._\n`;
}
function plural(count, noun) {
    return count === 1 ? noun : `${noun}s`;
}
function lengthOf(measure) {
    if (measure === 'utf8') {
        const encoder = new TextEncoder();
        return (text) => encoder.encode(text).length;
    }
    return (text) => text.length;
}
function assemble(parts, limit, marker) {
    const render = (rowCounts, withOptional) => parts
        .map((part, i) => {
        switch (part.kind) {
            case 'text':
                return part.text;
            case 'rows': {
                const kept = rowCounts.get(i) ?? part.rows.length;
                const tail = part.tail(part.rows.length - kept, kept);
                // No rows kept: no table header either, just the "n more" line.
                if (kept === 0 && part.rows.length > 0)
                    return tail.replace(/^\n/, '');
                return part.head + part.rows.slice(0, kept).join('') + tail;
            }
            case 'optional':
                return withOptional.has(i) ? part.text : part.fallback;
            default: {
                const never = part;
                return never;
            }
        }
    })
        .join('\n');
    const all = new Set(parts.flatMap((part, i) => (part.kind === 'optional' ? [i] : [])));
    const full = render(new Map(), all);
    const measure = lengthOf(limit.measure);
    if (measure(full) <= limit.maxLength)
        return full;
    // The smallest body: every table with its header and no rows, but the longest "n more" line it could get;
    // every optional part at its fallback. What is left of the limit goes to rows and optional parts in
    // priority order.
    const note = limit.note ?? '> [!NOTE]\n> This report was cut to fit the size limit.\n';
    const minimum = parts
        .map((part) => {
        if (part.kind === 'text')
            return part.text;
        if (part.kind === 'optional')
            return part.fallback;
        return part.head + part.tail(part.rows.length, 1);
    })
        .join('\n');
    let budget = limit.maxLength - measure(minimum) - measure(note) - 1;
    const counts = new Map(parts.flatMap((part, i) => (part.kind === 'rows' ? [[i, 0]] : [])));
    const optional = new Set();
    const order = parts
        .map((part, i) => ({ part, i }))
        .filter(({ part }) => part.kind !== 'text')
        .sort((a, b) => priorityOf(a.part) - priorityOf(b.part));
    for (const { part, i } of order) {
        if (part.kind === 'rows') {
            // The "n more" line only gets shorter as rows are kept, so the reserve above stays enough.
            let kept = 0;
            for (const row of part.rows) {
                const cost = measure(row);
                if (cost > budget)
                    break;
                budget -= cost;
                kept++;
            }
            counts.set(i, kept);
            if (kept < part.rows.length)
                budget = Math.min(budget, 0);
        }
        else if (part.kind === 'optional') {
            const cost = measure(part.text) - measure(part.fallback);
            if (cost <= budget) {
                budget -= cost;
                optional.add(i);
            }
        }
    }
    const cut = `${render(counts, optional)}\n${note}`;
    if (measure(cut) <= limit.maxLength)
        return cut;
    // Only reachable with a limit too small for the fixed blocks: keep the marker, so the comment is found.
    return `${marker}\n${note}`;
}
function priorityOf(part) {
    return part.kind === 'text' ? -1 : part.priority;
}

;// CONCATENATED MODULE: ./src/adapters/github.ts
// The few GitHub REST calls the size comment needs, over node's fetch. Every attempt has a timeout and an
// abort signal; rate limits (429, or 403 with `x-ratelimit-remaining: 0` or a secondary-limit message) are
// retried after the wait GitHub asks for, capped; server errors and timeouts are retried only where a repeat
// is harmless (GET, PATCH, GraphQL queries); other 4xx fail at once. The token never appears in messages.
/** The login of GITHUB_TOKEN's comments in the REST API. */
const GITHUB_ACTIONS_BOT_LOGIN = 'github-actions[bot]';
class GitHubApiError extends Error {
    method;
    path;
    kind;
    status;
    name = 'GitHubApiError';
    constructor(method, path, kind, 
    /** The HTTP status; undefined when no response came. */
    status, detail, options) {
        super(`GitHub API ${method} ${path}: ${detail}`, options);
        this.method = method;
        this.path = path;
        this.kind = kind;
        this.status = status;
    }
}
/** GitHub's GraphQL endpoint for a REST API URL: `…/api/v3` → `…/api/graphql`, else `<api>/graphql`. */
function graphqlUrlFor(apiUrl) {
    const base = apiUrl.replace(/\/+$/, '');
    return /\/api\/v3$/.test(base) ? base.replace(/\/v3$/, '/graphql') : `${base}/graphql`;
}
/** The `page` of the `rel="next"` link in a `Link` header, if there is one. */
function parseNextPage(link) {
    for (const part of link.split(',')) {
        const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
        if (match === null || !/\brel\s*=\s*"?([^"]*\s)?next[\s"]/.test(`${match[2]} `))
            continue;
        try {
            const page = Number(new URL(match[1], 'http://link.invalid').searchParams.get('page'));
            return Number.isSafeInteger(page) && page > 0 ? page : undefined;
        }
        catch {
            return undefined;
        }
    }
    return undefined;
}
/**
 * How long GitHub asks us to wait before retrying a rate-limited request, in ms: `retry-after` (seconds or
 * an HTTP date), else `x-ratelimit-reset` when `x-ratelimit-remaining` is 0, else undefined.
 */
function rateLimitWaitMs(headers, now) {
    const retryAfter = headers.get('retry-after');
    if (retryAfter !== null) {
        const seconds = Number(retryAfter);
        if (retryAfter.trim() !== '' && Number.isFinite(seconds))
            return Math.max(0, seconds * 1000);
        const date = Date.parse(retryAfter);
        if (!Number.isNaN(date))
            return Math.max(0, date - now);
    }
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (headers.get('x-ratelimit-remaining') === '0' && headers.get('x-ratelimit-reset') !== null) {
        if (Number.isFinite(reset))
            return Math.max(1000, reset * 1000 - now + 1000);
    }
    return undefined;
}
const SECONDARY_LIMIT_WAIT_MS = 60_000;
function createGitHubApi(options) {
    const apiUrl = options.apiUrl.replace(/\/+$/, '');
    const graphqlUrl = options.graphqlUrl ?? graphqlUrlFor(apiUrl);
    const timeoutMs = options.timeoutMs ?? 15_000;
    const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    const baseDelayMs = options.baseDelayMs ?? 1000;
    const maxDelayMs = options.maxDelayMs ?? 60_000;
    const doFetch = options.fetch ?? fetch;
    const sleep = options.sleep ?? abortableSleep;
    const now = options.now ?? Date.now;
    const debug = options.debug ?? (() => undefined);
    const headers = {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token}`,
        'user-agent': options.userAgent ?? 'stagecraft',
        'x-github-api-version': '2022-11-28',
    };
    async function attempt(spec) {
        const controller = new AbortController();
        const outer = options.signal;
        const onAbort = () => controller.abort(outer?.reason);
        outer?.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
        try {
            const response = await doFetch(spec.url, {
                method: spec.method,
                headers: spec.body === undefined
                    ? headers
                    : { ...headers, 'content-type': 'application/json; charset=utf-8' },
                body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
                signal: controller.signal,
                redirect: 'follow',
            });
            const text = await response.text();
            let data = undefined;
            if (text !== '') {
                try {
                    data = JSON.parse(text);
                }
                catch {
                    data = text;
                }
            }
            return { status: response.status, headers: response.headers, data };
        }
        catch (error) {
            const [kind, detail] = outer?.aborted === true
                ? ['aborted', 'aborted']
                : controller.signal.aborted
                    ? ['timeout', `no response within ${timeoutMs} ms`]
                    : ['network', `request failed: ${error instanceof Error ? error.message : String(error)}`];
            throw new GitHubApiError(spec.method, spec.path, kind, undefined, detail, { cause: error });
        }
        finally {
            clearTimeout(timer);
            outer?.removeEventListener('abort', onAbort);
        }
    }
    async function request(spec) {
        for (let n = 1;; n++) {
            if (options.signal?.aborted === true) {
                throw new GitHubApiError(spec.method, spec.path, 'aborted', undefined, 'aborted');
            }
            const started = now();
            let response;
            try {
                response = await attempt(spec);
            }
            catch (error) {
                const aborted = error instanceof GitHubApiError && error.kind === 'aborted';
                if (aborted || !spec.idempotent || n >= maxAttempts)
                    throw error;
                const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
                debug(`github.request: ${spec.method} ${spec.path}: ${error.message}; retry ${n} of ${maxAttempts - 1} in ${wait} ms`);
                await pause(spec, wait);
                continue;
            }
            debug(`github.request: ${spec.method} ${spec.path} → ${response.status} (${now() - started} ms)`);
            if (response.status >= 200 && response.status < 300)
                return response;
            const message = errorMessage(response);
            const limited = response.status === 429 ||
                (response.status === 403 &&
                    (response.headers.get('x-ratelimit-remaining') === '0' ||
                        response.headers.get('retry-after') !== null ||
                        /rate limit/i.test(message)));
            if (limited) {
                const asked = rateLimitWaitMs(response.headers, now());
                const wait = asked ??
                    (response.status === 403
                        ? SECONDARY_LIMIT_WAIT_MS
                        : Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1)));
                if (wait > maxDelayMs) {
                    throw new GitHubApiError(spec.method, spec.path, 'rate-limit', response.status, `rate limited (${message}); GitHub asks to wait ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil(maxDelayMs / 1000)} s allowed`);
                }
                if (n >= maxAttempts) {
                    throw new GitHubApiError(spec.method, spec.path, 'rate-limit', response.status, `rate limited (${message}) after ${n} attempts`);
                }
                debug(`github.request: ${spec.method} ${spec.path}: rate limited; retry ${n} of ${maxAttempts - 1} in ${wait} ms`);
                await pause(spec, wait);
                continue;
            }
            if (response.status >= 500 && spec.idempotent && n < maxAttempts) {
                const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
                debug(`github.request: ${spec.method} ${spec.path}: ${response.status}; retry ${n} of ${maxAttempts - 1} in ${wait} ms`);
                await pause(spec, wait);
                continue;
            }
            throw new GitHubApiError(spec.method, spec.path, 'http', response.status, `${response.status} ${message}`);
        }
    }
    async function pause(spec, ms) {
        try {
            await sleep(ms, options.signal);
        }
        catch (error) {
            throw new GitHubApiError(spec.method, spec.path, 'aborted', undefined, 'aborted', { cause: error });
        }
    }
    function rest(method, path, body) {
        return request({ method, path, url: `${apiUrl}${path}`, body, idempotent: method !== 'POST' });
    }
    const repoPath = (owner, repo) => `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    let login;
    async function authenticatedLogin() {
        try {
            const user = await rest('GET', '/user');
            const name = field(user.data, 'login');
            if (typeof name === 'string' && name !== '')
                return name;
        }
        catch (error) {
            if (!(error instanceof GitHubApiError) ||
                error.kind !== 'http' ||
                (error.status !== 403 && error.status !== 404)) {
                throw error;
            }
        }
        try {
            const viewer = await request({
                method: 'POST',
                path: 'graphql',
                url: graphqlUrl,
                body: { query: 'query { viewer { login } }' },
                idempotent: true,
            });
            const name = field(field(field(viewer.data, 'data'), 'viewer'), 'login');
            if (typeof name === 'string' && name !== '')
                return name;
        }
        catch (error) {
            debug(`github.getAuthenticatedLogin: ${error.message}`);
        }
        return GITHUB_ACTIONS_BOT_LOGIN;
    }
    return {
        async listIssueComments(owner, repo, issue, page) {
            const path = `${repoPath(owner, repo)}/issues/${issue}/comments?per_page=100&page=${page}`;
            const response = await rest('GET', path);
            if (!Array.isArray(response.data)) {
                throw new GitHubApiError('GET', path, 'invalid-response', response.status, 'expected a JSON array of comments');
            }
            const comments = response.data.map((item) => toComment(item, 'GET', path));
            const link = response.headers.get('link');
            const nextPage = link === null ? (comments.length >= 100 ? page + 1 : undefined) : parseNextPage(link);
            return { comments, nextPage: nextPage !== undefined && nextPage > page ? nextPage : undefined };
        },
        async createIssueComment(owner, repo, issue, body) {
            const path = `${repoPath(owner, repo)}/issues/${issue}/comments`;
            return toComment((await rest('POST', path, { body })).data, 'POST', path);
        },
        async updateIssueComment(owner, repo, commentId, body) {
            const path = `${repoPath(owner, repo)}/issues/comments/${commentId}`;
            return toComment((await rest('PATCH', path, { body })).data, 'PATCH', path);
        },
        getAuthenticatedLogin() {
            login ??= authenticatedLogin();
            login.catch(() => {
                login = undefined; // a failure is not remembered
            });
            return login;
        },
    };
}
function field(value, name) {
    return typeof value === 'object' && value !== null ? value[name] : undefined;
}
function toComment(value, method, path) {
    const id = field(value, 'id');
    if (typeof id !== 'number') {
        throw new GitHubApiError(method, path, 'invalid-response', undefined, 'expected a comment with an id');
    }
    const body = field(value, 'body');
    const author = field(field(value, 'user'), 'login');
    const htmlUrl = field(value, 'html_url');
    return {
        id,
        body: typeof body === 'string' ? body : '',
        author: typeof author === 'string' ? author : '',
        htmlUrl: typeof htmlUrl === 'string' ? htmlUrl : undefined,
    };
}
function errorMessage(response) {
    const message = field(response.data, 'message');
    const text = typeof message === 'string' ? message : typeof response.data === 'string' ? response.data : '';
    return text.replace(/\s+/g, ' ').trim().slice(0, 300) || 'no message';
}
function abortableSleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted === true) {
            reject(signal.reason);
            return;
        }
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}

;// CONCATENATED MODULE: ./src/report/comment.ts

/** At 100 comments a page, 10,000 comments: a pull request with more is not searched to the end. */
const MAX_PAGES = 100;
/** Whether two logins are the same account: case-insensitive, with or without the `[bot]` suffix. */
function sameLogin(a, b) {
    const normal = (login) => login
        .trim()
        .toLowerCase()
        .replace(/\[bot\]$/, '');
    return normal(a) !== '' && normal(a) === normal(b);
}
/** The first comment that carries `marker` and was written by `login`; others' comments are ignored. */
async function findStickyComment(api, owner, repo, issue, marker, login) {
    let page = 1;
    for (let pages = 0; page !== undefined && pages < MAX_PAGES; pages++) {
        const result = await api.listIssueComments(owner, repo, issue, page);
        const found = result.comments.find((comment) => sameLogin(comment.author, login) && comment.body.includes(marker));
        if (found !== undefined)
            return found;
        page = result.nextPage;
    }
    return undefined;
}
async function upsertStickyComment(api, request) {
    const { owner, repo, issue, marker, mode } = request;
    if (mode === 'never')
        return { action: 'skipped', reason: 'comment is never' };
    const body = request.body.includes(marker) ? request.body : `${marker}\n${request.body}`;
    try {
        const login = request.login ?? (await api.getAuthenticatedLogin());
        const previous = await findStickyComment(api, owner, repo, issue, marker, login);
        if (previous === undefined) {
            if (mode === 'on-change' && !request.changed) {
                return { action: 'skipped', reason: 'the size did not move beyond comment-threshold' };
            }
            const created = await api.createIssueComment(owner, repo, issue, body);
            return withUrl({ action: 'created', id: created.id }, created.htmlUrl);
        }
        if (previous.body === body) {
            return withUrl({ action: 'skipped', id: previous.id, reason: 'the comment is up to date' }, previous.htmlUrl);
        }
        const updated = await api.updateIssueComment(owner, repo, previous.id, body);
        return withUrl({ action: 'updated', id: updated.id }, updated.htmlUrl ?? previous.htmlUrl);
    }
    catch (error) {
        return { action: 'failed', warning: failureWarning(issue, error) };
    }
}
function withUrl(result, url) {
    return url === undefined ? result : { ...result, url };
}
function failureWarning(issue, error) {
    const what = `Could not write the size comment on pull request #${issue}`;
    const detail = error instanceof Error ? error.message : String(error);
    if (error instanceof GitHubApiError &&
        error.kind === 'http' &&
        (error.status === 403 || error.status === 404)) {
        return (`${what}: the token may not write to it (a pull request from a fork gets a read-only GITHUB_TOKEN; ` +
            `otherwise grant \`permissions: pull-requests: write\`). The job summary has the report. (${detail})`);
    }
    return `${what}. The job summary has the report. (${detail})`;
}

;// CONCATENATED MODULE: ./src/report/outputs.ts
/** The outputs when no image was measured. */
const EMPTY_SIZE_OUTPUTS = {
    size: '',
    'size-uncompressed': '',
    'size-delta': '',
    'size-delta-percent': '',
    'baseline-size': '',
};
/**
 * Bytes as integers; the delta signed (`-512`), its percent with two decimals (`3.42`, `-0.51`, `0.00`). The
 * delta, percent and baseline are empty without a baseline, and the percent also when the baseline was 0.
 */
function renderSizeOutputs(diff) {
    const delta = diff.delta?.compressed;
    return {
        size: String(diff.current.compressedBytes),
        'size-uncompressed': String(diff.current.uncompressedBytes),
        'size-delta': delta === undefined ? '' : String(delta.change),
        'size-delta-percent': delta?.percent === undefined ? '' : delta.percent.toFixed(2).replace(/^-(0\.00)$/, '$1'),
        'baseline-size': diff.baseline === undefined ? '' : String(diff.baseline.compressedBytes),
    };
}

;// CONCATENATED MODULE: ./src/report/drift.ts



/** The outputs of a run that is not scheduled, or that failed before the drift was known. */
const EMPTY_DRIFT_OUTPUTS = {
    'base-drift': 'false',
    'drifted-images': '[]',
    'rebuilt-stages': '[]',
};
/**
 * `base-drift`: `true` or `false`. `drifted-images`: `[{"image","platform","old","new"}]`. `rebuilt-stages`:
 * `[{"stage","reason","reasons","detail"}]` in build order (`reason` is the first of `reasons`).
 */
function renderDriftOutputs(result) {
    return {
        'base-drift': result.baseDrift ? 'true' : 'false',
        'drifted-images': JSON.stringify(result.driftedImages.map(({ image, platform, old, new: current }) => ({
            image,
            platform,
            old,
            new: current,
        }))),
        'rebuilt-stages': JSON.stringify(result.rebuiltStages.map(({ stage, reason, reasons, detail }) => ({ stage, reason, reasons, detail }))),
    };
}
/** `sha256:` and the first 12 hex digits. */
function shortDigest(digest) {
    const match = /^(sha256:)([0-9a-f]{12})[0-9a-f]*$/.exec(digest);
    return match === null ? clipText(digest, 19) : `${match[1]}${match[2]}`;
}
/** `2025-06-01T03:00:00.000Z` → `2025-06-01 03:00 UTC`; anything else as it is. */
function when(iso) {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
    return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}
/** The first line. `text` escapes what came from elsewhere (a reason, a run id); `strong` marks the news. */
function headline(result, text, strong) {
    const total = result.images.length;
    if (!result.previous.found) {
        return `No earlier scheduled run to compare with (${text(result.previous.reason)}); ${total} base image ${total === 1 ? 'digest is' : 'digests are'} recorded for the next one.`;
    }
    const run = result.previous.run === undefined ? '' : `run ${text(result.previous.run)}, `;
    const since = `since the last scheduled run (${run}${when(result.previous.createdAt)})`;
    if (total === 0)
        return `The target reads no base image ${since}.`;
    const moved = result.driftedImages.length;
    return moved === 0
        ? `No base image moved ${since}.`
        : `${strong(`${moved} of ${total} base ${total === 1 ? 'image' : 'images'} moved`)} ${since}.`;
}
function showPlatforms(images) {
    return new Set(images.map((image) => image.platform)).size > 1;
}
function statusText(image) {
    switch (image.status) {
        case 'moved':
            return 'moved';
        case 'unchanged':
            return image.pinned === true ? 'unchanged (pinned)' : 'unchanged';
        case 'new':
            return image.pinned === true ? 'new (pinned)' : 'new';
        case 'unresolved':
            return 'unresolved, treated as unchanged';
        default: {
            const unknown = image.status;
            return String(unknown);
        }
    }
}
function sizeText(result, current) {
    if (current === undefined)
        return undefined;
    const before = result.previous.found ? result.previous.size : undefined;
    if (before === undefined)
        return `${formatSize(current.compressedBytes)} compressed (no size from the last scheduled run)`;
    const delta = sizeDelta(before.compressedBytes, current.compressedBytes);
    return `${formatSize(current.compressedBytes)} compressed, ${formatSizeDelta(delta.change)} (${formatPercentDelta(delta)}) against the last scheduled run (${formatSize(before.compressedBytes)})`;
}
/** The job summary section. */
function renderDriftMarkdown(result, options = {}) {
    const platforms = showPlatforms(result.images);
    const code = (text) => `<code>${escapeInline(text)}</code>`;
    const lines = ['### Scheduled rebuild', '', headline(result, escapeInline, (news) => `**${news}**`), ''];
    if (result.images.length > 0) {
        lines.push(platforms ? '| image | platform | old | new | status |' : '| image | old | new | status |', platforms ? '| --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- |');
        for (const image of result.images) {
            const status = image.status === 'moved'
                ? '**moved**'
                : image.status === 'unresolved'
                    ? `${statusText(image)}: ${escapeInline(clipText(image.reason ?? '', 200))}`
                    : statusText(image);
            const cells = [
                code(clipText(image.image, 100)),
                ...(platforms ? [escapeInline(image.platform)] : []),
                image.old === undefined ? '—' : code(shortDigest(image.old)),
                image.new === undefined ? '—' : code(shortDigest(image.new)),
                status,
            ];
            lines.push(`| ${cells.join(' | ')} |`);
        }
        lines.push('');
    }
    const count = result.rebuiltStages.length;
    const of = options.stageCount === undefined ? '' : ` of ${options.stageCount}`;
    if (count === 0) {
        lines.push('Nothing rebuilt: every stage came whole from its cache.', '');
    }
    else {
        lines.push(`Rebuilt ${count}${of} ${(options.stageCount ?? count) === 1 ? 'stage' : 'stages'}:`, '', '| stage | why | detail |', '| --- | --- | --- |', ...result.rebuiltStages.map((stage) => `| ${code(stage.stage)} | ${stage.reasons.join(', ')} | ${escapeInline(clipText(stage.detail, 300))} |`), '');
    }
    if (result.noCacheFilters.length > 0) {
        lines.push(`Built with <code>no-cache-filter</code>: ${result.noCacheFilters.map(code).join(', ')}.`, '');
    }
    const size = sizeText(result, options.size);
    // Only numbers and units formatted here: nothing to escape.
    if (size !== undefined)
        lines.push(`Size: ${size}.`, '');
    if (result.warnings.length > 0) {
        lines.push('> [!WARNING]', ...result.warnings.map((warning) => `> ${escapeInline(clipText(warning, 600))}`), '');
    }
    return lines.join('\n');
}
/** The same for the log and `stagecraft drift`: aligned columns, full digests of moved images. */
function renderDriftText(result, options = {}) {
    const platforms = showPlatforms(result.images);
    const oneLine = (text) => text.replace(/\s+/g, ' ').trim();
    const lines = [headline(result, oneLine, (news) => news)];
    if (result.images.length > 0) {
        lines.push(`Base images (${result.images.length}):`);
        const names = result.images.map((image) => oneLine(platforms ? `${image.image} (${image.platform})` : image.image));
        const width = Math.max(...names.map((name) => name.length));
        const statusWidth = Math.max(...result.images.map((image) => image.status.length));
        result.images.forEach((image, i) => {
            const digests = image.status === 'moved'
                ? `${image.old} → ${image.new}`
                : image.status === 'unresolved'
                    ? `${image.old === undefined ? 'no digest known' : `${shortDigest(image.old)} kept`}, treated as unchanged: ${oneLine(image.reason ?? '')}`
                    : `${shortDigest(image.new ?? '')}${image.pinned === true ? ' (pinned)' : ''}`;
            lines.push(`  ${image.status.padEnd(statusWidth)}  ${names[i].padEnd(width)}  ${digests}`);
        });
    }
    const count = result.rebuiltStages.length;
    if (count === 0) {
        lines.push('Rebuilt: nothing (every stage came whole from its cache).');
    }
    else {
        const of = options.stageCount === undefined ? '' : ` of ${options.stageCount}`;
        lines.push(`Rebuilt (${count}${of}):`);
        const width = Math.max(...result.rebuiltStages.map((stage) => stage.stage.length));
        for (const stage of result.rebuiltStages) {
            lines.push(`  ${stage.stage.padEnd(width)}  ${stage.reasons.join(', ')}: ${oneLine(stage.detail)}`);
        }
    }
    if (result.noCacheFilters.length > 0)
        lines.push(`no-cache-filter: ${result.noCacheFilters.join(', ')}`);
    const size = sizeText(result, options.size);
    if (size !== undefined)
        lines.push(`Size: ${size}.`);
    for (const warning of result.warnings)
        lines.push(`Warning: ${oneLine(warning)}`);
    return `${lines.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./src/report/index.ts
// The report step: Markdown for the pull request comment, the job summary and the report file, the sticky
// comment upsert and the budget gate. It reads sizes; it never measures them.









;// CONCATENATED MODULE: ./src/cache/stage-caches.ts
// Restoring and saving per-stage caches around one build. main.ts calls `restoreStageCaches` before buildx,
// passes `cacheFromSpecs(report)` (and, for each stage that missed, a `--cache-to` from `stageCacheToSpecs`) to
// the build, then calls `saveStageCaches`. Both return plain data and log nothing; store faults come back as
// `warning`s on the stages they hit.





function callOptions(warnings, signal, logger) {
    return {
        onWarning: (message) => warnings.push(message),
        ...(logger === undefined ? {} : { onDebug: (message) => logger.debug(message) }),
        ...(signal === undefined ? {} : { signal }),
    };
}
function stage_caches_errorMessage(error) {
    return typeof error?.message === 'string' ? error.message : String(error);
}
function stage_caches_shortDigest(digest) {
    return digest.slice(0, 'sha256:'.length + 12);
}
/** A stage whose entry cannot be used after all: a miss, with the reason added to its warnings. */
function demote(report, warning) {
    report.result = 'miss';
    delete report.tag;
    delete report.cacheFrom;
    delete report.createdAt;
    report.warning = report.warning === undefined ? warning : `${report.warning}; ${warning}`;
}
/**
 * Looks up and restores the entries of the stages the build needs (exact key, else restore keys), merges them
 * into one OCI layout, and rewrites every manifest there without the layers it lacks, so BuildKit never meets
 * a result it cannot load. Never throws for a cache fault or a damaged entry: those stages miss, with a
 * `warning`.
 */
async function restoreStageCaches(options) {
    const { store, keys, workDir, signal, logger } = options;
    const layoutDir = external_node_path_default().join(workDir, 'layout');
    const entriesDir = external_node_path_default().join(workDir, 'restored');
    const local = store.buildkit === undefined;
    if (local) {
        await (0,entry/* removeTree */.dM)(layoutDir);
        await (0,entry/* removeTree */.dM)(entriesDir);
        await (0,entry/* ensureLayout */.p0)(layoutDir);
    }
    const reports = new Map(keys.map((stageKey) => [
        stageKey.stage,
        {
            stage: stageKey.stage,
            stageName: stageKey.stageName,
            key: stageKey.key,
            result: 'unneeded',
            bytes: 0,
        },
    ]));
    /** Each restored entry's own blobs (what its metadata says it stores). */
    const ownBlobsOf = new Map();
    /**
     * Looks the stage up and merges its entry into the layout; sets `result` to exact, partial or miss. An older
     * entry (a restore-key match) is fetched only if `olderUseless` gives no reason against it.
     */
    const restoreOne = async (stageKey, report, olderUseless = () => Promise.resolve(undefined)) => {
        report.result = 'miss';
        const warnings = [];
        const call = callOptions(warnings, signal, logger);
        const missWith = (warning) => {
            const all = warning === undefined ? warnings : [...warnings, warning];
            if (all.length > 0)
                report.warning = all.join('; ');
        };
        let found;
        try {
            found = await store.lookup(stageKey.key, stageKey.restoreKeys, call);
        }
        catch (error) {
            missWith(`cache lookup of ${stageKey.key} failed: ${stage_caches_errorMessage(error)}`);
            return;
        }
        if (found === undefined) {
            missWith();
            return;
        }
        logger?.debug(`stage-caches.restoreStageCaches: ${stageKey.stageName}: found ${found.key}${found.exact ? ' (exact)' : ''}`);
        const useless = found.exact ? undefined : await olderUseless();
        if (useless !== undefined) {
            logger?.debug(`stage-caches.restoreStageCaches: ${stageKey.stageName}: not restoring ${found.key}: ${useless}`);
            missWith();
            return;
        }
        if (store.buildkit !== undefined) {
            report.result = found.exact ? 'exact' : 'partial';
            report.restoredKey = found.key;
            report.cacheFrom = store.buildkit.cacheFrom(found.key);
            missWith();
            return;
        }
        const entryDir = external_node_path_default().join(entriesDir, `stage-${stageKey.stage}`);
        try {
            await (0,entry/* removeTree */.dM)(entryDir);
            await (0,promises_.mkdir)(entryDir, { recursive: true });
            report.bytes = await store.restore(found.key, entryDir, call);
        }
        catch (error) {
            missWith(`cache restore of ${found.key} failed: ${stage_caches_errorMessage(error)}`);
            return;
        }
        if (warnings.length > 0) {
            missWith();
            return;
        }
        report.restoredKey = found.key;
        const merged = await (0,entry/* mergeEntryIntoLayout */.NG)(entryDir, layoutDir);
        if (!merged.ok) {
            missWith(`cache entry ${found.key} is damaged (${merged.reason}); building without it`);
            return;
        }
        if (merged.key !== found.key) {
            missWith(`cache entry ${found.key} holds the entry of ${merged.key}; building without it`);
            return;
        }
        report.result = found.exact ? 'exact' : 'partial';
        report.tag = merged.tag;
        report.cacheFrom = localCacheFromSpec(layoutDir, merged.tag);
        // Its age (a scheduled run's max-cache-age) and its own blobs; the merge has just read and checked both.
        const metadata = await (0,entry/* readEntryMetadata */.wM)(entryDir).catch(() => undefined);
        if (metadata !== undefined) {
            report.createdAt = metadata.createdAt;
            const shared = new Set(metadata.shared ?? []);
            ownBlobsOf.set(stageKey.stage, new Set(metadata.blobs.map((blob) => blob.digest).filter((digest) => !shared.has(digest))));
        }
    };
    /** Why an exact entry cannot give the stage's output (its own results need blobs nobody has), if so. */
    const unusable = async (report) => {
        const own = ownBlobsOf.get(report.stage);
        if (!local || report.tag === undefined || own === undefined)
            return undefined;
        try {
            const descriptor = (0,oci_layout/* findManifestByTag */.EM)(await (0,entry/* readLayoutIndex */.Xn)(layoutDir), report.tag);
            if (descriptor === undefined)
                return 'its manifest is not in the layout';
            const cache = await (0,entry/* readStageCache */.D$)(layoutDir, descriptor);
            const missing = (0,oci_layout/* unloadableOwnResults */.cJ)(cache, own, await (0,entry/* presentBlobs */.Yp)(layoutDir), options.externalLayers);
            if (missing.length === 0)
                return undefined;
            const more = missing.length > 2 ? ` and ${missing.length - 2} more` : '';
            return (`its layers need ${missing.length} blob${missing.length === 1 ? '' : 's'} that are neither restored ` +
                `nor in the image store (${missing.slice(0, 2).map(stage_caches_shortDigest).join(', ')}${more})`);
        }
        catch (error) {
            return stage_caches_errorMessage(error);
        }
    };
    const byStage = new Map(keys.map((stageKey) => [stageKey.stage, stageKey]));
    const visits = new Map();
    /** Restores what `stage` needs; true when its exact entry gives its output (its layer chain is there). */
    const need = (stage) => {
        let visit = visits.get(stage);
        if (visit === undefined) {
            visit = visitStage(stage);
            visits.set(stage, visit);
        }
        return visit;
    };
    const visitStage = async (stage) => {
        const stageKey = byStage.get(stage);
        const report = reports.get(stage);
        if (stageKey === undefined || report === undefined)
            return false;
        const stageNeeds = options.needs?.stages.get(stage);
        const from = stageNeeds?.from;
        // Every result of a stage sits on its FROM stage's layers: when that stage will be built anew, BuildKit's
        // keys for this stage's steps change too, and an older entry of it can give no hit.
        await restoreOne(stageKey, report, async () => from === undefined || (await need(from))
            ? undefined
            : `${reports.get(from)?.stageName ?? `stage ${from}`}, the stage it is built FROM, is built anew`);
        if (report.result === 'exact') {
            if (from !== undefined && !(await need(from))) {
                const name = reports.get(from)?.stageName ?? `stage ${from}`;
                demote(report, `${name}, the stage it is built FROM, has no usable cache, so neither has this one`);
            }
            else {
                const problem = await unusable(report);
                if (problem === undefined)
                    return true;
                demote(report, `cache entry ${report.restoredKey ?? report.key} is incomplete (${problem}); building without it`);
            }
        }
        for (const dependency of stageNeeds?.dependencies ?? [])
            await need(dependency);
        return false;
    };
    if (options.needs === undefined) {
        for (const stageKey of keys)
            await restoreOne(stageKey, reports.get(stageKey.stage));
        for (const report of reports.values()) {
            if (report.result !== 'exact')
                continue;
            const problem = await unusable(report);
            if (problem !== undefined)
                demote(report, `cache entry ${report.restoredKey ?? report.key} is incomplete (${problem}); building without it`);
        }
    }
    else {
        await need(options.needs.target);
    }
    if (local) {
        const validation = await (0,entry/* validateLayout */.F2)(layoutDir, options.externalLayers === undefined ? {} : { external: options.externalLayers });
        for (const pruned of validation.pruned) {
            logger?.debug(`stage-caches.restoreStageCaches: ${pruned.tag ?? pruned.digest}: without ${pruned.absent.length} ` +
                'layers it was not restored with (results that need them are left to build)');
        }
        for (const dropped of validation.dropped) {
            for (const report of reports.values()) {
                if (report.tag === undefined || report.tag !== dropped.tag)
                    continue;
                demote(report, `cache entry ${report.restoredKey ?? report.key} is incomplete (${dropped.reason}); building without it`);
            }
        }
        if (validation.error !== undefined) {
            for (const report of reports.values()) {
                if (report.tag === undefined)
                    continue;
                delete report.warning;
                demote(report, `the restored cache layout is unusable (${validation.error}); building without it`);
            }
        }
    }
    const stages = keys.map((stageKey) => reports.get(stageKey.stage));
    return { layoutDir, stages, bytes: stages.reduce((sum, r) => sum + r.bytes, 0) };
}
/** The `--cache-from` values for a build: one per stage that has a usable entry, in build order. */
function cacheFromSpecs(report) {
    return report.stages.flatMap((stage) => (stage.cacheFrom === undefined ? [] : [stage.cacheFrom]));
}
/** `--cache-to` for one stage's local export (mode=max, into its own directory). */
function cacheToSpec(exportDir, tag) {
    return localCacheToSpec(exportDir, tag);
}
/**
 * The `--cache-to` values for a stage whose exact key missed: a local export into `exportDir` for stores that
 * move entries, or the registry specs for a store BuildKit writes to itself.
 */
function stageCacheToSpecs(store, stageKey, exportDir) {
    return store.buildkit === undefined
        ? [specs_localCacheToSpec(exportDir)]
        : store.buildkit.cacheTo(stageKey.key, stageKey.restoreKeys);
}
/**
 * Saves the entry of every stage whose exact key missed, after checking that no other job saved it meanwhile.
 * Each entry holds only the stage's own blobs: what its dependencies' caches reference lives in their entries.
 * Never throws for a cache fault or a bad export: that stage is not saved, with a `warning`.
 */
async function saveStageCaches(options) {
    const { store, keys, results, exportDirs, dependenciesOf, workDir, signal, logger } = options;
    const resultOf = new Map(results.map((r) => [r.stage, r]));
    const reports = [];
    const entriesDir = external_node_path_default().join(workDir, 'packed');
    const exportCache = new Map();
    /** A stage's cache, from this run's export, else from the restored layout (a dependency that hit). */
    const cacheOf = (stage) => {
        let cached = exportCache.get(stage);
        if (cached === undefined) {
            cached = (async () => {
                const exportDir = exportDirs.get(stage);
                if (exportDir !== undefined)
                    return (0,entry/* readCacheExport */.z)(exportDir).catch(() => undefined);
                const tag = resultOf.get(stage)?.tag;
                if (options.layoutDir === undefined || tag === undefined)
                    return undefined;
                const layoutDir = options.layoutDir;
                try {
                    const descriptor = (0,oci_layout/* findManifestByTag */.EM)(await (0,entry/* readLayoutIndex */.Xn)(layoutDir), tag);
                    return descriptor === undefined ? undefined : await (0,entry/* readStageCache */.D$)(layoutDir, descriptor);
                }
                catch {
                    return undefined;
                }
            })();
            exportCache.set(stage, cached);
        }
        return cached;
    };
    /** Blobs of the stage's own results' chains that live in the entry of a stage outside its FROM chain. */
    const borrowedChainBlobs = async (stage, stageCache, own) => {
        const fromChain = new Set();
        for (let from = options.needs?.get(stage)?.from; from !== undefined; from = options.needs?.get(from)?.from) {
            const fromCache = await cacheOf(from);
            for (const blob of fromCache === undefined ? [] : (0,oci_layout/* referencedBlobs */.sW)(fromCache))
                fromChain.add(blob.digest);
        }
        const described = new Map((0,oci_layout/* referencedBlobs */.sW)(stageCache).map((d) => [d.digest, d]));
        const ownSet = new Set(own);
        return [...(0,oci_layout/* ownResultChains */.y0)(stageCache, ownSet)].filter((blob) => {
            const descriptor = described.get(blob);
            return (!ownSet.has(blob) &&
                !fromChain.has(blob) &&
                (descriptor === undefined ||
                    options.externalLayers === undefined ||
                    !(0,oci_layout/* isExternal */.ge)(descriptor, options.externalLayers)));
        });
    };
    for (const stageKey of keys) {
        const base = { stage: stageKey.stage, stageName: stageKey.stageName, key: stageKey.key };
        const skip = (reason, warning) => {
            reports.push(warning === undefined
                ? { ...base, saved: false, bytes: 0, reason }
                : { ...base, saved: false, bytes: 0, reason, warning });
        };
        const restored = resultOf.get(stageKey.stage)?.result;
        if (restored === 'exact') {
            skip('exact key hit: nothing to save');
            continue;
        }
        if (restored === 'unneeded') {
            skip('not needed: a stage built on it hit its exact key');
            continue;
        }
        const warnings = [];
        const call = callOptions(warnings, signal, logger);
        const warning = () => (warnings.length > 0 ? warnings.join('; ') : undefined);
        if (store.buildkit !== undefined) {
            // BuildKit pushed the entry during the build (stageCacheToSpecs); see whether it is there.
            const there = await store.exists(stageKey.key, call).catch(() => false);
            if (there)
                reports.push({ ...base, saved: true, bytes: 0, reason: 'written to the registry by BuildKit' });
            else
                skip('not in the registry after the build (was the stage built with its --cache-to?)', warning());
            continue;
        }
        const exportDir = exportDirs.get(stageKey.stage);
        if (exportDir === undefined) {
            skip('no cache export for this stage');
            continue;
        }
        try {
            if (await store.exists(stageKey.key, call)) {
                // Entries are never replaced (GitHub's cache cannot): an unusable one stays until it is evicted.
                skip(resultOf.get(stageKey.stage)?.restoredKey === stageKey.key
                    ? 'an entry under this key exists but was unusable; entries are never replaced'
                    : 'already saved (by another job)');
                continue;
            }
            if (warnings.length > 0) {
                skip('the store could not be checked', warning());
                continue;
            }
            let stageCache;
            try {
                stageCache = await (0,entry/* readCacheExport */.z)(exportDir);
            }
            catch (error) {
                skip("the stage's cache export is unusable", `cache export of ${stageKey.stageName} is unusable: ${stage_caches_errorMessage(error)}`);
                continue;
            }
            const dependencies = [];
            for (const dep of dependenciesOf.get(stageKey.stage) ?? []) {
                const depCache = await cacheOf(dep);
                if (depCache !== undefined)
                    dependencies.push(depCache);
                else
                    logger?.debug(`stage-caches.saveStageCaches: ${stageKey.stageName}: no cache of stage ${dep}; its blobs stay in this entry`);
            }
            const own = (0,oci_layout/* ownBlobs */.Dj)(stageCache, dependencies, options.externalLayers).map((d) => d.digest);
            const shared = options.needs === undefined ? [] : await borrowedChainBlobs(stageKey.stage, stageCache, own);
            const entryDir = external_node_path_default().join(entriesDir, `stage-${stageKey.stage}`);
            await (0,entry/* removeTree */.dM)(entryDir);
            await (0,entry/* packEntry */.AR)(exportDir, stageKey, [...own, ...shared], entryDir, { shared });
            const bytes = await store.save(stageKey.key, entryDir, call);
            if (warnings.length > 0)
                skip('the store failed', warning());
            else if (bytes === 0)
                skip('not stored (another job may have saved the same key first)');
            else
                reports.push({ ...base, saved: true, bytes, reason: 'saved' });
        }
        catch (error) {
            skip('saving failed', `cache save of ${stageKey.key} failed: ${stage_caches_errorMessage(error)}`);
        }
    }
    return { stages: reports, bytes: reports.reduce((sum, r) => sum + r.bytes, 0) };
}

;// CONCATENATED MODULE: ./src/cache/complete-layout.ts
// The shared layout and the stage exports. Entries leave base-image blobs out (the engine's image store has
// them). Each export directory is seeded so that BuildKit writes only new blobs; should an export still read a
// base-image blob from the cache source, the layout gets those blobs from a local copy of the base images.




/** The caches of the layout's manifests that can be read (an unreadable index or manifest is skipped). */
async function readableCaches(layoutDir) {
    const index = await (0,entry/* readLayoutIndex */.Xn)(layoutDir).catch(() => undefined);
    const caches = [];
    for (const descriptor of index?.manifests ?? []) {
        const cache = await (0,entry/* readStageCache */.D$)(layoutDir, descriptor).catch(() => undefined);
        if (cache !== undefined)
            caches.push(cache);
    }
    return caches;
}
/** Blobs that the layout's manifests reference but the layout does not hold. */
async function missingLayoutBlobs(layoutDir) {
    const present = await (0,entry/* presentBlobs */.Yp)(layoutDir);
    const missing = new Set();
    for (const cache of await readableCaches(layoutDir)) {
        for (const blob of (0,oci_layout/* referencedBlobs */.sW)(cache))
            if (!present.has(blob.digest))
                missing.add(blob.digest);
    }
    return [...missing];
}
/** Links the `digests` found in `sourceLayout` (an OCI layout, e.g. `docker save` output) into the layout. */
async function addBlobsToLayout(layoutDir, sourceLayout, digests) {
    const added = [];
    for (const digest of digests) {
        const source = (0,entry/* blobPath */.nD)(sourceLayout, digest);
        if (!(await exists(source)))
            continue;
        await (0,entry/* linkOrCopy */.L7)(source, (0,entry/* blobPath */.nD)(layoutDir, digest));
        added.push(digest);
    }
    return added;
}
async function exists(file) {
    try {
        await (0,promises_.access)(external_node_path_default().resolve(file));
        return true;
    }
    catch {
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
async function seedExportDir(exportDir, layoutDir, external) {
    const blobsDir = external_node_path_default().join(exportDir, 'blobs', 'sha256');
    await (0,promises_.mkdir)(blobsDir, { recursive: true });
    const present = await (0,entry/* presentBlobs */.Yp)(layoutDir);
    let linked = 0;
    for (const digest of present) {
        await (0,entry/* linkOrCopy */.L7)((0,entry/* blobPath */.nD)(layoutDir, digest), (0,entry/* blobPath */.nD)(exportDir, digest));
        linked += 1;
    }
    const externalDigests = new Set();
    for (const cache of await readableCaches(layoutDir)) {
        for (const blob of cache.manifest.manifests) {
            if (!present.has(blob.digest) && (0,oci_layout/* isExternal */.ge)(blob, external))
                externalDigests.add(blob.digest);
        }
    }
    for (const digest of externalDigests)
        await (0,promises_.writeFile)((0,entry/* blobPath */.nD)(exportDir, digest), '');
    return { linked, placeholders: externalDigests.size };
}

;// CONCATENATED MODULE: ./src/cache/index.ts







;// CONCATENATED MODULE: ./src/size/image.ts
// Image JSON and archive formats, pure: OCI and Docker indexes, manifests and configs, platform selection,
// `docker save` tar headers and the gzip trailer. measure.ts feeds these the bytes it reads; nothing here runs
// a process or touches a file.

/** A problem with an image or its measurement; the message names the image and what was wrong. */
class SizeMeasureError extends Error {
    name = 'SizeMeasureError';
}
const MEDIA_TYPES = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};
/** eStargz layers say how large they are unpacked (their gzip trailer covers only the last member). */
const ESTARGZ_UNCOMPRESSED_SIZE = 'io.containers.estargz.uncompressed-size';
// ---- JSON ---------------------------------------------------------------------------------------------------
function image_isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function isSize(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
const image_DIGEST = /^sha256:[0-9a-f]{64}$/;
function isDigest(value) {
    return typeof value === 'string' && image_DIGEST.test(value);
}
function image_sha256Digest(bytes) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
function parseJson(text, what) {
    try {
        return JSON.parse(text);
    }
    catch (error) {
        throw new SizeMeasureError(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
}
function parsePlatformObject(value) {
    if (!image_isObject(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string') {
        return undefined;
    }
    return {
        os: value.os,
        architecture: value.architecture,
        ...(typeof value.variant === 'string' && value.variant !== '' ? { variant: value.variant } : {}),
    };
}
function parseDescriptor(value, what) {
    if (!image_isObject(value) ||
        typeof value.mediaType !== 'string' ||
        !isDigest(value.digest) ||
        !isSize(value.size)) {
        throw new SizeMeasureError(`${what}: not a descriptor with mediaType, sha256 digest and size`);
    }
    const platform = parsePlatformObject(value.platform);
    let annotations;
    if (image_isObject(value.annotations)) {
        annotations = {};
        for (const [key, text] of Object.entries(value.annotations)) {
            if (typeof text === 'string')
                annotations[key] = text;
        }
    }
    return {
        mediaType: value.mediaType,
        digest: value.digest,
        size: value.size,
        ...(platform !== undefined ? { platform } : {}),
        ...(annotations !== undefined ? { annotations } : {}),
    };
}
function isIndexMediaType(mediaType) {
    return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}
function isManifestMediaType(mediaType) {
    return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}
/**
 * An index or a manifest, told apart by `mediaType` (or, where an OCI document omits it, by having
 * `manifests` or `layers`), as registries and `docker save` give them.
 */
function parseImageDocument(text, what) {
    const value = parseJson(text, what);
    if (!image_isObject(value))
        throw new SizeMeasureError(`${what} is not a JSON object`);
    const mediaType = typeof value.mediaType === 'string'
        ? value.mediaType
        : Array.isArray(value.manifests)
            ? MEDIA_TYPES.ociIndex
            : Array.isArray(value.layers)
                ? MEDIA_TYPES.ociManifest
                : '';
    if (isIndexMediaType(mediaType)) {
        if (!Array.isArray(value.manifests))
            throw new SizeMeasureError(`${what}: an index without manifests`);
        return {
            kind: 'index',
            index: {
                mediaType,
                manifests: value.manifests.map((m, i) => parseDescriptor(m, `${what}: manifests[${i}]`)),
            },
        };
    }
    if (isManifestMediaType(mediaType)) {
        if (!Array.isArray(value.layers))
            throw new SizeMeasureError(`${what}: a manifest without layers`);
        return {
            kind: 'manifest',
            manifest: {
                mediaType,
                config: parseDescriptor(value.config, `${what}: config`),
                layers: value.layers.map((l, i) => parseDescriptor(l, `${what}: layers[${i}]`)),
            },
        };
    }
    throw new SizeMeasureError(`${what} has media type ${JSON.stringify(mediaType)}, not an image index or manifest (schema 1 manifests are not supported)`);
}
/** An image config (OCI or Docker): platform, `rootfs.diff_ids` and `history`. */
function parseImageConfig(text, what) {
    return parseImageConfigValue(parseJson(text, what), what);
}
function parseImageConfigValue(value, what) {
    if (!image_isObject(value))
        throw new SizeMeasureError(`${what} is not a JSON object`);
    if (typeof value.os !== 'string' || typeof value.architecture !== 'string') {
        throw new SizeMeasureError(`${what}: an image config needs os and architecture`);
    }
    const rootfs = value.rootfs;
    if (!image_isObject(rootfs) || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every(isDigest)) {
        throw new SizeMeasureError(`${what}: rootfs.diff_ids is missing or not a list of sha256 digests`);
    }
    const history = [];
    if (value.history !== undefined && value.history !== null) {
        if (!Array.isArray(value.history))
            throw new SizeMeasureError(`${what}: history is not a list`);
        value.history.forEach((entry, i) => {
            if (!image_isObject(entry))
                throw new SizeMeasureError(`${what}: history[${i}] is not an object`);
            history.push({
                createdBy: typeof entry.created_by === 'string' ? entry.created_by : '',
                emptyLayer: entry.empty_layer === true,
                ...(typeof entry.comment === 'string' ? { comment: entry.comment } : {}),
                ...(typeof entry.created === 'string' ? { created: entry.created } : {}),
            });
        });
    }
    return {
        os: value.os,
        architecture: value.architecture,
        ...(typeof value.variant === 'string' && value.variant !== '' ? { variant: value.variant } : {}),
        diffIds: rootfs.diff_ids,
        history,
    };
}
/**
 * `docker buildx imagetools inspect --format '{{json .Image}}'`: the config for a manifest reference, or a map
 * from `os/arch[/variant]` to configs for an index. Returns the one for `platform`.
 */
function parseImagetoolsImage(text, platform, what) {
    const value = parseJson(text, what);
    if (image_isObject(value) && 'rootfs' in value)
        return parseImageConfigValue(value, what);
    if (!image_isObject(value))
        throw new SizeMeasureError(`${what} is not a JSON object`);
    for (const [key, config] of Object.entries(value)) {
        const [os = '', architecture = '', variant] = key.split('/');
        if (platformMatches({ os, architecture, ...(variant ? { variant } : {}) }, platform)) {
            return parseImageConfigValue(config, `${what}: ${key}`);
        }
    }
    throw new SizeMeasureError(`${what} has no image for ${image_formatPlatform(platform)} (it has ${Object.keys(value).join(', ') || 'none'})`);
}
// ---- platforms ----------------------------------------------------------------------------------------------
/** `os/arch[/variant]`. */
function image_formatPlatform(platform) {
    return [platform.os, platform.architecture, platform.variant]
        .filter((p) => p !== undefined && p !== '')
        .join('/');
}
/** containerd's defaults: arm64 means v8, arm means v7, amd64 means v1. */
function normalizedVariant(platform) {
    const variant = platform.variant ?? '';
    if (variant !== '')
        return variant;
    switch (platform.architecture) {
        case 'arm64':
            return 'v8';
        case 'arm':
            return 'v7';
        case 'amd64':
            return 'v1';
        default:
            return '';
    }
}
function platformMatches(candidate, wanted) {
    return (candidate.os === wanted.os &&
        candidate.architecture === wanted.architecture &&
        normalizedVariant(candidate) === normalizedVariant(wanted));
}
/** BuildKit's attestation manifests (`unknown/unknown`, `vnd.docker.reference.type`) are never images. */
function isAttestation(descriptor) {
    return (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
        (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown'));
}
/** The index entry for `platform`; throws naming the platforms there are. */
function selectManifest(index, platform, what) {
    const images = index.manifests.filter((m) => !isAttestation(m));
    const match = images.find((m) => m.platform !== undefined && platformMatches(m.platform, platform));
    if (match !== undefined)
        return match;
    const present = images.map((m) => m.platform !== undefined ? image_formatPlatform(m.platform) : '(no platform)');
    throw new SizeMeasureError(`${what} has no manifest for ${image_formatPlatform(platform)} (it has ${present.join(', ') || 'none'})`);
}
/** The config must be for the platform asked for (a single-manifest image has no index to choose from). */
function checkConfigPlatform(config, platform, what) {
    if (!platformMatches(config, platform)) {
        throw new SizeMeasureError(`${what} is for ${image_formatPlatform(config)}, not ${image_formatPlatform(platform)}`);
    }
}
function layerCompression(mediaType) {
    if (/(\+|\.)gzip$/.test(mediaType))
        return 'gzip';
    if (/(\+|\.)zstd$/.test(mediaType))
        return 'zstd';
    if (/(\.|\/)tar$/.test(mediaType) || mediaType.endsWith('.tar'))
        return 'none';
    return 'unknown';
}
const TWO_32 = 2 ** 32;
/** deflate's best ratio is 1032:1 (a 258-byte match in about two bits); no stream decompresses to more. */
const DEFLATE_MAX_RATIO = 1032;
/** The gzip trailer's ISIZE: the last four bytes, little-endian. */
function gzipTrailerSize(lastFour) {
    if (lastFour.length !== 4)
        throw new SizeMeasureError('a gzip trailer needs the last 4 bytes of the blob');
    return (lastFour[0] | (lastFour[1] << 8) | (lastFour[2] << 16)) + lastFour[3] * 2 ** 24;
}
/**
 * The uncompressed length of a gzip blob of `compressed` bytes whose trailer says `isize` (the length modulo
 * 2^32): the smallest `isize + k·2^32` that is at least what the compressed bytes must hold (deflate adds at
 * most 5 bytes per 65,535 stored, plus an 18-byte frame). That is the length unless the layer's compression
 * saved 4 GiB or more. Undefined when even that is more than deflate can produce from `compressed` bytes
 * (1032:1): then the trailer cannot be the whole stream's.
 */
function uncompressedFromGzipTrailer(isize, compressed) {
    const atLeast = Math.max(0, Math.floor(((compressed - 18) * 65535) / 65540) - 1024);
    let length = isize;
    if (length < atLeast)
        length += Math.ceil((atLeast - length) / TWO_32) * TWO_32;
    if (length > compressed * DEFLATE_MAX_RATIO + 1024)
        return undefined;
    return { length, wrapped: length !== isize };
}
/** eStargz's own uncompressed size, when the layer carries it. */
function annotatedUncompressedSize(layer) {
    const text = layer.annotations?.[ESTARGZ_UNCOMPRESSED_SIZE];
    if (text === undefined || !/^\d+$/.test(text))
        return undefined;
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
}
// ---- tar (docker save) ----------------------------------------------------------------------------------------
const TAR_BLOCK = 512;
function cString(block, start, length) {
    const field = block.subarray(start, start + length);
    const end = field.indexOf(0);
    return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}
function tarNumber(block, start, length) {
    const field = block.subarray(start, start + length);
    if ((field[0] & 0x80) !== 0) {
        // GNU base-256: big-endian, the top bit of the first byte set.
        let value = field[0] & 0x7f;
        for (let i = 1; i < field.length; i++)
            value = value * 256 + field[i];
        return value;
    }
    const text = cString(block, start, length).trim();
    return text === '' ? 0 : parseInt(text, 8);
}
/** One 512-byte header block; `undefined` for the zero block that ends an archive. */
function parseTarHeader(block) {
    if (block.length !== TAR_BLOCK)
        throw new SizeMeasureError('a tar header is 512 bytes');
    if (block.every((byte) => byte === 0))
        return undefined;
    let sum = 0;
    for (let i = 0; i < TAR_BLOCK; i++)
        sum += i >= 148 && i < 156 ? 32 : block[i];
    if (sum !== tarNumber(block, 148, 8))
        throw new SizeMeasureError('not a tar archive (header checksum mismatch)');
    const name = cString(block, 0, 100);
    const magic = cString(block, 257, 6);
    const prefix = magic.startsWith('ustar') ? cString(block, 345, 155) : '';
    const size = tarNumber(block, 124, 12);
    if (!Number.isSafeInteger(size))
        throw new SizeMeasureError('tar entry size out of range');
    return { name: prefix === '' ? name : `${prefix}/${name}`, type: cString(block, 156, 1) || '0', size };
}
/** PAX extended header records (`<len> <key>=<value>\n`, `len` in bytes); only `path` and `size` matter here. */
function parsePaxRecords(data) {
    const records = new Map();
    const decoder = new TextDecoder();
    let at = 0;
    while (at < data.length) {
        const space = data.indexOf(0x20, at);
        if (space === -1)
            break;
        const length = Number(decoder.decode(data.subarray(at, space)));
        if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length)
            break;
        const record = decoder.decode(data.subarray(space + 1, at + length - 1));
        const eq = record.indexOf('=');
        if (eq !== -1)
            records.set(record.slice(0, eq), record.slice(eq + 1));
        at += length;
    }
    return records;
}
/** Bytes from one entry's header to the next header: the content padded to whole blocks. */
function tarPaddedSize(size) {
    return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}
/** `blobs/sha256/<hex>` → `sha256:<hex>`, for OCI layouts as `docker save` writes them. */
function blobDigestFromPath(name) {
    const match = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
    return match === null ? undefined : `sha256:${match[1]}`;
}
/** The repository of a reference (tag and digest dropped), with Docker Hub's defaults applied. */
function parseRepository(ref) {
    let rest = ref.trim();
    const at = rest.indexOf('@');
    if (at !== -1)
        rest = rest.slice(0, at);
    const slash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > slash)
        rest = rest.slice(0, colon);
    if (rest === '' || /\s/.test(rest))
        throw new SizeMeasureError(`not an image reference: ${JSON.stringify(ref)}`);
    const first = rest.split('/')[0];
    const hasRegistry = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
    let registry = hasRegistry ? first : 'docker.io';
    let repository = hasRegistry ? rest.slice(first.length + 1) : rest;
    if (registry === 'index.docker.io')
        registry = 'docker.io';
    if (registry === 'docker.io' && !repository.includes('/'))
        repository = `library/${repository}`;
    return {
        registry,
        apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry,
        repository,
        name: rest,
    };
}
/** `os/arch[/variant]` → a platform (the `Platform` of the plan module is accepted as is). */
function toPlatform(platform) {
    if (typeof platform !== 'string')
        return platform;
    const [os = '', architecture = '', variant] = platform.split('/');
    if (os === '' || architecture === '')
        throw new SizeMeasureError(`not a platform: ${JSON.stringify(platform)}`);
    return { os, architecture, ...(variant !== undefined && variant !== '' ? { variant } : {}) };
}

;// CONCATENATED MODULE: ./src/size/types.ts
// The size report: what one image (one target, one platform) weighs, layer by layer, mapped back to the
// Dockerfile. It is stored as JSON (the baseline of later pull requests), so its shape is versioned: a reader
// meeting another `schemaVersion` treats the report as absent rather than guessing.
const SIZE_REPORT_SCHEMA_VERSION = 1;

;// CONCATENATED MODULE: ./src/size/layers.ts

/** The target's FROM chain from a plan and its parsed Dockerfile. */
function resolveStageChain(plan, dockerfile) {
    const stages = [];
    const seen = new Set();
    let index = plan.targetIndex;
    for (;;) {
        const planned = plan.stages[index];
        const parsed = dockerfile.stages[index];
        if (planned === undefined || parsed === undefined || seen.has(index)) {
            throw new Error(`resolveStageChain: stage ${index} is missing or part of a cycle`);
        }
        seen.add(index);
        stages.unshift({ name: planned.displayName, instructions: parsed.instructions });
        const base = planned.base;
        if ('stage' in base) {
            index = base.stage;
            continue;
        }
        return { stages, base };
    }
}
function createsLayer(keyword, firstArg) {
    switch (keyword) {
        case 'RUN':
        case 'COPY':
        case 'ADD':
            return true;
        case 'WORKDIR':
            return (firstArg ?? '').trim() !== '/';
        default:
            return false;
    }
}
/** The text shown for an instruction: its logical line as written (continuations joined, no heredoc body). */
function instructionText(instruction) {
    return instruction.node.original.trim();
}
/** The history entries the chain writes, in order (ONBUILD triggers of a chain stage where they run). */
function expectedHistory(chain) {
    const entries = [];
    chain.stages.forEach((stage, s) => {
        const parent = s > 0 ? chain.stages[s - 1] : undefined;
        for (const instruction of parent?.instructions ?? []) {
            if (instruction.kind !== 'onbuild')
                continue;
            const keyword = instruction.trigger.keyword.toUpperCase();
            entries.push({
                keyword,
                stage: parent.name,
                line: instruction.range.start,
                instruction: instructionText(instruction),
                createsLayer: createsLayer(keyword, instruction.trigger.args[0]),
            });
        }
        for (const instruction of stage.instructions) {
            if (instruction.kind === 'onbuild')
                continue;
            const keyword = instruction.kind.toUpperCase();
            entries.push({
                keyword,
                stage: stage.name,
                line: instruction.range.start,
                instruction: instructionText(instruction),
                createsLayer: createsLayer(keyword, instruction.kind === 'workdir' ? instruction.path : undefined),
            });
        }
    });
    return entries;
}
/**
 * The instruction keyword of a `created_by`: BuildKit's `RUN …`, `COPY … # buildkit`, `WORKDIR /x`; the classic
 * builder's `/bin/sh -c #(nop)  ENV …` and `/bin/sh -c <command>` (a RUN, possibly after `|N K=V …`).
 * Empty when there is none (an imported base layer).
 */
function historyKeyword(createdBy) {
    const text = createdBy.trim();
    const nop = /^\/bin\/sh -c #\(nop\)\s+([A-Za-z]+)/.exec(text);
    if (nop !== null)
        return nop[1].toUpperCase();
    if (/^(\|\d+ .*)?\/bin\/sh -c /.test(text))
        return 'RUN';
    const keyword = /^([A-Z]+)(\s|$)/.exec(text);
    return keyword === null ? '' : keyword[1];
}
const BASE = Object.freeze({ kind: 'base' });
function clip(text, max = 80) {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
function layers_plural(count, word, words = `${word}s`) {
    return `${count} ${count === 1 ? word : words}`;
}
/**
 * Maps history entries to the chain's instructions (aligned from the end by keyword) and the rest to the
 * base image; `diffIds` are the image's own, for checking `base` given as diff ids.
 */
function mapHistory(history, chain, options = {}) {
    const origins = history.map(() => BASE);
    if (chain === undefined) {
        return { origins, baseEntries: history.length, complete: false, warnings: [] };
    }
    const expected = expectedHistory(chain);
    const warnings = [];
    let i = history.length - 1;
    let j = expected.length - 1;
    while (i >= 0 && j >= 0) {
        const want = expected[j];
        if (historyKeyword(history[i].createdBy) === want.keyword) {
            origins[i] = { kind: 'stage', stage: want.stage, line: want.line, instruction: want.instruction };
            i--;
            j--;
        }
        else if (!want.createsLayer) {
            j--; // a metadata instruction this builder did not record
        }
        else {
            break;
        }
    }
    const missing = expected.slice(0, j + 1).filter((e) => e.createsLayer);
    const complete = missing.length === 0;
    const target = options.target ?? chain.stages[chain.stages.length - 1]?.name ?? '';
    if (!complete) {
        const want = missing[missing.length - 1];
        const found = i >= 0 ? `the image has ${JSON.stringify(clip(history[i].createdBy))}` : 'the history ended';
        warnings.push(`The image's history does not match the Dockerfile's instructions for ${target}: at line ${want.line} ` +
            `(${want.keyword}) ${found}; was the image built from this Dockerfile? ` +
            (i < 0
                ? 'The instructions before it have no history entries.'
                : i === 0
                    ? 'The first history entry is shown as a base-image layer.'
                    : `The first ${i + 1} history entries are shown as base-image layers.`));
    }
    const baseEntries = i + 1;
    const baseLayers = history.slice(0, baseEntries).filter((entry) => !entry.emptyLayer).length;
    if (complete)
        checkBase(baseLayers, chain.base, options.base, options.diffIds ?? [], warnings);
    return { origins, baseEntries, complete, warnings };
}
function checkBase(baseLayers, chainBase, known, diffIds, warnings) {
    let expected;
    let source = '';
    if (known !== undefined && 'diffIds' in known) {
        let common = 0;
        while (common < known.diffIds.length && diffIds[common] === known.diffIds[common])
            common++;
        if (common < known.diffIds.length) {
            warnings.push(`The image does not start with the base image's ${layers_plural(known.diffIds.length, 'layer')} ` +
                `(${common} match): the base image given is not the one the image was built on.`);
            return;
        }
        expected = known.diffIds.length;
        source = "the base image's diff ids";
    }
    else if (known !== undefined) {
        expected = known.layerCount;
        source = 'the base layer count given';
    }
    else if ('image' in chainBase && chainBase.image === 'scratch') {
        expected = 0;
        source = 'FROM scratch';
    }
    if (expected === undefined || expected === baseLayers)
        return;
    warnings.push(baseLayers > expected
        ? `${layers_plural(baseLayers - expected, 'layer')} between the base image and the first instruction ` +
            `${baseLayers - expected === 1 ? 'was' : 'were'} not made by this Dockerfile's instructions ` +
            `(ONBUILD triggers of the base image?); shown as base-image layers.`
        : `The image has ${layers_plural(baseLayers, 'base-image layer')} where ${source} says ${expected}.`);
}
/** The size report of a measured image, its layers mapped to the Dockerfile. */
function buildSizeReport(input) {
    const { image } = input;
    const target = input.target ?? input.chain?.stages[input.chain.stages.length - 1]?.name;
    if (target === undefined)
        throw new Error('buildSizeReport: a target or a stage chain is needed');
    const { history, diffIds } = image.config;
    const mapping = mapHistory(history, input.chain, { base: input.base, diffIds, target });
    const warnings = [...image.warnings, ...mapping.warnings];
    if (diffIds.length !== image.layers.length) {
        warnings.push(`The config lists ${layers_plural(diffIds.length, 'diff id')} for the manifest's ${layers_plural(image.layers.length, 'layer')}.`);
    }
    const nonEmpty = history.filter((entry) => !entry.emptyLayer).length;
    if (history.length === 0) {
        warnings.push('The image config has no history: its layers cannot be matched to instructions.');
    }
    else if (nonEmpty !== image.layers.length) {
        warnings.push(`The history has ${layers_plural(nonEmpty, 'entry', 'entries')} with a layer for ${layers_plural(image.layers.length, 'layer')}; ` +
            'layers and instructions are paired in order as far as they go.');
    }
    const layers = [];
    let next = 0;
    const layerEntry = (index, createdBy, origin) => {
        const layer = image.layers[next];
        const diffId = diffIds[next];
        next++;
        return {
            index,
            digest: layer.digest,
            compressedBytes: layer.compressedBytes,
            uncompressedBytes: layer.uncompressedBytes ?? layer.compressedBytes,
            createdBy,
            emptyLayer: false,
            origin,
            mediaType: layer.mediaType,
            ...(diffId !== undefined ? { diffId } : {}),
            uncompressedMethod: layer.uncompressedBytes === undefined ? 'unknown' : layer.uncompressedMethod,
        };
    };
    history.forEach((entry, index) => {
        const origin = mapping.origins[index];
        if (!entry.emptyLayer && next < image.layers.length) {
            layers.push(layerEntry(index, entry.createdBy, origin));
        }
        else {
            layers.push({
                index,
                digest: null,
                compressedBytes: 0,
                uncompressedBytes: 0,
                createdBy: entry.createdBy,
                emptyLayer: true,
                origin,
            });
        }
    });
    while (next < image.layers.length)
        layers.push(layerEntry(layers.length, '', BASE));
    const unknown = image.layers.filter((layer) => layer.uncompressedBytes === undefined).length;
    return {
        schemaVersion: SIZE_REPORT_SCHEMA_VERSION,
        target,
        platform: image.platform,
        ...(input.commit !== undefined ? { commit: input.commit } : {}),
        ...(input.ref !== undefined ? { ref: input.ref } : {}),
        createdAt: input.createdAt,
        image: {
            ref: image.ref,
            digest: image.manifestDigest,
            configDigest: image.configDigest,
            ...(image.indexDigest !== undefined ? { indexDigest: image.indexDigest } : {}),
        },
        compressedBytes: sum(layers.map((layer) => layer.compressedBytes)),
        uncompressedBytes: sum(layers.map((layer) => layer.uncompressedBytes)),
        layers,
        source: image.source,
        uncompressedComplete: unknown === 0,
        ...(warnings.length > 0 ? { warnings } : {}),
    };
}
function sum(values) {
    return values.reduce((a, b) => a + b, 0);
}

;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
;// CONCATENATED MODULE: ./src/size/measure.ts
// Measuring an image for one platform: the manifest's layers (compressed sizes: what a pull transfers), the
// config (history, diff ids) and each layer's unpacked size. Effects only here; the parsing is image.ts's and
// the mapping to the Dockerfile layers.ts's.
//
// A loaded image (the engine's containerd image store). With docker 26.1 (API 1.45) the CLI cannot print an
// image's manifest: `docker image inspect` has the config's RootFS and a `Size` that is the sum of every blob
// of the platform's image (index + manifest + config + compressed layers; checked here), but no descriptors
// (its `Descriptor` field needs API 1.48); `docker history` sizes are the snapshots' disk usage in 4 KiB
// blocks, not the layers' tar sizes (an 8,192 for a 1,536-byte WORKDIR layer); `imagetools` reads registries
// only; reading containerd's content store needs its socket (root). So the image is exported with
// `docker image save --output <temp file>` (an OCI layout: the exact index, manifest and config blobs, and
// the compressed layer blobs as stored), the archive's headers are read in place, and the file is deleted.
// Cost: one write of the image's compressed size to the temp dir, and a read of each layer's last 4 bytes.
// An engine without the containerd store keeps no compressed layers (its `docker save` writes uncompressed
// tars), so there is nothing exact to report: that is an error naming the remedy.
//
// A pushed image: `docker buildx imagetools inspect --raw` gives the index and the manifest byte for byte
// (their sha256 is checked against the digests), `--format '{{json .Image}}'` the config, nothing is pulled.
//
// Unpacked sizes. A gzip stream ends with ISIZE, the uncompressed length modulo 2^32: one 4-byte read per
// layer (a range request to the registry, a seek in the archive) gives the exact length of the layer's tar,
// unless its compression saved 4 GiB or more (see `uncompressedFromGzipTrailer`). Where the trailer is smaller
// than the compressed size allows (a layer of 4 GiB or more unpacked, or a multi-member gzip such as
// eStargz), a loaded layer is decompressed and counted; a registry layer is taken as 4 GiB larger, with a
// warning, or reported unknown when even that cannot be. Uncompressed tar layers are their own size; eStargz
// layers carry their size in an annotation; zstd layers are decompressed where Node has zstd (22.15+),
// otherwise (and always in a registry) unknown. So a loaded image and the same image pushed give the same
// numbers, and `measure.itg.test.ts` checks them against a full decompression.








const SAVE_TIMEOUT_MS = 10 * 60_000;
const INSPECT_TIMEOUT_MS = 2 * 60_000;
/** Indexes, manifests and configs larger than this are not believed. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
async function runDocker(exec, argv, what, options, defaultTimeout = INSPECT_TIMEOUT_MS) {
    options.onDebug?.(`size.${what}: ${JSON.stringify(argv)}`);
    const result = await exec(argv, {
        timeoutMs: options.timeoutMs ?? defaultTimeout,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    if (result.exitCode !== 0) {
        const said = tailLines(result.stderr, 3);
        throw new SizeMeasureError(`${commandName(argv)} failed with exit code ${result.exitCode}${said === '' ? '' : `: ${said}`}`);
    }
    return result.stdout;
}
/** `docker image save` of `docker image save --output f x`: the words before the first flag. */
function commandName(argv) {
    const flag = argv.findIndex((word) => word.startsWith('-'));
    return argv.slice(0, flag === -1 ? Math.min(argv.length, 4) : flag).join(' ');
}
function checkDigest(text, digest, what) {
    const actual = image_sha256Digest(text);
    if (actual !== digest)
        throw new SizeMeasureError(`${what} has digest ${actual}, expected ${digest}`);
}
// ---- a loaded image -----------------------------------------------------------------------------------------
/** Whether the engine uses the containerd image store (`docker info` DriverStatus names its snapshotter). */
async function readUsesContainerdStore(exec, options = {}) {
    const docker = options.docker ?? 'docker';
    const out = await runDocker(exec, [docker, 'info', '--format', '{{json .DriverStatus}}'], 'readUsesContainerdStore', options);
    return out.includes('io.containerd.snapshotter');
}
/** The regular files of a tar archive: name → where its bytes are. Reads headers only. */
async function readTarEntries(file) {
    const entries = new Map();
    const { size: fileSize } = await file.stat();
    const block = Buffer.alloc(TAR_BLOCK);
    let offset = 0;
    let pax;
    let longName;
    while (offset + TAR_BLOCK <= fileSize) {
        await readExactly(file, block, offset);
        const header = parseTarHeader(block);
        if (header === undefined)
            break;
        const data = offset + TAR_BLOCK;
        const size = pax?.has('size') === true ? Number(pax.get('size')) : header.size;
        if (!Number.isSafeInteger(size) || data + size > fileSize) {
            throw new SizeMeasureError(`the image archive is truncated at ${JSON.stringify(header.name)}`);
        }
        if (header.type === 'x') {
            pax = parsePaxRecords(await readRange(file, data, size));
        }
        else if (header.type === 'L') {
            longName = new TextDecoder().decode(await readRange(file, data, size)).replace(/\0.*$/s, '');
        }
        else {
            if (header.type === '0' || header.type === '7') {
                entries.set((pax?.get('path') ?? longName ?? header.name).replace(/^\.\//, ''), {
                    offset: data,
                    size,
                });
            }
            if (header.type !== 'g') {
                pax = undefined;
                longName = undefined;
            }
        }
        offset = data + tarPaddedSize(size);
    }
    return entries;
}
async function readExactly(file, buffer, position) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead !== buffer.length)
        throw new SizeMeasureError('the image archive ended early');
}
async function readRange(file, position, length) {
    const buffer = Buffer.alloc(length);
    if (length > 0)
        await readExactly(file, buffer, position);
    return buffer;
}
/** The bytes a decompressor makes of a part of a file, counted and dropped. */
async function countDecompressed(file, entry, decompressor) {
    let count = 0;
    const stream = file.createReadStream({
        start: entry.offset,
        end: entry.offset + entry.size - 1,
        autoClose: false,
    });
    await (0,external_node_stream_promises_namespaceObject.pipeline)(stream, decompressor, new external_node_stream_.Writable({
        write(chunk, _encoding, callback) {
            count += chunk.length;
            callback();
        },
    }));
    return count;
}
function zstdDecompressor() {
    const create = external_node_zlib_.createZstdDecompress;
    return typeof create === 'function' ? create() : undefined;
}
/**
 * Measures `image` (a name, `name:tag` or image id) as the engine's image store holds it, for `platform`.
 * Needs the containerd image store; exports the image once to a temp file (see the head of this file).
 */
async function measureLocalImage(exec, image, platform, options = {}) {
    const [measured] = await measureLocalImagePlatforms(exec, image, [platform], options);
    return measured;
}
/** `measureLocalImage` for several platforms of one (multi-platform) image, with one `docker save`. */
async function measureLocalImagePlatforms(exec, image, platforms, options = {}) {
    const wanted = platforms.map(toPlatform);
    const docker = options.docker ?? 'docker';
    if (!(await readUsesContainerdStore(exec, options))) {
        throw new SizeMeasureError(`cannot measure ${image} from the engine: its image store keeps no compressed layers (enable the ` +
            'containerd image store, `{"features":{"containerd-snapshotter":true}}` in daemon.json, or push the ' +
            'image and measure it in the registry)');
    }
    const dir = await (0,promises_.mkdtemp)(external_node_path_default().join(options.tempDir ?? (0,external_node_os_.tmpdir)(), 'stagecraft-size-'));
    try {
        const archive = external_node_path_default().join(dir, 'image.tar');
        await runDocker(exec, [docker, 'image', 'save', '--output', archive, image], 'measureLocalImage', options, SAVE_TIMEOUT_MS);
        const file = await (0,promises_.open)(archive, 'r');
        try {
            const measured = [];
            for (const platform of wanted)
                measured.push(await measureArchive(file, image, platform));
            return measured;
        }
        finally {
            await file.close();
        }
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/** Measures the image in an opened `docker save` archive (an OCI layout as a tar). */
async function measureArchive(file, image, platform) {
    const entries = await readTarEntries(file);
    const blobs = new Map();
    for (const [name, entry] of entries) {
        const digest = blobDigestFromPath(name);
        if (digest !== undefined)
            blobs.set(digest, entry);
    }
    const readJson = async (entry, what) => {
        if (entry === undefined) {
            throw new SizeMeasureError(`the engine's image store does not hold ${what} of ${image} (an image pulled for one platform holds only that platform's content)`);
        }
        if (entry.size > MAX_JSON_BYTES)
            throw new SizeMeasureError(`${what} of ${image} is too large to be JSON`);
        return (await readRange(file, entry.offset, entry.size)).toString('utf8');
    };
    const readBlob = async (descriptor, what) => {
        const text = await readJson(blobs.get(descriptor.digest), `${what} ${descriptor.digest}`);
        checkDigest(text, descriptor.digest, `${what} of ${image}`);
        return text;
    };
    const layoutEntry = entries.get('index.json');
    if (layoutEntry === undefined)
        throw new SizeMeasureError(`the archive of ${image} has no index.json`);
    const layout = parseImageDocument(await readJson(layoutEntry, 'index.json'), `index.json of ${image}`);
    if (layout.kind !== 'index' || layout.index.manifests.length === 0) {
        throw new SizeMeasureError(`the archive of ${image} lists no image in index.json`);
    }
    const top = layout.index.manifests[0];
    const warnings = [];
    let indexDigest;
    let manifestDescriptor = top;
    const topDocument = parseImageDocument(await readBlob(top, 'the image'), `the image ${image}`);
    let manifest;
    if (topDocument.kind === 'index') {
        indexDigest = top.digest;
        manifestDescriptor = selectManifest(topDocument.index, platform, `the image ${image}`);
        const document = parseImageDocument(await readBlob(manifestDescriptor, 'the manifest'), `the manifest of ${image}`);
        if (document.kind !== 'manifest')
            throw new SizeMeasureError(`the manifest of ${image} is a nested index`);
        manifest = document.manifest;
    }
    else {
        manifest = topDocument.manifest;
    }
    const config = parseImageConfig(await readBlob(manifest.config, 'the config'), `the config of ${image}`);
    if (indexDigest === undefined)
        checkConfigPlatform(config, platform, `the image ${image}`);
    const layers = [];
    for (const [i, layer] of manifest.layers.entries()) {
        const entry = blobs.get(layer.digest);
        if (entry === undefined) {
            throw new SizeMeasureError(`the engine's image store does not hold layer ${i + 1} (${layer.digest}) of ${image}`);
        }
        if (entry.size !== layer.size) {
            throw new SizeMeasureError(`layer ${i + 1} of ${image} is ${entry.size} bytes in the archive, ${layer.size} in the manifest`);
        }
        layers.push(await measureArchivedLayer(file, entry, layer, i, warnings));
    }
    return {
        source: 'image-store',
        ref: image,
        platform: image_formatPlatform(config),
        ...(indexDigest !== undefined ? { indexDigest } : {}),
        manifestDigest: manifestDescriptor.digest,
        configDigest: manifest.config.digest,
        config,
        layers,
        warnings,
    };
}
async function measureArchivedLayer(file, entry, layer, index, warnings) {
    const base = { digest: layer.digest, mediaType: layer.mediaType, compressedBytes: layer.size };
    const annotated = annotatedUncompressedSize(layer);
    if (annotated !== undefined)
        return { ...base, uncompressedBytes: annotated, uncompressedMethod: 'annotation' };
    switch (layerCompression(layer.mediaType)) {
        case 'none':
            return { ...base, uncompressedBytes: layer.size, uncompressedMethod: 'tar' };
        case 'gzip': {
            const trailer = layer.size >= 4
                ? uncompressedFromGzipTrailer(gzipTrailerSize(await readRange(file, entry.offset + layer.size - 4, 4)), layer.size)
                : undefined;
            if (trailer !== undefined && !trailer.wrapped) {
                return { ...base, uncompressedBytes: trailer.length, uncompressedMethod: 'gzip-trailer' };
            }
            return decompressed(file, entry, external_node_zlib_.createGunzip(), base, index, warnings);
        }
        case 'zstd': {
            const decompressor = zstdDecompressor();
            if (decompressor !== undefined)
                return decompressed(file, entry, decompressor, base, index, warnings);
            warnings.push(`Layer ${index + 1} is zstd-compressed and this Node.js cannot decompress zstd: its uncompressed size is unknown.`);
            return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
        }
        case 'unknown':
            warnings.push(`Layer ${index + 1} has media type ${layer.mediaType}: its uncompressed size is unknown.`);
            return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
    }
}
async function decompressed(file, entry, decompressor, base, index, warnings) {
    try {
        const counted = await countDecompressed(file, entry, decompressor);
        return { ...base, uncompressedBytes: counted, uncompressedMethod: 'decompressed' };
    }
    catch (error) {
        warnings.push(`Layer ${index + 1} could not be decompressed (${error instanceof Error ? error.message : String(error)}): its uncompressed size is unknown.`);
        return { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
    }
}
/**
 * The `rootfs.diff_ids` of an image in the engine's store (for a base image: `BaseImageLayers`), or
 * undefined when the engine does not have it. Reads metadata only.
 */
async function readImageDiffIds(exec, image, options = {}) {
    const docker = options.docker ?? 'docker';
    const argv = [docker, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', image];
    options.onDebug?.(`size.readImageDiffIds: ${JSON.stringify(argv)}`);
    const result = await exec(argv, {
        timeoutMs: options.timeoutMs ?? INSPECT_TIMEOUT_MS,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    if (result.exitCode !== 0)
        return undefined;
    const value = JSON.parse(result.stdout);
    if (!Array.isArray(value) || !value.every((d) => typeof d === 'string'))
        return undefined;
    return value;
}
// ---- a pushed image -----------------------------------------------------------------------------------------
/**
 * Measures `ref` in its registry, for `platform`, without pulling: manifests and config through
 * `docker buildx imagetools inspect` (buildx's own registry access and credentials), gzip trailers through
 * 4-byte range requests (anonymous, or with the registry's anonymous bearer token; a registry that wants
 * credentials for them leaves the uncompressed sizes unknown, with a warning).
 */
async function measureRegistryImage(exec, ref, platform, options = {}) {
    const wanted = toPlatform(platform);
    const docker = options.docker ?? 'docker';
    const location = parseRepository(ref);
    const inspectRaw = (target) => runDocker(exec, [docker, 'buildx', 'imagetools', 'inspect', '--raw', target], 'measureRegistryImage', options);
    const topText = await inspectRaw(ref);
    const topDigest = image_sha256Digest(topText);
    const top = parseImageDocument(topText, `the image ${ref}`);
    let indexDigest;
    let manifestDigest = topDigest;
    let manifest;
    if (top.kind === 'index') {
        indexDigest = topDigest;
        const descriptor = selectManifest(top.index, wanted, `the image ${ref}`);
        manifestDigest = descriptor.digest;
        const text = await inspectRaw(`${location.name}@${manifestDigest}`);
        checkDigest(text, manifestDigest, `the manifest of ${ref}`);
        const document = parseImageDocument(text, `the manifest of ${ref}`);
        if (document.kind !== 'manifest')
            throw new SizeMeasureError(`the manifest of ${ref} is a nested index`);
        manifest = document.manifest;
    }
    else {
        manifest = top.manifest;
    }
    const configText = await runDocker(exec, [
        docker,
        'buildx',
        'imagetools',
        'inspect',
        '--format',
        '{{json .Image}}',
        `${location.name}@${manifestDigest}`,
    ], 'measureRegistryImage', options);
    const config = parseImagetoolsImage(configText, wanted, `the config of ${ref}`);
    if (indexDigest === undefined)
        checkConfigPlatform(config, wanted, `the image ${ref}`);
    const warnings = [];
    const blobs = new BlobTailReader(location, options);
    const layers = [];
    for (const [i, layer] of manifest.layers.entries()) {
        layers.push(await measureRegistryLayer(blobs, layer, i, warnings));
    }
    if (blobs.failure !== undefined) {
        warnings.push(`The uncompressed sizes of ${blobs.failures} gzip ${blobs.failures === 1 ? 'layer' : 'layers'} ` +
            `are unknown: ${blobs.failure}.`);
    }
    return {
        source: 'registry',
        ref,
        platform: image_formatPlatform(config),
        ...(indexDigest !== undefined ? { indexDigest } : {}),
        manifestDigest,
        configDigest: manifest.config.digest,
        config,
        layers,
        warnings,
    };
}
async function measureRegistryLayer(blobs, layer, index, warnings) {
    const base = { digest: layer.digest, mediaType: layer.mediaType, compressedBytes: layer.size };
    const unknown = { ...base, uncompressedBytes: undefined, uncompressedMethod: 'unknown' };
    const annotated = annotatedUncompressedSize(layer);
    if (annotated !== undefined)
        return { ...base, uncompressedBytes: annotated, uncompressedMethod: 'annotation' };
    switch (layerCompression(layer.mediaType)) {
        case 'none':
            return { ...base, uncompressedBytes: layer.size, uncompressedMethod: 'tar' };
        case 'gzip': {
            if (layer.size < 4)
                return unknown;
            const tail = await blobs.readTail(layer.digest, layer.size, 4);
            if (tail === undefined)
                return unknown;
            const trailer = uncompressedFromGzipTrailer(gzipTrailerSize(tail), layer.size);
            if (trailer === undefined) {
                warnings.push(`Layer ${index + 1}'s gzip trailer cannot be the whole stream's (a multi-member gzip?): its uncompressed size is unknown.`);
                return unknown;
            }
            if (trailer.wrapped) {
                warnings.push(`Layer ${index + 1}'s gzip trailer is smaller than its compressed size: taken as a layer of 4 GiB or more unpacked.`);
            }
            return { ...base, uncompressedBytes: trailer.length, uncompressedMethod: 'gzip-trailer' };
        }
        case 'zstd':
            warnings.push(`Layer ${index + 1} is zstd-compressed: its uncompressed size is not known without downloading it.`);
            return unknown;
        case 'unknown':
            warnings.push(`Layer ${index + 1} has media type ${layer.mediaType}: its uncompressed size is unknown.`);
            return unknown;
    }
}
function isLoopback(host) {
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function parseBearerChallenge(header) {
    const match = /^\s*Bearer\s+(.*)$/i.exec(header);
    if (match === null)
        return undefined;
    const params = new Map();
    for (const part of match[1].matchAll(/([A-Za-z_]+)="([^"]*)"/g))
        params.set(part[1].toLowerCase(), part[2]);
    return params;
}
/** Range reads of blob tails from one repository; remembers a token and the first failure. */
class BlobTailReader {
    location;
    options;
    failure;
    failures = 0;
    token;
    scheme;
    fetch;
    constructor(location, options) {
        this.location = location;
        this.options = options;
        this.fetch = options.fetch ?? fetch;
    }
    async readTail(digest, size, count) {
        if (this.failure !== undefined) {
            this.failures++;
            return undefined; // one failure is enough: the others would fail the same way
        }
        try {
            return await this.read(digest, size, count);
        }
        catch (error) {
            this.failure = error instanceof Error ? error.message : String(error);
            this.failures++;
            return undefined;
        }
    }
    async read(digest, size, count) {
        const schemes = this.scheme !== undefined
            ? [this.scheme]
            : isLoopback(this.location.apiHost)
                ? ['http', 'https']
                : ['https'];
        let lastError;
        for (const scheme of schemes) {
            const url = `${scheme}://${this.location.apiHost}/v2/${this.location.repository}/blobs/${digest}`;
            try {
                const bytes = await this.get(url, size, count);
                this.scheme = scheme;
                return bytes;
            }
            catch (error) {
                lastError = error;
            }
        }
        throw lastError instanceof Error ? lastError : new Error(String(lastError));
    }
    async get(url, size, count) {
        this.options.onDebug?.(`size.readBlobTail: GET ${url} bytes=${size - count}-${size - 1}`);
        let response = await this.request(url, size, count);
        if (response.status === 401 && this.token === undefined) {
            const challenge = parseBearerChallenge(response.headers.get('www-authenticate') ?? '');
            await response.body?.cancel();
            if (challenge === undefined)
                throw new Error(`${this.location.registry} wants credentials (HTTP 401)`);
            this.token = await this.fetchToken(challenge);
            response = await this.request(url, size, count);
        }
        if (response.status === 206) {
            const bytes = new Uint8Array(await response.arrayBuffer());
            if (bytes.length !== count)
                throw new Error(`${this.location.registry} answered a range read with ${bytes.length} bytes`);
            return bytes;
        }
        await response.body?.cancel();
        if (response.status === 200)
            throw new Error(`${this.location.registry} ignores range requests`);
        throw new Error(`${this.location.registry} answered HTTP ${response.status} for a layer`);
    }
    request(url, size, count) {
        const headers = { range: `bytes=${size - count}-${size - 1}` };
        if (this.token !== undefined)
            headers.authorization = `Bearer ${this.token}`;
        return this.fetch(url, { headers, redirect: 'follow', signal: this.signal() });
    }
    signal() {
        const timeout = AbortSignal.timeout(this.options.blobTimeoutMs ?? 30_000);
        return this.options.signal !== undefined ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    }
    async fetchToken(challenge) {
        const realm = challenge.get('realm');
        if (realm === undefined || !/^https?:\/\//.test(realm))
            throw new Error(`${this.location.registry} sent no token realm`);
        const url = new URL(realm);
        const service = challenge.get('service');
        if (service !== undefined)
            url.searchParams.set('service', service);
        url.searchParams.set('scope', challenge.get('scope') ?? `repository:${this.location.repository}:pull`);
        this.options.onDebug?.(`size.readBlobTail: GET ${url.origin}${url.pathname} (anonymous token)`);
        const response = await this.fetch(url, { signal: this.signal() });
        if (!response.ok) {
            await response.body?.cancel();
            throw new Error(`${this.location.registry} refused an anonymous token (HTTP ${response.status}); it wants credentials`);
        }
        const body = (await response.json());
        const token = typeof body.token === 'string' ? body.token : body.access_token;
        if (typeof token !== 'string' || token === '')
            throw new Error(`${this.location.registry} sent no token`);
        return token;
    }
}

;// CONCATENATED MODULE: ./src/size/schema.ts

/** The report as stored: pretty JSON with a final newline. */
function encodeSizeReport(report) {
    return `${JSON.stringify(report, null, 2)}\n`;
}
class schema_Invalid extends Error {
}
function schema_fail(path, what) {
    throw new schema_Invalid(`${path} ${what}`);
}
function schema_object(value, path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        schema_fail(path, 'is not an object');
    return value;
}
function string(value, path) {
    if (typeof value !== 'string')
        schema_fail(path, 'is not a string');
    return value;
}
function optionalString(value, path) {
    return value === undefined ? undefined : string(value, path);
}
function schema_bytes(value, path) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        schema_fail(path, 'is not a whole number of bytes');
    }
    return value;
}
const METHODS = new Set([
    'tar',
    'gzip-trailer',
    'decompressed',
    'annotation',
    'unknown',
]);
function origin(value, path) {
    const o = schema_object(value, path);
    if (o.kind === 'base')
        return { kind: 'base' };
    if (o.kind !== 'stage')
        schema_fail(`${path}.kind`, 'is neither "base" nor "stage"');
    const line = o.line;
    if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1)
        schema_fail(`${path}.line`, 'is not a line number');
    return {
        kind: 'stage',
        stage: string(o.stage, `${path}.stage`),
        line,
        instruction: string(o.instruction, `${path}.instruction`),
    };
}
function schema_layer(value, path, position) {
    const l = schema_object(value, path);
    if (l.index !== position)
        schema_fail(`${path}.index`, `is not ${position}`);
    const emptyLayer = l.emptyLayer;
    if (typeof emptyLayer !== 'boolean')
        schema_fail(`${path}.emptyLayer`, 'is not a boolean');
    const digest = l.digest === null ? null : string(l.digest, `${path}.digest`);
    if (digest !== null && !/^sha256:[0-9a-f]{64}$/.test(digest))
        schema_fail(`${path}.digest`, 'is not a sha256 digest');
    if (emptyLayer !== (digest === null))
        schema_fail(`${path}.digest`, 'must be null exactly for an empty layer');
    const compressedBytes = schema_bytes(l.compressedBytes, `${path}.compressedBytes`);
    const uncompressedBytes = schema_bytes(l.uncompressedBytes, `${path}.uncompressedBytes`);
    if (emptyLayer && (compressedBytes !== 0 || uncompressedBytes !== 0))
        schema_fail(path, 'is an empty layer with bytes');
    const mediaType = optionalString(l.mediaType, `${path}.mediaType`);
    const diffId = optionalString(l.diffId, `${path}.diffId`);
    const method = optionalString(l.uncompressedMethod, `${path}.uncompressedMethod`);
    if (method !== undefined && !METHODS.has(method))
        schema_fail(`${path}.uncompressedMethod`, 'is not a known method');
    return {
        index: position,
        digest,
        compressedBytes,
        uncompressedBytes,
        createdBy: string(l.createdBy, `${path}.createdBy`),
        emptyLayer,
        origin: origin(l.origin, `${path}.origin`),
        ...(mediaType !== undefined ? { mediaType } : {}),
        ...(diffId !== undefined ? { diffId } : {}),
        ...(method !== undefined ? { uncompressedMethod: method } : {}),
    };
}
/** Validates a parsed JSON value as a `SizeReport` of the current schema version. */
function parseSizeReport(value) {
    try {
        const r = schema_object(value, 'the report');
        if (r.schemaVersion !== SIZE_REPORT_SCHEMA_VERSION) {
            return {
                ok: false,
                reason: `the report has schema version ${JSON.stringify(r.schemaVersion)}, this stagecraft reads ${SIZE_REPORT_SCHEMA_VERSION}`,
            };
        }
        const image = schema_object(r.image, 'image');
        const layersValue = r.layers;
        if (!Array.isArray(layersValue))
            schema_fail('layers', 'is not a list');
        const layers = layersValue.map((l, i) => schema_layer(l, `layers[${i}]`, i));
        const compressedBytes = schema_bytes(r.compressedBytes, 'compressedBytes');
        const uncompressedBytes = schema_bytes(r.uncompressedBytes, 'uncompressedBytes');
        const layerSum = (pick) => layers.reduce((a, l) => a + pick(l), 0);
        if (layerSum((l) => l.compressedBytes) !== compressedBytes)
            schema_fail('compressedBytes', "is not the sum of the layers'");
        if (layerSum((l) => l.uncompressedBytes) !== uncompressedBytes) {
            schema_fail('uncompressedBytes', "is not the sum of the layers'");
        }
        const createdAt = string(r.createdAt, 'createdAt');
        if (Number.isNaN(Date.parse(createdAt)))
            schema_fail('createdAt', 'is not a time');
        const source = optionalString(r.source, 'source');
        if (source !== undefined && source !== 'image-store' && source !== 'registry')
            schema_fail('source', 'is not known');
        const complete = r.uncompressedComplete;
        if (complete !== undefined && typeof complete !== 'boolean')
            schema_fail('uncompressedComplete', 'is not a boolean');
        const warnings = r.warnings;
        if (warnings !== undefined &&
            !(Array.isArray(warnings) && warnings.every((w) => typeof w === 'string'))) {
            schema_fail('warnings', 'is not a list of strings');
        }
        const commit = optionalString(r.commit, 'commit');
        const ref = optionalString(r.ref, 'ref');
        const imageRef = optionalString(image.ref, 'image.ref');
        const digest = optionalString(image.digest, 'image.digest');
        const configDigest = optionalString(image.configDigest, 'image.configDigest');
        const indexDigest = optionalString(image.indexDigest, 'image.indexDigest');
        const report = {
            schemaVersion: SIZE_REPORT_SCHEMA_VERSION,
            target: string(r.target, 'target'),
            platform: string(r.platform, 'platform'),
            ...(commit !== undefined ? { commit } : {}),
            ...(ref !== undefined ? { ref } : {}),
            createdAt,
            image: {
                ...(imageRef !== undefined ? { ref: imageRef } : {}),
                ...(digest !== undefined ? { digest } : {}),
                ...(configDigest !== undefined ? { configDigest } : {}),
                ...(indexDigest !== undefined ? { indexDigest } : {}),
            },
            compressedBytes,
            uncompressedBytes,
            layers,
            ...(source !== undefined ? { source: source } : {}),
            ...(typeof complete === 'boolean' ? { uncompressedComplete: complete } : {}),
            ...(warnings !== undefined ? { warnings: warnings } : {}),
        };
        return { ok: true, report };
    }
    catch (error) {
        if (error instanceof schema_Invalid)
            return { ok: false, reason: `the report is invalid: ${error.message}` };
        throw error;
    }
}
/** `parseSizeReport` over text. */
function parseSizeReportJson(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (error) {
        return {
            ok: false,
            reason: `the report is not JSON: ${error instanceof Error ? error.message : String(error)}`,
        };
    }
    return parseSizeReport(value);
}

;// CONCATENATED MODULE: ./src/size/target.ts
// Which image a build left to measure, and where: pure, from the image outputs given to buildx, the builder's
// driver and the build's metadata.
//
// With the docker driver, BuildKit writes into the engine's own image store: a build with no output at all
// (bake's default), `type=docker` and `type=image` all leave the image there, named by its tags or, untagged,
// as a dangling image that its digest (`containerimage.digest`, the image ID of the containerd store) still
// finds. Another driver keeps an image without outputs inside the builder, where nothing can read it: the
// build must load it (`needsImageLoad`). A pushed image is measured in its registry, as pulled, by
// `name@digest` (so a tag moved since by another build cannot be measured instead).

/**
 * Whether buildx must be asked to load the image so that it can be measured: nothing else was asked, and the
 * driver keeps an image without outputs inside the builder. Not for several platforms, which buildx 0.13
 * cannot load.
 */
function needsImageLoad(outputs, driver, platformCount) {
    return outputs.length === 0 && driver !== 'docker' && platformCount <= 1;
}
function attribute(spec, name) {
    for (const field of spec.split(',')) {
        const eq = field.indexOf('=');
        if (eq > 0 && field.slice(0, eq).trim().toLowerCase() === name)
            return field.slice(eq + 1).trim();
    }
    return undefined;
}
/** `registry:5000/app:tag` or `app@sha256:…` → `registry:5000/app`; the repository of a reference. */
function repositoryOf(reference) {
    const withoutDigest = reference.split('@', 1)[0];
    const slash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
function resolveMeasureTarget(image) {
    if (!/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
        return {
            kind: 'none',
            reason: image.outputs.length === 0
                ? 'the build gave no image digest'
                : `the outputs (${image.outputs.join('; ')}) give no image to measure`,
        };
    }
    const outputs = image.outputs.map((spec) => ({ spec, type: outputType(spec) }));
    const pushed = outputs.filter(({ spec, type }) => type === 'registry' || (type === 'image' && attribute(spec, 'push') === 'true'));
    if (pushed.length > 0) {
        const names = [
            ...pushed.flatMap(({ spec }) => (attribute(spec, 'name') ?? '').split(/[,\s]+/)),
            ...(image.imageName ?? '').split(','),
            ...image.tags,
        ]
            .map((name) => name.trim().replace(/^"|"$/g, ''))
            .filter((name) => name !== '' && !name.startsWith('moby-dangling@'));
        if (names.length > 0)
            return { kind: 'registry', ref: `${repositoryOf(names[0])}@${image.digest}` };
    }
    const docker = image.driver === 'docker';
    const inStore = (outputs.length === 0 && docker) ||
        outputs.some(({ spec, type }) => (type === 'docker' && attribute(spec, 'dest') === undefined) ||
            (docker && (type === 'image' || type === 'moby')));
    if (inStore)
        return { kind: 'image-store', image: image.digest };
    return {
        kind: 'none',
        reason: outputs.length === 0
            ? `the ${image.driver} driver keeps the image inside the builder`
            : `the outputs (${image.outputs.join('; ')}) leave no image in the engine's image store or a registry`,
    };
}

;// CONCATENATED MODULE: ./src/size/baseline.ts
// Baselines: size reports stored in the stage cache store, and found again for a pull request; or a
// `baseline-image` measured in its registry. Never fails a run: anything missing, unreadable or invalid is
// "no baseline" with the reason.
//
// Keys: `stagecraft-size-v1-<dockerfile>-<target>-<platform>-<branch>-<commit>[-<run>]`
//   <dockerfile>  keys/' `dockerfileKeyPart(path)`: two Dockerfiles may both have a `runtime`
//   <target>      the target's display name     } `-` never occurs inside a field: anything but [A-Za-z0-9._]
//   <platform>    `linux/arm64/v8` → linux_arm64_v8 } becomes `_`, and a field that had to change (or was cut)
//   <branch>      `refs/heads/` dropped           } ends in `_<8 hex of sha256>`, so `a-b` and `a_b` differ
//   <commit>      the full commit sha
//   <run>         scheduled runs only (e.g. the run id): every scheduled rebuild of one commit keeps its report
// A pull request looks up, in order: the exact key of its base commit on its base branch, the newest entry
// whose key starts with `…-<branch>-<commit>` (a scheduled run of that commit), then the newest starting with
// `…-<branch>-` (the base branch's latest report). Each prefix ends where a field ends, so `main` never picks
// up `main-old`, nor one commit another. GitHub's cache lets a pull request read its base branch's entries.
//
// An entry is a directory holding one file, `size-report.json` (schema.ts's `encodeSizeReport`).








const SIZE_KEY_PREFIX = 'stagecraft-size-v1';
const SIZE_REPORT_FILE = 'size-report.json';
const baseline_TARGET_MAX = 40;
const baseline_PLATFORM_MAX = 24;
const BRANCH_MAX = 48;
const baseline_RUN_MAX = 24;
/** `refs/heads/main` → `main`; other refs are kept whole. */
function branchName(ref) {
    return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}
function commitField(commit) {
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit) ? commit : key_fields_keyField(commit, 64);
}
/** `stagecraft-size-v1-<dockerfile>-<target>-<platform>-` */
function scopePrefix(scope) {
    return [
        SIZE_KEY_PREFIX,
        key_fields_keyField(scope.dockerfile, 16),
        key_fields_keyField(scope.target, baseline_TARGET_MAX),
        platformKeyField(scope.platform, baseline_PLATFORM_MAX),
        '',
    ].join('-');
}
/** The prefix of every report of `branch`. */
function sizeBranchPrefix(scope, branch) {
    return `${scopePrefix(scope)}${key_fields_keyField(branchName(branch), BRANCH_MAX)}-`;
}
/** The key a report is stored under. */
function sizeReportKey(scope, branch, commit, run) {
    const key = `${sizeBranchPrefix(scope, branch)}${commitField(commit)}`;
    return run === undefined || run === '' ? key : `${key}-${key_fields_keyField(run, baseline_RUN_MAX)}`;
}
/** Restore keys for a pull request: its base commit's entries (any run), then the branch's newest. */
function sizeRestoreKeys(scope, branch, commit) {
    const branchPrefix = sizeBranchPrefix(scope, branch);
    return commit === undefined || commit === ''
        ? [branchPrefix]
        : [`${branchPrefix}${commitField(commit)}`, branchPrefix];
}
/**
 * What to compare with and whether to store: a pull request compares with its base (or `baseline-image`);
 * a push to the default branch stores; a scheduled run stores (per run) and compares with the branch's
 * newest report, so it shows how the size moved since; other runs compare only with a `baseline-image`.
 */
function resolveBaselinePlan(event) {
    const image = event.baselineImage?.trim();
    const imageComparison = image !== undefined && image !== '' ? { kind: 'image', ref: image } : undefined;
    const branch = event.ref !== undefined && event.ref.startsWith('refs/heads/') ? branchName(event.ref) : undefined;
    const onDefault = branch !== undefined && branch === event.defaultBranch;
    const sha = event.sha ?? '';
    if (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') {
        const base = event.pullRequest;
        if (imageComparison !== undefined)
            return { compare: imageComparison };
        if (base === undefined || base.baseRef === '') {
            return { compare: { kind: 'none', reason: 'the pull request event names no base branch' } };
        }
        return {
            compare: {
                kind: 'cache',
                branch: branchName(base.baseRef),
                ...(base.baseSha !== '' ? { commit: base.baseSha } : {}),
            },
        };
    }
    if (event.eventName === 'schedule' && branch !== undefined && sha !== '') {
        return {
            compare: imageComparison ?? { kind: 'cache', branch },
            save: { branch, commit: sha, ...(event.runId !== undefined ? { run: event.runId } : {}) },
        };
    }
    if (event.eventName === 'push' && onDefault && sha !== '') {
        return {
            compare: imageComparison ?? {
                kind: 'none',
                reason: 'a push to the default branch stores the baseline',
            },
            save: { branch, commit: sha },
        };
    }
    return {
        compare: imageComparison ?? {
            kind: 'none',
            reason: `a ${event.eventName} run has no base to compare with (set baseline-image to compare anyway)`,
        },
    };
}
function baseline_noFileStore(store) {
    return store.buildkit !== undefined
        ? `the ${store.kind} cache store holds only BuildKit's own caches, not files: size baselines need the gha or local store (or baseline-image)`
        : undefined;
}
function scopeOf(report, dockerfile) {
    return { dockerfile, target: report.target, platform: report.platform };
}
/** Stores `report` as the baseline for its commit (and run); a key that exists is left as it is. */
async function saveBaseline(store, dockerfile, report, where, options = {}) {
    const key = sizeReportKey(scopeOf(report, dockerfile), where.branch, where.commit, where.run);
    const refused = baseline_noFileStore(store);
    if (refused !== undefined)
        return { key, saved: false, bytes: 0, reason: refused };
    if (await store.exists(key, options)) {
        return { key, saved: false, bytes: 0, reason: 'a report for this commit is already stored' };
    }
    const stored = {
        ...report,
        commit: report.commit ?? where.commit,
        ref: report.ref ?? `refs/heads/${branchName(where.branch)}`,
    };
    return saveDocument(store, key, SIZE_REPORT_FILE, encodeSizeReport(stored), options);
}
/**
 * The baseline for a pull request: the report of `commit` on `branch`, else the newest one from `branch`.
 * Never throws for a missing, faulty or invalid entry: that is `found: false` with the reason.
 */
async function findBaseline(store, scope, where, options = {}) {
    const branch = branchName(where.branch);
    const what = `${scope.target} (${scope.platform}) on ${branch}`;
    const refused = baseline_noFileStore(store);
    if (refused !== undefined)
        return { found: false, reason: refused };
    const commit = where.commit !== undefined && where.commit !== '' ? where.commit : undefined;
    const exactKey = commit !== undefined ? sizeReportKey(scope, branch, commit) : sizeBranchPrefix(scope, branch);
    const restoreKeys = sizeRestoreKeys(scope, branch, commit);
    const hit = await store.lookup(exactKey, restoreKeys, options);
    if (hit === undefined) {
        return { found: false, reason: `no size report for ${what} in the ${store.kind} cache yet` };
    }
    const dir = await (0,promises_.mkdtemp)(external_node_path_default().join(options.tempDir ?? (0,external_node_os_.tmpdir)(), 'stagecraft-size-find-'));
    try {
        const bytes = await store.restore(hit.key, dir, options);
        let text;
        try {
            text = await (0,promises_.readFile)(external_node_path_default().join(dir, SIZE_REPORT_FILE), 'utf8');
        }
        catch {
            return {
                found: false,
                reason: `the stored report ${hit.key} could not be restored${bytes === 0 ? ' (the store gave nothing)' : ` (no ${SIZE_REPORT_FILE} in it)`}`,
            };
        }
        const parsed = parseSizeReportJson(text);
        if (!parsed.ok)
            return { found: false, reason: `the stored report ${hit.key} cannot be used: ${parsed.reason}` };
        const { report } = parsed;
        if (report.target !== scope.target || report.platform !== scope.platform) {
            return {
                found: false,
                reason: `the stored report ${hit.key} is for ${report.target} (${report.platform}), not ${scope.target} (${scope.platform})`,
            };
        }
        const fromCommit = commit !== undefined && hit.key.startsWith(sizeRestoreKeys(scope, branch, commit)[0]);
        return { found: true, report, source: fromCommit ? 'base-commit' : 'base-branch', from: hit.key };
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/**
 * The report of `ref` measured in its registry without pulling (`baseline-image`). An image that cannot be
 * read (absent, no such platform, unauthorized) is `found: false` with the reason.
 */
async function baselineFromImage(exec, ref, platform, options) {
    try {
        const image = await measureRegistryImage(exec, ref, platform, options);
        const report = buildSizeReport({
            image,
            target: options.target,
            ...(options.chain !== undefined ? { chain: options.chain } : {}),
            ...(options.base !== undefined ? { base: options.base } : {}),
            createdAt: (options.now ?? (() => new Date()))().toISOString(),
        });
        return { found: true, report, source: 'image', from: ref };
    }
    catch (error) {
        return {
            found: false,
            reason: `the baseline image ${ref} cannot be measured: ${error instanceof Error ? error.message : String(error)}`,
        };
    }
}

;// CONCATENATED MODULE: ./src/size/index.ts








;// CONCATENATED MODULE: ./src/phases/keys.ts
// The keys phase's edge: hash what the reachable stages read from the context, and gather what
// computeStageKeys needs. Shared by the pipeline and the CLI's plan and drift commands.


async function readKeyOptions(exec, root, options, staged, plan, request) {
    const reads = collectContextReads(plan, staged, request);
    const digests = await hashContext(exec, external_node_path_default().resolve(root, options.context), external_node_path_default().resolve(root, options.file), reads);
    return {
        stats: digests.stats,
        keyOptions: {
            plan,
            dockerfile: staged,
            request,
            dockerfilePath: options.file,
            contextDigests: digests.digests,
            salt: options.cacheKeySalt,
        },
    };
}

;// CONCATENATED MODULE: ./src/phases/errors.ts
// Small helpers the pipeline's phases share.
function errors_errorMessage(error) {
    return typeof error === 'object' && error !== null && 'message' in error
        ? String(error.message)
        : String(error);
}

;// CONCATENATED MODULE: ./src/phases/size.ts
// The size phase: measure the built image, compare it with its baseline, report it (summary, pull request
// comment, outputs, report file). Wiring over src/size and src/report, like main.ts.






/** Measures the built image for each platform and maps its layers to the Dockerfile. Never fails the run. */
async function measureSize(scope, adapters, built) {
    const { logger, exec } = adapters;
    const where = resolveMeasureTarget(built);
    if (where.kind === 'none') {
        logger.info(`size: not measured: ${where.reason}`);
        return [];
    }
    const host = adapters.hostPlatform;
    const platforms = scope.options.platforms.length > 0 ? scope.options.platforms : [platform_formatAllPlatform(host)];
    const onDebug = (message) => logger.debug(message);
    let images;
    try {
        if (where.kind === 'image-store') {
            logger.info(`measuring ${where.image} in the engine's image store`);
            images = await measureLocalImagePlatforms(exec, where.image, platforms, {
                tempDir: scope.workDir,
                onDebug,
            });
        }
        else {
            logger.info(`measuring ${where.ref} in its registry`);
            images = [];
            for (const platform of platforms) {
                images.push(await measureRegistryImage(exec, where.ref, platform, { onDebug }));
            }
        }
    }
    catch (error) {
        logger.warning(`Could not measure the image: ${errors_errorMessage(error)}`);
        return [];
    }
    const target = scope.plan.stages[scope.plan.targetIndex].displayName;
    const createdAt = (adapters.now ?? (() => new Date()))().toISOString();
    const measured = [];
    for (const [i, image] of images.entries()) {
        const platform = platforms[i];
        const chain = stageChainFor(scope, platform, host, i === 0, onDebug);
        const base = where.kind === 'image-store' ? await readBaseLayers(exec, chain, platform, host, onDebug) : undefined;
        const report = buildSizeReport({
            image,
            target,
            chain,
            base,
            commit: scope.commit,
            ref: scope.context.ref,
            createdAt,
        });
        const layers = report.layers.filter((layer) => !layer.emptyLayer).length;
        logger.info(`${report.platform}: ${formatSize(report.compressedBytes)} compressed, ` +
            `${formatSize(report.uncompressedBytes)} uncompressed, ${layers} layers`);
        for (const warning of report.warnings ?? [])
            logger.warning(`${report.platform}: ${warning}`);
        measured.push({ report, chain });
    }
    return measured;
}
/** The target's FROM chain for a platform (the plan is for the first; another may choose other bases). */
function stageChainFor(scope, platform, host, first, debug) {
    try {
        const plan = first
            ? scope.plan
            : planStages(scope.staged, { ...scope.request, targetPlatform: parsePlatform(platform, host) });
        return resolveStageChain(plan, scope.staged);
    }
    catch (error) {
        debug(`main.stageChainFor: ${platform}: ${errors_errorMessage(error)}`);
        return undefined;
    }
}
/** The external base image's diff ids, from the engine (which holds it for the host's platform only). */
async function readBaseLayers(exec, chain, platform, host, onDebug) {
    if (chain === undefined || !('image' in chain.base) || chain.base.image === 'scratch')
        return undefined;
    try {
        if (platform_formatAllPlatform(parsePlatform(platform, host)) !== platform_formatAllPlatform(host))
            return undefined;
        const diffIds = await readImageDiffIds(exec, chain.base.image, { onDebug });
        return diffIds === undefined ? undefined : { diffIds };
    }
    catch (error) {
        onDebug(`main.readBaseLayers: ${errors_errorMessage(error)}`);
        return undefined;
    }
}
/** The store for size baselines when the stage caches have none (a builder without cache export). */
async function openBaselineStore(options, { logger, openStore }) {
    if (options.cache === 'off')
        return undefined;
    try {
        return await openStore(options);
    }
    catch (error) {
        logger.warning(`No store for size baselines: ${errors_errorMessage(error)}`);
        return undefined;
    }
}
/** Finds what to compare each report with, then stores it as a baseline where the event asks for it. */
async function compareWithBaselines(scope, adapters, measured, what, store) {
    const { logger } = adapters;
    const storeOptions = {
        tempDir: scope.workDir,
        onWarning: (message) => logger.warning(`size baseline: ${message}`),
        onDebug: (message) => logger.debug(message),
    };
    const compared = [];
    for (const { report, chain } of measured) {
        const label = `${report.target} (${report.platform})`;
        // Found before this run's own report is stored: a scheduled run compares with the branch's newest
        // report, which would otherwise be its own.
        const baseline = await findBaselineFor(scope, adapters, report, chain, what, store, storeOptions);
        logger.info(baseline.found
            ? `${label}: compared with ${baseline.from} (${baseline.source})`
            : `${label}: no baseline: ${baseline.reason}`);
        let saved;
        if (what.save !== undefined) {
            if (store === undefined) {
                logger.info(`${label}: the size report is not stored: with cache off there is no store for baselines`);
            }
            else {
                saved = await saveBaseline(store, scope.dockerfile, report, what.save, storeOptions);
                logger.info(saved.saved
                    ? `${label}: size report stored as the baseline ${saved.key} (${formatSize(saved.bytes)})`
                    : `${label}: size report not stored as ${saved.key}: ${saved.reason}`);
            }
        }
        compared.push({ report, chain, baseline, saved });
    }
    return compared;
}
async function findBaselineFor(scope, adapters, report, chain, what, store, storeOptions) {
    const given = scope.context.baseline;
    if (given !== undefined) {
        return given.report.target === report.target && given.report.platform === report.platform
            ? { found: true, report: given.report, source: 'file', from: given.from }
            : {
                found: false,
                reason: `the baseline ${given.from} is for ${given.report.target} (${given.report.platform}), not ${report.target} (${report.platform})`,
            };
    }
    const compare = what.compare;
    switch (compare.kind) {
        case 'cache':
            return store === undefined
                ? {
                    found: false,
                    reason: 'with cache off there is no store to find a baseline in (baseline-image compares with an image)',
                }
                : findBaseline(store, { dockerfile: scope.dockerfile, target: report.target, platform: report.platform }, compare, storeOptions);
        case 'image':
            return baselineFromImage(adapters.exec, compare.ref, report.platform, {
                target: report.target,
                chain,
                now: adapters.now,
                onDebug: (message) => adapters.logger.debug(message),
            });
        case 'none':
            return { found: false, reason: compare.reason };
        default: {
            const never = compare;
            return never;
        }
    }
}
/** The job summary, the pull request comment and the size outputs, per platform (outputs: the first). */
async function reportSizes(scope, adapters, compared, stages) {
    const { options, context } = scope;
    const { logger, reporter } = adapters;
    const mermaid = renderPlanMermaid(scope.plan);
    const file = repositoryPath(adapters.workspace.root, options.file);
    const fileUrl = context.serverUrl !== undefined &&
        context.repository !== undefined &&
        scope.commit !== undefined &&
        file !== undefined
        ? `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}/blob/${scope.commit}/${file}`
        : undefined;
    const results = [];
    for (const [i, { report, baseline, saved }] of compared.entries()) {
        const base = baseline.found ? baseline.report : undefined;
        const diff = computeSizeDiff(report, base);
        const verdict = evaluateBudget(report, base, {
            sizeLimit: options.sizeLimit,
            maxIncrease: options.maxIncrease,
        });
        const input = {
            marker: renderSizeMarker({
                dockerfile: scope.dockerfile,
                target: report.target,
                platform: report.platform,
            }),
            current: report,
            baseline: base,
            diff,
            verdict,
            file: file ?? options.file,
            fileUrl,
            stages,
            mermaid,
            currentLabel: context.pullRequest === undefined ? 'This build' : 'This PR',
        };
        // The summary first: it is written whatever happens to the comment.
        await reporter.appendSummary(renderSizeComment(input, SUMMARY_LIMIT));
        const change = diff.delta === undefined
            ? ''
            : ` (${formatSizeDelta(diff.delta.compressed.change)}, ${formatPercentDelta(diff.delta.compressed)})`;
        logger.info(`${report.platform}: ${formatSize(report.compressedBytes)}${change}. ${verdict.message}`);
        const comment = await writeComment(scope, adapters, input, diff);
        if (i === 0) {
            for (const [name, value] of Object.entries(renderSizeOutputs(diff))) {
                reporter.setOutput(name, value);
            }
        }
        results.push({ report, baseline, saved, diff, verdict, comment });
    }
    return results;
}
/** The sticky comment on the pull request; a fault is a warning (the summary has the report). */
async function writeComment(scope, { logger, github }, input, diff) {
    const { options, context } = scope;
    const pr = context.pullRequest;
    if (pr === undefined)
        return undefined;
    const skipped = (reason) => {
        logger.warning(`No size comment on pull request #${pr.number}: ${reason}. The job summary has the report.`);
        return { action: 'skipped', reason };
    };
    if (options.comment === 'never') {
        logger.info('size comment: comment is never');
        return { action: 'skipped', reason: 'comment is never' };
    }
    if (context.repository === undefined)
        return skipped('GITHUB_REPOSITORY is not set');
    if (github === undefined)
        return skipped('github-token is empty');
    const result = await upsertStickyComment(github, {
        owner: context.repository.owner,
        repo: context.repository.repo,
        issue: pr.number,
        marker: input.marker,
        body: renderSizeComment(input, COMMENT_LIMIT),
        mode: options.comment,
        changed: hasSizeChanged(diff, options.commentThreshold),
    });
    switch (result.action) {
        case 'failed':
            logger.warning(result.warning ?? `Could not write the size comment on pull request #${pr.number}.`);
            break;
        case 'created':
        case 'updated':
            logger.info(`size comment ${result.action}${result.url === undefined ? '' : `: ${result.url}`}`);
            break;
        case 'skipped':
            logger.info(`size comment not written: ${result.reason ?? ''}`);
            break;
    }
    return result;
}
/** Writes each platform's report as JSON; returns the first one's path (the `report` output). */
async function writeSizeReports(scope, sizes) {
    const file = external_node_path_default().resolve(scope.context.reportJsonPath ?? external_node_path_default().join(scope.workDir, 'size-report.json'));
    await (0,promises_.mkdir)(external_node_path_default().dirname(file), { recursive: true });
    for (const [i, size] of sizes.entries()) {
        const platform = size.report.platform.replace(/[^A-Za-z0-9.]+/g, '_');
        const target = i === 0 ? file : file.replace(/(\.json)?$/, `.${platform}.json`);
        await (0,promises_.writeFile)(target, encodeSizeReport(size.report));
    }
    return file;
}
/** Every stage in Dockerfile order with its cache result; the ones the target does not need as skipped. */
function stageResults(plan, rows) {
    return plan.stages.map((stage) => ({
        stage: stage.displayName,
        result: stage.reachable
            ? (rows.find((row) => row.stage === stage.displayName)?.result ?? 'miss')
            : 'skipped',
    }));
}
/** The Dockerfile's path in the repository (the workspace), with `/`; undefined outside it. */
function repositoryPath(root, file) {
    const relative = external_node_path_default().relative(root, external_node_path_default().resolve(root, file));
    if (relative === '' || relative.startsWith('..') || external_node_path_default().isAbsolute(relative))
        return undefined;
    return relative.split((external_node_path_default()).sep).join('/');
}

;// CONCATENATED MODULE: ./src/phases/drift.ts


/** A scheduled run's first half (drift/check.ts), logged: the previous run, each image's digest, the keys. */
async function checkBaseImages({ exec, logger }, store, scope, keyOptions, baseKeys, workDir) {
    const check = await checkDrift({
        exec,
        store,
        scope,
        keyOptions,
        baseKeys,
        tempDir: workDir,
        onWarning: (message) => logger.warning(`drift history: ${message}`),
        onDebug: (message) => logger.debug(message),
    });
    logger.info(check.previous.found
        ? `previous scheduled run: ${check.previous.key} (${check.previous.document.createdAt})`
        : `no previous scheduled run: ${check.previous.reason}`);
    for (const resolution of check.resolutions) {
        if (resolution.status === 'resolved')
            logger.info(`${resolution.image} (${resolution.platform}): ${resolution.digest}`);
    }
    for (const line of check.unresolved)
        logger.info(line);
    logger.info('stage keys with the base-image digests:');
    for (const key of check.keys)
        logger.info(`${key.stageName.padEnd(20)} ${key.key}`);
    return check;
}
/**
 * A scheduled build: `--pull` when every image resolved (else a warning why not), each resolved image pinned to
 * its digest as a named context (buildx only: the plan never sees them), and the drift's no-cache-filters.
 */
function scheduledBuildOptions(options, check, drift, logger) {
    const decision = pullDecision(check.resolutions);
    if (!decision.pull && !options.pull)
        logger.warning(decision.reason);
    return {
        ...options,
        pull: options.pull || decision.pull,
        noCacheFilters: [...new Set([...options.noCacheFilters, ...drift.noCacheFilters])],
        buildContexts: new Map([...pinnedImageContexts(check.resolutions), ...options.buildContexts]),
    };
}
/** Stores the document for the next scheduled run, then logs the report and appends it to the summary. */
async function reportDrift({ logger, reporter }, input) {
    const { drift, check, context, now } = input;
    const saved = new Set(input.save?.stages.filter((stage) => stage.saved).map((stage) => stage.stage) ?? []);
    const notSaved = new Set(drift.rebuiltStages.map((stage) => stage.index).filter((stage) => !saved.has(stage)));
    const size = input.size === undefined
        ? undefined
        : {
            compressedBytes: input.size.compressedBytes,
            uncompressedBytes: input.size.uncompressedBytes,
        };
    const run = context.runId === undefined ? `local_${now.getTime()}` : `${context.runId}_${context.runAttempt ?? '1'}`;
    if (input.store === undefined) {
        logger.info('drift document not stored: with cache off there is no store for it');
    }
    else {
        const document = buildDriftDocument({
            result: drift,
            previous: check.previous,
            resolutions: check.resolutions,
            keys: check.keys,
            baseKeys: check.baseKeys,
            entryCreatedAt: input.entryCreatedAt,
            notSaved,
            target: input.scope.target,
            platform: input.scope.platform,
            now,
            run,
            ...(input.commit === undefined ? {} : { commit: input.commit }),
            ...(size === undefined ? {} : { size }),
        });
        const result = await saveDriftDocument(input.store, input.scope, document, run, {
            tempDir: input.workDir,
            onWarning: (message) => logger.warning(`drift history: ${message}`),
            onDebug: (message) => logger.debug(message),
        });
        logger.info(result.saved
            ? `drift document stored as ${result.key} (${formatSize(result.bytes)})`
            : `drift document not stored as ${result.key}: ${result.reason ?? ''}`);
    }
    const options = { stageCount: input.stageCount, ...(size === undefined ? {} : { size }) };
    for (const line of renderDriftText(drift, options).trimEnd().split('\n'))
        logger.info(line);
    await reporter.appendSummary(renderDriftMarkdown(drift, options));
}

;// CONCATENATED MODULE: ./src/phases/cache.ts
// The cache phase's edges: which store, which base-image layers the engine already has, and the build with
// its stage exports (seeded export directories, and what to do when an export fails). Wiring over src/cache
// and src/buildx, like main.ts.




async function openCacheStore(options, builder, { logger, ...adapters }) {
    if (options.cache === 'off') {
        logger.info('cache: off (cache input)');
        return undefined;
    }
    if (!builder.supportsCacheExport) {
        logger.warning(`${explainNoCacheExport(builder)} Building without per-stage caches.`);
        return undefined;
    }
    const store = await adapters.openStore(options);
    logger.info(`cache: ${store?.kind ?? 'off'}`);
    return store;
}
/**
 * The layers of the external base images, which the builder reads from the engine's image store and cache
 * entries therefore leave out. A base that is not there yet is pulled first, by the digest its tag resolves to
 * now, as a cold build would pull it; one that cannot be pulled keeps its layers in the entries.
 */
async function readExternalLayers(plan, builder, platform, { exec, logger }) {
    // Only the docker driver with the containerd store builds from the engine's own image store.
    if (builder.driver !== 'docker' || !builder.containerdStore) {
        logger.info(`base-image layers are kept in cache entries: the ${builder.driver} driver cannot see the image store`);
        return undefined;
    }
    const layers = new Set();
    for (const image of plan.externalImages) {
        let found = await readImageLayers(exec, image);
        if (found === undefined) {
            const [resolved] = await resolveImageDigests(exec, [image], platform);
            const reference = resolved?.status === 'resolved' ? digestReference(image, resolved.digest) : image;
            if (await pullImage(exec, reference, platform)) {
                found = await readImageLayers(exec, reference);
                logger.info(`${image} was not in the image store: pulled ${reference}`);
            }
        }
        if (found === undefined) {
            logger.warning(`${image} is not in the image store and could not be pulled: its layers are kept in the cache entries`);
            continue;
        }
        for (const layer of found)
            layers.add(layer);
    }
    logger.info(`base-image layers are left out of cache entries: the builder reads them from the image store ` +
        `(${plan.externalImages.length} base image${plan.externalImages.length === 1 ? '' : 's'})`);
    return layers;
}
/**
 * Exports write base-image layers too. BuildKit reads their blobs from the engine's content store; should it
 * look for them in the cache source instead (where entries leave them out), this adds them to the layout from
 * a local copy of the base images. True when blobs were added.
 */
async function completeLayoutForExport(layoutDir, plan, workDir, adapters) {
    const missing = await missingLayoutBlobs(layoutDir);
    if (missing.length === 0)
        return false;
    const imagesDir = external_node_path_default().join(workDir, 'base-images');
    await (0,promises_.mkdir)(imagesDir, { recursive: true });
    if (!(await saveImagesAsLayout(adapters.exec, plan.externalImages, imagesDir))) {
        adapters.logger.warning('could not copy the base images out of the image store');
        return false;
    }
    const added = await addBlobsToLayout(layoutDir, imagesDir, missing);
    adapters.logger.info(`added ${added.length} base-image blobs to the cache layout for the stage exports`);
    return added.length > 0;
}
/**
 * Runs the build with its stage exports. The export directories are seeded first, so each export writes only
 * its new blobs. An export that still fails (BuildKit looked for a base-image layer in the cache source, where
 * entries leave it out) gets those blobs from a local copy of the base images and the build runs again, the
 * progress of both attempts merged; failing that, the build runs without the exports: a warning, nothing saved.
 */
async function buildWithStageExports(adapters, request, stageExports) {
    const { exportDirs, restore, externalLayers, plan, workDir } = stageExports;
    const { logger } = adapters;
    if (restore !== undefined && !stageExports.storeWritesItself) {
        for (const dir of exportDirs.values())
            await seedExportDir(dir, restore.layoutDir, externalLayers ?? new Set());
    }
    const exportFailed = (error) => error instanceof BuildxRunError && isCacheExportFailure(error) && exportDirs.size > 0;
    let failure;
    try {
        return await runBuild(adapters.exec, request);
    }
    catch (error) {
        if (!exportFailed(error))
            throw error;
        failure = error;
    }
    if (restore !== undefined && externalLayers !== undefined) {
        logger.info(`exporting the stage caches failed (${failure.stderrTail.trim()}); adding base-image blobs`);
        if (await completeLayoutForExport(restore.layoutDir, plan, workDir, adapters)) {
            const earlier = failedBuildProgress(failure, request);
            try {
                const result = await runBuild(adapters.exec, request);
                return { ...result, progress: mergeProgress(earlier, result.progress) };
            }
            catch (error) {
                if (!exportFailed(error))
                    throw error;
                failure = error;
            }
        }
    }
    logger.warning(`exporting the stage caches failed; building again without them: ${failure.stderrTail}`);
    exportDirs.clear();
    return runBuild(adapters.exec, { ...request, stageTargets: [], targetCacheTo: [] });
}
function cacheRows(plan, keys, restore, save) {
    return keys.map((key) => {
        const restored = restore?.stages.find((stage) => stage.stage === key.stage);
        const saved = save?.stages.find((stage) => stage.stage === key.stage);
        return {
            stage: plan.stages[key.stage].displayName,
            key: key.key,
            result: restored?.result ?? 'miss',
            bytesRestored: restored?.bytes ?? 0,
            bytesSaved: saved?.saved === true ? saved.bytes : 0,
        };
    });
}

;// CONCATENATED MODULE: ./src/main.ts
// The pipeline, wired: plan the target, key its stages, restore their caches, build with buildx, save what
// changed, measure the image, compare it with its baseline, report (job summary, pull request comment,
// outputs) and apply the size budget. Entry points (index.ts for the action, cli.ts locally) build Options,
// Adapters and the RunContext and call `run`; each step below is one call into its module.

















const FAILED = {
    exitCode: 1,
    plan: undefined,
    keys: [],
    restore: undefined,
    save: undefined,
    progress: undefined,
    size: [],
    reportPath: undefined,
};
async function main_run(options, adapters, context = LOCAL_RUN) {
    const { logger, reporter } = adapters;
    setEmptyOutputs(adapters);
    let platform;
    try {
        platform =
            options.platforms.length > 0
                ? parsePlatform(options.platforms[0], adapters.hostPlatform)
                : adapters.hostPlatform;
    }
    catch (error) {
        logger.error(`Input platforms: ${errors_errorMessage(error)}`);
        return FAILED;
    }
    const platformName = platform_formatAllPlatform(platform);
    const request = {
        target: options.target,
        buildArgs: options.buildArgs,
        buildContexts: options.buildContexts,
        targetPlatform: platform,
        buildPlatform: adapters.hostPlatform,
    };
    let source;
    try {
        source = await adapters.workspace.readFile(options.file);
    }
    catch (error) {
        logger.error(`Cannot read the Dockerfile ${options.file}: ${errors_errorMessage(error)}`);
        return FAILED;
    }
    // Plan
    let staged;
    let plan;
    try {
        ({ staged, plan } = await logger.group('Plan', async () => {
            if (source.length === 0)
                throw new errors_DockerfileError('the Dockerfile cannot be empty');
            const stagedFile = parse_parseStages(parse_parseDockerfile(source));
            const planned = planStages(stagedFile, request);
            logger.info(renderPlanText(planned, platformName));
            return { staged: stagedFile, plan: planned };
        }));
    }
    catch (error) {
        if (!(error instanceof errors_DockerfileError))
            throw error;
        logger.error(error.message, { file: options.file, line: error.line, title: 'Dockerfile error' });
        await reporter.appendSummary(renderErrorMarkdown(options.file, error.message, error.line));
        return FAILED;
    }
    const target = plan.stages[plan.targetIndex];
    const names = (indices) => JSON.stringify(indices.map((index) => plan.stages[index].displayName));
    reporter.setOutput('stages', names(plan.order));
    reporter.setOutput('skipped-stages', names(plan.skipped));
    reporter.setOutput('target', target.displayName);
    await reporter.appendSummary(renderPlanMarkdown(plan, options.file, platformName));
    const scheduled = isScheduledRun(options.mode, context.eventName);
    if (!scheduled && options.maxCacheAge !== undefined) {
        logger.info(`max-cache-age: not applied (a ${context.eventName} run is not a scheduled one; see mode)`);
    }
    // Keys
    const { stageKeys: baseKeys, keyOptions } = await logger.group('Keys', async () => {
        const { keyOptions: keyInput, stats } = await readKeyOptions(adapters.exec, adapters.workspace.root, options, staged, plan, request);
        logger.info(`context: ${stats.files} files in ${stats.reads} COPY/ADD reads; ${stats.filesFromGit} from git's index, ${stats.filesHashed} hashed` +
            (stats.git.used ? '' : ` (git index not used: ${stats.git.reason})`));
        const stageKeys = computeStageKeys(keyInput);
        if (scheduled)
            logger.info('stage keys without base-image digests (a scheduled run adds them below):');
        for (const key of stageKeys)
            logger.info(`${key.stageName.padEnd(20)} ${key.key}`);
        return { stageKeys, keyOptions: keyInput };
    });
    let keys = baseKeys;
    reporter.setOutput('plan', JSON.stringify(addKeysToPlanJson(planToJson(plan), keys)));
    // Builder
    let builder;
    try {
        builder = await logger.group('Builder', async () => {
            const info = await detectBuilder(adapters.exec, { builder: options.builder });
            logger.info(`buildx ${info.buildxVersion}, builder ${info.builder} (${info.driver} driver` +
                `${info.buildkitVersion === undefined ? '' : `, BuildKit ${info.buildkitVersion}`}` +
                `${info.containerdStore ? ', containerd image store' : ''})`);
            return info;
        });
    }
    catch (error) {
        if (!(error instanceof BuildxUnavailableError))
            throw error;
        logger.error(error.message);
        return { ...FAILED, plan, keys };
    }
    const store = await openCacheStore(options, builder, adapters);
    const workDir = await adapters.workspace.makeWorkDir();
    const now = (adapters.now ?? (() => new Date()))();
    // Base images (scheduled runs): the previous scheduled run, the digests now, keys with them.
    const driftScope = {
        dockerfile: dockerfileKeyPart(options.file),
        target: target.displayName,
        platform: platformName,
    };
    let check;
    let driftStore;
    if (scheduled) {
        driftStore = store ?? (await openBaselineStore(options, adapters));
        check = await logger.group('Base images', () => checkBaseImages(adapters, driftStore, driftScope, keyOptions, baseKeys, workDir));
        keys = check.keys;
        reporter.setOutput('plan', JSON.stringify(addKeysToPlanJson(planToJson(plan), keys)));
    }
    // Base-image layers the builder finds in the engine's image store need not be stored in our entries.
    const externalLayers = await readExternalLayers(plan, builder, formatPlatform(platform), adapters);
    // Restore
    let restore;
    if (store !== undefined) {
        restore = await logger.group('Restore', async () => {
            const report = await restoreStageCaches({
                store,
                keys: check?.restoreKeys ?? keys,
                // Restore by need, from the target down; a scheduled run may rebuild a stage whose entry is too old,
                // so it restores every reachable stage.
                ...(check === undefined ? { needs: { target: plan.targetIndex, stages: restoreNeeds(plan) } } : {}),
                workDir: external_node_path_default().join(workDir, 'restore'),
                externalLayers,
                logger: { debug: (message) => logger.debug(message) },
            });
            for (const stage of report.stages) {
                if (stage.warning !== undefined)
                    logger.warning(`cache for ${stage.stageName}: ${stage.warning}`);
                logger.info(`${stage.stageName.padEnd(20)} ${stage.result}${stage.restoredKey === undefined ? '' : ` (${stage.restoredKey})`}`);
            }
            const count = (...results) => report.stages.filter((stage) => results.includes(stage.result)).length;
            const unneeded = count('unneeded');
            logger.info(`restored ${count('exact', 'partial')} of ${report.stages.length} stages (${formatSize(report.bytes)})` +
                (unneeded === 0 ? '' : `; ${unneeded} not needed, as a stage built on them hit its exact key`));
            return report;
        });
    }
    // Drift (scheduled runs): what moved, what is rebuilt and why
    let drift;
    // When each restored entry was made (local stores say); else ages come from the previous run's document.
    const entryCreatedAt = new Map((restore?.stages ?? []).flatMap((stage) => stage.createdAt === undefined ? [] : [[stage.stage, stage.createdAt]]));
    if (check !== undefined) {
        drift = computeDrift({
            plan,
            targetPlatform: platform,
            previous: check.previous,
            resolutions: check.resolutions,
            keys: check.keys,
            baseKeys: check.baseKeys,
            ...(restore === undefined ? {} : { restore: restore.stages }),
            entryCreatedAt,
            ...(options.maxCacheAge === undefined ? {} : { maxCacheAgeMs: options.maxCacheAge }),
            now,
        });
        for (const warning of drift.warnings)
            logger.warning(warning);
        for (const [name, value] of Object.entries(renderDriftOutputs(drift)))
            reporter.setOutput(name, value);
    }
    // Build
    // A stage rebuilt although its exact key hit (a too old cache) is saved under its refreshed key: a miss.
    const refreshed = new Set(drift?.refreshedKeys.map((entry) => entry.stage) ?? []);
    const saveKeys = drift?.saveKeys ?? keys;
    const missed = new Set(keys
        .filter((key) => {
        const result = restore?.stages.find((stage) => stage.stage === key.stage)?.result;
        return refreshed.has(key.stage) || (result !== 'exact' && result !== 'unneeded');
    })
        .map((key) => key.stage));
    const exportDirs = new Map();
    const cacheToFor = (key) => {
        if (store === undefined || !missed.has(key.stage))
            return [];
        const dir = external_node_path_default().join(workDir, 'export', String(key.stage));
        exportDirs.set(key.stage, dir);
        return [...stageCacheToSpecs(store, key, dir)];
    };
    const stageTargets = saveKeys
        .filter((key) => key.stage !== plan.targetIndex && plan.stages[key.stage].name !== null)
        .map((key) => ({ name: plan.stages[key.stage].name, cacheTo: cacheToFor(key) }))
        .filter((stageTarget) => stageTarget.cacheTo.length > 0);
    const targetKey = saveKeys.find((key) => key.stage === plan.targetIndex);
    // The image is measured after the build: it must land where it can be read.
    const load = needsImageLoad(imageOutputs(options), builder.driver, options.platforms.length);
    const loaded = load ? { ...options, load: true } : options;
    const buildOptions = check === undefined || drift === undefined ? loaded : scheduledBuildOptions(loaded, check, drift, logger);
    const dropped = new Set(drift?.dropCacheFrom ?? []);
    let metadata;
    let progress;
    try {
        ({ metadata, progress } = await logger.group('Build', async () => {
            if (load)
                logger.info(`loading the image into the engine to measure it (the ${builder.driver} driver keeps it otherwise)`);
            const request = {
                options: buildOptions,
                stageTargets,
                targetCacheTo: targetKey === undefined ? [] : cacheToFor(targetKey),
                cacheFrom: restore === undefined
                    ? []
                    : cacheFromSpecs({
                        ...restore,
                        stages: restore.stages.filter((stage) => !dropped.has(stage.stage)),
                    }),
                targetName: target.name ?? undefined,
                cwd: adapters.workspace.root,
                workDir,
                env: process.env,
                onLine: (line) => logger.info(line),
                onCommand: (argv) => logger.debug(`main.build: ${JSON.stringify(argv)}`),
            };
            return buildWithStageExports(adapters, request, {
                exportDirs,
                restore,
                externalLayers,
                storeWritesItself: store?.buildkit !== undefined,
                plan,
                workDir,
            });
        }));
    }
    catch (error) {
        if (!(error instanceof BuildxRunError))
            throw error;
        const line = error.buildError?.location?.line;
        const where = line === undefined ? {} : { file: options.file, line };
        logger.error(`docker buildx bake failed: ${error.stderrTail}`, { ...where, title: 'Build failed' });
        await reporter.appendSummary(renderErrorMarkdown(options.file, error.stderrTail, line));
        return { ...FAILED, plan, keys, restore, drift };
    }
    reporter.setOutput('imageid', metadata?.imageid ?? '');
    reporter.setOutput('digest', metadata?.digest ?? '');
    reporter.setOutput('metadata', metadata?.metadata ?? '');
    logger.info(progress.fullyCached
        ? 'build: every step was cached'
        : `build: ${progress.executedSteps.length} steps ran, ${progress.cachedSteps.length} cached`);
    // Save
    let save;
    if (store !== undefined && restore !== undefined) {
        const restored = restore;
        save = await logger.group('Save', async () => {
            const report = await saveStageCaches({
                store,
                keys: saveKeys,
                results: restored.stages.map((stage) => refreshed.has(stage.stage) ? { ...stage, result: 'miss' } : stage),
                exportDirs,
                dependenciesOf: transitiveDependencies(plan),
                needs: restoreNeeds(plan),
                workDir: external_node_path_default().join(workDir, 'save'),
                layoutDir: restored.layoutDir,
                externalLayers,
                logger: { debug: (message) => logger.debug(message) },
            });
            for (const stage of report.stages) {
                if (stage.warning !== undefined)
                    logger.warning(`saving the cache of ${stage.stageName}: ${stage.warning}`);
                logger.info(`${stage.stageName.padEnd(20)} ${stage.saved ? `saved ${formatSize(stage.bytes)}` : stage.reason}`);
            }
            const saved = report.stages.filter((stage) => stage.saved).length;
            logger.info(`saved ${saved} of ${report.stages.length} stages (${formatSize(report.bytes)})`);
            return report;
        });
    }
    const rows = cacheRows(plan, keys, restore, save);
    reporter.setOutput('cache-hits', JSON.stringify(Object.fromEntries(rows.map((row) => [row.stage, row.result]))));
    reporter.setOutput('cache-bytes-restored', String(restore?.bytes ?? 0));
    reporter.setOutput('cache-bytes-saved', String(save?.bytes ?? 0));
    await reporter.appendSummary(renderBuildMarkdown(rows, progress));
    logger.info(`stagecraft: built ${target.displayName} (${plan.order.length} of ${plan.stages.length} stages; ` +
        `${plan.skipped.length} skipped); cache ${formatSize(restore?.bytes ?? 0)} restored, ${formatSize(save?.bytes ?? 0)} saved`);
    // Size
    const sizeScope = {
        options,
        context,
        plan,
        staged,
        request,
        workDir,
        dockerfile: dockerfileKeyPart(options.file),
        commit: context.pullRequest?.headSha ?? context.sha,
    };
    const measured = await logger.group('Size', () => measureSize(sizeScope, adapters, {
        outputs: imageOutputs(buildOptions),
        tags: options.tags,
        driver: builder.driver,
        digest: metadata?.digest ?? '',
        imageName: metadata?.imageName,
    }));
    // Drift report and document (scheduled runs): for the log, the summary and the next scheduled run.
    if (check !== undefined && drift !== undefined) {
        const result = drift;
        const driftCheck = check;
        await logger.group('Drift', () => reportDrift(adapters, {
            store: driftStore,
            scope: driftScope,
            check: driftCheck,
            drift: result,
            save,
            entryCreatedAt,
            stageCount: keys.length,
            size: measured[0]?.report,
            now,
            context,
            commit: sizeScope.commit,
            workDir,
        }));
    }
    // Baseline
    const baselinePlan = resolveBaselinePlan({
        // A workflow_dispatch or `mode: scheduled` run stores its size report as a scheduled run does.
        eventName: scheduled ? 'schedule' : context.eventName,
        ref: context.ref,
        sha: context.sha,
        defaultBranch: context.defaultBranch,
        pullRequest: context.pullRequest,
        baselineImage: options.baselineImage,
        runId: context.runId,
    });
    const compared = measured.length === 0
        ? []
        : await logger.group('Baseline', async () => compareWithBaselines(sizeScope, adapters, measured, baselinePlan, store ?? driftStore ?? (scheduled ? undefined : await openBaselineStore(options, adapters))));
    // Report
    const sizes = compared.length === 0
        ? []
        : await logger.group('Report', () => reportSizes(sizeScope, adapters, compared, stageResults(plan, rows)));
    const reportPath = sizes.length === 0 ? undefined : await writeSizeReports(sizeScope, sizes);
    reporter.setOutput('report', reportPath ?? '');
    // Budget: after the summary and the comment are out.
    const over = sizes.filter((size) => size.verdict.status === 'over');
    for (const size of over) {
        const message = `${size.report.target} (${size.report.platform}): ${size.verdict.message}`;
        if (options.failOnBudget)
            logger.error(message, { title: 'Image size over budget' });
        else
            logger.warning(message, { title: 'Image size over budget' });
    }
    const exitCode = over.length > 0 && options.failOnBudget ? 1 : 0;
    return { exitCode, plan, keys, restore, save, progress, size: sizes, reportPath, drift };
}
function setEmptyOutputs({ reporter }) {
    // Every output is set on every path, so workflows can test them after a failure too.
    for (const name of ['stages', 'skipped-stages'])
        reporter.setOutput(name, '[]');
    for (const name of ['target', 'plan', 'imageid', 'digest', 'metadata'])
        reporter.setOutput(name, '');
    reporter.setOutput('cache-hits', '{}');
    reporter.setOutput('cache-bytes-restored', '0');
    reporter.setOutput('cache-bytes-saved', '0');
    for (const [name, value] of Object.entries(EMPTY_SIZE_OUTPUTS))
        reporter.setOutput(name, value);
    reporter.setOutput('report', '');
    for (const [name, value] of Object.entries(EMPTY_DRIFT_OUTPUTS))
        reporter.setOutput(name, value);
}

;// CONCATENATED MODULE: ./src/stages/json.ts
function instructionToJson(instruction) {
    const { node, range, ...fields } = instruction;
    const json = { kind: fields.kind, lines: { start: range.start, end: range.end } };
    for (const [key, value] of Object.entries(fields)) {
        if (key === 'kind' || value === undefined)
            continue;
        json[key] = key === 'trigger' ? (node.onbuild?.original ?? null) : value;
    }
    return json;
}
function toStagesJson(dockerfile) {
    return {
        escapeToken: dockerfile.escapeToken,
        metaArgs: dockerfile.metaArgs.map(instructionToJson),
        stages: dockerfile.stages.map((stage) => ({
            index: stage.index,
            name: stage.name ?? null,
            base: stage.baseName,
            ...(stage.platform === undefined ? {} : { platform: stage.platform }),
            lines: { start: stage.range.start, end: stage.range.end },
            instructions: stage.instructions.map(instructionToJson),
        })),
    };
}

;// CONCATENATED MODULE: ./src/cli.ts
// The stagecraft CLI: the same engine as the action, with local adapters.
//   stagecraft parse [--file F] [--format buildkit|json]
//   stagecraft plan  [build options] [--format text|json|mermaid]
//   stagecraft build [build options] [--report-md FILE] [--report-json FILE] [--baseline FILE]
//                                                             the main job on local defaults (alias: run)
//   stagecraft drift [build options] [--max-cache-age D]      a scheduled run's check, without building





















const USAGE = `Usage: stagecraft <command> [options]

Commands:
  parse   Parse a Dockerfile and print its syntax tree
            --file F            Dockerfile (default: Dockerfile)
            --format F          buildkit (BuildKit's dump format, default) or json (typed instructions)
  plan    Print which stages a target needs, in build order, and which are skipped
            build options (below), and --format text (default), json (with each stage's cache key) or mermaid
  build   The action's main job: plan, key, restore caches, docker buildx, save caches, measure the
          image, report. The report is printed and written as Markdown to --report-md FILE (default
          .stagecraft/report.md) and the image's size report as JSON to --report-json FILE (default
          .stagecraft/report.json). --baseline FILE compares with an earlier --report-json file;
          --baseline-image REF with an image in its registry. Budgets: --size-limit 150MB,
          --max-increase 5% or 10MB, --fail-on-budget false to only warn.
          Caches go to a local directory by default (--cache local, --cache-dir DIR). Alias: run.
          --mode scheduled makes it a scheduled rebuild (see drift).
  drift   What a scheduled rebuild would do, without building or storing anything: each base image's
          digest now (looked up in its registry, no pull) against the last scheduled run's (from the
          cache store), and the stages it would rebuild and why. --max-cache-age 7d also rebuilds stages
          whose cache is older.

Build options (the action's inputs, as flags; list inputs may be repeated):
  --file F  --context DIR  --target T  --platform P  --build-arg K=V  --build-context N=V  --tag T
  --label K=V  --annotation A  --push  --load  --output SPEC  --secret id=X,src=F  --ssh SPEC  --builder B
  --pull  --no-cache  --no-cache-filter STAGE  --network M  --add-host H:IP  --shm-size S  --ulimit U
  --provenance V  --sbom V  --cache-from SPEC  --cache-to SPEC  --cache gha|local|registry|off
  --cache-ref REPO  --cache-dir DIR  --cache-key-salt S  --size-limit S  --max-increase S
  --fail-on-budget true|false  --baseline-image REF  --mode auto|scheduled|normal  --max-cache-age D
  Every input also works under its action.yml name (--build-args, --tags, --secret-files, ...), except
  the pull request comment's (github-token, comment, comment-threshold).

Exit codes: 0 success, 1 Dockerfile or build error (or the image over its size budget), 2 usage error.
`;
class UsageError extends Error {
}
async function cli(argv, io = process) {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case 'parse':
                return await cli_parseCommand(rest, io);
            case 'plan':
                return await planCommand(rest, io);
            case 'build':
            case 'run':
                return await buildCommand(rest, io);
            case 'drift':
                return await driftCommand(rest, io);
            case undefined:
            case '-h':
            case '--help':
            case 'help':
                io.stdout.write(USAGE);
                return command === undefined ? 2 : 0;
            default:
                throw new UsageError(`unknown command ${JSON.stringify(command)}`);
        }
    }
    catch (error) {
        if (error instanceof UsageError || error instanceof InputError || isParseArgsError(error)) {
            io.stderr.write(`stagecraft: ${error.message}\n\n${USAGE}`);
            return 2;
        }
        throw error;
    }
}
/** node:util's parseArgs errors, recognised by code (they may come from another realm under test runners). */
function isParseArgsError(error) {
    return (typeof error === 'object' &&
        error !== null &&
        String(error.code).startsWith('ERR_PARSE_ARGS'));
}
/** Singular, docker-style spellings of list inputs. */
const ALIASES = {
    platform: 'platforms',
    'build-arg': 'build-args',
    'build-context': 'build-contexts',
    tag: 'tags',
    label: 'labels',
    annotation: 'annotations',
    output: 'outputs',
    secret: 'secret-files',
    'no-cache-filter': 'no-cache-filters',
    'add-host': 'add-hosts',
};
const BOOLEAN_INPUTS = new Set(['push', 'load', 'pull', 'no-cache']);
const BUILD_FLAGS = Object.fromEntries([
    ...INPUTS.map((name) => BOOLEAN_INPUTS.has(name)
        ? [name, { type: 'boolean' }]
        : [name, { type: 'string', multiple: true }]),
    ...Object.keys(ALIASES).map((alias) => [alias, { type: 'string', multiple: true }]),
    ['format', { type: 'string' }],
    ['report-md', { type: 'string' }],
    ['report-json', { type: 'string' }],
    ['baseline', { type: 'string' }],
]);
function parseBuildFlags(args) {
    return (0,external_node_util_.parseArgs)({ args: [...args], options: BUILD_FLAGS, strict: true, allowPositionals: false })
        .values;
}
/** Inputs for the pull request comment, which the CLI never writes. */
const ACTION_ONLY_INPUTS = ['github-token', 'comment', 'comment-threshold'];
/** The flags as the action's raw inputs: repeated values become lines, booleans `true`. */
function buildOptions(values) {
    const actionOnly = ACTION_ONLY_INPUTS.filter((name) => values[name] !== undefined);
    if (actionOnly.length > 0) {
        throw new UsageError(`${actionOnly.map((name) => `--${name}`).join(', ')}: the CLI writes no pull request comment`);
    }
    const raw = {};
    const add = (name, value) => {
        if (value === undefined)
            return;
        const lines = (Array.isArray(value) ? value : [value]).map(String);
        raw[name] = [raw[name], ...lines].filter((line) => line !== undefined).join('\n');
    };
    for (const name of INPUTS)
        add(name, values[name]);
    for (const [alias, name] of Object.entries(ALIASES))
        add(name, values[alias]);
    // --secret takes buildx's `id=X,src=F` spelling; the input is `X=F`.
    if (values.secret !== undefined) {
        raw['secret-files'] = (raw['secret-files'] ?? '')
            .split('\n')
            .map((line) => secretFlagToInput(line))
            .join('\n');
    }
    return toOptions(raw, 'local');
}
function secretFlagToInput(spec) {
    if (!spec.includes(',') && !spec.startsWith('id='))
        return spec;
    const fields = new Map(spec.split(',').map((field) => field.split('=', 2)));
    const id = fields.get('id');
    const src = fields.get('src') ?? fields.get('source');
    if (id === undefined || src === undefined)
        throw new UsageError(`--secret: expected id=X,src=FILE, got ${spec}`);
    return `${id}=${src}`;
}
function planRequest(options) {
    let platform;
    try {
        platform =
            options.platforms.length > 0
                ? parsePlatform(options.platforms[0], currentPlatform())
                : currentPlatform();
    }
    catch (error) {
        throw new UsageError(`--platform: ${error.message}`);
    }
    return {
        target: options.target,
        buildArgs: options.buildArgs,
        buildContexts: options.buildContexts,
        targetPlatform: platform,
        buildPlatform: currentPlatform(),
    };
}
function choose(flag, value, allowed) {
    const chosen = value ?? allowed[0];
    if (!allowed.includes(chosen)) {
        throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got ${JSON.stringify(chosen)}`);
    }
    return chosen;
}
async function readDockerfile(file, io) {
    try {
        return await (0,promises_.readFile)(file);
    }
    catch (error) {
        io.stderr.write(`${file}: cannot read: ${error.message}\n`);
        return undefined;
    }
}
async function cli_parseCommand(args, io) {
    const { values } = (0,external_node_util_.parseArgs)({
        args: [...args],
        options: { file: { type: 'string' }, format: { type: 'string' } },
        strict: true,
        allowPositionals: false,
    });
    const format = choose('format', values.format, ['buildkit', 'json']);
    const file = values.file ?? 'Dockerfile';
    const source = await readDockerfile(file, io);
    if (source === undefined)
        return 1;
    try {
        const ast = parse_parseDockerfile(source);
        if (format === 'buildkit')
            io.stdout.write(dumpAst(ast) + '\n');
        else
            io.stdout.write(JSON.stringify(toStagesJson(parse_parseStages(ast)), null, 2) + '\n');
        return 0;
    }
    catch (error) {
        return reportDockerfileError(error, file, io);
    }
}
function reportDockerfileError(error, file, io) {
    if (!(error instanceof errors_DockerfileError))
        throw error;
    io.stderr.write(`${error.withFile(file).format()}\n`);
    return 1;
}
async function planCommand(args, io) {
    const values = parseBuildFlags(args);
    const format = choose('format', values.format, ['text', 'json', 'mermaid']);
    const options = buildOptions(values);
    const request = planRequest(options);
    const source = await readDockerfile(options.file, io);
    if (source === undefined)
        return 1;
    try {
        if (source.length === 0)
            throw new errors_DockerfileError('the Dockerfile cannot be empty');
        const staged = parse_parseStages(parse_parseDockerfile(source));
        const plan = planStages(staged, request);
        if (format === 'json') {
            // Keys need the build context's contents: hash what the reachable stages read.
            const { keyOptions } = await readKeyOptions(execProcess, process.cwd(), options, staged, plan, request);
            const keys = computeStageKeys(keyOptions);
            io.stdout.write(JSON.stringify(addKeysToPlanJson(planToJson(plan), keys), null, 2) + '\n');
        }
        else if (format === 'mermaid') {
            io.stdout.write(renderPlanMermaid(plan));
        }
        else {
            io.stdout.write(renderPlanText(plan, platform_formatAllPlatform(request.targetPlatform)));
        }
        return 0;
    }
    catch (error) {
        if (!(error instanceof errors_DockerfileError))
            throw error;
        if (format === 'json')
            io.stdout.write(JSON.stringify(planErrorToJson(error), null, 2) + '\n');
        return reportDockerfileError(error, options.file, io);
    }
}
/** A size report written by `--report-json` (or stored as a baseline), for `--baseline`. */
async function readBaselineFile(file) {
    let text;
    try {
        text = await (0,promises_.readFile)(file, 'utf8');
    }
    catch (error) {
        throw new UsageError(`--baseline ${file}: cannot read: ${error.message}`);
    }
    const parsed = parseSizeReportJson(text);
    if (!parsed.ok)
        throw new UsageError(`--baseline ${file}: not a size report: ${parsed.reason}`);
    return { report: parsed.report, from: file };
}
async function buildCommand(args, io) {
    const values = parseBuildFlags(args);
    if (values.format !== undefined)
        throw new UsageError('--format is a plan option');
    const options = buildOptions(values);
    if (options.cache === 'gha')
        throw new UsageError('--cache gha needs a GitHub Actions runner; use local or registry');
    const reportFile = values['report-md'] ?? external_node_path_default().join('.stagecraft', 'report.md');
    const jsonFile = values['report-json'] ?? external_node_path_default().join('.stagecraft', 'report.json');
    const baselineFile = values.baseline;
    const baseline = baselineFile === undefined ? undefined : await readBaselineFile(baselineFile);
    const reporter = await fileReporter(reportFile);
    await (0,promises_.rm)(jsonFile, { force: true }); // a report left by an earlier run must not pass for this one's
    const result = await main_run(options, {
        logger: consoleLogger(io.stderr),
        reporter,
        workspace: fileWorkspace(process.cwd(), external_node_os_default().tmpdir()),
        exec: execProcess,
        openStore: (opts) => openStore(opts, { exec: execProcess, env: process.env, runnerTemp: undefined, actions: false }),
        hostPlatform: currentPlatform(),
    }, { ...LOCAL_RUN, baseline, reportJsonPath: external_node_path_default().resolve(jsonFile) });
    io.stdout.write(await (0,promises_.readFile)(reportFile, 'utf8'));
    io.stderr.write(`\nReport written to ${reportFile}`);
    io.stderr.write(result.reportPath === undefined ? '\n' : ` and ${jsonFile}\n`);
    for (const [name, value] of reporter.outputs) {
        io.stderr.write(`output ${name}=${value.length > 200 ? `${value.slice(0, 200)}…` : value}\n`);
    }
    return result.exitCode;
}
/** `stagecraft drift`: steps 1–3 of a scheduled run, a lookup (no download) of each stage's cache, the drift. */
async function driftCommand(args, io) {
    const values = parseBuildFlags(args);
    if (values.format !== undefined)
        throw new UsageError('--format is a plan option');
    const options = buildOptions(values);
    if (options.cache === 'gha')
        throw new UsageError('--cache gha needs a GitHub Actions runner; use local or registry');
    const request = planRequest(options);
    const source = await readDockerfile(options.file, io);
    if (source === undefined)
        return 1;
    let staged;
    let plan;
    try {
        if (source.length === 0)
            throw new errors_DockerfileError('the Dockerfile cannot be empty');
        staged = parse_parseStages(parse_parseDockerfile(source));
        plan = planStages(staged, request);
    }
    catch (error) {
        return reportDockerfileError(error, options.file, io);
    }
    const { keyOptions } = await readKeyOptions(execProcess, process.cwd(), options, staged, plan, request);
    const store = await openStore(options, {
        exec: execProcess,
        env: process.env,
        runnerTemp: undefined,
        actions: false,
    });
    const warn = (message) => {
        io.stderr.write(`warning: ${message}\n`);
    };
    const platform = platform_formatAllPlatform(request.targetPlatform);
    const check = await checkDrift({
        exec: execProcess,
        store,
        scope: {
            dockerfile: dockerfileKeyPart(options.file),
            target: plan.stages[plan.targetIndex].displayName,
            platform,
        },
        keyOptions,
        onWarning: warn,
    });
    const restore = store === undefined ? undefined : await lookUpStages(store, check.restoreKeys, { onWarning: warn });
    const drift = computeDrift({
        plan,
        targetPlatform: request.targetPlatform,
        previous: check.previous,
        resolutions: check.resolutions,
        keys: check.keys,
        baseKeys: check.baseKeys,
        ...(restore === undefined ? {} : { restore }),
        ...(options.maxCacheAge === undefined ? {} : { maxCacheAgeMs: options.maxCacheAge }),
        now: new Date(),
    });
    io.stdout.write(renderDriftText(drift, { stageCount: check.keys.length }));
    return 0;
}

;// CONCATENATED MODULE: ./src/cli-main.ts
// The CLI bundle's entry point (package.json `bin`): run the command line and exit with its code.

cli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
}, (error) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`stagecraft: internal error: ${detail}\n`);
    process.exitCode = 1;
});

