import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from './types.js';

/** Files relative to `root`; work directories under `tempDir` (RUNNER_TEMP on a runner). */
export function fileWorkspace(root: string, tempDir: string): Workspace {
  return {
    root,
    readFile: (file) => readFile(path.resolve(root, file)),
    makeWorkDir: async () => {
      await mkdir(tempDir, { recursive: true });
      return mkdtemp(path.join(tempDir, 'stagecraft-'));
    },
  };
}
