import { once } from 'node:events';
import { ComebackError } from '../kernel/errors.ts';

/** Reads a password piped on stdin (`--password-stdin`): the first line, without its line ending. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

/** Asks for a password on the terminal without echoing it. */
export async function promptPassword(question: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) {
    throw new ComebackError(
      'VALIDATION_FAILED',
      'No terminal to ask for the password on: pipe it in with --password-stdin',
    );
  }
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  let typed = '';
  try {
    while (true) {
      const [chunk] = (await once(stdin, 'data')) as [string];
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return typed;
        if (ch === '\u0003') throw new ComebackError('VALIDATION_FAILED', 'Cancelled');
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    }
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}
