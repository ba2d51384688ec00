import { hasSystemd, readGuestFile, runAsRoot, writeGuestFile } from '../guest-commands';
import { GuestPreconditionError } from '../guest-errors';
import { checkResult, type GuestStep } from './guest-step';

const AUTO_UPGRADES = '/etc/apt/apt.conf.d/20auto-upgrades';
const SECURITY_ORIGINS = '/etc/apt/apt.conf.d/52betang-unattended-upgrades';
const TIMERS = ['apt-daily.timer', 'apt-daily-upgrade.timer'];

/** 20auto-upgrades with both APT::Periodic switches on ("1") or off ("0"). */
function autoUpgradesContent(enabled: boolean): string {
  const v = enabled ? '1' : '0';
  return `// Managed by Betang.\nAPT::Periodic::Update-Package-Lists "${v}";\nAPT::Periodic::Unattended-Upgrade "${v}";\n`;
}

// `#clear` drops the origins other files added, so only security updates are installed unattended.
const SECURITY_ORIGINS_CONTENT = [
  '// Managed by Betang: unattended upgrades install security updates only.',
  '#clear Unattended-Upgrade::Origins-Pattern;',
  'Unattended-Upgrade::Origins-Pattern {',
  '  "origin=Debian,codename=${distro_codename},label=Debian-Security";',
  '  "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
  '};',
  '',
].join('\n');

type Observed = { autoUpgrades: string | null; origins: string | null; timersEnabled: boolean; systemd: boolean };

/**
 * Unattended security upgrades: APT::Periodic switches, a security-only origins list, and the
 * apt-daily timers enabled. With unattendedUpgrades=false the switches are written as "0".
 */
export const unattendedUpgradesStep: GuestStep<Observed> = {
  key: 'unattended-upgrades',
  async check(shell, spec) {
    // First batch: package, systemd, both files; second (systemd only): the timers.
    const [pkg, systemd, autoUpgrades, origins] = await Promise.all([
      spec.unattendedUpgrades
        ? runAsRoot(shell, ['dpkg-query', '-W', '-f', '${Status}', 'unattended-upgrades'], { okCodes: [0, 1] })
        : undefined,
      hasSystemd(shell),
      readGuestFile(shell, AUTO_UPGRADES),
      readGuestFile(shell, SECURITY_ORIGINS),
    ]);
    if (pkg && pkg.stdout.trim() !== 'install ok installed') {
      throw new GuestPreconditionError({
        id: 'Paket unattended-upgrades tidak terpasang di guest; tambahkan ke templat VM.',
        en: 'The unattended-upgrades package is not installed on the guest; add it to the VM template.',
      });
    }
    let timersEnabled = true;
    if (systemd && spec.unattendedUpgrades) {
      const r = await runAsRoot(shell, ['systemctl', 'is-enabled', ...TIMERS], { okCodes: [0, 1] });
      timersEnabled = r.stdout
        .trim()
        .split('\n')
        .every((s) => s === 'enabled');
    }
    const observed: Observed = { autoUpgrades, origins, timersEnabled, systemd };
    const diff: string[] = [];
    if (observed.autoUpgrades !== autoUpgradesContent(spec.unattendedUpgrades))
      diff.push(`${AUTO_UPGRADES}: ${spec.unattendedUpgrades ? 'on' : 'off'}`);
    if (spec.unattendedUpgrades && observed.origins !== SECURITY_ORIGINS_CONTENT) diff.push(`${SECURITY_ORIGINS}: security origins only`);
    if (!timersEnabled) diff.push(`enable ${TIMERS.join(', ')}`);
    return checkResult(observed, diff);
  },
  async apply(shell, spec, observed) {
    // One batch: both files, then the timers.
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    const content = autoUpgradesContent(spec.unattendedUpgrades);
    if (observed.autoUpgrades !== content) {
      ops.push(writeGuestFile(shell, { path: AUTO_UPGRADES, content, mode: '644' }));
      changes.push(`${AUTO_UPGRADES}: unattended upgrades ${spec.unattendedUpgrades ? 'on' : 'off'}`);
    }
    if (spec.unattendedUpgrades && observed.origins !== SECURITY_ORIGINS_CONTENT) {
      ops.push(writeGuestFile(shell, { path: SECURITY_ORIGINS, content: SECURITY_ORIGINS_CONTENT, mode: '644' }));
      changes.push(`${SECURITY_ORIGINS}: security origins only`);
    }
    if (!observed.timersEnabled) {
      ops.push(runAsRoot(shell, ['systemctl', 'enable', '--now', ...TIMERS]));
      changes.push(`enabled ${TIMERS.join(', ')}`);
    }
    await Promise.all(ops);
    return changes;
  },
};
