// In-process adapters for running the whole pipeline (main.run) against the real BuildKit in tests.
import os from 'node:os';
import path from 'node:path';
import { execProcess } from '../../src/adapters/exec.js';
import { currentPlatform } from '../../src/adapters/host.js';
import type { Adapters, Logger } from '../../src/adapters/types.js';
import { fileWorkspace } from '../../src/adapters/workspace.js';
import type { StageCacheStore } from '../../src/cache/store.js';
import type { OutputName } from '../../src/options.js';

export interface Recorded {
  readonly lines: string[];
  readonly warnings: string[];
  readonly errors: string[];
  readonly outputs: Map<OutputName, string>;
  readonly summary: string[];
}

export function recordingAdapters(
  root: string,
  store: StageCacheStore | undefined,
): { adapters: Adapters; recorded: Recorded } {
  const recorded: Recorded = { lines: [], warnings: [], errors: [], outputs: new Map(), summary: [] };
  const logger: Logger = {
    info: (message) => void recorded.lines.push(message),
    debug: () => undefined,
    warning: (message) => void recorded.warnings.push(message),
    error: (message) => void recorded.errors.push(message),
    group: (_title, body) => body(),
  };
  return {
    recorded,
    adapters: {
      logger,
      reporter: {
        setOutput: (name, value) => void recorded.outputs.set(name, value),
        appendSummary: async (markdown) => void recorded.summary.push(markdown),
      },
      workspace: fileWorkspace(root, path.join(os.tmpdir(), 'stagecraft-test-work')),
      exec: execProcess,
      openStore: async () => store,
      hostPlatform: currentPlatform(),
    },
  };
}
