// Runs the bundled action (dist/index.js) the way a GitHub runner does: inputs as INPUT_* variables,
// an event file, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, in a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './conformance.js';

export interface ActionRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Map<string, string>;
  readonly summary: string;
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Map<string, string> {
  const outputs = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (match === null) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    outputs.set(name!, value.join('\n'));
  }
  return outputs;
}

export async function runAction(
  workspace: string,
  inputs: Record<string, string>,
  event: { name: string; payload: object } = { name: 'push', payload: {} },
  extraEnv: Record<string, string> = {},
): Promise<ActionRun> {
  const runnerDir = mkdtempSync(path.join(tmpdir(), 'stagecraft-runner-'));
  const files = {
    GITHUB_OUTPUT: path.join(runnerDir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(runnerDir, 'summary.md'),
    GITHUB_STATE: path.join(runnerDir, 'state'),
    GITHUB_EVENT_PATH: path.join(runnerDir, 'event.json'),
  };
  for (const file of [files.GITHUB_OUTPUT, files.GITHUB_STEP_SUMMARY, files.GITHUB_STATE])
    writeFileSync(file, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(event.payload));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...files,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_REPOSITORY: 'octo/stagecraft-e2e',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerDir,
  };
  Object.assign(env, extraEnv);
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'dist/index.js')],
      { cwd: workspace, env, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
  return {
    exitCode: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}
