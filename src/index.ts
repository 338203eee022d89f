// The action's entry point: inputs and the run's context from the runner, Actions adapters, one call into the
// pipeline.
import * as core from '@actions/core';
import os from 'node:os';
import { actionsLogger, actionsReporter } from './adapters/actions.js';
import { readRunContext } from './adapters/event.js';
import { execProcess } from './adapters/exec.js';
import { createGitHubApi } from './adapters/github.js';
import { currentPlatform } from './adapters/host.js';
import { openStore } from './adapters/stores.js';
import { fileWorkspace } from './adapters/workspace.js';
import { readActionInputs } from './inputs.js';
import { run } from './main.js';
import { toOptions } from './options.js';

async function main(): Promise<number> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  try {
    const options = toOptions(readActionInputs(), 'actions');
    if (options.githubToken !== undefined) core.setSecret(options.githubToken);
    const context = await readRunContext(process.env);
    const result = await run(
      options,
      {
        logger: actionsLogger(workspace),
        reporter: actionsReporter(),
        workspace: fileWorkspace(workspace, process.env.RUNNER_TEMP ?? os.tmpdir()),
        exec: execProcess,
        openStore: (opts) =>
          openStore(opts, {
            exec: execProcess,
            env: process.env,
            runnerTemp: process.env.RUNNER_TEMP,
            actions: true,
            lookupTimeoutMs: secondsToMs(process.env.STAGECRAFT_CACHE_LOOKUP_TIMEOUT_SECONDS),
          }),
        hostPlatform: currentPlatform(),
        github:
          options.githubToken === undefined
            ? undefined
            : createGitHubApi({
                apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
                graphqlUrl: process.env.GITHUB_GRAPHQL_URL || undefined,
                token: options.githubToken,
                debug: (message) => core.debug(message),
              }),
      },
      context,
    );
    if (result.exitCode !== 0) core.setFailed('stagecraft failed; see the errors above.');
    return result.exitCode;
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
    if (error instanceof Error && error.stack !== undefined) core.debug(error.stack);
    return 1;
  }
}

/** A tuning knob for slow cache services: seconds as a positive number, else the default. */
function secondsToMs(value: string | undefined): number | undefined {
  const seconds = Number(value);
  return value !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

// Exit explicitly: a cache service that never answered can leave sockets open that would keep Node alive.
// Let stdout drain first (pipes are asynchronous on some platforms).
void main().then((code) => {
  process.stdout.write('', () => process.exit(code));
});
