// The variables one build stage sees, as BuildKit's dispatcher keeps them (dockerfile2llb: dispatchArg,
// dispatchEnv, getEnv): ENV values and declared ARG values, inherited through `FROM <stage>`, used for
// `$VAR` expansion and as the environment of every RUN. Global ARGs are visible only where a stage
// redeclares them, so a build arg the Dockerfile never declares cannot change anything here.
//
// The base image's own ENV is not known here (its digest stands for it in the key). A name that only the
// base image could set, or a value derived from one, is "uncertain": a context path built from it is read
// as the whole context, so the key can never miss a file BuildKit copies.
import {
  processWordWithMatches,
  processWords,
  withLocation,
  type LexOptions,
  type LineRange,
} from '../dockerfile/index.js';
import type { ArgDeclaration } from '../stages/index.js';
import { compareCodeUnits } from './encode.js';

/** BuildKit's `system.DefaultPathEnvUnix`: the PATH of a stage built `FROM scratch`. */
export const DEFAULT_PATH_UNIX = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** ARGs BuildKit declares without adding them to the environment (convert.go `nonEnvArgs`). */
const NON_ENV_ARGS: ReadonlySet<string> = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/** The raw-heredoc expander BuildKit uses for COPY/ADD inline files: always `\`, quotes are text. */
const RAW_HEREDOC: LexOptions = { skipProcessQuotes: true };

export interface Expanded {
  readonly value: string;
  /** false when the value may differ in BuildKit because the base image's ENV could change it. */
  readonly certain: boolean;
}

/** What a build arg request and the FROM scope give an in-stage `ARG`. */
export interface ArgSources {
  readonly buildArgs: ReadonlyMap<string, string>;
  /** Built-in and meta ARGs after build args: the plan's `globalArgs`. */
  readonly globalArgs: ReadonlyMap<string, string>;
}

export class StageScope {
  private constructor(
    private readonly env: Map<string, string>,
    private readonly uncertain: Set<string>,
    /** Names not in `env` might still be set by the base image (an image or a named context). */
    private readonly baseEnvUnknown: boolean,
    private readonly escapeToken: string,
  ) {}

  /** A stage on an image or a named context: its base ENV is unknown. */
  static onImage(escapeToken: string): StageScope {
    return new StageScope(new Map(), new Set(), true, escapeToken);
  }

  /** A stage `FROM scratch`: BuildKit's empty image, whose only variable is the default PATH. */
  static onScratch(escapeToken: string): StageScope {
    return new StageScope(new Map([['PATH', DEFAULT_PATH_UNIX]]), new Set(), false, escapeToken);
  }

  /** A stage `FROM <stage>` starts with everything its base stage ended with. */
  inherit(): StageScope {
    return new StageScope(new Map(this.env), new Set(this.uncertain), this.baseEnvUnknown, this.escapeToken);
  }

  /** BuildKit's `ProcessWord` with the current environment (quotes removed, no word splitting). */
  expand(word: string, range: LineRange): Expanded {
    return this.run(range, () => processWordWithMatches(word, this.env, this.escapeToken));
  }

  /** Inline COPY/ADD heredoc bodies (`ExpandRaw`): escape token `\`, quotes kept as text. */
  expandRaw(word: string, range: LineRange): Expanded {
    return this.run(range, () => processWordWithMatches(word, this.env, '\\', RAW_HEREDOC));
  }

  /** `ProcessWords` (EXPOSE): expanded, then split into words. */
  expandWords(word: string, range: LineRange): string[] {
    try {
      return processWords(word, this.env, this.escapeToken);
    } catch (error) {
      throw withLocation(error, range);
    }
  }

  /** One ENV instruction: every pair is expanded with the environment from before the instruction. */
  applyEnv(pairs: readonly { readonly key: string; readonly value: string }[], range: LineRange): string[][] {
    const expanded = pairs.map(
      ({ key, value }) => [this.expand(key, range), this.expand(value, range)] as const,
    );
    for (const [key, value] of expanded) this.set(key.value, value.value, key.certain && value.certain);
    return expanded.map(([key, value]) => [key.value, value.value]);
  }

  /**
   * One ARG instruction (dispatchArg): a build arg verbatim, else the default expanded with the stage's
   * environment, else the global value; declared without either, it stays unset. Returns each name with
   * its value, `null` for unset.
   */
  applyArgs(
    declarations: readonly ArgDeclaration[],
    sources: ArgSources,
    range: LineRange,
  ): [string, string | null][] {
    return declarations.map(({ key, value: defaultValue }) => {
      let value: string | undefined;
      let certain = true;
      const buildArg = sources.buildArgs.get(key);
      if (buildArg !== undefined) value = buildArg;
      else if (defaultValue !== undefined) {
        const expanded = this.expand(defaultValue, range);
        value = expanded.value;
        certain = expanded.certain;
      } else value = sources.globalArgs.get(key);
      if (value !== undefined && !NON_ENV_ARGS.has(key)) this.set(key, value, certain);
      return [key, value ?? null];
    });
  }

  /** The RUN environment as sorted pairs (ENV and declared ARG values; base image ENV not included). */
  entries(): string[][] {
    return [...this.env.entries()]
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([key, value]) => [key, value]);
  }

  private set(name: string, value: string, certain: boolean): void {
    this.env.set(name, value);
    if (certain) this.uncertain.delete(name);
    else this.uncertain.add(name);
  }

  private run(range: LineRange, lex: () => ReturnType<typeof processWordWithMatches>): Expanded {
    let result: ReturnType<typeof processWordWithMatches>;
    try {
      result = lex();
    } catch (error) {
      throw withLocation(error, range);
    }
    let certain = true;
    for (const name of result.matched) if (this.uncertain.has(name)) certain = false;
    if (this.baseEnvUnknown && result.unmatched.size > 0) certain = false;
    return { value: result.result, certain };
  }
}
