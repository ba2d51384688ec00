import { guestPathExists, hasSystemd, readGuestFile, runAsRoot, writeGuestFile } from '../guest-commands';
import { checkResult, type GuestStep } from './guest-step';

const TIMESYNCD_DROP_IN = '/etc/systemd/timesyncd.conf.d/50-betang.conf';
const CHRONY_SOURCES = '/etc/chrony/sources.d/betang.sources';
const TIMESYNCD_BINARIES = ['/lib/systemd/systemd-timesyncd', '/usr/lib/systemd/systemd-timesyncd'];

type Client = 'chrony' | 'timesyncd' | 'none';
type Observed = { client: Client; config: string | null; enabled: boolean; systemd: boolean };

/** The timesyncd drop-in for these servers (deterministic, so equal content means nothing to do). */
export function timesyncdContent(servers: readonly string[]): string {
  return `# Managed by Betang.\n[Time]\nNTP=${servers.join(' ')}\n`;
}

/** The chrony sources file for these servers, one `server … iburst` line each. */
export function chronySourcesContent(servers: readonly string[]): string {
  return `# Managed by Betang.\n${servers.map((s) => `server ${s} iburst`).join('\n')}\n`;
}

/**
 * NTP servers for whichever client the image has: chrony (a sources.d file, reloaded) or
 * systemd-timesyncd (a drop-in, service enabled). An image with neither is reported in the
 * notes and left alone. timesyncd does not run inside containers (ConditionVirtualization),
 * so the step enables it and restarts it only if it is running.
 */
export const ntpStep: GuestStep<Observed> = {
  key: 'ntp',
  async check(shell, spec) {
    // First batch: which client, systemd, both possible config files; second: the unit state.
    const [chrony, timesyncd1, timesyncd2, systemd, chronyConfig, timesyncdConfig] = await Promise.all([
      guestPathExists(shell, '/etc/chrony/chrony.conf'),
      guestPathExists(shell, TIMESYNCD_BINARIES[0]!),
      guestPathExists(shell, TIMESYNCD_BINARIES[1]!),
      hasSystemd(shell),
      readGuestFile(shell, CHRONY_SOURCES),
      readGuestFile(shell, TIMESYNCD_DROP_IN),
    ]);
    const client: Client = chrony ? 'chrony' : timesyncd1 || timesyncd2 ? 'timesyncd' : 'none';
    if (client === 'none')
      return checkResult({ client, config: null, enabled: false, systemd }, [], ['no NTP client (chrony, systemd-timesyncd) in the image']);
    const path = client === 'chrony' ? CHRONY_SOURCES : TIMESYNCD_DROP_IN;
    const want = client === 'chrony' ? chronySourcesContent(spec.ntpServers) : timesyncdContent(spec.ntpServers);
    const unit = client === 'chrony' ? 'chrony.service' : 'systemd-timesyncd.service';
    const enabled =
      !systemd || (await runAsRoot(shell, ['systemctl', 'is-enabled', unit], { okCodes: [0, 1] })).stdout.trim() === 'enabled';
    const observed: Observed = { client, config: client === 'chrony' ? chronyConfig : timesyncdConfig, enabled, systemd };
    const diff: string[] = [];
    if (observed.config !== want) diff.push(`${path}: ${spec.ntpServers.join(' ')}`);
    if (!enabled) diff.push(`enable ${unit}`);
    return checkResult(observed, diff);
  },
  async apply(shell, spec, observed) {
    // One batch: the file, the reload/restart, the enable.
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    const chrony = observed.client === 'chrony';
    const path = chrony ? CHRONY_SOURCES : TIMESYNCD_DROP_IN;
    const want = chrony ? chronySourcesContent(spec.ntpServers) : timesyncdContent(spec.ntpServers);
    const unit = chrony ? 'chrony.service' : 'systemd-timesyncd.service';
    if (observed.config !== want) {
      ops.push(writeGuestFile(shell, { path, content: want, mode: '644' }));
      if (chrony) ops.push(runAsRoot(shell, ['chronyc', 'reload', 'sources'], { okCodes: [0, 1] }));
      else if (observed.systemd) ops.push(runAsRoot(shell, ['systemctl', 'try-restart', unit]));
      changes.push(`${path}: NTP ${spec.ntpServers.join(' ')}`);
    }
    if (!observed.enabled) {
      ops.push(runAsRoot(shell, ['systemctl', 'enable', unit]));
      changes.push(`enabled ${unit}`);
    }
    await Promise.all(ops);
    return changes;
  },
};
