import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

function digest(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
}

function listing(path: string): string {
  return existsSync(path) ? readdirSync(path).sort().join(',') : 'missing';
}

function read(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : 'missing';
}

/**
 * What the guest steps would change if they ever ran on the test machine itself: hostname,
 * accounts, hosts file, time zone, sshd drop-ins, sudoers, apt periodic settings and the
 * firewall. The host has no nft/iptables binaries, so the rules are listed with the guest
 * image's `nft` run through chroot: it reads the host's own network namespace, read-only.
 */
export function snapshotHost(toolRoot: string): Record<string, string> {
  let nft: string;
  try {
    nft = execFileSync('chroot', [toolRoot, 'nft', 'list', 'ruleset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    nft = `nft failed: ${(error as Error).message}`;
  }
  return {
    hostname: hostname(),
    etcHostname: read('/etc/hostname'),
    passwd: digest('/etc/passwd'),
    shadow: digest('/etc/shadow'),
    group: digest('/etc/group'),
    hosts: digest('/etc/hosts'),
    localtime: existsSync('/etc/localtime') ? readlinkSync('/etc/localtime') : 'missing',
    timezone: read('/etc/timezone'),
    sshdDropIns: listing('/etc/ssh/sshd_config.d'),
    sudoers: listing('/etc/sudoers.d'),
    aptConf: listing('/etc/apt/apt.conf.d'),
    iptables: read('/proc/net/ip_tables_names') + read('/proc/net/ip6_tables_names'),
    nft,
  };
}
