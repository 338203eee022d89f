// Whether a real BuildKit is here (scripts/setup-buildkit prepares one). Integration suites skip loudly
// without it, unless STAGECRAFT_REQUIRE_BUILDKIT=1 (as in .ci/run) makes that a failure.
import { describe } from '@jest/globals';
import { spawnSync } from 'node:child_process';

export const BASE_IMAGE = 'stagecraft-test/busybox:1';

function buildkitProblem(): string | undefined {
  const buildx = spawnSync('docker', ['buildx', 'version'], { encoding: 'utf8' });
  if (buildx.status !== 0) return '`docker buildx` is not available';
  const info = spawnSync('docker', ['info', '--format', '{{.DriverStatus}}'], { encoding: 'utf8' });
  if (info.status !== 0) return 'no Docker engine answers';
  const image = spawnSync('docker', ['image', 'inspect', BASE_IMAGE], { encoding: 'utf8' });
  if (image.status !== 0) return `the base image ${BASE_IMAGE} is missing`;
  return undefined;
}

/** `describe` when BuildKit is here (or required), `describe.skip` with a loud warning otherwise. */
export function describeWithBuildKit(suite: string): typeof describe | typeof describe.skip {
  const problem = buildkitProblem();
  if (problem === undefined || process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1') return describe;
  console.warn(
    `\n*** SKIPPING ${suite}: ${problem}. Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n`,
  );
  return describe.skip;
}
