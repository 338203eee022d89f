// Reads the action's inputs (only here, and only when called) into the raw form toOptions validates.
import * as core from '@actions/core';
import { INPUTS, type RawInputs } from './options.js';

export function readActionInputs(): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUTS) raw[name] = core.getInput(name);
  return raw;
}
