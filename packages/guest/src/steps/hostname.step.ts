import { hasSystemd, guestPathExists, readGuestFile, runAsRoot, writeGuestFile } from '../guest-commands';
import { checkResult, type GuestStep } from './guest-step';

const CLOUD_CFG_DIR = '/etc/cloud/cloud.cfg.d';
const CLOUD_CFG = `${CLOUD_CFG_DIR}/99-betang-hostname.cfg`;
const CLOUD_CFG_CONTENT = '# Managed by Betang: keep the hostname set at provisioning across reboots.\npreserve_hostname: true\n';

/**
 * /etc/hosts with exactly one `127.0.1.1 NAME` line, placed after the 127.0.0.1 line.
 * Without it every sudo prints "unable to resolve host" after a rename (Debian convention).
 * A single 127.0.1.1 line that already names NAME (cloud-init's `127.0.1.1 FQDN NAME`, which
 * it writes again at every boot because Proxmox sets manage_etc_hosts) is kept as it is, so the
 * step and cloud-init never undo each other.
 */
export function hostsWithLoopbackName(hosts: string, name: string): string {
  const loopback = hosts
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === '127.0.1.1');
  if (loopback.length === 1 && loopback[0]!.slice(1).includes(name) && hosts.endsWith('\n')) return hosts;
  const lines = hosts.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((l) => l.trim().split(/\s+/)[0] !== '127.0.1.1');
  const entry = `127.0.1.1\t${name}`;
  const at = kept.findIndex((l) => l.trim().split(/\s+/)[0] === '127.0.0.1');
  kept.splice(at === -1 ? 0 : at + 1, 0, entry);
  return `${kept.join('\n')}\n`;
}

type Observed = { staticName: string; runningName: string; hosts: string; systemd: boolean; cloudInit: boolean; cloudCfg: string | null };

/** Hostname: hostnamectl under systemd (else /etc/hostname + hostname), the 127.0.1.1 hosts line, and cloud-init's preserve_hostname. */
export const hostnameStep: GuestStep<Observed> = {
  key: 'hostname',
  async check(shell, spec) {
    // All reads in one turn: they travel to the guest as one batch (guest-batch.ts).
    const [staticFile, running, hosts, systemd, cloudInit, cloudCfg] = await Promise.all([
      readGuestFile(shell, '/etc/hostname'),
      runAsRoot(shell, ['hostname']),
      readGuestFile(shell, '/etc/hosts'),
      hasSystemd(shell),
      guestPathExists(shell, CLOUD_CFG_DIR),
      readGuestFile(shell, CLOUD_CFG),
    ]);
    const observed: Observed = {
      staticName: (staticFile ?? '').trim(),
      runningName: running.stdout.trim(),
      hosts: hosts ?? '',
      systemd,
      cloudInit,
      cloudCfg: cloudInit ? cloudCfg : null,
    };
    const diff: string[] = [];
    if (observed.staticName !== spec.hostname) diff.push(`/etc/hostname: "${observed.staticName}" → "${spec.hostname}"`);
    if (observed.runningName !== spec.hostname) diff.push(`running hostname: "${observed.runningName}" → "${spec.hostname}"`);
    if (hostsWithLoopbackName(observed.hosts, spec.hostname) !== observed.hosts) diff.push(`/etc/hosts: 127.0.1.1 ${spec.hostname}`);
    if (cloudInit && observed.cloudCfg !== CLOUD_CFG_CONTENT) diff.push(`${CLOUD_CFG}: preserve_hostname: true`);
    return checkResult(observed, diff);
  },
  async apply(shell, spec, observed) {
    // Every change is queued in one turn (one batch, run in this order, stopping at a failure).
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    // /etc/hosts first, so sudo can resolve the new name the moment it is set.
    const hosts = hostsWithLoopbackName(observed.hosts, spec.hostname);
    if (hosts !== observed.hosts) {
      ops.push(writeGuestFile(shell, { path: '/etc/hosts', content: hosts, mode: '644' }));
      changes.push(`/etc/hosts: 127.0.1.1 ${spec.hostname}`);
    }
    if (observed.cloudInit && observed.cloudCfg !== CLOUD_CFG_CONTENT) {
      ops.push(writeGuestFile(shell, { path: CLOUD_CFG, content: CLOUD_CFG_CONTENT, mode: '644' }));
      changes.push(`${CLOUD_CFG}: preserve_hostname: true`);
    }
    if (observed.staticName !== spec.hostname || observed.runningName !== spec.hostname) {
      if (observed.systemd) {
        ops.push(runAsRoot(shell, ['hostnamectl', 'set-hostname', spec.hostname]));
      } else {
        ops.push(writeGuestFile(shell, { path: '/etc/hostname', content: `${spec.hostname}\n`, mode: '644' }));
        ops.push(runAsRoot(shell, ['hostname', spec.hostname]));
      }
      changes.push(`hostname: "${observed.staticName}" → "${spec.hostname}"`);
    }
    await Promise.all(ops);
    return changes;
  },
};
