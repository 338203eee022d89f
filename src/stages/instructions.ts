// Typed instructions and stages (BuildKit's instructions/commands.go). Words stay raw, as written:
// variable expansion is a later step with the ARG scope BuildKit would use, so nothing here depends on
// build arguments.
import type { Heredoc, InstructionNode } from '../dockerfile/ast.js';
import type { LineRange } from '../dockerfile/errors.js';

interface Located {
  /** Physical lines of the instruction. */
  readonly range: LineRange;
  /** The parsed node, for the original text and dumps. */
  readonly node: InstructionNode;
}

export interface KeyValue {
  readonly key: string;
  /** Raw value with quotes and escapes, expanded later. */
  readonly value: string;
  /** Legacy `ENV key value` form. */
  readonly noDelimiter: boolean;
}

/** Exec form (`["a","b"]`) or shell form (one string, run through the SHELL). */
export interface CommandLine {
  readonly args: readonly string[];
  readonly prependShell: boolean;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type MountSharing = 'shared' | 'private' | 'locked';

/** One `RUN --mount=...`, with values raw (BuildKit expands them when the stage is dispatched). */
export interface RunMount {
  readonly type: MountType;
  /** `from=` as written; a stage name, image or named context. Never holds a variable. */
  readonly from: string | undefined;
  readonly source: string | undefined;
  readonly target: string | undefined;
  readonly readOnly: boolean;
  /** cache: `id=`; secret and ssh: `id=`. */
  readonly id: string | undefined;
  readonly sharing: MountSharing | undefined;
  readonly mode: string | undefined;
  readonly uid: string | undefined;
  readonly gid: string | undefined;
  readonly size: string | undefined;
  readonly required: boolean | undefined;
  readonly env: string | undefined;
  /** The CSV as written, for keys and display. */
  readonly raw: string;
  /**
   * Set by `parseStages` when the mount, read as written, breaks a rule BuildKit only checks when it
   * builds the stage (after expanding the values): BuildKit's message, e.g. `unsupported mount type "foo"`.
   * Not thrown, since BuildKit accepts it in a stage it never builds and a variable may make it valid.
   */
  readonly deferredError?: string;
}

export interface SourcesAndDest {
  /** Context (or stage) paths, raw. */
  readonly sources: readonly string[];
  /** Inline files from heredoc sources. */
  readonly contents: readonly { readonly path: string; readonly data: string; readonly expand: boolean }[];
  readonly dest: string;
}

export type Instruction =
  | (Located & { readonly kind: 'env'; readonly env: readonly KeyValue[] })
  | (Located & { readonly kind: 'label'; readonly labels: readonly KeyValue[] })
  | (Located & { readonly kind: 'maintainer'; readonly maintainer: string })
  | (Located & {
      readonly kind: 'add';
      readonly files: SourcesAndDest;
      readonly chown: string | undefined;
      readonly chmod: string | undefined;
      readonly link: boolean;
      readonly keepGitDir: boolean | undefined;
      readonly checksum: string | undefined;
      readonly unpack: boolean | undefined;
      readonly exclude: readonly string[];
    })
  | (Located & {
      readonly kind: 'copy';
      readonly files: SourcesAndDest;
      /** `--from` as written (a name, an index or an image); never expanded. */
      readonly from: string | undefined;
      readonly chown: string | undefined;
      readonly chmod: string | undefined;
      readonly link: boolean;
      readonly parents: boolean;
      readonly exclude: readonly string[];
    })
  | (Located & { readonly kind: 'onbuild'; readonly expression: string; readonly trigger: InstructionNode })
  | (Located & { readonly kind: 'workdir'; readonly path: string })
  | (Located & {
      readonly kind: 'run';
      readonly command: CommandLine;
      readonly heredocs: readonly Heredoc[];
      readonly mounts: readonly RunMount[];
      readonly network: string | undefined;
      readonly security: string | undefined;
      readonly devices: readonly string[];
    })
  | (Located & { readonly kind: 'cmd'; readonly command: CommandLine })
  | (Located & { readonly kind: 'entrypoint'; readonly command: CommandLine })
  | (Located & {
      readonly kind: 'healthcheck';
      /** `NONE` disables it; otherwise `CMD` (exec) or `CMD-SHELL`. */
      readonly test: readonly string[];
      readonly interval: string | undefined;
      readonly timeout: string | undefined;
      readonly startPeriod: string | undefined;
      readonly startInterval: string | undefined;
      readonly retries: number | undefined;
    })
  | (Located & { readonly kind: 'expose'; readonly ports: readonly string[] })
  | (Located & { readonly kind: 'user'; readonly user: string })
  | (Located & { readonly kind: 'volume'; readonly volumes: readonly string[] })
  | (Located & { readonly kind: 'stopsignal'; readonly signal: string })
  | (Located & { readonly kind: 'arg'; readonly args: readonly ArgDeclaration[] })
  | (Located & { readonly kind: 'shell'; readonly shell: readonly string[] });

export type InstructionKind = Instruction['kind'];

export interface ArgDeclaration {
  readonly key: string;
  /** Raw default (quotes kept), or `undefined` for `ARG name`. */
  readonly value: string | undefined;
}

/** A `FROM` and the instructions up to the next one. */
export interface Stage {
  /** 0-based position among the FROM instructions. */
  readonly index: number;
  /** Lowercased, as BuildKit stores it; `undefined` for an unnamed stage. */
  readonly name: string | undefined;
  /** The name as written after `AS`. */
  readonly rawName: string | undefined;
  /** The base as written, before ARG expansion: an image, `scratch`, or an earlier stage's name. */
  readonly baseName: string;
  /** `--platform` as written. */
  readonly platform: string | undefined;
  readonly instructions: readonly Instruction[];
  /** The FROM line. */
  readonly fromRange: LineRange;
  /** From the FROM line to the stage's last instruction. */
  readonly range: LineRange;
  readonly comments: readonly string[];
}

/** A parsed Dockerfile: the global ARGs before the first FROM, and the stages. */
export interface StagedDockerfile {
  readonly metaArgs: readonly (Located & {
    readonly kind: 'arg';
    readonly args: readonly ArgDeclaration[];
  })[];
  readonly stages: readonly Stage[];
  readonly escapeToken: string;
}

/** Display name as BuildKit prints it: the stage's name, else `stage-<index>`. */
export function stageDisplayName(stage: Pick<Stage, 'index' | 'name'>): string {
  return stage.name ?? `stage-${stage.index}`;
}
