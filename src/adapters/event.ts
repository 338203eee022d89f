// The run's context on a GitHub runner: GITHUB_* variables and the event payload (GITHUB_EVENT_PATH), read
// once by the entry point and handed down as plain data. `parseRunContext` is pure; `readRunContext` reads
// the event file.
import { readFile } from 'node:fs/promises';
import type { RunContext } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The run context from the runner's variables and the event payload's text (undefined or unreadable JSON
 * means an empty payload). A pull request is read from `pull_request` (pull_request and
 * pull_request_target events): its `number`, `base.ref`, `base.sha` and `head.sha`.
 */
export function parseRunContext(env: Env, eventText: string | undefined): RunContext {
  let payload: unknown = undefined;
  if (eventText !== undefined && eventText.trim() !== '') {
    try {
      payload = JSON.parse(eventText);
    } catch {
      payload = undefined;
    }
  }
  const pr = field(payload, 'pull_request');
  const number = field(pr, 'number') ?? field(payload, 'number');
  const base = field(pr, 'base');
  const pullRequest =
    pr !== undefined && typeof number === 'number' && Number.isSafeInteger(number) && number > 0
      ? {
          number,
          baseRef: text(field(base, 'ref')) ?? '',
          baseSha: text(field(base, 'sha')) ?? '',
          headSha: text(field(field(pr, 'head'), 'sha')),
        }
      : undefined;
  const [owner, repo] = (nonEmpty(env.GITHUB_REPOSITORY) ?? '').split('/', 2);
  return {
    eventName: nonEmpty(env.GITHUB_EVENT_NAME) ?? 'local',
    ref: nonEmpty(env.GITHUB_REF),
    sha: nonEmpty(env.GITHUB_SHA),
    defaultBranch: text(field(field(payload, 'repository'), 'default_branch')),
    pullRequest,
    runId: nonEmpty(env.GITHUB_RUN_ID),
    runAttempt: nonEmpty(env.GITHUB_RUN_ATTEMPT),
    repository:
      owner !== undefined && owner !== '' && repo !== undefined && repo !== '' ? { owner, repo } : undefined,
    serverUrl: (nonEmpty(env.GITHUB_SERVER_URL) ?? 'https://github.com').replace(/\/+$/, ''),
  };
}

/** `parseRunContext` with the payload read from GITHUB_EVENT_PATH (a missing file is an empty payload). */
export async function readRunContext(env: Env): Promise<RunContext> {
  const file = nonEmpty(env.GITHUB_EVENT_PATH);
  let eventText: string | undefined;
  if (file !== undefined) {
    try {
      eventText = await readFile(file, 'utf8');
    } catch {
      eventText = undefined;
    }
  }
  return parseRunContext(env, eventText);
}
