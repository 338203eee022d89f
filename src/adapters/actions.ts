// Adapters for a GitHub Actions runner: @actions/core for logs, annotations, outputs and the job summary.
import * as core from '@actions/core';
import path from 'node:path';
import type { OutputName } from '../options.js';
import type { Logger, Reporter, SourceLocation } from './types.js';

/** Annotations only for files inside the workspace, with repository-relative paths. */
function annotation(workspaceRoot: string, where: SourceLocation | undefined): core.AnnotationProperties {
  if (where === undefined) return {};
  const properties: core.AnnotationProperties = { title: where.title };
  if (where.file !== undefined) {
    const relative = path.relative(workspaceRoot, path.resolve(workspaceRoot, where.file));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
      properties.file = relative.split(path.sep).join('/');
      if (where.line !== undefined) properties.startLine = where.line;
    }
  }
  return properties;
}

export function actionsLogger(workspaceRoot: string): Logger {
  return {
    info: (message) => core.info(message),
    debug: (message) => core.debug(message),
    warning: (message, where) => core.warning(message, annotation(workspaceRoot, where)),
    error: (message, where) => core.error(message, annotation(workspaceRoot, where)),
    group: (title, body) => core.group(title, body),
  };
}

export function actionsReporter(): Reporter {
  return {
    setOutput: (name: OutputName, value: string) => core.setOutput(name, value),
    appendSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY === undefined) return;
      await core.summary.addRaw(markdown, true).write();
    },
  };
}
