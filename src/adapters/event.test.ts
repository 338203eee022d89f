import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRunContext, readRunContext } from './event.js';

const ENV = {
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_SHA: 'f'.repeat(40),
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '123',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://ghe.example.com/',
};

const PULL_REQUEST = {
  action: 'opened',
  number: 7,
  pull_request: {
    number: 7,
    base: { ref: 'main', sha: 'a'.repeat(40) },
    head: { ref: 'x', sha: 'b'.repeat(40) },
  },
  repository: { default_branch: 'main' },
};

describe('parseRunContext', () => {
  test('a pull request: its number, base and head, and the repository', () => {
    expect(parseRunContext(ENV, JSON.stringify(PULL_REQUEST))).toEqual({
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      sha: 'f'.repeat(40),
      defaultBranch: 'main',
      pullRequest: { number: 7, baseRef: 'main', baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
      runId: '123',
      runAttempt: '2',
      repository: { owner: 'acme', repo: 'shop' },
      serverUrl: 'https://ghe.example.com',
    });
  });

  test('a push: no pull request; github.com by default', () => {
    const context = parseRunContext(
      { ...ENV, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_SERVER_URL: undefined },
      JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'trunk' } }),
    );
    expect(context).toMatchObject({
      eventName: 'push',
      defaultBranch: 'trunk',
      serverUrl: 'https://github.com',
    });
    expect(context.pullRequest).toBeUndefined();
  });

  test.each([
    { name: 'no payload', text: undefined },
    { name: 'an empty file', text: '' },
    { name: 'not JSON', text: '{' },
    { name: 'a JSON array', text: '[1]' },
    {
      name: 'a pull request without a number',
      text: JSON.stringify({ pull_request: { base: { ref: 'main' } } }),
    },
  ])('$name: nothing from the payload, nothing thrown', ({ text }) => {
    const context = parseRunContext({ GITHUB_EVENT_NAME: 'pull_request' }, text);
    expect(context).toMatchObject({
      eventName: 'pull_request',
      pullRequest: undefined,
      defaultBranch: undefined,
    });
  });

  test('no variables at all: a local run', () => {
    expect(parseRunContext({}, undefined)).toMatchObject({ eventName: 'local', repository: undefined });
  });
});

describe('readRunContext', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-event-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the payload from GITHUB_EVENT_PATH; a missing file is an empty payload', async () => {
    const file = path.join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(PULL_REQUEST));
    expect((await readRunContext({ ...ENV, GITHUB_EVENT_PATH: file })).pullRequest?.number).toBe(7);
    const missing = await readRunContext({ ...ENV, GITHUB_EVENT_PATH: path.join(dir, 'nope.json') });
    expect(missing.pullRequest).toBeUndefined();
  });
});
