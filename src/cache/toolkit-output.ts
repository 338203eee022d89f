// Captures what `@actions/cache` prints while one of our calls into it runs.
//
// The toolkit handles its own faults: it logs them through `@actions/core` (`::warning::`, `::error::`, plain
// lines; all written with `process.stdout.write`) and returns "no cache". Its messages are the only place the
// reason for a miss is told, and left alone they would appear as annotations of their own beside ours. So while
// a call runs, its output is taken aside and handed to that call's sink instead. Which call a write belongs to
// is known from its async context (AsyncLocalStorage follows the toolkit's promises, timers and sockets), so
// concurrent calls and a call that we stopped waiting for never mix, and other output passes through untouched.
import { AsyncLocalStorage } from 'node:async_hooks';

export type ToolkitLineKind = 'warning' | 'error' | 'debug' | 'info';

export interface ToolkitLine {
  readonly kind: ToolkitLineKind;
  readonly message: string;
}

export type ToolkitSink = (line: ToolkitLine) => void;

const storage = new AsyncLocalStorage<ToolkitSink>();
let installed = false;

/** Undoes `@actions/core`'s escaping of workflow command data. */
function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Classifies one line the toolkit printed: a workflow command (`::warning::…`) or plain info. */
export function parseToolkitLine(line: string): ToolkitLine {
  const command = /^::(warning|error|debug|notice)(?: [^:]*)?::(.*)$/.exec(line);
  if (command === null) return { kind: 'info', message: line };
  const kind = command[1] === 'notice' ? 'info' : (command[1] as ToolkitLineKind);
  return { kind, message: unescapeData(command[2] ?? '') };
}

function install(): void {
  if (installed) return;
  installed = true;
  const stdout = process.stdout;
  const original = stdout.write.bind(stdout) as (...args: unknown[]) => boolean;
  // A sink may log through @actions/core itself (our logger's debug lines): those writes pass through.
  let delivering = false;
  const patched = (chunk: unknown, ...rest: unknown[]): boolean => {
    const sink = storage.getStore();
    if (sink === undefined || delivering) return original(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    delivering = true;
    try {
      for (const line of text.split(/\r?\n/)) {
        if (line !== '') sink(parseToolkitLine(line));
      }
    } finally {
      delivering = false;
    }
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (callback !== undefined) process.nextTick(callback);
    return true;
  };
  stdout.write = patched as typeof stdout.write;
}

/** Runs `fn` with everything it prints to stdout sent to `sink` instead, line by line. */
export function captureToolkitOutput<T>(sink: ToolkitSink, fn: () => Promise<T>): Promise<T> {
  install();
  return storage.run(sink, fn);
}
