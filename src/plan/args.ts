// The global scope FROM lines see: BuildKit's automatic platform ARGs, then the ARGs declared before the
// first FROM, in order, with `--build-arg` overrides (dockerfile2llb: defaultArgs, buildMetaArgs).
import { processWordWithMatches, withLocation } from '../dockerfile/index.js';
import type { StagedDockerfile } from '../stages/index.js';
import { formatAllPlatform, formatPlatform } from './platform.js';
import type { PlanRequest } from './types.js';

export function resolveGlobalArgs(
  metaArgs: StagedDockerfile['metaArgs'],
  request: Pick<PlanRequest, 'buildArgs' | 'targetPlatform' | 'buildPlatform'>,
  targetStage: string,
  escapeToken: string,
): Map<string, string> {
  const build = request.buildPlatform;
  const target = request.targetPlatform;
  const args = new Map<string, string>();
  const builtins: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', build.osVersion ?? ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatAllPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', target.osVersion ?? ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage === '' ? 'default' : targetStage],
  ];
  for (const [key, value] of builtins) args.set(key, request.buildArgs.get(key) ?? value);

  for (const declaration of metaArgs) {
    for (const { key, value } of declaration.args) {
      // A build arg replaces the default unexpanded; a default is expanded against the scope so far.
      let resolved = request.buildArgs.get(key);
      if (resolved === undefined && value !== undefined) {
        try {
          resolved = processWordWithMatches(value, args, escapeToken).result;
        } catch (error) {
          throw withLocation(error, declaration.range);
        }
      }
      if (resolved !== undefined) args.set(key, resolved);
    }
  }
  return args;
}
