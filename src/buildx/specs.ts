// The buildx specs both ways of building share (bake file and `docker buildx build` argv): secrets, attestations,
// the image's outputs, the Dockerfile path. Pure.
import path from 'node:path';
import { outputType, type Options } from '../options.js';

/** The environment variable that carries the value of `options.secrets[index]` to buildx. */
export function secretEnvName(index: number): string {
  return `STAGECRAFT_SECRET_${index}`;
}

/**
 * Values for the variables the secret specs name. The caller adds them to buildx's environment; they never
 * appear in argv, in the bake file or in a log.
 */
export function secretEnvironment(options: Options): Record<string, string> {
  const env: Record<string, string> = {};
  options.secrets.forEach((secret, index) => {
    env[secretEnvName(index)] = secret.value;
  });
  return env;
}

/** buildx `--secret` specs: `id=…,env=STAGECRAFT_SECRET_n` for values, `id=…,src=…` for files. */
export function secretSpecs(options: Options): string[] {
  return [
    ...options.secrets.map((secret, index) => csvFields([`id=${secret.id}`, `env=${secretEnvName(index)}`])),
    ...options.secretFiles.map((secret) => csvFields([`id=${secret.id}`, `src=${secret.path}`])),
  ];
}

/**
 * `--attest` specs for the provenance and sbom inputs, as buildx's CanonicalizeAttest writes them:
 * `true` → `type=T,disabled=false`, `false` → `type=T,disabled=true`, attributes → `type=T,<attributes>`.
 */
export function attestSpecs(options: Options): string[] {
  const specs: string[] = [];
  for (const [type, value] of [
    ['provenance', options.provenance],
    ['sbom', options.sbom],
  ] as const) {
    if (value === undefined) continue;
    if (value === 'true' || value === 'false') specs.push(`type=${type},disabled=${value === 'false'}`);
    else specs.push(`type=${type},${value}`);
  }
  return specs;
}

/**
 * The image's outputs with `push` and `load` folded in, as buildx 0.13 does for `docker buildx build`
 * (controller/build/build.go): push sets `push=true` on every image output or adds `type=image,push=true`;
 * load adds `type=docker` unless a docker output without `dest` is there. Bake has no push/load field per
 * target (its `--push`/`--load` flags apply to every target), so the bake file carries this list.
 */
export function imageOutputs(options: Options): string[] {
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
      } else if (type === 'registry') {
        pushed = true;
      }
    });
    if (!pushed) outputs.push('type=image,push=true');
  }
  if (options.load) {
    const loaded = outputs.some((spec) => outputType(spec) === 'docker' && !/(^|,)\s*dest=/.test(spec));
    if (!loaded) outputs.push('type=docker');
  }
  return outputs;
}

/** Whether a context is a remote one (git or HTTP URL), which buildx reads itself. */
export function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || /^git@/.test(context);
}

/**
 * The Dockerfile as the bake file names it. Bake resolves a relative `dockerfile` against the context (not
 * the working directory, as `docker buildx build --file` does), so a local file is made absolute from `cwd`.
 */
export function bakeDockerfile(options: Options, cwd: string): string {
  if (isRemoteContext(options.context) || path.isAbsolute(options.file)) return options.file;
  return path.resolve(cwd, options.file);
}

/** One CSV record the way Go's encoding/csv reads it back: fields with `,`, `"` or a newline are quoted. */
export function csvFields(fields: readonly string[]): string {
  return fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
}

/** `NAME=VALUE` items from a map, in insertion order. */
export function keyValues(map: ReadonlyMap<string, string>): string[] {
  return [...map].map(([key, value]) => `${key}=${value}`);
}
