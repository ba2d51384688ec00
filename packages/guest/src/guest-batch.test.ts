import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchSkippedError, parseBatchOutput } from './guest-batch';
import type { ExecResult, GuestShell } from './guest-connection';
import { readGuestFile, runAsRoot, runAsUser, runScriptAsRoot } from './guest-commands';
import { GuestCommandError } from './guest-errors';

// A stand-in `sudo` on PATH that drops its flags (and `-u USER`) and runs the command: the batch
// script and the quoting are exercised for real by the machine's /bin/sh, only the privilege change is not.
let fakeBin: string;
beforeAll(() => {
  fakeBin = mkdtempSync(join(tmpdir(), 'betang-fake-sudo-'));
  writeFileSync(join(fakeBin, 'sudo'), '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n', { mode: 0o755 });
});
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

function localShell(): GuestShell & { sent: string[] } {
  const sent: string[] = [];
  return {
    username: 'betang',
    sent,
    async exec(command, options) {
      sent.push(command);
      const r = spawnSync('/bin/sh', ['-c', command], {
        input: options?.stdin ?? '',
        encoding: 'utf8',
        env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` },
      });
      return { stdout: r.stdout, stderr: r.stderr, code: r.status } satisfies ExecResult;
    },
  };
}

const HOSTILE = ['$(touch /tmp/betang-batch-pwned)', '`id`', 'a\'b"c', 'x y\nz', ';exit 7', '${1}', '"${2}"', '-n', '*', '\\', 'é ü'];

describe('guest command batching', () => {
  it('should send commands issued in one turn as one exec, in order, with each value as one argument', async () => {
    const shell = localShell();
    const results = await Promise.all(HOSTILE.map((v) => runAsRoot(shell, ['printf', '[%s]', v])));
    expect(shell.sent).toHaveLength(1);
    expect(results.map((r) => r.stdout)).toEqual(HOSTILE.map((v) => `[${v}]`));
    expect(() => readFileSync('/tmp/betang-batch-pwned')).toThrow();
  });

  it('should give every command its own slice of stdin, byte-exact (multi-byte text too)', async () => {
    const shell = localShell();
    const dir = mkdtempSync(join(tmpdir(), 'betang-batch-'));
    try {
      const inputs = ['first\n', 'kedua — ü\nno newline at end', '', '$(reboot)\n'];
      const [a, b, c, d] = await Promise.all(
        inputs.map((stdin, i) => runScriptAsRoot(shell, 'cat > "$1"; cat "$1"', [join(dir, `f${i}`)], { stdin })),
      );
      expect(shell.sent).toHaveLength(1);
      expect([a, b, c, d].map((r) => r!.stdout)).toEqual(inputs);
      expect(readFileSync(join(dir, 'f1'), 'utf8')).toBe(inputs[1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should stop at the first disallowed exit code: later commands are not run', async () => {
    const shell = localShell();
    const dir = mkdtempSync(join(tmpdir(), 'betang-batch-'));
    try {
      const marker = join(dir, 'ran');
      const settled = await Promise.allSettled([
        runAsRoot(shell, ['true']),
        runAsRoot(shell, ['sh', '-c', 'echo bad >&2; exit 3']),
        runAsRoot(shell, ['touch', marker]),
      ]);
      expect(shell.sent).toHaveLength(1);
      expect(settled[0]).toMatchObject({ status: 'fulfilled' });
      expect(settled[1]).toMatchObject({ status: 'rejected', reason: expect.any(GuestCommandError) });
      expect((settled[1] as PromiseRejectedResult).reason.details).toMatchObject({ exitCode: 3, stderr: 'bad' });
      expect(settled[2]).toMatchObject({ status: 'rejected', reason: expect.any(BatchSkippedError) });
      expect(() => readFileSync(marker)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should continue past allowed non-zero codes and map them like single commands', async () => {
    const shell = localShell();
    const [missing, code1, user] = await Promise.all([
      readGuestFile(shell, '/nonexistent/betang'),
      runAsRoot(shell, ['sh', '-c', 'exit 1'], { okCodes: [0, 1] }),
      runAsUser(shell, 'opd', ['printf', '%s', 'as user']),
    ]);
    expect(shell.sent).toHaveLength(1);
    expect(missing).toBeNull();
    expect(code1.code).toBe(1);
    expect(user.stdout).toBe('as user');
  });

  it('should send a lone command as the plain command line', async () => {
    const shell = localShell();
    await runAsRoot(shell, ['true']);
    expect(shell.sent).toEqual(['sudo -n -- true']);
  });

  it('should fail every command of a batch whose exec fails, and not treat output that merely looks like frames as results', async () => {
    const failing: GuestShell = {
      username: 'betang',
      exec: async () => ({ code: 1, stdout: 'x:0:0\n\nx:o\n\nx:e\n', stderr: 'sudo: a password is required' }),
    };
    const settled = await Promise.allSettled([runAsRoot(failing, ['true']), runAsRoot(failing, ['true'])]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason.message)).toContain('a password is required');
  });

  it('parseBatchOutput should keep exact output, including text that contains the frame words', () => {
    const m = 'betang-00ff';
    const out = `${m}:0:0\nline\n${m}:o\n\n${m}:e\n${m}:1:2\n:o\n${m}:o\nerr\n${m}:e\n`;
    expect(parseBatchOutput(out, m)).toEqual([
      { code: 0, stdout: 'line', stderr: '' },
      { code: 2, stdout: ':o', stderr: 'err' },
    ]);
  });
});
