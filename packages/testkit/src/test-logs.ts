import type { ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { loggerOptions } from '@betang/config';

/** Environment variable naming this `npm test` run's log directory (set by jest-log-setup.ts). */
export const TEST_LOG_DIR_ENV = 'BETANG_TEST_LOG_DIR';

/** This run's log directory, or undefined outside a Jest run that set one up. */
function testLogDir(): string | undefined {
  return process.env[TEST_LOG_DIR_ENV] || undefined;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'log';
}

const fds = new Map<string, number>();
process.once('exit', () => {
  for (const fd of fds.values()) closeSync(fd);
});

/**
 * pino options for an in-process test logger: the production redaction list, JSON lines, level
 * debug when the run collects logs (TEST_LOG_LEVEL overrides), silent otherwise. Plain data, so
 * testkit needs no pino: `pino(testLogOptions('api'), testLogDestination('api'))`.
 */
export function testLogOptions(name: string) {
  const level = process.env.TEST_LOG_LEVEL ?? (testLogDir() ? 'debug' : 'silent');
  return loggerOptions({ LOG_LEVEL: level, LOG_PRETTY: false }, name);
}

/**
 * A synchronous pino destination appending to `<log dir>/<name>.<pid>.log` (one file descriptor
 * per name and process), or stdout when the run collects no logs. Synchronous, so a test process
 * that exits or is killed loses nothing already logged.
 */
export function testLogDestination(name: string): { write(line: string): void } {
  const dir = testLogDir();
  if (!dir) return { write: (line) => void process.stdout.write(line) };
  const file = path.join(dir, `${safeName(name)}.${process.pid}.log`);
  let fd = fds.get(file);
  if (fd === undefined) {
    mkdirSync(dir, { recursive: true });
    fd = openSync(file, 'a');
    fds.set(file, fd);
  }
  const target = fd;
  return { write: (line) => void writeSync(target, line) };
}

/** Environment for a Betang child process a test starts: debug logs when the run collects them. */
export function childLogEnv(): Record<string, string> {
  return testLogDir() ? { LOG_LEVEL: 'debug', LOG_PRETTY: 'false' } : {};
}

/**
 * Copies everything a child process writes (stdout and stderr) into
 * `<log dir>/<name>.<child pid>.log`, next to whatever the test does with it. No-op when the run
 * collects no logs.
 */
export function captureChildOutput(child: ChildProcess, name: string): void {
  const dir = testLogDir();
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = createWriteStream(path.join(dir, `${safeName(name)}.${child.pid ?? 'x'}.log`), { flags: 'a' });
  let open = 2;
  const done = () => {
    open -= 1;
    if (open === 0) file.end();
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) {
      done();
      continue;
    }
    stream.on('data', (chunk: Buffer) => file.write(chunk));
    stream.once('close', done);
  }
}
