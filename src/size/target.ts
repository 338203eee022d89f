// Which image a build left to measure, and where: pure, from the image outputs given to buildx, the builder's
// driver and the build's metadata.
//
// With the docker driver, BuildKit writes into the engine's own image store: a build with no output at all
// (bake's default), `type=docker` and `type=image` all leave the image there, named by its tags or, untagged,
// as a dangling image that its digest (`containerimage.digest`, the image ID of the containerd store) still
// finds. Another driver keeps an image without outputs inside the builder, where nothing can read it: the
// build must load it (`needsImageLoad`). A pushed image is measured in its registry, as pulled, by
// `name@digest` (so a tag moved since by another build cannot be measured instead).
import { outputType } from '../options.js';

export interface BuiltImage {
  /** The image outputs as buildx was given them (push and load folded in; buildx/specs.ts `imageOutputs`). */
  readonly outputs: readonly string[];
  readonly tags: readonly string[];
  /** The builder's driver (`docker`, `docker-container`, `kubernetes`, `remote`). */
  readonly driver: string;
  /** `containerimage.digest` from the build's metadata; '' when there is none. */
  readonly digest: string;
  /** `image.name` from the metadata: the names the image was exported under, comma-separated. */
  readonly imageName?: string | undefined;
}

export type MeasureTarget =
  | { readonly kind: 'image-store'; readonly image: string }
  | { readonly kind: 'registry'; readonly ref: string }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Whether buildx must be asked to load the image so that it can be measured: nothing else was asked, and the
 * driver keeps an image without outputs inside the builder. Not for several platforms, which buildx 0.13
 * cannot load.
 */
export function needsImageLoad(outputs: readonly string[], driver: string, platformCount: number): boolean {
  return outputs.length === 0 && driver !== 'docker' && platformCount <= 1;
}

function attribute(spec: string, name: string): string | undefined {
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    if (eq > 0 && field.slice(0, eq).trim().toLowerCase() === name) return field.slice(eq + 1).trim();
  }
  return undefined;
}

/** `registry:5000/app:tag` or `app@sha256:…` → `registry:5000/app`; the repository of a reference. */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@', 1)[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export function resolveMeasureTarget(image: BuiltImage): MeasureTarget {
  if (!/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
    return {
      kind: 'none',
      reason:
        image.outputs.length === 0
          ? 'the build gave no image digest'
          : `the outputs (${image.outputs.join('; ')}) give no image to measure`,
    };
  }
  const outputs = image.outputs.map((spec) => ({ spec, type: outputType(spec) }));
  const pushed = outputs.filter(
    ({ spec, type }) => type === 'registry' || (type === 'image' && attribute(spec, 'push') === 'true'),
  );
  if (pushed.length > 0) {
    const names = [
      ...pushed.flatMap(({ spec }) => (attribute(spec, 'name') ?? '').split(/[,\s]+/)),
      ...(image.imageName ?? '').split(','),
      ...image.tags,
    ]
      .map((name) => name.trim().replace(/^"|"$/g, ''))
      .filter((name) => name !== '' && !name.startsWith('moby-dangling@'));
    if (names.length > 0) return { kind: 'registry', ref: `${repositoryOf(names[0]!)}@${image.digest}` };
  }
  const docker = image.driver === 'docker';
  const inStore =
    (outputs.length === 0 && docker) ||
    outputs.some(
      ({ spec, type }) =>
        (type === 'docker' && attribute(spec, 'dest') === undefined) ||
        (docker && (type === 'image' || type === 'moby')),
    );
  if (inStore) return { kind: 'image-store', image: image.digest };
  return {
    kind: 'none',
    reason:
      outputs.length === 0
        ? `the ${image.driver} driver keeps the image inside the builder`
        : `the outputs (${image.outputs.join('; ')}) leave no image in the engine's image store or a registry`,
  };
}
