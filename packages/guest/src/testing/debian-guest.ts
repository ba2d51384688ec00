import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { ensureDebianRootfs } from './debian-rootfs';
import { startSlirp } from './slirp';
import { GUEST_DIR_PARENT, GUEST_DIR_PREFIX, reapStaleGuests, recordOwner } from './stale-guests';

/** A booted throw-away Debian guest reachable over SSH on 127.0.0.1. */
export type DebianGuest = {
  host: string;
  port: number;
  /** The cloud-init-like login user (passwordless sudo), like Proxmox's ciuser. */
  username: string;
  privateKey: string;
  publicKey: string;
  /** `ssh-ed25519 AAAA… root@…`: the guest's real host key, to pin. */
  hostKeyLine: string;
  /** The guest's root directory as seen from the host (for test set-up only). */
  rootDir: string;
  /** Powers the guest off, stops slirp4netns and deletes the directory. */
  stop(): Promise<void>;
};

const CI_USER = 'betang';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, ppid] of parent) {
      if (ppid !== p) continue;
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** PID of a process inside the container's own network namespace. */
async function containerPid(nspawnPid: number, timeoutMs: number): Promise<number> {
  const ours = readlinkSync('/proc/self/ns/net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of descendants(nspawnPid)) {
      try {
        if (readlinkSync(`/proc/${pid}/ns/net`) !== ours) return pid;
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('systemd-nspawn did not start a container');
}

/** Resolves once something on 127.0.0.1:port speaks SSH (slirp accepts TCP before sshd is up). */
async function waitForSshBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const banner = await new Promise<string>((resolve) => {
      const sock = new Socket();
      let data = '';
      const done = () => (sock.destroy(), resolve(data));
      sock.setTimeout(1000, done);
      sock.on('data', (d) => ((data += d.toString()), data.includes('\n') && done()));
      sock.on('error', done);
      sock.on('close', done);
      sock.connect(port, '127.0.0.1');
    });
    if (banner.startsWith('SSH-2.0-')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SSH banner on 127.0.0.1:${port}`);
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => (clearTimeout(t), resolve(true)));
  });
}

function prepareRoot(root: string, dir: string): { privateKey: string; publicKey: string; hostKeyLine: string } {
  const chroot = (...args: string[]) => execFileSync('chroot', [root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  chroot('ssh-keygen', '-A');
  chroot('useradd', '--create-home', '--user-group', '--shell', '/bin/bash', CI_USER);
  chroot('usermod', '--password', '*', CI_USER);
  // What cloud-init writes for Proxmox's ciuser.
  writeFileSync(join(root, 'etc/sudoers.d/90-cloud-init-users'), `${CI_USER} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  const keyFile = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'betang-worker@test', '-f', keyFile]);
  const publicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim();
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${CI_USER}:`))!
    .split(':');
  const [uid, gid] = [Number(passwd[2]), Number(passwd[3])];
  const sshDir = join(root, 'home', CI_USER, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
  writeFileSync(join(sshDir, 'authorized_keys'), `${publicKey}\n`, { mode: 0o600 });
  chownSync(sshDir, uid, gid);
  chownSync(join(sshDir, 'authorized_keys'), uid, gid);
  chmodSync(sshDir, 0o700);
  return {
    privateKey: readFileSync(keyFile, 'utf8'),
    publicKey,
    hostKeyLine: readFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').trim(),
  };
}

/**
 * Boots a fresh Debian bookworm guest from the cached rootfs (docs/guest-configuration.md):
 * extracted to a temp dir, host keys generated, a ciuser with a fresh key and passwordless sudo,
 * systemd as PID 1 under systemd-nspawn with its own network namespace, SSH forwarded by
 * slirp4netns to 127.0.0.1:<free port>. Nothing it does reaches the host's hostname, users,
 * firewall or network. stop() powers it off and deletes the directory. Needs root.
 */
export async function startDebianGuest(options: { bootTimeoutMs?: number } = {}): Promise<DebianGuest> {
  if (process.getuid?.() !== 0) throw new Error('startDebianGuest needs root (debootstrap rootfs, systemd-nspawn, slirp4netns)');
  const tarball = ensureDebianRootfs();
  reapStaleGuests();
  const dir = mkdtempSync(join(GUEST_DIR_PARENT, GUEST_DIR_PREFIX));
  const root = join(dir, 'root');
  const processes: ChildProcess[] = [];
  const cleanup = async () => {
    for (const child of processes.reverse()) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 10_000))) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(root);
    execFileSync('tar', ['--zstd', '-xpf', tarball, '-C', root, '--numeric-owner', '--xattrs', '--xattrs-include=*']);
    const keys = prepareRoot(root, dir);
    const port = await freePort();
    const log = openSync(join(dir, 'nspawn.log'), 'a');
    const nspawn = spawn(
      'systemd-nspawn',
      [
        '-D',
        root,
        '--boot',
        '--register=no',
        '--keep-unit',
        '--private-network',
        `--machine=betang-${randomBytes(4).toString('hex')}`,
        '--timezone=off',
        '--resolv-conf=off',
        '--link-journal=no',
        '--console=pipe',
      ],
      { stdio: ['ignore', log, log] },
    );
    processes.push(nspawn);
    recordOwner(dir, [nspawn.pid!]);
    const pid = await containerPid(nspawn.pid!, 15_000);
    const slirp = await startSlirp(pid, join(dir, 'slirp.sock'), port, 22);
    processes.push(slirp);
    recordOwner(dir, [nspawn.pid!, slirp.pid!]);
    await waitForSshBanner(port, options.bootTimeoutMs ?? 60_000);
    return { host: '127.0.0.1', port, username: CI_USER, ...keys, rootDir: root, stop: cleanup };
  } catch (error) {
    const log = (() => {
      try {
        return readFileSync(join(dir, 'nspawn.log'), 'utf8').slice(-3000);
      } catch {
        return '';
      }
    })();
    await cleanup();
    throw new Error(`startDebianGuest failed: ${(error as Error).message}\n${log}`, { cause: error });
  }
}
