import { hasSystemd, readGuestFile, runAsRoot, runScriptAsRoot, writeGuestFile } from '../guest-commands';
import { GuestCommandError } from '../guest-errors';
import { checkResult, type GuestStep } from './guest-step';

const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/50-betang.conf';
/** Effective settings this step guarantees, as `sshd -T` prints them. */
const SSHD_REQUIRED: Readonly<Record<string, string>> = {
  passwordauthentication: 'no',
  kbdinteractiveauthentication: 'no',
  permitrootlogin: 'no',
};
const SSHD_DROP_IN_CONTENT = [
  '# Managed by Betang: key-only logins, no root login.',
  'PasswordAuthentication no',
  'KbdInteractiveAuthentication no',
  'PermitRootLogin no',
  '',
].join('\n');

// Reload, not restart: the running daemon re-reads its config and open sessions stay up.
// With socket activation there is no daemon to reload; each new connection reads the config.
const RELOAD_SCRIPT = [
  'if [ "$1" = yes ]; then',
  '  for unit in ssh.service sshd.service; do',
  '    if systemctl is-active --quiet "$unit"; then exec systemctl reload "$unit"; fi',
  '  done',
  '  exit 0',
  'fi',
  'if [ -s /run/sshd.pid ]; then kill -HUP "$(cat /run/sshd.pid)"; fi',
].join('\n');

// Asks the running daemon (not the files) which methods it offers, by offering none itself.
// This catches a config written by an earlier run that crashed before the reload.
const PROBE_SCRIPT = [
  'command -v ssh >/dev/null 2>&1 || exit 5',
  'ssh -o BatchMode=yes -o PreferredAuthentications=none -o StrictHostKeyChecking=no \\',
  '  -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 \\',
  '  -o LogLevel=ERROR -F /dev/null -p 22 -l "$1" 127.0.0.1 true 2>&1',
  'exit 0',
].join('\n');

type Observed = { dropIn: string | null; effective: Record<string, string>; liveMethods: string[] | null; systemd: boolean };

/** The methods listed in "Permission denied (publickey,password)."; null when the probe told nothing. */
export function parseOfferedMethods(output: string): string[] | null {
  const m = /Permission denied \(([a-z,-]*)\)/.exec(output);
  return m ? m[1]!.split(',').filter(Boolean) : null;
}

/** The settings this step guarantees, from `sshd -T` output. */
function effectiveSettings(sshdT: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of sshdT.split('\n')) {
    const [name = '', ...value] = line.trim().split(' ');
    if (name in SSHD_REQUIRED) out[name] = value.join(' ');
  }
  return out;
}

/**
 * sshd hardening via a drop-in. Never locks anyone out: the connecting account logs in with a
 * key and is not root, the new config must pass `sshd -t` before sshd is reloaded, and a failing
 * config is rolled back to what was there before.
 */
export const sshdHardeningStep: GuestStep<Observed> = {
  key: 'sshd-hardening',
  async check(shell) {
    const [probe, dropIn, sshdT, systemd] = await Promise.all([
      runScriptAsRoot(shell, PROBE_SCRIPT, [shell.username], { okCodes: [0, 5] }),
      readGuestFile(shell, SSHD_DROP_IN),
      runAsRoot(shell, ['sshd', '-T']),
      hasSystemd(shell),
    ]);
    const observed: Observed = {
      dropIn,
      effective: effectiveSettings(sshdT.stdout),
      liveMethods: parseOfferedMethods(probe.stdout),
      systemd,
    };
    const diff: string[] = [];
    const weak = (observed.liveMethods ?? []).filter((m) => m === 'password' || m === 'keyboard-interactive');
    if (weak.length > 0) diff.push(`running sshd still offers ${weak.join(', ')}: reload`);
    if (observed.dropIn !== SSHD_DROP_IN_CONTENT) diff.push(`${SSHD_DROP_IN}: key-only, no root login`);
    for (const [name, want] of Object.entries(SSHD_REQUIRED)) {
      if (observed.effective[name] !== want) diff.push(`sshd ${name}: ${observed.effective[name] ?? '?'} → ${want}`);
    }
    return checkResult(observed, diff);
  },
  async apply(shell, _spec, observed) {
    const changes: string[] = [];
    const reload = () => runScriptAsRoot(shell, RELOAD_SCRIPT, [observed.systemd ? 'yes' : 'no']);
    if (observed.dropIn !== SSHD_DROP_IN_CONTENT) {
      // One batch: write, `sshd -t`, reload. A failing `sshd -t` stops the batch before the
      // reload, and the drop-in is rolled back to what was there before.
      const [write, test, reloaded] = await Promise.allSettled([
        writeGuestFile(shell, { path: SSHD_DROP_IN, content: SSHD_DROP_IN_CONTENT, mode: '644' }),
        runAsRoot(shell, ['sshd', '-t']),
        reload(),
      ]);
      if (write.status === 'rejected') throw write.reason;
      if (test.status === 'rejected') {
        if (observed.dropIn === null) await runAsRoot(shell, ['rm', '-f', '--', SSHD_DROP_IN]);
        else await writeGuestFile(shell, { path: SSHD_DROP_IN, content: observed.dropIn, mode: '644' });
        const failure = test.reason as { details?: { exitCode?: number | null; stderr?: string } };
        throw new GuestCommandError(
          'sshd -t (rolled back)',
          failure.details?.exitCode ?? null,
          failure.details?.stderr ?? String(test.reason),
        );
      }
      if (reloaded.status === 'rejected') throw reloaded.reason;
      changes.push(`${SSHD_DROP_IN}: PasswordAuthentication no, KbdInteractiveAuthentication no, PermitRootLogin no`);
    } else {
      await reload();
    }
    changes.push('sshd reloaded');
    return changes;
  },
};
