import type { ExecResult, GuestShell } from './guest-connection';
import { enqueueGuestCommand } from './guest-batch';
import { shellCommand } from './shell-quote';

/**
 * Every command on the guest goes through here: `sudo -n -- argv…`, each element quoted by
 * shellQuote, so no value ever becomes shell syntax. `-n` makes a missing sudo rule fail at
 * once instead of hanging on a password prompt.
 */
export function sudoCommand(argv: readonly string[]): string {
  return shellCommand(['sudo', '-n', '--', ...argv]);
}

type RunOptions = {
  stdin?: string;
  okCodes?: readonly number[];
  /** SSH exec timeout for a long command (default: the connection's). */ timeoutMs?: number;
};

/**
 * Runs argv as root; returns the result when the exit code is allowed, else throws
 * GuestCommandError. Commands issued in the same event-loop turn share one SSH exec channel
 * (guest-batch.ts) and still run in the order issued.
 */
export function runAsRoot(shell: GuestShell, argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return run(shell, argv, sudoCommand(argv), argv, options);
}

/**
 * Runs argv as an unprivileged account (`sudo -u USER`). Used for files inside that user's
 * home, so a symlink the user planted can never redirect a root write or chown.
 */
export function runAsUser(shell: GuestShell, user: string, argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  const full = ['sudo', '-n', '-u', user, '--', ...argv];
  return run(shell, full, shellCommand(full), argv, options);
}

function run(
  shell: GuestShell,
  batchArgv: readonly string[],
  standalone: string,
  argv: readonly string[],
  options: RunOptions,
): Promise<ExecResult> {
  const what = argv[0] === 'sh' ? 'sh -c <script>' : argv.slice(0, 3).join(' ');
  return enqueueGuestCommand(shell, {
    argv: batchArgv,
    standalone,
    what,
    okCodes: options.okCodes ?? [0],
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

/**
 * Runs a fixed script with `sh -c SCRIPT sh ARGS…`: the script is a constant in this package,
 * values arrive as positional parameters ("$1"…), never spliced into the script text.
 */
export function runScriptAsRoot(shell: GuestShell, script: string, args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return runAsRoot(shell, ['sh', '-c', script, 'sh', ...args], options);
}

const READ_SCRIPT = 'if [ -e "$1" ]; then exec cat -- "$1"; else exit 3; fi';

/** Reads a file as root; null when it does not exist. */
export async function readGuestFile(shell: GuestShell, path: string): Promise<string | null> {
  const r = await runScriptAsRoot(shell, READ_SCRIPT, [path], { okCodes: [0, 3] });
  return r.code === 3 ? null : r.stdout;
}

/** True when the path exists on the guest (any type). */
export async function guestPathExists(shell: GuestShell, path: string): Promise<boolean> {
  const r = await runAsRoot(shell, ['test', '-e', path], { okCodes: [0, 1] });
  return r.code === 0;
}

// Content arrives on stdin into a private temp file, is optionally validated, then installed
// with its final owner and mode in one step, so the target never holds a half-written file.
const WRITE_SCRIPT = [
  'set -eu',
  'umask 077',
  'tmp=$(mktemp)',
  'trap \'rm -f "$tmp"\' EXIT',
  'cat > "$tmp"',
  'if [ "$5" = visudo ]; then visudo -cqf "$tmp"; fi',
  'install -D -T -m "$2" -o "$3" -g "$4" -- "$tmp" "$1"',
].join('\n');

type GuestFile = {
  path: string;
  content: string;
  mode: string;
  owner?: string;
  group?: string;
  /** 'visudo': refuse to install unless `visudo -cf` accepts the content. */
  validate?: 'visudo';
};

/** Writes a file as root from stdin (never via echo): temp file, optional validation, then install. */
export async function writeGuestFile(shell: GuestShell, file: GuestFile): Promise<void> {
  if (!/^[0-7]{3,4}$/.test(file.mode)) throw new TypeError(`bad mode ${file.mode}`);
  await runScriptAsRoot(shell, WRITE_SCRIPT, [file.path, file.mode, file.owner ?? 'root', file.group ?? 'root', file.validate ?? 'none'], {
    stdin: file.content,
  });
}

/** True when PID 1 is systemd (hostnamectl, timedatectl and systemctl are usable). */
export async function hasSystemd(shell: GuestShell): Promise<boolean> {
  return guestPathExists(shell, '/run/systemd/system');
}

/** True when an executable with this name is on root's PATH. */
export async function hasCommand(shell: GuestShell, name: string): Promise<boolean> {
  const r = await runScriptAsRoot(shell, 'command -v "$1" >/dev/null 2>&1', [name], { okCodes: [0, 1, 127] });
  return r.code === 0;
}
