// The CLI bundle's entry point (package.json `bin`): run the command line and exit with its code.
import { cli } from './cli.js';

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`stagecraft: internal error: ${detail}\n`);
    process.exitCode = 1;
  },
);
