export const id = 706;
export const ids = [706];
export const modules = {

/***/ 7706:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GhaStore: () => (/* binding */ GhaStore)
});

// UNUSED EXPORTS: DEFAULT_GHA_STAGING_DIR

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 340 modules
var cache = __webpack_require__(2641);
// EXTERNAL MODULE: ./src/cache/entry.ts
var entry = __webpack_require__(8962);
// EXTERNAL MODULE: external "node:async_hooks"
var external_node_async_hooks_ = __webpack_require__(6698);
;// CONCATENATED MODULE: ./src/cache/toolkit-output.ts
// Captures what `@actions/cache` prints while one of our calls into it runs.
//
// The toolkit handles its own faults: it logs them through `@actions/core` (`::warning::`, `::error::`, plain
// lines; all written with `process.stdout.write`) and returns "no cache". Its messages are the only place the
// reason for a miss is told, and left alone they would appear as annotations of their own beside ours. So while
// a call runs, its output is taken aside and handed to that call's sink instead. Which call a write belongs to
// is known from its async context (AsyncLocalStorage follows the toolkit's promises, timers and sockets), so
// concurrent calls and a call that we stopped waiting for never mix, and other output passes through untouched.

const storage = new external_node_async_hooks_.AsyncLocalStorage();
let installed = false;
/** Undoes `@actions/core`'s escaping of workflow command data. */
function unescapeData(text) {
    return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
/** Classifies one line the toolkit printed: a workflow command (`::warning::…`) or plain info. */
function parseToolkitLine(line) {
    const command = /^::(warning|error|debug|notice)(?: [^:]*)?::(.*)$/.exec(line);
    if (command === null)
        return { kind: 'info', message: line };
    const kind = command[1] === 'notice' ? 'info' : command[1];
    return { kind, message: unescapeData(command[2] ?? '') };
}
function install() {
    if (installed)
        return;
    installed = true;
    const stdout = process.stdout;
    const original = stdout.write.bind(stdout);
    // A sink may log through @actions/core itself (our logger's debug lines): those writes pass through.
    let delivering = false;
    const patched = (chunk, ...rest) => {
        const sink = storage.getStore();
        if (sink === undefined || delivering)
            return original(chunk, ...rest);
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        delivering = true;
        try {
            for (const line of text.split(/\r?\n/)) {
                if (line !== '')
                    sink(parseToolkitLine(line));
            }
        }
        finally {
            delivering = false;
        }
        const callback = rest.find((arg) => typeof arg === 'function');
        if (callback !== undefined)
            process.nextTick(callback);
        return true;
    };
    stdout.write = patched;
}
/** Runs `fn` with everything it prints to stdout sent to `sink` instead, line by line. */
function captureToolkitOutput(sink, fn) {
    install();
    return storage.run(sink, fn);
}

;// CONCATENATED MODULE: ./src/cache/gha-store.ts
// Entries in GitHub's Actions cache, through the real `@actions/cache` (6.x, the v2 cache service): one archive
// per entry, `restoreCache([stagingDir], key, restoreKeys)` and `saveCache([stagingDir], key)`.
//
// Why a fixed staging directory: the toolkit archives paths relative to GITHUB_WORKSPACE and puts the path
// list into the cache "version", so an entry restores only with the same path string, to the same place. Every
// entry therefore passes through one directory (`stagingDir`, the same in every run: by default under the
// system temp folder) and is copied from or to the caller's directory. Calls are serialised for it.
//
// Faults never throw. The toolkit swallows its own (service down, HTTP 429/5xx, corrupt archive, a reservation
// refused) and prints them; `captureToolkitOutput` takes those lines back, and they become one warning for the
// call and a miss. Each call also runs under a timeout and the caller's abort signal: the toolkit takes no
// signal and retries with back-off, so on a timeout we stop waiting, report a warning, and answer every later
// call at once with a warning too (a service that hung once is not waited for again in this run).







const DEFAULT_GHA_STAGING_DIR = external_node_path_default().join(external_node_os_default().tmpdir(), 'stagecraft', 'gha-entry');
/** Lines that mean the toolkit gave up, whatever level it logged them at. */
function isFault(line) {
    if (line.kind === 'warning' || line.kind === 'error')
        return true;
    if (line.kind === 'info')
        return /^Failed to (save|restore)\b/.test(line.message);
    return /^Failed to reserve cache\b/.test(line.message);
}
function seconds(ms) {
    return `${Math.round(ms / 100) / 10} s`;
}
class GhaStore {
    kind = 'gha';
    stagingDir;
    lookupTimeoutMs;
    transferTimeoutMs;
    toolkit;
    queue = Promise.resolve();
    /** Set after a timeout: why every later call is skipped. */
    broken;
    constructor(options = {}) {
        this.stagingDir = options.stagingDir ?? DEFAULT_GHA_STAGING_DIR;
        this.lookupTimeoutMs = options.lookupTimeoutMs ?? 60_000;
        this.transferTimeoutMs = options.transferTimeoutMs ?? 600_000;
        this.toolkit = options.toolkit ?? cache;
    }
    /** Runs `fn` after the calls before it, with the toolkit's output captured, a timeout and the abort signal. */
    call(what, timeoutMs, options, fn) {
        const run = async () => {
            if (this.broken !== undefined)
                return { faults: [`skipped: ${this.broken}`], lines: [] };
            const signal = options?.signal;
            if (signal?.aborted === true)
                return { faults: ['skipped: cancelled'], lines: [] };
            const lines = [];
            let open = true;
            const work = captureToolkitOutput((line) => {
                if (!open)
                    return;
                lines.push(line);
                if (!isFault(line))
                    options?.onDebug?.(`gha-store.${what}: ${line.message}`);
            }, fn);
            const settled = await new Promise((resolve) => {
                const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
                const onAbort = () => finish({ kind: 'aborted' });
                function finish(outcome) {
                    clearTimeout(timer);
                    signal?.removeEventListener('abort', onAbort);
                    resolve(outcome);
                }
                signal?.addEventListener('abort', onAbort, { once: true });
                work.then((value) => finish({ kind: 'done', value }), (error) => finish({ kind: 'threw', error }));
            });
            open = false;
            const faults = lines.filter(isFault).map((line) => line.message);
            switch (settled.kind) {
                case 'done':
                    return { value: settled.value, faults, lines };
                case 'threw':
                    return { faults: [...faults, settled.error?.message ?? String(settled.error)], lines };
                case 'timeout': {
                    this.broken = `an earlier GitHub cache ${what} timed out after ${seconds(timeoutMs)}`;
                    const last = lines.at(-1)?.message;
                    return {
                        faults: [
                            `${what} timed out after ${seconds(timeoutMs)}${last === undefined ? '' : ` (last: ${last})`}`,
                        ],
                        lines,
                    };
                }
                case 'aborted':
                    this.broken = 'cancelled';
                    return { faults: [`${what} cancelled`], lines };
            }
        };
        const result = this.queue.then(run, run);
        this.queue = result.catch(() => undefined);
        return result;
    }
    warn(options, what, key, faults) {
        options?.onWarning?.(`GitHub cache: ${what} of ${key} failed: ${faults.join('; ')}`);
    }
    async lookup(key, restoreKeys, options) {
        const outcome = await this.call('lookup', this.lookupTimeoutMs, options, () => this.toolkit.restoreCache([this.stagingDir], key, [...restoreKeys], { lookupOnly: true }));
        if (outcome.faults.length > 0) {
            this.warn(options, 'lookup', key, outcome.faults);
            return undefined;
        }
        const found = outcome.value;
        return found === undefined ? undefined : { key: found, exact: found === key };
    }
    async exists(key, options) {
        const outcome = await this.call('lookup', this.lookupTimeoutMs, options, () => this.toolkit.restoreCache([this.stagingDir], key, [], { lookupOnly: true }));
        if (outcome.faults.length > 0) {
            this.warn(options, 'lookup', key, outcome.faults);
            return false;
        }
        return outcome.value === key;
    }
    async restore(key, dir, options) {
        let bytes = 0;
        const outcome = await this.call('restore', this.transferTimeoutMs, options, async () => {
            await (0,promises_.rm)(this.stagingDir, { recursive: true, force: true });
            try {
                const found = await this.toolkit.restoreCache([this.stagingDir], key, [], {
                    timeoutInMs: Math.min(this.transferTimeoutMs, 120_000),
                    segmentTimeoutInMs: this.transferTimeoutMs,
                });
                if (found !== key)
                    return found;
                if (!(0,external_node_fs_.existsSync)(this.stagingDir)) {
                    throw new Error(`the archive did not put the entry at ${this.stagingDir} (saved from a GITHUB_WORKSPACE at another depth?)`);
                }
                bytes = await (0,entry/* copyTree */.EL)(this.stagingDir, dir);
                return found;
            }
            finally {
                await (0,promises_.rm)(this.stagingDir, { recursive: true, force: true });
            }
        });
        if (outcome.faults.length > 0) {
            this.warn(options, 'restore', key, outcome.faults);
            return 0;
        }
        if (outcome.value !== key) {
            this.warn(options, 'restore', key, ['the entry is gone']);
            return 0;
        }
        return archiveBytes(outcome.lines, /^Cache Size: ~\d+ MB \((\d+) B\)/) ?? bytes;
    }
    async save(key, dir, options) {
        let bytes = 0;
        const outcome = await this.call('save', this.transferTimeoutMs, options, async () => {
            await (0,promises_.rm)(this.stagingDir, { recursive: true, force: true });
            try {
                bytes = await (0,entry/* copyTree */.EL)(dir, this.stagingDir);
                return await this.toolkit.saveCache([this.stagingDir], key);
            }
            finally {
                await (0,promises_.rm)(this.stagingDir, { recursive: true, force: true });
            }
        });
        if (outcome.faults.length > 0) {
            this.warn(options, 'save', key, outcome.faults);
            return 0;
        }
        if (outcome.value === undefined || outcome.value < 0) {
            options?.onDebug?.(`gha-store.save: ${key} was not stored (the cache is not writable in this run)`);
            return 0;
        }
        return (archiveBytes(outcome.lines, /^File Size: (\d+)$/) ?? (bytes > 0 ? bytes : await (0,entry/* directorySize */.RG)(dir)));
    }
}
/** The archive's size, as the toolkit reported it. */
function archiveBytes(lines, pattern) {
    for (const line of lines) {
        const match = pattern.exec(line.message);
        if (match?.[1] !== undefined)
            return Number(match[1]);
    }
    return undefined;
}


/***/ })

};
