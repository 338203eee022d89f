// The action's entry point: inputs from the runner, Actions adapters, one call into the pipeline.
import * as core from '@actions/core';
import { actionsLogger, actionsReporter, fileWorkspace } from './adapters/actions.js';
import { currentPlatform } from './adapters/host.js';
import { readActionInputs } from './inputs.js';
import { run } from './main.js';
import { toOptions } from './options.js';

async function main(): Promise<number> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  try {
    const options = toOptions(readActionInputs());
    const result = await run(options, {
      logger: actionsLogger(workspace),
      reporter: actionsReporter(),
      workspace: fileWorkspace(workspace),
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
