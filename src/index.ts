// The action's entry point: inputs from the runner, Actions adapters, one call into the pipeline.
import * as core from '@actions/core';
import { actionsLogger, actionsReporter } from './adapters/actions.js';
import { fileWorkspace } from './adapters/workspace.js';
import os from 'node:os';
import { execProcess } from './adapters/exec.js';
import { currentPlatform } from './adapters/host.js';
import { openStore } from './adapters/stores.js';
import { readActionInputs } from './inputs.js';
import { run } from './main.js';
import { toOptions } from './options.js';

async function main(): Promise<number> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  try {
    const options = toOptions(readActionInputs(), 'actions');
    const result = await run(options, {
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
        }),
      hostPlatform: currentPlatform(),
    });
    if (result.exitCode !== 0) core.setFailed('stagecraft failed; see the errors above.');
    return result.exitCode;
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
    if (error instanceof Error && error.stack !== undefined) core.debug(error.stack);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
