import { execFileSync } from 'node:child_process';
import type { ExecResult, GuestShell } from './guest-connection';
import { readGuestFile, runAsRoot, sudoCommand, writeGuestFile } from './guest-commands';
import { GuestCommandError } from './guest-errors';

function recordingShell(result: Partial<ExecResult> = {}): GuestShell & { sent: Array<{ command: string; stdin?: string }> } {
  const sent: Array<{ command: string; stdin?: string }> = [];
  return {
    username: 'betang',
    sent,
    exec: async (command, options) => {
      sent.push({ command, stdin: options?.stdin });
      return { stdout: '', stderr: 'boom', code: 0, ...result };
    },
  };
}

describe('sudoCommand', () => {
  it('should hand every argv element to the remote shell as one word', () => {
    const cmd = sudoCommand(['printf', '[%s]', '$(id)', "a'b", 'x y']);
    // Replace sudo with a function that drops its own flags, then let a real shell parse the line.
    const out = execFileSync('/bin/sh', ['-c', `sudo() { shift 2; "$@"; }\n${cmd}`], { encoding: 'utf8' });
    expect(out).toBe("[$(id)][a'b][x y]");
  });
});

describe('writeGuestFile', () => {
  it('should send the content on stdin and never in the command line', async () => {
    const shell = recordingShell();
    const content = 'opd ALL=(ALL:ALL) NOPASSWD:ALL\n$(reboot)\n';
    await writeGuestFile(shell, { path: '/etc/sudoers.d/opd', content, mode: '440', validate: 'visudo' });
    expect(shell.sent).toHaveLength(1);
    expect(shell.sent[0]!.stdin).toBe(content);
    expect(shell.sent[0]!.command).not.toContain('$(reboot)');
    expect(shell.sent[0]!.command).toMatch(/^sudo -n -- sh -c '/);
  });

  it('should refuse a mode that is not octal', async () => {
    await expect(writeGuestFile(recordingShell(), { path: '/x', content: '', mode: '644; reboot' })).rejects.toThrow(TypeError);
  });
});

describe('runAsRoot / readGuestFile', () => {
  it('should throw GuestCommandError on an unexpected exit code', async () => {
    await expect(runAsRoot(recordingShell({ code: 1 }), ['false'])).rejects.toBeInstanceOf(GuestCommandError);
  });

  it('should map exit code 3 to a missing file', async () => {
    expect(await readGuestFile(recordingShell({ code: 3 }), '/etc/nope')).toBeNull();
    expect(await readGuestFile(recordingShell({ code: 0, stdout: 'x\n' }), '/etc/yes')).toBe('x\n');
  });
});
