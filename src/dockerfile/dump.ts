// BuildKit's `Node.Dump` format, in which its parser test data (`result` files) is written.
import type { DockerfileAst, InstructionNode } from './ast.js';
import { goQuote, goTrimSpace } from './go-text.js';

export function dumpInstruction(node: InstructionNode): string {
  let out = node.rawKeyword.toLowerCase();
  if (node.flags.length > 0) out += ` [${node.flags.map(goQuote).join(' ')}]`;
  for (const arg of node.args) out += ` ${goQuote(arg)}`;
  if (node.onbuild !== undefined) out += ` (${dumpInstruction(node.onbuild)})`;
  return goTrimSpace(out);
}

/** The whole tree, one `(instruction)` per line, without a final newline (as `Dump` returns it). */
export function dumpAst(ast: DockerfileAst): string {
  return goTrimSpace(ast.instructions.map((node) => `(${dumpInstruction(node)})\n`).join(''));
}
