import { runSecretCli } from './secret-cli';

/**
 * Reads one line from a terminal without echoing it (raw mode), or all of stdin when it is a
 * pipe or a file. Ctrl+C / Ctrl+D abort without printing anything of what was typed.
 */
function readInput(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (c: Buffer) => chunks.push(c));
      stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stdin.once('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true); // before the prompt, so nothing typed ahead is echoed
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('dibatalkan / cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

runSecretCli(process.argv.slice(2), {
  env: process.env,
  readInput,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : 'error'}\n`);
    process.exitCode = 1;
  },
);
