import { randomBytes } from 'node:crypto';
import type { ExecResult, GuestShell } from './guest-connection';
import { GuestCommandError, GuestError, GuestErrorCode } from './guest-errors';
import { shellCommand } from './shell-quote';

/*
 * Command batching: every guest command issued through guest-commands.ts while the event loop is
 * busy with the same turn (e.g. the reads of one `Promise.all`) travels to the guest in ONE SSH
 * exec channel instead of one channel each. The guest side is BATCH_SCRIPT, a constant script:
 * the commands arrive as positional parameters (never spliced into shell text), run strictly in
 * the order they were issued, each with its own stdin slice, and the batch stops at the first
 * command whose exit code its caller did not allow — exactly what awaiting them one by one would
 * have done. A batch of one command is sent as the plain command line, as before.
 */

/** Marks the batch script; the guest emulation recognises batches by it. */
export const BATCH_SCRIPT_TAG = '# betang-guest-batch v1';

// $1 = frame marker (random per batch), then per command: OK_CODES STDIN_BYTES ARGC ARGV…
// `eval` only ever sees the text "${1}" "${2}" … built here: the values are expanded from the
// positional parameters and never parsed as shell syntax.
const BATCH_SCRIPT = [
  BATCH_SCRIPT_TAG,
  'n=$1; shift',
  'd=$(mktemp -d) || exit 90',
  'trap \'rm -rf "$d"\' EXIT',
  'i=0',
  'while [ $# -gt 0 ]; do',
  '  ok=$1; len=$2; argc=$3; shift 3',
  '  [ "$argc" -ge 1 ] && [ $# -ge "$argc" ] || exit 91',
  '  cmd=; j=1',
  '  while [ "$j" -le "$argc" ]; do cmd="$cmd \\"\\${$j}\\""; j=$((j + 1)); done',
  '  if [ "$len" -gt 0 ]; then head -c "$len" > "$d/i" || exit 92; else : > "$d/i"; fi',
  '  ( eval "$cmd" ) < "$d/i" > "$d/o" 2> "$d/e"',
  '  code=$?',
  '  shift "$argc"',
  '  printf \'%s:%s:%s\\n\' "$n" "$i" "$code"',
  '  cat "$d/o"; printf \'\\n%s:o\\n\' "$n"',
  '  cat "$d/e"; printf \'\\n%s:e\\n\' "$n"',
  '  case ",$ok," in *",$code,"*) ;; *) exit 0 ;; esac',
  '  i=$((i + 1))',
  'done',
].join('\n');

/** One command for the guest: argv as run by the batch (already as root), and its standalone command line. */
type BatchCommand = {
  /** argv the batch script runs (it runs as root; commands for another user carry their own `sudo -u`). */
  argv: readonly string[];
  /** The same command as one command line, sent when it is alone in its batch. */
  standalone: string;
  /** Short description for errors. */
  what: string;
  okCodes: readonly number[];
  stdin?: string;
  /** SSH exec timeout this command needs (a batch takes the longest of its commands). */
  timeoutMs?: number;
};

type Pending = BatchCommand & { resolve: (r: ExecResult) => void; reject: (e: unknown) => void };

/** The frames of one batch's output, in order: one ExecResult per command that ran. */
export function parseBatchOutput(output: string, marker: string): ExecResult[] {
  const results: ExecResult[] = [];
  const header = new RegExp(`^${marker}:(\\d+):(\\d+)\\n`);
  let pos = 0;
  while (pos < output.length) {
    const m = header.exec(output.slice(pos, pos + marker.length + 32));
    if (!m || Number(m[1]) !== results.length) break;
    const outStart = pos + m[0].length;
    const outEnd = output.indexOf(`\n${marker}:o\n`, outStart);
    if (outEnd === -1) break;
    const errStart = outEnd + marker.length + 4;
    const errEnd = output.indexOf(`\n${marker}:e\n`, errStart);
    if (errEnd === -1) break;
    results.push({ code: Number(m[2]), stdout: output.slice(outStart, outEnd), stderr: output.slice(errStart, errEnd) });
    pos = errEnd + marker.length + 4;
  }
  return results;
}

/** The full command line of a batch and the stdin it needs. */
function batchCommandLine(commands: readonly BatchCommand[], marker: string): { command: string; stdin?: string } {
  const args: string[] = [marker];
  let stdin = '';
  for (const c of commands) {
    const input = c.stdin ?? '';
    args.push(c.okCodes.join(','), String(Buffer.byteLength(input, 'utf8')), String(c.argv.length), ...c.argv);
    stdin += input;
  }
  return { command: shellCommand(['sudo', '-n', '--', 'sh', '-c', BATCH_SCRIPT, 'sh', ...args]), ...(stdin ? { stdin } : {}) };
}

/** Thrown for a command that never ran because an earlier command of its batch failed. */
export class BatchSkippedError extends GuestError {
  constructor(what: string) {
    super(
      GuestErrorCode.CommandFailed,
      {
        id: `Perintah di guest tidak dijalankan (${what}): perintah sebelumnya gagal.`,
        en: `A command on the guest was not run (${what}): an earlier command failed.`,
      },
      false,
      { what, skipped: true },
    );
  }
}

const queues = new WeakMap<GuestShell, Pending[]>();

function settle(p: Pending, r: ExecResult): boolean {
  if (r.code !== null && p.okCodes.includes(r.code)) {
    p.resolve(r);
    return true;
  }
  p.reject(new GuestCommandError(p.what, r.code, r.stderr));
  return false;
}

function execOptions(
  batch: readonly Pending[],
  stdin = batch.length === 1 ? batch[0]!.stdin : undefined,
): { stdin?: string; timeoutMs?: number } | undefined {
  const timeouts = batch.map((p) => p.timeoutMs).filter((t): t is number => t !== undefined);
  const out = { ...(stdin === undefined ? {} : { stdin }), ...(timeouts.length ? { timeoutMs: Math.max(...timeouts) } : {}) };
  return Object.keys(out).length ? out : undefined;
}

async function flush(shell: GuestShell, batch: Pending[]): Promise<void> {
  if (batch.length === 1) {
    const only = batch[0]!;
    try {
      settle(only, await shell.exec(only.standalone, execOptions(batch)));
    } catch (error) {
      only.reject(error);
    }
    return;
  }
  const marker = `betang-${randomBytes(12).toString('hex')}`;
  const line = batchCommandLine(batch, marker);
  let outer: ExecResult;
  try {
    outer = await shell.exec(line.command, execOptions(batch, line.stdin));
  } catch (error) {
    for (const p of batch) p.reject(error);
    return;
  }
  const results = parseBatchOutput(outer.stdout, marker);
  let failed = false;
  batch.forEach((p, i) => {
    const r = results[i];
    if (failed) p.reject(new BatchSkippedError(p.what));
    else if (r) failed = !settle(p, r);
    else {
      failed = true;
      p.reject(new GuestCommandError(`${p.what} (batch)`, outer.code, outer.stderr));
    }
  });
}

/**
 * Queues one command for the guest and resolves with its result once it ran (rejects with
 * GuestCommandError when its exit code is not allowed, BatchSkippedError when an earlier command
 * of the same batch failed). Commands queued in the same event-loop turn share one exec channel
 * and run in the order queued. The returned promise never counts as unhandled on its own.
 */
export function enqueueGuestCommand(shell: GuestShell, command: BatchCommand): Promise<ExecResult> {
  let queue = queues.get(shell);
  if (!queue) {
    const fresh: Pending[] = [];
    queues.set(shell, fresh);
    queue = fresh;
    setImmediate(() => {
      queues.delete(shell);
      void flush(shell, fresh);
    });
  }
  const q = queue;
  const promise = new Promise<ExecResult>((resolve, reject) => q.push({ ...command, resolve, reject }));
  promise.catch(() => undefined);
  return promise;
}
