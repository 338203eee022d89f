import { expect, test } from '@jest/globals';
import { isCacheExportFailure } from './build.js';
import { parseBuildError } from './progress.js';
import { BuildxRunError } from './run.js';

function failure(stderr: string): BuildxRunError {
  return new BuildxRunError(['docker', 'buildx', 'bake'], 1, parseBuildError(stderr), stderr);
}

// prettier-ignore
test.each([
  { name: 'two exports writing one blob', stderr: '#29 [build] exporting cache to client directory\n#29 ERROR: error writing layer blob: error reading from server: EOF: unavailable\n------\n > [build] exporting cache to client directory:\n------\nERROR: failed to solve: not found\n', expected: true },
  { name: 'a blob missing from the cache source during an export', stderr: '------\n > [final] exporting cache to client directory:\n------\nERROR: failed to solve: error writing layer blob: NotFound: content sha256:3458: not found\n', expected: true },
  { name: 'a RUN that fails', stderr: '#12 [build 2/2] RUN exit 3\n#12 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n------\n > [build 2/2] RUN exit 3:\n------\nDockerfile:4\n--------------------\n   4 | >>> RUN exit 3\n--------------------\nERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n', expected: false },
])('$name → retry without exports: $expected', ({ stderr, expected }) => {
  expect(isCacheExportFailure(failure(stderr))).toBe(expected);
});
