// Adapters for the CLI: logs on stderr, the report in a Markdown file, outputs as `name=value` lines.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OutputName } from '../options.js';
import type { Logger, Reporter, SourceLocation } from './types.js';

function located(message: string, where: SourceLocation | undefined): string {
  if (where?.file === undefined) return message;
  return `${where.file}${where.line === undefined ? '' : `:${where.line}`}: ${message}`;
}

export function consoleLogger(stream: NodeJS.WritableStream = process.stderr, verbose = false): Logger {
  let depth = 0;
  const write = (line: string): void => {
    const indent = '  '.repeat(depth);
    stream.write(
      line
        .replace(/\n$/, '')
        .split('\n')
        .map((text) => indent + text)
        .join('\n') + '\n',
    );
  };
  return {
    info: write,
    debug: (message) => {
      if (verbose) write(`debug: ${message}`);
    },
    warning: (message, where) => write(`warning: ${located(message, where)}`),
    error: (message, where) => write(`error: ${located(message, where)}`),
    group: async (title, body) => {
      write(`▸ ${title}`);
      depth++;
      try {
        return await body();
      } finally {
        depth--;
      }
    },
  };
}

/** Writes the report to `reportFile` (created anew per run) and collects outputs. */
export async function fileReporter(
  reportFile: string | undefined,
): Promise<Reporter & { outputs: Map<OutputName, string> }> {
  if (reportFile !== undefined) {
    await mkdir(path.dirname(path.resolve(reportFile)), { recursive: true });
    await writeFile(reportFile, '');
  }
  const outputs = new Map<OutputName, string>();
  return {
    outputs,
    setOutput: (name, value) => void outputs.set(name, value),
    appendSummary: async (markdown) => {
      if (reportFile !== undefined) await appendFile(reportFile, markdown);
    },
  };
}
